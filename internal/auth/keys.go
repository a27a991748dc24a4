package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/apikey"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/store"
)

// ScopeKeysAdmin lets a key list, create and revoke its company's keys.
const ScopeKeysAdmin = "keys:admin"

// CodeInvalidKey and CodeKeyNotFound are the key-management errors.
const (
	CodeInvalidKey  = "INVALID_API_KEY_DATA"
	CodeKeyNotFound = "API_KEY_NOT_FOUND"
)

// KeyNotFound is the error for a missing (or another company's) key.
func KeyNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeKeyNotFound, fmt.Sprintf("API key with ID '%s' not found", id))
}

// NewKey is a request for a key of the acting company.
type NewKey struct {
	Name      string
	Scopes    []string
	ExpiresAt *time.Time
}

// ListKeys lists the acting company's keys, newest first (secrets are
// never stored, so never shown).
func ListKeys(ctx context.Context) ([]*ent.APIKey, error) {
	return store.Client(ctx).APIKey.Query().Order(ent.Desc(apikey.FieldID)).All(ctx)
}

// CreateKey issues a key for the caller's user in the acting company. A
// key may grant only scopes its creator holds (a keys:admin key with
// customers:read cannot mint a "*" key); the plaintext is returned once.
func CreateKey(ctx context.Context, in NewKey) (string, *ent.APIKey, error) {
	p, ok := FromContext(ctx)
	if !ok {
		return "", nil, apperr.Unauthenticated("Authentication required")
	}
	var d apperr.Details
	in.Name = strings.TrimSpace(in.Name)
	if len([]rune(in.Name)) > 200 {
		d.Add("name", "Must be at most 200 characters")
	}
	if len(in.Scopes) == 0 {
		d.Add("scopes", "At least one scope is required (* for every scope)")
	}
	for i, s := range in.Scopes {
		switch {
		case s != "*" && !slices.Contains(Scopes, s):
			d.Add(fmt.Sprintf("scopes[%d]", i), "Unknown scope %q (known: * %s)", s, strings.Join(Scopes, " "))
		case !p.grants(s):
			d.Add(fmt.Sprintf("scopes[%d]", i), "This key cannot grant %q: a key grants only scopes it holds", s)
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(time.Now()) {
		d.Add("expiresAt", "Must be in the future")
	}
	if err := d.Err(CodeInvalidKey, "API key validation failed"); err != nil {
		return "", nil, err
	}
	var plain string
	k, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.APIKey, error) {
		var k *ent.APIKey
		var err error
		plain, k, err = IssueKey(ctx, c, p.UserID, in.Name, in.Scopes)
		if err == nil && in.ExpiresAt != nil {
			k, err = k.Update().SetExpiresAt(*in.ExpiresAt).Save(ctx)
		}
		return k, err
	})
	return plain, k, err
}

// Revoke revokes one of the acting company's keys (another company's id
// is not found). Revoking is idempotent; the key stops authenticating
// within the key cache's ttl (KeyCheck, 2 s) everywhere, open sockets
// included.
func Revoke(ctx context.Context, id pulid.ID) (*ent.APIKey, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.APIKey, error) {
		k, err := c.APIKey.Query().Where(apikey.ID(id)).ForUpdate().Only(ctx)
		if ent.IsNotFound(err) {
			return nil, KeyNotFound(id)
		}
		if err != nil || k.RevokedAt != nil {
			return k, err
		}
		return k.Update().SetRevokedAt(time.Now()).Save(ctx)
	})
}

// grants reports whether p may give scope to a new key: it holds it, and
// "*" only from "*".
func (p *Principal) grants(scope string) bool {
	if scope == "*" {
		return slices.Contains(p.Scopes, "*")
	}
	return p.Has(scope)
}
