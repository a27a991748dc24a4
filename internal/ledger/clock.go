package ledger

import "time"

// Clock returns the current time; tests replace it.
var Clock = time.Now

func timeLocation(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC, nil
	}
	return loc, nil
}
