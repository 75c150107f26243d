package quality

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
	"github.com/steward-crm/steward/validate"
)

// forEachBackend runs fn against a fresh SQLite store and, when
// TEST_DATABASE_URL is set, a fresh PostgreSQL schema.
func forEachBackend(t *testing.T, fn func(t *testing.T, st steward.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, storetest.SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.Postgres(t)) })
}

// fixture stores 40 customers whose every metric is counted by hand:
//
//	A: 20 shop customers, named, with a valid Iranian mobile and a
//	   verified address: 15 verified valid, 5 invalid (their domain has
//	   no mail server), all checked a day before the snapshot;
//	B:  4 shop customers with an address that is not one (x@@y.ir), no
//	   phone;
//	C:  6 shop customers with no address, the phone "12" (invalid), and
//	   a first name in capitals (standardizing would change it);
//	D: 10 crm customers with an address never verified and a birth
//	   date; 5 of them opted out of email.
//
// Suggestions: A1~A2, and A3~A4~A5, both pending.
func fixture(t *testing.T, st steward.Store) (a []*steward.Customer, checkedAt time.Time) {
	t.Helper()
	ctx := context.Background()
	var cs []*steward.Customer
	add := func(n int, rec func(i int) steward.Record) []*steward.Customer {
		out := make([]*steward.Customer, n)
		for i := range n {
			out[i] = &steward.Customer{Record: rec(i)}
		}
		cs = append(cs, out...)
		return out
	}
	a = add(20, func(i int) steward.Record {
		return steward.Record{Source: "shop", SourceID: fmt.Sprint("a", i), FirstName: "Sara", LastName: fmt.Sprint("Ahmadi", i),
			Email: fmt.Sprintf("sara%d@example.ir", i), Phone: fmt.Sprintf("+98912%07d", i), Country: "IR"}
	})
	add(4, func(i int) steward.Record {
		return steward.Record{Source: "shop", SourceID: fmt.Sprint("b", i), FirstName: "Reza", LastName: fmt.Sprint("Karimi", i),
			Email: "x@@y.ir", Country: "IR"}
	})
	add(6, func(i int) steward.Record {
		return steward.Record{Source: "shop", SourceID: fmt.Sprint("c", i), FirstName: "ALI", LastName: fmt.Sprint("Rahimi", i),
			Phone: "12", Country: "IR"}
	})
	add(10, func(i int) steward.Record {
		r := steward.Record{Source: "crm", SourceID: fmt.Sprint("d", i), FirstName: "Mina", LastName: fmt.Sprint("Hosseini", i),
			Email: fmt.Sprintf("mina%d@example.ir", i), Country: "IR", BirthDate: "1990-01-02"}
		if i < 5 {
			r.Attributes = map[string]string{"email_opt_out": "true"}
		}
		return r
	})
	if err := st.CreateCustomers(ctx, cs, steward.Meta{Actor: "test", Cause: "fixture"}); err != nil {
		t.Fatal(err)
	}
	checkedAt = time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Second)
	for i, c := range a {
		verdict := "valid"
		if i >= 15 {
			verdict = "invalid"
		}
		if err := st.RecordEmailCheck(ctx, c.ID, c.Record.Email, verdict, "fixture", checkedAt); err != nil {
			t.Fatal(err)
		}
	}
	for _, ids := range [][]int64{{a[0].ID, a[1].ID}, {a[2].ID, a[3].ID, a[4].ID}} {
		if err := st.UpsertSuggestion(ctx, &steward.Suggestion{CustomerIDs: ids, Probability: 0.9}); err != nil {
			t.Fatal(err)
		}
	}
	return a, checkedAt
}

