package phonemeta

import (
	"regexp"
	"slices"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers/v2"
	"github.com/nyaruka/phonenumbers/v2/metadata"
)

// Number is what libphonenumber's metadata says about a parsed number.
type Number struct {
	// Region is the ISO 3166-1 alpha-2 code of the number's region, "001"
	// for a non-geographic calling code (+800, +882 …), "" when the
	// calling code is unknown or none of the regions sharing it claims
	// the number: phonenumbers.GetRegionCodeForNumber.
	Region string
	// Type is phonenumbers.GetNumberType: UNKNOWN for a number that
	// matches none of its region's patterns.
	Type phonenumbers.PhoneNumberType
	// NSN is the national significant number:
	// phonenumbers.GetNationalSignificantNumber.
	NSN string

	countryCode int32
}

// Valid reports what phonenumbers.IsValidNumber reports: the number is of
// a known type for its region.
func (n Number) Valid() bool { return n.Type != phonenumbers.UNKNOWN }

// E164 returns the number in E.164 form, without extension, as
// phonenumbers.Format(n, phonenumbers.E164) writes it.
func (n Number) E164() string {
	b := make([]byte, 0, 1+3+len(n.NSN))
	b = append(b, '+')
	b = strconv.AppendInt(b, int64(n.countryCode), 10)
	return string(append(b, n.NSN...))
}

// Classify returns n's region, type and national significant number,
// exactly as phonenumbers.GetRegionCodeForNumber, GetNumberType and
// GetNationalSignificantNumber do, matching n against each pattern at
// most once. It is safe for concurrent use.
func Classify(n *phonenumbers.PhoneNumber) Number {
	return callingCodes().classify(n)
}

func (t table) classify(n *phonenumbers.PhoneNumber) Number {
	nsn := nationalSignificantNumber(n)
	out := Number{NSN: nsn, Type: phonenumbers.UNKNOWN, countryCode: n.GetCountryCode()}
	code := t[int(n.GetCountryCode())]
	if code == nil {
		return out
	}
	regions := code.compiled()
	if len(regions) == 1 {
		out.Region = regions[0].id
		out.Type = regions[0].numberType(nsn)
		return out
	}
	// Regions sharing a calling code: the first whose leading digits
	// match, or without leading digits the first of whose types the
	// number is (the library's getRegionCodeForNumberFromRegionList).
	for _, r := range regions {
		if r.leading != nil {
			if r.leading.MatchString(nsn) {
				out.Region = r.id
				out.Type = r.numberType(nsn)
				return out
			}
			continue
		}
		if t := r.numberType(nsn); t != phonenumbers.UNKNOWN {
			out.Region = r.id
			out.Type = t
			return out
		}
	}
	return out
}

// maxLengthForNSN is libphonenumber's longest national significant
// number; GetNationalSignificantNumber writes no more leading zeros.
const maxLengthForNSN = 17

// nationalSignificantNumber is phonenumbers.GetNationalSignificantNumber
// with one allocation.
func nationalSignificantNumber(n *phonenumbers.PhoneNumber) string {
	var buf [maxLengthForNSN + 20]byte
	b := buf[:0]
	if n.GetItalianLeadingZero() {
		for range min(int(n.GetNumberOfLeadingZeros()), maxLengthForNSN) {
			b = append(b, '0')
		}
	}
	b = strconv.AppendUint(b, n.GetNationalNumber(), 10)
	return string(b)
}

// callingCode holds the regions of one country calling code, in the
// library's order, their patterns compiled on first use.
type callingCode struct {
	compiled func() []*region
}

// table maps every calling code the library knows to its regions.
type table map[int]*callingCode

// callingCodes is the table of the library's metadata, built once.
var callingCodes = sync.OnceValue(newTable)

// newTable reads the library's active metadata. Patterns are compiled per
// calling code when a number of it is first classified, so a process that
// sees only Iranian numbers never compiles the rest of the world's.
func newTable() table {
	all := metadata.CountryCodeToRegion()
	out := make(table, len(all))
	for code, ids := range all {
		out[code] = &callingCode{compiled: sync.OnceValue(func() []*region {
			regions := make([]*region, len(ids))
			for i, id := range ids {
				regions[i] = newRegion(code, id)
			}
			return regions
		})}
	}
	return out
}

