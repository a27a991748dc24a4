package crm_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func ptr[T any](v T) *T { return &v }

// 20 concurrent creations in each of two companies: each company gets
// CUST-0001…CUST-0020, no gap, no duplicate.
func TestConcurrentCustomerNumbersAreGapless(t *testing.T) {
	e := tk.New(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for _, tn := range []tk.Tenant{e.A, e.B} {
		ctx := e.Ctx(tn)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := crm.CreateCustomer(ctx, ent.CreateCustomerInput{Name: fmt.Sprintf("C%d", i), Email: ptr(fmt.Sprintf("c%d@x.co", i))})
				errs <- err
			}(i)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tn := range []tk.Tenant{e.A, e.B} {
		ctx := e.Ctx(tn)
		var got []string
		for _, c := range store.Client(ctx).Customer.Query().AllX(ctx) {
			got = append(got, c.CustomerNumber)
		}
		sort.Strings(got)
		if len(got) != n {
			t.Fatalf("%s: %d customers", tn.Name, len(got))
		}
		for i, num := range got {
			if want := fmt.Sprintf("CUST-%04d", i+1); num != want {
				t.Fatalf("%s: numbers %v", tn.Name, got)
			}
		}
	}
}

// A number is consumed only by a committed customer: a creation rolled
// back after allocating leaves the next creation the same number.
func TestRolledBackCreationConsumesNoNumber(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	tx, err := e.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	txCtx := ent.NewTxContext(ctx, tx)
	c, err := crm.CreateCustomer(txCtx, ent.CreateCustomerInput{Name: "Rolled back", Email: ptr("r@x.co")})
	if err != nil {
		t.Fatal(err)
	}
	if c.CustomerNumber != "CUST-0001" {
		t.Fatalf("in tx: %s", c.CustomerNumber)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	c, err = crm.CreateCustomer(ctx, ent.CreateCustomerInput{Name: "Committed", Email: ptr("c@x.co")})
	if err != nil {
		t.Fatal(err)
	}
	if c.CustomerNumber != "CUST-0001" {
		t.Fatalf("after rollback: %s", c.CustomerNumber)
	}
	if got := numbering.Format(numbering.Kind{Prefix: "INV", Yearly: true}, 2024, 7); got != "INV-2024-0007" {
		t.Fatalf("format: %s", got)
	}
}

// Concurrent primary-contact creations for one customer: exactly one wins,
// the rest are told which field is wrong.
func TestConcurrentPrimaryContacts(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	c, err := crm.CreateCustomer(ctx, ent.CreateCustomerInput{Name: "Acme", Email: ptr("a@acme.com")})
	if err != nil {
		t.Fatal(err)
	}
	const n = 10
	var wg sync.WaitGroup
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := crm.CreateContact(ctx, ent.CreateContactInput{CustomerID: c.ID, Name: fmt.Sprintf("P%d", i), IsPrimary: ptr(true)})
			results <- err
		}(i)
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		if err == nil {
			ok++
			continue
		}
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != crm.CodeInvalidContact || ae.Details[0].Field != "isPrimary" {
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d primaries created", ok)
	}
}

// Domain functions refuse to run without a tenant: no query can read or
// write tenant rows without knowing whose they are.
func TestNoTenantNoAccess(t *testing.T) {
	e := tk.New(t)
	ctx := store.WithClient(context.Background(), e.Client)
	if _, err := crm.CreateCustomer(ctx, ent.CreateCustomerInput{Name: "X", Email: ptr("x@x.co")}); err == nil {
		t.Fatal("created a customer with no tenant")
	}
	if _, err := e.Client.Customer.Query().All(ctx); err == nil {
		t.Fatal("listed customers with no tenant")
	}
}
