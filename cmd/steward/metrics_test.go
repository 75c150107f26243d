package main

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/quality"
	"github.com/steward-crm/steward/internal/schedule"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// TestQualityGauges: serve's /metrics stands the latest snapshot against
// the rules' quality thresholds, one gauge crossed or not per threshold,
// and none before the first snapshot.
func TestQualityGauges(t *testing.T) {
	for name, open := range map[string]func(testing.TB) steward.Store{
		"sqlite":   func(tb testing.TB) steward.Store { return storetest.SQLite(tb) },
		"postgres": func(tb testing.TB) steward.Store { return storetest.Postgres(tb) },
	} {
		t.Run(name, func(t *testing.T) { qualityGauges(t, open(t)) })
	}
}

func qualityGauges(t *testing.T, st steward.Store) {
	ctx := context.Background()
	ths := []quality.Threshold{
		{Metric: "validity.email", Source: "shop", Bound: "share_below", Value: 0.95},
		{Metric: "validity.email", Bound: "share_below", Value: 0.5},
		{Metric: "backlog.older_than_7d", Bound: "count_above", Value: 1000},
		{Metric: "validity.phone", Source: "nowhere", Bound: "share_below", Value: 0.9},
	}
	m := serveMetrics(st, &schedule.Engine{Store: st}, ths, nil)
	scrape := func() string {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		b, _ := io.ReadAll(rec.Body)
		return string(b)
	}
	if text := scrape(); strings.Contains(text, "steward_quality_threshold") {
		t.Errorf("quality gauges before any snapshot:\n%s", text)
	}
	snap := &steward.Snapshot{TakenAt: time.Now(), Customers: 100, Metrics: []steward.Metric{
		{Dimension: "validity", Field: "email", Source: "shop", Numerator: 90, Denominator: 100},
		{Dimension: "validity", Field: "email", Numerator: 180, Denominator: 200},
		{Dimension: "backlog", Field: "older_than_7d", Numerator: 1200, Denominator: 1500},
	}}
	if err := st.SaveSnapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	text := scrape()
	for _, want := range []string{
		`steward_quality_threshold_crossed{bound="share_below",metric="validity.email",source="shop"} 1`,
		`steward_quality_threshold_value{bound="share_below",metric="validity.email",source="shop"} 0.9`,
		`steward_quality_threshold_crossed{bound="share_below",metric="validity.email",source=""} 0`,
		`steward_quality_threshold_crossed{bound="count_above",metric="backlog.older_than_7d",source=""} 1`,
		`steward_quality_threshold_value{bound="count_above",metric="backlog.older_than_7d",source=""} 1200`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, `source="nowhere"`) {
		t.Errorf("a threshold on a source with no customers is reported")
	}
}
