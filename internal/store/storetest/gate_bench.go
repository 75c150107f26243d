package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// Gate-sized import: what the import gate writes for 100,000 rows, in one
// transaction.
const (
	gateCustomerBatches   = 200
	gateSuggestionBatches = 90
)

// gateEvidence is a suggestion's evidence as the import gate makes it:
// file, row, total weight and per-field weights, 300 to 600 bytes.
func gateEvidence(i int) json.RawMessage {
	type field struct {
		Field  string  `json:"field"`
		Level  string  `json:"level"`
		Weight float64 `json:"weight"`
	}
	all := []field{{"email", "exact", 9.137}, {"phone", "exact", 7.82}, {"last_name", "exact", 3.214},
		{"first_name", "similar", 1.901}, {"postal_code", "exact", 4.55}, {"address_line1", "similar", 2.02},
		{"city", "exact", 0.411}, {"birth_date", "exact", 5.5}, {"national_id", "missing", 0},
		{"company", "missing", 0}, {"country", "exact", 0.05}}
	fields := all[:6+i%6]
	for j := range fields {
		fields[j].Weight += float64(i%97) / 100
	}
	b, err := json.Marshal(struct {
		File   string  `json:"file"`
		Row    int     `json:"row"`
		Weight float64 `json:"weight"`
		Fields []field `json:"fields"`
	}{"customers-2026-11.csv", i + 2, 31.4159 + float64(i%1000)/1000, fields})
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkGateImport measures what the import gate writes for a file of
// 100,000 rows into s, which holds existing customers with ids up to
// existing: in one Atomic, 200 CreateCustomers of ImportBatch new
// customers, then 90 UpsertSuggestions of ImportBatch suggestions, each
// pairing a new customer with an existing one and carrying evidence of
// 300–600 bytes. It reports µs (wall and CPU) per customer and per
// suggestion. Every iteration adds 100,000 customers. allOrNothing makes
// the transaction all-or-nothing, as the gate does (see
// steward.AllOrNothing).
func BenchmarkGateImport(b *testing.B, s steward.Store, existing int64, allOrNothing bool) {
	ctx := context.Background()
	m := steward.Meta{Actor: "bench", Cause: "import:bench"}
	const customers = gateCustomerBatches * ImportBatch
	const suggestions = gateSuggestionBatches * ImportBatch
	next := 0
	var opts []steward.TxOption
	if allOrNothing {
		opts = append(opts, steward.AllOrNothing())
	}
	var custWall, custCPU, sugWall, sugCPU time.Duration
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		batches := make([][]*steward.Customer, gateCustomerBatches)
		fillBatches(batches, &next)
		b.StartTimer()
		err := s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
			wall, cpu := time.Now(), cpuTime()
			for _, batch := range batches {
				if err := tx.CreateCustomers(ctx, batch, m); err != nil {
					return err
				}
			}
			custWall += time.Since(wall)
			custCPU += cpuTime() - cpu
			b.StopTimer()
			ss := make([]*steward.Suggestion, suggestions)
			for i := range ss {
				c := batches[i*customers/suggestions/ImportBatch][i*customers/suggestions%ImportBatch]
				other := 1 + int64(uint64(i)*0x9E3779B97F4A7C15%uint64(existing))
				ss[i] = &steward.Suggestion{CustomerIDs: []int64{c.ID, other},
					Probability: 0.5 + float64(i%500)/1000, Evidence: gateEvidence(i)}
			}
			b.StartTimer()
			wall, cpu = time.Now(), cpuTime()
			for start := 0; start < len(ss); start += ImportBatch {
				if err := tx.UpsertSuggestions(ctx, ss[start:start+ImportBatch]); err != nil {
					return err
				}
			}
			sugWall += time.Since(wall)
			sugCPU += cpuTime() - cpu
			return nil
		}, opts...)
		if err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(custWall.Microseconds())/n/customers, "µs/customer")
	b.ReportMetric(float64(custCPU.Microseconds())/n/customers, "cpu-µs/customer")
	b.ReportMetric(float64(sugWall.Microseconds())/n/suggestions, "µs/suggestion")
	b.ReportMetric(float64(sugCPU.Microseconds())/n/suggestions, "cpu-µs/suggestion")
	b.ReportMetric(float64(b.N*customers)/b.Elapsed().Seconds(), "customers/s")
}

// GateImportName is the sub-benchmark name of BenchmarkGateImport for a
// database of n customers.
func GateImportName(n int, allOrNothing bool) string {
	return fmt.Sprintf("db=%d/customers=%d/suggestions=%d/all-or-nothing=%v",
		n, gateCustomerBatches*ImportBatch, gateSuggestionBatches*ImportBatch, allOrNothing)
}
