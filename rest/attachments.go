package rest

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/attachment"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/input"
	"github.com/bigledger/bigledger/internal/sales"
)

// attachmentV1 is the seed-000 attachment object, with its metadata.
type attachmentV1 struct {
	ID           pulid.ID  `json:"id"`
	Filename     string    `json:"filename"`
	URL          string    `json:"url"`
	ContentType  string    `json:"contentType"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
	DocumentType string    `json:"documentType"`
	DocumentID   pulid.ID  `json:"documentId"`
	CreatedBy    *pulid.ID `json:"createdBy"`
	CreatedAt    time.Time `json:"createdAt"`
}

func toAttachmentV1(a *ent.Attachment) attachmentV1 {
	return attachmentV1{ID: a.ID, Filename: a.Filename, URL: "/api/v1/attachments/" + string(a.ID) + "/content",
		ContentType: a.ContentType, Size: a.Size, SHA256: a.Sha256, DocumentType: string(a.DocumentType),
		DocumentID: a.DocumentID, CreatedBy: a.CreatedByID, CreatedAt: a.CreatedAt.UTC()}
}

func attachmentsV1(list []*ent.Attachment) []attachmentV1 {
	out := make([]attachmentV1, len(list))
	for i, a := range list {
		out[i] = toAttachmentV1(a)
	}
	return out
}

// documentKind ties a REST path to a document type.
type documentKind struct {
	typ      attachment.DocumentType
	prefix   string
	notFound func(pulid.ID) error
	scope    string
}

var documentKinds = map[attachment.DocumentType]documentKind{
	attachment.DocumentTypeQuote:      {attachment.DocumentTypeQuote, "quote", sales.QuoteNotFound, "quotes"},
	attachment.DocumentTypeSalesOrder: {attachment.DocumentTypeSalesOrder, "so", sales.OrderNotFound, "sales_orders"},
	attachment.DocumentTypeInvoice:    {attachment.DocumentTypeInvoice, "inv", sales.InvoiceNotFound, "invoices"},
	attachment.DocumentTypeNote:       {attachment.DocumentTypeNote, "note", crm.NoteNotFound, "customers"},
}

// uploadAttachment takes multipart/form-data with the file in "file".
func (a *API) uploadAttachment(typ attachment.DocumentType) endpoint {
	k := documentKinds[typ]
	return func(r *http.Request) (result, error) {
		id, err := pathID(r, "id", k.prefix, k.notFound)
		if err != nil {
			return result{}, err
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return result{}, validationFor(sales.CodeInvalidAttachment, "file", "Files must be at most "+strconv.Itoa(sales.MaxAttachmentBytes>>20)+" MiB")
			}
			return result{}, validationFor(sales.CodeInvalidAttachment, "file", "Send multipart/form-data with the file in the \"file\" field")
		}
		defer r.MultipartForm.RemoveAll()
		f, hdr, err := r.FormFile("file")
		if err != nil {
			return result{}, validationFor(sales.CodeInvalidAttachment, "file", "Send multipart/form-data with the file in the \"file\" field")
		}
		defer f.Close()
		if strings.IndexByte(hdr.Filename, 0) >= 0 || strings.IndexByte(hdr.Header.Get("Content-Type"), 0) >= 0 {
			return result{}, validationFor(sales.CodeInvalidAttachment, "file", "The file name and type "+strings.ToLower(input.NULMessage[:1])+input.NULMessage[1:])
		}
		content, err := io.ReadAll(io.LimitReader(f, sales.MaxAttachmentBytes+1))
		if err != nil {
			return result{}, validationFor(sales.CodeInvalidAttachment, "file", "Could not read the file")
		}
		ct := hdr.Header.Get("Content-Type")
		if ct == "" || ct == "application/octet-stream" {
			ct = http.DetectContentType(content)
		}
		att, err := sales.AddAttachment(r.Context(), sales.AttachmentInput{DocumentType: typ, DocumentID: id,
			Filename: hdr.Filename, ContentType: ct, Content: content})
		if err != nil {
			return result{}, err
		}
		return result{status: http.StatusCreated, data: toAttachmentV1(att)}, nil
	}
}

func (a *API) listAttachments(typ attachment.DocumentType) endpoint {
	k := documentKinds[typ]
	return func(r *http.Request) (result, error) {
		id, err := pathID(r, "id", k.prefix, k.notFound)
		if err != nil {
			return result{}, err
		}
		list, err := sales.DocumentAttachments(r.Context(), id)
		if err != nil {
			return result{}, err
		}
		data := attachmentsV1(list)
		return result{status: http.StatusOK, data: data, page: &pagination{Limit: len(data), Total: len(data)}}, nil
	}
}

// attachmentFor loads an attachment and checks the caller may see its
// document's kind.
func attachmentFor(r *http.Request, withContent bool, access string) (*ent.Attachment, error) {
	id, err := pathID(r, "id", "att", sales.AttachmentNotFound)
	if err != nil {
		return nil, err
	}
	att, err := sales.GetAttachment(r.Context(), id, withContent)
	if err != nil {
		return nil, err
	}
	if err := auth.Require(r.Context(), documentKinds[att.DocumentType].scope+":"+access); err != nil {
		return nil, err
	}
	if att.DocumentType == attachment.DocumentTypeNote {
		// A private note's files are its author's, like the note.
		ok, err := crm.NoteVisible(r.Context(), att.DocumentID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, sales.AttachmentNotFound(id)
		}
	}
	return att, nil
}

func (a *API) getAttachment(r *http.Request) (result, error) {
	att, err := attachmentFor(r, false, "read")
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toAttachmentV1(att)}, nil
}

func (a *API) deleteAttachment(r *http.Request) (result, error) {
	att, err := attachmentFor(r, false, "write")
	if err != nil {
		return result{}, err
	}
	if _, err := sales.DeleteAttachment(r.Context(), att.ID); err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: deletedV1{ID: att.ID, Deleted: true}, message: "Attachment deleted"}, nil
}

// downloadAttachment streams the stored bytes (not in the envelope).
func (a *API) downloadAttachment(w http.ResponseWriter, r *http.Request) {
	att, err := attachmentFor(r, true, "read")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", att.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(att.Size, 10))
	w.Header().Set("Content-Disposition", `attachment; filename="`+sanitizeFilename(att.Filename)+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("ETag", `"`+att.Sha256+`"`)
	_, _ = w.Write(att.Content)
}

func sanitizeFilename(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
			r = '_'
		}
		out = append(out, r)
	}
	return string(out)
}
