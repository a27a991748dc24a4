package crm

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/attachment"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/note"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/user"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/store"
)

// Codes and limits of documents and notes (seed 003).
const (
	CodeInvalidNote  = "INVALID_NOTE_DATA"
	CodeNoteNotFound = "NOTE_NOT_FOUND"
	// MaxNoteFiles is how many files one request may attach.
	MaxNoteFiles   = 10
	noteValidation = "Note validation failed"
)

// NoteNotFound is the error for a missing, another company's or another
// user's private note.
func NoteNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeNoteNotFound, fmt.Sprintf("Document or note with ID '%s' not found", id))
}

// NoteInput is a note create or update: nil fields are kept; Files are
// appended as attachments.
type NoteInput struct {
	Heading          *string
	Description      *string
	ClearDescription bool
	IsPrivate        *bool
	Files            []sales.AttachmentInput
}

// Note is a note with its files (metadata only).
type Note struct {
	*ent.Note
	Files []*ent.Attachment
	// CreatedByName is the author's name (empty: unknown or an API key).
	CreatedByName string
}

// authorNames fills in the notes' author names with one query.
func authorNames(ctx context.Context, notes []Note) error {
	var ids []pulid.ID
	for _, n := range notes {
		if n.CreatedByID != nil {
			ids = append(ids, *n.CreatedByID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	users, err := store.Client(ctx).User.Query().Where(user.IDIn(ids...)).All(ctx)
	if err != nil {
		return err
	}
	names := map[pulid.ID]string{}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	for i := range notes {
		if id := notes[i].CreatedByID; id != nil {
			notes[i].CreatedByName = names[*id]
		}
	}
	return nil
}

// visible keeps the notes the caller may see: public ones, and private
// ones it wrote.
func visible(ctx context.Context) func(*sql.Selector) {
	user := ""
	if p, ok := auth.FromContext(ctx); ok {
		user = string(p.UserID)
	}
	return func(s *sql.Selector) {
		s.Where(sql.Or(sql.EQ(s.C(note.FieldIsPrivate), false), sql.EQ(s.C(note.FieldCreatedByID), user)))
	}
}

func (in *NoteInput) check(create bool) error {
	var d apperr.Details
	if in.Heading != nil {
		h := strings.TrimSpace(*in.Heading)
		in.Heading = &h
	}
	if (create && in.Heading == nil) || (in.Heading != nil && *in.Heading == "") {
		d.Add("heading", "The heading field is required")
	}
	checkLen(&d, "heading", in.Heading, 255)
	checkLen(&d, "description", in.Description, 65535)
	if len(in.Files) > MaxNoteFiles {
		d.Add("files", "At most %d files may be attached at once", MaxNoteFiles)
	}
	if !create && in.Heading == nil && in.Description == nil && !in.ClearDescription && in.IsPrivate == nil && len(in.Files) == 0 {
		return apperr.Validation(CodeInvalidNote, "No valid fields to update")
	}
	return d.Err(CodeInvalidNote, noteValidation)
}

// CreateNote writes a note on a customer with its files, in one
// transaction: a file that is refused leaves no note behind.
func CreateNote(ctx context.Context, customerID pulid.ID, in NoteInput) (Note, error) {
	if err := in.check(true); err != nil {
		return Note{}, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (Note, error) {
		if _, err := c.Customer.Query().Where(customer.ID(customerID)).ForShare().OnlyID(ctx); ent.IsNotFound(err) {
			return Note{}, CustomerNotFound(customerID)
		} else if err != nil {
			return Note{}, err
		}
		create := c.Note.Create().SetCustomerID(customerID).SetHeading(*in.Heading).SetNillableDescription(in.Description).
			SetNillableIsPrivate(in.IsPrivate)
		if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
			create.SetCreatedByID(p.UserID)
		}
		n, err := create.Save(ctx)
		if err != nil {
			return Note{}, err
		}
		return attachFiles(ctx, Note{Note: n}, in.Files)
	})
}

func attachFiles(ctx context.Context, n Note, files []sales.AttachmentInput) (Note, error) {
	for i, f := range files {
		f.DocumentType, f.DocumentID = attachment.DocumentTypeNote, n.ID
		if _, err := sales.AddAttachment(ctx, f); err != nil {
			return Note{}, renameFile(err, i)
		}
	}
	list, err := sales.AttachmentsOf(ctx, n.ID)
	if err != nil {
		return Note{}, err
	}
	n.Files = list[n.ID]
	one := []Note{n}
	if err := authorNames(ctx, one); err != nil {
		return Note{}, err
	}
	return one[0], nil
}

// renameFile names the refused file by its position (files.2).
func renameFile(err error, i int) error {
	ae := apperr.From(err)
	if len(ae.Details) == 0 {
		return err
	}
	c := *ae
	c.Details = make([]apperr.Detail, len(ae.Details))
	for j, d := range ae.Details {
		if d.Field == "file" {
			d.Field = fmt.Sprintf("files.%d", i)
		}
		c.Details[j] = d
	}
	return &c
}

// lockNote loads a visible note of the customer for update.
func lockNote(ctx context.Context, c *ent.Client, customerID, id pulid.ID) (*ent.Note, error) {
	n, err := c.Note.Query().Where(note.ID(id), note.CustomerID(customerID), visible(ctx)).ForUpdate().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, NoteNotFound(id)
	}
	return n, err
}

// UpdateNote changes a note and appends files, in one transaction.
func UpdateNote(ctx context.Context, customerID, id pulid.ID, in NoteInput) (Note, error) {
	if err := in.check(false); err != nil {
		return Note{}, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (Note, error) {
		n, err := lockNote(ctx, c, customerID, id)
		if err != nil {
			return Note{}, err
		}
		upd := c.Note.UpdateOne(n).SetNillableHeading(in.Heading).SetNillableDescription(in.Description).SetNillableIsPrivate(in.IsPrivate)
		if in.ClearDescription {
			upd.ClearDescription()
		}
		if n, err = upd.Save(ctx); err != nil {
			return Note{}, err
		}
		return attachFiles(ctx, Note{Note: n}, in.Files)
	})
}

// DeleteNote removes a note and its files.
func DeleteNote(ctx context.Context, customerID, id pulid.ID) error {
	_, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (store.Done, error) {
		n, err := lockNote(ctx, c, customerID, id)
		if err != nil {
			return store.Done{}, err
		}
		if _, err := c.Attachment.Delete().Where(attachment.DocumentID(n.ID)).Exec(ctx); err != nil {
			return store.Done{}, err
		}
		return store.Done{}, c.Note.DeleteOne(n).Exec(ctx)
	})
	return err
}

