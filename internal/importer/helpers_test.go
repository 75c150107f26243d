package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
)

const sampleDir = "../../testdata/import"

// backend is a way to open a fresh, migrated store.
type backend struct {
	name string
	open func(t *testing.T) steward.Store
}

// backends returns SQLite and PostgreSQL; the PostgreSQL one skips (or, in
// CI, fails) without TEST_DATABASE_URL when a test opens it.
func backends() []backend {
	return []backend{
		{"sqlite", func(t *testing.T) steward.Store { return storetest.SQLite(t) }},
		{"postgres", func(t *testing.T) steward.Store { return storetest.Postgres(t) }},
	}
}

// forEachBackend runs fn as a subtest per backend with a fresh store.
func forEachBackend(t *testing.T, fn func(t *testing.T, st steward.Store)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			fn(t, b.open(t))
		})
	}
}

// importFile imports a file from testdata/import (or any path) with opts;
// Name defaults to the file's base name.
func importFile(t *testing.T, st steward.Store, path string, opts Options) (*Summary, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opts.Name == "" {
		opts.Name = filepath.Base(path)
	}
	return Import(context.Background(), st, f, opts)
}

func mustImport(t *testing.T, st steward.Store, path string, opts Options) *Summary {
	t.Helper()
	sum, err := importFile(t, st, path, opts)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	checkBalance(t, sum)
	return sum
}

// checkBalance asserts the summary's invariant.
func checkBalance(t *testing.T, s *Summary) {
	t.Helper()
	if s.Accepted+s.Rejected+s.Blocked != s.Rows {
		t.Errorf("accepted %d + rejected %d + blocked %d != rows %d", s.Accepted, s.Rejected, s.Blocked, s.Rows)
	}
	if s.Created+s.Held+s.Updated+s.Unchanged+s.Merged != s.Accepted {
		t.Errorf("created %d + held %d + updated %d + unchanged %d + merged %d != accepted %d", s.Created, s.Held, s.Updated, s.Unchanged, s.Merged, s.Accepted)
	}
}

// dbState renders everything an import can change, with customer and
// suggestion ids replaced by their rank (PostgreSQL sequences are not
// rolled back, so a killed import leaves gaps) and without timestamps.
func dbState(t *testing.T, st steward.Store) string {
	t.Helper()
	ctx := context.Background()
	var cs []*steward.Customer
	if err := st.EachCustomer(ctx, steward.CustomerFilter{}, func(c *steward.Customer) error {
		cs = append(cs, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rank := make(map[int64]int, len(cs))
	for i, c := range cs {
		rank[c.ID] = i + 1
	}
	var b strings.Builder
	for _, c := range cs {
		rec, _ := json.Marshal(c.Record)
		fmt.Fprintf(&b, "customer %d %s into=%d v%d %s\n", rank[c.ID], c.Status, rank[c.MergedInto], c.Version, rec)
		chs, err := st.Changes(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range chs {
			fmt.Fprintf(&b, "  change %s %s %q→%q %s\n", ch.Actor, ch.Field, ch.Before, ch.After, ch.Cause)
		}
	}
	ss, err := st.Suggestions(ctx, steward.SuggestionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, s := range ss {
		ids := make([]int, len(s.CustomerIDs))
		for i, id := range s.CustomerIDs {
			ids[i] = rank[id]
		}
		sort.Ints(ids)
		ev, err := s.DecodeEvidence()
		if err != nil {
			t.Fatal(err)
		}
		for i := range ev.Pairs {
			ev.Pairs[i].A, ev.Pairs[i].B = int64(rank[ev.Pairs[i].A]), int64(rank[ev.Pairs[i].B])
		}
		evJSON, _ := json.Marshal(ev)
		lines = append(lines, fmt.Sprintf("suggestion %v %.6f %s %s", ids, s.Probability, s.Status, evJSON))
	}
	sort.Strings(lines)
	b.WriteString(strings.Join(lines, "\n"))
	return b.String()
}

func countCustomers(t *testing.T, st steward.Store) int64 {
	t.Helper()
	n, err := st.CountCustomers(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func customerBySource(t *testing.T, st steward.Store, source, id string) *steward.Customer {
	t.Helper()
	c, err := st.CustomerBySource(context.Background(), source, id)
	if err != nil {
		t.Fatalf("customer %s/%s: %v", source, id, err)
	}
	return c
}

// readCSV parses CSV output.
func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csvAll(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("report is not CSV: %v\n%s", err, data)
	}
	return rows
}
