// Package demo seeds a demonstration company with a few customers, a
// customer group, contacts, items and an issued invoice, through the same
// workflows the API uses.
package demo

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/item"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/provision"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// CompanyName is the demo company's name.
const CompanyName = "BigLedger Demo Sdn Bhd"

// Ensure finds or creates the demo company, seeds it the first time, and
// issues a new key with every scope.
func Ensure(ctx context.Context, client *ent.Client, keyScopes []string) (*provision.Provisioned, error) {
	p, err := provision.EnsureCompanyKey(ctx, client, CompanyName, keyScopes)
	if err != nil {
		return nil, err
	}
	if p.Created {
		if err := Seed(ctx, client, pulid.ID(p.CompanyID)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func ptr[T any](v T) *T { return &v }

// Seed adds demo customers to a company.
func Seed(ctx context.Context, client *ent.Client, companyID pulid.ID) error {
	ctx = store.WithClient(tenant.WithCompany(ctx, companyID), client)
	g, err := crm.CreateCustomerGroup(ctx, ent.CreateCustomerGroupInput{Name: "Wholesale", Amount: ptr(decimal.RequireFromString("5"))})
	if err != nil {
		return err
	}
	acme, err := crm.CreateCustomer(ctx, ent.CreateCustomerInput{
		Name: "Acme Corporation", Type: ptr(customer.TypeBusiness), Email: ptr("billing@acme.com"),
		Phone: ptr("+60123456789"), Website: ptr("https://acme.com"), TaxNumber: ptr("123456789012"),
		Address:         &types.Address{Street: "123 Main Street", Street2: "Suite 100", City: "Kuala Lumpur", State: "Selangor", PostalCode: "50000", Country: "MY"},
		ShippingAddress: &types.Address{Street: "456 Warehouse Road", City: "Shah Alam", State: "Selangor", PostalCode: "40000", Country: "MY"},
		PaymentTerms:    ptr(30), CreditLimit: ptr(decimal.RequireFromString("50000")),
		Tags: []string{"enterprise", "retail"}, CustomFields: map[string]any{"industry": "Technology", "accountManager": "John Smith"},
		GroupID: &g.ID,
	})
	if err != nil {
		return err
	}
	if _, err := crm.CreateContact(ctx, ent.CreateContactInput{CustomerID: acme.ID, Name: "Jane Doe", Email: ptr("jane@acme.com"),
		Phone: ptr("+60123456788"), Title: ptr("Accounts Manager"), IsPrimary: ptr(true)}); err != nil {
		return err
	}
	if _, err := crm.CreateContact(ctx, ent.CreateContactInput{CustomerID: acme.ID, Name: "John Smith", Email: ptr("john@acme.com"),
		Mobile: ptr("+60198765432"), Title: ptr("Purchasing Manager"), Department: ptr("Procurement")}); err != nil {
		return err
	}
	sst := "SST"
	var taxID *pulid.ID
	if tc, err := sales.TaxCodeByCode(ctx, sst); err == nil && tc != nil {
		taxID = &tc.ID
	}
	widget, err := sales.CreateItem(ctx, ent.CreateItemInput{Code: "WDG-001", Name: "Premium Widget", UnitPrice: ptr(decimal.RequireFromString("25.00")), TaxCodeID: taxID})
	if err != nil {
		return err
	}
	if _, err := sales.CreateItem(ctx, ent.CreateItemInput{Code: "SVC-001", Name: "Installation Service", Type: ptr(item.TypeService),
		UnitPrice: ptr(decimal.RequireFromString("500.00")), TaxCodeID: taxID}); err != nil {
		return err
	}
	inv, err := sales.CreateInvoice(ctx, sales.InvoiceInput{CustomerID: acme.ID, Reference: ptr("PO-ABC-123"), ShippingCost: ptr(decimal.RequireFromString("50.00")),
		Items: []sales.LineInput{{ItemID: &widget.ID, Quantity: decimal.NewFromInt(100), DiscountPercent: ptr(decimal.NewFromInt(5))}}})
	if err != nil {
		return err
	}
	if _, err := sales.IssueInvoice(ctx, inv.ID, ""); err != nil {
		return err
	}
	for _, c := range []ent.CreateCustomerInput{
		{Name: "Tech Solutions Ltd", Email: ptr("billing@techsolutions.com"), Phone: ptr("+60123456780"), PaymentTerms: ptr(30), CreditLimit: ptr(decimal.RequireFromString("50000")), Tags: []string{"software"}},
		{Name: "Siti Aminah", Type: ptr(customer.TypeIndividual), Phone: ptr("+60198887777"), PaymentTerms: ptr(0), Tags: []string{"walk-in"}},
		{Name: "Borneo Trading Co", Email: ptr("accounts@borneotrading.my"), Currency: ptr("USD"), PaymentTerms: ptr(45), CreditLimit: ptr(decimal.RequireFromString("20000")), Status: ptr(customer.StatusInactive)},
	} {
		if _, err := crm.CreateCustomer(ctx, c); err != nil {
			return err
		}
	}
	return nil
}
