// Package webhooks delivers a company's events to its HTTPS endpoints:
// endpoints are managed per company; a dispatcher turns committed events
// into persisted deliveries (a durable cursor in the log, advanced under a
// row lock, so any number of instances can run it); a sender posts each
// delivery signed with the endpoint's secret and retries failures with
// exponential backoff and jitter for more than a day.
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/webhookdelivery"
	"github.com/bigledger/bigledger/ent/webhookendpoint"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/store"
)

// Error codes.
const (
	CodeInvalidWebhook  = "INVALID_WEBHOOK_DATA"
	CodeWebhookNotFound = "WEBHOOK_NOT_FOUND"
)

// MaxEndpoints bounds a company's endpoints.
const MaxEndpoints = 20

// EndpointInput creates an endpoint. Events may hold "*" for every type.
type EndpointInput struct {
	URL         string
	Events      []string
	Description *string
}

// NotFound is the error for an unknown (or another company's) endpoint.
func NotFound(id pulid.ID) error {
	return apperr.NotFound(CodeWebhookNotFound, fmt.Sprintf("Webhook endpoint with ID '%s' not found", id))
}

// ValidateURL checks an endpoint URL: absolute http(s) with a host, no
// credentials. When allowPrivate is false, literal loopback, private and
// link-local addresses are refused (names are checked again when sending).
func ValidateURL(raw string, allowPrivate bool) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case raw == "":
		return "Required"
	case len(raw) > 2048:
		return "At most 2048 characters"
	case err != nil || !u.IsAbs() || u.Host == "" || u.Hostname() == "":
		return "Must be an absolute http or https URL"
	case u.Scheme != "https" && u.Scheme != "http":
		return "Must be an absolute http or https URL"
	case u.User != nil:
		return "Must not contain credentials"
	}
	if !allowPrivate {
		if ip := net.ParseIP(u.Hostname()); ip != nil && !publicIP(ip) {
			return "Must not point to a private, loopback or link-local address"
		}
		if strings.EqualFold(u.Hostname(), "localhost") {
			return "Must not point to a private, loopback or link-local address"
		}
	}
	return ""
}

func publicIP(ip net.IP) bool {
	return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast())
}

// CreateEndpoint validates and stores an endpoint with a new secret, which
// is returned once and never shown again.
func CreateEndpoint(ctx context.Context, in EndpointInput, allowPrivate bool) (*ent.WebhookEndpoint, string, error) {
	var d apperr.Details
	if msg := ValidateURL(in.URL, allowPrivate); msg != "" {
		d.Add("url", "%s", msg)
	}
	if len(in.Events) == 0 {
		d.Add("events", "Choose at least one event type (or \"*\")")
	}
	seen := map[string]bool{}
	var types []string
	for i, t := range in.Events {
		t = strings.TrimSpace(t)
		switch {
		case t != "*" && !events.KnownType(t):
			d.Add(fmt.Sprintf("events[%d]", i), "Unknown event type %q (known: %s)", t, strings.Join(events.Types, ", "))
		case !seen[t]:
			seen[t] = true
			types = append(types, t)
		}
	}
	if in.Description != nil && len([]rune(*in.Description)) > 500 {
		d.Add("description", "At most 500 characters")
	}
	if err := d.Err(CodeInvalidWebhook, "Webhook validation failed"); err != nil {
		return nil, "", err
	}
	if slices.Contains(types, "*") {
		types = []string{"*"}
	}
	secret := newSecret()
	ep, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.WebhookEndpoint, error) {
		n, err := c.WebhookEndpoint.Query().Where(webhookendpoint.DeletedAtIsNil()).Count(ctx)
		if err != nil {
			return nil, err
		}
		if n >= MaxEndpoints {
			return nil, apperr.Validation(CodeInvalidWebhook, "Webhook validation failed",
				apperr.Detail{Field: "url", Message: fmt.Sprintf("A company can have at most %d webhook endpoints", MaxEndpoints)})
		}
		create := c.WebhookEndpoint.Create().SetURL(strings.TrimSpace(in.URL)).SetEvents(types).SetSecret(secret)
		if in.Description != nil {
			create.SetDescription(strings.TrimSpace(*in.Description))
		}
		return create.Save(ctx)
	})
	if err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "whsec_" + hex.EncodeToString(b)
}

// Endpoints lists the company's endpoints, newest first.
func Endpoints(ctx context.Context) ([]*ent.WebhookEndpoint, error) {
	return store.Client(ctx).WebhookEndpoint.Query().Where(webhookendpoint.DeletedAtIsNil()).
		Order(ent.Desc(webhookendpoint.FieldCreatedAt), ent.Desc(webhookendpoint.FieldID)).All(ctx)
}

// GetEndpoint loads one endpoint.
func GetEndpoint(ctx context.Context, id pulid.ID) (*ent.WebhookEndpoint, error) {
	ep, err := store.Client(ctx).WebhookEndpoint.Query().Where(webhookendpoint.ID(id), webhookendpoint.DeletedAtIsNil()).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, NotFound(id)
	}
	return ep, err
}

// DeleteEndpoint removes an endpoint: it receives nothing more, and its
// pending deliveries are marked failed. The delivery log stays readable
// through nothing else: it goes with the endpoint.
func DeleteEndpoint(ctx context.Context, id pulid.ID) (pulid.ID, error) {
	_, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (store.Done, error) {
		ep, err := c.WebhookEndpoint.Query().Where(webhookendpoint.ID(id), webhookendpoint.DeletedAtIsNil()).ForUpdate().Only(ctx)
		if ent.IsNotFound(err) {
			return store.Done{}, NotFound(id)
		}
		if err != nil {
			return store.Done{}, err
		}
		if err := c.WebhookEndpoint.UpdateOne(ep).SetActive(false).SetDeletedAt(time.Now()).Exec(ctx); err != nil {
			return store.Done{}, err
		}
		return store.Done{}, c.WebhookDelivery.Update().
			Where(webhookdelivery.EndpointID(id), webhookdelivery.StatusEQ(webhookdelivery.StatusPending)).
			SetStatus(webhookdelivery.StatusFailed).SetLastError("endpoint deleted").Exec(ctx)
	})
	return id, err
}

// Deliveries lists an endpoint's deliveries, newest first.
func Deliveries(ctx context.Context, endpointID pulid.ID, limit int) ([]*ent.WebhookDelivery, error) {
	if _, err := GetEndpoint(ctx, endpointID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	return store.Client(ctx).WebhookDelivery.Query().Where(webhookdelivery.EndpointID(endpointID)).
		Order(ent.Desc(webhookdelivery.FieldCreatedAt), ent.Desc(webhookdelivery.FieldID)).Limit(limit).All(ctx)
}
