package gen

import (
	"math/rand/v2"
	"strings"
)

// legalForm is a company's legal form with other ways it is written.
type legalForm struct {
	main     string
	variants []string
	weight   float64
}

var legalForms = map[string][]legalForm{
	"US": {{"Inc", []string{"Inc.", "Incorporated", "INC"}, 40}, {"LLC", []string{"L.L.C.", "Llc"}, 30},
		{"Corp.", []string{"Corporation", "Corp"}, 15}, {"Co.", []string{"Company", "& Co."}, 8}, {"GmbH", []string{"Gmbh"}, 3}},
	"GB": {{"Ltd", []string{"Ltd.", "Limited", "LTD"}, 60}, {"PLC", []string{"plc", "Public Limited Company"}, 8},
		{"LLP", []string{"L.L.P."}, 6}, {"GmbH", []string{"Gmbh"}, 3}},
	"AU": {{"Pty Ltd", []string{"Pty. Ltd.", "Proprietary Limited", "PTY LTD"}, 70}, {"Ltd", []string{"Limited"}, 15},
		{"GmbH", []string{"Gmbh"}, 2}},
	"IR": {{"سهامی خاص", []string{"(سهامی خاص)", "س.خ", "سهامی\u200cخاص"}, 55}, {"با مسئولیت محدود", []string{"(با مسئولیت محدود)", "مسئولیت محدود"}, 25},
		{"سهامی عام", []string{"(سهامی عام)", "س.ع"}, 8}, {"تعاونی", []string{"(تعاونی)"}, 7}, {"تضامنی", []string{"(تضامنی)"}, 5}},
}

var companyWords = []string{
	"Summit", "Pioneer", "Apex", "Crescent", "Redwood", "Silverline", "Horizon", "Keystone",
	"Granite", "Atlas", "Meridian", "Beacon", "Northwind", "Blue Harbor", "Evergreen", "Ironbridge",
	"Lighthouse", "Oakridge", "Riverside", "Sterling", "Vantage", "Westbrook", "Brightwater",
	"Cedar Point", "Clearview", "Eastgate", "Falcon", "Greenfield", "Harbourside", "Juniper",
	"Kingsway", "Lakeshore", "Maple Leaf", "Nova", "Orion", "Pinnacle", "Quantum", "Rosewood",
	"Sapphire", "Trinity", "Unity", "Vertex", "Whitehall", "Zenith", "Acme", "Bluebird",
}

var companyTrades = []string{
	"Logistics", "Foods", "Consulting", "Software", "Trading", "Engineering", "Supplies",
	"Media", "Health", "Partners", "Systems", "Capital", "Builders", "Labs", "Motors",
	"Textiles", "Pharma", "Energy", "Design", "Electronics", "Realty", "Insurance",
}

// persianWords are Persian company name words and how they are romanized
// in web domains.
var persianWords = [][2]string{
	{"پارس", "pars"}, {"آریا", "arya"}, {"سپهر", "sepehr"}, {"نوین", "novin"}, {"البرز", "alborz"},
	{"دماوند", "damavand"}, {"کیمیا", "kimia"}, {"پویا", "pouya"}, {"آسمان", "aseman"}, {"مهر", "mehr"},
	{"پارسیان", "parsian"}, {"سپاهان", "sepahan"}, {"خلیج فارس", "khalijfars"}, {"زاگرس", "zagros"},
	{"هامون", "hamoun"}, {"آفتاب", "aftab"}, {"رایان", "rayan"}, {"بهین", "behin"}, {"نیک\u200cاندیشان", "nikandishan"},
	{"ایرانیان", "iranian"}, {"تابان", "taban"}, {"سینا", "sina"}, {"فراز", "faraz"}, {"پیشگامان", "pishgaman"},
	{"آینده\u200cسازان", "ayandehsazan"}, {"ستاره", "setareh"}, {"کوثر", "kowsar"}, {"ارم", "eram"}, {"توس", "toos"},
}

var persianTrades = [][2]string{
	{"بازرگانی", "trading"}, {"صنایع غذایی", "food"}, {"فناوری اطلاعات", "it"}, {"مهندسی", "eng"},
	{"پخش", "pakhsh"}, {"ساختمانی", "sakhteman"}, {"داروسازی", "pharma"}, {"حمل و نقل", "transport"},
	{"نرم\u200cافزاری", "soft"}, {"تولیدی", "co"}, {"بیمه", "bimeh"}, {"صنعتی", "industries"},
}

