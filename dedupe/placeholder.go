package dedupe

import (
	"context"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/steward-crm/steward"
)

// Placeholders are values a data set holds far more often than real
// values are shared: a birth date of 1900-01-01 typed in for every
// customer without one, 1 January standing for an unknown day, a role
// mailbox or a shop's own address given for customers without one, an
// office switchboard. Agreement on them says little, and blocks on them
// grow to hundreds of records, so an index finds them from its records'
// own frequencies (findPlaceholders) and flags every record holding one
// (flagDatePlaceholder, flagDayPlaceholder, flagEmailPlaceholder,
// flagPhonePlaceholder): the comparisons weigh such a value as a level of
// its own or as missing, and blocking leaves it out.

// Thresholds of placeholder detection.
const (
	// placeholderMin is the fewest records that make a shared email,
	// phone or birth date a placeholder: more than one person's records
	// and a household's hold.
	placeholderMin = 8
	// placeholderFactor is how many times the average records per
	// distinct birth date (of the other dates) a date must be held by to
	// be a placeholder.
	placeholderFactor = 10
	// dayShareFactor is how many times its share of a year (1/365) a day
	// and month must hold of the birth dates, with at least dayMin
	// records, for that day to be a placeholder (1 January for an unknown
	// day).
	dayShareFactor = 10
	dayMin         = 20
)

// placeholderSet holds the placeholder values of an index, as hashes
// (valueHash with the kinds below) so that a record's flags can be looked
// up for an incoming record too.
type placeholderSet struct {
	dates  map[uint64]bool
	emails map[uint64]bool
	phones map[uint64]bool
	// days has bit d of days[m] set when day d of month m is a
	// placeholder day.
	days [13]uint32
}

// Kinds of placeholderSet's value hashes; apart from the blocking keys'
// and term frequencies' kinds.
const (
	phKindDate  = 0x70
	phKindEmail = 0x71
	phKindPhone = 0x72
)

func dateHash(d date) uint64 {
	if d.missing() {
		return 0
	}
	g := d.digits()
	return valueHash(phKindDate, string(g[:]))
}

// flagsOf returns the placeholder flags of p's values.
func (s *placeholderSet) flagsOf(p *prepared) uint8 {
	var f uint8
	if !p.dob.missing() {
		if p.dob.m < 13 && p.dob.d < 32 && s.days[p.dob.m]&(1<<p.dob.d) != 0 {
			f |= flagDayPlaceholder
		}
		if len(s.dates) > 0 && s.dates[dateHash(p.dob)] {
			f |= flagDatePlaceholder
		}
	}
	if len(s.emails) > 0 && p.email != "" && s.emails[valueHash(phKindEmail, p.email)] {
		f |= flagEmailPlaceholder
	}
	if len(s.phones) > 0 && p.phone != "" && s.phones[valueHash(phKindPhone, p.phone)] {
		f |= flagPhonePlaceholder
	}
	return f
}

// markPlaceholders sets p's placeholder flags from the index's set and,
// when it counts terms with a base index (CountTermsWith), the base's:
// what is a placeholder is judged by the population, as how common a name
// is. The flags p brings from another index are kept.
func (ix *Index) markPlaceholders(p *prepared) {
	p.flags |= ix.placeholders.flagsOf(p)
	if ix.tfBase != nil {
		p.flags |= ix.tfBase.placeholders.flagsOf(p)
	}
}

// prepareQuery prepares a record to be matched against or added to the
// index: its match keys and its placeholder flags.
func (ix *Index) prepareQuery(r *steward.Record) prepared {
	p := prepare(r)
	ix.markPlaceholders(&p)
	return p
}

// findPlaceholders finds the placeholder values among the records and
// flags the records that hold them. Emails and phones are counted in a
// table of counters indexed by their hash, twice the records in size, so
// that counting a million values costs no map; the few values whose
// counter reaches the threshold are then counted exactly.
func (ix *Index) findPlaceholders(ctx context.Context) error {
	n := len(ix.recs)
	set, err := findPlaceholderSet(ctx, n, ix.cfg.workers(), func(lo, hi int, fn func(p *prepared)) {
		var p prepared
		for i := lo; i < hi; i++ {
			ix.rec(int32(i), &p)
			fn(&p)
		}
	})
	if err != nil {
		return err
	}
	ix.placeholders = set
	if set.empty() {
		return nil
	}
	return parallelRange(ctx, n, ix.cfg.workers(), func(lo, hi int) {
		var p prepared
		for i := lo; i < hi; i++ {
			ix.rec(int32(i), &p)
			if f := set.flagsOf(&p); f != 0 {
				p.flags |= f
				ix.recs[i].flags = p.flags
				for o, k := range sortKeysOf(&p) {
					ix.sortKeys[o][i] = k
				}
			}
		}
	})
}

