package money

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestParse(t *testing.T) {
	good := map[string]string{"0": "0", "1200.50": "1200.5", "-3.25": "-3.25", "0.0001": "0.0001", "999999999999.99": "999999999999.99"}
	for in, want := range good {
		d, err := Parse(in)
		if err != nil || d.String() != want {
			t.Errorf("Parse(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, in := range []string{"", "1e5", "1E-2", "+1", "01", "1.", ".5", " 1", "1,000", "0x10", "NaN", "Infinity", "1234567890123", "9999999999999999", "--1", "1.2.3"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}

func TestRoundHalfAwayFromZero(t *testing.T) {
	cases := map[string]string{"0.005": "0.01", "0.004": "0", "-0.005": "-0.01", "2.675": "2.68", "142.5": "142.5", "1.115": "1.12"}
	for in, want := range cases {
		if got := Round(decimal.RequireFromString(in), "MYR"); got.String() != want {
			t.Errorf("Round(%s) = %s, want %s", in, got, want)
		}
	}
	if got := Round(decimal.RequireFromString("10.5"), "JPY"); got.String() != "11" {
		t.Errorf("JPY round: %s", got)
	}
}

func TestFormatAndScale(t *testing.T) {
	if got := Format(decimal.RequireFromString("1200.5"), "MYR"); got != "1200.50" {
		t.Errorf("Format: %s", got)
	}
	if got := Format(decimal.RequireFromString("2567.5000"), "USD"); got != "2567.50" {
		t.Errorf("Format: %s", got)
	}
	if got := FormatRate(decimal.RequireFromString("6.000000")); got != "6" {
		t.Errorf("FormatRate: %s", got)
	}
	if err := CheckScale(decimal.RequireFromString("10.005"), "MYR"); err == nil {
		t.Error("CheckScale accepted three decimals for MYR")
	}
	if err := CheckScale(decimal.RequireFromString("10.50"), "MYR"); err != nil {
		t.Errorf("CheckScale: %v", err)
	}
}

func TestUnmarshalDecimal(t *testing.T) {
	for _, v := range []any{"12.50", 12, int64(12), 12.5} {
		if _, err := UnmarshalDecimal(v); err != nil {
			t.Errorf("UnmarshalDecimal(%v): %v", v, err)
		}
	}
	for _, v := range []any{"1e3", true, nil, []int{1}} {
		if _, err := UnmarshalDecimal(v); err == nil {
			t.Errorf("UnmarshalDecimal(%v) accepted", v)
		}
	}
}