// GetNote loads one visible note of the customer with its files.
func GetNote(ctx context.Context, customerID, id pulid.ID) (Note, error) {
	if err := customerExists(ctx, customerID); err != nil {
		return Note{}, err
	}
	n, err := store.Client(ctx).Note.Query().Where(note.ID(id), note.CustomerID(customerID), visible(ctx)).Only(ctx)
	if ent.IsNotFound(err) {
		return Note{}, NoteNotFound(id)
	}
	if err != nil {
		return Note{}, err
	}
	return attachFiles(ctx, Note{Note: n}, nil)
}

// NoteVisible reports whether the caller may see note id (an
// attachment's download checks its note).
func NoteVisible(ctx context.Context, id pulid.ID) (bool, error) {
	return store.Client(ctx).Note.Query().Where(note.ID(id), visible(ctx)).Exist(ctx)
}

func customerExists(ctx context.Context, id pulid.ID) error {
	ok, err := store.Client(ctx).Customer.Query().Where(customer.ID(id)).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return CustomerNotFound(id)
	}
	return nil
}

// NotePage is a page of a customer's notes and the total.
type NotePage struct {
	Rows  []Note
	Total int
}

// Notes pages a customer's visible notes, newest first; search matches
// heading, description or the note id. Files load with one query.
func Notes(ctx context.Context, customerID pulid.ID, search string, offset, limit int) (NotePage, error) {
	if err := customerExists(ctx, customerID); err != nil {
		return NotePage{}, err
	}
	q := store.Client(ctx).Note.Query().Where(note.CustomerID(customerID), visible(ctx))
	if search != "" {
		pattern := store.ContainsPattern(search)
		q = q.Where(func(s *sql.Selector) {
			s.Where(sql.Or(store.ILike(s.C(note.FieldHeading), pattern), store.ILike(s.C(note.FieldDescription), pattern), sql.EQ(s.C(note.FieldID), search)))
		})
	}
	total, err := q.Clone().Count(ctx)
	if err != nil {
		return NotePage{}, err
	}
	list, err := q.Order(ent.Desc(note.FieldCreatedAt), ent.Desc(note.FieldID)).Offset(offset).Limit(limit).All(ctx)
	if err != nil {
		return NotePage{}, err
	}
	ids := make([]pulid.ID, len(list))
	for i, n := range list {
		ids[i] = n.ID
	}
	files, err := sales.AttachmentsOf(ctx, ids...)
	if err != nil {
		return NotePage{}, err
	}
	out := NotePage{Total: total, Rows: make([]Note, len(list))}
	for i, n := range list {
		out.Rows[i] = Note{Note: n, Files: files[n.ID]}
	}
	return out, authorNames(ctx, out.Rows)
}

// Unwrap detaches the note from the transaction that loaded it.
func (n Note) Unwrap() Note {
	n.Note = n.Note.Unwrap()
	return n
}
