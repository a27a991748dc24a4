package rest

import (
	"net/http"
	"time"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
)

// contactActivity is seed 003's ContactActivity: one event of the
// contact or of one of its documents, from the events log.
type contactActivity struct {
	ID          pulid.ID       `json:"id"`
	Description string         `json:"description"`
	Event       string         `json:"event"`
	LogName     string         `json:"log_name"`
	CreatedAt   time.Time      `json:"created_at"`
	Causer      *causerV1      `json:"causer"`
	Properties  map[string]any `json:"properties"`
}

type causerV1 struct {
	ID   pulid.ID `json:"id"`
	Name string   `json:"name"`
}

type activityData struct {
	ContactID  pulid.ID          `json:"contact_id"`
	Activities []contactActivity `json:"activities"`
}

type activityMeta struct {
	laravelMeta
	Q *string `json:"q"`
}

type activityBody struct {
	Data activityData `json:"data"`
	Meta activityMeta `json:"meta"`
}

func (a *API) contactActivities(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	q := r.URL.Query()
	var d apperr.Details
	search := checkQ(&d, q)
	checkFormat(&d, q)
	pg := parseLaravelPage(&d, q, 20)
	if err := d.Err(contactCode, customerValidationMessage); err != nil {
		return result{}, err
	}
	page, err := crm.Activities(r.Context(), id, search, pg.offset(), pg.perPage)
	if err != nil {
		return result{}, err
	}
	rows := make([]contactActivity, len(page.Rows))
	for i, ev := range page.Rows {
		rows[i] = contactActivity{ID: ev.ID, Description: ev.Description, Event: ev.Type, LogName: ev.LogName,
			CreatedAt: ev.CreatedAt.UTC(), Properties: ev.Payload}
		if ev.ActorID != "" {
			rows[i].Causer = &causerV1{ID: ev.ActorID, Name: ev.ActorName}
		}
	}
	meta := activityMeta{laravelMeta: pg.meta(page.Total)}
	if search != "" {
		meta.Q = &search
	}
	res := pg.result(rows, activityBody{Data: activityData{ContactID: id, Activities: rows}, Meta: meta}, page.Total)
	return res, nil
}
