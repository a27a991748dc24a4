package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/privacy"

	"github.com/bigledger/bigledger/internal/tenant"
)

// companyCreateRule allows creating companies only outside a tenant
// (bootstrap and provisioning run as system).
type companyCreateRule struct{}

// EvalMutation implements privacy.MutationRule.
func (companyCreateRule) EvalMutation(ctx context.Context, m ent.Mutation) error {
	if !m.Op().Is(ent.OpCreate) {
		return privacy.Skip
	}
	if tenant.IsSystem(ctx) {
		return privacy.Allow
	}
	return privacy.Denyf("companies are created by provisioning only")
}
