package dedupe

import "slices"

// clusterSettings are the clustering parts of Config.
type clusterSettings struct {
	threshold, bridge, cohesion, strong float64
}

func clusterSettingsOf(cfg *Config) clusterSettings {
	return clusterSettings{cfg.Threshold, cfg.BridgeProbability, cfg.Cohesion, cfg.StrongProbability}
}

// ClusterReport tells what clustering and its guards against chaining
// did to the links, the pairs at or above Config.Threshold. A link whose
// records end in different clusters is counted once, by the guard that
// first parted them.
type ClusterReport struct {
	// Links counts the pairs at or above the threshold.
	Links int `json:"links"`
	// BridgesCut counts links parted by cutting a weak bridge between two
	// groups of two or more records.
	BridgesCut int `json:"bridges_cut"`
	// GiantLinksDropped counts links parted when a component of more
	// than 64 records was broken up along its weakest links.
	GiantLinksDropped int `json:"giant_links_dropped"`
	// CohesionSplits counts links parted by average linkage: their two
	// groups did not match each other on average.
	CohesionSplits int `json:"cohesion_splits"`
	// StrongLinks counts links at or above Config.StrongProbability,
	// which no guard but a giant's breaking up parts; StrongSplit counts
	// those a giant's breaking up did part.
	StrongLinks int `json:"strong_links"`
	StrongSplit int `json:"strong_split"`
}

// cluster groups records linked by pairs at or above the threshold into
// connected components (union-find), then applies the guards against
// chaining: within a component, an edge that is a bridge (its removal
// disconnects the component), whose probability is below the bridge
// probability, and whose removal leaves two parts of at least two records
// each, is cut, and the parts are examined again; giant components are
// broken up; then each group is re-clustered by average linkage, with the
// records of a strong pair (at or above s.strong) never parted. Two groups
// of records that each hang together are thus not merged through one
// doubtful link, while a single record hanging on one edge (the usual
// shape of a typo-ridden duplicate) stays, and so does a pair whose own
// evidence is strong. It returns per record the index of its cluster's
// representative, the member with the smallest id, and what the guards
// did.
func cluster(n int, pairs []Pair, s clusterSettings, id func(i int) string, prob func(a, b int32) float64) ([]int32, ClusterReport) {
	var edges []Pair
	for _, p := range pairs {
		if p.Probability >= s.threshold {
			edges = append(edges, p)
		}
	}
	uf := newUnionFind(n)
	for _, e := range edges {
		uf.union(e.A, e.B)
	}
	// Group edges by component: sorted by their component's root.
	byRoot := slices.Clone(edges)
	root := make([]int32, n)
	for _, e := range byRoot {
		root[e.A] = uf.find(e.A)
	}
	slices.SortStableFunc(byRoot, func(x, y Pair) int { return int(root[x.A]) - int(root[y.A]) })
	cut := make(map[[2]int32]bool)
	for a := 0; a < len(byRoot); {
		b := a + 1
		for b < len(byRoot) && root[byRoot[b].A] == root[byRoot[a].A] {
			b++
		}
		if b-a >= 3 {
			guardComponent(byRoot[a:b], s.bridge, cut)
		}
		a = b
	}
	if len(cut) > 0 {
		uf = newUnionFind(n)
		for _, e := range edges {
			if !cut[[2]int32{e.A, e.B}] {
				uf.union(e.A, e.B)
			}
		}
	}
	bridged := uf
	uf = splitGiants(n, uf, edges, cut)
	split := uf
	if prob != nil && s.cohesion > 0 {
		uf = cohere(n, uf, edges, s.cohesion, s.strong, prob)
	}
	rep := s.report(edges, bridged, split, uf)
	// Representative: the smallest id of the component.
	reps := make([]int32, n)
	for i := range reps {
		reps[i] = -1
	}
	for i := range n {
		r := uf.find(int32(i))
		if reps[r] < 0 || idLess(id(i), i, id(int(reps[r])), int(reps[r])) {
			reps[r] = int32(i)
		}
	}
	out := make([]int32, n)
	for i := range n {
		out[i] = reps[uf.find(int32(i))]
	}
	return out, rep
}

// report counts the links each stage parted: after the bridge cuts, after
// the giants' breaking up, after average linkage.
func (s clusterSettings) report(edges []Pair, bridged, split, final *unionFind) ClusterReport {
	r := ClusterReport{Links: len(edges)}
	for _, e := range edges {
		strong := e.Probability >= s.strong
		if strong {
			r.StrongLinks++
		}
		switch {
		case bridged.find(e.A) != bridged.find(e.B):
			r.BridgesCut++
		case split.find(e.A) != split.find(e.B):
			r.GiantLinksDropped++
		case final.find(e.A) != final.find(e.B):
			r.CohesionSplits++
		default:
			continue
		}
		if strong {
			r.StrongSplit++
		}
	}
	return r
}

// The clustering rule, in full: pairs at or above Config.Threshold link
// records (union-find); a weak bridge between two groups of two or more
// records is cut (guardComponent); then each group of three to maxCohere
// records is re-clustered by average linkage (cohere), so its parts stay
// together only when their members match each other on average.

