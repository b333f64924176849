package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/httpjson"
)

// Tokens are the bearer tokens accepted per role. An entry is either a bare
// token, whose caller is named after the role and a short hash of the token
// ("cms-1a2b3c4d"), or "name:token", whose caller is named name (what audit
// logs show).
type Tokens struct {
	CMS       []string `yaml:"cms"`
	Moderator []string `yaml:"moderator"`
	Admin     []string `yaml:"admin"`
}

// Empty reports whether no token is configured for any role.
func (t Tokens) Empty() bool {
	return len(t.CMS) == 0 && len(t.Moderator) == 0 && len(t.Admin) == 0
}

// Auth checks bearer tokens. It stores only SHA-256 digests of the tokens
// and compares a presented token's digest against every one of them in
// constant time, so neither the match nor its position leaks through
// timing. It is safe for concurrent use.
type Auth struct {
	digests    [][sha256.Size]byte
	bindings   []string // TokenBinding of each token
	principals []vigil.Principal
}

// AnonymousPrincipal is the caller of every request when no token is
// configured at all (a server on a loopback address only; see Server.Open).
var AnonymousPrincipal = vigil.Principal{Name: "anonymous", Role: vigil.RoleAdmin}

// NewAuth builds an Auth from t. It fails on an empty token, a token given
// twice, or a "name:" entry without a token.
func NewAuth(t Tokens) (*Auth, error) {
	a := &Auth{}
	seen := map[[sha256.Size]byte]bool{}
	for _, g := range []struct {
		role   string
		tokens []string
	}{{vigil.RoleCMS, t.CMS}, {vigil.RoleModerator, t.Moderator}, {vigil.RoleAdmin, t.Admin}} {
		for i, entry := range g.tokens {
			name, token, named := strings.Cut(strings.TrimSpace(entry), ":")
			if !named {
				token, name = name, ""
			}
			if token == "" {
				return nil, vigil.Errorf(vigil.EINVALID, "%s token %d is empty", g.role, i+1)
			}
			d := sha256.Sum256([]byte(token))
			if seen[d] {
				return nil, vigil.Errorf(vigil.EINVALID, "%s token %d is configured twice", g.role, i+1)
			}
			seen[d] = true
			if name == "" {
				name = fmt.Sprintf("%s-%s", g.role, hex.EncodeToString(d[:4]))
			}
			a.digests = append(a.digests, d)
			a.bindings = append(a.bindings, bindingOf(d))
			a.principals = append(a.principals, vigil.Principal{Name: name, Role: g.role})
		}
	}
	return a, nil
}

// Open reports whether no token is configured, so that every request is
// let in as AnonymousPrincipal.
func (a *Auth) Open() bool { return len(a.digests) == 0 }

// Authenticate returns the caller a token belongs to. The moderators' page
// uses it to log moderators in with their token.
func (a *Auth) Authenticate(token string) (vigil.Principal, bool) {
	if token == "" {
		return vigil.Principal{}, false
	}
	d := sha256.Sum256([]byte(token))
	found := 0
	idx := 0
	for i := range a.digests {
		eq := subtle.ConstantTimeCompare(d[:], a.digests[i][:])
		idx = subtle.ConstantTimeSelect(eq, i, idx)
		found |= eq
	}
	if found == 0 {
		return vigil.Principal{}, false
	}
	return a.principals[idx], true
}

// TokenBinding names a token without revealing it: the hex SHA-256 of its
// SHA-256 digest. A moderator's page session records the binding of the
// token it was made with (see Holds).
func TokenBinding(token string) string { return bindingOf(sha256.Sum256([]byte(token))) }

func bindingOf(digest [sha256.Size]byte) string {
	b := sha256.Sum256(digest[:])
	return hex.EncodeToString(b[:])
}

// Holds reports whether the token named by binding (see TokenBinding) is
// still configured, for p: false once that token is removed or rotated
// (the same name with a new token), so a session made with it ends.
func (a *Auth) Holds(p vigil.Principal, binding string) bool {
	found := 0
	for i := range a.bindings {
		eq := subtle.ConstantTimeCompare([]byte(binding), []byte(a.bindings[i]))
		if a.principals[i] != p {
			eq = 0
		}
		found |= eq
	}
	return found == 1
}

// Known reports whether p (name and role) belongs to a configured token.
func (a *Auth) Known(p vigil.Principal) bool {
	return slices.Contains(a.principals, p)
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// Require returns middleware that lets a request through only with a bearer
// token of one of roles (admin is always allowed), and puts its caller into
// the request context (vigil.PrincipalFrom). A missing or unknown token is
// answered 401, a known token of another role 403 (its caller is named in
// the request log).
func (a *Auth) Require(onReject func(reason string), roles ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := a.principal(r, roles)
			if p.Name != "" {
				NoteCaller(r.Context(), p.Name)
			}
			if err != nil {
				if onReject != nil {
					onReject(vigil.ErrorCode(err))
				}
				httpjson.Error(w, r, nil, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(vigil.WithPrincipal(r.Context(), p)))
		})
	}
}

func (a *Auth) principal(r *http.Request, roles []string) (vigil.Principal, error) {
	if a.Open() {
		return AnonymousPrincipal, nil
	}
	token, _ := bearer(r)
	return a.check(token, r.URL.Path, roles)
}

// check resolves a caller's token on a closed server: a missing or unknown
// token is EUNAUTHORIZED (with no principal), a known token whose role is
// not in roles (admin always is) EFORBIDDEN with its principal, so the
// caller can be named. what names the thing asked for in that message.
func (a *Auth) check(token, what string, roles []string) (vigil.Principal, error) {
	if token == "" {
		return vigil.Principal{}, vigil.Errorf(vigil.EUNAUTHORIZED, "missing bearer token (Authorization: Bearer <token>)")
	}
	p, ok := a.Authenticate(token)
	if !ok {
		return vigil.Principal{}, vigil.Errorf(vigil.EUNAUTHORIZED, "unknown bearer token")
	}
	if p.Role != vigil.RoleAdmin && !slices.Contains(roles, p.Role) {
		return p, vigil.Errorf(vigil.EFORBIDDEN, "role %s may not use %s", p.Role, what)
	}
	return p, nil
}
