package crm

import (
	"context"
	"fmt"
	"strings"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/contact"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/store"
)

// Error codes of the contact workflows.
const (
	CodeInvalidContact  = "INVALID_CONTACT_DATA"
	CodeContactNotFound = "CONTACT_NOT_FOUND"
	contactValidation   = "Contact validation failed"
)

// ContactNotFound is the error for a missing (or another company's) contact.
func ContactNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeContactNotFound, fmt.Sprintf("Contact with ID '%s' not found", id))
}

func normalizeContact(name *string, ptrs ...**string) {
	if name != nil {
		*name = strings.TrimSpace(*name)
	}
	for _, p := range ptrs {
		trimPtr(p)
	}
}

func validateContact(d *apperr.Details, name *string, email, phone, mobile, title, department *string) {
	if name != nil && *name == "" {
		d.Add("name", "Name is required")
	}
	checkLen(d, "name", name, 200)
	checkEmail(d, "email", email)
	checkPhone(d, "phone", phone)
	checkPhone(d, "mobile", mobile)
	checkLen(d, "title", title, 100)
	checkLen(d, "department", department, 100)
}

// lockCustomer locks the customer row: contact writes for one customer are
// serialized, which keeps the one-primary rule exact under concurrency.
func lockCustomer(ctx context.Context, c *ent.Client, id pulid.ID) error {
	_, err := c.Customer.Query().Where(customer.ID(id)).ForUpdate().OnlyID(ctx)
	if ent.IsNotFound(err) {
		return CustomerNotFound(id)
	}
	return err
}

func primaryTaken(ctx context.Context, c *ent.Client, customerID, except pulid.ID) (bool, error) {
	q := c.Contact.Query().Where(contact.CustomerID(customerID), contact.IsPrimary(true))
	if except != "" {
		q = q.Where(contact.IDNEQ(except))
	}
	return q.Exist(ctx)
}

var errPrimaryTaken = apperr.Detail{Field: "isPrimary", Message: "Customer already has a primary contact; unset it first"}

// CreateContact adds a contact to a customer of the acting company.
func CreateContact(ctx context.Context, in ent.CreateContactInput) (*ent.Contact, error) {
	normalizeContact(&in.Name, &in.Email, &in.Phone, &in.Mobile, &in.Title, &in.Department, &in.Notes)
	if in.Email != nil {
		e := strings.ToLower(*in.Email)
		in.Email = &e
	}
	var d apperr.Details
	validateContact(&d, &in.Name, in.Email, in.Phone, in.Mobile, in.Title, in.Department)
	if err := d.Err(CodeInvalidContact, contactValidation); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Contact, error) {
		if err := lockCustomer(ctx, c, in.CustomerID); err != nil {
			return nil, err
		}
		if in.IsPrimary != nil && *in.IsPrimary {
			taken, err := primaryTaken(ctx, c, in.CustomerID, "")
			if err != nil {
				return nil, err
			}
			if taken {
				return nil, apperr.Validation(CodeInvalidContact, contactValidation, errPrimaryTaken)
			}
		}
		ct, err := c.Contact.Create().SetInput(in).Save(ctx)
		return ct, contactError(err)
	})
}

// UpdateContact applies a partial update to a contact.
func UpdateContact(ctx context.Context, id pulid.ID, in ent.UpdateContactInput) (*ent.Contact, error) {
	normalizeContact(in.Name, &in.Email, &in.Phone, &in.Mobile, &in.Title, &in.Department, &in.Notes)
	if in.Email != nil {
		e := strings.ToLower(*in.Email)
		in.Email = &e
	}
	var d apperr.Details
	validateContact(&d, in.Name, in.Email, in.Phone, in.Mobile, in.Title, in.Department)
	if err := d.Err(CodeInvalidContact, contactValidation); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Contact, error) {
		old, err := c.Contact.Get(ctx, id)
		if ent.IsNotFound(err) {
			return nil, ContactNotFound(id)
		}
		if err != nil {
			return nil, err
		}
		if err := lockCustomer(ctx, c, old.CustomerID); err != nil {
			return nil, err
		}
		if in.IsPrimary != nil && *in.IsPrimary {
			taken, err := primaryTaken(ctx, c, old.CustomerID, id)
			if err != nil {
				return nil, err
			}
			if taken {
				return nil, apperr.Validation(CodeInvalidContact, contactValidation, errPrimaryTaken)
			}
		}
		ct, err := c.Contact.UpdateOne(old).SetInput(in).Save(ctx)
		return ct, contactError(err)
	})
}

// DeleteContact removes a contact.
func DeleteContact(ctx context.Context, id pulid.ID) (pulid.ID, error) {
	_, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (store.Done, error) {
		err := c.Contact.DeleteOneID(id).Exec(ctx)
		if ent.IsNotFound(err) {
			return store.Done{}, ContactNotFound(id)
		}
		return store.Done{}, err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

func contactError(err error) error {
	if err == nil {
		return nil
	}
	ae := apperr.From(err)
	switch {
	case ae.Kind == apperr.KindConflict:
		// The partial unique index is the last line behind primaryTaken.
		return apperr.Validation(CodeInvalidContact, contactValidation, errPrimaryTaken)
	case ae.Kind == apperr.KindValidation && ae.Code == "VALIDATION_ERROR":
		for _, det := range ae.Details {
			if det.Field == "customerId" {
				return CustomerNotFound(pulid.ID(""))
			}
		}
		return &apperr.Error{Kind: ae.Kind, Code: CodeInvalidContact, Message: contactValidation, Details: ae.Details}
	}
	return ae
}
