package gen

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// errKind is one kind of error a duplicate record carries, as real CRMs see
// them.
type errKind int

const (
	kSource      errKind = iota // from another source system
	kNickname                   // Bob for Robert, Liz for Elizabeth
	kTranslit                   // محمد written Mohammad, or Mohammed for Mohammad
	kZWNJ                       // محمدرضا / محمد‌رضا / محمد رضا
	kMoved                      // a new address, same person
	kPhoneFormat                // 0912… / +98 912… / 0098 912… / 912…
	kAbbrev                     // Street/St, خیابان/خ
	kEmailCase                  // John.Smith@Gmail.com
	kEmailGmail                 // gmail dots and +tags
	kCountry                    // GB / UK / United Kingdom
	kDate                       // day and month swapped, a digit off
	kMarried                    // a new surname
	kCompanyForm                // Ltd / Limited, سهامی خاص / س.خ
	kSwap                       // first and last name swapped
	kArabic                     // Arabic ي ك ة for Persian ی ک ه
	kDigits                     // Persian ۰-۹ or Arabic-Indic ٠-٩ digits
	kTypo                       // a letter inserted, deleted, substituted or transposed
	kCase                       // upper or lower case, stray spaces, kashida
	kMissing                    // fields left empty
	kLeadingZero                // a spreadsheet dropped leading zeros: 02108 → 2108
	kDateFormat                 // 03/12/1985, 12/03/1985, or the Jalali ۱۳۶۴/۰۱/۰۱
	kTitle                      // a title in the first-name field (Sir, Miss, آقای), or h.nicholson
	kSparse                     // only the names left, with at most a city, a birth date or an email
	numKinds
)

var kindNames = [numKinds]string{
	"source", "nickname", "transliteration", "zwnj", "moved", "phone-format", "abbreviation",
	"email-case", "gmail-dots-tags", "country-form", "birth-date", "married-name", "company-form",
	"swapped-names", "arabic-letters", "digit-script", "typo", "case-spacing", "missing-fields",
	"leading-zero", "date-format", "title-in-name", "sparse-record",
}

func (k errKind) String() string { return kindNames[k] }

// kindWeight is how often a kind is chosen for a duplicate when it can
// apply; kSource is decided separately.
var kindWeight = [numKinds]float64{
	kNickname: 10, kTranslit: 12, kZWNJ: 16, kMoved: 5, kPhoneFormat: 12, kAbbrev: 8,
	kEmailCase: 4, kEmailGmail: 4, kCountry: 4, kDate: 4, kMarried: 1, kCompanyForm: 5,
	kSwap: 3, kArabic: 12, kDigits: 12, kTypo: 22, kCase: 5, kMissing: 14,
	kLeadingZero: 4, kDateFormat: 5, kTitle: 5, kSparse: 6,
}

// record renders variant v of entity e into w: v 0 is the entity as first
// entered, v ≥ 1 a duplicate with errors. It returns the kinds applied.
func (g *generator) record(e uint32, v int, w *row) uint32 {
	p := g.base(e)
	r := newRand(g.opts.Seed, tagVariant, uint64(e)<<2|uint64(v))
	if v == 0 {
		g.sourceShape(&p, r)
		p.render(w)
		return 0
	}
	var applied uint32
	if chance(r, 0.7) {
		old := p.source
		for p.source == old {
			p.source = sources[sourceW.pick(r)]
		}
		applied |= 1 << kSource
	}
	g.sourceShape(&p, r)
	p.render(w)
	var can [numKinds]bool
	for k := kNickname; k < numKinds; k++ {
		can[k] = g.applicable(&p, w, k)
	}
	n := 1
	if x := r.IntN(100); x >= 85 {
		n = 3
	} else if x >= 50 {
		n = 2
	}
	var chosen [numKinds]bool
	for ; n > 0; n-- {
		total := 0.0
		for k := range numKinds {
			if can[k] && !chosen[k] {
				total += kindWeight[k]
			}
		}
		if total == 0 {
			break
		}
		x := r.Float64() * total
		for k := range numKinds {
			if !can[k] || chosen[k] {
				continue
			}
			if x -= kindWeight[k]; x < 0 {
				chosen[k] = true
				break
			}
		}
	}
	for k := kNickname; k < kSwap; k++ {
		if chosen[k] && g.mutate(&p, r, k) {
			applied |= 1 << k
		}
	}
	src := w[colSource]
	p.render(w)
	w[colSource] = src
	for k := kSwap; k < numKinds; k++ {
		if chosen[k] && mutateRow(&p, w, r, k) {
			applied |= 1 << k
		}
	}
	return applied
}

