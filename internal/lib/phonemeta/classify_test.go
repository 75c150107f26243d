package phonemeta

import (
	"flag"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/nyaruka/phonenumbers/v2"
	"github.com/nyaruka/phonenumbers/v2/metadata"
	"google.golang.org/protobuf/proto"
)

// full runs the agreement tests on their whole corpora (about a minute on
// two cores); without it every example number is tried and a fixed
// sample of the numbers made from them (see sampleEvery), so that "go
// test ./..." stays quick. Run it with -full after changing the parsers or
// updating the phonenumbers module.
var full = flag.Bool("full", false, "compare with the library on the whole corpus")

// sampled keeps out[:keep] and, unless -full, a fixed sample of the rest.
func sampled(out []string, keep int, rng *rand.Rand) []string {
	if *full {
		return out
	}
	kept := out[:keep:keep]
	for _, s := range out[keep:] {
		if rng.IntN(sampleEvery) == 0 {
			kept = append(kept, s)
		}
	}
	return kept
}

// allTypes are the number types GetExampleNumberForTypeInRegion is asked
// for.
var allTypes = []phonenumbers.PhoneNumberType{
	phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE,
	phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST,
	phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
	phonenumbers.UAN, phonenumbers.VOICEMAIL, phonenumbers.UNKNOWN,
}

// TestClassifyAgreesWithLibrary compares Classify's table with the
// library on the library's metadata (compareWithLibrary says on what), and
// checks that the corpus reaches every type, every region the library
// ever gives, and more than one region of every shared calling code.
func TestClassifyAgreesWithLibrary(t *testing.T) {
	st := compareWithLibrary(t, callingCodes())
	// The corpus must reach what it is meant to reach, or agreeing on it
	// proves little.
	t.Logf("%d numbers, %d valid, %d regions; types %v", st.total, st.valid, len(st.regions), st.types)
	for _, typ := range allTypes {
		if st.types[typ] == 0 {
			t.Errorf("no number of type %s in the corpus", TypeName(typ))
		}
	}
	for r := range phonenumbers.GetSupportedRegions() {
		if st.regions[r] {
			continue
		}
		// EH: Morocco comes first under +212 and claims every number
		// Western Sahara's metadata knows.
		if ex := phonenumbers.GetExampleNumber(r); ex != nil && phonenumbers.GetRegionCodeForNumber(ex) != r {
			t.Logf("region %s: the library never gives it", r)
			continue
		}
		t.Errorf("no number of region %s in the corpus", r)
	}
	for code, regions := range st.regionsOfCode {
		if len(phonenumbers.GetRegionCodesForCountryCode(code)) > 1 && len(regions) < 2 {
			t.Errorf("+%d: shared by %v, but the corpus reaches only %v", code, phonenumbers.GetRegionCodesForCountryCode(code), regions)
		}
	}
	if st.valid < st.total/20 || st.valid > st.total*19/20 {
		t.Errorf("%d of %d numbers valid: the corpus should hold plenty of both", st.valid, st.total)
	}
}

// TestClassifyAgreesOnAlteredMetadata runs the comparison again on the
// library's metadata altered so that what the real metadata happens to
// make moot matters: types that overlap (their order decides), a general
// pattern narrower than the types', possible lengths narrower than the
// patterns, and mobile and fixed line flagged the same though they
// differ. A future metadata may do any of these.
func TestClassifyAgreesOnAlteredMetadata(t *testing.T) {
	useAlteredMetadata(t, func(i int, m *metadata.PhoneMetadata) {
		switch i % 4 {
		case 0:
			if m.GetTollFree().GetNationalNumberPattern() != "" {
				m.PremiumRate = proto.Clone(m.GetTollFree()).(*metadata.PhoneNumberDesc)
			}
		case 1:
			// Parse needs the general lengths a sub-description may leave
			// out as "same as general".
			if l := m.GetFixedLine().GetPossibleLength(); len(l) > 0 && l[0] > 0 {
				m.GeneralDesc = proto.Clone(m.GetFixedLine()).(*metadata.PhoneNumberDesc)
			}
		case 2:
			for _, d := range []*metadata.PhoneNumberDesc{m.GetGeneralDesc(), m.GetFixedLine(), m.GetMobile()} {
				d.NationalNumberPattern = proto.String(`\d+`)
			}
		case 3:
			m.SameMobileAndFixedLinePattern = proto.Bool(true)
		}
	})
	st := compareWithLibrary(t, newTable())
	t.Logf("%d numbers, %d valid, %d regions; types %v", st.total, st.valid, len(st.regions), st.types)
	// The altered metadata must still give valid numbers of many types, or
	// the agreement above proves little.
	if st.valid < st.total/10 || len(st.types) < 8 || st.types[phonenumbers.FIXED_LINE_OR_MOBILE] == 0 || st.types[phonenumbers.PREMIUM_RATE] == 0 {
		t.Fatalf("altered metadata gave %d valid of %d numbers, types %v: too few to compare", st.valid, st.total, st.types)
	}
}

