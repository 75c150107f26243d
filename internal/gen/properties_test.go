package gen

import (
	"context"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"unicode"
)

// genRecord is one generated record with what the generator knows of it.
type genRecord struct {
	entity  uint32
	variant int
	row     row
	kinds   uint32
}

// collect makes every record of opts in output order, with its entity and
// the error kinds applied.
func collect(t testing.TB, opts Options) []genRecord {
	t.Helper()
	g, err := newGenerator(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]genRecord, len(g.slots))
	for i, s := range g.slots {
		rec := &recs[i]
		rec.entity, rec.variant = s>>2, int(s&3)
		rec.kinds = g.record(rec.entity, rec.variant, &rec.row)
	}
	return recs
}

// byEntity groups records by entity, the original (variant 0) first.
func byEntity(recs []genRecord) map[uint32][]*genRecord {
	m := map[uint32][]*genRecord{}
	for i := range recs {
		r := &recs[i]
		if r.variant == 0 {
			m[r.entity] = append([]*genRecord{r}, m[r.entity]...)
		} else {
			m[r.entity] = append(m[r.entity], r)
		}
	}
	return m
}

// foldDigits rewrites Persian and Arabic-Indic digits as ASCII.
func foldDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '۰' && r <= '۹':
			return '0' + r - '۰'
		case r >= '٠' && r <= '٩':
			return '0' + r - '٠'
		}
		return r
	}, s)
}

// foldArabic rewrites the Arabic forms of Persian letters.
func foldArabic(s string) string {
	return strings.NewReplacer("ي", "ی", "ى", "ی", "ك", "ک", "ة", "ه").Replace(s)
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, foldDigits(s))
}

func hasPersianScript(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) {
			return true
		}
	}
	return false
}

// validIranID checks an Iranian national code independently of the
// generator: weights 10..2, remainder below 2 is the check digit itself,
// otherwise 11 minus it.
func validIranID(s string) bool {
	if len(s) != 10 || strings.Count(s, s[:1]) == 10 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		sum += int(s[i]-'0') * (10 - i)
	}
	rem := sum % 11
	want := rem
	if rem >= 2 {
		want = 11 - rem
	}
	return int(s[9]-'0') == want
}

func TestGenerateDoesNotDependOnCPUs(t *testing.T) {
	opts := Options{N: 3 * chunkSize, Seed: 9, DupRate: 0.3}
	prev := runtime.GOMAXPROCS(1)
	one, oneT := generate(t, opts)
	runtime.GOMAXPROCS(4)
	four, fourT := generate(t, opts)
	runtime.GOMAXPROCS(prev)
	if string(one) != string(four) || string(oneT) != string(fourT) {
		t.Fatal("output changed with GOMAXPROCS")
	}
}

func TestDuplicateRate(t *testing.T) {
	for _, rate := range []float64{0, 0.1, 0.3, 0.6} {
		recs := collect(t, Options{N: 30000, Seed: 5, DupRate: rate})
		ents := byEntity(recs)
		withDups := 0
		for _, rs := range ents {
			if len(rs) > 1 {
				withDups++
			}
			if len(rs) > 4 {
				t.Fatalf("rate %v: entity with %d records", rate, len(rs))
			}
		}
		got := float64(withDups) / float64(len(ents))
		if got < rate-0.03 || got > rate+0.03 {
			t.Errorf("rate %v: %.3f of entities have duplicates", rate, got)
		}
	}
}

func TestDuplicatesAreNotAdjacent(t *testing.T) {
	// Small files full of duplicates: a plain shuffle would put records of
	// one entity side by side in most of them.
	for seed := range uint64(50) {
		recs := collect(t, Options{N: 300, Seed: seed, DupRate: 1})
		for i := 1; i < len(recs); i++ {
			if recs[i].entity == recs[i-1].entity {
				t.Fatalf("seed %d: records %d and %d both describe entity %d", seed, i, i+1, recs[i].entity)
			}
		}
	}
}