// applicable reports whether kind k can change record p (rendered in w).
func (g *generator) applicable(p *person, w *row, k errKind) bool {
	switch k {
	case kNickname:
		return !p.iranian && len(p.first.latin) > 0
	case kTranslit:
		return p.iranian && (p.persian || len(p.first.latin) > 1 || p.last != nil && len(p.last.latin) > 1)
	case kZWNJ:
		if p.persian && (len(p.first.parts) > 1 || p.last != nil && len(p.last.parts) > 1) {
			return true
		}
		for _, s := range w {
			if strings.Contains(s, "\u200c") {
				return true
			}
		}
		return false
	case kMoved, kAbbrev:
		return p.addr.street != ""
	case kPhoneFormat:
		return len(p.phone.groups) > 0
	case kEmailCase:
		return p.email != ""
	case kEmailGmail:
		return strings.HasSuffix(p.email, "@gmail.com")
	case kDate:
		return p.birth[0] != 0
	case kMarried:
		return p.female && !p.persian && p.last != nil
	case kCompanyForm:
		return p.company.core != ""
	case kSwap:
		return w[colFirst] != "" && w[colLast] != ""
	case kArabic:
		for _, s := range w {
			if strings.ContainsAny(s, "یک") {
				return true
			}
		}
		return false
	case kDigits:
		return p.c.code == "IR"
	case kCountry, kTypo, kCase, kMissing:
		return true
	case kDateFormat:
		return w[colBirth] != ""
	case kTitle:
		return w[colFirst] != ""
	case kSparse:
		return w[colFirst] != "" && w[colLast] != ""
	case kLeadingZero:
		for _, c := range zeroCols {
			if len(w[c]) > 1 && w[c][0] == '0' && isDigits(w[c]) {
				return true
			}
		}
		return false
	}
	return false
}

// mutate applies a structured kind to p; it reports whether p changed.
func (g *generator) mutate(p *person, r *rand.Rand, k errKind) bool {
	switch k {
	case kNickname:
		switch n := len(p.first.latin); {
		case p.nick < 0:
			p.nick = r.IntN(n)
		case n > 1 && chance(r, 0.5):
			p.nick = other(r, p.nick, n)
		default:
			p.nick = -1
		}
		return true
	case kTranslit:
		if p.persian {
			p.persian = false
			p.firstLat = latinIndex(r, p.first)
			if p.last != nil {
				p.lastLat = latinIndex(r, p.last)
			}
			p.latCity = chance(r, 0.5)
			return true
		}
		changed := false
		if len(p.first.latin) > 1 && (chance(r, 0.6) || p.last == nil || len(p.last.latin) < 2) {
			p.firstLat = other(r, p.firstLat, len(p.first.latin))
			changed = true
		} else if p.last != nil && len(p.last.latin) > 1 {
			p.lastLat = other(r, p.lastLat, len(p.last.latin))
			changed = true
		}
		return changed
	case kZWNJ:
		changed := false
		if p.persian && len(p.first.parts) > 1 {
			p.firstFm = other(r, p.firstFm, 3)
			changed = true
		}
		if p.persian && p.last != nil && len(p.last.parts) > 1 && (!changed || chance(r, 0.3)) {
			p.lastFm = other(r, p.lastFm, 3)
			changed = true
		}
		if !changed || chance(r, 0.3) {
			sep := ""
			if chance(r, 0.4) {
				sep = " "
			}
			p.addr.street = strings.ReplaceAll(p.addr.street, "\u200c", sep)
			p.company.core = strings.ReplaceAll(p.company.core, "\u200c", sep)
			p.latCity = false
			if strings.Contains(p.city.name, "\u200c") {
				ct := *p.city
				ct.name = strings.ReplaceAll(ct.name, "\u200c", sep)
				p.city = &ct
			}
			changed = true
		}
		return changed
	case kMoved:
		if chance(r, 0.4) {
			p.city = &p.c.cities[g.t.cityW[p.c.code].pick(r)]
		}
		p.addr = g.makeAddress(p.c, p.city, r)
		return true
	case kPhoneFormat:
		ws := g.t.phoneDupW[p.c.code]
		old := p.phone.style
		for p.phone.style == old {
			p.phone.style = ws.pick(r)
		}
		return true
	case kAbbrev:
		p.addr.abbrev = !p.addr.abbrev
		return true
	case kEmailCase:
		at := strings.LastIndexByte(p.email, '@')
		local, dom := p.email[:at], p.email[at+1:]
		switch r.IntN(3) {
		case 0:
			local = titleASCII(local)
		case 1:
			local, dom = strings.ToUpper(local), strings.ToUpper(dom)
		default:
			local, dom = titleASCII(local), titleASCII(dom)
		}
		p.email = local + "@" + dom
		return true
	case kEmailGmail:
		at := strings.LastIndexByte(p.email, '@')
		local := p.email[:at]
		switch {
		case strings.Contains(local, ".") && chance(r, 0.5):
			local = strings.ReplaceAll(local, ".", "")
		case chance(r, 0.5):
			local += "+" + pick(r, []string{"shop", "news", "crm", "promo", "1", "orders"})
		default:
			i := 1 + r.IntN(len(local)-1)
			if local[i-1] == '.' || local[i] == '.' {
				local += "+" + pick(r, []string{"shop", "news"})
			} else {
				local = local[:i] + "." + local[i:]
			}
		}
		p.email = local + p.email[at:]
		return true
	case kCountry:
		old := p.ctyForm
		for p.ctyForm == old {
			p.ctyForm = r.IntN(len(p.c.names)+1) - 1
		}
		return true
	case kDate:
		y, m, d := p.birth[0], p.birth[1], p.birth[2]
		switch {
		case d <= 12 && d != m && chance(r, 0.5):
			p.birth[1], p.birth[2] = d, m
		case chance(r, 0.5):
			p.birth[0] = y + pick(r, []int{-1, 1, -10, 10})
		default:
			nd := d + pick(r, []int{-1, 1})
			if nd < 1 || nd > daysIn(y, m) {
				nd = d - (nd - d)
			}
			p.birth[2] = nd
		}
		return true
	case kMarried:
		old := p.last
		for p.last == old {
			p.last, p.lastFm, p.lastLat = g.pickLast(r, p.iranian && chance(r, 0.5))
		}
		return true
	case kCompanyForm:
		switch x := r.IntN(3); {
		case x == 0 && p.c.persian:
			p.company.noSherkat = !p.company.noSherkat
		case x == 1:
			p.company.form = -1
		default:
			p.company.variant = r.IntN(8)
		}
		return true
	}
	return false
}

