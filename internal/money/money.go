// Package money holds BigLedger's rules for amounts: parsing at the API
// edge (exact decimals only, bounded size), rounding half away from zero to
// the currency's minor unit, and printing at the currency's scale.
package money

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/shopspring/decimal"
)

// InputError is a malformed amount supplied by a client.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

// InvalidInput marks the error as the client's (see apperr).
func (*InputError) InvalidInput() {}

func inputErr(format string, args ...any) error {
	return &InputError{msg: fmt.Sprintf(format, args...)}
}

// MaxIntegerDigits bounds the integer part of any amount, document total
// and payment: every amount is below 10^12 (one trillion), so at two
// decimals it is below 10^14 minor units, and a JSON number (REST money)
// carries it and any sum of up to 90 of them exactly (2^53 ≈ 9.007 ×
// 10^15). The columns (numeric(20,4)) would hold 16.
const MaxIntegerDigits = 12

// canonical accepts plain decimal notation only: an optional minus, digits,
// an optional fraction. No exponents, no leading '+', no spaces, no hex.
var canonical = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`)

// Parse parses an API-supplied decimal string strictly. It refuses
// exponents (which could make a tiny string expand to a huge number),
// non-canonical forms and integer parts beyond MaxIntegerDigits.
func Parse(s string) (decimal.Decimal, error) {
	if len(s) > 64 || !canonical.MatchString(s) {
		return decimal.Decimal{}, inputErr("must be a plain decimal number such as 1200.50")
	}
	intPart := strings.TrimPrefix(s, "-")
	if i := strings.IndexByte(intPart, '.'); i >= 0 {
		intPart = intPart[:i]
	}
	if len(intPart) > MaxIntegerDigits {
		return decimal.Decimal{}, inputErr("must have at most %d digits before the decimal point", MaxIntegerDigits)
	}
	return decimal.NewFromString(s)
}

// FromJSONNumber parses a JSON number token (as decoded with UseNumber).
// JSON numbers may legally carry exponents; we accept only the plain form.
func FromJSONNumber(n json.Number) (decimal.Decimal, error) { return Parse(n.String()) }

// Scale returns the number of decimal places of a currency's minor unit.
func Scale(currency string) int32 {
	switch strings.ToUpper(currency) {
	case "JPY", "KRW", "VND", "IDR", "CLP", "ISK":
		return 0
	case "BHD", "KWD", "OMR", "JOD", "TND":
		return 3
	default:
		return 2
	}
}

// Round rounds half away from zero to the currency's minor unit.
func Round(d decimal.Decimal, currency string) decimal.Decimal {
	return d.Round(Scale(currency)) // decimal.Round is half away from zero
}

// CheckScale reports an error when d has more decimal places than the
// currency allows.
func CheckScale(d decimal.Decimal, currency string) error {
	if !d.Equal(d.Truncate(Scale(currency))) {
		return fmt.Errorf("must have at most %d decimal places for %s", Scale(currency), strings.ToUpper(currency))
	}
	return nil
}

// Format prints an amount at the currency's scale ("1200.50").
func Format(d decimal.Decimal, currency string) string {
	return d.StringFixed(Scale(currency))
}

// FormatRate prints a rate, quantity or percentage without trailing zeros.
func FormatRate(d decimal.Decimal) string { return d.String() }

// defaultCurrency is the scale used where an amount is printed without its
// document's currency at hand (the GraphQL Decimal scalar). Every currency
// the product ships with (MYR, USD, SGD, EUR) has two decimals.
const defaultCurrency = "MYR"

// MarshalDecimal prints a money amount as a JSON string at two decimals.
func MarshalDecimal(d decimal.Decimal) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(Format(d, defaultCurrency)))
	})
}

// UnmarshalDecimal accepts a string or a JSON number.
func UnmarshalDecimal(v any) (decimal.Decimal, error) { return unmarshal(v) }

// MarshalRate prints a rate without trailing zeros.
func MarshalRate(d decimal.Decimal) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(FormatRate(d)))
	})
}

// UnmarshalRate accepts a string or a JSON number.
func UnmarshalRate(v any) (decimal.Decimal, error) { return unmarshal(v) }

func unmarshal(v any) (decimal.Decimal, error) {
	switch x := v.(type) {
	case string:
		return Parse(x)
	case json.Number:
		return Parse(x.String())
	case int:
		return decimal.NewFromInt(int64(x)), nil
	case int64:
		return decimal.NewFromInt(x), nil
	case float64:
		// gqlgen decodes variables with UseNumber, so a float64 only comes
		// from a literal in the query text; format it the shortest exact way.
		return Parse(strconv.FormatFloat(x, 'f', -1, 64))
	default:
		return decimal.Decimal{}, inputErr("must be a decimal string or number")
	}
}
