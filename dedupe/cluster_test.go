package dedupe

import (
	"slices"
	"testing"
)

func TestClusterGuard(t *testing.T) {
	ids := []string{"10", "2", "3", "4", "5", "6", "7"}
	tests := []struct {
		name  string
		pairs []Pair
		want  []int32
	}{
		{
			name:  "singletons stay their own clusters",
			pairs: nil,
			want:  []int32{0, 1, 2, 3, 4, 5, 6},
		},
		{
			name: "two tight groups joined by one weak link are split",
			pairs: []Pair{
				{A: 0, B: 1, Probability: 0.99}, {A: 0, B: 2, Probability: 0.99}, {A: 1, B: 2, Probability: 0.99},
				{A: 2, B: 3, Probability: 0.6},
				{A: 3, B: 4, Probability: 0.99}, {A: 3, B: 5, Probability: 0.99}, {A: 4, B: 5, Probability: 0.99},
			},
			want: []int32{1, 1, 1, 3, 3, 3, 6},
		},
		{
			name: "a strong link between groups holds",
			pairs: []Pair{
				{A: 0, B: 1, Probability: 0.99}, {A: 2, B: 3, Probability: 0.999}, {A: 1, B: 2, Probability: 0.99},
				{A: 3, B: 4, Probability: 0.99},
			},
			want: []int32{1, 1, 1, 1, 1, 5, 6},
		},
		{
			name: "one record hanging on a weak link stays",
			pairs: []Pair{
				{A: 0, B: 1, Probability: 0.99}, {A: 1, B: 2, Probability: 0.99}, {A: 0, B: 2, Probability: 0.99},
				{A: 2, B: 6, Probability: 0.55},
			},
			want: []int32{1, 1, 1, 3, 4, 5, 1},
		},
		{
			name: "pairs below the threshold do not link",
			pairs: []Pair{
				{A: 0, B: 1, Probability: 0.3},
			},
			want: []int32{0, 1, 2, 3, 4, 5, 6},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := cluster(len(ids), tt.pairs, clusterSettings{threshold: 0.5, bridge: 0.95, strong: 0.99}, idOf(ids), nil)
			if !slices.Equal(got, tt.want) {
				t.Errorf("clusters %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGiantComponentIsSplit(t *testing.T) {
	// A chain of 3*maxCohere records whose every third link is weaker.
	n := 3 * maxCohere
	ids := make([]string, n)
	var pairs []Pair
	for i := range n - 1 {
		p := 0.999
		if i%3 == 2 {
			p = 0.8
		}
		pairs = append(pairs, Pair{A: int32(i), B: int32(i + 1), Probability: p})
	}
	got, rep := cluster(n, pairs, clusterSettings{threshold: 0.5, strong: 0.99}, idOf(ids), nil)
	size := make(map[int32]int)
	for _, c := range got {
		size[c]++
	}
	for c, k := range size {
		if k > maxCohere {
			t.Fatalf("cluster %d has %d records, more than %d", c, k, maxCohere)
		}
	}
	if got[0] != got[2] || got[2] == got[3] {
		t.Errorf("strong links should hold and weak ones part: %v", got[:6])
	}
	if rep.Links != n-1 || rep.GiantLinksDropped == 0 || rep.StrongSplit != 0 {
		t.Errorf("report %+v: want %d links, some dropped, no strong one", rep, n-1)
	}
}

// TestCohesionKeepsStrongPairs: average linkage parts two groups that do
// not match each other on average, but never the records of a pair whose
// own probability is strong; the report counts both.
func TestCohesionKeepsStrongPairs(t *testing.T) {
	// Records 0-3: 0-1 and 2-3 are duplicates, 1-2 a strong pair (0.995)
	// and 0-2 a link at 0.6; the other pairs do not match at all.
	direct := map[[2]int32]float64{{0, 1}: 0.999, {2, 3}: 0.999, {1, 2}: 0.995, {0, 2}: 0.6}
	prob := func(a, b int32) float64 { return direct[[2]int32{min(a, b), max(a, b)}] }
	var pairs []Pair
	for k, p := range direct {
		pairs = append(pairs, Pair{A: k[0], B: k[1], Probability: p})
	}
	slices.SortFunc(pairs, func(x, y Pair) int { return int(x.A-y.A)*8 + int(x.B-y.B) })
	ids := []string{"1", "2", "3", "4"}
	tests := []struct {
		name      string
		strong    float64
		together  bool
		cohesion  int
		strongCut int
	}{
		{"strong pair kept", 0.99, true, 0, 0},
		{"without it the groups part", 1, false, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rep := cluster(4, pairs, clusterSettings{threshold: 0.5, bridge: 0.95, cohesion: 0.5, strong: tt.strong}, idOf(ids), prob)
			if (got[1] == got[2]) != tt.together {
				t.Errorf("clusters %v: records 1 and 2 together %v, want %v", got, got[1] == got[2], tt.together)
			}
			if rep.Links != 4 || rep.StrongSplit != tt.strongCut || (rep.CohesionSplits > 0) != (tt.cohesion > 0) {
				t.Errorf("report %+v", rep)
			}
		})
	}
}

func TestBridgesOfAChain(t *testing.T) {
	// 0-1-2-3: every edge is a bridge; the middle one splits 2|2.
	edges := []Pair{{A: 0, B: 1, Probability: 0.9}, {A: 1, B: 2, Probability: 0.7}, {A: 2, B: 3, Probability: 0.8}}
	bs := bridges(edges)
	if len(bs) != 3 {
		t.Fatalf("%d bridges, want 3", len(bs))
	}
	if bs[0].edge.Probability != 0.7 || bs[0].smaller != 2 {
		t.Errorf("weakest bridge %+v, want the middle edge with two records each side", bs[0])
	}
}

func idOf(ids []string) func(int) string { return func(i int) string { return ids[i] } }

func TestIDLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"2", "10", true},
		{"10", "2", false},
		{"007", "8", true},
		{"r10", "r2", true}, // strings
		{"9", "r1", true},
		{"", "1", true}, // by position: 0 < 1
	}
	for _, tt := range tests {
		t.Run(tt.a+"<"+tt.b, func(t *testing.T) {
			if got := idLess(tt.a, 0, tt.b, 1); got != tt.want {
				t.Errorf("idLess(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