// findPlaceholderSet finds the placeholder values among n records, which
// each(lo, hi, fn) hands to fn, those of positions lo to hi, on up to
// workers goroutines at once; it reads them twice.
func findPlaceholderSet(ctx context.Context, n, workers int, each func(lo, hi int, fn func(p *prepared))) (placeholderSet, error) {
	size := 1 << max(10, bits.Len(uint(2*n)))
	counters := make([]uint32, size)
	mask := uint64(size - 1)
	type dateCount struct {
		byDate map[date]int32
		days   [13][32]int32
		dated  int
	}
	var mu sync.Mutex
	var all dateCount
	all.byDate = make(map[date]int32)
	err := parallelRange(ctx, n, workers, func(lo, hi int) {
		local := dateCount{byDate: make(map[date]int32)}
		each(lo, hi, func(p *prepared) {
			if !p.dob.missing() {
				local.byDate[p.dob]++
				if p.dob.m < 13 && p.dob.d < 32 {
					local.days[p.dob.m][p.dob.d]++
				}
				local.dated++
			}
			if p.email != "" {
				atomic.AddUint32(&counters[valueHash(phKindEmail, p.email)&mask], 1)
			}
			if p.phone != "" {
				atomic.AddUint32(&counters[valueHash(phKindPhone, p.phone)&mask], 1)
			}
		})
		mu.Lock()
		for d, c := range local.byDate {
			all.byDate[d] += c
		}
		for m := range local.days {
			for d := range local.days[m] {
				all.days[m][d] += local.days[m][d]
			}
		}
		all.dated += local.dated
		mu.Unlock()
	})
	if err != nil {
		return placeholderSet{}, err
	}
	set := placeholderSet{}
	// Placeholder days: a day and month far above its share of a year.
	if all.dated > 0 {
		for m := range all.days {
			for d, c := range all.days[m] {
				if c >= dayMin && float64(c)/float64(all.dated) >= dayShareFactor/365.0 {
					set.days[m] |= 1 << d
				}
			}
		}
	}
	// Placeholder dates: held by many times the average of the dates of
	// their kind (placeholder day or not).
	var total, distinct [2]int
	dayOf := func(d date) int {
		if d.m < 13 && d.d < 32 && set.days[d.m]&(1<<d.d) != 0 {
			return 1
		}
		return 0
	}
	for d, c := range all.byDate {
		total[dayOf(d)] += int(c)
		distinct[dayOf(d)]++
	}
	for d, c := range all.byDate {
		// The average of the other dates of its kind, so that a
		// placeholder does not raise its own bar.
		k := dayOf(d)
		mean := 0.0
		if distinct[k] > 1 {
			mean = float64(total[k]-int(c)) / float64(distinct[k]-1)
		}
		if int(c) >= placeholderMin && float64(c) >= placeholderFactor*mean {
			if set.dates == nil {
				set.dates = make(map[uint64]bool)
			}
			set.dates[dateHash(d)] = true
		}
	}
	// Emails and phones whose counter reaches the threshold, counted
	// exactly.
	exact := [2]map[uint64]int32{make(map[uint64]int32), make(map[uint64]int32)}
	err = parallelRange(ctx, n, workers, func(lo, hi int) {
		local := [2]map[uint64]int32{make(map[uint64]int32), make(map[uint64]int32)}
		each(lo, hi, func(p *prepared) {
			for k, h := range [2]uint64{valueHash(phKindEmail, p.email), valueHash(phKindPhone, p.phone)} {
				if h != 0 && counters[h&mask] >= placeholderMin {
					local[k][h]++
				}
			}
		})
		mu.Lock()
		for k := range local {
			for h, c := range local[k] {
				exact[k][h] += c
			}
		}
		mu.Unlock()
	})
	if err != nil {
		return placeholderSet{}, err
	}
	frequent := func(m map[uint64]int32) map[uint64]bool {
		var out map[uint64]bool
		for h, c := range m {
			if c >= placeholderMin {
				if out == nil {
					out = make(map[uint64]bool)
				}
				out[h] = true
			}
		}
		return out
	}
	set.emails, set.phones = frequent(exact[0]), frequent(exact[1])
	return set, nil
}

// empty reports whether the set holds no placeholder.
func (s *placeholderSet) empty() bool {
	for _, d := range s.days {
		if d != 0 {
			return false
		}
	}
	return len(s.dates) == 0 && len(s.emails) == 0 && len(s.phones) == 0
}
