package rest

import (
	"io"
	"net/http"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/ratelimit"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/store"
)

// companyV1 is GET /v1/company's data.
type companyV1 struct {
	ID           pulid.ID       `json:"id"`
	Name         string         `json:"name"`
	BaseCurrency string         `json:"baseCurrency"`
	Timezone     string         `json:"timezone"`
	Plan         *string        `json:"plan"`
	Email        *string        `json:"email"`
	Phone        *string        `json:"phone"`
	TaxNumber    *string        `json:"taxNumber"`
	Address      *types.Address `json:"address"`
	HasLogo      bool           `json:"hasLogo"`
	// ReminderSchedule is the days from the due date payment reminders go
	// out on (negative: before it).
	ReminderSchedule []int `json:"reminderSchedule"`
	// EmailTemplates are the subject and body of each kind of email
	// (invoice, quote, reminder, overdue): the company's own or the default.
	EmailTemplates map[string]sales.EmailTemplate `json:"emailTemplates"`
	// ReminderRepeatDays repeats reminders every N days after the
	// schedule's last day while unpaid (0: no repeats).
	ReminderRepeatDays int       `json:"reminderRepeatDays"`
	RateLimit          rateV1    `json:"rateLimit"`
	CreatedAt          time.Time `json:"createdAt"`
	UpdatedAt          time.Time `json:"updatedAt"`
}

// rateV1 is the limits a key of the company is metered by (0: no bound).
type rateV1 struct {
	Plan       string `json:"plan"`
	PerHour    int    `json:"requestsPerHour"`
	PerSecond  int    `json:"burstPerSecond"`
	Concurrent int    `json:"concurrent"`
	Limited    bool   `json:"limited"`
}

func rateOf(r *http.Request, co *ent.Company) rateV1 {
	p := ratelimit.DefaultFrom(r.Context())
	if co.Plan != nil {
		p = ratelimit.Plans[string(*co.Plan)]
	}
	name := p.Name
	if name == "" {
		name = "unlimited"
	}
	return rateV1{Plan: name, PerHour: p.PerHour, PerSecond: p.PerSecond, Concurrent: p.Concurrent, Limited: !p.Unlimited()}
}

func toCompanyV1(r *http.Request, co *ent.Company) companyV1 {
	out := companyV1{ID: co.ID, Name: co.Name, BaseCurrency: co.BaseCurrency, Timezone: co.Timezone,
		RateLimit: rateOf(r, co), CreatedAt: co.CreatedAt, UpdatedAt: co.UpdatedAt,
		Email: co.Email, Phone: co.Phone, TaxNumber: co.TaxNumber, Address: optAddress(co.Address), HasLogo: co.Logo != nil,
		ReminderSchedule: sales.ReminderSchedule(co), EmailTemplates: sales.EmailTemplates(co),
		ReminderRepeatDays: sales.ReminderRepeat(co)}
	if co.Plan != nil {
		p := string(*co.Plan)
		out.Plan = &p
	}
	return out
}

// verifyV1 is GET /v1/auth/verify's data: who the key is.
type verifyV1 struct {
	Valid     bool       `json:"valid"`
	KeyID     pulid.ID   `json:"keyId"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expiresAt"`
	Company   struct {
		ID   pulid.ID `json:"id"`
		Name string   `json:"name"`
	} `json:"company"`
	User struct {
		ID    pulid.ID `json:"id"`
		Name  string   `json:"name"`
		Email string   `json:"email"`
		Role  string   `json:"role"`
	} `json:"user"`
	RateLimit rateV1 `json:"rateLimit"`
}

// authVerify answers GET /v1/auth/verify: the calling key's company, user,
// scopes, expiry and rate limit (a bad key never gets here: 401).
func (a *API) authVerify(r *http.Request) (result, error) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		return result{}, apperr.Unauthenticated("Missing API key")
	}
	co, err := crm.CurrentCompany(r.Context())
	if err != nil {
		return result{}, err
	}
	u, err := store.Client(r.Context()).User.Get(r.Context(), p.UserID)
	if err != nil {
		return result{}, err
	}
	var out verifyV1
	out.Valid, out.KeyID, out.Scopes, out.ExpiresAt = true, p.KeyID, p.Scopes, p.ExpiresAt
	out.Company.ID, out.Company.Name = co.ID, co.Name
	out.User.ID, out.User.Name, out.User.Email, out.User.Role = u.ID, u.Name, u.Email, string(u.Role)
	out.RateLimit = rateOf(r, co)
	return result{status: http.StatusOK, data: out}, nil
}

func (a *API) getCompany(r *http.Request) (result, error) {
	co, err := crm.CurrentCompany(r.Context())
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toCompanyV1(r, co)}, nil
}

