package gen

import "math/rand/v2"

// Stream tags keep the random streams of one seed apart: the plan, a
// household, a person and each record variant draw from different streams.
const (
	tagPlan      uint64 = 0x243f6a8885a308d3
	tagHousehold uint64 = 0x13198a2e03707344
	tagPerson    uint64 = 0xa4093822299f31d0
	tagVariant   uint64 = 0x082efa98ec4e6c89
)

// mix is the splitmix64 finalizer: a cheap, well-spread hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newRand returns the random stream for (seed, tag, id). Records are pure
// functions of their streams, so output does not depend on which goroutine
// makes them.
func newRand(seed, tag, id uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(seed^tag), mix(id^mix(tag+seed))))
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// pick returns a uniformly chosen element of s.
func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// weights is a cumulative weight table for weighted choice.
type weights []float64

// newWeights returns the cumulative table of w.
func newWeights(w ...float64) weights {
	c := make(weights, len(w))
	sum := 0.0
	for i, x := range w {
		sum += x
		c[i] = sum
	}
	return c
}

// zipf returns a cumulative table for n ranks with weight 1/(rank+offset):
// the skew of real name frequencies, where the top names are very common
// and the tail is long.
func zipf(n int, offset float64) weights {
	w := make([]float64, n)
	for i := range w {
		w[i] = zipfWeight(i, offset)
	}
	return newWeights(w...)
}

// zipfWeight is the weight zipf gives rank: 1/(rank+offset).
func zipfWeight(rank int, offset float64) float64 { return 1 / (float64(rank) + offset) }

// pick returns an index chosen with the table's weights.
func (c weights) pick(r *rand.Rand) int {
	x := r.Float64() * c[len(c)-1]
	lo, hi := 0, len(c)-1
	for lo < hi {
		m := (lo + hi) / 2
		if c[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}
