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
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"syscall"
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
// credentials. When allowPrivate is false the host must be a DNS name or
// a public IP address: loopback, private, link-local, shared (CGNAT) and
// reserved addresses are refused, and so are the numeric spellings a
// resolver may read as one (2130706433, 127.1, 0x7f.1) and localhost in
// any form (localhost., *.localhost). Names are checked again, resolved,
// when sending.
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
	if allowPrivate {
		return ""
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if ip, err := netip.ParseAddr(host); err == nil {
		if !PublicAddr(ip) {
			return "Must not point to a private, loopback, link-local or reserved address"
		}
		return ""
	}
	if numericHost.MatchString(host) {
		return "Must be a DNS name or a public IP address in standard form"
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || !strings.Contains(host, ".") {
		return "Must be a public DNS name (with a domain) or a public IP address"
	}
	return ""
}

// numericHost matches host names made only of digits, dots and hex
// spellings, which resolvers may read as IPv4 addresses.
var numericHost = regexp.MustCompile(`^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*$`)

// nonPublic are the IPv4 and IPv6 ranges no webhook is sent to.
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
		"224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}()

// PublicAddr reports whether ip is a public unicast address.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

func publicIP(ip net.IP) bool {
	a, ok := netip.AddrFromSlice(ip)
	return ok && PublicAddr(a)
}

var errNonPublic = errors.New("the host resolves to a non-public address")

// DeliveryError words a failed delivery for the delivery log the
// endpoint's owner reads: the kind of failure, never the resolver's or a
// resolved internal address.
func DeliveryError(err error) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, errNonPublic):
		return "refused: the host name resolves to a non-public address"
	case errors.As(err, &dnsErr):
		return "could not resolve the host name"
	case errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err):
		return "timed out"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:"):
		return "TLS handshake failed"
	case errors.As(err, &opErr):
		return "connection failed"
	}
	return "request failed"
}

// CreateEndpoint validates and stores an endpoint with a new secret, which
// is returned once and never shown again.
// Created is a new endpoint with its secret (shown once) and the warnings
// of its creation (event types named but not produced here, ignored).
type Created struct {
	Endpoint *ent.WebhookEndpoint
	Secret   string
	Warnings []string
}

func CreateEndpoint(ctx context.Context, in EndpointInput, allowPrivate bool) (*Created, error) {
	var d apperr.Details
	if msg := ValidateURL(in.URL, allowPrivate); msg != "" {
		d.Add("url", "%s", msg)
	}
	if len(in.Events) == 0 {
		d.Add("events", "Choose at least one event type (or \"*\")")
	}
	seen := map[string]bool{}
	var types, ignored []string
	for i, t := range in.Events {
		t = strings.TrimSpace(t)
		switch {
		case events.NotProduced[t]:
			ignored = append(ignored, t)
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
	if len(types) == 0 && len(ignored) > 0 && len(d) == 0 {
		d.Add("events", "%s; name at least one event type this server produces (known: %s)", events.NotProducedWarning(ignored), strings.Join(events.Types, ", "))
	}
	if err := d.Err(CodeInvalidWebhook, "Webhook validation failed"); err != nil {
		return nil, err
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
		return nil, err
	}
	out := &Created{Endpoint: ep, Secret: secret, Warnings: []string{}}
	if len(ignored) > 0 {
		out.Warnings = append(out.Warnings, events.NotProducedWarning(ignored))
	}
	return out, nil
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
