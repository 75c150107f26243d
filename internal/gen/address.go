package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// ukInward are the letters a UK inward code may end in.
const ukInward = "ABDEFGHJLNPQRSTUWXYZ"

// ukDistricts bounds the district numbers of the London postcode areas.
var ukDistricts = map[string]int{"SW": 20, "E": 18, "N": 22, "SE": 28, "W": 14, "NW": 11, "EC": 4, "WC": 2}

// makeAddress returns a street address in c's city ct.
func (g *generator) makeAddress(c *country, ct *city, r *rand.Rand) address {
	a := address{
		street: pick(r, c.streets),
		typ:    g.t.typeW[c.code].pick(r),
		abbrev: chance(r, 0.3),
	}
	switch c.code {
	case "US":
		a.number = 1 + r.IntN(999)
		if chance(r, 0.5) {
			a.number = 100 + r.IntN(9900)
		}
		if chance(r, 0.25) {
			a.unitWord = pick(r, c.units)
			a.unit = strconv.Itoa(1 + r.IntN(30))
			if chance(r, 0.3) {
				a.unit += string(rune('A' + r.IntN(6)))
			}
		}
		a.postal = ct.post + pad(ct.lo+r.IntN(ct.hi-ct.lo+1), 2)
		if chance(r, 0.08) {
			a.postal += "-" + digits(r, 4)
		}
	case "GB":
		a.number = 1 + r.IntN(200)
		if chance(r, 0.2) {
			a.unitWord = pick(r, c.units)
			a.unit = strconv.Itoa(1 + r.IntN(24))
		}
		area := pick(r, strings.Fields(ct.post))
		max := 20
		if m, ok := ukDistricts[area]; ok {
			max = m
		}
		out := area + strconv.Itoa(1+r.IntN(max))
		if area == "EC" || area == "WC" || (area == "SW" || area == "W") && out[len(out)-1] == '1' && len(out) == len(area)+1 && chance(r, 0.5) {
			out += string("ABCHMNPRVWXY"[r.IntN(12)])
		}
		a.postal = out + " " + strconv.Itoa(r.IntN(10)) + string(ukInward[r.IntN(len(ukInward))]) + string(ukInward[r.IntN(len(ukInward))])
	case "AU":
		a.number = 1 + r.IntN(400)
		if chance(r, 0.15) {
			a.unitWord = pick(r, c.units)
			a.unit = strconv.Itoa(1 + r.IntN(40))
		}
		a.postal = pad(ct.lo+r.IntN(ct.hi-ct.lo+1), 4)
	case "IR":
		a.number = 1 + r.IntN(250)
		if chance(r, 0.6) {
			a.alley = pick(r, irAlleys)
		}
		if chance(r, 0.55) {
			a.unitWord = "واحد"
			a.unit = strconv.Itoa(1 + r.IntN(20))
			if chance(r, 0.6) {
				a.floor = 1 + r.IntN(12)
			}
		}
		a.faDigits = chance(r, 0.45)
		a.postal = iranPostalCode(r, ct.post)
		if chance(r, 0.3) {
			a.postal = a.postal[:5] + "-" + a.postal[5:]
		}
	}
	return a
}

// iranPostalCode returns a 10-digit Iranian postal code starting with the
// city's first digit; the first five digits never contain 0 or 2, as in
// real codes.
func iranPostalCode(r *rand.Rand, first string) string {
	const head = "13456789"
	b := make([]byte, 0, 10)
	b = append(b, first...)
	for len(b) < 5 {
		b = append(b, head[r.IntN(len(head))])
	}
	return string(b) + digits(r, 5)
}

// makeLandline returns a fixed-line number in city ct.
func (g *generator) makeLandline(c *country, ct *city, r *rand.Rand) phoneNum {
	spec := strings.Fields(pick(r, ct.areas))
	area, pre := spec[0], ""
	if len(spec) > 1 {
		pre = spec[1]
	}
	switch c.code {
	case "US":
		return phoneNum{groups: []string{area, usExchange(r), digits(r, 4)}}
	case "IR":
		return phoneNum{groups: []string{area, strconv.Itoa(2+r.IntN(7)) + digits(r, 3), digits(r, 4)}}
	}
	switch len(area) {
	case 1, 2:
		return phoneNum{groups: []string{area, pre + digits(r, 4-len(pre)), digits(r, 4)}}
	case 3:
		if pre == "" {
			pre = localStart(r)
		}
		return phoneNum{groups: []string{area, pre + digits(r, 3-len(pre)), digits(r, 4)}}
	}
	return phoneNum{groups: []string{area, localStart(r) + digits(r, 5)}}
}

// makeMobile returns a mobile number; in the US, where mobiles and landlines
// share area codes, another number in the city.
func (g *generator) makeMobile(c *country, home phoneNum, r *rand.Rand) phoneNum {
	switch c.code {
	case "US":
		return phoneNum{groups: []string{home.groups[0], usExchange(r), digits(r, 4)}}
	case "GB":
		// 076 is for pagers, not mobiles.
		return phoneNum{groups: []string{"7" + pick(r, []string{"4", "5", "7", "8", "9"}) + strconv.Itoa(1+r.IntN(9)) + digits(r, 1), digits(r, 6)}}
	case "AU":
		return phoneNum{groups: []string{"4" + strconv.Itoa(r.IntN(4)) + digits(r, 1), digits(r, 3), digits(r, 3)}}
	}
	return phoneNum{groups: []string{pick(r, c.mobiles), digits(r, 3), digits(r, 4)}}
}

