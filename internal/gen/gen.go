package gen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/steward-crm/steward"
)

// Locale chooses whose customers are generated.
type Locale string

// Locales.
const (
	// LocaleMixed generates Iranian customers in Persian script and US, UK
	// and Australian customers in Latin script, some of them of Iranian
	// origin.
	LocaleMixed Locale = "mixed"
	// LocaleEN generates US, UK and Australian customers only: no Persian
	// script in the original records (transliterated Iranian names occur).
	LocaleEN Locale = "en"
	// LocaleFA generates Iranian customers only, in Persian script; their
	// duplicates may be transliterated to Latin script.
	LocaleFA Locale = "fa"
)

// DefaultDupRate is the share of entities that get duplicate records when a
// caller has no better idea.
const DefaultDupRate = 0.3

// Options says what to generate.
type Options struct {
	// N is the number of records to write, duplicates included.
	N int
	// Seed makes the output reproducible: the same options give the same
	// bytes.
	Seed uint64
	// DupRate is the share of entities (0 to 1) that get 1 to 3 extra
	// records with errors. Zero generates no duplicates.
	DupRate float64
	// Locale chooses the customers' countries and scripts; "" is
	// LocaleMixed.
	Locale Locale
}

// ParseLocale returns the locale named s ("en", "fa" or "mixed").
func ParseLocale(s string) (Locale, error) {
	switch l := Locale(strings.ToLower(s)); l {
	case LocaleEN, LocaleFA, LocaleMixed:
		return l, nil
	}
	return "", fmt.Errorf("unknown locale %q (want en, fa or mixed)", s)
}

// chunkSize is how many records one unit of parallel work makes.
const chunkSize = 4096

// Generate writes opts.N synthetic customer records to out as canonical
// CSV (header steward.CanonicalColumns()) and the ground truth to truth as
// CSV "id,entity_id": every record's id and the entity it describes.
// Duplicates of an entity carry errors real CRMs see and are spread through
// the file; related but distinct people (family members at one address,
// colleagues, namesakes) are different entities. truth may be nil. progress,
// if not nil, is called with the number of records written so far. The
// output depends only on opts, not on the number of CPUs.
func Generate(ctx context.Context, opts Options, out, truth io.Writer, progress func(n int)) error {
	g, err := newGenerator(ctx, opts)
	if err != nil {
		return err
	}
	return g.run(ctx, out, truth, progress)
}

// generator holds one run's plan and tables.
type generator struct {
	opts  Options
	t     *tables
	plan  []entPlan
	slots []uint32 // entity<<2 | variant, in output order
	// taken marks the entities whose first-choice email address an
	// earlier entity holds (claimMailboxes).
	taken []uint64
}

// entPlan is decided for each entity before any record is made.
type entPlan struct {
	household uint32 // entity whose household (location, surname) this one shares; itself for most
	target    uint32 // the namesake's model
	rel       uint8
	b2b       bool
}

func newGenerator(ctx context.Context, opts Options) (*generator, error) {
	if opts.N < 0 {
		return nil, errors.New("negative record count")
	}
	if opts.DupRate < 0 || opts.DupRate > 1 {
		return nil, fmt.Errorf("dup rate %v outside 0..1", opts.DupRate)
	}
	if opts.N >= 1<<30 {
		return nil, fmt.Errorf("record count %d too large", opts.N)
	}
	if opts.Locale == "" {
		opts.Locale = LocaleMixed
	}
	if _, err := ParseLocale(string(opts.Locale)); err != nil {
		return nil, err
	}
	t, err := newTables()
	if err != nil {
		return nil, err
	}
	g := &generator{opts: opts, t: t}
	g.makePlan()
	if err := g.claimMailboxes(ctx); err != nil {
		return nil, err
	}
	return g, nil
}

// makePlan decides, from one random stream, how many records each entity
// gets, how entities relate, and the order records are written in.
func (g *generator) makePlan() {
	n := g.opts.N
	r := newRand(g.opts.Seed, tagPlan, 0)
	g.slots = make([]uint32, 0, n)
	g.plan = make([]entPlan, 0, n/(1+int(g.opts.DupRate*1.6))+16)
	lastB2B := -1
	for e := 0; len(g.slots) < n; e++ {
		pl := entPlan{household: uint32(e), target: uint32(e)}
		switch x := r.Float64(); {
		case x < 0.05 && e > 0 && g.plan[e-1].rel == relNone && !g.plan[e-1].b2b:
			pl.rel, pl.household = relFamily, uint32(e-1)
		case x < 0.07 && lastB2B >= 0:
			pl.rel, pl.household, pl.b2b = relColleague, uint32(lastB2B), true
		case x < 0.09 && e > 0:
			if t := r.IntN(e); g.plan[t].rel == relNone {
				pl.rel, pl.target = relNamesake, uint32(t)
			}
		case x < 0.10 && e > 0 && g.plan[e-1].rel == relNone && !g.plan[e-1].b2b:
			pl.rel, pl.household = relFamilyNamesake, uint32(e-1)
		case x < 0.115 && e > 0:
			if t := r.IntN(e); g.plan[t].rel == relNone {
				pl.rel, pl.target = relCrossNamed, uint32(t)
			}
		}
		if pl.rel == relNone && chance(r, 0.15) {
			pl.b2b = true
			lastB2B = e
		}
		g.plan = append(g.plan, pl)
		k := 1
		if chance(r, g.opts.DupRate) {
			switch x := r.IntN(10); {
			case x < 6:
				k = 2
			case x < 9:
				k = 3
			default:
				k = 4
			}
		}
		for v := 0; v < k && len(g.slots) < n; v++ {
			g.slots = append(g.slots, uint32(e)<<2|uint32(v))
		}
	}
	r.Shuffle(len(g.slots), func(i, j int) { g.slots[i], g.slots[j] = g.slots[j], g.slots[i] })
	// Records of one entity must not sit next to each other.
	for pass := 0; pass < 8; pass++ {
		moved := false
		for i := 1; i < len(g.slots); i++ {
			if g.slots[i]>>2 != g.slots[i-1]>>2 {
				continue
			}
			j := r.IntN(len(g.slots))
			if g.fits(i, g.slots[j]) && g.fits(j, g.slots[i]) {
				g.slots[i], g.slots[j] = g.slots[j], g.slots[i]
				moved = true
			}
		}
		if !moved {
			break
		}
	}
}

