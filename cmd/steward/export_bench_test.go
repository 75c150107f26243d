package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
	"github.com/steward-crm/steward/internal/suppress"
)

// BenchmarkExportSendable measures export --sendable over
// STEWARD_BENCH_CUSTOMERS customers (100,000 unless set) of which 1% are
// suppressed and 1% verified invalid, on SQLite and, with
// TEST_DATABASE_URL, PostgreSQL; it reports customers/s and how many were
// left out. Run: go test -run '^$' -bench ExportSendable ./cmd/steward
func BenchmarkExportSendable(b *testing.B) {
	n := storetest.BenchDatabaseSize(b)
	b.Run("sqlite", func(b *testing.B) { benchExportSendable(b, storetest.SQLite(b), n) })
	b.Run("postgres", func(b *testing.B) { benchExportSendable(b, storetest.Postgres(b), n) })
}

func benchExportSendable(b *testing.B, st steward.Store, n int) {
	ctx := context.Background()
	storetest.FillCustomers(b, st, n)
	keys := suppress.NewKeys()
	i := 0
	now := time.Now()
	err := st.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		return tx.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
			i++
			switch i % 100 {
			case 7:
				addr := suppress.Normalize(steward.ChannelEmail, c.Record.Email, "")
				_, err := tx.Suppress(ctx, &steward.Suppression{Channel: steward.ChannelEmail, Hash: keys.Hash(steward.ChannelEmail, addr),
					Reason: steward.ReasonUnsubscribed, Source: "bench", Actor: "bench"})
				return err
			case 42:
				return tx.RecordEmailCheck(ctx, c.ID, c.Record.Email, "invalid", "no_mx", now)
			}
			return nil
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	env := &Env{Stderr: io.Discard, Getenv: func(string) string { return "" }}
	opts := exportOptions{sendable: true, keys: keys, consent: []string{"email_opt_out"}}
	b.ResetTimer()
	var wrote int64
	for b.Loop() {
		if wrote, err = exportCustomers(ctx, env, st, io.Discard, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "customers/s")
	b.ReportMetric(float64(int64(n)-wrote), "left-out")
}
