package ledger

import (
	"context"
	"sync"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Process-wide caches of facts that never change once made: a company's
// base currency and timezone (no API changes them) and its system
// accounts (they cannot be deleted, deactivated or lose their role). They
// save every payment several round trips.
var (
	companyFacts   sync.Map // pulid.ID → companyFact
	systemAccounts sync.Map // pulid.ID → map[string]*ent.Account
)

type companyFact struct {
	currency string
	loc      *time.Location
}

func factsOf(ctx context.Context, c *ent.Client) (companyFact, error) {
	cid, err := baseCompany(ctx)
	if err != nil {
		return companyFact{}, err
	}
	if v, ok := companyFacts.Load(cid); ok {
		return v.(companyFact), nil
	}
	co, err := c.Company.Get(ctx, cid)
	if err != nil {
		return companyFact{}, err
	}
	loc, _ := timeLocation(co.Timezone)
	f := companyFact{currency: co.BaseCurrency, loc: loc}
	companyFacts.Store(cid, f)
	return f, nil
}

func cachedSystemAccounts(cid pulid.ID) (map[string]*ent.Account, bool) {
	v, ok := systemAccounts.Load(cid)
	if !ok {
		return nil, false
	}
	return v.(map[string]*ent.Account), true
}
