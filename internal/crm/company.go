package crm

import (
	"context"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/company"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/ratelimit"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// CodeInvalidCompany is the validation code of company updates.
const CodeInvalidCompany = "VALIDATION_ERROR"

// CurrentCompany loads the caller's company.
func CurrentCompany(ctx context.Context) (*ent.Company, error) {
	id, ok := tenant.CompanyID(ctx)
	if !ok {
		return nil, apperr.Unauthenticated("No company")
	}
	return store.Client(ctx).Company.Get(ctx, id)
}

// CompanyPatch changes the caller's company: a nil field is kept. Plan ""
// (or "default") clears the plan: the server's default limits apply.
type CompanyPatch struct {
	Name         *string
	Timezone     *string
	BaseCurrency *string
	Plan         *string
}

// UpdateCompany applies p to the caller's company in one statement.
func UpdateCompany(ctx context.Context, p CompanyPatch) (*ent.Company, error) {
	co, err := CurrentCompany(ctx)
	if err != nil {
		return nil, err
	}
	var d apperr.Details
	if p.Name != nil {
		*p.Name = strings.TrimSpace(*p.Name)
		if *p.Name == "" {
			d.Add("name", "Name is required")
		}
		checkLen(&d, "name", p.Name, 200)
	}
	if p.Timezone != nil {
		if _, err := time.LoadLocation(*p.Timezone); err != nil || *p.Timezone == "" || len(*p.Timezone) > 64 {
			d.Add("timezone", "Unknown time zone %q: use an IANA name such as Asia/Kuala_Lumpur", *p.Timezone)
		}
	}
	if p.BaseCurrency != nil && !strings.EqualFold(*p.BaseCurrency, co.BaseCurrency) {
		d.Add("baseCurrency", "The base currency cannot change: the ledger is kept in %s", co.BaseCurrency)
	}
	var plan *company.Plan
	clearPlan := false
	if p.Plan != nil {
		switch v := strings.ToLower(strings.TrimSpace(*p.Plan)); v {
		case "", "default":
			clearPlan = true
		default:
			if _, err := ratelimit.Lookup(v); err != nil {
				d.Add("plan", "%s", err.Error())
			} else {
				pl := company.Plan(v)
				plan = &pl
			}
		}
	}
	if len(d) > 0 {
		return nil, d.Err(CodeInvalidCompany, "Invalid company data")
	}
	u := store.Client(ctx).Company.UpdateOneID(co.ID).SetNillableName(p.Name).SetNillableTimezone(p.Timezone).SetNillablePlan(plan)
	if clearPlan {
		u.ClearPlan()
	}
	out, err := u.Save(ctx)
	if err == nil && p.Timezone != nil {
		// "Today" of documents follows the new zone at once.
		sales.ForgetLocation(out.ID)
	}
	return out, err
}
