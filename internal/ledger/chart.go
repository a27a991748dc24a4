package ledger

import (
	"context"

	"github.com/bigledger/bigledger/internal/tenant"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/account"
)

// System roles the posting rules rely on.
const (
	RoleCash                 = "cash"
	RoleBank                 = "bank"
	RoleAccountsReceivable   = "accounts_receivable"
	RoleTaxPayable           = "tax_payable"
	RoleCustomerCredits      = "customer_credits"
	RoleOpeningBalanceEquity = "opening_balance_equity"
	RoleRetainedEarnings     = "retained_earnings"
	RoleSales                = "sales"
	RoleShippingIncome       = "shipping_income"
	RoleSalesDiscounts       = "sales_discounts"
)

type chartAccount struct {
	code, name, role, subtype string
	typ                       account.Type
	normal                    account.NormalBalance
	reconcilable              bool
}

// StandardChart is every company's starting chart of accounts.
var StandardChart = []chartAccount{
	{"1000", "Cash", RoleCash, "current_asset", account.TypeAsset, account.NormalBalanceDebit, true},
	{"1010", "Bank", RoleBank, "current_asset", account.TypeAsset, account.NormalBalanceDebit, true},
	{"1100", "Accounts Receivable", RoleAccountsReceivable, "current_asset", account.TypeAsset, account.NormalBalanceDebit, false},
	{"2100", "Tax Payable", RoleTaxPayable, "current_liability", account.TypeLiability, account.NormalBalanceCredit, false},
	{"2200", "Customer Credits", RoleCustomerCredits, "current_liability", account.TypeLiability, account.NormalBalanceCredit, false},
	{"3000", "Opening Balance Equity", RoleOpeningBalanceEquity, "equity", account.TypeEquity, account.NormalBalanceCredit, false},
	{"3100", "Retained Earnings", RoleRetainedEarnings, "equity", account.TypeEquity, account.NormalBalanceCredit, false},
	{"4000", "Sales", RoleSales, "operating_income", account.TypeIncome, account.NormalBalanceCredit, false},
	{"4100", "Shipping Income", RoleShippingIncome, "operating_income", account.TypeIncome, account.NormalBalanceCredit, false},
	{"4200", "Sales Discounts", RoleSalesDiscounts, "contra_income", account.TypeIncome, account.NormalBalanceDebit, false},
}

// EnsureChart creates the standard system accounts a company lacks (new
// companies get them at provisioning; companies created before the ledger
// existed get them on first posting). c must be transactional.
func EnsureChart(ctx context.Context, c *ent.Client, currency string) error {
	have, err := c.Account.Query().Where(account.SystemRoleNotNil()).All(ctx)
	if err != nil {
		return err
	}
	got := map[string]bool{}
	for _, a := range have {
		got[*a.SystemRole] = true
	}
	for _, a := range StandardChart {
		if got[a.role] {
			continue
		}
		err := c.Account.Create().SetCode(a.code).SetName(a.name).SetType(a.typ).SetSubtype(a.subtype).
			SetNormalBalance(a.normal).SetReconcilable(a.reconcilable).SetSystemRole(a.role).SetCurrency(currency).
			OnConflictColumns(account.FieldCompanyID, account.FieldSystemRole).DoNothing().Exec(ctx)
		if err != nil && !isNoRows(err) {
			return err
		}
		// Accounts made in this transaction may yet roll back: keep them
		// out of the process cache (see SystemAccounts).
		tenant.MarkVisible(ctx, chartCreatedMarker)
	}
	return nil
}

// SystemAccounts returns the acting company's system accounts by role,
// creating the standard chart first when any is missing.
func SystemAccounts(ctx context.Context, c *ent.Client) (map[string]*ent.Account, error) {
	cid, err := baseCompany(ctx)
	if err != nil {
		return nil, err
	}
	if m, ok := cachedSystemAccounts(cid); ok {
		return m, nil
	}
	load := func() (map[string]*ent.Account, error) {
		list, err := c.Account.Query().Where(account.SystemRoleNotNil()).All(ctx)
		if err != nil {
			return nil, err
		}
		out := make(map[string]*ent.Account, len(list))
		for _, a := range list {
			out[*a.SystemRole] = a
		}
		return out, nil
	}
	m, err := load()
	if err != nil {
		return nil, err
	}
	if len(m) < len(StandardChart) {
		cur, err := baseCurrency(ctx, c)
		if err != nil {
			return nil, err
		}
		if err := EnsureChart(ctx, c, cur); err != nil {
			return nil, err
		}
		// Created in this (uncommitted) transaction: not cached yet.
		return load()
	}
	if !tenant.KnownVisible(ctx, chartCreatedMarker) {
		cached := make(map[string]*ent.Account, len(m))
		for role, a := range m {
			// Detached copies: a cached entity must not pin the
			// transaction that loaded it.
			cached[role] = &ent.Account{ID: a.ID, Code: a.Code, Name: a.Name, Type: a.Type, NormalBalance: a.NormalBalance,
				Currency: a.Currency, Active: a.Active, SystemRole: a.SystemRole, CompanyID: a.CompanyID}
		}
		systemAccounts.Store(cid, cached)
	}
	return m, nil
}

// chartCreatedMarker flags, in a transaction's visibility cache, that the
// transaction created system accounts.
const chartCreatedMarker = "ledger:chart-created"