func TestMeasureFixture(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		fixture(t, st)
		rules, err := validate.NewRecordRules(validate.DefaultRecordRulesConfig("IR"))
		if err != nil {
			t.Fatal(err)
		}
		ss, err := st.Suggestions(context.Background(), steward.SuggestionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		created := ss[0].CreatedAt
		m := &Measurer{Rules: rules, ConsentAttributes: []string{"email_opt_out"}, VerificationWindow: 30 * 24 * time.Hour,
			Now: func() time.Time { return created.Add(10 * 24 * time.Hour) }}
		snap, err := m.Take(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Customers != 40 {
			t.Fatalf("%d customers measured, want 40", snap.Customers)
		}
		tests := []struct {
			dim, field, source string
			num, den           int64
		}{
			{steward.DimCompleteness, steward.FieldEmail, "", 34, 40},
			{steward.DimCompleteness, steward.FieldEmail, "shop", 24, 30},
			{steward.DimCompleteness, steward.FieldEmail, "crm", 10, 10},
			{steward.DimCompleteness, steward.FieldPhone, "", 26, 40},
			{steward.DimCompleteness, steward.FieldBirthDate, "", 10, 40},
			{steward.DimValidity, steward.FieldEmail, "", 30, 34},
			{steward.DimValidity, steward.FieldPhone, "", 20, 26},
			{steward.DimValidity, steward.FieldPhone, "shop", 20, 26},
			{steward.DimValidity, "email_verified", "", 15, 20},
			{steward.DimStandardization, steward.FieldFirstName, "", 34, 40},
			{steward.DimUniqueness, "", "", 35, 40},
			{steward.DimUniqueness, "estimated_duplicates", "", 3, 40},
			{steward.DimTimeliness, "verified", "", 20, 34},
			{steward.DimTimeliness, "updated", "crm", 10, 10},
			{steward.DimConsent, "sendable", "", 20, 40},
			{steward.DimConsent, "sendable", "crm", 5, 10},
			{steward.DimConsent, "email_opt_out", "", 5, 40},
			{steward.DimBacklog, "pending", "", 2, 2},
			{steward.DimBacklog, "older_than_7d", "", 2, 2},
			{steward.DimBacklog, "older_than_30d", "", 0, 2},
		}
		for _, tt := range tests {
			t.Run(tt.dim+"/"+tt.field+"/"+tt.source, func(t *testing.T) {
				got, ok := snap.Metric(steward.MetricKey{Dimension: tt.dim, Field: tt.field, Source: tt.source})
				if !ok || got.Numerator != tt.num || got.Denominator != tt.den {
					t.Errorf("got %d/%d (%v), want %d/%d", got.Numerator, got.Denominator, ok, tt.num, tt.den)
				}
			})
		}
		// A month later: the verifications are stale and the backlog old.
		m.Now = func() time.Time { return created.Add(35 * 24 * time.Hour) }
		later, err := m.Take(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := later.Metric(steward.MetricKey{Dimension: steward.DimTimeliness, Field: "verified"}); v.Numerator != 0 {
			t.Errorf("verified a month later: %+v, want none fresh", v)
		}
		if v, _ := later.Metric(steward.MetricKey{Dimension: steward.DimBacklog, Field: "older_than_30d"}); v.Numerator != 2 {
			t.Errorf("backlog older than 30 days a month later: %+v, want 2", v)
		}
		if err := st.SaveSnapshot(context.Background(), later); err != nil {
			t.Fatalf("the snapshot does not store: %v", err)
		}
	})
}

// TestBehind: the customers behind every per-customer metric of the
// fixture's snapshot, failing and passing, are as many as the snapshot
// counts, paged by after_id; the hand-known ones are the ones listed.
func TestBehind(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		ctx := context.Background()
		a, _ := fixture(t, st)
		rules, err := validate.NewRecordRules(validate.DefaultRecordRulesConfig("IR"))
		if err != nil {
			t.Fatal(err)
		}
		m := &Measurer{Rules: rules, ConsentAttributes: []string{"email_opt_out"}, VerificationWindow: 30 * 24 * time.Hour}
		snap, err := m.Take(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, mt := range snap.Metrics {
			k := mt.Key()
			if !PerCustomer(k) {
				if _, _, err := m.Behind(ctx, st, k, false, 0, 10); steward.ErrorCode(err) != steward.EMALFORMED {
					t.Errorf("%s: customers behind a metric that counts none: %v", MetricName(k), err)
				}
				continue
			}
			for _, passing := range []bool{false, true} {
				// Pages of 7, resumed after the last id of each.
				var all []int64
				after := int64(0)
				for {
					ids, more, err := m.Behind(ctx, st, k, passing, after, 7)
					if err != nil {
						t.Fatal(err)
					}
					all = append(all, ids...)
					if !more {
						break
					}
					after = ids[len(ids)-1]
				}
				want := mt.Denominator - mt.Numerator
				if passing {
					want = mt.Numerator
				}
				if int64(len(all)) != want {
					t.Errorf("%s source %q passing=%v: %d customers behind it, the snapshot counts %d", MetricName(k), k.Source, passing, len(all), want)
				}
				checked++
			}
		}
		if checked < 40 {
			t.Errorf("only %d metric lists checked", checked)
		}
		// By hand: the five whose address is invalid, and the customers
		// awaiting a merge.
		ids, more, err := m.Behind(ctx, st, steward.MetricKey{Dimension: steward.DimValidity, Field: "email_verified"}, false, 0, 10)
		if err != nil || more || len(ids) != 5 || ids[0] != a[15].ID || ids[4] != a[19].ID {
			t.Errorf("unverified: %v %v %v, want the ids of A16…A20", ids, more, err)
		}
		ids, _, err = m.Behind(ctx, st, steward.MetricKey{Dimension: steward.DimUniqueness}, false, 0, 10)
		if err != nil || len(ids) != 5 || ids[0] != a[0].ID || ids[4] != a[4].ID {
			t.Errorf("awaiting a merge: %v %v, want A1…A5", ids, err)
		}
	})
}
