// Package apperr is BigLedger's one error catalogue. Domain code returns
// *Error values; everything else (ent, lib/pq, parse errors) is translated
// by From. The GraphQL error presenter and the REST envelope both render
// from here, so a failure reads the same on both faces and driver text never
// reaches a client.
package apperr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"entgo.io/ent/privacy"
	"github.com/lib/pq"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema"
	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Kind classifies an error; it decides the HTTP status.
type Kind int

// The kinds of error.
const (
	KindInternal Kind = iota
	KindValidation
	KindUnauthenticated
	KindPermissionDenied
	KindNotFound
	KindConflict
	KindInvalidState
	KindRateLimited
	// KindUnavailable: the request ran out of time (503) or its client
	// went away (499, never seen by anyone).
	KindUnavailable
)

// Detail names one offending field. A few seed errors carry other
// structured details (QUOTE_CONVERSION_FAILED: quoteId, validUntil,
// currentDate); those go in Data and are rendered beside field/message.
type Detail struct {
	Field   string         `json:"field,omitempty"`
	Message string         `json:"message,omitempty"`
	Data    map[string]any `json:"-"`
}

// MarshalJSON renders field and message with any Data keys.
func (d Detail) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(d.Data)+2)
	for k, v := range d.Data {
		m[k] = v
	}
	if d.Field != "" {
		m["field"] = d.Field
	}
	if d.Message != "" {
		m["message"] = d.Message
	}
	return json.Marshal(m)
}

// Error is a client-presentable error.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Details []Detail
	// Status overrides the HTTP status derived from Kind (seed-specific
	// codes such as QUOTE_CONVERSION_FAILED answer 422).
	Status int
	cause  error
}

func (e *Error) Error() string {
	if len(e.Details) == 0 {
		return e.Code + ": " + e.Message
	}
	parts := make([]string, len(e.Details))
	for i, d := range e.Details {
		parts[i] = d.Field + ": " + d.Message
	}
	return e.Code + ": " + e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// HTTPStatus returns the status a REST response carries.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	switch e.Kind {
	case KindValidation:
		return http.StatusBadRequest
	case KindUnauthenticated:
		return http.StatusUnauthorized
	case KindPermissionDenied:
		return http.StatusForbidden
	case KindNotFound:
		return http.StatusNotFound
	case KindConflict:
		return http.StatusConflict
	case KindInvalidState:
		return http.StatusUnprocessableEntity
	case KindRateLimited:
		return http.StatusTooManyRequests
	case KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// Validation returns a VALIDATION_ERROR-kind error with a specific code.
func Validation(code, message string, details ...Detail) *Error {
	return &Error{Kind: KindValidation, Code: code, Message: message, Details: details}
}

// NotFound returns a not-found error with a specific code ("CUSTOMER_NOT_FOUND").
func NotFound(code, message string) *Error {
	return &Error{Kind: KindNotFound, Code: code, Message: message}
}

// Conflict returns a conflict error.
func Conflict(code, message string, details ...Detail) *Error {
	return &Error{Kind: KindConflict, Code: code, Message: message, Details: details}
}

// InvalidState returns an error for a transition a lifecycle forbids.
func InvalidState(code, message string, details ...Detail) *Error {
	return &Error{Kind: KindInvalidState, Code: code, Message: message, Details: details}
}

// Unauthenticated returns AUTHENTICATION_FAILED.
func Unauthenticated(message string) *Error {
	return &Error{Kind: KindUnauthenticated, Code: "AUTHENTICATION_FAILED", Message: message}
}

// PermissionDenied returns PERMISSION_DENIED.
func PermissionDenied(message string) *Error {
	return &Error{Kind: KindPermissionDenied, Code: "PERMISSION_DENIED", Message: message}
}

// Internal wraps an unexpected error; its text is never shown to clients.
func Internal(cause error) *Error {
	return &Error{Kind: KindInternal, Code: "INTERNAL_ERROR", Message: "An internal error occurred", cause: cause}
}

// Timeout is a request stopped by its time budget (the request timeout,
// which cancels its SQL statement).
func Timeout() *Error {
	return &Error{Kind: KindUnavailable, Code: "REQUEST_TIMEOUT", Message: "The request took too long and was stopped"}
}

// Details collects field problems during validation.
type Details []Detail

// Add records a problem with field.
func (d *Details) Add(field, format string, args ...any) {
	*d = append(*d, Detail{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was recorded, else a validation error.
func (d Details) Err(code, message string) error {
	if len(d) == 0 {
		return nil
	}
	return Validation(code, message, d...)
}

// From translates any error into an *Error. notFoundCode names the entity
// the caller was working on, for ent's not-found errors.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var enf *schema.EdgeNotFoundError
	if errors.As(err, &enf) {
		return Validation("VALIDATION_ERROR", "Referenced record not found",
			Detail{Field: FieldName(enf.Edge) + "Id", Message: fmt.Sprintf("%s %q not found", enf.Edge, enf.ID)})
	}
	var ie interface{ InvalidInput() }
	if errors.As(err, &ie) {
		field := "id"
		var named interface{ InputField() string }
		switch {
		case errors.As(err, &named):
			field = named.InputField()
		case !errors.Is(err, pulid.ErrMalformed):
			field = "input"
		}
		return Validation("VALIDATION_ERROR", "Invalid input", Detail{Field: field, Message: err.Error()})
	}
	if ent.IsNotFound(err) {
		return NotFound("NOT_FOUND", "Not found")
	}
	var ve *ent.ValidationError
	if errors.As(err, &ve) {
		return Validation("VALIDATION_ERROR", "Validation failed",
			Detail{Field: FieldName(ve.Name), Message: "is invalid"})
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Timeout()
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Kind: KindUnavailable, Code: "CLIENT_CLOSED_REQUEST", Message: "The client closed the request", Status: 499, cause: err}
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code.Name() {
		case "query_canceled":
			return Timeout()
		case "unique_violation":
			return Conflict("CONFLICT", "A record with the same unique value already exists")
		case "foreign_key_violation":
			return Validation("VALIDATION_ERROR", "Referenced record not found")
		case "check_violation", "not_null_violation", "numeric_value_out_of_range", "string_data_right_truncation":
			return Validation("VALIDATION_ERROR", "Value out of range")
		case "serialization_failure", "deadlock_detected":
			return Conflict("CONFLICT", "Concurrent update, please retry")
		}
	}
	if ent.IsConstraintError(err) {
		return Conflict("CONFLICT", "The change conflicts with existing data")
	}
	if errors.Is(err, privacy.Deny) {
		return Internal(err)
	}
	return Internal(err)
}

// FieldName turns a snake_case ent field name into the API's camelCase.
func FieldName(s string) string {
	var b strings.Builder
	up := false
	for i, r := range s {
		switch {
		case r == '_':
			up = true
		case up:
			b.WriteRune(unicode.ToUpper(r))
			up = false
		case i == 0:
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// RenameFields returns err with its details' fields renamed by names (a
// field "a.0" follows "a"): one workflow's errors in another API
// dialect's field names. Other errors pass unchanged.
func RenameFields(err error, names map[string]string) error {
	var e *Error
	if !errors.As(err, &e) || len(e.Details) == 0 {
		return err
	}
	out := *e
	out.Details = make([]Detail, len(e.Details))
	for i, d := range e.Details {
		head, tail, dotted := strings.Cut(d.Field, ".")
		if n, ok := names[head]; ok {
			d.Field = n
			if dotted {
				d.Field += "." + tail
			}
		}
		out.Details[i] = d
	}
	return &out
}
