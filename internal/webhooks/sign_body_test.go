package webhooks_test

import (
	"testing"

	"github.com/bigledger/bigledger/internal/webhooks"
)

// Seed 004's signature: HMAC-SHA256 of the raw body, "sha256=<hex>"; the
// vector is Python's hmac.new(b"whsec_test", b'{"a":1}', sha256).hexdigest().
func TestSignBody(t *testing.T) {
	sig := webhooks.SignBody("whsec_test", []byte(`{"a":1}`))
	if !webhooks.VerifyBody("whsec_test", sig, []byte(`{"a":1}`)) || webhooks.VerifyBody("whsec_test", sig, []byte(`{"a":2}`)) ||
		webhooks.VerifyBody("other", sig, []byte(`{"a":1}`)) {
		t.Fatal("VerifyBody does not match SignBody")
	}
	if want := "sha256=" + pyHMAC; sig != want {
		t.Fatalf("SignBody = %s, want %s", sig, want)
	}
}

const pyHMAC = "51426af50a41dd7ff2cd3f116594734766d4018d15d6fb07169aee5d2959adf5"
