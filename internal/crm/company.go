package crm

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // logo formats
	_ "image/png"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/company"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/ratelimit"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// CodeInvalidCompany is the validation code of company updates.
const CodeInvalidCompany = "VALIDATION_ERROR"

// CurrentCompany loads the caller's company.
func CurrentCompany(ctx context.Context) (*ent.Company, error) {
	id, ok := tenant.CompanyID(ctx)
	if !ok {
		return nil, apperr.Unauthenticated("No company")
	}
	return store.Client(ctx).Company.Get(ctx, id)
}

// CompanyPatch changes the caller's company: a nil field is kept. Plan ""
// (or "default") clears the plan: the server's default limits apply.
type CompanyPatch struct {
	Name         *string
	Timezone     *string
	BaseCurrency *string
	Plan         *string
	// What documents print and emails come from ("" clears).
	Email, Phone, TaxNumber *string
	Address                 *types.Address
	// Logo is a PNG or JPEG (at most 1 MiB); an empty one removes it.
	Logo *[]byte
	// ReminderSchedule is the days from the due date payment reminders
	// go out on (negative: before it); empty restores the default.
	ReminderSchedule *[]int
	// ReminderRepeatDays repeats reminders every N days after the
	// schedule's last day (0: no repeats).
	ReminderRepeatDays *int
	// EmailTemplates words the company's emails its own way, by kind
	// (invoice, quote, reminder, overdue); a nil template restores the
	// default of its kind.
	EmailTemplates map[string]*sales.EmailTemplate
}

// MaxLogoBytes bounds an uploaded logo.
const MaxLogoBytes = 1 << 20

// UpdateCompany applies p to the caller's company in one statement.
func UpdateCompany(ctx context.Context, p CompanyPatch) (*ent.Company, error) {
	co, err := CurrentCompany(ctx)
	if err != nil {
		return nil, err
	}
	var d apperr.Details
	if p.Name != nil {
		*p.Name = strings.TrimSpace(*p.Name)
		if *p.Name == "" {
			d.Add("name", "Name is required")
		}
		checkLen(&d, "name", p.Name, 200)
	}
	if p.Timezone != nil {
		if _, err := time.LoadLocation(*p.Timezone); err != nil || *p.Timezone == "" || len(*p.Timezone) > 64 {
			d.Add("timezone", "Unknown time zone %q: use an IANA name such as Asia/Kuala_Lumpur", *p.Timezone)
		}
	}
	if p.BaseCurrency != nil && !strings.EqualFold(*p.BaseCurrency, co.BaseCurrency) {
		d.Add("baseCurrency", "The base currency cannot change: the ledger is kept in %s", co.BaseCurrency)
	}
	var plan *company.Plan
	clearPlan := false
	if p.Plan != nil {
		switch v := strings.ToLower(strings.TrimSpace(*p.Plan)); v {
		case "", "default":
			clearPlan = true
		default:
			if _, err := ratelimit.Lookup(v); err != nil {
				d.Add("plan", "%s", err.Error())
			} else {
				pl := company.Plan(v)
				plan = &pl
			}
		}
	}
	if p.Email != nil && *p.Email != "" {
		checkEmail(&d, "email", p.Email)
	}
	checkLen(&d, "email", p.Email, 254)
	checkLen(&d, "phone", p.Phone, 50)
	checkLen(&d, "taxNumber", p.TaxNumber, 50)
	var logoType string
	if p.Logo != nil && len(*p.Logo) > 0 {
		switch {
		case len(*p.Logo) > MaxLogoBytes:
			d.Add("file", "The logo is %d bytes; at most %d", len(*p.Logo), MaxLogoBytes)
		default:
			if _, kind, err := image.DecodeConfig(bytes.NewReader(*p.Logo)); err != nil || (kind != "png" && kind != "jpeg") {
				d.Add("file", "The logo must be a PNG or JPEG image")
			} else {
				logoType = "image/" + kind
			}
		}
	}
	var schedule []int
	if p.ReminderSchedule != nil {
		var err error
		if schedule, err = sales.CheckReminderSchedule(*p.ReminderSchedule); err != nil {
			if ae, ok := err.(*apperr.Error); ok {
				d = append(d, ae.Details...)
			}
		}
	}
	if p.ReminderRepeatDays != nil {
		if err := sales.CheckReminderRepeat(*p.ReminderRepeatDays); err != nil {
			if ae, ok := err.(*apperr.Error); ok {
				d = append(d, ae.Details...)
			}
		}
	}
	if p.EmailTemplates != nil {
		if err := sales.CheckEmailTemplates(p.EmailTemplates); err != nil {
			if ae, ok := err.(*apperr.Error); ok {
				d = append(d, ae.Details...)
			}
		}
	}
	if len(d) > 0 {
		return nil, d.Err(CodeInvalidCompany, "Invalid company data")
	}
	u := store.Client(ctx).Company.UpdateOneID(co.ID).SetNillableName(p.Name).SetNillableTimezone(p.Timezone).SetNillablePlan(plan)
	for _, f := range []struct {
		v   *string
		set func(string) *ent.CompanyUpdateOne
		clr func() *ent.CompanyUpdateOne
	}{{p.Email, u.SetEmail, u.ClearEmail}, {p.Phone, u.SetPhone, u.ClearPhone}, {p.TaxNumber, u.SetTaxNumber, u.ClearTaxNumber}} {
		if f.v == nil {
			continue
		}
		if v := strings.TrimSpace(*f.v); v != "" {
			f.set(v)
		} else {
			f.clr()
		}
	}
	if p.Address != nil {
		u.SetAddress(*p.Address)
	}
	if p.ReminderSchedule != nil || p.EmailTemplates != nil || p.ReminderRepeatDays != nil {
		settings := map[string]any{}
		for k, v := range co.Settings {
			settings[k] = v
		}
		if p.ReminderSchedule != nil {
			if len(schedule) == 0 {
				delete(settings, sales.ReminderScheduleKey)
			} else {
				settings[sales.ReminderScheduleKey] = schedule
			}
		}
		if p.ReminderRepeatDays != nil {
			if *p.ReminderRepeatDays == 0 {
				delete(settings, sales.ReminderRepeatKey)
			} else {
				settings[sales.ReminderRepeatKey] = *p.ReminderRepeatDays
			}
		}
		if p.EmailTemplates != nil {
			own := map[string]any{}
			if m, ok := settings[sales.EmailTemplatesKey].(map[string]any); ok {
				for k, v := range m {
					own[k] = v
				}
			}
			for kind, t := range p.EmailTemplates {
				if t == nil {
					delete(own, kind)
				} else {
					own[kind] = map[string]any{"subject": t.Subject, "body": t.Body}
				}
			}
			settings[sales.EmailTemplatesKey] = own
		}
		u.SetSettings(settings)
	}
	if p.Logo != nil {
		if len(*p.Logo) == 0 {
			u.ClearLogo().ClearLogoContentType()
		} else {
			u.SetLogo(*p.Logo).SetLogoContentType(logoType)
		}
	}
	if clearPlan {
		u.ClearPlan()
	}
	out, err := u.Save(ctx)
	if err == nil && p.Timezone != nil {
		// "Today" of documents follows the new zone at once.
		sales.ForgetLocation(out.ID)
	}
	return out, err
}
