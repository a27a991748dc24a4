package auth

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
)

// KeyCache is how every request, websocket and stream authenticates: it
// checks a key against api_keys and remembers a key that authenticated
// for ttl, so a busy client costs one lookup per ttl instead of one per
// request, and it batches lastUsedAt writes (Run) instead of writing from
// the request path. A revoked or expired key stops working within ttl on
// every instance.
type KeyCache struct {
	client *ent.Client
	ttl    time.Duration

	mu      sync.Mutex
	entries map[[sha256.Size]byte]cachedKey
	used    map[pulid.ID]time.Time
}

type cachedKey struct {
	p       Principal
	until   time.Time // cache entry valid until
	expires *time.Time
}

// maxCachedKeys bounds the cache; past it, entries are dropped wholesale
// (they are refetched on next use).
const maxCachedKeys = 10000

// NewKeyCache returns a cache over c. A ttl of 0 disables caching.
func NewKeyCache(c *ent.Client, ttl time.Duration) *KeyCache {
	return &KeyCache{client: c, ttl: ttl, entries: map[[sha256.Size]byte]cachedKey{}, used: map[pulid.ID]time.Time{}}
}

// Authenticate checks bearer and the company it claims to act for (empty:
// the key's own company, as DESIGN §3 makes X-Company-Id optional).
func (kc *KeyCache) Authenticate(ctx context.Context, bearer, companyID string) (*Principal, error) {
	if bearer == "" {
		return nil, apperr.Unauthenticated("Missing API key: send Authorization: Bearer <key>")
	}
	h := sha256.Sum256([]byte(bearer))
	now := time.Now()
	kc.mu.Lock()
	e, ok := kc.entries[h]
	kc.mu.Unlock()
	if !ok || now.After(e.until) {
		p, exp, err := authenticate(ctx, kc.client, bearer)
		if err != nil {
			return nil, err
		}
		e = cachedKey{p: *p, until: now.Add(kc.ttl), expires: exp}
		if kc.ttl > 0 {
			kc.mu.Lock()
			if len(kc.entries) >= maxCachedKeys {
				clear(kc.entries)
			}
			kc.entries[h] = e
			kc.mu.Unlock()
		}
	}
	if e.expires != nil && now.After(*e.expires) {
		return nil, apperr.Unauthenticated("Invalid API key or company")
	}
	if companyID != "" && companyID != string(e.p.CompanyID) {
		return nil, apperr.Unauthenticated("Invalid API key or company")
	}
	kc.mu.Lock()
	kc.used[e.p.KeyID] = now
	kc.mu.Unlock()
	p := e.p
	return &p, nil
}

// Run writes the keys' lastUsedAt every interval (one statement for all
// keys used since the last write) until ctx ends, then once more.
func (kc *KeyCache) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			kc.Flush(context.WithoutCancel(ctx))
			return
		case <-t.C:
			kc.Flush(ctx)
		}
	}
}

// Flush writes the pending lastUsedAt values.
func (kc *KeyCache) Flush(ctx context.Context) {
	kc.mu.Lock()
	used := kc.used
	kc.used = map[pulid.ID]time.Time{}
	kc.mu.Unlock()
	if len(used) == 0 {
		return
	}
	ids := make([]string, 0, len(used))
	ats := make([]string, 0, len(used))
	for id, at := range used {
		ids = append(ids, string(id))
		ats = append(ats, at.UTC().Format(time.RFC3339Nano))
	}
	_, _ = kc.client.ExecContext(ctx, `
		UPDATE api_keys k SET last_used_at = u.at
		FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
		WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
		pq.Array(ids), pq.Array(ats))
}