// mutateRow applies a textual kind to the rendered row; it reports whether
// the row changed.
func mutateRow(p *person, w *row, r *rand.Rand, k errKind) bool {
	before := *w
	switch k {
	case kSwap:
		w[colFirst], w[colLast] = w[colLast], w[colFirst]
	case kArabic:
		for _, c := range []int{colFirst, colLast, colCompany, colAddr1, colAddr2, colCity, colRegion} {
			if c > colLast && chance(r, 0.4) {
				continue
			}
			w[c] = arabicLetters(w[c], r)
		}
	case kDigits:
		zero := '۰'
		if chance(r, 0.3) {
			zero = '٠'
		}
		cols := []int{colPhone, colPostal, colBirth, colNatID, colAddr1, colAddr2}
		any := false
		for _, c := range cols {
			if w[c] != "" && chance(r, 0.5) {
				w[c] = toDigits(w[c], zero)
				any = true
			}
		}
		if !any {
			for _, c := range cols {
				if w[c] != "" {
					w[c] = toDigits(w[c], zero)
				}
			}
		}
	case kTypo:
		cols := []int{colFirst, colFirst, colFirst, colLast, colLast, colLast, colEmail, colAddr1, colCompany, colCity}
		for range 8 {
			c := pick(r, cols)
			if utf8.RuneCountInString(w[c]) >= 3 {
				w[c] = typo(w[c], r, c == colEmail)
				break
			}
		}
	case kCase:
		if p.persian {
			// A kashida stretching a name, or stray spaces.
			if s := w[colFirst]; chance(r, 0.5) && utf8.RuneCountInString(s) > 2 {
				rs := []rune(s)
				i := 1 + r.IntN(len(rs)-1)
				if joinsLeft(rs[i-1]) && rs[i] != ' ' && rs[i] != '\u200c' {
					w[colFirst] = string(rs[:i]) + strings.Repeat("ـ", 1+r.IntN(3)) + string(rs[i:])
					break
				}
			}
			w[colLast] = " " + w[colLast] + "  "
			break
		}
		switch r.IntN(3) {
		case 0:
			w[colFirst], w[colLast] = strings.ToUpper(w[colFirst]), strings.ToUpper(w[colLast])
		case 1:
			w[colFirst], w[colLast] = strings.ToLower(w[colFirst]), strings.ToLower(w[colLast])
		default:
			w[colFirst] = w[colFirst] + "  "
			w[colLast] = " " + w[colLast]
		}
	case kDateFormat:
		if w[colBirth] == "" {
			break // blanked by kMissing
		}
		y, m, d := p.birth[0], p.birth[1], p.birth[2]
		sep := pick(r, []string{"/", "/", ".", "-"})
		switch p.c.code {
		case "IR":
			// Iranians write dates in their own calendar.
			jy, jm, jd := gregorianToJalali(y, m, d)
			w[colBirth] = pad(jy, 4) + "/" + pad(jm, 2) + "/" + pad(jd, 2)
			if chance(r, 0.5) {
				w[colBirth] = toDigits(w[colBirth], '۰')
			}
		case "US":
			w[colBirth] = pad(m, 2) + sep + pad(d, 2) + sep + pad(y, 4)
		default:
			w[colBirth] = pad(d, 2) + sep + pad(m, 2) + sep + pad(y, 4)
		}
	case kLeadingZero:
		for _, c := range zeroCols {
			if isDigits(w[c]) {
				w[c] = strings.TrimLeft(w[c], "0")
			}
		}
	case kTitle:
		titleInName(p, w, r)
	case kSparse:
		// Mostly with the email, the contact such a record was kept for.
		keep := pick(r, []int{colEmail, colEmail, colCity, colBirth})
		for c := colCompany; c < numCols; c++ {
			if c != keep && c != colSource && c != colID {
				w[c] = ""
			}
		}
	case kMissing:
		groups := [][]int{{colEmail}, {colPhone}, {colAddr1, colAddr2, colCity, colRegion, colPostal},
			{colAddr2}, {colBirth}, {colNatID}, {colPostal}, {colRegion}, {colCompany}, {colCountry}}
		for n := 1 + r.IntN(2); n > 0; {
			gr := pick(r, groups)
			if w[gr[0]] == "" {
				if r.IntN(4) == 0 {
					n--
				}
				continue
			}
			for _, c := range gr {
				w[c] = ""
			}
			n--
		}
	}
	return *w != before
}

