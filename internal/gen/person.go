package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// person is one entity as the generator knows it before it is written out:
// structured enough that a duplicate can change one aspect (the phone's
// format, the name's script) and render again.
type person struct {
	c        *country
	city     *city
	iranian  bool // names come from the Persian lists
	persian  bool // names are written in Persian script
	female   bool
	first    *nameEntry
	last     *nameEntry
	firstFm  int // how a compound Persian first name is joined: 0 nothing, 1 ZWNJ, 2 space
	lastFm   int
	firstLat int // which transliteration, for Iranian names written in Latin
	lastLat  int
	nick     int // index of the English nickname used as first name, -1 for none
	latCity  bool

	company company
	email   string
	phone   phoneNum
	addr    address
	birth   [3]int // year, month, day; year 0 when unknown
	natID   string
	source  string
	ctyForm int // -1 writes the ISO code, else an index into c.names
	// sharedMail tells that email is the household head's, a mailbox the
	// family shares (see claimMailboxes).
	sharedMail bool
}

// company is an employer for B2B records.
type company struct {
	core      string // "Summit Logistics", "پارس نوین"
	form      int    // index into the country's legal forms, -1 for none
	variant   int    // -1 for the form's main spelling, else its variant
	noSherkat bool   // Persian name written without the leading "شرکت"
	domain    string // e.g. "summitlogistics.com"
}

// address is a postal address in parts.
type address struct {
	number   int
	street   string
	typ      int
	abbrev   bool
	alley    string // Iranian alley (کوچه), may be ""
	unitWord string // "" when there is no address_line2
	unit     string
	floor    int    // Iranian floor (طبقه), 0 for none
	postal   string // as written
	faDigits bool   // Persian digits inside the Iranian address line
}

// phoneNum is a telephone number: the national significant number in
// groups as a local would write them, and the style it is written in.
type phoneNum struct {
	groups []string
	style  int
}

// Relations between an entity and an earlier one, made to give a matcher
// hard negatives: records that look alike but are different people.
const (
	relNone      uint8 = iota
	relFamily          // same household: last name, address, landline
	relColleague       // same employer: company, office address and phone
	relNamesake        // same first and last name, nothing else
	// relFamilyNamesake is a family member who bears the household
	// head's first name too (a son named after his father): same name,
	// address and landline, another generation.
	relFamilyNamesake
	// relCrossNamed is an Iranian whose given name is the stem of another
	// person's family name and whose family name is made of that
	// person's given name (حسین رضایی to رضا حسینی), in the same town.
	relCrossNamed
)

// noEmail is the address a shop's till stores for customers without one.
var noEmail = map[string]string{
	"IR": "noemail@digikala.com", "US": "noemail@shopmart.com", "GB": "noemail@shopmart.co.uk", "AU": "noemail@shopmart.com.au",
}

var sources = []string{"webshop", "crm", "pos", "callcenter", "newsletter", "events", "partner", "support"}
var sourceW = newWeights(30, 25, 15, 10, 10, 4, 3, 3)

