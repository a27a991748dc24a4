// Package auth authenticates API keys and authorizes scopes.
//
// A key looks like "blk_<prefix>_<secret>". The prefix is public and
// indexed; the database stores only SHA-256 of the whole key, compared in
// constant time. A key belongs to one user of one company and carries
// scopes such as "customers:read", "customers:write" or "*".
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/tenant"
)

// Principal is who is calling: a key of a user of a company.
type Principal struct {
	CompanyID pulid.ID
	UserID    pulid.ID
	KeyID     pulid.ID
	Scopes    []string
	// Plan is the company's rate-limit plan ("" for the server's
	// defaults), read with the key.
	Plan string
	// ExpiresAt is the key's expiry, if it has one.
	ExpiresAt *time.Time
}

type principalKey struct{}

// WithPrincipal returns ctx acting as p, including p's company as tenant.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	ctx = context.WithValue(ctx, principalKey{}, p)
	return tenant.WithCompany(ctx, p.CompanyID)
}

// FromContext returns the caller, if authenticated.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok
}

// Scopes grantable to keys. "<resource>:write" implies "<resource>:read";
// "*" grants everything.
var Scopes = []string{"customers:read", "customers:write", "items:read", "items:write", "invoices:read", "invoices:write",
	"quotes:read", "quotes:write", "sales_orders:read", "sales_orders:write", "payments:read", "payments:write",
	"ledger:read", "ledger:write", "webhooks:read", "webhooks:write", ScopeKeysAdmin}

// Has reports whether p holds scope.
func (p *Principal) Has(scope string) bool {
	for _, s := range p.Scopes {
		if s == "*" || s == scope {
			return true
		}
		if res, ok := strings.CutSuffix(scope, ":read"); ok && s == res+":write" {
			return true
		}
	}
	return false
}

// Require returns PERMISSION_DENIED unless the caller holds scope.
func Require(ctx context.Context, scope string) error {
	p, ok := FromContext(ctx)
	if !ok {
		return apperr.Unauthenticated("Authentication required")
	}
	if !p.Has(scope) {
		return apperr.PermissionDenied(fmt.Sprintf("This API key lacks the %q scope", scope))
	}
	return nil
}

// ValidateScopes checks requested scopes against the known ones.
func ValidateScopes(scopes []string) error {
	for _, s := range scopes {
		if s == "*" || slices.Contains(Scopes, s) {
			continue
		}
		return fmt.Errorf("unknown scope %q (known: * %s)", s, strings.Join(Scopes, " "))
	}
	return nil
}

const keyPrefix = "blk_"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(b32.EncodeToString(b))
}

func hashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// splitKey returns the public prefix of a presented key.
func splitKey(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, keyPrefix)
	if !ok {
		return "", false
	}
	prefix, secret, ok := strings.Cut(rest, "_")
	if !ok || len(prefix) != 12 || len(secret) < 32 {
		return "", false
	}
	return prefix, true
}

// IssueKey creates a key for user in the acting company and returns the
// plaintext, which is never stored and cannot be shown again.
func IssueKey(ctx context.Context, c *ent.Client, userID pulid.ID, name string, scopes []string) (string, *ent.APIKey, error) {
	if err := ValidateScopes(scopes); err != nil {
		return "", nil, err
	}
	prefix := randomToken(8)[:12]
	plain := keyPrefix + prefix + "_" + randomToken(32)
	k, err := c.APIKey.Create().
		SetName(name).
		SetPrefix(prefix).
		SetSecretHash(hashKey(plain)).
		SetScopes(scopes).
		SetUserID(userID).
		Save(ctx)
	if err != nil {
		return "", nil, err
	}
	return plain, k, nil
}

// authenticate looks the key up and checks its secret, revocation and
// expiry; it returns the key's expiry for KeyCache to remember. Every
// failure answers the same AUTHENTICATION_FAILED so a caller cannot tell
// a wrong key from a wrong company.
func authenticate(ctx context.Context, c *ent.Client, bearer string) (*Principal, *time.Time, error) {
	fail := apperr.Unauthenticated("Invalid API key or company")
	prefix, ok := splitKey(bearer)
	if !ok {
		return nil, nil, fail
	}
	// One statement: the key and its company's plan.
	rows, err := c.QueryContext(tenant.AsSystem(ctx), `
		SELECT k.id, k.company_id, k.user_id, k.scopes, k.secret_hash, k.revoked_at, k.expires_at, c.plan
		FROM api_keys k JOIN companies c ON c.id = k.company_id
		WHERE k.prefix = $1`, prefix)
	if err != nil {
		return nil, nil, apperr.Internal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, nil, apperr.Internal(err)
		}
		// Spend the same hashing work as a found key.
		subtle.ConstantTimeCompare(hashKey(bearer), make([]byte, sha256.Size))
		return nil, nil, fail
	}
	var (
		p                  Principal
		scopes, hash       []byte
		revoked, expiresAt sql.NullTime
		plan               sql.NullString
	)
	if err := rows.Scan(&p.KeyID, &p.CompanyID, &p.UserID, &scopes, &hash, &revoked, &expiresAt, &plan); err != nil {
		return nil, nil, apperr.Internal(err)
	}
	if err := json.Unmarshal(scopes, &p.Scopes); err != nil {
		return nil, nil, apperr.Internal(err)
	}
	if subtle.ConstantTimeCompare(hashKey(bearer), hash) != 1 {
		return nil, nil, fail
	}
	now := time.Now()
	if expiresAt.Valid {
		p.ExpiresAt = &expiresAt.Time
	}
	if revoked.Valid || (p.ExpiresAt != nil && now.After(*p.ExpiresAt)) {
		return nil, nil, fail
	}
	p.Plan = plan.String
	return &p, p.ExpiresAt, nil
}
