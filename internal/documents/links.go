package documents

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/company"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/reqcache"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// LinkTTL is how long a signed document link opens its PDF.
const LinkTTL = 15 * time.Minute

// LinkPrefix is the path signed document links are served under.
const LinkPrefix = "/files/"

// Link is what a signed link opens.
type Link struct {
	// Kind is invoice, quote, refund or statement (ID is then the
	// customer's).
	Kind     string
	ID       pulid.ID
	Company  pulid.ID
	From, To string
	Expires  time.Time
}

// ErrBadLink is a link that is malformed, forged or expired.
var ErrBadLink = errors.New("documents: the link is invalid or expired")

type companyKey struct {
	key []byte
	id  pulid.ID
}

// linkKey is the acting company's link key, read once per request.
func linkKey(ctx context.Context) ([]byte, pulid.ID, error) {
	k, err := reqcache.Load(ctx, "documents.linkkey", func() (companyKey, error) {
		key, id, err := loadLinkKey(ctx)
		return companyKey{key, id}, err
	})
	return k.key, k.id, err
}

func loadLinkKey(ctx context.Context) ([]byte, pulid.ID, error) {
	co, err := crm.CurrentCompany(ctx)
	if err != nil {
		return nil, "", err
	}
	if co.LinkKey != nil && len(*co.LinkKey) >= 32 {
		return *co.LinkKey, co.ID, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, "", err
	}
	// First use: keep the first key written (another request may race).
	c := store.Client(ctx)
	if _, err := c.Company.Update().Where(company.ID(co.ID), company.LinkKeyIsNil()).SetLinkKey(key).Save(ctx); err != nil {
		return nil, "", err
	}
	co, err = c.Company.Get(ctx, co.ID)
	if err != nil {
		return nil, "", err
	}
	return *co.LinkKey, co.ID, nil
}

func sign(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// SignedPath returns a path that opens one of the acting company's
// documents for LinkTTL without credentials (a browser link, an <a href>
// in a front end): /files/<payload>.<signature>/<file name>.
func SignedPath(ctx context.Context, kind string, id pulid.ID, from, to *types.Date, name string) (string, error) {
	key, cid, err := linkKey(ctx)
	if err != nil {
		return "", err
	}
	parts := []string{kind, string(id), string(cid), "", "", strconv.FormatInt(time.Now().Add(LinkTTL).Unix(), 10)}
	if from != nil {
		parts[3] = from.String()
	}
	if to != nil {
		parts[4] = to.String()
	}
	payload := base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "|")))
	return LinkPrefix + payload + "." + sign(key, payload) + "/" + name, nil
}

// OpenLink checks a link token (the path segment after /files/) and
// returns what it opens; the company's key is read with client.
func OpenLink(ctx context.Context, client *ent.Client, token string) (*Link, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return nil, ErrBadLink
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, ErrBadLink
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 6 {
		return nil, ErrBadLink
	}
	exp, err := strconv.ParseInt(parts[5], 10, 64)
	if err != nil || time.Now().After(time.Unix(exp, 0)) {
		return nil, ErrBadLink
	}
	cid := pulid.ID(parts[2])
	co, err := client.Company.Get(tenant.WithCompany(ctx, cid), cid)
	if err != nil || co.LinkKey == nil {
		return nil, ErrBadLink
	}
	if !hmac.Equal([]byte(sign(*co.LinkKey, payload)), []byte(sig)) {
		return nil, ErrBadLink
	}
	return &Link{Kind: parts[0], ID: pulid.ID(parts[1]), Company: cid, From: parts[3], To: parts[4], Expires: time.Unix(exp, 0)}, nil
}

// Render renders what a link opens, in its company's context.
func (l *Link) Render(ctx context.Context) (*File, error) {
	switch l.Kind {
	case "invoice":
		return InvoicePDF(ctx, l.ID)
	case "quote":
		return QuotePDF(ctx, l.ID)
	case "refund":
		return CreditNotePDF(ctx, l.ID)
	case "statement":
		from, err := types.ParseDate(l.From)
		if err != nil {
			return nil, ErrBadLink
		}
		to, err := types.ParseDate(l.To)
		if err != nil {
			return nil, ErrBadLink
		}
		return StatementPDF(ctx, l.ID, from, to)
	}
	return nil, ErrBadLink
}
