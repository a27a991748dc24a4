package rest

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/sales"
)

// noteMedia is one file of a document or note (seed 003 media).
type noteMedia struct {
	ID          pulid.ID `json:"id"`
	FileName    string   `json:"file_name"`
	DisplayName string   `json:"display_name"`
	URL         string   `json:"url"`
	ContentType string   `json:"content_type"`
	Size        int64    `json:"size"`
	Sha256      string   `json:"sha256"`
}

// noteRow is seed 003's ContactDocumentNoteRow.
type noteRow struct {
	ID            pulid.ID    `json:"id"`
	Heading       string      `json:"heading"`
	Description   *string     `json:"description"`
	IsPrivate     bool        `json:"is_private"`
	CreatedBy     *pulid.ID   `json:"created_by"`
	CreatedByName *string     `json:"created_by_name"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
	Media         []noteMedia `json:"media"`
	MediaCount    int         `json:"media_count"`
}

func toNoteRow(n crm.Note) noteRow {
	out := noteRow{ID: n.ID, Heading: n.Heading, Description: n.Description, IsPrivate: n.IsPrivate, CreatedBy: n.CreatedByID, CreatedByName: optText(n.CreatedByName),
		CreatedAt: n.CreatedAt.UTC(), UpdatedAt: n.UpdatedAt.UTC(), Media: []noteMedia{}, MediaCount: len(n.Files)}
	for _, f := range n.Files {
		out.Media = append(out.Media, noteMedia{ID: f.ID, FileName: f.Filename, DisplayName: f.Filename,
			URL: "/api/v1/attachments/" + string(f.ID) + "/content", ContentType: f.ContentType, Size: f.Size, Sha256: f.Sha256})
	}
	return out
}

type noteListBody struct {
	Data []noteRow    `json:"data"`
	Meta activityMeta `json:"meta"`
}

type noteBody struct {
	Message string  `json:"message,omitempty"`
	Data    noteRow `json:"data"`
}

// noteRequest is the JSON form of a document or note (multipart sends
// the same fields as form values, and the files as files[]).
type noteRequest struct {
	Heading     *string `json:"heading"`
	Description *string `json:"description"`
	IsPrivate   *bool   `json:"is_private"`
}

// readNote reads a note from JSON or multipart/form-data.
func readNote(r *http.Request) (crm.NoteInput, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		var b noteRequest
		f, err := decodeBody(r, &b, crm.CodeInvalidNote, "Note validation failed")
		if err != nil {
			return crm.NoteInput{}, err
		}
		if f.isNull("heading") {
			return crm.NoteInput{}, validationFor(crm.CodeInvalidNote, "heading", "The heading field is required")
		}
		return crm.NoteInput{Heading: b.Heading, Description: b.Description, ClearDescription: f.isNull("description"), IsPrivate: b.IsPrivate}, nil
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return crm.NoteInput{}, validationFor(crm.CodeInvalidNote, "files", "The files are larger than "+strconv.FormatInt(mbe.Limit>>20, 10)+" MiB together")
		}
		return crm.NoteInput{}, validationFor(crm.CodeInvalidNote, "body", "Could not read the multipart form: "+err.Error())
	}
	form := r.MultipartForm
	var in crm.NoteInput
	var d apperr.Details
	for key := range form.Value {
		switch key {
		case "heading", "description", "is_private":
		default:
			d.Add(key, "Unknown field")
		}
	}
	if v, ok := form.Value["heading"]; ok {
		in.Heading = &v[0]
	}
	if v, ok := form.Value["description"]; ok {
		in.Description = &v[0]
	}
	if v, ok := form.Value["is_private"]; ok {
		b, err := strconv.ParseBool(v[0])
		if err != nil {
			d.Add("is_private", "Must be true or false (1 or 0)")
		}
		in.IsPrivate = &b
	}
	var headers []*multipart.FileHeader
	for key, fh := range form.File {
		if key != "files[]" && key != "files" {
			d.Add(key, "Unknown file field: send files as files[]")
			continue
		}
		headers = append(headers, fh...)
	}
	if len(headers) > crm.MaxNoteFiles {
		d.Add("files", "At most %d files may be attached at once", crm.MaxNoteFiles)
	}
	if err := d.Err(crm.CodeInvalidNote, "Note validation failed"); err != nil {
		return in, err
	}
	for i, h := range headers {
		f, err := h.Open()
		if err != nil {
			return in, validationFor(crm.CodeInvalidNote, "files."+strconv.Itoa(i), "Could not read the file")
		}
		content, err := io.ReadAll(io.LimitReader(f, sales.MaxAttachmentBytes+1))
		f.Close()
		if err != nil {
			return in, validationFor(crm.CodeInvalidNote, "files."+strconv.Itoa(i), "Could not read the file")
		}
		ct := h.Header.Get("Content-Type")
		if ct == "" || ct == "application/octet-stream" {
			ct = http.DetectContentType(content)
		}
		if strings.IndexByte(h.Filename, 0) >= 0 {
			return in, validationFor(crm.CodeInvalidNote, "files."+strconv.Itoa(i), "The file name must not contain NUL")
		}
		in.Files = append(in.Files, sales.AttachmentInput{Filename: h.Filename, ContentType: ct, Content: content})
	}
	return in, nil
}

func notePath(r *http.Request) (pulid.ID, pulid.ID, error) {
	cust, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return "", "", err
	}
	if r.PathValue("documentId") == "" {
		return cust, "", nil
	}
	id, err := pathID(r, "documentId", "note", crm.NoteNotFound)
	return cust, id, err
}

func (a *API) listNotes(r *http.Request) (result, error) {
	cust, _, err := notePath(r)
	if err != nil {
		return result{}, err
	}
	q := r.URL.Query()
	var d apperr.Details
	search := checkQ(&d, q)
	checkFormat(&d, q)
	pg := parseLaravelPage(&d, q, 20)
	if err := d.Err(crm.CodeInvalidNote, "Note validation failed"); err != nil {
		return result{}, err
	}
	page, err := crm.Notes(r.Context(), cust, search, pg.offset(), pg.perPage)
	if err != nil {
		return result{}, err
	}
	rows := make([]noteRow, len(page.Rows))
	for i, n := range page.Rows {
		rows[i] = toNoteRow(n)
	}
	meta := activityMeta{laravelMeta: pg.meta(page.Total)}
	if search != "" {
		meta.Q = &search
	}
	return pg.result(rows, noteListBody{Data: rows, Meta: meta}, page.Total), nil
}

func (a *API) getNote(r *http.Request) (result, error) {
	cust, id, err := notePath(r)
	if err != nil {
		return result{}, err
	}
	n, err := crm.GetNote(r.Context(), cust, id)
	if err != nil {
		return result{}, err
	}
	row := toNoteRow(n)
	return result{status: http.StatusOK, data: row, body: noteBody{Data: row}}, nil
}

func (a *API) createNote(r *http.Request) (result, error) {
	cust, _, err := notePath(r)
	if err != nil {
		return result{}, err
	}
	in, err := readNote(r)
	if err != nil {
		return result{}, err
	}
	n, err := crm.CreateNote(r.Context(), cust, in)
	if err != nil {
		return result{}, err
	}
	row := toNoteRow(n)
	return result{status: http.StatusCreated, data: row, body: noteBody{Message: "Document or note added", Data: row}}, nil
}

func (a *API) updateNote(r *http.Request) (result, error) {
	cust, id, err := notePath(r)
	if err != nil {
		return result{}, err
	}
	in, err := readNote(r)
	if err != nil {
		return result{}, err
	}
	n, err := crm.UpdateNote(r.Context(), cust, id, in)
	if err != nil {
		return result{}, err
	}
	row := toNoteRow(n)
	return result{status: http.StatusOK, data: row, body: noteBody{Message: "Document or note updated", Data: row}}, nil
}

func (a *API) deleteNote(r *http.Request) (result, error) {
	cust, id, err := notePath(r)
	if err != nil {
		return result{}, err
	}
	if err := crm.DeleteNote(r.Context(), cust, id); err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, body: deletedBody{Message: "Document or note deleted", Data: idOnlyV1{ID: id}}}, nil
}
