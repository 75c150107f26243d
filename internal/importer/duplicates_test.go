package importer

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/merge"
	"github.com/steward-crm/steward/rules"
)

// seedCustomer stores one active customer as an earlier import would.
func seedCustomer(t *testing.T, st steward.Store) *steward.Customer {
	t.Helper()
	c := &steward.Customer{Record: steward.Record{Source: "crm", SourceID: "c1", FirstName: "علی", LastName: "رضایی",
		Email: "ali.rezaei@gmail.com", Phone: "+989121234567", Country: "IR"}}
	if err := st.CreateCustomer(context.Background(), c, steward.Meta{Actor: "test", Cause: "seed"}); err != nil {
		t.Fatal(err)
	}
	return c
}

// dupFile is one row that is the seeded customer again (Arabic yeh, other
// phone format) plus a city the stored customer lacks, and one stranger.
const dupFile = "id,first_name,last_name,email,phone,city,country\n" +
	"n1,علي,رضايي,Ali.Rezaei@gmail.com,0912 123 4567,تهران,IR\n" +
	"n2,Kian,Sharifi,kian.sharifi@gmail.com,09125550000,Karaj,IR\n"

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDuplicateSuggest(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		old := seedCustomer(t, st)
		sum := mustImport(t, st, writeTemp(t, "dup.csv", dupFile), Options{Source: "shop"})
		if sum.Created != 2 || sum.Duplicates != 1 || sum.Suggestions != 1 {
			t.Fatalf("summary %+v, want 2 created, 1 duplicate, 1 suggestion", sum)
		}
		n1 := customerBySource(t, st, "shop", "n1")
		ss, err := st.Suggestions(context.Background(), steward.SuggestionFilter{Status: steward.SuggestionPending})
		if err != nil {
			t.Fatal(err)
		}
		if len(ss) != 1 || steward.SuggestionKey(ss[0].CustomerIDs) != steward.SuggestionKey([]int64{old.ID, n1.ID}) {
			t.Fatalf("suggestions %+v, want {%d, %d}", ss, old.ID, n1.ID)
		}
		if ss[0].Probability < 0.9 {
			t.Errorf("probability %v for the same email, phone and name", ss[0].Probability)
		}
		ev, err := ss[0].DecodeEvidence()
		if err != nil || ev.Producer != steward.EvidenceImport || ev.Origin != "shop: dup.csv" || ev.Row != 1 || len(ev.Pairs) != 1 {
			t.Fatalf("evidence %s (%v), want the import's row 1 with one pair", ss[0].Evidence, err)
		}
		pair := ev.Pairs[0]
		if steward.NewPair(pair.A, pair.B) != steward.NewPair(old.ID, n1.ID) || pair.Probability != ss[0].Probability || len(pair.Fields) == 0 {
			t.Errorf("pair evidence %+v, want customers %d and %d with field weights", pair, n1.ID, old.ID)
		}
		// The keys that brought the two together, and the values compared.
		if !slices.Contains(pair.Keys, "email") || !slices.Contains(pair.Keys, "phone") {
			t.Errorf("blocking keys %q, want email and phone among them", pair.Keys)
		}
		for _, f := range pair.Fields {
			if f.Field == "email" && (f.A == "" || f.B == "") {
				t.Errorf("email evidence %+v names no values compared", f)
			}
		}
		total := pair.Prior
		for _, f := range pair.Fields {
			total += f.Weight
		}
		if math.Abs(total-pair.Weight) > 1e-9 || pair.Prior >= 0 {
			t.Errorf("prior %v plus field weights = %v, want the pair weight %v", pair.Prior, total, pair.Weight)
		}
	})
}

