package gen

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
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

func TestEachMatchesGenerate(t *testing.T) {
	opts := Options{N: 2*chunkSize + 17, Seed: 4, DupRate: 0.3}
	out, truth := generate(t, opts)
	rows := readCSV(t, out)[1:]
	trows := readCSV(t, truth)[1:]
	i := 0
	err := Each(context.Background(), opts, func(rec steward.Record, entityID string) error {
		for j, col := range steward.CanonicalColumns() {
			if got := rec.Get(col); got != rows[i][j] {
				t.Fatalf("record %d %s: Each %q, Generate %q", i, col, got, rows[i][j])
			}
		}
		if entityID != trows[i][1] {
			t.Fatalf("record %d: Each entity %q, truth %q", i, entityID, trows[i][1])
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != opts.N {
		t.Fatalf("Each gave %d records, want %d", i, opts.N)
	}
}

func TestEachStopsOnError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Each(context.Background(), Options{N: 5 * chunkSize, Seed: 1}, func(steward.Record, string) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Fatalf("Each returned %v after %d records", err, n)
	}
}

func TestGenerateZeroRecords(t *testing.T) {
	out, truth := generate(t, Options{N: 0, Seed: 1, DupRate: 0.3})
	if string(out) != strings.Join(steward.CanonicalColumns(), ",")+"\n" || string(truth) != "id,entity_id\n" {
		t.Fatalf("N=0 wrote %q and %q", out, truth)
	}
}

func TestNameListsAreSizeableAndSkewed(t *testing.T) {
	tb, err := newTables()
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]nameList{
		"en male": tb.enMale, "en female": tb.enFemale, "en last": tb.enLast,
		"fa male": tb.faMale, "fa female": tb.faFemale, "fa last": tb.faLast,
	}
	for name, l := range lists {
		if len(l.entries) < 150 {
			t.Errorf("%s: only %d names", name, len(l.entries))
		}
		share := func(i int) float64 {
			if i == 0 {
				return l.w[0]
			}
			return l.w[i] - l.w[i-1]
		}
		if top, mid := share(0), share(len(l.entries)/2); top < 5*mid {
			t.Errorf("%s: the most common name is only %.1f times as likely as the median one", name, top/mid)
		}
	}
	for _, e := range tb.faMale.entries {
		if len(e.parts) > 1 {
			continue
		}
		if e.parts[0] == "محمد" && !slices.Contains(e.latin, "Mohammad") || e.parts[0] == "حسین" && !slices.Contains(e.latin, "Hossein") {
			t.Errorf("%v lacks its usual transliteration: %v", e.parts, e.latin)
		}
	}
}

func TestGenerateReportsProgress(t *testing.T) {
	const n = 3*chunkSize + 5
	var seen []int
	err := Generate(context.Background(), Options{N: n, Seed: 2, DupRate: 0.3}, discard{}, nil, func(done int) {
		seen = append(seen, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 4 || seen[len(seen)-1] != n || !slices.IsSorted(seen) {
		t.Fatalf("progress calls %v, want four rising counts ending at %d", seen, n)
	}
}

// TestFamilyNamesHaveALongTail: the listed family names are the common
// ones, borne by about headShare of the people; the rest bear names from
// a long tail, so that the number of distinct family names keeps growing
// with the file and a name's namesakes grow more slowly than the file.
func TestFamilyNamesHaveALongTail(t *testing.T) {
	tb, err := newTables()
	if err != nil {
		t.Fatal(err)
	}
	for name, tail := range map[string]nameList{"en": tb.enTail, "fa": tb.faTail} {
		if len(tail.entries) < 3000 {
			t.Errorf("%s tail: only %d names", name, len(tail.entries))
		}
	}
	listed := map[string]bool{}
	for _, l := range []nameList{tb.enLast, tb.faLast} {
		for _, e := range l.entries {
			listed[strings.Join(e.parts, "")] = true
		}
	}
	for _, e := range tb.faTail.entries {
		if listed[strings.Join(e.parts, "")] {
			t.Errorf("tail name %v is a listed one too", e.parts)
		}
		if len(e.latin) == 0 || len(e.parts) != 2 {
			t.Fatalf("Persian tail name %v %v: want two parts and a transliteration", e.parts, e.latin)
		}
	}
	distinct := func(n int) (int, float64) {
		seen := map[string]bool{}
		head, all := 0, 0
		err := Each(context.Background(), Options{N: n, Seed: 3, DupRate: 0}, func(rec steward.Record, _ string) error {
			if rec.LastName == "" {
				return nil
			}
			seen[rec.LastName] = true
			all++
			if listed[strings.NewReplacer("\u200c", "", " ", "").Replace(rec.LastName)] {
				head++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return len(seen), float64(head) / float64(all)
	}
	small, _ := distinct(10000)
	large, headShareSeen := distinct(100000)
	if large < 2*small {
		t.Errorf("distinct family names: %d in 10,000 records, %d in 100,000: want the number to keep growing", small, large)
	}
	if headShareSeen < 0.25 || headShareSeen > 0.5 {
		t.Errorf("listed family names borne by %.2f of the people, want about %.2f", headShareSeen, headShare)
	}
}