// titleInName writes a title into the first-name field, as forms and
// old systems do: the title instead of the given name, the title before
// it, only the initial, or (Latin) the initial glued to the family name
// with no last name: h.nicholson.
func titleInName(p *person, w *row, r *rand.Rand) {
	persian := hasArabicScript(w[colFirst])
	var titles []string
	switch {
	case persian && p.female:
		titles = []string{"خانم", "خانم", "سرکار خانم", "دکتر"}
	case persian:
		titles = []string{"آقای", "آقای", "سید", "دکتر", "مهندس"}
	case p.female:
		titles = []string{"Mrs", "Miss", "Ms", "Dr", "Lady", "Mrs."}
	default:
		titles = []string{"Mr", "Mr.", "Dr", "Sir", "Hon.", "Rev"}
	}
	t := pick(r, titles)
	first := []rune(w[colFirst])
	switch x := r.IntN(4); {
	case x == 0:
		w[colFirst] = t
	case x == 1:
		w[colFirst] = t + " " + w[colFirst]
	case !persian && w[colLast] != "" && (x == 2 || chance(r, 0.5)):
		w[colFirst] = strings.ToLower(string(first[0]) + "." + strings.ReplaceAll(w[colLast], " ", ""))
		w[colLast] = ""
	default:
		w[colFirst] = string(first[0]) + "."
	}
}

// hasArabicScript reports whether s holds a Persian or Arabic letter.
func hasArabicScript(s string) bool {
	for _, c := range s {
		if c >= 0x0600 && c <= 0x06FF {
			return true
		}
	}
	return false
}

// gregorianToJalali converts a Gregorian date to the Persian (Jalali,
// solar hijri) calendar: the arithmetic of the widely used jdf algorithm.
func gregorianToJalali(gy, gm, gd int) (jy, jm, jd int) {
	cum := [12]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}
	gy2 := gy
	if gm > 2 {
		gy2 = gy + 1
	}
	days := 355666 + 365*gy + (gy2+3)/4 - (gy2+99)/100 + (gy2+399)/400 + gd + cum[gm-1]
	jy = -1595 + 33*(days/12053)
	days %= 12053
	jy += 4 * (days / 1461)
	days %= 1461
	if days > 365 {
		jy += (days - 1) / 365
		days = (days - 1) % 365
	}
	if days < 186 {
		return jy, 1 + days/31, 1 + days%31
	}
	return jy, 7 + (days-186)/30, 1 + (days-186)%30
}

