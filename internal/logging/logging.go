// Package logging builds the process logger: JSON (or text) lines on which
// every record logged with a request's context carries that request's id.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/bigledger/bigledger/internal/reqid"
)

// New returns a logger writing format ("json" or "text") at level.
func New(w io.Writer, level slog.Level, format string) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch format {
	case "json", "":
		h = slog.NewJSONHandler(w, opts)
	case "text":
		h = slog.NewTextHandler(w, opts)
	default:
		return nil, fmt.Errorf("LOG_FORMAT must be json or text, got %q", format)
	}
	return slog.New(requestIDs{h}), nil
}

// requestIDs adds requestId to every record logged with a context that
// carries one (and does not name it already).
type requestIDs struct{ slog.Handler }

func (h requestIDs) Handle(ctx context.Context, r slog.Record) error {
	if id := reqid.From(ctx); id != "" {
		named := false
		r.Attrs(func(a slog.Attr) bool {
			named = a.Key == "requestId"
			return !named
		})
		if !named {
			r = r.Clone()
			r.AddAttrs(slog.String("requestId", id))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDs) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDs{h.Handler.WithAttrs(as)}
}

func (h requestIDs) WithGroup(name string) slog.Handler {
	return requestIDs{h.Handler.WithGroup(name)}
}