func TestDuplicateBlock(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		old := seedCustomer(t, st)
		var rejects bytes.Buffer
		sum := mustImport(t, st, writeTemp(t, "dup.csv", dupFile), Options{Policy: gate.Policy{OnDuplicate: steward.DuplicateBlock}, Source: "shop", Rejects: &rejects})
		if sum.Blocked != 1 || sum.Created != 1 || sum.Accepted != 1 || sum.Rejected != 0 {
			t.Fatalf("summary %+v, want 1 blocked, 1 created", sum)
		}
		if n := countCustomers(t, st); n != 2 {
			t.Errorf("%d customers, want the seeded one and the stranger", n)
		}
		rows := readCSV(t, rejects.Bytes())
		if len(rows) != 2 || rows[1][0] != "n1" || rows[1][7] != "2" || !strings.HasPrefix(rows[1][8], gate.CodeDuplicate+": ") || !strings.Contains(rows[1][8], "customer "+itoa(old.ID)+" ") {
			t.Errorf("rejects report:\n%s\nwant n1 as a duplicate of customer %d", rejects.String(), old.ID)
		}
	})
}

func TestDuplicateMerge(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		old := seedCustomer(t, st)
		// The rules' survivorship: most complete names, most recent otherwise.
		policy := gate.Policy{OnDuplicate: steward.DuplicateMerge, AutoMergeThreshold: 0.9, Survivorship: rules.Default().Survivorship}
		sum := mustImport(t, st, writeTemp(t, "dup.csv", dupFile), Options{Policy: policy, Source: "shop"})
		if sum.Merged != 1 || sum.Created != 1 || sum.Suggestions != 0 {
			t.Fatalf("summary %+v, want 1 merged, 1 created", sum)
		}
		n1 := customerBySource(t, st, "shop", "n1")
		if n1.Status != steward.StatusMerged || n1.MergedInto != old.ID {
			t.Errorf("n1 is %s into %d, want merged into %d", n1.Status, n1.MergedInto, old.ID)
		}
		got, err := st.Customer(context.Background(), old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Record.City != "تهران" || got.Record.Email != "Ali.Rezaei@gmail.com" || got.Record.FirstName != "علی" || got.Record.Phone != "+989121234567" {
			t.Errorf("survivor %+v, want the row's city and, the most recent, its email; the names and phone as both have them", got.Record)
		}
		// Again: nothing changes.
		before := dbState(t, st)
		again := mustImport(t, st, writeTemp(t, "dup.csv", dupFile), Options{Policy: policy, Source: "shop"})
		if again.Unchanged != 2 || dbState(t, st) != before {
			t.Errorf("merge import again: %+v; database changed: %v", again, dbState(t, st) != before)
		}
		// The automatic merge is kept, and a steward can undo it: both
		// customers as they would stand alone, the row's source record
		// its own again.
		ctx := context.Background()
		ms, err := st.Merges(ctx, steward.MergeFilter{})
		if err != nil || len(ms) != 1 || ms[0].SurvivorID != old.ID || len(ms[0].Members) != 2 || ms[0].Member(n1.ID) == nil || ms[0].Actor != "import" {
			t.Fatalf("merges %+v (%v): want the automatic one, into %d", ms, err, old.ID)
		}
		svc, err := merge.New(gate.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Undo(ctx, st, ms[0].ID, 0, steward.Meta{Actor: "steward", Cause: "test"}); err != nil {
			t.Fatal(err)
		}
		n1 = customerBySource(t, st, "shop", "n1")
		if n1.Status != steward.StatusActive || n1.Record.City != "تهران" || n1.Record.Email != "Ali.Rezaei@gmail.com" {
			t.Errorf("after undo the row's customer is %+v", n1)
		}
		if got, _ := st.Customer(ctx, old.ID); got.Record.City != "" || got.Record.Email != old.Record.Email {
			t.Errorf("after undo the stored customer is %+v, want it as seeded", got.Record)
		}
	})
}

// TestDuplicateMergeBelowThreshold: merge only above the threshold, and
// suggest otherwise.
func TestDuplicateMergeBelowThreshold(t *testing.T) {
	for _, threshold := range []float64{0, 1.01} {
		st := backends()[0].open(t)
		seedCustomer(t, st)
		sum := mustImport(t, st, writeTemp(t, "dup.csv", dupFile), Options{Policy: gate.Policy{OnDuplicate: steward.DuplicateMerge, AutoMergeThreshold: threshold}, Source: "shop"})
		if sum.Merged != 0 || sum.Suggestions != 1 || sum.Created != 2 {
			t.Errorf("threshold %v: %+v, want a suggestion instead of a merge", threshold, sum)
		}
	}
}

