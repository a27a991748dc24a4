package crm

import (
	"context"
	"fmt"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/user"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/store"
)

// CheckUsers refuses user ids that are not users of the acting company
// (seed 003's assigned_to_users), naming the first unknown one.
func CheckUsers(ctx context.Context, ids []pulid.ID) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := store.Client(ctx).User.Query().Where(user.IDIn(ids...)).IDs(ctx)
	if err != nil {
		return err
	}
	known := make(map[pulid.ID]bool, len(found))
	for _, id := range found {
		known[id] = true
	}
	for i, id := range ids {
		if !known[id] {
			return apperr.Validation(CodeInvalidCustomer, customerValidationMessage,
				apperr.Detail{Field: fmt.Sprintf("assigned_to_users[%d]", i), Message: fmt.Sprintf("User '%s' not found", id)})
		}
	}
	return nil
}

// contactLabelsKey is where a company's settings keep the labels of the
// contact custom fields, keyed like custom_field_1.
const contactLabelsKey = "contact_custom_field_labels"

// ContactFieldLabels are the acting company's labels of the contact
// custom fields (seed 003 custom_field_labels); none set: empty.
func ContactFieldLabels(ctx context.Context) (map[string]string, error) {
	co, err := CurrentCompany(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if m, ok := co.Settings[contactLabelsKey].(map[string]any); ok {
		for k, v := range m {
			if s, ok := v.(string); ok {
				out[k] = s
			}
		}
	}
	return out, nil
}
