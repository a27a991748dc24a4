package rest

import (
	"net/http"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/graph/model"
	"github.com/bigledger/bigledger/internal/auth"
)

// apiKeyV1 is an API key as REST shows it (never its secret, except once
// in the answer that creates it).
type apiKeyV1 struct {
	ID         pulid.ID   `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
	ExpiresAt  *time.Time `json:"expiresAt"`
	RevokedAt  *time.Time `json:"revokedAt"`
	Secret     string     `json:"secret,omitempty"`
}

func toAPIKeyV1(k *ent.APIKey) apiKeyV1 {
	return apiKeyV1{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: k.Scopes, CreatedAt: k.CreatedAt,
		LastUsedAt: k.LastUsedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt}
}

// listAPIKeys answers GET /api/v1/api-keys.
func (a *API) listAPIKeys(r *http.Request) (result, error) {
	keys, err := a.query().APIKeys(r.Context())
	if err != nil {
		return result{}, err
	}
	out := make([]apiKeyV1, len(keys))
	for i, k := range keys {
		out[i] = toAPIKeyV1(k)
	}
	return result{status: http.StatusOK, data: out}, nil
}

// apiKeyRequest is POST /api/v1/api-keys's body.
type apiKeyRequest struct {
	Name      *string    `json:"name"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expiresAt"`
}

// createAPIKey answers POST /api/v1/api-keys {name, scopes, expiresAt}.
func (a *API) createAPIKey(r *http.Request) (result, error) {
	var body apiKeyRequest
	if _, err := decodeBody(r, &body, auth.CodeInvalidKey, "API key validation failed"); err != nil {
		return result{}, err
	}
	p, err := a.mutation().CreateAPIKey(r.Context(), model.CreateAPIKeyInput{Name: body.Name, Scopes: body.Scopes, ExpiresAt: body.ExpiresAt})
	if err != nil {
		return result{}, err
	}
	out := toAPIKeyV1(p.APIKey)
	out.Secret = p.Secret
	return result{status: http.StatusCreated, data: out, message: "Store the secret now: it is not shown again"}, nil
}

// revokeAPIKey answers DELETE /api/v1/api-keys/{id}.
func (a *API) revokeAPIKey(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "key", auth.KeyNotFound)
	if err != nil {
		return result{}, err
	}
	k, err := a.mutation().RevokeAPIKey(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toAPIKeyV1(k), message: "API key revoked"}, nil
}