// fits reports whether slot value s may stand at position i without an
// entity neighbour.
func (g *generator) fits(i int, s uint32) bool {
	e := s >> 2
	return (i == 0 || g.slots[i-1]>>2 != e) && (i == len(g.slots)-1 || g.slots[i+1]>>2 != e)
}

// chunk is one unit of output for a run of slots: CSV and truth lines, or
// rows and their entities.
type chunk struct {
	out, truth []byte
	rows       []row
	ents       []uint32
	err        error
}

// parallel makes the chunks with build on all CPUs and hands them to emit
// in order, with the number of records done so far. At most two chunks
// per worker are in flight, which bounds memory.
func (g *generator) parallel(ctx context.Context, build func(lo, hi int) chunk, emit func(c *chunk, done int) error) error {
	nchunks := (len(g.slots) + chunkSize - 1) / chunkSize
	workers := min(runtime.GOMAXPROCS(0), max(nchunks, 1))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, 2*workers)
	results := make([]chan chunk, nchunks)
	for i := range results {
		results[i] = make(chan chunk, 1)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := ctx.Err(); err != nil {
					results[i] <- chunk{err: err}
					continue
				}
				results[i] <- build(i*chunkSize, min((i+1)*chunkSize, len(g.slots)))
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range nchunks {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	err := func() error {
		done := 0
		for i := range results {
			var c chunk
			select {
			case c = <-results[i]:
			case <-ctx.Done():
				return ctx.Err()
			}
			<-sem
			if c.err != nil {
				return c.err
			}
			done += min(chunkSize, len(g.slots)-i*chunkSize)
			if err := emit(&c, done); err != nil {
				return err
			}
		}
		return nil
	}()
	cancel()
	wg.Wait()
	return err
}

func (g *generator) run(ctx context.Context, out, truth io.Writer, progress func(int)) error {
	bw := bufio.NewWriterSize(out, 1<<20)
	var tw *bufio.Writer
	if truth != nil {
		tw = bufio.NewWriterSize(truth, 1<<18)
		if _, err := tw.WriteString("id,entity_id\n"); err != nil {
			return fmt.Errorf("write truth: %w", err)
		}
	}
	if _, err := bw.WriteString(strings.Join(steward.CanonicalColumns(), ",") + "\n"); err != nil {
		return fmt.Errorf("write records: %w", err)
	}
	err := g.parallel(ctx, g.csvChunk, func(c *chunk, done int) error {
		if _, err := bw.Write(c.out); err != nil {
			return fmt.Errorf("write records: %w", err)
		}
		if tw != nil {
			if _, err := tw.Write(c.truth); err != nil {
				return fmt.Errorf("write truth: %w", err)
			}
		}
		if progress != nil {
			progress(done)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write records: %w", err)
	}
	if tw != nil {
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("write truth: %w", err)
		}
	}
	return nil
}

// recordID is the id of the record at output position pos.
func recordID(b []byte, pos int) []byte {
	b = append(b, 'r')
	return strconv.AppendInt(b, int64(pos)+1, 10)
}

// csvChunk renders slots lo..hi as CSV and truth lines.
func (g *generator) csvChunk(lo, hi int) chunk {
	c := chunk{out: make([]byte, 0, (hi-lo)*200), truth: make([]byte, 0, (hi-lo)*20)}
	var w row
	idb := make([]byte, 0, 16)
	for pos := lo; pos < hi; pos++ {
		s := g.slots[pos]
		g.record(s>>2, int(s&3), &w)
		idb = recordID(idb[:0], pos)
		w[colID] = string(idb)
		c.out = appendRow(c.out, &w)
		c.truth = appendTruth(c.truth, w[colID], s>>2)
	}
	return c
}

// rowChunk renders slots lo..hi as rows.
func (g *generator) rowChunk(lo, hi int) chunk {
	c := chunk{rows: make([]row, hi-lo), ents: make([]uint32, hi-lo)}
	for pos := lo; pos < hi; pos++ {
		s := g.slots[pos]
		w := &c.rows[pos-lo]
		g.record(s>>2, int(s&3), w)
		w[colID] = string(recordID(nil, pos))
		c.ents[pos-lo] = s >> 2
	}
	return c
}

// Each generates the same records as Generate, in the same order, and
// calls fn with each record and its entity id, for callers that want
// records in memory rather than a file. An error from fn stops the run and
// is returned.
func Each(ctx context.Context, opts Options, fn func(rec steward.Record, entityID string) error) error {
	g, err := newGenerator(ctx, opts)
	if err != nil {
		return err
	}
	cols := steward.CanonicalColumns()
	var eb []byte
	return g.parallel(ctx, g.rowChunk, func(c *chunk, _ int) error {
		for i := range c.rows {
			var rec steward.Record
			for j, name := range cols {
				rec.Set(name, c.rows[i][j])
			}
			eb = append(eb[:0], 'e')
			eb = strconv.AppendUint(eb, uint64(c.ents[i])+1, 10)
			if err := fn(rec, string(eb)); err != nil {
				return err
			}
		}
		return nil
	})
}

// tables are the generator's read-only data: names, places and the weight
// tables derived from them.
type tables struct {
	countries   map[string]*country
	cityW       map[string]weights
	typeW       map[string]weights
	formW       map[string]weights
	domainW     map[string]weights
	phoneStyleW map[string]weights
	phoneDupW   map[string]weights
	enCountryW  weights
	mixCountryW weights

	enMale, enFemale, enLast nameList
	faMale, faFemale, faLast nameList
	// enTail and faTail are the family names beyond the lists, which
	// most people bear (see headShare).
	enTail, faTail nameList
	// surnameOf maps a Persian given name to the family name made of it
	// (حسین: حسینی, رضا: رضایی), stemOf a family name to that given name.
	surnameOf, stemOf map[*nameEntry]*nameEntry
}

func newTables() (*tables, error) {
	t := &tables{
		countries:   newCountries(),
		cityW:       map[string]weights{},
		typeW:       map[string]weights{},
		formW:       map[string]weights{},
		domainW:     map[string]weights{},
		phoneStyleW: map[string]weights{},
		phoneDupW:   map[string]weights{},
		enCountryW:  newWeights(55, 25, 20),
		mixCountryW: newWeights(45, 25, 15, 15),
	}
	for code, c := range t.countries {
		w := make([]float64, len(c.cities))
		for i, ct := range c.cities {
			w[i] = ct.weight
		}
		t.cityW[code] = newWeights(w...)
		t.typeW[code] = zipf(len(c.types), 1)
		var fw []float64
		for _, f := range legalForms[code] {
			fw = append(fw, f.weight)
		}
		t.formW[code] = newWeights(fw...)
		var dw []float64
		for _, d := range emailDomains[code] {
			dw = append(dw, d.w)
		}
		t.domainW[code] = newWeights(dw...)
		sw := phoneStyleWeights[code]
		t.phoneStyleW[code] = newWeights(sw[:]...)
		var uw [phoneStyles]float64
		for i, x := range sw {
			if x > 0 {
				uw[i] = 1
			}
		}
		t.phoneDupW[code] = newWeights(uw[:]...)
	}
	lists := []struct {
		l      *nameList
		file   string
		offset float64
	}{
		{&t.enMale, "en_male.txt", 8}, {&t.enFemale, "en_female.txt", 8}, {&t.enLast, "en_last.txt", 30},
		{&t.faMale, "fa_male.txt", 3}, {&t.faFemale, "fa_female.txt", 4}, {&t.faLast, "fa_last.txt", 20},
	}
	for _, x := range lists {
		l, err := loadNames(x.file, x.offset)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(x.file, "fa_") {
			for _, e := range l.entries {
				if len(e.latin) == 0 {
					return nil, fmt.Errorf("name list %s: %s has no transliteration", x.file, strings.Join(e.parts, ""))
				}
			}
		}
		*x.l = l
	}
	t.surnameOf, t.stemOf = map[*nameEntry]*nameEntry{}, map[*nameEntry]*nameEntry{}
	given := map[string]*nameEntry{}
	for i := range t.faMale.entries {
		e := &t.faMale.entries[i]
		given[strings.Join(e.parts, "")] = e
	}
	for i := range t.faLast.entries {
		e := &t.faLast.entries[i]
		name := strings.Join(e.parts, "")
		for _, ending := range []string{"یی", "ی"} {
			if g, ok := given[strings.TrimSuffix(name, ending)]; ok && strings.HasSuffix(name, ending) && t.surnameOf[g] == nil {
				t.surnameOf[g], t.stemOf[e] = e, g
				break
			}
		}
	}
	t.enTail = surnameTail(t.enLast, t.enMale, false, nil)
	t.faTail = surnameTail(t.faLast, t.faMale, true, t.stemOf)
	return t, nil
}
