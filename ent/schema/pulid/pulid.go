// Package pulid implements BigLedger's public identifiers: a short type
// prefix, an underscore and a ULID ("cust_01JD7Q…"). The same string is the
// database primary key, the REST id and the Relay node id, so it must sort
// by creation time, be unguessable enough not to enumerate, and say its type.
package pulid

import (
	"crypto/rand"
	"database/sql/driver"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// ID is a prefixed ULID such as "cust_01JD7Q2Y3M4N5P6Q7R8S9T0V1W".
type ID string

// ErrMalformed is wrapped by every parse error so callers can map it to a
// validation error rather than a server error.
var ErrMalformed error = malformed{}

type malformed struct{}

func (malformed) Error() string { return "malformed id" }

// InvalidInput marks the error as the client's (see apperr).
func (malformed) InvalidInput() {}

var (
	entropyMu sync.Mutex
	entropy   io.Reader = ulid.Monotonic(rand.Reader, 0)
)

// New returns a fresh ID with the given prefix (without the underscore).
func New(prefix string) ID {
	entropyMu.Lock()
	u := ulid.MustNew(ulid.Timestamp(time.Now()), entropy)
	entropyMu.Unlock()
	return ID(prefix + "_" + u.String())
}

// Prefix returns the type prefix of the id ("cust" for "cust_01…").
func (id ID) Prefix() string {
	p, _, ok := strings.Cut(string(id), "_")
	if !ok {
		return ""
	}
	return p
}

// String implements fmt.Stringer.
func (id ID) String() string { return string(id) }

// Parse validates s as an ID: a known-shaped prefix, an underscore and a
// 26-character Crockford base32 ULID. It does not check the prefix against
// the entity registry; the caller that knows the expected type does that.
func Parse(s string) (ID, error) {
	prefix, rest, ok := strings.Cut(s, "_")
	if !ok || prefix == "" || len(prefix) > 12 {
		return "", fmt.Errorf("%w: %q", ErrMalformed, truncate(s))
	}
	for _, r := range prefix {
		if r < 'a' || r > 'z' {
			return "", fmt.Errorf("%w: %q", ErrMalformed, truncate(s))
		}
	}
	if _, err := ulid.ParseStrict(rest); err != nil {
		return "", fmt.Errorf("%w: %q", ErrMalformed, truncate(s))
	}
	return ID(s), nil
}

// ParseWithPrefix parses s and requires the given type prefix.
func ParseWithPrefix(s, prefix string) (ID, error) {
	id, err := Parse(s)
	if err != nil {
		return "", err
	}
	if id.Prefix() != prefix {
		return "", fmt.Errorf("%w: %q is not a %s_ id", ErrMalformed, truncate(s), prefix)
	}
	return id, nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// Scan implements sql.Scanner.
func (id *ID) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*id = ""
	case string:
		*id = ID(v)
	case []byte:
		*id = ID(string(v))
	case ID:
		*id = v
	default:
		return fmt.Errorf("pulid: unexpected type %T", src)
	}
	return nil
}

// Value implements driver.Valuer.
func (id ID) Value() (driver.Value, error) { return string(id), nil }

// UnmarshalGQL implements graphql.Unmarshaler: a malformed id is rejected
// while the request is decoded, so it surfaces as a validation error.
func (id *ID) UnmarshalGQL(v any) error {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case ID:
		s = string(x)
	default:
		return fmt.Errorf("%w: expected a string id, got %T", ErrMalformed, v)
	}
	parsed, err := Parse(s)
	if err != nil {
		return err
	}
	*id = parsed
	return nil
}

// MarshalGQL implements graphql.Marshaler.
func (id ID) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(id)))
}
