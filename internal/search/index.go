package search

import (
	"hash/maphash"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
)

// Index maps the match keys of active customers to the customers. It is
// safe for concurrent use.
type Index struct {
	// Region is the default region for phone numbers typed without a
	// country code (ISO 3166-1 alpha-2).
	Region string

	mu   sync.RWMutex
	seed maphash.Seed
	// ids[p] is the customer at position p; pos the current position of
	// each customer. A customer written again gets a new position; its
	// old one is dead (pos no longer points at it).
	ids  []int64
	pos  map[int64]int32
	dead int
	// keys lists the positions holding each key's hash, ascending.
	keys map[uint64][]int32
}

// New returns an empty index for phone numbers of region.
func New(region string) *Index {
	return &Index{Region: region, seed: maphash.MakeSeed(), pos: make(map[int64]int32), keys: make(map[uint64][]int32)}
}

// Key kinds, so that an email and a name that spell alike stay apart.
const (
	kindEmail = 'e'
	kindPhone = 'p'
	kindName  = 'n'
)

func (x *Index) hash(kind byte, key string) uint64 {
	var h maphash.Hash
	h.SetSeed(x.seed)
	h.WriteByte(kind)
	h.WriteString(key)
	return h.Sum64()
}

// recordKeys returns the hashes of r's keys.
func (x *Index) recordKeys(r *steward.Record) []uint64 {
	var out []uint64
	if k := cleanse.EmailKey(r.Email); k != "" {
		out = append(out, x.hash(kindEmail, k))
	}
	if k := cleanse.PhoneKey(r.Phone, r.Country); k != "" {
		out = append(out, x.hash(kindPhone, k))
	}
	for _, w := range nameWords(r.FirstName + " " + r.LastName + " " + r.Company) {
		out = append(out, x.hash(kindName, w))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// nameWords returns the distinct name keys of the words of s.
func nameWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(cleanse.NameKey(s)) {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// Put makes the index hold the customers cs as they are now: active ones
// with their current keys, others not at all. The keys of a large batch
// are computed on every CPU.
func (x *Index) Put(cs []*steward.Customer) {
	keys := make([][]uint64, len(cs))
	workers := min(runtime.GOMAXPROCS(0), len(cs)/1024+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(cs); i += workers {
				if cs[i].Status == steward.StatusActive {
					keys[i] = x.recordKeys(&cs[i].Record)
				}
			}
		}()
	}
	wg.Wait()
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, c := range cs {
		if _, ok := x.pos[c.ID]; ok {
			delete(x.pos, c.ID)
			x.dead++
		}
		if c.Status != steward.StatusActive {
			continue
		}
		p := int32(len(x.ids))
		x.ids = append(x.ids, c.ID)
		x.pos[c.ID] = p
		for _, h := range keys[i] {
			x.keys[h] = append(x.keys[h], p)
		}
	}
}

// Len returns the number of customers the index holds.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.pos)
}

// Worn reports whether the index holds more dead positions than live
// ones: it is worth building again.
func (x *Index) Worn() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.dead > len(x.pos)+1000
}

// Query is what to look for. Text is classified: an email address when it
// holds an @, a phone number when it is mostly digits, a name otherwise.
type Query struct {
	Text  string
	Email string
	Phone string
	Name  string
}

// Record returns the query as a record, for ranking: the email, the phone
// and the name split into first and last.
func (q Query) Record() steward.Record {
	email, phone, name := q.parts()
	var r steward.Record
	r.Email, r.Phone = email, phone
	r.FirstName, r.LastName = cleanse.SplitFullName(name)
	return r
}

// parts classifies the query's text and merges it with its fields.
func (q Query) parts() (email, phone, name string) {
	email, phone, name = q.Email, q.Phone, q.Name
	t := strings.TrimSpace(q.Text)
	switch {
	case t == "":
	case strings.Contains(t, "@"):
		email = t
	case phoneLike(t):
		phone = t
	default:
		name = strings.TrimSpace(name + " " + t)
	}
	return email, phone, name
}

// phoneLike reports whether s is mostly digits (any script) and phone
// punctuation, with at least six digits.
func phoneLike(s string) bool {
	digits, other := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune("+-() .", r):
		default:
			other++
		}
	}
	return digits >= 6 && other == 0
}

// Lookup returns the customers that have every key the query gives (its
// email, its phone, every word of its name), the most recently written
// first, at most limit of them, and whether there were more.
func (x *Index) Lookup(q Query, limit int) ([]int64, bool) {
	email, phone, name := q.parts()
	var hs []uint64
	if email != "" {
		hs = append(hs, x.hash(kindEmail, cleanse.EmailKey(email)))
	}
	if phone != "" {
		k := cleanse.PhoneKey(phone, x.Region)
		if k == "" {
			return nil, false
		}
		hs = append(hs, x.hash(kindPhone, k))
	}
	for _, w := range nameWords(name) {
		hs = append(hs, x.hash(kindName, w))
	}
	if len(hs) == 0 {
		return nil, false
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	lists := make([][]int32, len(hs))
	for i, h := range hs {
		if lists[i] = x.keys[h]; len(lists[i]) == 0 {
			return nil, false
		}
	}
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	var out []int64
	// From the newest position of the shortest list back, keeping the
	// live positions every other list holds too (each list ascends).
	for i := len(lists[0]) - 1; i >= 0; i-- {
		p := lists[0][i]
		id := x.ids[p]
		if cur, ok := x.pos[id]; !ok || cur != p {
			continue
		}
		all := true
		for _, l := range lists[1:] {
			if _, found := slices.BinarySearch(l, p); !found {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, id)
	}
	return out, false
}
