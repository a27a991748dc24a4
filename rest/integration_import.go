package rest

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/contactimport"
	"github.com/bigledger/bigledger/internal/crm"
)

type importedV1 struct {
	Imported int `json:"imported"`
}

type importBody struct {
	Message string     `json:"message"`
	Data    importedV1 `json:"data"`
}

// importContacts answers seed 003 POST /contacts/import: the file in
// contacts_csv, all rows or none.
func (a *API) importContacts(r *http.Request) (result, error) {
	refuse := func(msg string) error {
		return apperr.Validation(crm.CodeImportFailed, msg, apperr.Detail{Field: "contacts_csv", Message: msg})
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return result{}, refuse("The contacts_csv file must be at most " + strconv.Itoa(contactimport.MaxBytes>>10) + " KB")
		}
		return result{}, refuse("Send multipart/form-data with the sheet in the contacts_csv field")
	}
	defer r.MultipartForm.RemoveAll()
	f, hdr, err := r.FormFile("contacts_csv")
	if err != nil {
		return result{}, refuse("The contacts_csv field is required")
	}
	defer f.Close()
	if hdr.Size > contactimport.MaxBytes {
		return result{}, refuse("The contacts_csv file must be at most " + strconv.Itoa(contactimport.MaxBytes>>10) + " KB")
	}
	sheet, err := contactimport.Open(hdr.Filename, f, hdr.Size)
	if err != nil {
		return result{}, err
	}
	defer sheet.Close()
	n, err := crm.ImportParties(r.Context(), contactimport.Rows(sheet))
	if err != nil {
		return result{}, err
	}
	out := importedV1{Imported: n}
	return result{status: http.StatusCreated, data: out, body: importBody{Message: "Contacts imported successfully", Data: out}}, nil
}

// importTemplate downloads the contact import template: CSV (default)
// or XLSX (?format=xlsx).
func (a *API) importTemplate(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	switch format {
	case "", "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="contacts_import_template.csv"`)
		format = "csv"
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="contacts_import_template.xlsx"`)
	default:
		WriteError(w, r, validationFor(crm.CodeInvalidCustomer, "format", "The selected format is invalid: use csv or xlsx"))
		return
	}
	_ = contactimport.WriteTemplate(w, format)
}
