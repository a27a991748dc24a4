package crm

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/store"
)

// CodeImportFailed answers an import with one or more refused rows.
const CodeImportFailed = "CONTACT_IMPORT_FAILED"

// ImportRow is one row of a contact import: its row number in the sheet
// (the header is row 1), the customer it creates and its opening balance.
type ImportRow struct {
	Row            int
	In             ent.CreateCustomerInput
	OpeningBalance *decimal.Decimal
	// Problems are what the sheet's own parsing refused (column, message).
	Problems []apperr.Detail
}

// importChunk is how many rows are checked and written at a time, so an
// import's memory does not grow with the file.
const importChunk = 500

// maxImportProblems bounds the refusals an answer lists.
const maxImportProblems = 200

// ImportParties creates every row next yields, all or nothing, in one
// transaction: rows are validated as a contact create judges one (and
// contact codes against the company and the rest of the file), written
// in chunks by multi-row INSERTs, and their opening balances posted. If
// any row is refused nothing is written, and the error names each bad
// row and column as rows.<row>.<column> (the first 200). next answers
// false at the end of the file.
func ImportParties(ctx context.Context, next func() (ImportRow, bool, error)) (int, error) {
	n, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (importCount, error) {
		var problems apperr.Details
		seen := map[string]int{}
		imported := 0
		rows := 0
		chunk := make([]ImportRow, 0, importChunk)
		add := func(row int, field, msg string) {
			if len(problems) < maxImportProblems {
				problems.Add(fmt.Sprintf("rows.%d.%s", row, field), "%s", msg)
			}
		}
		flush := func() error {
			if len(chunk) == 0 {
				return nil
			}
			defer func() { chunk = chunk[:0] }()
			if err := checkImportCodes(ctx, c, chunk, add); err != nil {
				return err
			}
			if len(problems) > 0 {
				return nil
			}
			ins := make([]ent.CreateCustomerInput, len(chunk))
			for i, r := range chunk {
				ins[i] = r.In
			}
			out, err := createCustomers(ctx, ins, true, "", true)
			if err != nil {
				return err
			}
			for i, o := range out {
				if ob := chunk[i].OpeningBalance; ob != nil && ob.IsPositive() {
					if _, err := ledger.SetCustomerOpeningBalance(ctx, o.Customer.ID, *ob, nil); err != nil {
						ae := apperr.From(err)
						if ae.Kind != apperr.KindValidation {
							return err
						}
						add(chunk[i].Row, "opening_balance", ae.Message)
					}
				}
			}
			imported += len(out)
			return nil
		}
		for {
			r, ok, err := next()
			if err != nil {
				return 0, err
			}
			if !ok {
				break
			}
			rows++
			for _, p := range r.Problems {
				add(r.Row, p.Field, p.Message)
			}
			if err := prepareParty(&r.In, true); err != nil {
				for _, d := range apperr.From(err).Details {
					add(r.Row, importColumn(d.Field), d.Message)
				}
				continue
			}
			if r.In.ContactCode != nil {
				if first, dup := seen[*r.In.ContactCode]; dup {
					add(r.Row, "contact_id", fmt.Sprintf("The contact id %q is also on row %d", *r.In.ContactCode, first))
					continue
				}
				seen[*r.In.ContactCode] = r.Row
			}
			if len(r.Problems) > 0 {
				continue
			}
			chunk = append(chunk, r)
			if len(chunk) == importChunk {
				if err := flush(); err != nil {
					return 0, err
				}
			}
		}
		if err := flush(); err != nil {
			return 0, err
		}
		if rows == 0 {
			return 0, apperr.Validation(CodeImportFailed, "The file has no contact rows below its header",
				apperr.Detail{Field: "contacts_csv", Message: "The file has no contact rows below its header"})
		}
		if len(problems) > 0 {
			return 0, &apperr.Error{Kind: apperr.KindValidation, Code: CodeImportFailed, Details: problems,
				Message: fmt.Sprintf("%d problems in the file; nothing was imported", len(problems))}
		}
		return importCount(imported), nil
	})
	return int(n), err
}

type importCount int

func (n importCount) Unwrap() importCount { return n }

// checkImportCodes refuses contact codes the company already uses (as a
// contact code or a customer number).
func checkImportCodes(ctx context.Context, c *ent.Client, chunk []ImportRow, add func(int, string, string)) error {
	byCode := map[string]int{}
	var codes []string
	for _, r := range chunk {
		if r.In.ContactCode != nil {
			byCode[*r.In.ContactCode] = r.Row
			codes = append(codes, *r.In.ContactCode)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	taken, err := c.Customer.Query().Where(customer.Or(customer.ContactCodeIn(codes...), customer.CustomerNumberIn(codes...))).
		Select(customer.FieldContactCode, customer.FieldCustomerNumber).All(ctx)
	if err != nil {
		return err
	}
	for _, cu := range taken {
		for _, code := range []string{cu.CustomerNumber, deref(cu.ContactCode)} {
			if row, ok := byCode[code]; ok {
				add(row, "contact_id", fmt.Sprintf("The contact id %q has already been taken", code))
			}
		}
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// importColumns names the customer fields by their template column.
var importColumns = map[string]string{
	"name": "first_name", "email": "email", "mobile": "mobile", "phone": "mobile", "landline": "landline",
	"alternateNumber": "alternate_contact_number", "taxNumber": "tax_number", "contactCode": "contact_id",
	"creditLimit": "credit_limit", "paymentTerms": "pay_term", "supplierBusinessName": "business_name",
	"prefix": "prefix", "firstName": "first_name", "middleName": "middle_name", "lastName": "last_name",
}

func importColumn(field string) string {
	if c, ok := importColumns[field]; ok {
		return c
	}
	return field
}