// companyRequest is PATCH /v1/company's body.
type companyRequest struct {
	Name         *string `json:"name"`
	Timezone     *string `json:"timezone"`
	BaseCurrency *string `json:"baseCurrency"`
	// Plan is free, starter, professional or enterprise; null or
	// "default" returns to the server's default limits.
	Plan *string `json:"plan"`
	// What documents print and emails come from: email is the sender
	// and reply-to of the company's emails ("" or null clears).
	Email     *string        `json:"email"`
	Phone     *string        `json:"phone"`
	TaxNumber *string        `json:"taxNumber"`
	Address   *types.Address `json:"address"`
	// ReminderSchedule: days from the due date (-60…365, at most 10) the
	// reminders of invoices sent with sendReminders go out on; [] or null
	// restores the default [-3, 0, 7, 14, 30].
	ReminderSchedule *[]int `json:"reminderSchedule"`
	// EmailTemplates sets kinds of email ({"invoice": {"subject": …,
	// "body": …}}); a kind set to null returns to the default. The tags
	// are those of the send routes plus {message}.
	EmailTemplates map[string]*sales.EmailTemplate `json:"emailTemplates"`
	// ReminderRepeatDays: 1–90 repeats reminders every that many days after
	// the schedule's last day, up to a year past due; 0 or null: no repeats.
	ReminderRepeatDays *int `json:"reminderRepeatDays"`
}

func (a *API) updateCompany(r *http.Request) (result, error) {
	var body companyRequest
	f, err := decodeBody(r, &body, crm.CodeInvalidCompany, "Invalid company data")
	if err != nil {
		return result{}, err
	}
	var d apperr.Details
	for _, k := range []string{"name", "timezone", "baseCurrency"} {
		if f.null[k] {
			d.Add(k, "%s cannot be null", k)
		}
	}
	if len(d) > 0 {
		return result{}, d.Err(crm.CodeInvalidCompany, "Invalid company data")
	}
	if f.null["plan"] {
		def := ""
		body.Plan = &def
	}
	empty := ""
	for k, p := range map[string]**string{"email": &body.Email, "phone": &body.Phone, "taxNumber": &body.TaxNumber} {
		if f.null[k] {
			*p = &empty
		}
	}
	patch := crm.CompanyPatch{Name: body.Name, Timezone: body.Timezone, BaseCurrency: body.BaseCurrency, Plan: body.Plan,
		Email: body.Email, Phone: body.Phone, TaxNumber: body.TaxNumber, ReminderSchedule: body.ReminderSchedule, EmailTemplates: body.EmailTemplates,
		ReminderRepeatDays: body.ReminderRepeatDays}
	if f.null["reminderRepeatDays"] {
		zero := 0
		patch.ReminderRepeatDays = &zero
	}
	if f.null["reminderSchedule"] {
		patch.ReminderSchedule = &[]int{}
	}
	if body.Address != nil {
		patch.Address = body.Address
	} else if f.null["address"] {
		patch.Address = &types.Address{}
	}
	co, err := crm.UpdateCompany(r.Context(), patch)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toCompanyV1(r, co)}, nil
}

// putCompanyLogo answers PUT /v1/company/logo: multipart/form-data with
// the PNG or JPEG in file (at most 1 MiB), printed on every PDF.
func (a *API) putCompanyLogo(r *http.Request) (result, error) {
	var d apperr.Details
	if err := r.ParseMultipartForm(crm.MaxLogoBytes + 64<<10); err != nil {
		d.Add("file", "Send multipart/form-data with the image in file (at most %d bytes)", crm.MaxLogoBytes)
		return result{}, d.Err(crm.CodeInvalidCompany, "Invalid company logo")
	}
	fh, _, err := r.FormFile("file")
	if err != nil {
		d.Add("file", "The image is required in the file field")
		return result{}, d.Err(crm.CodeInvalidCompany, "Invalid company logo")
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, crm.MaxLogoBytes+1))
	if err != nil {
		return result{}, err
	}
	if len(b) == 0 {
		d.Add("file", "The image is empty")
		return result{}, d.Err(crm.CodeInvalidCompany, "Invalid company logo")
	}
	co, err := crm.UpdateCompany(r.Context(), crm.CompanyPatch{Logo: &b})
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toCompanyV1(r, co)}, nil
}

// deleteCompanyLogo answers DELETE /v1/company/logo.
func (a *API) deleteCompanyLogo(r *http.Request) (result, error) {
	none := []byte{}
	co, err := crm.UpdateCompany(r.Context(), crm.CompanyPatch{Logo: &none})
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toCompanyV1(r, co)}, nil
}
