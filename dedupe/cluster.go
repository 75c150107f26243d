package dedupe

import (
	"slices"
	"strconv"
)

// cluster groups records linked by pairs at or above threshold into
// connected components (union-find), then applies the chaining guard:
// within a component, an edge that is a bridge (its removal disconnects the
// component), whose probability is below bridgeProb, and whose removal
// leaves two parts of at least two records each, is cut, and the parts are
// examined again. Two groups of records that each hang together are thus
// not merged through one doubtful link, while a single record hanging on
// one edge (the usual shape of a typo-ridden duplicate) stays. It returns
// per record the index of its cluster's representative: the member with
// the smallest id.
func cluster(n int, pairs []Pair, threshold, bridgeProb float64, ids []string) []int32 {
	var edges []Pair
	for _, p := range pairs {
		if p.Probability >= threshold {
			edges = append(edges, p)
		}
	}
	uf := newUnionFind(n)
	for _, e := range edges {
		uf.union(e.A, e.B)
	}
	// Group edges by component.
	byRoot := make(map[int32][]Pair)
	for _, e := range edges {
		r := uf.find(e.A)
		byRoot[r] = append(byRoot[r], e)
	}
	cut := make(map[[2]int32]bool)
	for _, es := range byRoot {
		if len(es) < 3 {
			continue
		}
		guardComponent(es, bridgeProb, cut)
	}
	if len(cut) > 0 {
		uf = newUnionFind(n)
		for _, e := range edges {
			if !cut[[2]int32{e.A, e.B}] {
				uf.union(e.A, e.B)
			}
		}
	}
	// Representative: the smallest id of the component.
	rep := make([]int32, n)
	for i := range rep {
		rep[i] = -1
	}
	for i := range n {
		r := uf.find(int32(i))
		if rep[r] < 0 || idLess(ids[i], i, ids[rep[r]], int(rep[r])) {
			rep[r] = int32(i)
		}
	}
	out := make([]int32, n)
	for i := range n {
		out[i] = rep[uf.find(int32(i))]
	}
	return out
}

// idLess orders record ids numerically when both are numbers, else as
// strings; records without ids by position.
func idLess(a string, ai int, b string, bi int) bool {
	if a == "" || b == "" || a == b {
		return ai < bi
	}
	x, errX := strconv.ParseUint(a, 10, 64)
	y, errY := strconv.ParseUint(b, 10, 64)
	if errX == nil && errY == nil {
		return x < y
	}
	return a < b
}

// guardComponent finds weak bridges in one component's edges, repeatedly,
// and records them in cut.
func guardComponent(edges []Pair, bridgeProb float64, cut map[[2]int32]bool) {
	for {
		removed := false
		live := edges[:0:0]
		for _, e := range edges {
			if !cut[[2]int32{e.A, e.B}] {
				live = append(live, e)
			}
		}
		for _, b := range bridges(live) {
			if b.edge.Probability < bridgeProb && b.smaller >= 2 {
				cut[[2]int32{b.edge.A, b.edge.B}] = true
				removed = true
				break // the rest must be found again in the smaller parts
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
