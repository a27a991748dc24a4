package webhooks_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/bigledger/bigledger/internal/webhooks"
)

func TestSignAndVerify(t *testing.T) {
	secret, body := "whsec_test", []byte(`{"id":"evt_1","type":"invoice.paid"}`)
	now := time.Unix(1_800_000_000, 0)
	ts := now.Unix()
	sig := webhooks.Sign(secret, ts, body)
	// Known vector: HMAC-SHA256("whsec_test", "1800000000." + body).
	if sig != "sha256=3a3f7efe77d77b6507c53a4b611658bd6f9f7a7327cd9ffbf461ae55d7399af4" {
		t.Fatalf("signature shape: %s", sig)
	}
	tss := strconv.FormatInt(ts, 10)
	if !webhooks.Verify(secret, sig, tss, body, 5*time.Minute, now) {
		t.Fatal("valid signature refused")
	}
	for name, ok := range map[string]bool{
		"tampered body":  webhooks.Verify(secret, sig, tss, append([]byte{' '}, body...), 5*time.Minute, now),
		"wrong secret":   webhooks.Verify("whsec_other", sig, tss, body, 5*time.Minute, now),
		"other time":     webhooks.Verify(secret, sig, strconv.FormatInt(ts+1, 10), body, 5*time.Minute, now),
		"replayed later": webhooks.Verify(secret, sig, tss, body, 5*time.Minute, now.Add(6*time.Minute)),
		"garbage time":   webhooks.Verify(secret, sig, "yesterday", body, 5*time.Minute, now),
		"no prefix":      webhooks.Verify(secret, sig[len("sha256="):], tss, body, 5*time.Minute, now),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestValidateURLAndBackoff(t *testing.T) {
	for url, want := range map[string]bool{
		"https://hooks.example.com/x": true, "http://hooks.example.com:8080/x": true,
		"http://127.0.0.1/x": false, "http://localhost/x": false, "http://[::1]/x": false, "http://169.254.169.254/latest": false,
		"http://192.168.1.10/x": false, "ftp://example.com/x": false, "https://user:pw@example.com/": false, "example.com/x": false,
	} {
		if got := webhooks.ValidateURL(url, false) == ""; got != want {
			t.Errorf("%s: valid=%v, want %v", url, got, want)
		}
	}
	if webhooks.ValidateURL("http://127.0.0.1:9000/hook", true) != "" {
		t.Error("development must allow local receivers")
	}
	total := time.Duration(0)
	for n := 1; n < 16; n++ {
		d := webhooks.DefaultBackoff(n)
		base := 10 * time.Second << (n - 1)
		if base > 6*time.Hour {
			base = 6 * time.Hour
		}
		if d < base*8/10 || d > base*12/10 {
			t.Fatalf("backoff %d = %s, want %s ±20%%", n, d, base)
		}
		total += d
	}
	if total < 24*time.Hour {
		t.Fatalf("16 attempts span %s, want more than a day", total)
	}
}