// makeCompany returns an employer in country c.
func (g *generator) makeCompany(c *country, r *rand.Rand) company {
	co := company{variant: -1, form: g.t.formW[c.code].pick(r)}
	if c.persian {
		w, t := pick(r, persianWords), pick(r, persianTrades)
		co.core = w[0] + " " + t[0]
		co.domain = w[1] + t[1] + pick(r, []string{".ir", ".ir", ".com", ".co.ir"})
		return co
	}
	w, t := pick(r, companyWords), pick(r, companyTrades)
	co.core = w + " " + t
	tld := ".com"
	switch c.code {
	case "GB":
		tld = ".co.uk"
	case "AU":
		tld = ".com.au"
	}
	dom := strings.ToLower(strings.ReplaceAll(w, " ", ""))
	if chance(r, 0.6) {
		dom += strings.ToLower(t)
	}
	co.domain = dom + tld
	return co
}

// name writes the company as the record shows it.
func (co *company) name(c *country) string {
	if co.core == "" {
		return ""
	}
	form := ""
	if co.form >= 0 {
		f := legalForms[c.code][co.form]
		form = f.main
		if co.variant >= 0 {
			form = f.variants[co.variant%len(f.variants)]
		}
	}
	if c.persian {
		s := co.core + " " + form
		if !co.noSherkat {
			s = "شرکت " + s
		}
		return s
	}
	if form == "" {
		return co.core
	}
	return co.core + " " + form
}

// Email domains people use, per country, with their shares.
var emailDomains = map[string][]struct {
	d string
	w float64
}{
	"US": {{"gmail.com", 45}, {"yahoo.com", 15}, {"outlook.com", 8}, {"hotmail.com", 8}, {"icloud.com", 6}, {"aol.com", 4}, {"comcast.net", 3}},
	"GB": {{"gmail.com", 35}, {"yahoo.co.uk", 12}, {"hotmail.co.uk", 12}, {"outlook.com", 8}, {"btinternet.com", 6}, {"icloud.com", 5}, {"sky.com", 4}},
	"AU": {{"gmail.com", 40}, {"bigpond.com", 12}, {"outlook.com", 8}, {"hotmail.com", 8}, {"yahoo.com.au", 6}, {"icloud.com", 6}, {"optusnet.com.au", 4}},
	"IR": {{"gmail.com", 50}, {"yahoo.com", 25}, {"chmail.ir", 8}, {"outlook.com", 5}, {"hotmail.com", 5}, {"mail.ir", 2}},
}

// makeEmail derives an address from the person's name in Latin letters, at
// the employer's domain for some B2B contacts. A colleague of an earlier
// contact never gets the bare first-name mailbox, which the company would
// not give twice.
func (g *generator) makeEmail(p *person, r *rand.Rand, colleague bool) string {
	first := asciiLower(p.latinFirst(true))
	last := ""
	if p.last != nil {
		last = asciiLower(p.latinLast())
	}
	if first == "" {
		first = "info"
	}
	if last == "" {
		last = digits(r, 3)
	}
	if p.company.domain != "" && chance(r, 0.6) {
		switch r.IntN(4) {
		case 0:
			return first[:1] + last + "@" + p.company.domain
		case 1:
			if !colleague {
				return first + "@" + p.company.domain
			}
		}
		return first + "." + last + "@" + p.company.domain
	}
	ds := emailDomains[p.c.code]
	dom := ds[g.t.domainW[p.c.code].pick(r)].d
	var local string
	yy := pad(p.birth[0]%100, 2)
	switch r.IntN(20) {
	case 0, 1, 2, 3, 4:
		local = first + "." + last
	case 5, 6, 7:
		local = first + last
	case 8, 9:
		local = first[:1] + last
	case 10:
		local = first + "_" + last
	case 11, 12, 13:
		local = first + "." + last + digits(r, 1+r.IntN(3))
	case 14, 15:
		local = first + yy
	case 16:
		local = last + "." + first
	case 17:
		local = first[:1] + "." + last + yy
	default:
		local = first + last + digits(r, 2+r.IntN(3))
	}
	if !strings.ContainsAny(local, "0123456789") || len(local) < 8 && chance(r, 0.5) {
		// A mailbox provider gives an address once: the thousands of
		// people of a common name each have their own, most with a
		// number of their own in it.
		local += pick(r, []string{"", ".", "_"}) + digits(r, 3+r.IntN(3))
	}
	return local + "@" + dom
}

// latinFirst is the first name as written in Latin letters; withNick allows
// the nickname an English speaker goes by.
func (p *person) latinFirst(withNick bool) string {
	if p.iranian && len(p.first.latin) > 0 {
		return p.first.latin[p.firstLat%len(p.first.latin)]
	}
	if withNick && p.nick >= 0 {
		return p.first.latin[p.nick]
	}
	return p.first.parts[0]
}

func (p *person) latinLast() string {
	if p.iranian && len(p.last.latin) > 0 {
		return p.last.latin[p.lastLat%len(p.last.latin)]
	}
	return p.last.parts[0]
}

// asciiLower keeps the ASCII letters and digits of s, lower-cased.
func asciiLower(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	return string(b)
}
