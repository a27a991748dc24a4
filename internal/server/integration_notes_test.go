package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/tenant"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// noteForm sends a multipart document or note: form values and files.
func noteForm(t *testing.T, e *tk.Env, key, method, path string, values map[string]string, files map[string][]byte) tk.Response {
	t.Helper()
	var list []tk.FormFile
	for name, content := range files {
		list = append(list, tk.FormFile{Field: "files[]", Name: name, ContentType: "application/octet-stream", Data: content})
	}
	return e.Upload(tk.Tenant{Key: key}, method, path, list, values)
}

// otherUserKey is a key of a second user of tn's company.
func otherUserKey(t *testing.T, e *tk.Env, tn tk.Tenant) string {
	t.Helper()
	ctx := tenant.WithCompany(context.Background(), pulid.ID(tn.CompanyID))
	u, err := e.Client.User.Create().SetName("Second User").SetEmail("second@example.com").SetCompanyID(pulid.ID(tn.CompanyID)).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := auth.IssueKey(ctx, e.Client, u.ID, "second", []string{"*"})
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestContactDocumentsAndNotes(t *testing.T) {
	e := tk.New(t)
	c := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Noted"})
	base := contactsPath + "/" + tk.Str(c, "id") + "/documents-and-notes"
	pdf := []byte("%PDF-1.4 contract body")
	r := noteForm(t, e, e.A.Key, "POST", base, map[string]string{"heading": "Signed contract", "description": "Scanned copy", "is_private": "0"},
		map[string][]byte{"contract.pdf": pdf, "photo.png": []byte("\x89PNG\r\n\x1a\nxxxx")})
	if r.Status != 201 || tk.Str(r.Body, "message") == "" || tk.Get(r.Body, "data", "media_count") != float64(2) {
		t.Fatalf("create with files: %d %s", r.Status, r.Raw)
	}
	note := r.Body["data"].(map[string]any)
	var media map[string]any
	for _, m := range note["media"].([]any) {
		if m.(map[string]any)["file_name"] == "contract.pdf" {
			media = m.(map[string]any)
		}
	}
	sum := sha256.Sum256(pdf)
	if media == nil || media["content_type"] != "application/pdf" || media["sha256"] != hex.EncodeToString(sum[:]) || note["created_by_name"] == nil {
		t.Fatalf("media: %v", note)
	}
	// The file downloads from its url.
	req, _ := http.NewRequest("GET", e.Server.URL+media["url"].(string), nil)
	req.Header.Set("Authorization", "Bearer "+e.A.Key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(got, pdf) {
		t.Fatalf("download: %d %q", res.StatusCode, got)
	}

	// JSON works too; a private note is its author's alone.
	priv := mustBody(t, e.Do(e.A, "POST", base, map[string]any{"heading": "Private thoughts", "is_private": true}), 201, "private note")["data"].(map[string]any)
	other := otherUserKey(t, e, e.A)
	list := noteForm(t, e, other, "GET", base, nil, nil)
	if list.Status != 200 || tk.Get(list.Body, "meta", "total") != float64(1) {
		t.Fatalf("other user's list: %d %s", list.Status, list.Raw)
	}
	if r := noteForm(t, e, other, "GET", base+"/"+tk.Str(priv, "id"), nil, nil); r.Status != 404 || tk.Str(r.Body, "message") != "Not found" {
		t.Fatalf("other user reads a private note: %d %s", r.Status, r.Raw)
	}
	if r := noteForm(t, e, other, "DELETE", base+"/"+tk.Str(priv, "id"), nil, nil); r.Status != 404 {
		t.Fatalf("other user deletes a private note: %d %s", r.Status, r.Raw)
	}
	mine := mustBody(t, e.Do(e.A, "GET", base, nil), 200, "author's list")
	if tk.Get(mine, "meta", "total") != float64(2) || tk.Str(mine, "data", 0, "id") != tk.Str(priv, "id") {
		t.Fatalf("author's list (newest first): %v", mine)
	}
	if r := mustBody(t, e.Do(e.A, "GET", base+"?q=contract", nil), 200, "search"); tk.Get(r, "meta", "total") != float64(1) || tk.Str(r, "meta", "q") != "contract" {
		t.Fatalf("search: %v", r)
	}

	// Update appends files and changes only what it names.
	u := noteForm(t, e, e.A.Key, "PATCH", base+"/"+tk.Str(note, "id"), map[string]string{"heading": "Signed contract v2"}, map[string][]byte{"annex.txt": []byte("annex")})
	if u.Status != 200 || tk.Str(u.Body, "data", "heading") != "Signed contract v2" || tk.Str(u.Body, "data", "description") != "Scanned copy" || tk.Get(u.Body, "data", "media_count") != float64(3) {
		t.Fatalf("update: %d %s", u.Status, u.Raw)
	}
	if r := mustBody(t, e.Do(e.A, "PUT", base+"/"+tk.Str(note, "id"), map[string]any{"description": nil}), 200, "clear"); tk.Get(r, "data", "description") != nil {
		t.Fatalf("clear description: %v", r)
	}

	// Bad input names its field; nothing is half written.
	for _, bad := range []struct {
		values map[string]string
		files  map[string][]byte
		field  string
	}{
		{map[string]string{"description": "no heading"}, nil, "heading"},
		{map[string]string{"heading": "  "}, nil, "heading"},
		{map[string]string{"heading": strings.Repeat("h", 256)}, nil, "heading"},
		{map[string]string{"heading": "X", "is_private": "perhaps"}, nil, "is_private"},
		{map[string]string{"heading": "X", "colour": "red"}, nil, "colour"},
		{map[string]string{"heading": "Empty file"}, map[string][]byte{"empty.txt": {}}, "files.0"},
		{map[string]string{"heading": "Too many"}, func() map[string][]byte {
			m := map[string][]byte{}
			for i := 0; i < 11; i++ {
				m[fmt.Sprintf("f%d.txt", i)] = []byte("x")
			}
			return m
		}(), "files"},
	} {
		r := noteForm(t, e, e.A.Key, "POST", base, bad.values, bad.files)
		if r.Status != 422 || tk.Get(r.Body, "errors", bad.field) == nil {
			t.Errorf("%v: want 422 on %s, got %d %s", bad.values, bad.field, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.A, "PATCH", base+"/"+tk.Str(note, "id"), map[string]any{}); r.Status != 422 || tk.Str(r.Body, "message") != "No valid fields to update" {
		t.Fatalf("empty update: %d %s", r.Status, r.Raw)
	}
	if r := mustBody(t, e.Do(e.A, "GET", base, nil), 200, "after refusals"); tk.Get(r, "meta", "total") != float64(2) {
		t.Fatalf("a refused note was stored: %v", r["meta"])
	}

	// Another company: the contact, its notes and their files are not found.
	for _, p := range []string{base, base + "/" + tk.Str(note, "id")} {
		if r := e.Do(e.B, "GET", p, nil); r.Status != 404 || tk.Str(r.Body, "message") != "Not found" {
			t.Errorf("B GET %s: %d %s", p, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.B, "POST", base, map[string]any{"heading": "Intrusion"}); r.Status != 404 {
		t.Fatalf("B writes on A's contact: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.B, "GET", media["url"].(string), nil); r.Status != 404 {
		t.Fatalf("B downloads A's file: %d", r.Status)
	}
	// A note of one contact is not found under another.
	c2 := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Other Contact"})
	if r := e.Do(e.A, "GET", contactsPath+"/"+tk.Str(c2, "id")+"/documents-and-notes/"+tk.Str(note, "id"), nil); r.Status != 404 {
		t.Fatalf("note under another contact: %d %s", r.Status, r.Raw)
	}

	// Delete removes the note and its files; deleting the contact removes the rest.
	mustBody(t, e.Do(e.A, "DELETE", base+"/"+tk.Str(note, "id"), nil), 200, "delete note")
	if r := e.Do(e.A, "GET", media["url"].(string), nil); r.Status != 404 {
		t.Fatalf("file of a deleted note: %d", r.Status)
	}
	mustBody(t, e.Do(e.A, "DELETE", contactsPath+"/"+tk.Str(c, "id"), nil), 200, "delete contact")
	var left int
	if err := e.DB.QueryRow(`SELECT count(*) FROM notes WHERE customer_id = $1`, tk.Str(c, "id")).Scan(&left); err != nil || left != 0 {
		t.Fatalf("notes left after the contact: %d %v", left, err)
	}
}

// The same notes over GraphQL: create, read back with the REST-uploaded
// files, update, private to the author, delete; bad input and another
// company answered as the REST routes answer.
func TestCustomerNotesGraphQL(t *testing.T) {
	e := tk.New(t)
	cust := tk.Str(contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Noted Ltd"}), "id")
	create := `mutation($c: ID!, $in: CustomerNoteInput!) { createCustomerNote(customerId: $c, input: $in) { id heading description isPrivate createdByName files { id } } }`
	d := e.MustGQL(e.A, create, map[string]any{"c": cust, "in": map[string]any{"heading": "Call log", "description": "Asked for a discount"}})
	n := d["createCustomerNote"].(map[string]any)
	id := n["id"].(string)
	if n["heading"] != "Call log" || n["isPrivate"] != false || n["createdByName"] == "" || len(n["files"].([]any)) != 0 {
		t.Fatalf("created: %v", n)
	}
	// A file added over REST shows on the GraphQL note.
	if r := noteForm(t, e, e.A.Key, "PATCH", contactsPath+"/"+cust+"/documents-and-notes/"+id, nil, map[string][]byte{"quote.txt": []byte("terms")}); r.Status != 200 {
		t.Fatalf("add file: %d %s", r.Status, r.Raw)
	}
	priv := e.MustGQL(e.A, create, map[string]any{"c": cust, "in": map[string]any{"heading": "Private", "isPrivate": true}})["createCustomerNote"].(map[string]any)["id"].(string)
	list := `query($c: ID!, $s: String) { customerNotes(customerId: $c, search: $s) { total notes { id heading files { filename } } } }`
	page := e.MustGQL(e.A, list, map[string]any{"c": cust})["customerNotes"].(map[string]any)
	if page["total"] != 2.0 || tk.Str(page, "notes", 0, "id") != priv || tk.Str(page, "notes", 1, "files", 0, "filename") != "quote.txt" {
		t.Fatalf("list: %v", page)
	}
	second := tk.Tenant{Key: otherUserKey(t, e, e.A), CompanyID: e.A.CompanyID}
	if other := e.MustGQL(second, list, map[string]any{"c": cust})["customerNotes"].(map[string]any); other["total"] != 1.0 {
		t.Errorf("a second user sees the private note: %v", other)
	}
	if r := e.GQL(second, `mutation($c: ID!, $id: ID!) { deleteCustomerNote(customerId: $c, id: $id) { success } }`, map[string]any{"c": cust, "id": priv}); len(r.Errors) != 1 || r.Errors[0].Code() != "NOTE_NOT_FOUND" {
		t.Errorf("second user deletes the private note: %s", r.Raw)
	}
	upd := e.MustGQL(e.A, `mutation($c: ID!, $id: ID!) { updateCustomerNote(customerId: $c, id: $id, input: {description: ""}) { heading description } }`, map[string]any{"c": cust, "id": id})
	if tk.Str(upd, "updateCustomerNote", "heading") != "Call log" || tk.Get(upd, "updateCustomerNote", "description") != nil {
		t.Errorf("update: %v", upd)
	}
	if s := e.MustGQL(e.A, list, map[string]any{"c": cust, "s": "call"})["customerNotes"].(map[string]any); s["total"] != 1.0 {
		t.Errorf("search: %v", s)
	}
	for _, c := range []struct {
		q     string
		vars  map[string]any
		field string
	}{
		{create, map[string]any{"c": cust, "in": map[string]any{"description": "no heading"}}, "heading"},
		{create, map[string]any{"c": cust, "in": map[string]any{"heading": strings.Repeat("h", 256)}}, "heading"},
		{list, map[string]any{"c": cust, "s": "x"}, "search"},
		{`query($c: ID!) { customerNotes(customerId: $c, perPage: 101) { total } }`, map[string]any{"c": cust}, "perPage"},
	} {
		r := e.GQL(e.A, c.q, c.vars)
		if len(r.Errors) == 0 || !strings.Contains(string(r.Raw), `"`+c.field+`"`) {
			t.Errorf("%v: %s", c.vars, r.Raw)
		}
	}
	if r := e.GQL(e.B, list, map[string]any{"c": cust}); len(r.Errors) != 1 || r.Errors[0].Code() != "CUSTOMER_NOT_FOUND" {
		t.Errorf("company B lists A's notes: %s", r.Raw)
	}
	if r := e.GQL(e.B, create, map[string]any{"c": cust, "in": map[string]any{"heading": "x"}}); len(r.Errors) != 1 || r.Errors[0].Code() != "CUSTOMER_NOT_FOUND" {
		t.Errorf("company B writes on A's customer: %s", r.Raw)
	}
	if d := e.MustGQL(e.A, `mutation($c: ID!, $id: ID!) { deleteCustomerNote(customerId: $c, id: $id) { success deletedId } }`, map[string]any{"c": cust, "id": id}); tk.Get(d, "deleteCustomerNote", "success") != true {
		t.Errorf("delete: %v", d)
	}
}
