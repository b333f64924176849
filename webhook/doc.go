// Package webhook delivers moderators' decisions to the CMS: a worker
// claims deliveries from the review store's outbox (written in the same
// transaction as each decision), POSTs each as JSON signed with HMAC-SHA256,
// retries failures with exponential backoff and jitter, and gives up after
// a day, leaving the delivery dead-lettered for an admin to redeliver.
//
// Delivery is at least once: a server killed between a send and recording
// it sends again after the claim's lease, with the same X-Vigil-Delivery,
// which the receiver uses as its idempotency key.
//
// A receiver checks the signature like this:
//
//	mac := hmac.New(sha256.New, []byte(secret))
//	mac.Write(body)
//	ok := hmac.Equal([]byte(r.Header.Get("X-Vigil-Signature")), []byte("sha256="+hex.EncodeToString(mac.Sum(nil))))
package webhook
