package webhook_test

import (
	"fmt"

	"github.com/kz-newsroom/vigil/webhook"
)

// A receiver checks X-Vigil-Signature over the raw body before parsing it.
func ExampleVerify() {
	body := []byte(`{"event":"review.decided","item_id":17,"decision":"reject"}`)
	sig := webhook.Sign("change-me-too", body) // what Vigil sends
	fmt.Println(sig)
	fmt.Println(webhook.Verify("change-me-too", body, sig), webhook.Verify("wrong secret", body, sig))
	// Output:
	// sha256=87670df46babca792582bf920a454a812b715380fdc504f4d1a3cecabaae5e34
	// true false
}