var (
	irMobileRE   = regexp.MustCompile(`^(0098|98|0)?9\d{9}$`)
	irLandlineRE = regexp.MustCompile(`^(0098|98|0)?[1-8]\d{9}$`)
	postalRE     = map[string]*regexp.Regexp{
		// The formats of Google's address metadata, simplified.
		"US": regexp.MustCompile(`^\d{5}(-\d{4})?$`),
		"GB": regexp.MustCompile(`^[A-Z]{1,2}\d[\dA-Z]? \d[ABD-HJLN-UW-Z]{2}$`),
		"AU": regexp.MustCompile(`^\d{4}$`),
		"IR": regexp.MustCompile(`^[13-9]{5}-?\d{5}$`),
	}
)

// countryOf returns the ISO code of a record from whatever form the
// country column has.
func countryOf(rec *genRecord, g map[string]*country) string {
	for code, c := range g {
		if rec.row[colCountry] == code {
			return code
		}
		for _, n := range c.names {
			if rec.row[colCountry] == n {
				return code
			}
		}
	}
	return ""
}

func TestLocaleFAIsIranian(t *testing.T) {
	recs := collect(t, Options{N: 20000, Seed: 11, DupRate: 0.3, Locale: LocaleFA})
	countries := newCountries()
	persianNames, phones, postals := 0, 0, 0
	for i := range recs {
		r := &recs[i]
		if c := countryOf(r, countries); c != "" && c != "IR" {
			t.Fatalf("locale fa wrote country %q", r.row[colCountry])
		}
		if r.variant == 0 && !hasPersianScript(r.row[colFirst]) {
			t.Fatalf("original first name %q is not in Persian script", r.row[colFirst])
		}
		if hasPersianScript(r.row[colFirst]) {
			persianNames++
		}
		if p := r.row[colPhone]; p != "" {
			d := onlyDigits(p)
			if !irMobileRE.MatchString(d) && !irLandlineRE.MatchString(d) {
				t.Fatalf("phone %q is not Iranian", p)
			}
			phones++
		}
		if pc := foldDigits(r.row[colPostal]); pc != "" {
			if len(onlyDigits(pc)) != 10 || !postalRE["IR"].MatchString(pc) {
				t.Fatalf("postal code %q is not a 10-digit Iranian code", r.row[colPostal])
			}
			postals++
		}
	}
	if persianNames < len(recs)*8/10 || phones < len(recs)/2 || postals < len(recs)/2 {
		t.Fatalf("of %d records: %d Persian names, %d phones, %d postal codes", len(recs), persianNames, phones, postals)
	}
}

func TestLocaleENHasNoPersianScript(t *testing.T) {
	recs := collect(t, Options{N: 20000, Seed: 12, DupRate: 0.5, Locale: LocaleEN})
	countries := newCountries()
	seen := map[string]int{}
	for i := range recs {
		r := &recs[i]
		for _, s := range r.row {
			if hasPersianScript(s) || strings.ContainsRune(s, '\u200c') {
				t.Fatalf("locale en wrote %q", s)
			}
		}
		c := countryOf(r, countries)
		if c == "IR" {
			t.Fatalf("locale en wrote country %q", r.row[colCountry])
		}
		seen[c]++
	}
	for _, c := range []string{"US", "GB", "AU"} {
		if seen[c] < len(recs)/10 {
			t.Errorf("only %d records from %s", seen[c], c)
		}
	}
}

func TestMixedHasBothScriptsAndAllCountries(t *testing.T) {
	recs := collect(t, Options{N: 20000, Seed: 13, DupRate: 0.3})
	countries := newCountries()
	seen := map[string]int{}
	persian, latin := 0, 0
	for i := range recs {
		r := &recs[i]
		seen[countryOf(r, countries)]++
		if hasPersianScript(r.row[colFirst]) {
			persian++
		} else if r.row[colFirst] != "" {
			latin++
		}
	}
	for _, c := range []string{"US", "GB", "AU", "IR"} {
		if seen[c] < len(recs)/20 {
			t.Errorf("only %d records from %s", seen[c], c)
		}
	}
	if persian < len(recs)/4 || latin < len(recs)/4 {
		t.Errorf("%d Persian-script and %d Latin-script first names of %d", persian, latin, len(recs))
	}
}

