package ledger

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/account"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/ledgerentry"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/money"
	"github.com/bigledger/bigledger/internal/reqcache"
	"github.com/bigledger/bigledger/internal/store"
)

// Error codes of the account workflows.
const (
	CodeInvalidAccount  = "INVALID_ACCOUNT_DATA"
	CodeAccountNotFound = "ACCOUNT_NOT_FOUND"
	CodeAccountInUse    = "ACCOUNT_IN_USE"
	accountValidation   = "Account validation failed"
)

// AccountNotFound is the error for a missing (or another company's) account.
func AccountNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeAccountNotFound, fmt.Sprintf("Account with ID '%s' not found", id))
}

var codeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.\-]{0,19}$`)

// AccountInput creates an account (seed 004 Create Account).
type AccountInput struct {
	Code           string
	Name           string
	Type           account.Type
	Subtype        *string
	Currency       *string
	NormalBalance  *account.NormalBalance
	Description    *string
	Reconcilable   *bool
	OpeningBalance *decimal.Decimal
	OpeningDate    *types.Date
}

// AccountUpdate edits an account; code and type are fixed once it has entries.
type AccountUpdate struct {
	Code         *string
	Name         *string
	Subtype      *string
	Description  *string
	Active       *bool
	Reconcilable *bool
}

// naturalBalance is an account type's usual side.
func naturalBalance(t account.Type) account.NormalBalance {
	switch t {
	case account.TypeAsset, account.TypeExpense:
		return account.NormalBalanceDebit
	default:
		return account.NormalBalanceCredit
	}
}

// CreateAccount adds an account to the chart; an opening balance is posted
// against Opening Balance Equity in the same transaction.
func CreateAccount(ctx context.Context, in AccountInput) (*ent.Account, error) {
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	var d apperr.Details
	if !codeRe.MatchString(in.Code) {
		d.Add("code", "1–20 letters, digits, dots or dashes")
	}
	if in.Name == "" || len([]rune(in.Name)) > 200 {
		d.Add("name", "Required, at most 200 characters")
	}
	if account.TypeValidator(in.Type) != nil {
		d.Add("type", "Must be asset, liability, equity, income or expense")
	}
	if in.NormalBalance != nil && account.NormalBalanceValidator(*in.NormalBalance) != nil {
		d.Add("normalBalance", "Must be debit or credit")
	}
	if in.Currency != nil && !money.IsCurrency(strings.ToUpper(*in.Currency)) {
		d.Add("currency", "Must be an ISO 4217 currency code such as MYR or USD")
	}
	if in.OpeningBalance != nil && !in.OpeningBalance.Equal(in.OpeningBalance.Truncate(2)) {
		d.Add("openingBalance", "At most 2 decimal places")
	}
	if err := d.Err(CodeInvalidAccount, accountValidation); err != nil {
		return nil, err
	}
	nb := naturalBalance(in.Type)
	if in.NormalBalance != nil {
		nb = *in.NormalBalance
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Account, error) {
		base, err := baseCurrency(ctx, c)
		if err != nil {
			return nil, err
		}
		cur := base
		if in.Currency != nil {
			cur = strings.ToUpper(*in.Currency)
		}
		a, err := c.Account.Create().SetCode(in.Code).SetName(in.Name).SetType(in.Type).SetNillableSubtype(in.Subtype).
			SetCurrency(cur).SetNormalBalance(nb).SetNillableDescription(in.Description).SetNillableReconcilable(in.Reconcilable).Save(ctx)
		if err != nil {
			if ae := apperr.From(err); ae.Kind == apperr.KindConflict {
				return nil, apperr.Validation(CodeInvalidAccount, accountValidation, apperr.Detail{Field: "code", Message: "An account with this code already exists"})
			}
			return nil, err
		}
		if err := events.Emit(ctx, events.AccountCreated, a.ID, events.AccountPayload(a)); err != nil {
			return nil, err
		}
		if in.OpeningBalance != nil && !in.OpeningBalance.IsZero() {
			accts, err := SystemAccounts(ctx, c)
			if err != nil {
				return nil, err
			}
			date, err := paymentDate(ctx, c, in.OpeningDate)
			if err != nil {
				return nil, err
			}
			amt := in.OpeningBalance.Abs()
			own, equity := Line{AccountID: a.ID}, Line{AccountID: accts[RoleOpeningBalanceEquity].ID}
			// A positive opening balance sits on the account's normal side.
			if (nb == account.NormalBalanceDebit) == in.OpeningBalance.IsPositive() {
				own.Debit, equity.Credit = amt, amt
			} else {
				own.Credit, equity.Debit = amt, amt
			}
			if _, err := Post(ctx, c, Entry{Date: date, Description: "Opening balance of " + a.Code, Source: journalentry.SourceTypeOpeningBalance,
				SourceID: &a.ID, Lines: []Line{own, equity}}); err != nil {
				return nil, err
			}
		}
		return a, nil
	})
}

// UpdateAccount edits an account.
func UpdateAccount(ctx context.Context, id pulid.ID, in AccountUpdate) (*ent.Account, error) {
	var d apperr.Details
	if in.Code != nil && !codeRe.MatchString(strings.TrimSpace(*in.Code)) {
		d.Add("code", "1–20 letters, digits, dots or dashes")
	}
	if in.Name != nil && (strings.TrimSpace(*in.Name) == "" || len([]rune(*in.Name)) > 200) {
		d.Add("name", "Required, at most 200 characters")
	}
	if err := d.Err(CodeInvalidAccount, accountValidation); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Account, error) {
		a, err := c.Account.Query().Where(account.ID(id)).ForUpdate().Only(ctx)
		if ent.IsNotFound(err) {
			return nil, AccountNotFound(id)
		}
		if err != nil {
			return nil, err
		}
		if a.SystemRole != nil && in.Active != nil && !*in.Active {
			return nil, apperr.InvalidState(CodeAccountInUse, fmt.Sprintf("Account %s is a system account and cannot be deactivated", a.Code))
		}
		upd := c.Account.UpdateOne(a).SetNillableSubtype(in.Subtype).SetNillableDescription(in.Description).
			SetNillableActive(in.Active).SetNillableReconcilable(in.Reconcilable)
		if in.Code != nil {
			upd.SetCode(strings.TrimSpace(*in.Code))
		}
		if in.Name != nil {
			upd.SetName(strings.TrimSpace(*in.Name))
		}
		out, err := upd.Save(ctx)
		if ae := apperr.From(err); err != nil && ae.Kind == apperr.KindConflict {
			return nil, apperr.Validation(CodeInvalidAccount, accountValidation, apperr.Detail{Field: "code", Message: "An account with this code already exists"})
		}
		if err != nil {
			return nil, err
		}
		return out, events.Emit(ctx, events.AccountUpdated, out.ID, events.AccountPayload(out))
	})
}

// DeleteAccount removes an account that is not a system account and has
// never been posted to.
func DeleteAccount(ctx context.Context, id pulid.ID) (pulid.ID, error) {
	_, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (store.Done, error) {
		a, err := c.Account.Query().Where(account.ID(id)).ForUpdate().Only(ctx)
		if ent.IsNotFound(err) {
			return store.Done{}, AccountNotFound(id)
		}
		if err != nil {
			return store.Done{}, err
		}
		if a.SystemRole != nil {
			return store.Done{}, apperr.InvalidState(CodeAccountInUse, fmt.Sprintf("Account %s is a system account", a.Code))
		}
		used, err := c.LedgerEntry.Query().Where(ledgerentry.AccountID(id)).Exist(ctx)
		if err != nil {
			return store.Done{}, err
		}
		if used {
			return store.Done{}, apperr.InvalidState(CodeAccountInUse, fmt.Sprintf("Account %s has entries; deactivate it instead", a.Code))
		}
		if err := c.Account.DeleteOne(a).Exec(ctx); err != nil {
			return store.Done{}, err
		}
		return store.Done{}, events.Emit(ctx, events.AccountDeleted, a.ID, events.AccountPayload(a))
	})
	return id, err
}

// Balances returns the balance of every account of the acting company on
// its normal side (debit − credit for debit accounts, the reverse for
// credit ones), from the ledger lines, in one statement. asOf, when set,
// counts only lines dated on or before it.
func Balances(ctx context.Context, asOf *types.Date) (map[pulid.ID]decimal.Decimal, error) {
	c := store.Client(ctx)
	cid, err := baseCompany(ctx)
	if err != nil {
		return nil, err
	}
	q := `SELECT a.id, a.normal_balance, COALESCE(SUM(l.debit), 0)::text, COALESCE(SUM(l.credit), 0)::text
		FROM accounts a LEFT JOIN ledger_entries l ON l.account_id = a.id`
	args := []any{string(cid)}
	if asOf != nil {
		q += ` AND l.date <= $2`
		args = append(args, asOf.String())
	}
	q += ` WHERE a.company_id = $1 GROUP BY a.id`
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[pulid.ID]decimal.Decimal{}
	for rows.Next() {
		var id, nb, dr, cr string
		if err := rows.Scan(&id, &nb, &dr, &cr); err != nil {
			return nil, err
		}
		debit, credit := decimal.RequireFromString(dr), decimal.RequireFromString(cr)
		if nb == string(account.NormalBalanceDebit) {
			out[pulid.ID(id)] = debit.Sub(credit)
		} else {
			out[pulid.ID(id)] = credit.Sub(debit)
		}
	}
	return out, rows.Err()
}

// GetAccount loads one account.
func GetAccount(ctx context.Context, id pulid.ID) (*ent.Account, error) {
	a, err := store.Client(ctx).Account.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, AccountNotFound(id)
	}
	return a, err
}

// Accounts starts an account query; search matches code and name.
func Accounts(ctx context.Context, search string) *ent.AccountQuery {
	return FilterAccounts(ctx, AccountFilter{Search: search})
}

// AccountFilter narrows the chart (seed 004 AccountFilter).
type AccountFilter struct {
	Search string
	Type   *account.Type
	Active *bool
}

// FilterAccounts starts an account query for the acting company with f
// applied.
func FilterAccounts(ctx context.Context, f AccountFilter) *ent.AccountQuery {
	q := store.Client(ctx).Account.Query()
	if s := strings.TrimSpace(f.Search); s != "" {
		q = q.Where(account.Or(account.CodeContainsFold(s), account.NameContainsFold(s)))
	}
	if f.Type != nil {
		q = q.Where(account.TypeEQ(*f.Type))
	}
	if f.Active != nil {
		q = q.Where(account.Active(*f.Active))
	}
	return q
}

// AccountBalance is one account's balance; within a request all balances
// are computed together once (see reqcache), so a list costs one query.
func AccountBalance(ctx context.Context, id pulid.ID) (decimal.Decimal, error) {
	all, err := reqcache.Load(ctx, "ledger.balances", func() (map[pulid.ID]decimal.Decimal, error) { return Balances(ctx, nil) })
	if err != nil {
		return decimal.Zero, err
	}
	return all[id], nil
}
