package sales

import (
	"net/mail"
	"sort"
	"strings"

	"github.com/bigledger/bigledger/internal/apperr"
)

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".")
}

func sortDetails(d apperr.Details) {
	sort.SliceStable(d, func(i, j int) bool { return d[i].Field < d[j].Field })
}
