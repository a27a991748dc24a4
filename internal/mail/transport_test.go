package mail

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func TestParseSMTPURL(t *testing.T) {
	for _, ok := range []string{"smtp://user:pa%40ss@mail.example.com:587", "smtps://u:p@mail.example.com", "smtp://127.0.0.1:2525?tls=none",
		"smtp://mail.example.com?tls=required&helo=bigledger.example"} {
		if _, err := ParseSMTPURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for raw, want := range map[string]string{"http://mail.example.com": "scheme", "smtp://": "no host", "smtp://h:99999": "bad port",
		"smtp://h?tls=maybe": "tls=", "smtp://h:port": "port"} {
		if _, err := ParseSMTPURL(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
}

// A refusal is classified as the server's code says: 4xx is retried,
// 5xx is final, and a refused recipient is named.
func TestSendClassifiesRefusals(t *testing.T) {
	sink, err := StartSink("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	tr, err := ParseSMTPURL(sink.URL())
	if err != nil {
		t.Fatal(err)
	}
	msg := &Message{ID: "eml_test@" + MessageDomain, From: "a@example.com", To: []string{"b@example.com", "gone@example.com"},
		Subject: "Hello – ünïcode", Text: "Hi", HTML: "<p>Hi</p>", Date: time.Now(),
		Attachments: []Attachment{{Name: "x.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4")}}}
	ctx := context.Background()
	if err := tr.Send(ctx, msg); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := sink.Messages()
	if len(got) != 1 || strings.Join(got[0].To, ",") != "b@example.com,gone@example.com" || !strings.Contains(string(got[0].Data), "Message-ID: <eml_test@"+MessageDomain+">") {
		t.Fatalf("received: %+v", got)
	}
	sink.SetFail(func(step, arg string) *smtp.SMTPError {
		if step == "data" {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
		}
		return nil
	})
	var f *Failure
	if err := tr.Send(ctx, msg); err == nil || !asFailure(err, &f) || !f.Temporary || f.Code != 451 {
		t.Errorf("451: %#v", err)
	}
	sink.SetFail(func(step, arg string) *smtp.SMTPError {
		if step == "rcpt" && arg == "gone@example.com" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	})
	if err := tr.Send(ctx, msg); err == nil || !asFailure(err, &f) || f.Temporary || f.Code != 550 || strings.Join(f.Rejected, ",") != "gone@example.com" {
		t.Errorf("550: %#v", err)
	}
	if n := len(sink.Messages()); n != 1 {
		t.Errorf("refused messages were stored: %d", n)
	}
	// Nothing listens: temporary.
	sink.Close()
	if err := tr.Send(ctx, msg); err == nil || !asFailure(err, &f) || !f.Temporary {
		t.Errorf("down: %#v", err)
	}
}

func asFailure(err error, f **Failure) bool {
	v, ok := err.(*Failure)
	*f = v
	return ok
}

// BIGLEDGER_SMTP_URL's user and password log in (AUTH PLAIN). A wrong
// password is the server's configuration, not the message's: it stays a
// temporary failure (retried until the password is fixed), with the 535.
func TestSendAuthenticates(t *testing.T) {
	sink, err := StartSink("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	sink.SetUsers(map[string]string{"bigledger": "s3cr3t"})
	msg := &Message{ID: "eml_auth@" + MessageDomain, From: "a@example.com", To: []string{"b@example.com"}, Subject: "Hi", Text: "Hi"}
	send := func(url string) error {
		tr, err := ParseSMTPURL(url)
		if err != nil {
			t.Fatal(err)
		}
		return tr.Send(context.Background(), msg)
	}
	base := strings.TrimPrefix(sink.URL(), "smtp://")
	if err := send("smtp://bigledger:s3cr3t@" + base + "&auth=plain"); err != nil {
		t.Fatalf("login: %v", err)
	}
	var f *Failure
	// auto never sends a password in clear text over an unencrypted link.
	if err := send("smtp://bigledger:s3cr3t@" + base); err == nil || !strings.Contains(err.Error(), "authentication mechanism") {
		t.Errorf("auto over plain text: %v", err)
	}
	if _, err := ParseSMTPURL("smtp://u:p@h?auth=kerberos"); err == nil {
		t.Error("auth=kerberos accepted")
	}
	if err := send("smtp://bigledger:wrong@" + base + "&auth=plain"); err == nil || !asFailure(err, &f) || !f.Temporary || !strings.Contains(f.Reply, "535") {
		t.Errorf("wrong password: %#v", err)
	}
	if err := send(sink.URL()); err == nil || !asFailure(err, &f) {
		t.Errorf("no credentials: %#v", err)
	}
	if n := len(sink.Messages()); n != 1 {
		t.Errorf("%d messages accepted, want the logged-in one", n)
	}
}