// region is one region's (or non-geographic calling code's) metadata, as
// the type matching needs it.
type region struct {
	id string
	// known is false when the library has no metadata for id: no number
	// is of a known type there.
	known bool
	// leading matches the start of the national significant numbers of a
	// region that shares its calling code; nil when the metadata gives no
	// leading digits.
	leading *regexp.Regexp
	// nationalPrefix matches the start of a national number that begins
	// with the national prefix Parse strips; nil when the metadata has
	// none. transformRule is what Parse writes in its place, "" when it
	// just drops it.
	nationalPrefix *regexp.Regexp
	transformRule  string
	// internationalPrefix matches the start of a number dialled from the
	// region to another country (00, 011 …).
	internationalPrefix *regexp.Regexp
	// countryCode is the region's calling code, in digits.
	countryCode string
	// localOnlyLengths are the lengths of numbers dialled only within an
	// area of the region.
	localOnlyLengths []int32
	// sameMobileAndFixedLine is set when the metadata's mobile and fixed
	// line patterns are the same.
	sameMobileAndFixedLine     bool
	general, fixedLine, mobile desc
	// special are the other types, in the order the library tries them.
	special []typedDesc
}

// typedDesc is a description and the type of the numbers it matches.
type typedDesc struct {
	desc
	typ phonenumbers.PhoneNumberType
}

func newRegion(code int, id string) *region {
	var m *metadata.PhoneMetadata
	var ok bool
	if id == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
		m, ok = metadata.NonGeoMetadata(code)
	} else {
		m, ok = metadata.RegionMetadata(id)
	}
	r := &region{id: id, known: ok && m != nil}
	if !r.known {
		return r
	}
	if ld := m.GetLeadingDigits(); ld != "" {
		r.leading = regexp.MustCompile("^(?:" + ld + ")")
	}
	if np := m.GetNationalPrefixForParsing(); np != "" {
		r.nationalPrefix = regexp.MustCompile("^(?:" + np + ")")
	}
	r.transformRule = m.GetNationalPrefixTransformRule()
	r.internationalPrefix = regexp.MustCompile("^(?:" + m.GetInternationalPrefix() + ")")
	r.countryCode = strconv.Itoa(int(m.GetCountryCode()))
	r.localOnlyLengths = m.GetGeneralDesc().GetPossibleLengthLocalOnly()
	r.sameMobileAndFixedLine = m.GetSameMobileAndFixedLinePattern()
	r.general = newDesc(m.GetGeneralDesc())
	r.fixedLine = newDesc(m.GetFixedLine())
	r.mobile = newDesc(m.GetMobile())
	for _, d := range []struct {
		d   *metadata.PhoneNumberDesc
		typ phonenumbers.PhoneNumberType
	}{
		{m.GetPremiumRate(), phonenumbers.PREMIUM_RATE},
		{m.GetTollFree(), phonenumbers.TOLL_FREE},
		{m.GetSharedCost(), phonenumbers.SHARED_COST},
		{m.GetVoip(), phonenumbers.VOIP},
		{m.GetPersonalNumber(), phonenumbers.PERSONAL_NUMBER},
		{m.GetPager(), phonenumbers.PAGER},
		{m.GetUan(), phonenumbers.UAN},
		{m.GetVoicemail(), phonenumbers.VOICEMAIL},
	} {
		r.special = append(r.special, typedDesc{newDesc(d.d), d.typ})
	}
	return r
}

// numberType is the library's getNumberTypeHelper: the special types in
// the library's order, then fixed line and mobile.
func (r *region) numberType(nsn string) phonenumbers.PhoneNumberType {
	if !r.known || !r.general.matches(nsn) {
		return phonenumbers.UNKNOWN
	}
	for _, d := range r.special {
		if d.matches(nsn) {
			return d.typ
		}
	}
	if r.fixedLine.matches(nsn) {
		if r.sameMobileAndFixedLine || r.mobile.matches(nsn) {
			return phonenumbers.FIXED_LINE_OR_MOBILE
		}
		return phonenumbers.FIXED_LINE
	}
	if !r.sameMobileAndFixedLine && r.mobile.matches(nsn) {
		return phonenumbers.MOBILE
	}
	return phonenumbers.UNKNOWN
}

// desc is one number type's pattern and possible lengths.
type desc struct {
	// lengths are the possible lengths of a national significant number
	// of the type; none means any length. A type the region does not have
	// lists only -1.
	lengths []int32
	// pattern matches a whole national significant number of the type;
	// nil for an empty pattern, which matches only "".
	pattern *regexp.Regexp
}

func newDesc(d *metadata.PhoneNumberDesc) desc {
	out := desc{lengths: d.GetPossibleLength()}
	if p := d.GetNationalNumberPattern(); p != "" {
		out.pattern = regexp.MustCompile("^(?:" + p + ")$")
	}
	return out
}

// matches is the library's isNumberMatchingDesc: a possible length, then
// the pattern.
func (d *desc) matches(nsn string) bool {
	if len(d.lengths) > 0 && !slices.Contains(d.lengths, int32(len(nsn))) {
		return false
	}
	return d.matchesPattern(nsn)
}

// matchesPattern reports whether nsn matches the pattern, whatever its
// length.
func (d *desc) matchesPattern(nsn string) bool {
	if d.pattern == nil {
		return nsn == ""
	}
	return d.pattern.MatchString(nsn)
}
