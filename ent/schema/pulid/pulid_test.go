package pulid

import (
	"errors"
	"testing"
)

func TestNewParsesAndSorts(t *testing.T) {
	a, b := New("cust"), New("cust")
	if a.Prefix() != "cust" || len(a) != len("cust_")+26 {
		t.Fatalf("New: %q", a)
	}
	if !(a < b) {
		t.Fatalf("ids not increasing: %s %s", a, b)
	}
	if _, err := ParseWithPrefix(string(a), "cust"); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseWithPrefix(string(a), "grp"); !errors.Is(err, ErrMalformed) {
		t.Fatalf("wrong prefix accepted: %v", err)
	}
	for _, s := range []string{"", "cust", "cust_", "cust_123", "CUST_01ARZ3NDEKTSV4RRFFQ69G5FAV", "cu st_01ARZ3NDEKTSV4RRFFQ69G5FAV", "_01ARZ3NDEKTSV4RRFFQ69G5FAV", "cust_01ARZ3NDEKTSV4RRFFQ69G5FAVX"} {
		if _, err := Parse(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
	var id ID
	if err := id.UnmarshalGQL(42); err == nil {
		t.Error("UnmarshalGQL accepted a number")
	}
}
