package crm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/event"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/payment"
	"github.com/bigledger/bigledger/ent/quote"
	"github.com/bigledger/bigledger/ent/salesorder"
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

// Activity is one entry of a contact's activity: an event of the contact
// or of one of its documents, with a sentence saying what happened.
type Activity struct {
	ID          pulid.ID
	Type        string
	LogName     string
	Description string
	CreatedAt   time.Time
	Payload     map[string]any
	// ActorID and ActorName say who did it, when the event records it.
	ActorID   pulid.ID
	ActorName string
}

// ActivityPage is one page of a contact's activity and the total.
type ActivityPage struct {
	Rows  []Activity
	Total int
}

var activityTitles = map[string]string{"customer": "Contact", "invoice": "Invoice", "payment": "Payment", "quote": "Quote", "order": "Sales order"}

// describe says in a sentence what an event records.
func describe(typ string, payload map[string]any) (logName, text string) {
	entity, verb, _ := strings.Cut(typ, ".")
	title := activityTitles[entity]
	if title == "" {
		title = strings.ToUpper(entity[:1]) + strings.ReplaceAll(entity[1:], "_", " ")
	}
	text = title
	for _, k := range []string{"invoiceNumber", "paymentNumber", "quoteNumber", "orderNumber"} {
		if n, ok := payload[k].(string); ok && n != "" {
			text += " " + n
			break
		}
	}
	text += " " + strings.ReplaceAll(verb, "_", " ")
	if s, ok := payload["status"].(string); ok && verb == "status_changed" {
		text += " to " + s
	}
	return entity, text
}

// Activities pages a contact's activity, newest first: the events of
// the customer and of its invoices, payments, quotes and sales orders.
// search (when set) matches the event type, its payload text or its id.
func Activities(ctx context.Context, customerID pulid.ID, search string, offset, limit int) (ActivityPage, error) {
	c := store.Client(ctx)
	ok, err := c.Customer.Query().Where(customer.ID(customerID)).Exist(ctx)
	if err != nil {
		return ActivityPage{}, err
	}
	if !ok {
		return ActivityPage{}, CustomerNotFound(customerID)
	}
	q := c.Event.Query().Where(func(s *sql.Selector) {
		col := s.C(event.FieldSubjectID)
		of := func(table, customerCol string) *sql.Predicate {
			return sql.In(col, sql.Select("id").From(sql.Table(table)).Where(sql.EQ(customerCol, string(customerID))))
		}
		s.Where(sql.Or(sql.EQ(col, string(customerID)),
			of(invoice.Table, invoice.FieldCustomerID), of(payment.Table, payment.FieldCustomerID),
			of(quote.Table, quote.FieldCustomerID), of(salesorder.Table, salesorder.FieldCustomerID)))
		if search != "" {
			pattern := store.ContainsPattern(search)
			s.Where(sql.Or(store.ILike(s.C(event.FieldType), pattern),
				sql.P(func(b *sql.Builder) { b.Ident(s.C(event.FieldPayload)).WriteString("::text ILIKE ").Arg(pattern) }),
				sql.EQ(s.C(event.FieldID), search)))
		}
	})
	total, err := q.Clone().Count(ctx)
	if err != nil {
		return ActivityPage{}, err
	}
	evs, err := q.Order(ent.Desc(event.FieldCreatedAt), ent.Desc(event.FieldSeq)).Offset(offset).Limit(limit).All(ctx)
	if err != nil {
		return ActivityPage{}, err
	}
	// Who did it: the page's actors in one statement.
	var actorIDs []pulid.ID
	for _, ev := range evs {
		if ev.ActorID != nil && !slices.Contains(actorIDs, *ev.ActorID) {
			actorIDs = append(actorIDs, *ev.ActorID)
		}
	}
	names := map[pulid.ID]string{}
	if len(actorIDs) > 0 {
		users, err := c.User.Query().Where(user.IDIn(actorIDs...)).All(ctx)
		if err != nil {
			return ActivityPage{}, err
		}
		for _, u := range users {
			names[u.ID] = u.Name
		}
	}
	out := ActivityPage{Total: total, Rows: make([]Activity, len(evs))}
	for i, ev := range evs {
		logName, text := describe(ev.Type, ev.Payload)
		out.Rows[i] = Activity{ID: ev.ID, Type: ev.Type, LogName: logName, Description: text, CreatedAt: ev.CreatedAt, Payload: ev.Payload}
		if ev.ActorID != nil {
			out.Rows[i].ActorID, out.Rows[i].ActorName = *ev.ActorID, names[*ev.ActorID]
		}
	}
	return out, nil
}
