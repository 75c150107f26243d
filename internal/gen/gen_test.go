package gen

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"

	"github.com/steward-crm/steward"
)

// generate runs Generate into memory and fails the test on error.
func generate(t testing.TB, opts Options) (out, truth []byte) {
	t.Helper()
	var o, tr bytes.Buffer
	if err := Generate(context.Background(), opts, &o, &tr, nil); err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	return o.Bytes(), tr.Bytes()
}

// readCSV parses b and fails the test if it is not valid CSV.
func readCSV(t testing.TB, b []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = 0
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("output is not valid CSV: %v", err)
	}
	return rows
}

func TestGenerateIsDeterministic(t *testing.T) {
	opts := Options{N: 20000, Seed: 42, DupRate: 0.3}
	a, at := generate(t, opts)
	b, bt := generate(t, opts)
	if !bytes.Equal(a, b) || !bytes.Equal(at, bt) {
		t.Fatal("same options gave different output")
	}
	opts.Seed = 43
	c, _ := generate(t, opts)
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same output")
	}
}

func TestGenerateHeaderAndTruth(t *testing.T) {
	const n = 10000
	out, truth := generate(t, Options{N: n, Seed: 7, DupRate: 0.3})
	rows := readCSV(t, out)
	if !slices.Equal(rows[0], steward.CanonicalColumns()) {
		t.Fatalf("header %v, want %v", rows[0], steward.CanonicalColumns())
	}
	if len(rows)-1 != n {
		t.Fatalf("%d records, want %d", len(rows)-1, n)
	}
	trows := readCSV(t, truth)
	if !slices.Equal(trows[0], []string{"id", "entity_id"}) {
		t.Fatalf("truth header %v", trows[0])
	}
	entity := map[string]string{}
	for _, tr := range trows[1:] {
		if _, dup := entity[tr[0]]; dup {
			t.Fatalf("id %s twice in truth", tr[0])
		}
		entity[tr[0]] = tr[1]
	}
	for i, r := range rows[1:] {
		if _, ok := entity[r[0]]; !ok {
			t.Fatalf("record %d id %q not in truth", i+1, r[0])
		}
		delete(entity, r[0])
	}
	if len(entity) != 0 {
		t.Fatalf("%d truth ids without a record", len(entity))
	}
}
