package gate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/store/storetest"
	"github.com/steward-crm/steward/rules"
)

// forEachBackend runs fn against a fresh SQLite store and, when
// TEST_DATABASE_URL is set, a fresh PostgreSQL schema.
func forEachBackend(t *testing.T, fn func(t *testing.T, st steward.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, storetest.SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.Postgres(t)) })
}

// admitter is a gate over st's customers, as a server holds one: a live
// index loaded once and brought up to date after every admission.
type admitter struct {
	t    *testing.T
	st   steward.Store
	live *matchindex.Live
	g    *gate.Gate
}

func newAdmitter(t *testing.T, st steward.Store, p gate.Policy) *admitter {
	t.Helper()
	ctx := context.Background()
	ix, err := matchindex.Load(ctx, st, matchindex.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.ReviewThreshold == 0 {
		p.ReviewThreshold = rules.Default().Matching.ReviewThreshold
	}
	p.Survivorship = rules.Default().Survivorship
	p, err = p.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	live := matchindex.NewLive(ix)
	return &admitter{t: t, st: st, live: live, g: &gate.Gate{Policy: p, Matcher: live, Origin: "api"}}
}

// admit admits rec in a transaction of its own and tells the index.
func (a *admitter) admit(rec steward.Record) *gate.Admission {
	a.t.Helper()
	ctx := context.Background()
	var adm *gate.Admission
	err := a.st.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		var err error
		adm, err = a.g.Admit(ctx, tx, rec, steward.Meta{Actor: "tester", Cause: "api"})
		return err
	})
	if err != nil {
		a.t.Fatalf("admit %+v: %v", rec, err)
	}
	if adm.Customer != nil {
		if err := a.live.Put(ctx, []*steward.Customer{adm.Customer}); err != nil {
			a.t.Fatal(err)
		}
	}
	return adm
}

func count(t *testing.T, st steward.Store) int64 {
	t.Helper()
	n, err := st.CountCustomers(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var (
	ali = steward.Record{Source: "crm", SourceID: "c1", FirstName: "علی", LastName: "رضایی",
		Email: "ali.rezaei@gmail.com", Phone: "+989121234567", Country: "IR"}
	// aliAgain is ali typed elsewhere: Arabic letters, a local phone
	// format, and a city ali's record lacks.
	aliAgain = steward.Record{Source: "web", SourceID: "w9", FirstName: "علي", LastName: "رضايي",
		Email: "Ali.Rezaei@gmail.com", Phone: "0912 123 4567", City: "تهران", Country: "IR"}
)

func TestAdmitSuggests(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAdmitter(t, st, gate.Policy{})
		first := a.admit(ali)
		if first.Outcome != steward.OutcomeCreated || first.Customer.ID == 0 || first.Suggestion != nil {
			t.Fatalf("first admission %+v, want a new customer", first)
		}
		second := a.admit(aliAgain)
		if second.Outcome != steward.OutcomeCreated || second.Match == nil || second.Match.ID != first.Customer.ID || second.Suggestion == nil {
			t.Fatalf("second admission %+v, want a new customer suggested as a duplicate of %d", second, first.Customer.ID)
		}
		// Standardized as an import would: Persian letters, E.164.
		if second.Customer.Record.FirstName != "علی" || second.Customer.Record.Phone != "+989121234567" {
			t.Errorf("stored %+v, want standardized values", second.Customer.Record)
		}
		ss, err := st.Suggestions(context.Background(), steward.SuggestionFilter{Status: steward.SuggestionPending})
		if err != nil || len(ss) != 1 {
			t.Fatalf("suggestions %v (%v), want one", ss, err)
		}
		ev, err := ss[0].DecodeEvidence()
		if err != nil || ev.Producer != steward.EvidenceAPI || ev.Origin != "api" || len(ev.Pairs) != 1 || len(ev.Pairs[0].Fields) == 0 {
			t.Fatalf("evidence %s (%v), want the API's one pair with its fields", ss[0].Evidence, err)
		}
		if p := ev.Pairs[0]; steward.NewPair(p.A, p.B) != steward.NewPair(first.Customer.ID, second.Customer.ID) {
			t.Errorf("evidence pairs %d and %d, want the two customers", p.A, p.B)
		}
	})
}

