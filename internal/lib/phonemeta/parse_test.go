package phonemeta

import (
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers/v2"
	"github.com/nyaruka/phonenumbers/v2/metadata"
	"google.golang.org/protobuf/proto"
)

// TestParseAgreesWithLibrary compares Parse with phonenumbers.Parse on
// "+", a calling code and a national number, for every calling code: the
// example numbers and their one-digit variants, with and without a
// national prefix in front, random digits, numbers too short and too
// long, unknown calling codes; each read for no region, for the calling
// code's own region and for another.
func TestParseAgreesWithLibrary(t *testing.T) {
	tab := callingCodes()
	fast, inputsTotal, total := 0, 0, 0
	for code := range phonenumbers.GetSupportedCallingCodes() {
		rng := rand.New(rand.NewPCG(uint64(code), 11))
		cc := strconv.Itoa(code)
		var inputs []string
		for _, nsn := range parseCorpus(t, code, rng) {
			inputs = append(inputs, "+"+cc+nsn)
			for _, prefix := range []string{"0", "1", "9", "00", "15"} {
				inputs = append(inputs, "+"+cc+prefix+nsn)
			}
		}
		for range 30 {
			inputs = append(inputs, "+"+randomDigits(rng, 1+rng.IntN(22)))
		}
		regions := []string{"", "US", phonenumbers.GetRegionCodeForCountryCode(code)}
		inputsTotal += len(inputs)
		for _, s := range inputs {
			if _, ok := tab.parseE164(s); ok {
				fast++
			}
			for _, region := range regions {
				total++
				got, gotErr := Parse(s, region)
				want, wantErr := phonenumbers.Parse(s, region)
				if !sameParse(got, gotErr, want, wantErr) {
					t.Fatalf("Parse(%q, %q) = %v, %v; library says %v, %v", s, region, got, gotErr, want, wantErr)
				}
			}
		}
	}
	t.Logf("%d parses, %d of %d inputs on the fast path", total, fast, inputsTotal)
	// Both paths must be taken often, or the agreement shows little.
	if fast < inputsTotal/10 || fast > inputsTotal*9/10 {
		t.Errorf("%d of %d inputs on the fast path", fast, inputsTotal)
	}
}

// TestParseNationalAgreesWithLibrary compares Parse with
// phonenumbers.Parse on national numbers of digits only, for every region
// the library supports: the example numbers of every type and their
// one-digit variants, bare and after the region's national prefix, its
// calling code, its international prefix and other digits; and random
// digits. Each is read for its region, and some for no region or one the
// library does not know.
func TestParseNationalAgreesWithLibrary(t *testing.T) {
	fast, total := compareNationalParse(t, callingCodes())
	t.Logf("%d of %d inputs on the fast path", fast, total)
	if fast < total/10 || fast > total*9/10 {
		t.Errorf("%d of %d inputs on the fast path", fast, total)
	}
}

// TestParseNationalAgreesOnAlteredMetadata compares again on metadata
// where a length is both possible and local only, which the real
// metadata never has, so that the order of testNumberLength's checks
// matters.
func TestParseNationalAgreesOnAlteredMetadata(t *testing.T) {
	useAlteredMetadata(t, func(_ int, m *metadata.PhoneMetadata) {
		g := m.GetGeneralDesc()
		if l := g.GetPossibleLength(); len(l) > 1 {
			g.PossibleLengthLocalOnly = append(g.PossibleLengthLocalOnly, l[len(l)-1])
		}
	})
	compareNationalParse(t, newTable())
}

// compareNationalParse compares tab's parse with phonenumbers.Parse on
// national numbers of digits only, for every region the library
// supports: the example numbers of every type and their one-digit
// variants, bare and after the region's national prefix, its calling
// code, its international prefix and other digits; and random digits.
// Each is read for its region, and some for no region or one the library
// does not know. It returns how many inputs took the fast path, of how
// many.
func compareNationalParse(t *testing.T, tab table) (fast, total int) {
	t.Helper()
	regions := slices.Sorted(maps.Keys(phonenumbers.GetSupportedRegions()))
	for _, region := range regions {
		code := phonenumbers.GetCountryCodeForRegion(region)
		rng := rand.New(rand.NewPCG(uint64(code), uint64(len(region))))
		prefixes := []string{"", "0", "1", "00", "011", "8", "9", "15", "044", strconv.Itoa(code),
			phonenumbers.GetNddPrefixForRegion(region, true)}
		var inputs []string
		for _, nsn := range parseCorpus(t, code, rng) {
			for _, prefix := range prefixes {
				if rng.IntN(3) == 0 {
					inputs = append(inputs, prefix+nsn)
				}
			}
		}
		for range 30 {
			inputs = append(inputs, randomDigits(rng, 3+rng.IntN(16)))
		}
		total += len(inputs)
		for _, s := range inputs {
			if _, ok := tab.parseNational(s, region); ok {
				fast++
			}
			for _, r := range []string{region, "", "ZZ", "001", strings.ToLower(region)} {
				if r != region && rng.IntN(10) != 0 {
					continue
				}
				got, gotErr := tab.parse(s, r)
				want, wantErr := phonenumbers.Parse(s, r)
				if !sameParse(got, gotErr, want, wantErr) {
					t.Fatalf("Parse(%q, %q) = %v, %v; library says %v, %v", s, r, got, gotErr, want, wantErr)
				}
			}
		}
	}
	return fast, total
}