// TestDuplicateInsideFile finds a row that repeats an earlier row of the
// same file under another id, even when the batch is not stored yet.
func TestDuplicateInsideFile(t *testing.T) {
	file := "id,first_name,last_name,email,phone,country\n" +
		"a,Maryam,Karimi,maryam.karimi@gmail.com,09131234567,IR\n" +
		"b,Sohrab,Sepehri,sohrab.sepehri@gmail.com,09132223344,IR\n" +
		"c,Maryam,Karimi,maryam.karimi@gmail.com,+98 913 123 4567,IR\n"
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		sum := mustImport(t, st, writeTemp(t, "in.csv", file), Options{Source: "shop"})
		if sum.Duplicates != 1 || sum.Suggestions != 1 {
			t.Fatalf("summary %+v, want row c suggested as a duplicate of row a", sum)
		}
		a, c := customerBySource(t, st, "shop", "a"), customerBySource(t, st, "shop", "c")
		ss, _ := st.Suggestions(context.Background(), steward.SuggestionFilter{})
		if len(ss) != 1 || steward.SuggestionKey(ss[0].CustomerIDs) != steward.SuggestionKey([]int64{a.ID, c.ID}) {
			t.Errorf("suggestions %+v, want {%d, %d}", ss, a.ID, c.ID)
		}
		st2 := backends()[0].open(t)
		merged := mustImport(t, st2, writeTemp(t, "in.csv", file), Options{Policy: gate.Policy{OnDuplicate: steward.DuplicateMerge, AutoMergeThreshold: 0.9}, Source: "shop"})
		if merged.Merged != 1 {
			t.Fatalf("merge: %+v", merged)
		}
		a, c = customerBySource(t, st2, "shop", "a"), customerBySource(t, st2, "shop", "c")
		if c.MergedInto != a.ID {
			t.Errorf("c merged into %d, want %d", c.MergedInto, a.ID)
		}
		st3 := backends()[0].open(t)
		var rejects bytes.Buffer
		blocked := mustImport(t, st3, writeTemp(t, "in.csv", file), Options{Policy: gate.Policy{OnDuplicate: steward.DuplicateBlock}, Source: "shop", Rejects: &rejects})
		a = customerBySource(t, st3, "shop", "a")
		if blocked.Blocked != 1 || !strings.Contains(rejects.String(), "looks like customer "+itoa(a.ID)+" (Maryam Karimi") {
			t.Errorf("block inside the file: %+v\n%s", blocked, rejects.String())
		}
	})
}