func TestAdmitBlocks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAdmitter(t, st, gate.Policy{OnDuplicate: steward.DuplicateBlock})
		first := a.admit(ali)
		got := a.admit(aliAgain)
		if got.Outcome != steward.OutcomeBlocked || got.Customer != nil || len(got.Findings) == 0 {
			t.Fatalf("admission %+v, want blocked", got)
		}
		f := got.Findings[len(got.Findings)-1]
		if f.Code != gate.CodeDuplicate || !strings.Contains(f.Message, "ali.rezaei@gmail.com") {
			t.Errorf("finding %+v, want a duplicate naming customer %d", f, first.Customer.ID)
		}
		if n := count(t, st); n != 1 {
			t.Errorf("%d customers, want only the first", n)
		}
	})
}

func TestAdmitMerges(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAdmitter(t, st, gate.Policy{OnDuplicate: steward.DuplicateMerge, AutoMergeThreshold: 0.9})
		first := a.admit(ali)
		got := a.admit(aliAgain)
		if got.Outcome != steward.OutcomeMerged || got.Customer == nil || got.Customer.ID != first.Customer.ID {
			t.Fatalf("admission %+v, want merged into %d", got, first.Customer.ID)
		}
		if got.Customer.Record.City != "تهران" {
			t.Errorf("survivor %+v, want the incoming city", got.Customer.Record)
		}
		merged, err := st.CustomerBySource(context.Background(), "web", "w9")
		if err != nil || merged.Status != steward.StatusMerged || merged.MergedInto != first.Customer.ID {
			t.Errorf("the incoming record's customer %+v (%v), want merged into %d", merged, err, first.Customer.ID)
		}
	})
}

func TestAdmitRejectsInvalid(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAdmitter(t, st, gate.Policy{})
		got := a.admit(steward.Record{Source: "web", SourceID: "x", FirstName: "Ann", Email: "ann@@example"})
		if got.Outcome != steward.OutcomeRejected || !steward.HasError(got.Findings) {
			t.Fatalf("admission %+v, want rejected with findings", got)
		}
		if n := count(t, st); n != 0 {
			t.Errorf("%d customers stored for a rejected record", n)
		}
		warn := newAdmitter(t, st, gate.Policy{OnInvalid: steward.InvalidWarn})
		if got := warn.admit(steward.Record{Source: "web", SourceID: "x", FirstName: "Ann", Email: "ann@@example", Phone: "+442079460000"}); got.Outcome != steward.OutcomeCreated || len(got.Findings) == 0 {
			t.Errorf("warn admission %+v, want stored with its findings", got)
		}
	})
}

func TestAdmitUpdatesKnownSource(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAdmitter(t, st, gate.Policy{})
		first := a.admit(ali)
		again := a.admit(ali)
		if again.Outcome != steward.OutcomeUnchanged || again.Customer.ID != first.Customer.ID {
			t.Fatalf("same record again: %+v, want unchanged", again)
		}
		moved := ali
		moved.City, moved.Phone = "اصفهان", ""
		got := a.admit(moved)
		if got.Outcome != steward.OutcomeUpdated || got.Customer.Record.City != "اصفهان" || got.Customer.Record.Phone != "+989121234567" {
			t.Fatalf("update %+v, want the new city and the phone kept", got)
		}
		if got.Suggestion != nil {
			t.Errorf("an update suggested %+v: a customer is no duplicate of itself", got.Suggestion)
		}
		// Erased: its data never comes back.
		c := got.Customer
		c.Status, c.Record = steward.StatusErased, steward.Record{Source: "crm", SourceID: "c1"}
		if err := st.UpdateCustomer(context.Background(), c, steward.Meta{Actor: "t", Cause: "erase"}); err != nil {
			t.Fatal(err)
		}
		if got := a.admit(ali); got.Outcome != steward.OutcomeRejected || got.Findings[len(got.Findings)-1].Code != gate.CodeErased {
			t.Errorf("erased customer's record again: %+v, want rejected as erased", got)
		}
	})
}

// TestAdmitPassesOverStaleMatches: a customer merged away after the index
// was loaded is not suggested, blocked against, or merged into.
func TestAdmitPassesOverStaleMatches(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAdmitter(t, st, gate.Policy{OnDuplicate: steward.DuplicateBlock})
		first := a.admit(ali)
		c := first.Customer
		other := a.admit(steward.Record{Source: "crm", SourceID: "c2", FirstName: "Sara", LastName: "Karimi", Email: "sara.k@gmail.com"})
		c.Status, c.MergedInto = steward.StatusMerged, other.Customer.ID
		if err := st.UpdateCustomer(context.Background(), c, steward.Meta{Actor: "t", Cause: "merge"}); err != nil {
			t.Fatal(err)
		}
		// The index still holds c as active: the gate must check.
		if got := a.admit(aliAgain); got.Outcome != steward.OutcomeCreated {
			t.Errorf("admission %+v, want created: its only match is no longer active", got)
		}
	})
}