// parseCorpus is one in 16 of the national numbers corpus gives for
// calling code code, picked at random.
func parseCorpus(t *testing.T, code int, rng *rand.Rand) []string {
	t.Helper()
	var out []string
	for _, nsn := range corpus(t, code, rng) {
		if rng.IntN(16) == 0 {
			out = append(out, nsn)
		}
	}
	return out
}

// sameParse reports whether two parses gave the same number or the same
// error.
func sameParse(got *phonenumbers.PhoneNumber, gotErr error, want *phonenumbers.PhoneNumber, wantErr error) bool {
	return errors.Is(gotErr, wantErr) && errors.Is(wantErr, gotErr) && (wantErr != nil || proto.Equal(got, want))
}

// TestPlainAgreesWithLibrary checks what Plain promises: when exact,
// phonenumbers.Parse reads the plain form as it reads the input (the same
// number, or the same error); and the cases it calls inexact do differ.
func TestPlainAgreesWithLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789012345678901234567890123456789 -.()/+"
	var inputs []string
	for range 20000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		inputs = append(inputs, string(b))
	}
	for _, region := range []string{"US", "GB", "IR", "DE", "AU", "IT", "AR"} {
		for _, typ := range allTypes {
			ex := phonenumbers.GetExampleNumberForTypeInRegion(region, typ)
			if ex == nil {
				continue
			}
			for _, f := range []phonenumbers.PhoneNumberFormat{phonenumbers.NATIONAL, phonenumbers.INTERNATIONAL, phonenumbers.E164} {
				s := phonenumbers.Format(ex, f)
				inputs = append(inputs, s, "("+s+")", strings.ReplaceAll(s, " ", "-"), strings.ReplaceAll(s, " ", "."), " "+s+" / ")
			}
		}
	}
	inputs = append(inputs, "1-2", "(1)2", "+1 2", "12", "1", "+", "", "-", "+(44) 20 7946 0018", "00 44 20 7946 0018",
		strings.Repeat(" ", 240)+"+44 20 7946 0018", strings.Repeat("-", 300)+"0912 123 4567")
	inexact := 0
	for _, s := range inputs {
		p, exact := Plain(s)
		for _, region := range []string{"", "US", "IR"} {
			got, gotErr := phonenumbers.Parse(p, region)
			want, wantErr := phonenumbers.Parse(s, region)
			same := sameParse(got, gotErr, want, wantErr)
			if exact && !same {
				t.Fatalf("Plain(%q) = %q, exact, but the library reads %v, %v for it and %v, %v for the input", s, p, got, gotErr, want, wantErr)
			}
			if !exact && !same {
				inexact++
			}
		}
	}
	if inexact == 0 {
		t.Error("no input Plain calls inexact reads differently: the guard is untested")
	}
}

func TestPlain(t *testing.T) {
	tests := []struct {
		in, want string
		exact    bool
	}{
		{"+44 (20) 7946-0018", "+442079460018", true},
		{"0912.123.4567", "09121234567", true},
		{"+989121234567", "+989121234567", true},
		{"(415) 555-2671 ext. 12", "(415) 555-2671 ext. 12", true},
		{"tel:+1-415-555-2671", "tel:+1-415-555-2671", true},
		{"1 + 2", "1 + 2", true},
		{"1-2", "12", false},
		{strings.Repeat(" ", 250) + "0412 345 678", "0412345678", false},
		{"", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, exact := Plain(tt.in)
			if got != tt.want || exact != tt.exact {
				t.Fatalf("Plain(%q) = %q, %t; want %q, %t", tt.in, got, exact, tt.want, tt.exact)
			}
		})
	}
}

// FuzzParse checks that Parse reads any input as phonenumbers.Parse does.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"+989121234567", "0912 123 4567", "+44 (20) 7946-0018", "1-2", "+540295827988728",
		"+4700000", "tel:+1-415-555-2671;ext=12", "(415) 555-2671 ext. 12", "00 44 20 7946 0018"} {
		f.Add(s, "IR")
	}
	for _, x := range []struct{ s, region string }{
		{"0412345678", "AU"}, {"02083617145", "GB"}, {"0111512345678", "AR"}, {"04455123456", "MX"},
		{"0236618300", "IT"}, {"2025550143", "US"}, {"12025550143", "US"}, {"01144207946", "US"},
	} {
		f.Add(x.s, x.region)
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		got, gotErr := Parse(s, region)
		want, wantErr := phonenumbers.Parse(s, region)
		if !sameParse(got, gotErr, want, wantErr) {
			t.Fatalf("Parse(%q, %q) = %v, %v; library says %v, %v", s, region, got, gotErr, want, wantErr)
		}
	})
}