// splitGiants breaks up components larger than maxCohere, which real
// duplicates never form: their weakest links are dropped (edges below
// 0.9, then 0.99, 0.999 …) until every part is small enough.
func splitGiants(n int, uf *unionFind, edges []Pair, cut map[[2]int32]bool) *unionFind {
	size := make([]int32, n)
	giants := false
	for i := range n {
		r := uf.find(int32(i))
		size[r]++
		giants = giants || size[r] > maxCohere
	}
	if !giants {
		return uf
	}
	var inGiant []Pair
	out := newUnionFind(n)
	for _, e := range edges {
		switch {
		case len(cut) > 0 && cut[[2]int32{e.A, e.B}]:
		case size[uf.find(e.A)] > maxCohere:
			inGiant = append(inGiant, e)
		default:
			out.union(e.A, e.B)
		}
	}
	// The giants' records, numbered compactly.
	vid := make(map[int32]int32)
	for _, e := range inGiant {
		for _, v := range [2]int32{e.A, e.B} {
			if _, ok := vid[v]; !ok {
				vid[v] = int32(len(vid))
			}
		}
	}
	for bar := 0.9; len(inGiant) > 0; bar = 1 - (1-bar)/10 {
		sub := newUnionFind(len(vid))
		var keep []Pair
		for _, e := range inGiant {
			if e.Probability >= bar {
				sub.union(vid[e.A], vid[e.B])
				keep = append(keep, e)
			}
		}
		// Size of each part, counting every record once.
		subSize := make([]int32, len(vid))
		seen := make([]bool, len(vid))
		for _, e := range keep {
			for _, v := range [2]int32{vid[e.A], vid[e.B]} {
				if !seen[v] {
					seen[v] = true
					subSize[sub.find(v)]++
				}
			}
		}
		inGiant = inGiant[:0]
		for _, e := range keep {
			if subSize[sub.find(vid[e.A])] <= maxCohere || bar > 1-1e-9 {
				out.union(e.A, e.B)
			} else {
				inGiant = append(inGiant, e)
			}
		}
	}
	return out
}

// maxCohere bounds the components cohere examines pair by pair.
const maxCohere = 64

// cohere re-clusters every component of three or more records (up to
// maxCohere) by average linkage over the probabilities of all its member
// pairs, compared directly: groups are merged, most similar first, while
// the average probability between their members reaches threshold. A
// chain of duplicates that each resemble the next stays whole when its
// members resemble each other on average; two groups joined by one strong
// but lone link (a family member sharing address and phone) part. The
// records of an edge at or above strong start in one group and are never
// parted: their own evidence outweighs what the rest of the component
// says about them.
func cohere(n int, uf *unionFind, edges []Pair, threshold, strong float64, prob func(a, b int32) float64) *unionFind {
	// Components of three to maxCohere records are re-clustered; the
	// others are kept whole.
	root := make([]int32, n)
	size := make([]int32, n)
	for i := range n {
		root[i] = uf.find(int32(i))
		size[root[i]]++
	}
	out := newUnionFind(n)
	var examined []int32
	for i, r := range root {
		if k := size[r]; k < 3 || k > maxCohere {
			out.union(r, int32(i))
		} else {
			examined = append(examined, int32(i))
		}
	}
	slices.SortStableFunc(examined, func(a, b int32) int { return int(root[a]) - int(root[b]) })
	tied := newUnionFind(n)
	for _, e := range edges {
		if e.Probability >= strong && root[e.A] == root[e.B] {
			tied.union(e.A, e.B)
		}
	}
	for a := 0; a < len(examined); {
		b := a + 1
		for b < len(examined) && root[examined[b]] == root[examined[a]] {
			b++
		}
		ms := examined[a:b]
		a = b
		// The starting groups: records tied by strong edges together.
		group := make(map[int32]int)
		var starts [][]int32
		for _, m := range ms {
			r := tied.find(m)
			g, ok := group[r]
			if !ok {
				g = len(starts)
				group[r] = g
				starts = append(starts, nil)
			}
			starts[g] = append(starts[g], m)
			out.union(starts[g][0], m)
		}
		k := len(starts)
		if k < 2 {
			continue
		}
		// Average linkage: p[a][b] is the total probability between
		// groups a and b, size[a] their sizes; -1 marks a merged group.
		p := make([]float64, k*k)
		for i, x := range ms {
			for _, y := range ms[i+1:] {
				if a, b := group[tied.find(x)], group[tied.find(y)]; a != b {
					v := prob(x, y)
					p[a*k+b] += v
					p[b*k+a] += v
				}
			}
		}
		size := make([]int, k)
		for a := range size {
			size[a] = len(starts[a])
		}
		for {
			best, ba, bb := -1.0, -1, -1
			for a := range k {
				if size[a] < 0 {
					continue
				}
				for b := a + 1; b < k; b++ {
					if size[b] < 0 {
						continue
					}
					if avg := p[a*k+b] / float64(size[a]*size[b]); avg > best {
						best, ba, bb = avg, a, b
					}
				}
			}
			if ba < 0 || best < threshold {
				break
			}
			for c := range k {
				if c != ba && c != bb && size[c] >= 0 {
					p[ba*k+c] += p[bb*k+c]
					p[c*k+ba] = p[ba*k+c]
				}
			}
			size[ba] += size[bb]
			size[bb] = -1
			out.union(starts[ba][0], starts[bb][0])
		}
	}
	return out
}