// useAlteredMetadata makes the library use, until the test ends, a copy
// of its metadata that alter changed region by region (i counts them).
// Tests that use it must not run in parallel.
func useAlteredMetadata(t *testing.T, alter func(i int, m *metadata.PhoneMetadata)) {
	t.Helper()
	real, err := metadata.Collection()
	if err != nil {
		t.Fatal(err)
	}
	coll := proto.Clone(real).(*metadata.PhoneMetadataCollection)
	for i, m := range coll.GetMetadata() {
		alter(i, m)
	}
	altered, err := metadata.NewContainer(coll, metadata.CountryCodeToRegion())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(metadata.Use(altered))
}

// stats says what a corpus reached.
type stats struct {
	total, valid  int
	types         map[phonenumbers.PhoneNumberType]int
	regions       map[string]bool
	regionsOfCode map[int]map[string]bool
}

// compareWithLibrary compares tab's answers with the library's
// GetRegionCodeForNumber, GetNumberType, IsValidNumber,
// GetNationalSignificantNumber and Format(E164) on, for every calling
// code the library knows, the example number of every type of every
// region sharing it, every variant of those with one digit changed,
// dropped or added, and random numbers of every possible length (some
// keeping an example's first digits, so that they fall in real ranges).
func compareWithLibrary(t *testing.T, tab table) stats {
	t.Helper()
	codes := slices.Sorted(func(yield func(int) bool) {
		for c := range phonenumbers.GetSupportedCallingCodes() {
			if !yield(c) {
				return
			}
		}
	})
	if len(codes) < 200 {
		t.Fatalf("only %d calling codes", len(codes))
	}
	st := stats{
		types:         map[phonenumbers.PhoneNumberType]int{},
		regions:       map[string]bool{},
		regionsOfCode: map[int]map[string]bool{},
	}
	for _, code := range codes {
		t.Run("+"+strconv.Itoa(code), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(code), 7))
			mismatches := 0
			for _, nsn := range corpus(t, code, rng) {
				n := numberOf(int32(code), nsn)
				got := tab.classify(n)
				want := Number{
					Region:      phonenumbers.GetRegionCodeForNumber(n),
					Type:        phonenumbers.GetNumberType(n),
					NSN:         phonenumbers.GetNationalSignificantNumber(n),
					countryCode: n.GetCountryCode(),
				}
				wantValid := phonenumbers.IsValidNumber(n)
				wantE164 := phonenumbers.Format(n, phonenumbers.E164)
				if got != want || got.Valid() != wantValid || got.E164() != wantE164 {
					mismatches++
					if mismatches <= 10 {
						t.Errorf("+%d %s: got %s %s valid=%t %s %s, library says %s %s valid=%t %s %s", code, nsn,
							got.Region, TypeName(got.Type), got.Valid(), got.NSN, got.E164(),
							want.Region, TypeName(want.Type), wantValid, want.NSN, wantE164)
					}
				}
				st.types[want.Type]++
				st.regions[want.Region] = true
				if st.regionsOfCode[code] == nil {
					st.regionsOfCode[code] = map[string]bool{}
				}
				st.regionsOfCode[code][want.Region] = true
				st.total++
				if wantValid {
					st.valid++
				}
			}
			if mismatches > 10 {
				t.Errorf("+%d: %d mismatches in all", code, mismatches)
			}
		})
	}
	return st
}

// TestClassifyOddNumbers covers numbers Parse does not make: unknown
// calling codes, leading zeros without a flag, more zeros than a number
// can have.
func TestClassifyOddNumbers(t *testing.T) {
	tests := []struct {
		name string
		n    *phonenumbers.PhoneNumber
	}{
		{"zero", &phonenumbers.PhoneNumber{}},
		{"no country code", &phonenumbers.PhoneNumber{NationalNumber: proto.Uint64(2079460018)}},
		{"unknown country code", &phonenumbers.PhoneNumber{CountryCode: proto.Int32(999), NationalNumber: proto.Uint64(2079460018)}},
		{"negative country code", &phonenumbers.PhoneNumber{CountryCode: proto.Int32(-44), NationalNumber: proto.Uint64(2079460018)}},
		{"italian zero, default count", &phonenumbers.PhoneNumber{CountryCode: proto.Int32(39), NationalNumber: proto.Uint64(236618300), ItalianLeadingZero: proto.Bool(true)}},
		{"italian zero, no count", &phonenumbers.PhoneNumber{CountryCode: proto.Int32(39), NationalNumber: proto.Uint64(236618300), ItalianLeadingZero: proto.Bool(true), NumberOfLeadingZeros: proto.Int32(0)}},
		{"italian zero, negative count", &phonenumbers.PhoneNumber{CountryCode: proto.Int32(39), NationalNumber: proto.Uint64(236618300), ItalianLeadingZero: proto.Bool(true), NumberOfLeadingZeros: proto.Int32(-3)}},
		{"italian zero, huge count", &phonenumbers.PhoneNumber{CountryCode: proto.Int32(39), NationalNumber: proto.Uint64(236618300), ItalianLeadingZero: proto.Bool(true), NumberOfLeadingZeros: proto.Int32(1 << 30)}},
		{"count without flag", &phonenumbers.PhoneNumber{CountryCode: proto.Int32(39), NationalNumber: proto.Uint64(236618300), NumberOfLeadingZeros: proto.Int32(2)}},
		{"largest national number", &phonenumbers.PhoneNumber{CountryCode: proto.Int32(1), NationalNumber: proto.Uint64(1<<64 - 1)}},
		{"non-geographic", &phonenumbers.PhoneNumber{CountryCode: proto.Int32(800), NationalNumber: proto.Uint64(12345678)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.n)
			want := Number{
				Region:      phonenumbers.GetRegionCodeForNumber(tt.n),
				Type:        phonenumbers.GetNumberType(tt.n),
				NSN:         phonenumbers.GetNationalSignificantNumber(tt.n),
				countryCode: tt.n.GetCountryCode(),
			}
			if got != want || got.Valid() != phonenumbers.IsValidNumber(tt.n) || got.E164() != phonenumbers.Format(tt.n, phonenumbers.E164) {
				t.Fatalf("got %+v, library says %+v", got, want)
			}
		})
	}
}