// localStart is the first digit of a UK local number: 2 to 4 are in use
// in every geographic area code steward generates.
func localStart(r *rand.Rand) string { return strconv.Itoa(2 + r.IntN(3)) }

func usExchange(r *rand.Rand) string {
	return strconv.Itoa(2+r.IntN(8)) + digits(r, 2)
}

// Phone styles: the ways people and systems write one number.
const (
	phoneSpaced      = iota // 020 7946 0123
	phoneCompact            // 02079460123
	phoneIntlSpaced         // +44 20 7946 0123
	phoneIntlCompact        // +442079460123
	phoneZeroZero           // 0044 20 7946 0123; US: 1-212-555-0123
	phoneBare               // 2079460123, no trunk prefix
	phoneParens             // (020) 7946 0123; US: (212) 555-0123
	phoneHyphens            // 020-7946-0123
	phoneDots               // UK: +44 (0)20 7946 0123; US: 212.555.0123
	phoneStyles
)

// phoneStyleWeights says how often each style is the one a record is first
// written in, per country; a zero weight is a style the country never uses.
var phoneStyleWeights = map[string][phoneStyles]float64{
	"US": {5, 10, 8, 5, 3, 0, 40, 25, 4},
	"GB": {50, 15, 20, 5, 2, 0, 0, 0, 8},
	"AU": {40, 15, 15, 5, 0, 0, 20, 0, 0},
	"IR": {15, 50, 8, 7, 5, 5, 0, 10, 0},
}

// formatPhone writes p in its style for country c.
func formatPhone(c *country, p phoneNum) string {
	if len(p.groups) == 0 {
		return ""
	}
	g := p.groups
	all := strings.Join(g, "")
	trunk := "0"
	if c.code == "US" {
		trunk = ""
	}
	rest := func(sep string) string { return strings.Join(g[1:], sep) }
	switch p.style {
	case phoneSpaced:
		return trunk + strings.Join(g, " ")
	case phoneCompact:
		return trunk + all
	case phoneIntlSpaced:
		return "+" + c.calling + " " + strings.Join(g, " ")
	case phoneIntlCompact:
		return "+" + c.calling + all
	case phoneZeroZero:
		if c.code == "US" {
			return "1-" + strings.Join(g, "-")
		}
		return "00" + c.calling + " " + strings.Join(g, " ")
	case phoneBare:
		return all
	case phoneParens:
		if c.code == "US" {
			return "(" + g[0] + ") " + rest("-")
		}
		if len(g[0]) == 1 || len(g[0]) == 2 {
			// Only area codes go in parentheses, never mobile prefixes.
			return "(" + trunk + g[0] + ") " + rest(" ")
		}
		return trunk + strings.Join(g, " ")
	case phoneHyphens:
		if c.code == "IR" && len(g[0]) == 2 {
			return trunk + g[0] + "-" + rest("")
		}
		return trunk + strings.Join(g, "-")
	case phoneDots:
		if c.code == "US" {
			return strings.Join(g, ".")
		}
		return "+" + c.calling + " (0)" + strings.Join(g, " ")
	}
	return trunk + all
}

// line1 writes the street line of a.
func (a *address) line1(c *country) string {
	if a.street == "" {
		return ""
	}
	t := c.types[a.typ]
	word := t.full
	if a.abbrev {
		word = t.short[0]
	}
	if !c.persian {
		return strconv.Itoa(a.number) + " " + a.street + " " + word
	}
	var b strings.Builder
	b.WriteString(word)
	b.WriteByte(' ')
	b.WriteString(a.street)
	if a.alley != "" {
		b.WriteString("، ")
		if a.abbrev {
			b.WriteString("ک ")
		} else {
			b.WriteString("کوچه ")
		}
		b.WriteString(a.alley)
	}
	b.WriteString("، ")
	if a.abbrev {
		b.WriteString("پ ")
	} else {
		b.WriteString("پلاک ")
	}
	b.WriteString(a.num(strconv.Itoa(a.number)))
	return b.String()
}

// line2 writes the unit line of a, "" when there is none.
func (a *address) line2(c *country) string {
	if a.unitWord == "" {
		return ""
	}
	if !c.persian {
		if a.unitWord == "#" {
			return "# " + a.unit
		}
		return a.unitWord + " " + a.unit
	}
	s := "واحد " + a.num(a.unit)
	if a.abbrev {
		s = "و " + a.num(a.unit)
	}
	if a.floor > 0 {
		s = "طبقه " + a.num(strconv.Itoa(a.floor)) + "، " + s
	}
	return s
}

func (a *address) num(s string) string {
	if a.faDigits {
		return toDigits(s, '۰')
	}
	return s
}

// toDigits rewrites ASCII digits in s with the digits whose zero is zero
// ('۰' Persian, '٠' Arabic-Indic).
func toDigits(s string, zero rune) string {
	var b strings.Builder
	b.Grow(len(s) * 2)
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(zero + (c - '0'))
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
}
