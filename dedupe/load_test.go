package dedupe

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

// labelled is a labelled data set: records and each record's true entity.
type labelled struct {
	records []steward.Record
	truth   []string
}

// readCSV reads a CSV file with a header into maps of trimmed values.
func readCSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, row := range rows[1:] {
		m := make(map[string]string)
		for k, h := range rows[0] {
			m[strings.TrimSpace(h)] = strings.TrimSpace(row[k])
		}
		out = append(out, m)
	}
	return out
}

// loadFEBRL reads a FEBRL file: street_number and address_1 make the
// street line, suburb is the city; soc_sec_id is left out; the truth is the
// N of rec-N-org / rec-N-dup-K.
func loadFEBRL(t testing.TB, path string) labelled {
	var d labelled
	for _, m := range readCSV(t, path) {
		d.records = append(d.records, steward.Record{
			SourceID:     m["rec_id"],
			FirstName:    m["given_name"],
			LastName:     m["surname"],
			AddressLine1: strings.TrimSpace(m["street_number"] + " " + m["address_1"]),
			AddressLine2: m["address_2"],
			City:         m["suburb"],
			PostalCode:   m["postcode"],
			Region:       m["state"],
			BirthDate:    m["date_of_birth"],
		})
		parts := strings.Split(m["rec_id"], "-")
		d.truth = append(d.truth, parts[1])
	}
	return d
}

// loadSplink reads the Splink fake_1000 sample; the truth is "cluster".
func loadSplink(t testing.TB, path string) labelled {
	var d labelled
	for _, m := range readCSV(t, path) {
		d.records = append(d.records, steward.Record{
			SourceID:  m["unique_id"],
			FirstName: m["first_name"],
			LastName:  m["surname"],
			BirthDate: m["dob"],
			City:      m["city"],
			Email:     m["email"],
		})
		d.truth = append(d.truth, m["cluster"])
	}
	return d
}