// corpus returns national significant numbers to try under calling code
// code, in a fixed order for a given rng.
func corpus(t *testing.T, code int, rng *rand.Rand) []string {
	t.Helper()
	var examples []string
	var lengths []int32
	for _, id := range phonenumbers.GetRegionCodesForCountryCode(code) {
		var m *metadata.PhoneMetadata
		var ok bool
		if id == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
			m, ok = metadata.NonGeoMetadata(code)
			if ex := phonenumbers.GetExampleNumberForNonGeoEntity(code); ex != nil {
				examples = append(examples, phonenumbers.GetNationalSignificantNumber(ex))
			}
		} else {
			m, ok = metadata.RegionMetadata(id)
			for _, typ := range allTypes {
				if ex := phonenumbers.GetExampleNumberForTypeInRegion(id, typ); ex != nil {
					examples = append(examples, phonenumbers.GetNationalSignificantNumber(ex))
				}
			}
			if ex := phonenumbers.GetInvalidExampleNumber(id); ex != nil {
				examples = append(examples, phonenumbers.GetNationalSignificantNumber(ex))
			}
		}
		if !ok {
			t.Fatalf("+%d: no metadata for %s", code, id)
		}
		for _, d := range []*metadata.PhoneNumberDesc{
			m.GetGeneralDesc(), m.GetFixedLine(), m.GetMobile(), m.GetTollFree(),
			m.GetPremiumRate(), m.GetSharedCost(), m.GetPersonalNumber(), m.GetVoip(),
			m.GetPager(), m.GetUan(), m.GetVoicemail(),
		} {
			if ex := d.GetExampleNumber(); ex != "" {
				examples = append(examples, ex)
			}
			lengths = append(lengths, d.GetPossibleLength()...)
			lengths = append(lengths, d.GetPossibleLengthLocalOnly()...)
		}
	}
	slices.Sort(examples)
	examples = slices.Compact(examples)
	slices.Sort(lengths)
	lengths = slices.Compact(lengths)
	if len(examples) == 0 {
		t.Fatalf("+%d: no example numbers", code)
	}

	out := slices.Clone(examples)
	for _, ex := range examples {
		for i := range len(ex) {
			for d := byte('0'); d <= '9'; d++ {
				if d != ex[i] {
					out = append(out, ex[:i]+string(d)+ex[i+1:])
				}
			}
			out = append(out, ex[:i]+ex[i+1:])
		}
		for i := range len(ex) + 1 {
			for d := byte('0'); d <= '9'; d++ {
				out = append(out, ex[:i]+string(d)+ex[i:])
			}
		}
	}
	for _, l := range lengths {
		if l < 1 {
			continue
		}
		for range 50 {
			out = append(out, randomDigits(rng, int(l)))
		}
		for _, ex := range examples {
			for range 3 {
				keep := min(len(ex), int(l), 1+rng.IntN(5))
				out = append(out, ex[:keep]+randomDigits(rng, int(l)-keep))
			}
		}
	}
	return sampled(out, len(examples), rng)
}

func randomDigits(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.IntN(10))
	}
	return string(b)
}

// TestClassifyConcurrent classifies and parses from many goroutines at
// once, on a table none has used yet, for the race detector.
func TestClassifyConcurrent(t *testing.T) {
	tab := newTable()
	inputs := []string{"+989121234567", "+12025550143", "+14165550123", "+442079460018", "0412345678", "+80012345678"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				n, err := tab.parse(inputs[(g+i)%len(inputs)], "AU")
				if err != nil {
					t.Error(err)
					return
				}
				if got, want := tab.classify(n).Valid(), phonenumbers.IsValidNumber(n); got != want {
					t.Errorf("%v: valid %t, library says %t", n, got, want)
				}
			}
		})
	}
	wg.Wait()
}