// idLess orders record ids numerically when both are numbers, else as
// strings; records without ids by position.
func idLess(a string, ai int, b string, bi int) bool {
	if a == "" || b == "" || a == b {
		return ai < bi
	}
	if isDigits(a) && isDigits(b) {
		x, y := digitsOf(a), digitsOf(b)
		// Numbers: fewer significant digits is smaller, then by digits;
		// equal numbers (07 and 7) by position, as their values are.
		if len(x) != len(y) {
			return len(x) < len(y)
		}
		if x != y {
			return x < y
		}
		return ai < bi
	}
	return a < b
}

// isDigits reports whether s is all ASCII digits, at most 19 (a uint64).
func isDigits(s string) bool {
	if len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// digitsOf returns s without leading zeros ("0" for zeros only).
func digitsOf(s string) string {
	i := 0
	for i < len(s)-1 && s[i] == '0' {
		i++
	}
	return s[i:]
}

// guardComponent finds weak bridges in one component's edges and records
// them in cut; all bridges found in one pass are cut together, and the
// pass is repeated on what is left until no weak bridge remains.
func guardComponent(edges []Pair, bridgeProb float64, cut map[[2]int32]bool) {
	for pass := 0; pass < 8; pass++ {
		live := edges[:0:0]
		for _, e := range edges {
			if !cut[[2]int32{e.A, e.B}] {
				live = append(live, e)
			}
		}
		removed := false
		for _, b := range bridges(live) {
			if b.edge.Probability < bridgeProb && b.smaller >= 2 {
				cut[[2]int32{b.edge.A, b.edge.B}] = true
				removed = true
			}
		}
		if !removed {
			return
		}
	}
}

// bridge is an edge whose removal disconnects its component; smaller is
// the size of the smaller side.
type bridge struct {
	edge    Pair
	smaller int
}

// bridges returns the bridges of the graph formed by edges, weakest first,
// by an iterative Tarjan depth-first search.
func bridges(edges []Pair) []bridge {
	// Compact vertex numbering.
	ids := make(map[int32]int32)
	var verts []int32
	vid := func(v int32) int32 {
		if x, ok := ids[v]; ok {
			return x
		}
		x := int32(len(verts))
		ids[v] = x
		verts = append(verts, v)
		return x
	}
	type half struct{ to, edge int32 }
	adj := make([][]half, 0)
	for k, e := range edges {
		a, b := vid(e.A), vid(e.B)
		for int(max(a, b)) >= len(adj) {
			adj = append(adj, nil)
		}
		adj[a] = append(adj[a], half{b, int32(k)})
		adj[b] = append(adj[b], half{a, int32(k)})
	}
	nv := len(verts)
	disc := make([]int32, nv)
	low := make([]int32, nv)
	size := make([]int32, nv) // subtree sizes in the DFS tree
	for i := range disc {
		disc[i] = -1
	}
	var out []bridge
	type frame struct {
		v, parentEdge int32
		next          int
	}
	timer := int32(0)
	for root := range nv {
		if disc[root] >= 0 {
			continue
		}
		// Component size, for the other side of a bridge.
		compStart := timer
		stack := []frame{{int32(root), -1, 0}}
		disc[root], low[root], size[root] = timer, timer, 1
		timer++
		var found []int32 // bridges as child vertices, resolved after
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next < len(adj[f.v]) {
				h := adj[f.v][f.next]
				f.next++
				if h.edge == f.parentEdge {
					continue
				}
				if disc[h.to] < 0 {
					disc[h.to], low[h.to], size[h.to] = timer, timer, 1
					timer++
					stack = append(stack, frame{h.to, h.edge, 0})
				} else {
					low[f.v] = min(low[f.v], disc[h.to])
				}
				continue
			}
			v := f.v
			pe := f.parentEdge
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				p := stack[len(stack)-1].v
				low[p] = min(low[p], low[v])
				size[p] += size[v]
				if low[v] > disc[p] {
					found = append(found, v, pe)
				}
			}
		}
		compSize := timer - compStart
		for k := 0; k < len(found); k += 2 {
			v, e := found[k], found[k+1]
			out = append(out, bridge{edge: edges[e], smaller: int(min(size[v], compSize-size[v]))})
		}
	}
	slices.SortFunc(out, func(a, b bridge) int {
		switch {
		case a.edge.Probability < b.edge.Probability:
			return -1
		case a.edge.Probability > b.edge.Probability:
			return 1
		}
		return 0
	})
	return out
}

type unionFind struct{ parent []int32 }

func newUnionFind(n int) *unionFind {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	return &unionFind{p}
}

func (u *unionFind) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		if ra < rb {
			u.parent[rb] = ra
		} else {
			u.parent[ra] = rb
		}
	}
}
