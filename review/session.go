package review

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// Session is a logged-in moderator of the web page.
type Session struct {
	Principal vigil.Principal
	// CSRF must accompany every state change the page makes.
	CSRF    string
	Expires time.Time
	// Binding names the bearer token the moderator logged in with
	// (HandlerOptions.Binding); empty for sessions made before bindings.
	Binding string
}

// ValidCSRF reports whether token is the session's CSRF token, in constant time.
func (s *Session) ValidCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRF)) == 1
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateSession starts a web session for p lasting ttl, bound to the token
// p logged in with (its binding, see HandlerOptions.Binding), and returns its
// secret token (for the cookie). Only a hash of the token is stored, so a
// copy of the database does not give away live sessions. Sessions live in
// the database so that every server sharing it accepts them.
func (s *Store) CreateSession(ctx context.Context, p vigil.Principal, binding string, ttl time.Duration) (token string, sess *Session, err error) {
	if err := canWork(p); err != nil {
		return "", nil, err
	}
	token = randomToken()
	sess = &Session{Principal: p, CSRF: randomToken(), Expires: s.now().Add(ttl).UTC().Truncate(time.Microsecond), Binding: binding}
	_, err = s.db.ExecContext(ctx, s.q(`INSERT INTO review_sessions (token_hash, name, role, csrf, expires_at, token_binding) VALUES (?, ?, ?, ?, ?, ?)`),
		tokenHash(token), p.Name, p.Role, sess.CSRF, micros(sess.Expires), binding)
	if err != nil {
		return "", nil, fmt.Errorf("review: create session: %w", err)
	}
	return token, sess, nil
}

// Session returns the live session of token, or an EUNAUTHORIZED error.
func (s *Store) Session(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 128 {
		return nil, vigil.Errorf(vigil.EUNAUTHORIZED, "not logged in")
	}
	var (
		sess    Session
		expires int64
	)
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT name, role, csrf, expires_at, token_binding FROM review_sessions WHERE token_hash = ?`), tokenHash(token)).
		Scan(&sess.Principal.Name, &sess.Principal.Role, &sess.CSRF, &expires, &sess.Binding)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigil.Errorf(vigil.EUNAUTHORIZED, "session expired or unknown: log in again")
	} else if err != nil {
		return nil, fmt.Errorf("review: session: %w", err)
	}
	sess.Expires = fromMicros(expires)
	if !sess.Expires.After(s.now()) {
		return nil, vigil.Errorf(vigil.EUNAUTHORIZED, "session expired: log in again")
	}
	return &sess, nil
}

// DeleteSession ends the session of token (logout). Unknown tokens are fine.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM review_sessions WHERE token_hash = ?`), tokenHash(token)); err != nil {
		return fmt.Errorf("review: delete session: %w", err)
	}
	return nil
}
