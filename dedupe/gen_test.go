package dedupe

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"testing"

	"github.com/steward-crm/steward/internal/gen"
	"github.com/steward-crm/steward/internal/records"
)

// generated makes n mixed-locale customers with internal/gen and returns
// them with their true entities. National ids are blanked: the accuracy
// targets are measured without them.
func generated(t testing.TB, n int, seed uint64) labelled {
	t.Helper()
	var out, truth bytes.Buffer
	opts := gen.Options{N: n, Seed: seed, DupRate: gen.DefaultDupRate, Locale: gen.LocaleMixed}
	if err := gen.Generate(context.Background(), opts, &out, &truth, nil); err != nil {
		t.Fatal(err)
	}
	rd, err := records.NewReader(&out, records.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var d labelled
	for {
		r, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		r.NationalID = ""
		d.records = append(d.records, r)
	}
	entity := make(map[string]string, n)
	rows, err := csv.NewReader(&truth).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		entity[row[0]] = row[1]
	}
	for _, r := range d.records {
		d.truth = append(d.truth, entity[r.SourceID])
	}
	return d
}
