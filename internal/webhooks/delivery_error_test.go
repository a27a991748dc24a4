package webhooks

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// A failed delivery is logged for the endpoint's owner without the
// resolver's address or the internal address a name resolved to.
func TestDeliveryErrorHidesInternalAddresses(t *testing.T) {
	dns := &net.DNSError{Err: "no such host", Name: "hooks.invalid", Server: "10.0.0.53:53", IsNotFound: true}
	for err, want := range map[error]string{
		&net.OpError{Op: "dial", Net: "tcp", Err: dns}:                  "could not resolve the host name",
		&net.OpError{Op: "dial", Net: "tcp", Err: errNonPublic}:         "refused: the host name resolves to a non-public address",
		context.DeadlineExceeded:                                        "timed out",
		errors.New("tls: failed to verify certificate: x509: 10.1.1.1"): "TLS handshake failed",
	} {
		got := DeliveryError(err)
		if got != want || strings.Contains(got, "10.") || strings.Contains(got, "127.") {
			t.Errorf("%v: %q, want %q", err, got, want)
		}
	}
	// Through the real worker transport: a name resolving to loopback.
	w := NewWorker(nil, Options{Timeout: 2 * time.Second})
	req, _ := http.NewRequest("POST", "http://localhost:9/hook", nil)
	_, err := w.http.Do(req)
	if got := DeliveryError(err); got != "refused: the host name resolves to a non-public address" {
		t.Errorf("loopback delivery: %q (%v)", got, err)
	}
	for _, a := range []string{"100.64.0.1", "127.0.0.1", "::ffff:10.0.0.1", "fd00::1", "192.0.0.8"} {
		if PublicAddr(netip.MustParseAddr(a)) {
			t.Errorf("%s counted public", a)
		}
	}
	if !PublicAddr(netip.MustParseAddr("93.184.216.34")) {
		t.Error("a public address counted private")
	}
}