// base builds entity e as the generator sees it, before any duplicate's
// errors.
func (g *generator) base(e uint32) person {
	pl := &g.plan[e]
	var p person
	g.household(&p, pl.household, pl.b2b)
	landline := p.phone
	r := newRand(g.opts.Seed, tagPerson, uint64(e))
	g.personal(&p, r)
	switch pl.rel {
	case relFamily, relFamilyNamesake:
		if chance(r, 0.7) {
			p.phone.groups = landline.groups
		}
		if g.plan[pl.household].rel == relNamesake {
			head := g.base(pl.household)
			p.last, p.lastFm, p.lastLat = head.last, head.lastFm, head.lastLat
		}
		if chance(r, 0.15) {
			// Family members who share one mailbox.
			head := g.base(pl.household)
			p.email, p.sharedMail = head.email, true
		}
		if pl.rel == relFamilyNamesake {
			head := g.base(pl.household)
			if head.iranian == p.iranian {
				p.first, p.female, p.firstFm, p.firstLat, p.nick = head.first, head.female, head.firstFm, head.firstLat, head.nick
				p.last, p.lastFm, p.lastLat = head.last, head.lastFm, head.lastLat
				if head.birth[0] != 0 {
					p.birth[0] = head.birth[0] + 22 + r.IntN(14)
					p.birth[2] = min(p.birth[2], daysIn(p.birth[0], p.birth[1]))
				}
			}
		}
	case relColleague:
		p.last, p.lastFm, p.lastLat = g.pickLast(r, p.iranian)
	case relCrossNamed:
		t := g.base(pl.target)
		first, last := g.t.stemOf[t.last], g.t.surnameOf[t.first]
		if !t.iranian || t.female || first == nil || last == nil {
			break
		}
		p.iranian, p.persian, p.female, p.nick = true, t.persian, false, -1
		p.first, p.last = first, last
		p.firstFm, p.firstLat = joinForm(r), latinIndex(r, first)
		p.lastFm, p.lastLat = joinForm(r), latinIndex(r, last)
		p.c, p.city, p.ctyForm = t.c, t.city, -1
		p.addr = g.makeAddress(p.c, p.city, r)
		p.phone = g.makeMobile(p.c, p.phone, r)
		p.phone.style = g.t.phoneStyleW[p.c.code].pick(r)
		p.natID = ""
		if p.c.code == "IR" && chance(r, 0.7) {
			p.natID = iranNationalID(r)
		}
	case relNamesake:
		t := g.base(pl.target)
		if t.iranian != p.iranian {
			break // a namesake lives where such names are common
		}
		p.first, p.last, p.female = t.first, t.last, t.female
		p.firstFm, p.lastFm, p.firstLat, p.lastLat, p.nick = t.firstFm, t.lastFm, t.firstLat, t.lastLat, t.nick
	}
	if p.email == "" {
		p.email = g.makeEmail(&p, r, pl.rel == relColleague)
		if g.isTaken(e) {
			p.email = g.ownMailbox(p.email, e)
		}
	}
	return p
}

// household fills in what people at one address share: country, address,
// landline, surname, and for an office the employer.
func (g *generator) household(p *person, h uint32, b2b bool) {
	r := newRand(g.opts.Seed, tagHousehold, uint64(h))
	t := g.t
	switch g.opts.Locale {
	case LocaleFA:
		p.c = t.countries["IR"]
	case LocaleEN:
		p.c = t.countries[[]string{"US", "GB", "AU"}[t.enCountryW.pick(r)]]
	default:
		p.c = t.countries[[]string{"IR", "US", "GB", "AU"}[t.mixCountryW.pick(r)]]
	}
	p.iranian = p.c.code == "IR" || chance(r, 0.08)
	p.persian = p.c.code == "IR"
	p.last, p.lastFm, p.lastLat = g.pickLast(r, p.iranian)
	p.city = &p.c.cities[t.cityW[p.c.code].pick(r)]
	p.addr = g.makeAddress(p.c, p.city, r)
	p.phone = g.makeLandline(p.c, p.city, r)
	p.ctyForm = -1
	if chance(r, 0.1) {
		p.ctyForm = r.IntN(len(p.c.names))
	}
	if b2b {
		p.company = g.makeCompany(p.c, r)
	}
}

// personal fills in what belongs to one person: given name, birth date,
// mobile, national id, source.
func (g *generator) personal(p *person, r *rand.Rand) {
	t := g.t
	p.female = chance(r, 0.5)
	p.nick = -1
	switch {
	case p.iranian && p.female:
		p.first = t.faFemale.pick(r)
	case p.iranian:
		p.first = t.faMale.pick(r)
	case p.female:
		p.first = t.enFemale.pick(r)
	default:
		p.first = t.enMale.pick(r)
	}
	p.firstFm = joinForm(r)
	p.firstLat = latinIndex(r, p.first)
	if !p.iranian && len(p.first.latin) > 0 && chance(r, 0.12) {
		// Some people give their nickname even to their first CRM.
		p.nick = r.IntN(len(p.first.latin))
	}
	y := 1945 + int((r.Float64()+r.Float64())/2*61)
	m := 1 + r.IntN(12)
	p.birth = [3]int{y, m, 1 + r.IntN(daysIn(y, m))}
	mobileP := 0.6
	if p.company.core != "" {
		mobileP = 0.3
	}
	if chance(r, mobileP) {
		p.phone = g.makeMobile(p.c, p.phone, r)
	}
	p.phone.style = t.phoneStyleW[p.c.code].pick(r)
	switch p.c.code {
	case "IR":
		if chance(r, 0.7) {
			p.natID = iranNationalID(r)
		}
	case "US":
		if chance(r, 0.15) {
			p.natID = usSSN(r)
		}
	case "GB":
		if chance(r, 0.1) {
			p.natID = ukNINO(r)
		}
	}
	p.source = sources[sourceW.pick(r)]
}

