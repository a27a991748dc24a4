// Package types holds the value types stored in entity columns and exposed
// through both API faces: postal addresses and calendar dates.
package types

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Address is a postal address, stored as JSON on its owner row.
type Address struct {
	Street     string `json:"street,omitempty"`
	Street2    string `json:"street2,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country,omitempty"`
}

// IsZero reports whether no part of the address is set.
func (a Address) IsZero() bool { return a == Address{} }

// Date is a calendar date without a time of day or zone ("2024-01-15").
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

const dateLayout = "2006-01-02"

// InputError is a malformed date supplied by a client.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

// InvalidInput marks the error as the client's (see apperr).
func (*InputError) InvalidInput() {}

// The years a date supplied through the API may fall in: business dates,
// not sentinels such as 0001-01-01 or 9999-12-31.
const (
	MinYear = 1900
	MaxYear = 2999
)

// ParseDate parses a strict YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, &InputError{msg: fmt.Sprintf("must be a date in YYYY-MM-DD form, got %q", s)}
	}
	if t.Year() < MinYear || t.Year() > MaxYear {
		return Date{}, &InputError{msg: fmt.Sprintf("must be between %d-01-01 and %d-12-31", MinYear, MaxYear)}
	}
	return DateOf(t), nil
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// IsZero reports whether d is the zero date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return d.Time().Format(dateLayout) }

// Scan implements sql.Scanner for date columns.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		*d = DateOf(v)
	case string:
		p, err := ParseDate(v[:min(len(v), 10)])
		if err != nil {
			return err
		}
		*d = p
	case []byte:
		return d.Scan(string(v))
	default:
		return fmt.Errorf("date: unexpected type %T", src)
	}
	return nil
}

// Value implements driver.Valuer.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// MarshalJSON writes the date as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &InputError{msg: "must be a date string in YYYY-MM-DD form"}
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalGQL implements graphql.Marshaler.
func (d Date) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(d.String())) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return &InputError{msg: "must be a date string in YYYY-MM-DD form"}
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// LineTemplate is a line a recurring invoice repeats on every invoice it
// generates; amounts are decimal text, so nothing passes through float.
type LineTemplate struct {
	ItemID          string `json:"itemId,omitempty"`
	ItemCode        string `json:"itemCode,omitempty"`
	Description     string `json:"description,omitempty"`
	Quantity        string `json:"quantity"`
	UnitPrice       string `json:"unitPrice,omitempty"`
	DiscountPercent string `json:"discountPercent,omitempty"`
	TaxCode         string `json:"taxCode,omitempty"`
	Notes           string `json:"notes,omitempty"`
}

// EmailRecipient is one address of an email and what the SMTP server said
// about it.
type EmailRecipient struct {
	Address string `json:"address"`
	// Kind is to, cc or bcc.
	Kind string `json:"kind"`
	// Status is queued, sent or failed.
	Status string `json:"status"`
	Reply  string `json:"reply,omitempty"`
}
