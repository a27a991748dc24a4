package sales

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"path/filepath"
	"strings"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/attachment"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/note"
	"github.com/bigledger/bigledger/ent/quote"
	"github.com/bigledger/bigledger/ent/salesorder"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/store"
)

// Attachment limits.
const (
	MaxAttachmentBytes      = 10 << 20
	MaxAttachmentsPerDoc    = 50
	CodeInvalidAttachment   = "INVALID_ATTACHMENT"
	CodeAttachmentNotFound  = "ATTACHMENT_NOT_FOUND"
	attachmentValidationMsg = "Attachment validation failed"
)

// AttachmentNotFound is the error for a missing (or another company's) file.
func AttachmentNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeAttachmentNotFound, fmt.Sprintf("Attachment with ID '%s' not found", id))
}

// AttachmentInput is one uploaded file.
type AttachmentInput struct {
	DocumentType attachment.DocumentType
	DocumentID   pulid.ID
	Filename     string
	ContentType  string
	Content      []byte
}

// documentExists reports whether the acting company has the document
// (and locks it, so the per-document cap holds under concurrent uploads).
func documentExists(ctx context.Context, c *ent.Client, typ attachment.DocumentType, id pulid.ID, lock bool) (bool, error) {
	var ids []pulid.ID
	var err error
	switch typ {
	case attachment.DocumentTypeQuote:
		q := c.Quote.Query().Where(quote.ID(id))
		if lock {
			q.ForUpdate()
		}
		ids, err = q.IDs(ctx)
	case attachment.DocumentTypeSalesOrder:
		q := c.SalesOrder.Query().Where(salesorder.ID(id))
		if lock {
			q.ForUpdate()
		}
		ids, err = q.IDs(ctx)
	case attachment.DocumentTypeInvoice:
		q := c.Invoice.Query().Where(invoice.ID(id))
		if lock {
			q.ForUpdate()
		}
		ids, err = q.IDs(ctx)
	case attachment.DocumentTypeNote:
		q := c.Note.Query().Where(note.ID(id))
		if lock {
			q.ForUpdate()
		}
		ids, err = q.IDs(ctx)
	}
	return len(ids) == 1, err
}

// documentNotFound answers for a missing document of typ.
func documentNotFound(typ attachment.DocumentType, id pulid.ID) error {
	switch typ {
	case attachment.DocumentTypeQuote:
		return QuoteNotFound(id)
	case attachment.DocumentTypeSalesOrder:
		return OrderNotFound(id)
	case attachment.DocumentTypeNote:
		return apperr.NotFound("NOTE_NOT_FOUND", fmt.Sprintf("Document or note with ID '%s' not found", id))
	default:
		return InvoiceNotFound(id)
	}
}

// AddAttachment stores a file on a document. Attachments may be added to a
// document in any state: they do not change what it says.
func AddAttachment(ctx context.Context, in AttachmentInput) (*ent.Attachment, error) {
	name := strings.TrimSpace(filepath.Base(strings.ReplaceAll(in.Filename, "\\", "/")))
	var d apperr.Details
	if name == "" || name == "." || name == "/" {
		d.Add("file", "A filename is required")
	} else if len([]rune(name)) > 255 {
		d.Add("file", "Filename must be at most 255 characters")
	}
	if len(in.Content) == 0 {
		d.Add("file", "The file is empty")
	}
	if len(in.Content) > MaxAttachmentBytes {
		d.Add("file", "Files must be at most %d MiB", MaxAttachmentBytes>>20)
	}
	ct := in.ContentType
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt == "" {
		ct = "application/octet-stream"
	} else {
		ct = mt
	}
	if err := d.Err(CodeInvalidAttachment, attachmentValidationMsg); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(in.Content)
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Attachment, error) {
		ok, err := documentExists(ctx, c, in.DocumentType, in.DocumentID, true)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, documentNotFound(in.DocumentType, in.DocumentID)
		}
		n, err := c.Attachment.Query().Where(attachment.DocumentID(in.DocumentID)).Count(ctx)
		if err != nil {
			return nil, err
		}
		if n >= MaxAttachmentsPerDoc {
			return nil, apperr.Validation(CodeInvalidAttachment, attachmentValidationMsg,
				apperr.Detail{Field: "file", Message: fmt.Sprintf("A document holds at most %d attachments", MaxAttachmentsPerDoc)})
		}
		create := c.Attachment.Create().SetDocumentType(in.DocumentType).SetDocumentID(in.DocumentID).
			SetFilename(name).SetContentType(ct).SetSize(int64(len(in.Content))).
			SetSha256(hex.EncodeToString(sum[:])).SetContent(in.Content)
		if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
			create.SetCreatedByID(p.UserID)
		}
		a, err := create.Save(ctx)
		if err != nil {
			return nil, err
		}
		a.Content = nil
		return a, nil
	})
}

// metadataColumns are every attachment column but the content.
var metadataColumns = []string{attachment.FieldID, attachment.FieldCreatedAt, attachment.FieldUpdatedAt, attachment.FieldCompanyID,
	attachment.FieldDocumentType, attachment.FieldDocumentID, attachment.FieldFilename, attachment.FieldContentType,
	attachment.FieldSize, attachment.FieldSha256, attachment.FieldCreatedByID}

// AttachmentsOf lists the attachments (without content) of documents, by
// document id, with one query.
func AttachmentsOf(ctx context.Context, ids ...pulid.ID) (map[pulid.ID][]*ent.Attachment, error) {
	out := map[pulid.ID][]*ent.Attachment{}
	if len(ids) == 0 {
		return out, nil
	}
	list, err := store.Client(ctx).Attachment.Query().Where(attachment.DocumentIDIn(ids...)).
		Order(ent.Asc(attachment.FieldCreatedAt), ent.Asc(attachment.FieldID)).Select(metadataColumns...).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range list {
		out[a.DocumentID] = append(out[a.DocumentID], a)
	}
	return out, nil
}

// GetAttachment loads one attachment; withContent includes the bytes.
func GetAttachment(ctx context.Context, id pulid.ID, withContent bool) (*ent.Attachment, error) {
	q := store.Client(ctx).Attachment.Query().Where(attachment.ID(id))
	if !withContent {
		q.Select(metadataColumns...)
	}
	a, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, AttachmentNotFound(id)
	}
	return a, err
}

// DeleteAttachment removes an attachment.
func DeleteAttachment(ctx context.Context, id pulid.ID) (pulid.ID, error) {
	_, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (store.Done, error) {
		err := c.Attachment.DeleteOneID(id).Exec(ctx)
		if ent.IsNotFound(err) {
			return store.Done{}, AttachmentNotFound(id)
		}
		return store.Done{}, err
	})
	return id, err
}

// DocumentAttachments lists a document's attachments; the document kind
// comes from its id, and a missing document is NOT_FOUND.
func DocumentAttachments(ctx context.Context, id pulid.ID) ([]*ent.Attachment, error) {
	kinds := map[string]attachment.DocumentType{"quote": attachment.DocumentTypeQuote, "so": attachment.DocumentTypeSalesOrder, "inv": attachment.DocumentTypeInvoice}
	typ, ok := kinds[id.Prefix()]
	if !ok {
		return nil, apperr.Validation("VALIDATION_ERROR", "Not a document id", apperr.Detail{Field: "documentId", Message: "Must be a quote, sales order or invoice id"})
	}
	ok, err := documentExists(ctx, store.Client(ctx), typ, id, false)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, documentNotFound(typ, id)
	}
	m, err := AttachmentsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	if m[id] == nil {
		return []*ent.Attachment{}, nil
	}
	return m[id], nil
}