func TestIranNationalIDsAreValid(t *testing.T) {
	if !validIranID("0012345679") || validIranID("0012345678") || validIranID("1111111111") {
		t.Fatal("the test's own checker is wrong")
	}
	if got := iranCheckDigit([]byte("001234567")); got != 9 {
		t.Fatalf("iranCheckDigit(001234567) = %d, want 9", got)
	}
	recs := collect(t, Options{N: 20000, Seed: 21, DupRate: 0.3, Locale: LocaleFA})
	n := 0
	for i := range recs {
		r := &recs[i]
		if r.variant != 0 || r.row[colNatID] == "" {
			continue
		}
		n++
		if id := foldDigits(r.row[colNatID]); !validIranID(id) {
			t.Fatalf("national id %q has a wrong check digit", r.row[colNatID])
		}
	}
	if n < 1000 {
		t.Fatalf("only %d national ids", n)
	}
}

func TestPostalCodesHaveTheirCountrysFormat(t *testing.T) {
	recs := collect(t, Options{N: 20000, Seed: 22, DupRate: 0})
	countries := newCountries()
	seen := map[string]int{}
	for i := range recs {
		r := &recs[i]
		pc := r.row[colPostal]
		if pc == "" {
			continue
		}
		c := countryOf(r, countries)
		if re := postalRE[c]; re == nil || !re.MatchString(pc) {
			t.Fatalf("%s postal code %q", c, pc)
		}
		seen[c]++
	}
	if len(seen) != 4 {
		t.Fatalf("postal codes by country: %v", seen)
	}
}

func TestCancelStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Generate(ctx, Options{N: 100000, Seed: 1}, discard{}, nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Generate with a canceled context: %v", err)
	}
}

func TestBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"negative n", Options{N: -1}},
		{"dup rate above 1", Options{N: 1, DupRate: 1.5}},
		{"negative dup rate", Options{N: 1, DupRate: -0.1}},
		{"unknown locale", Options{N: 1, Locale: "de"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Generate(context.Background(), tt.opts, discard{}, nil, nil); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestCrossNamedRender renders every person named crosswise in a plan of
// a million records: one named after someone of another country's
// household once wrote that country's name from the household country's
// list, past its end.
func TestCrossNamedRender(t *testing.T) {
	g, err := newGenerator(context.Background(), Options{N: 1_000_000, Seed: 7, DupRate: DefaultDupRate})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for e := range g.plan {
		if g.plan[e].rel != relCrossNamed {
			continue
		}
		p := g.base(uint32(e))
		var w row
		p.render(&w)
		n++
	}
	if n < 1000 {
		t.Fatalf("%d people named crosswise in a million records", n)
	}
}

// TestMailboxesHaveOneOwner: a mail provider gives an address once, so
// two people share one only when a family shares its mailbox. Drawn
// independently, addresses of common names collided by the dozen (24
// people held mohammad71@gmail.com in a million records).
func TestMailboxesHaveOneOwner(t *testing.T) {
	g, err := newGenerator(context.Background(), Options{N: 300_000, Seed: 5, DupRate: DefaultDupRate})
	if err != nil {
		t.Fatal(err)
	}
	owner := map[string]uint32{}
	renamed := 0
	for e := range g.plan {
		p := g.base(uint32(e))
		if g.isTaken(uint32(e)) {
			renamed++
		}
		key := strings.ToLower(p.email)
		o, held := owner[key]
		if !held {
			owner[key] = uint32(e)
			continue
		}
		if !p.sharedMail || g.plan[e].household != o && g.plan[e].household != g.plan[o].household {
			t.Fatalf("entities %d and %d (household %d, shared %v) both hold %s", o, e, g.plan[e].household, p.sharedMail, p.email)
		}
	}
	if renamed == 0 {
		t.Error("no entity lost its first-choice address to an earlier one: the test shows nothing")
	}
	t.Logf("%d entities took an address with a number of their own", renamed)
}
