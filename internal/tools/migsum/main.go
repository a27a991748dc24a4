// Command migsum rewrites ent/migrate/migrations/atlas.sum after a
// hand-written migration (such as the event_seq sequence, which ent cannot
// declare) is added. Usage: go run ./internal/tools/migsum
package main

import (
	"log"

	"ariga.io/atlas/sql/migrate"
)

func main() {
	d, err := migrate.NewLocalDir("ent/migrate/migrations")
	if err != nil {
		log.Fatal(err)
	}
	sum, err := d.Checksum()
	if err != nil {
		log.Fatal(err)
	}
	if err := migrate.WriteSumFile(d, sum); err != nil {
		log.Fatal(err)
	}
}