// zeroCols are the columns a spreadsheet takes for numbers.
var zeroCols = []int{colPostal, colNatID, colPhone}

// isDigits reports whether s is all ASCII digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// arabicLetters writes Persian text the way an Arabic keyboard or an old
// system does: ي for ی, ك for ک, and sometimes ة for a final ه.
func arabicLetters(s string, r *rand.Rand) string {
	if s == "" {
		return s
	}
	if chance(r, 0.5) {
		// رضایی → رضائی: the older spelling with a hamza seat.
		s = strings.ReplaceAll(s, "ایی", "ائی")
	}
	rs := []rune(s)
	taMarbuta := chance(r, 0.3)
	for i, c := range rs {
		end := i == len(rs)-1 || rs[i+1] == ' ' || rs[i+1] == '،'
		switch {
		case c == 'ی' && end && chance(r, 0.2):
			rs[i] = 'ى'
		case c == 'ی':
			rs[i] = 'ي'
		case c == 'ک':
			rs[i] = 'ك'
		case c == 'ه' && end && taMarbuta && i > 1:
			rs[i] = 'ة'
		}
	}
	return string(rs)
}

// nonJoining are the Persian letters that do not join the letter after
// them, so a kashida cannot follow them.
const nonJoining = "اآأإدذرزژو"

func joinsLeft(c rune) bool {
	return c >= 0x0620 && c <= 0x06FF && !strings.ContainsRune(nonJoining, c)
}

const persianLetters = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"

// typo inserts, deletes, substitutes or transposes one letter of s.
func typo(s string, r *rand.Rand, email bool) string {
	rs := []rune(s)
	end := len(rs)
	if email {
		if at := strings.LastIndexByte(s, '@'); at > 0 {
			end = utf8.RuneCountInString(s[:at])
			if chance(r, 0.3) {
				return s[:at+1] + domainTypo(s[at+1:], r)
			}
		}
	}
	if end < 2 {
		return s
	}
	i := r.IntN(end)
	letter := func() rune {
		if rs[i] >= 0x0600 && rs[i] <= 0x06FF {
			return pick(r, []rune(persianLetters))
		}
		if rs[i] >= 'A' && rs[i] <= 'Z' {
			return rune('A' + r.IntN(26))
		}
		return rune('a' + r.IntN(26))
	}
	switch r.IntN(4) {
	case 0:
		rs = append(rs[:i], append([]rune{letter()}, rs[i:]...)...)
	case 1:
		rs = append(rs[:i], rs[i+1:]...)
	case 2:
		old := rs[i]
		for rs[i] == old {
			rs[i] = letter()
		}
	default:
		if i == end-1 {
			i--
		}
		if rs[i] == rs[i+1] {
			rs = append(rs[:i], rs[i+1:]...)
		} else {
			rs[i], rs[i+1] = rs[i+1], rs[i]
		}
	}
	return string(rs)
}

// domainTypo misspells a mail domain the way people do: gmial.com.
func domainTypo(d string, r *rand.Rand) string {
	known := map[string][]string{
		"gmail.com":   {"gmial.com", "gmail.co", "gmai.com", "gmaill.com", "gnail.com"},
		"yahoo.com":   {"yaho.com", "yahooo.com", "yahoo.co"},
		"hotmail.com": {"hotmial.com", "hotmail.co", "homail.com"},
		"outlook.com": {"outlok.com", "outloo.com"},
	}
	if v, ok := known[strings.ToLower(d)]; ok {
		return pick(r, v)
	}
	if i := strings.IndexByte(d, '.'); i > 2 {
		return d[:i-1] + d[i:]
	}
	return d
}

// other returns a value in [0, n) different from cur (n ≥ 2).
func other(r *rand.Rand, cur, n int) int {
	x := r.IntN(n - 1)
	if x >= cur {
		x++
	}
	return x
}

// titleASCII upper-cases the first ASCII letter of s and of each part after
// a dot.
func titleASCII(s string) string {
	b := []byte(s)
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '.'
	}
	return string(b)
}
