package rest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/graph/model"
	"github.com/bigledger/bigledger/internal/webhooks"
)

type webhookV1 struct {
	ID          pulid.ID  `json:"id"`
	URL         string    `json:"url"`
	Events      []string  `json:"events"`
	Description *string   `json:"description"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"createdAt"`
	// Secret is present only in the create response.
	Secret string `json:"secret,omitempty"`
	// Warnings name event types that were ignored (not produced here).
	Warnings []string `json:"warnings,omitempty"`
}

func toWebhookV1(ep *ent.WebhookEndpoint) webhookV1 {
	w := webhookV1{ID: ep.ID, URL: ep.URL, Events: ep.Events, Active: ep.Active, CreatedAt: ep.CreatedAt.UTC()}
	if ep.Description != "" {
		w.Description = &ep.Description
	}
	return w
}

type deliveryV1 struct {
	ID            pulid.ID   `json:"id"`
	EventID       pulid.ID   `json:"eventId"`
	EventType     string     `json:"eventType"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"nextAttemptAt"`
	LastError     *string    `json:"lastError"`
	ResponseCode  *int       `json:"responseCode"`
	DeliveredAt   *time.Time `json:"deliveredAt"`
	CreatedAt     time.Time  `json:"createdAt"`
}

type webhookRequest struct {
	URL         *string  `json:"url"`
	Events      []string `json:"events"`
	Description *string  `json:"description"`
}

func (a *API) createWebhook(r *http.Request) (result, error) {
	var body webhookRequest
	if _, err := decodeBody(r, &body, webhooks.CodeInvalidWebhook, "Webhook validation failed"); err != nil {
		return result{}, err
	}
	in := model.CreateWebhookEndpointInput{Events: body.Events, Description: body.Description}
	if body.URL != nil {
		in.URL = *body.URL
	}
	out, err := a.mutation().CreateWebhookEndpoint(r.Context(), in)
	if err != nil {
		return result{}, err
	}
	w := toWebhookV1(out.Endpoint)
	w.Secret = out.Secret
	msg := "Webhook endpoint created; store the secret now, it is not shown again"
	if len(out.Warnings) > 0 {
		w.Warnings = out.Warnings
		msg += ". " + strings.Join(out.Warnings, ". ")
	}
	return result{status: http.StatusCreated, data: w, message: msg}, nil
}

func (a *API) listWebhooks(r *http.Request) (result, error) {
	eps, err := a.query().WebhookEndpoints(r.Context())
	if err != nil {
		return result{}, err
	}
	out := make([]webhookV1, len(eps))
	for i, ep := range eps {
		out[i] = toWebhookV1(ep)
	}
	return result{status: http.StatusOK, data: out}, nil
}

func (a *API) getWebhook(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "whk", webhooks.NotFound)
	if err != nil {
		return result{}, err
	}
	ep, err := a.query().WebhookEndpoint(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toWebhookV1(ep)}, nil
}

func (a *API) deleteWebhook(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "whk", webhooks.NotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := a.mutation().DeleteWebhookEndpoint(r.Context(), id); err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: idOnlyV1{ID: id}, message: fmt.Sprintf("Webhook endpoint %s deleted", id)}, nil
}

func (a *API) listDeliveries(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "whk", webhooks.NotFound)
	if err != nil {
		return result{}, err
	}
	limit := 20
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return result{}, validationFor(webhooks.CodeInvalidWebhook, "limit", "Must be an integer between 1 and 100")
		}
		limit = n
	}
	ep, err := a.query().WebhookEndpoint(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	ds, err := a.resolver.WebhookEndpoint().Deliveries(r.Context(), ep, &limit)
	if err != nil {
		return result{}, err
	}
	out := make([]deliveryV1, len(ds))
	for i, d := range ds {
		out[i] = deliveryV1{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Status: string(d.Status), Attempts: d.Attempts,
			LastError: d.LastError, ResponseCode: d.ResponseCode, DeliveredAt: d.DeliveredAt, CreatedAt: d.CreatedAt.UTC()}
		if d.Status == "pending" {
			t := d.NextAttemptAt.UTC()
			out[i].NextAttemptAt = &t
		}
	}
	return result{status: http.StatusOK, data: out}, nil
}

type eventV1 struct {
	ID        pulid.ID       `json:"id"`
	Type      string         `json:"type"`
	SubjectID pulid.ID       `json:"subjectId"`
	Sequence  int64          `json:"sequence"`
	Timestamp time.Time      `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// eventsPageV1 is one page of the event log.
type eventsPageV1 struct {
	Events  []eventV1 `json:"events"`
	HasMore bool      `json:"hasMore"`
	// NextAfter is the last event's id: pass it as after for the next page.
	NextAfter *pulid.ID `json:"nextAfter"`
}

// listEvents is GET /api/v1/events?after=evt_…&types=a,b&limit=n: the
// company's event log in order.
func (a *API) listEvents(r *http.Request) (result, error) {
	q := r.URL.Query()
	var after *pulid.ID
	if s := q.Get("after"); s != "" {
		id := pulid.ID(s)
		after = &id
	}
	limit := 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return result{}, validationFor("VALIDATION_ERROR", "limit", "Must be an integer between 1 and 100")
		}
		limit = n
	}
	conn, err := a.query().Events(r.Context(), after, splitList(q.Get("types")), &limit)
	if err != nil {
		return result{}, err
	}
	out := make([]eventV1, len(conn.Edges))
	for i, e := range conn.Edges {
		out[i] = eventV1{ID: e.Node.ID, Type: e.Node.Type, SubjectID: e.Node.SubjectID, Sequence: e.Node.Seq,
			Timestamp: e.Node.CreatedAt.UTC(), Data: e.Node.Payload}
	}
	return result{status: http.StatusOK, data: eventsPageV1{Events: out, HasMore: conn.HasNextPage, NextAfter: conn.EndCursor}}, nil
}