// TestErasedCustomerStaysErased: a row for an erased customer is rejected.
func TestErasedCustomerStaysErased(t *testing.T) {
	st := backends()[0].open(t)
	c := seedCustomer(t, st)
	c.Status = steward.StatusErased
	c.Record = steward.Record{Source: "crm", SourceID: "c1"}
	if err := st.UpdateCustomer(context.Background(), c, steward.Meta{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	sum := mustImport(t, st, writeTemp(t, "e.csv", "id,first_name,email\nc1,Ali,ali.rezaei@gmail.com\n"), Options{Source: "crm"})
	if sum.Rejected != 1 || sum.Codes[gate.CodeErased] != 1 {
		t.Errorf("summary %+v, want the row rejected as erased", sum)
	}
	if got, _ := st.Customer(context.Background(), c.ID); got.Record.FirstName != "" {
		t.Errorf("erased customer got data back: %+v", got.Record)
	}
}

// TestDuplicateInsideSmallFile: two rows of a three-row file that are one
// person by name, birth date and address (no email or phone in common) are
// judged against the names of the customers stored, not against the file
// alone, where sharing a name would make it look as common as a name can
// be.
func TestDuplicateInsideSmallFile(t *testing.T) {
	st := backends()[0].open(t)
	recs := csvRecords(t, generatedCSV(t, 2000, 5, "crm", "c"))
	cs := make([]*steward.Customer, len(recs))
	for i := range recs {
		cs[i] = &steward.Customer{Record: recs[i]}
	}
	if err := st.CreateCustomers(context.Background(), cs, steward.Meta{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	file := "id,first_name,last_name,email,address_line1,city,postal_code,birth_date,country\n" +
		"a,Reza,Tehrani,reza.t@gmail.com,12 Valiasr Street,Tehran,1511743411,1980-04-12,IR\n" +
		"b,Nima,Farahani,nima@yahoo.com,5 Enghelab Ave,Tehran,1315693111,1975-01-02,IR\n" +
		"c,Reza,Tehrani,rtehrani@outlook.com,12 Valiasr St,Tehran,1511743411,1980-04-12,IR\n"
	sum := mustImport(t, st, writeTemp(t, "f.csv", file), Options{Source: "shop"})
	ss, err := st.Suggestions(context.Background(), steward.SuggestionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	a, c := customerBySource(t, st, "shop", "a"), customerBySource(t, st, "shop", "c")
	if sum.Duplicates != 1 || len(ss) != 1 || steward.SuggestionKey(ss[0].CustomerIDs) != steward.SuggestionKey([]int64{a.ID, c.ID}) {
		t.Fatalf("summary %+v, suggestions %+v: want rows a and c suggested", sum, ss)
	}
	if ss[0].Probability < 0.9 {
		t.Errorf("probability %.3f for one name, birth date and address in a database where the name is rare", ss[0].Probability)
	}
}

// TestWritesInFileOrder: with customers written ahead of the matches
// (suggest), over several batches and with updates of known customers
// among the new rows, the new customers get ids in file order and every
// suggestion pairs its row's customer with another, on every backend.
func TestWritesInFileOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("imports thousands of rows")
	}
	seed := generatedCSV(t, 1200, 11, "shop", "s")
	n := 1200 + 3*batchSize
	input := generatedCSV(t, n, 12, "shop", "s") // s1-s1200 known, the rest new
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		mustImport(t, st, writeTemp(t, "seed.csv", string(seed)), Options{Source: "shop"})
		sum := mustImport(t, st, writeTemp(t, "in.csv", string(input)), Options{Source: "shop"})
		if sum.Updated == 0 || sum.Created < 2*batchSize || sum.Suggestions == 0 {
			t.Fatalf("summary %+v: want updates, several batches of new customers and suggestions", sum)
		}
		var last int64
		for i := 1201; i <= n; i++ {
			c, err := st.CustomerBySource(context.Background(), "shop", "s"+strconv.Itoa(i))
			if steward.ErrorCode(err) == steward.ENOTFOUND {
				continue // rejected
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.ID <= last {
				t.Fatalf("row s%d became customer %d, after customer %d of an earlier row", i, c.ID, last)
			}
			last = c.ID
		}
		ss, err := st.Suggestions(context.Background(), steward.SuggestionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, s := range ss {
			ev, err := s.DecodeEvidence()
			if err != nil {
				t.Fatal(err)
			}
			if ev.Origin != "shop: in.csv" {
				continue
			}
			found++
			c, err := st.CustomerBySource(context.Background(), "shop", "s"+strconv.Itoa(ev.Row))
			if err != nil {
				t.Fatalf("suggestion %d of row %d: %v", s.ID, ev.Row, err)
			}
			if !slices.Contains(s.CustomerIDs, c.ID) || len(s.CustomerIDs) != 2 || s.CustomerIDs[0] == s.CustomerIDs[1] {
				t.Fatalf("suggestion %d of row %d pairs %v, not the row's customer %d with another", s.ID, ev.Row, s.CustomerIDs, c.ID)
			}
		}
		if found != sum.Suggestions {
			t.Fatalf("%d suggestions of the import stored, the summary says %d", found, sum.Suggestions)
		}
	})
}

// TestConcurrentImportsBlock: two files with the same people from two
// sources, imported at once with duplicates blocked, let each person in
// once: the import that goes second sees what the first stored (they
// once let every row of both in).
func TestConcurrentImportsBlock(t *testing.T) {
	a := generatedCSV(t, 400, 11, "shop", "s")
	b := generatedCSV(t, 400, 11, "crm", "c") // the same people
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		block := Options{Policy: gate.Policy{OnDuplicate: steward.DuplicateBlock}}
		var wg sync.WaitGroup
		sums := make([]*Summary, 2)
		errs := make([]error, 2)
		for i, file := range [][]byte{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				opts := block
				opts.Source, opts.Name = []string{"shop", "crm"}[i], fmt.Sprintf("%d.csv", i)
				sums[i], errs[i] = Import(context.Background(), st, bytes.NewReader(file), opts)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("import %d: %v", i, err)
			}
		}
		first, second := sums[0], sums[1]
		if second.Blocked < first.Blocked {
			first, second = second, first
		}
		created := first.Created + second.Created
		if n := countCustomers(t, st); n != int64(created) {
			t.Fatalf("%d customers, %d created", n, created)
		}
		// The second file's people are all in already: nearly every row
		// is blocked (the matcher may miss a rare badly mangled one).
		if second.Blocked < 380 || created > first.Created+20 {
			t.Errorf("first %+v\nsecond %+v\nwant the second import's rows blocked as duplicates of the first's", first, second)
		}
	})
}

