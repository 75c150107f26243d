package importer

import (
	"testing"

	"github.com/steward-crm/steward"
)

// TestRowTable: rows keep their index, number and meta as the table grows
// past its slabs, and a meta handed out before stays the row's (the
// checker's goroutines hold them while the reader adds rows).
func TestRowTable(t *testing.T) {
	var tb rowTable
	const n = 2*rowSlab + 3
	first, firstMeta := tb.add(7)
	firstMeta.off = 42
	for k := 1; k < n; k++ {
		i, m := tb.add(k + 7)
		if int(i) != k {
			t.Fatalf("row %d added at index %d", k, i)
		}
		if m.fpos != -1 || m.qpos != -1 || m.outcome != undecided {
			t.Fatalf("row %d starts as %+v, want no positions and undecided", k, *m)
		}
		m.off = int64(k) * 100
	}
	if tb.len() != n {
		t.Fatalf("len %d, want %d", tb.len(), n)
	}
	if tb.at(first) != firstMeta || firstMeta.off != 42 {
		t.Fatalf("the first row's meta moved or changed: %+v", *tb.at(first))
	}
	for _, i := range []int32{1, rowSlab - 1, rowSlab, 2 * rowSlab, n - 1} {
		if m := tb.at(i); m.num != i+7 || m.off != int64(i)*100 {
			t.Errorf("row %d: num %d off %d, want %d and %d", i, m.num, m.off, i+7, int64(i)*100)
		}
	}
}

// TestOutcomes: every outcome a row can get is steward's, and undecided
// is none.
func TestOutcomes(t *testing.T) {
	tests := []struct {
		o    outcome
		want steward.Outcome
	}{
		{undecided, ""},
		{created, steward.OutcomeCreated},
		{updated, steward.OutcomeUpdated},
		{unchanged, steward.OutcomeUnchanged},
		{merged, steward.OutcomeMerged},
		{rejected, steward.OutcomeRejected},
		{blocked, steward.OutcomeBlocked},
		{held, steward.OutcomeHeld},
	}
	for _, tt := range tests {
		t.Run(string(tt.want), func(t *testing.T) {
			if got := tt.o.public(); got != tt.want {
				t.Errorf("outcome %d is %q, want %q", tt.o, got, tt.want)
			}
		})
	}
}
