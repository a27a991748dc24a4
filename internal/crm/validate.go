package crm

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/money"
)

var (
	phoneRe = regexp.MustCompile(`^\+?[0-9][0-9 ()\-.]{3,30}$`)
)

// trimPtr trims a string pointer in place; a blank string becomes nil.
func trimPtr(p **string) {
	if *p == nil {
		return
	}
	s := strings.TrimSpace(**p)
	if s == "" {
		*p = nil
		return
	}
	*p = &s
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func checkEmail(d *apperr.Details, field string, email *string) {
	if email == nil {
		return
	}
	a, err := mail.ParseAddress(*email)
	if err != nil || a.Address != *email || a.Name != "" || !strings.Contains(a.Address[strings.LastIndexByte(a.Address, '@')+1:], ".") {
		d.Add(field, "Email format is invalid")
	}
}

func checkPhone(d *apperr.Details, field string, phone *string) {
	if phone != nil && !phoneRe.MatchString(*phone) {
		d.Add(field, "Phone number format is invalid")
	}
}

func checkURL(d *apperr.Details, field string, s *string) {
	if s == nil {
		return
	}
	u, err := url.Parse(*s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		d.Add(field, "Website must be an http or https URL")
	}
}

func checkCurrency(d *apperr.Details, field string, c *string) {
	if c != nil && !money.IsCurrency(*c) {
		d.Add(field, "Currency must be an ISO 4217 currency code such as MYR or USD")
	}
}

func checkAmount(d *apperr.Details, field string, v *decimal.Decimal, currency string, allowNegative bool) {
	if v == nil {
		return
	}
	if !allowNegative && v.IsNegative() {
		d.Add(field, "Must be zero or greater")
		return
	}
	if len(v.Truncate(0).Abs().String()) > money.MaxIntegerDigits {
		d.Add(field, "Must have at most %d digits before the decimal point", money.MaxIntegerDigits)
		return
	}
	if err := money.CheckScale(*v, currency); err != nil {
		d.Add(field, "Must have at most %d decimal places", money.Scale(currency))
	}
}

func checkRange(d *apperr.Details, field string, v *decimal.Decimal, lo, hi int64) {
	if v == nil {
		return
	}
	if v.LessThan(decimal.NewFromInt(lo)) || v.GreaterThan(decimal.NewFromInt(hi)) {
		d.Add(field, "Must be between %d and %d", lo, hi)
		return
	}
	if !v.Equal(v.Truncate(6)) {
		d.Add(field, "Must have at most 6 decimal places")
	}
}

func checkLen(d *apperr.Details, field string, s *string, max int) {
	if s != nil && len([]rune(*s)) > max {
		d.Add(field, "Must be at most %d characters", max)
	}
}

// normalizeTags trims, drops blanks and duplicates, keeping order.
func normalizeTags(d *apperr.Details, tags []string) []string {
	if tags == nil {
		return nil
	}
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" {
			d.Add("tags", "Each tag must be a non-empty string")
			continue
		}
		if seen[t] {
			continue
		}
		if len([]rune(t)) > 50 {
			d.Add("tags", "Each tag must be at most 50 characters")
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) > 50 {
		d.Add("tags", "At most 50 tags")
	}
	return out
}