// TestDuplicateHold: under "hold" a suspected duplicate is stored held
// (not active: not exported, not matched) with its suggestion; a steward's
// "not a duplicate" lets it in, a merge merges it into the customer it
// looked like (which stays the survivor), and undoing that merge holds it
// again for a fresh decision.
func TestDuplicateHold(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		ctx := context.Background()
		old := seedCustomer(t, st)
		sum := mustImport(t, st, writeTemp(t, "dup.csv", dupFile), Options{Policy: gate.Policy{OnDuplicate: steward.DuplicateHold}, Source: "shop"})
		if sum.Held != 1 || sum.Created != 1 || sum.Accepted != 2 || sum.Suggestions != 1 {
			t.Fatalf("summary %+v, want 1 held, 1 created, 1 suggestion", sum)
		}
		held := customerBySource(t, st, "shop", "n1")
		if held.Status != steward.StatusHeld {
			t.Fatalf("the duplicate is %s, want held", held.Status)
		}
		if n, _ := st.CountCustomers(ctx, steward.StatusActive); n != 2 {
			t.Errorf("%d active customers, want the seeded one and the stranger", n)
		}
		ss, err := st.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending})
		if err != nil || len(ss) != 1 || steward.SuggestionKey(ss[0].CustomerIDs) != steward.SuggestionKey([]int64{old.ID, held.ID}) {
			t.Fatalf("suggestions %+v (%v)", ss, err)
		}
		svc, err := merge.New(gate.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		meta := steward.Meta{Actor: "steward", Cause: "test"}
		d, err := svc.Decide(ctx, st, ss[0].ID, merge.Decision{Action: merge.ActionMerge}, meta)
		if err != nil {
			t.Fatal(err)
		}
		if d.Merge.Merge.SurvivorID != old.ID {
			t.Errorf("survivor %d, want the stored customer %d, not the held one", d.Merge.Merge.SurvivorID, old.ID)
		}
		if c, _ := st.Customer(ctx, held.ID); c.Status != steward.StatusMerged || c.MergedInto != old.ID {
			t.Errorf("after the merge the held customer is %s into %d", c.Status, c.MergedInto)
		}
		if _, err := svc.Undo(ctx, st, d.Merge.Merge.ID, 0, meta); err != nil {
			t.Fatal(err)
		}
		if c, _ := st.Customer(ctx, held.ID); c.Status != steward.StatusHeld {
			t.Errorf("after undo the customer is %s, want held again", c.Status)
		}
		sg, err := st.Suggestion(ctx, ss[0].ID)
		if err != nil || sg.Status != steward.SuggestionPending {
			t.Fatalf("after undo the suggestion is %+v (%v), want pending", sg, err)
		}
		d, err = svc.Decide(ctx, st, sg.ID, merge.Decision{Action: merge.ActionNotDuplicate}, meta)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Released) != 1 || d.Released[0].ID != held.ID {
			t.Errorf("released %+v, want the held customer", d.Released)
		}
		if c, _ := st.Customer(ctx, held.ID); c.Status != steward.StatusActive {
			t.Errorf("after not a duplicate the customer is %s, want active", c.Status)
		}
	})
}