// sourceShape blanks what a source system does not collect.
func (g *generator) sourceShape(p *person, r *rand.Rand) {
	switch p.source {
	case "newsletter":
		p.phone.groups = nil
		p.addr = address{}
		p.birth[0] = 0
		p.natID = ""
		if chance(r, 0.5) {
			p.last = nil
		}
	case "pos":
		p.addr.unitWord = ""
		if chance(r, 0.6) {
			p.birth[0] = 0
			if chance(r, 0.3) {
				// The till's form wants a date: 1900-01-01 for none.
				p.birth = [3]int{1900, 1, 1}
			}
		}
		if chance(r, 0.5) {
			p.email = ""
			if chance(r, 0.3) {
				// The shop's own address for a customer without one.
				p.email = noEmail[p.c.code]
			}
		}
	case "callcenter":
		if chance(r, 0.4) {
			p.email = ""
		}
		if p.birth[0] != 0 && chance(r, 0.4) {
			// Agents ask for the year; the system stores 1 January.
			p.birth[1], p.birth[2] = 1, 1
		}
	}
	if chance(r, 0.25) {
		p.birth[0] = 0
	}
}

// pickLast draws a family name: a listed common one for headShare of
// people, one from the long tail for the rest.
func (g *generator) pickLast(r *rand.Rand, iranian bool) (*nameEntry, int, int) {
	head := chance(r, headShare)
	if iranian {
		l := &g.t.faTail
		if head {
			l = &g.t.faLast
		}
		e := l.pick(r)
		return e, joinForm(r), latinIndex(r, e)
	}
	if head {
		return g.t.enLast.pick(r), 0, 0
	}
	return g.t.enTail.pick(r), 0, 0
}

// joinForm picks how a compound Persian name is joined, as people write it.
func joinForm(r *rand.Rand) int {
	x := r.IntN(100)
	switch {
	case x < 55:
		return 0
	case x < 85:
		return 1
	}
	return 2
}

// latinIndex picks a transliteration, the first (most usual) most often.
func latinIndex(r *rand.Rand, e *nameEntry) int {
	if len(e.latin) < 2 || chance(r, 0.65) {
		return 0
	}
	return r.IntN(len(e.latin))
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// digits returns n random decimal digits.
func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// iranNationalID returns a valid Iranian national code (کد ملی): nine
// digits and a mod-11 check digit, never ten equal digits.
func iranNationalID(r *rand.Rand) string {
	for {
		b := []byte(digits(r, 9) + "0")
		if b[0] == '0' && b[1] == '0' && b[2] == '0' {
			continue
		}
		b[9] = '0' + byte(iranCheckDigit(b[:9]))
		if strings.Count(string(b), string(b[0])) == 10 {
			continue
		}
		return string(b)
	}
}

// iranCheckDigit computes the check digit of the first nine digits of an
// Iranian national code.
func iranCheckDigit(d []byte) int {
	s := 0
	for i := 0; i < 9; i++ {
		s += int(d[i]-'0') * (10 - i)
	}
	if s%11 < 2 {
		return s % 11
	}
	return 11 - s%11
}

// usSSN returns a Social Security number of valid structure (no 000, 666
// or 9xx area, no 00 group, no 0000 serial).
func usSSN(r *rand.Rand) string {
	area := 1 + r.IntN(899)
	if area == 666 {
		area = 667
	}
	group, serial := 1+r.IntN(99), 1+r.IntN(9999)
	s := pad(area, 3) + "-" + pad(group, 2) + "-" + pad(serial, 4)
	return s
}

// ukNINO returns a National Insurance number of valid structure.
func ukNINO(r *rand.Rand) string {
	const first = "ABCEGHJKLMNOPRSTWXYZ"
	const second = "ABCEGHJKLMNPRSTWXYZ"
	return string(first[r.IntN(len(first))]) + string(second[r.IntN(len(second))]) +
		digits(r, 6) + string("ABCD"[r.IntN(4)])
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
