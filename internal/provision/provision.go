// Package provision creates companies: the company row, its owner user,
// its starting data (tax codes) and API keys. It runs as system, before a
// tenant exists.
package provision

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/company"
	"github.com/bigledger/bigledger/ent/user"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/tenant"
	"github.com/shopspring/decimal"
)

// Provisioned is the outcome of EnsureCompanyKey.
type Provisioned struct {
	CompanyID string `json:"companyId"`
	UserID    string `json:"userId"`
	APIKey    string `json:"apiKey"`
	Created   bool   `json:"created"`
}

var slugRe = regexp.MustCompile(`[^a-z0-9]+`)

// FindCompany finds the company named name (the oldest, should two share
// it), as system: companies are found before any tenant acts.
func FindCompany(ctx context.Context, c *ent.Client, name string) (*ent.Company, error) {
	return c.Company.Query().Where(company.Name(strings.TrimSpace(name))).Order(ent.Asc(company.FieldCreatedAt)).First(tenant.AsSystem(ctx))
}

// EnsureCompanyKey finds the company named name (creating it, with an owner
// user, when missing) and issues a new key for its owner. It runs as
// system: provisioning happens before any tenant exists.
func EnsureCompanyKey(ctx context.Context, root *ent.Client, name string, scopes []string) (*Provisioned, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, fmt.Errorf("company name is required")
	}
	if len(scopes) == 0 {
		scopes = []string{"*"}
	}
	if err := auth.ValidateScopes(scopes); err != nil {
		return nil, err
	}
	sys := tenant.AsSystem(ctx)
	tx, err := root.Tx(sys)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	out := &Provisioned{}
	co, err := FindCompany(sys, tx.Client(), name)
	if ent.IsNotFound(err) {
		co, err = tx.Company.Create().SetName(name).Save(sys)
		out.Created = true
	}
	if err != nil {
		return nil, err
	}
	// From here on act as the company itself, so the tenant hooks apply.
	cctx := tenant.WithCompany(ctx, co.ID)
	cctx = ent.NewTxContext(cctx, tx)
	if out.Created {
		if err := startingData(cctx, tx.Client(), co); err != nil {
			return nil, err
		}
	}
	email := "owner@" + strings.Trim(slugRe.ReplaceAllString(strings.ToLower(name), "-"), "-") + ".example"
	u, err := tx.User.Query().Where(user.Email(email)).Only(cctx)
	if ent.IsNotFound(err) {
		u, err = tx.User.Create().SetName(name + " owner").SetEmail(email).SetRole(user.RoleOwner).Save(cctx)
	}
	if err != nil {
		return nil, err
	}
	plain, _, err := auth.IssueKey(cctx, tx.Client(), u.ID, "provisioned", scopes)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	out.CompanyID, out.UserID, out.APIKey = string(co.ID), string(u.ID), plain
	return out, nil
}

// DefaultTaxCodes are the tax codes every company starts with.
var DefaultTaxCodes = []struct {
	Code, Name string
	Rate       decimal.Decimal
}{
	{"SST", "Sales and Service Tax 6%", decimal.NewFromInt(6)},
	{"SST10", "Sales Tax 10%", decimal.NewFromInt(10)},
	{"ZR", "Zero-rated", decimal.Zero},
}

// startingData creates what a new company needs before its first document.
func startingData(ctx context.Context, c *ent.Client, co *ent.Company) error {
	if err := ledger.EnsureChart(ctx, c, co.BaseCurrency); err != nil {
		return err
	}
	for _, tc := range DefaultTaxCodes {
		if err := c.TaxCode.Create().SetCode(tc.Code).SetName(tc.Name).SetRate(tc.Rate).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
