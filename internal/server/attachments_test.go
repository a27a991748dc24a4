package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

func upload(t *testing.T, e *tk.Env, tn tk.Tenant, path, filename, contentType string, content []byte) tk.Response {
	t.Helper()
	return e.Upload(tn, "POST", path, []tk.FormFile{{Field: "file", Name: filename, ContentType: contentType, Data: content}}, nil)
}

func TestInvoiceAttachments(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Files Co", "email": "f@x.co"})
	inv := must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": c["id"], "items": []map[string]any{{"description": "X", "quantity": 1, "unitPrice": 1}}}), 201, "invoice")
	base := "/api/v1/invoices/" + inv["id"].(string) + "/attachments"
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 3000)...)
	r := upload(t, e, e.A, base, "customer_po.pdf", "application/pdf", pdf)
	att := must(t, r, 201, "upload")
	sum := sha256.Sum256(pdf)
	if att["filename"] != "customer_po.pdf" || att["size"] != float64(len(pdf)) || att["sha256"] != hex.EncodeToString(sum[:]) ||
		att["contentType"] != "application/pdf" || !strings.HasPrefix(att["id"].(string), "att_") {
		t.Fatalf("attachment: %v", att)
	}
	// Download gives back the exact bytes.
	dl := e.Do(e.A, "GET", att["url"].(string), nil)
	if dl.Status != 200 || !bytes.Equal(dl.Raw, pdf) || dl.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(dl.Header.Get("Content-Disposition"), "customer_po.pdf") {
		t.Fatalf("download: %d %v", dl.Status, dl.Header)
	}
	// The invoice lists it, as the seed object shows.
	got := must(t, e.Do(e.A, "GET", "/api/v1/invoices/"+inv["id"].(string), nil), 200, "invoice")
	if tk.Str(got, "attachments", 0, "id") != att["id"] || tk.Str(got, "attachments", 0, "url") == "" {
		t.Fatalf("invoice attachments: %v", got["attachments"])
	}
	if l := e.Do(e.A, "GET", base, nil); l.Status != 200 || len(l.Body["data"].([]any)) != 1 {
		t.Fatalf("list: %d %s", l.Status, l.Raw)
	}
	g := e.MustGQL(e.A, `query($id: ID!) { attachments(documentId: $id) { id filename size sha256 } }`, map[string]any{"id": inv["id"]})
	if tk.Str(g, "attachments", 0, "filename") != "customer_po.pdf" {
		t.Fatalf("GraphQL attachments: %v", g)
	}
	// Bad uploads.
	if r := upload(t, e, e.A, base, "empty.txt", "text/plain", nil); r.Status != 400 {
		t.Errorf("empty file: %d %s", r.Status, r.Raw)
	}
	if r := upload(t, e, e.A, base, "big.bin", "", bytes.Repeat([]byte{1}, 10<<20+1)); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "file" {
		t.Errorf("oversized file: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "POST", base, map[string]any{"file": "not multipart"}); r.Status != 400 {
		t.Errorf("JSON upload: %d %s", r.Status, r.Raw)
	}
	// Another company sees none of it.
	if r := e.Do(e.B, "GET", att["url"].(string), nil); r.Status != 404 {
		t.Errorf("B downloads A's file: %d", r.Status)
	}
	if r := e.Do(e.B, "GET", base, nil); r.Status != 404 {
		t.Errorf("B lists A's invoice attachments: %d", r.Status)
	}
	if r := upload(t, e, e.B, base, "x.txt", "text/plain", []byte("hi")); r.Status != 404 {
		t.Errorf("B uploads to A's invoice: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.B, "DELETE", "/api/v1/attachments/"+att["id"].(string), nil); r.Status != 404 {
		t.Errorf("B deletes A's file: %d", r.Status)
	}
	if g := e.GQL(e.B, `query($id: ID!) { attachments(documentId: $id) { id } }`, map[string]any{"id": inv["id"]}); len(g.Errors) == 0 || g.Errors[0].Code() != "INVOICE_NOT_FOUND" {
		t.Errorf("B's GraphQL attachments: %s", g.Raw)
	}
	// A key without invoice scope cannot read invoice files.
	ro := e.NewTenant("Company A", "customers:read")
	if r := e.Do(ro, "GET", att["url"].(string), nil); r.Status != 403 {
		t.Errorf("download without scope: %d", r.Status)
	}
	if r := e.Do(e.A, "DELETE", "/api/v1/attachments/"+att["id"].(string), nil); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "GET", att["url"].(string), nil); r.Status != 404 {
		t.Fatalf("after delete: %d", r.Status)
	}
}
