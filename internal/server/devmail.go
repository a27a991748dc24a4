package server

import (
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/bigledger/bigledger/internal/documents"
	"github.com/bigledger/bigledger/internal/mail"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

var devMailPage = template.Must(template.New("mail").Parse(`<!doctype html><html><head><meta charset="utf-8">
<title>BigLedger development mail</title><style>body{font:14px system-ui,sans-serif;margin:2rem}
table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}</style></head><body>
<h1>Development mail sink</h1><p>Every email this development server sent ({{len .}}), newest first. Open one to save the .eml
(your mail program shows it with its PDF). JSON: <code>Accept: application/json</code>.</p>
<table><tr><th>Date</th><th>Subject</th><th>From</th><th>To</th><th>Size</th></tr>
{{range .}}<tr><td>{{.Date.Format "2006-01-02 15:04:05"}}</td><td><a href="/dev/mail/{{.Name}}">{{.Subject}}</a></td>
<td>{{.From}}</td><td>{{.To}}</td><td>{{.Size}}</td></tr>{{end}}</table></body></html>`))

// devMail lists the development mail sink's messages (development only).
func (s *Server) devMail(w http.ResponseWriter, r *http.Request) {
	list, err := mail.ListStored(s.opt.MailDir)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if list == nil {
		list = []mail.StoredMessage{}
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, http.StatusOK, map[string]any{"data": list})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = devMailPage.Execute(w, list)
}

// devMailFile serves one stored message as message/rfc822.
func (s *Server) devMailFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if name != filepath.Base(name) || !strings.HasSuffix(name, ".eml") {
		http.NotFound(w, r)
		return
	}
	b, err := os.ReadFile(filepath.Join(s.opt.MailDir, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(b)
}

// signedFile answers GET /files/{token}/{name}: the PDF a signed,
// short-lived document link opens, without credentials. A forged,
// altered or expired link answers 404 like a missing file.
func (s *Server) signedFile(w http.ResponseWriter, r *http.Request) {
	link, err := documents.OpenLink(r.Context(), s.client, r.PathValue("token"))
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"success": false, "error": map[string]any{
			"code": "LINK_NOT_FOUND", "message": "The link is invalid or has expired: ask the API for a new one"}})
		return
	}
	ctx := tenant.WithCompany(store.WithClient(r.Context(), s.client), link.Company)
	f, err := link.Render(ctx)
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"success": false, "error": map[string]any{
			"code": "LINK_NOT_FOUND", "message": "The document of this link no longer exists"}})
		return
	}
	w.Header().Set("Content-Type", documents.ContentType)
	w.Header().Set("Content-Disposition", `inline; filename="`+f.Name+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(f.Bytes)
}
