package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

func testSnapshots(t *testing.T, s steward.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 2, 0, 0, 123456789, time.UTC)
	metrics := func(n int64) []steward.Metric {
		return []steward.Metric{
			{Dimension: steward.DimCompleteness, Field: steward.FieldEmail, Numerator: n, Denominator: 40},
			{Dimension: steward.DimCompleteness, Field: steward.FieldEmail, Source: "shop", Numerator: n / 2, Denominator: 20},
			{Dimension: steward.DimValidity, Field: steward.FieldPhone, Source: "شعبه تهران", Numerator: 0, Denominator: 0},
		}
	}
	var saved []*steward.Snapshot
	for i := range 3 {
		sn := &steward.Snapshot{TakenAt: t0.AddDate(0, 0, i).In(time.FixedZone("IRST", 12600)), Customers: 40, Metrics: metrics(int64(30 + i))}
		must(t, s.SaveSnapshot(ctx, sn))
		if sn.ID == 0 {
			t.Fatal("SaveSnapshot set no id")
		}
		saved = append(saved, sn)
	}
	all, err := s.Snapshots(ctx, time.Time{}, 0)
	must(t, err)
	if len(all) != 3 || all[0].ID != saved[0].ID || all[2].ID != saved[2].ID {
		t.Fatalf("Snapshots: %d, want the 3, oldest first", len(all))
	}
	if !all[0].TakenAt.Equal(t0.Truncate(time.Microsecond)) || all[0].TakenAt.Location() != time.UTC {
		t.Errorf("taken at %v, want %v in UTC", all[0].TakenAt, t0)
	}
	if got, want := all[1].Metrics, metrics(31); !reflect.DeepEqual(sortedMetrics(got), sortedMetrics(want)) {
		t.Errorf("metrics %+v, want %+v", got, want)
	}
	newest, err := s.Snapshots(ctx, time.Time{}, 2)
	must(t, err)
	if len(newest) != 2 || newest[0].ID != saved[1].ID || newest[1].ID != saved[2].ID {
		t.Errorf("the 2 newest: %v", newest)
	}
	since, err := s.Snapshots(ctx, t0.AddDate(0, 0, 2), 0)
	must(t, err)
	if len(since) != 1 || since[0].ID != saved[2].ID {
		t.Errorf("since the third day: %v", since)
	}
	for _, bad := range []*steward.Snapshot{
		{Customers: 1},
		{TakenAt: t0, Metrics: []steward.Metric{{Dimension: steward.DimValidity, Numerator: 3, Denominator: 2}}},
		{TakenAt: t0, Metrics: []steward.Metric{{Dimension: steward.DimValidity, Numerator: 1, Denominator: 2}, {Dimension: steward.DimValidity, Numerator: 1, Denominator: 2}}},
	} {
		if err := s.SaveSnapshot(ctx, bad); steward.ErrorCode(err) != steward.EINVALID {
			t.Errorf("SaveSnapshot(%+v) = %v, want EINVALID", bad, err)
		}
	}
	after, err := s.Snapshots(ctx, time.Time{}, 0)
	must(t, err)
	if len(after) != 3 {
		t.Errorf("%d snapshots after refused ones, want 3: a refused snapshot was half stored", len(after))
	}
}

func sortedMetrics(ms []steward.Metric) map[steward.MetricKey]steward.Metric {
	out := make(map[steward.MetricKey]steward.Metric, len(ms))
	for _, m := range ms {
		out[m.Key()] = m
	}
	return out
}

func testCurrentEmailChecks(t *testing.T, s steward.Store) {
	ctx := context.Background()
	cs := make([]*steward.Customer, 4)
	for i := range cs {
		cs[i] = sample(i)
	}
	must(t, s.CreateCustomers(ctx, cs, meta))
	at := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	must(t, s.RecordEmailCheck(ctx, cs[0].ID, cs[0].Record.Email, "valid", "mx", at))
	must(t, s.RecordEmailCheck(ctx, cs[2].ID, cs[2].Record.Email, "invalid", "nxdomain", at))
	must(t, s.RecordEmailCheck(ctx, cs[3].ID, "old@example.org", "valid", "mx", at)) // not its address any more
	got, err := s.CurrentEmailChecks(ctx, 0, cs[3].ID)
	must(t, err)
	if len(got) != 2 || got[0].CustomerID != cs[0].ID || got[1].CustomerID != cs[2].ID || got[1].Verdict != "invalid" || !got[1].CheckedAt.Equal(at) {
		t.Fatalf("CurrentEmailChecks = %+v, want customers %d and %d", got, cs[0].ID, cs[2].ID)
	}
	got, err = s.CurrentEmailChecks(ctx, cs[0].ID, cs[1].ID)
	must(t, err)
	if len(got) != 0 {
		t.Errorf("checks after customer %d up to %d: %+v, want none", cs[0].ID, cs[1].ID, got)
	}
}
