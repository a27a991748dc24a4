package rest

import (
	"net/http"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/crm"
)

// contactV1 is the seed-000 Contact object.
type contactV1 struct {
	ID         pulid.ID  `json:"id"`
	CustomerID pulid.ID  `json:"customerId"`
	Name       string    `json:"name"`
	Email      *string   `json:"email"`
	Phone      *string   `json:"phone"`
	Mobile     *string   `json:"mobile"`
	Title      *string   `json:"title"`
	Department *string   `json:"department"`
	IsPrimary  bool      `json:"isPrimary"`
	IsActive   bool      `json:"isActive"`
	Notes      *string   `json:"notes"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

func toContactV1(c *ent.Contact) contactV1 {
	return contactV1{
		ID: c.ID, CustomerID: c.CustomerID, Name: c.Name, Email: c.Email, Phone: c.Phone, Mobile: c.Mobile,
		Title: c.Title, Department: c.Department, IsPrimary: c.IsPrimary, IsActive: c.IsActive, Notes: c.Notes,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}

// contactRequest is the seed-000 create-contact body.
type contactRequest struct {
	Name       *string `json:"name"`
	Email      *string `json:"email"`
	Phone      *string `json:"phone"`
	Mobile     *string `json:"mobile"`
	Title      *string `json:"title"`
	Department *string `json:"department"`
	IsPrimary  *bool   `json:"isPrimary"`
	IsActive   *bool   `json:"isActive"`
	Notes      *string `json:"notes"`
}

func (a *API) listContacts(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	cts, err := crm.ContactsOf(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	data := make([]contactV1, len(cts))
	for i, c := range cts {
		data[i] = toContactV1(c)
	}
	return result{status: http.StatusOK, data: data, page: &pagination{Limit: len(data), Total: len(data)}}, nil
}

func (a *API) createContact(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	var body contactRequest
	if _, err := decodeBody(r, &body, crm.CodeInvalidContact, "Contact validation failed"); err != nil {
		return result{}, err
	}
	in := ent.CreateContactInput{
		CustomerID: id, Email: body.Email, Phone: body.Phone, Mobile: body.Mobile, Title: body.Title,
		Department: body.Department, IsPrimary: body.IsPrimary, IsActive: body.IsActive, Notes: body.Notes,
	}
	if body.Name != nil {
		in.Name = *body.Name
	}
	c, err := a.mutation().CreateContact(r.Context(), in)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusCreated, data: toContactV1(c)}, nil
}
