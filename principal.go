package vigil

import "context"

// Roles a bearer token can carry.
const (
	RoleCMS       = "cms"
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

// Principal is the authenticated caller of an HTTP request.
type Principal struct {
	// Name identifies the caller in audit logs (never the token itself).
	Name string
	Role string
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller stored in ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
