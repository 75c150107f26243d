package records

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/adrg/strutil/metrics"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
	"github.com/steward-crm/steward/internal/lib/fold"
	"github.com/steward-crm/steward/validate"
)

// InferRows is how many data rows ReadFile reads before it infers a
// file's columns (FileOptions.Infer).
const InferRows = 200

// InferOptions configure Infer.
type InferOptions struct {
	// DefaultCountry (ISO 3166-1 alpha-2) is the country of rows that do
	// not name one, for judging phone numbers and postal codes by their
	// content.
	DefaultCountry string
	// Always infers a mapping even when every column has a canonical
	// name (ReadFile otherwise reads such a file as it is), so that it
	// can be written out.
	Always bool
}

// Match says how Infer matched a column.
type Match string

// How a column was matched.
const (
	// MatchCanonical: the column has the canonical name.
	MatchCanonical Match = "canonical"
	// MatchName: its name is a known name of the target, in English or
	// Persian (E-mail Address, Zip, موبایل), or the canonical name
	// written otherwise (First Name).
	MatchName Match = "name"
	// MatchContent: its name says nothing, but most of its values have
	// the target's shape (email addresses, phone numbers, postal codes).
	MatchContent Match = "content"
	// MatchKept: nothing matched; the column is kept as an attribute
	// under its own name (lower case).
	MatchKept Match = "kept"
	// MatchIgnored: one of steward's own report columns (steward_…),
	// which reading ignores.
	MatchIgnored Match = "ignored"
)

// ColumnMatch is what Infer made of one column of a file.
type ColumnMatch struct {
	// Column is the column's name as in the header.
	Column string `json:"column"`
	// Target is the canonical column or the attribute its values go to.
	Target string `json:"target,omitempty"`
	// Attribute says Target is an attribute.
	Attribute bool `json:"attribute,omitempty"`
	// By says how the column was matched, or that it was kept or
	// ignored.
	By Match `json:"by"`
	// Transform says how values are rewritten: "bool", "not" (yes/no
	// negated), or "date LAYOUT".
	Transform string `json:"transform,omitempty"`
	// Confidence is how sure the match is, from 0 to 1; 1 for a
	// canonical name.
	Confidence float64 `json:"confidence,omitempty"`
	// Why says what the match rests on: a known name, how many values
	// have the shape.
	Why string `json:"why,omitempty"`
	// Hint, for a kept column, says which target it may be and why:
	// `did you mean phone for "Tel"? …`.
	Hint string `json:"hint,omitempty"`
}

// Inference is how Infer matched a file's columns to steward's: what each
// column became and why, notes for a person to check (two columns that
// fit one target, dates whose order the sample cannot tell), and the
// Mapping that reads the file so.
type Inference struct {
	// Rows is how many data rows the content was judged on.
	Rows int `json:"rows"`
	// Columns are the file's columns in header order (a column whose name
	// is empty or repeated is left out: reading the file says so).
	Columns []ColumnMatch `json:"columns"`
	// Notes are for a person to check: two columns that fit one target,
	// a consent column not yes/no, dates whose order is unclear.
	Notes   []string `json:"notes,omitempty"`
	mapping *Mapping
}

// Mapping returns the mapping Infer made: every column is in it, either
// mapped or kept as an attribute, so that written out (Mapping.Marshal)
// it says what became of each.
func (inf *Inference) Mapping() *Mapping { return inf.mapping }

// candidate is one column that may fill one target.
type candidate struct {
	col       int
	target    string
	attribute bool
	transform valueTransform
	by        Match
	score     float64
	why       string
	fullName  bool
}

// NeedsInference reports whether a header has columns without canonical
// names, other than steward's own report columns: without a mapping,
// such columns would all become attributes.
func NeedsInference(header []string) bool {
	canonical := steward.CanonicalColumns()
	for _, h := range header {
		n := normalizeName(h)
		if !slices.Contains(canonical, n) && !IsReportColumn(n) {
			return true
		}
	}
	return false
}

// Infer matches the columns of a file, its header and the values of its
// first rows, to steward's canonical columns:
//
//   - a canonical name (any case) is that column;
//   - a known name, in English or Persian (E-mail Address, Zip, Mobile,
//     Province Code, موبایل, کد پستی …), also after a qualifier (Default
//     Address City, Mailing Street) or with a number (Email 1);
//   - a full name (Name, Full Name, نام و نام خانوادگی) goes to
//     first_name, which standardization splits into first and last name,
//     unless the file has a first-name column;
//   - an unknown name whose values mostly (80%) have a shape: email
//     addresses, phone numbers valid for the row's country, postal codes
//     with letters valid for it, Iranian national ids, country names;
//   - consent columns become attributes with a transform: Accepts Email
//     Marketing (yes/no) → email_opt_out, negated.
//
// Each target takes the best column (name before content, then the values
// that fit, then the first); a close second is kept as an attribute and
// named in a note, never dropped or guessed silently. A column named for a
// shape its values do not have is still matched, with its confidence
// lowered and a note. A birth date column whose values show the day
// first (25/01/1993) or the month first gets a date transform; one whose
// dates are all ambiguous (05/01/1993) gets a note. Other columns are
// kept as attributes, with a hint when their name is close to a known
// one. rows are values in header order; short rows are padded.
func Infer(header []string, rows [][]string, opts InferOptions) *Inference {
	inf := &Inference{Rows: len(rows)}
	header = trimAll(header)
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = normalizeName(h)
	}
	canonical := steward.CanonicalColumns()

	// Candidates from names.
	var cands []candidate
	known := make([]*knownName, len(header))
	for i, n := range names {
		if n == "" || IsReportColumn(n) || slices.Index(names, n) != i {
			continue
		}
		if slices.Contains(canonical, n) {
			cands = append(cands, candidate{col: i, target: n, by: MatchCanonical, score: 1, why: "the canonical name"})
			continue
		}
		if k, ok := lookupName(header[i]); ok {
			known[i] = &k
			c := candidate{col: i, target: k.target, attribute: k.attribute, by: MatchName, score: k.rank, fullName: k.fullName}
			if k.fullName {
				c.why = "a full name, split into first and last name when standardized"
			}
			if k.transform != "" {
				c.transform = valueTransform{kind: k.transform}
			}
			cands = append(cands, c)
		}
	}

	// The values, judged for the row's country: the column named as the
	// country, else the default.
	countryCol, best := -1, 0.0
	for _, c := range cands {
		if c.target == steward.FieldCountry && c.score > best {
			countryCol, best = c.col, c.score
		}
	}
	ev := make([]evidence, len(header))
	for i, n := range names {
		if n == "" || IsReportColumn(n) {
			continue
		}
		ev[i] = judge(rows, i, countryCol, strings.ToUpper(opts.DefaultCountry))
	}

	// Names checked against the values; consent columns must hold yes/no.
	for j := range cands {
		c := &cands[j]
		if c.by == MatchCanonical {
			continue
		}
		e := &ev[c.col]
		if c.transform.kind == TransformBool || c.transform.kind == TransformNot {
			if e.n > 0 && e.boolean*10 < e.n*9 {
				c.score = 0 // not yes/no: kept under its own name
				inf.Notes = append(inf.Notes, fmt.Sprintf("%q is not read as %s: its values are not yes/no (kept as an attribute)", header[c.col], c.target))
			} else if c.transform.kind == TransformNot {
				c.why = "yes/no read as true/false, negated"
			} else {
				c.why = "yes/no read as true/false"
			}
			continue
		}
		fit, what := e.fit(c.target)
		switch {
		case what == "" || e.n < 3:
		case fit*2 >= e.n:
			c.why = join(c.why, fmt.Sprintf("%d of %d values are %s", fit, e.n, what))
			c.score = min(c.score+0.01, 0.99)
		case fit*5 < e.n:
			c.score *= 0.75
			c.why = join(c.why, fmt.Sprintf("but only %d of %d values are %s", fit, e.n, what))
		}
	}

	// Candidates from content, for every column: the best one wins each
	// target below.
	for i := range header {
		if names[i] == "" || IsReportColumn(names[i]) || slices.Index(names, names[i]) != i || slices.Contains(canonical, names[i]) {
			continue
		}
		for _, target := range []string{steward.FieldEmail, steward.FieldPhone, steward.FieldPostalCode, steward.FieldNationalID, steward.FieldCountry} {
			fit, what := ev[i].fit(target)
			if what == "" || ev[i].n == 0 || fit*5 < ev[i].n*4 || !ev[i].distinctive(target) {
				continue
			}
			score := 0.55 + 0.3*float64(fit)/float64(ev[i].n)
			if ev[i].n < 3 {
				score -= 0.1
			}
			cands = append(cands, candidate{col: i, target: target, by: MatchContent, score: score,
				why: fmt.Sprintf("%d of %d values are %s", fit, ev[i].n, what)})
		}
	}

	// A full name goes to first_name only when no column holds first names.
	if slices.ContainsFunc(cands, func(c candidate) bool {
		return c.target == steward.FieldFirstName && !c.fullName && c.score >= 0.85
	}) {
		cands = slices.DeleteFunc(cands, func(c candidate) bool { return c.fullName })
	}

	// Each target takes its best column, each column one target.
	slices.SortStableFunc(cands, func(a, b candidate) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return a.col - b.col
	})
	taken := make(map[string]candidate)
	chosen := make(map[int]candidate)
	close := make(map[int]bool) // columns a close second for a target: a note says so
	for _, c := range cands {
		if c.score <= 0 {
			continue
		}
		if _, ok := chosen[c.col]; ok {
			continue
		}
		if w, ok := taken[c.target]; ok {
			if w.score-c.score < 0.03 {
				close[c.col] = true
				inf.Notes = append(inf.Notes, fmt.Sprintf("%q and %q both fit %s: %q was taken, %q kept as an attribute; to choose the other, write the mapping out, edit it and import with it",
					header[w.col], header[c.col], c.target, header[w.col], header[c.col]))
			}
			continue
		}
		if c.target == steward.FieldBirthDate {
			c = birthDate(c, &ev[c.col], header[c.col], inf)
		}
		taken[c.target] = c
		chosen[c.col] = c
	}

	m := &Mapping{file: "inferred"}
	for i, h := range header {
		cm := ColumnMatch{Column: h}
		c, ok := chosen[i]
		switch {
		case names[i] == "" || slices.Index(names, names[i]) != i:
			continue // the header itself is at fault; reading says so
		case IsReportColumn(names[i]):
			cm.By, cm.Why = MatchIgnored, "steward's own report column"
			inf.Columns = append(inf.Columns, cm)
			continue
		case ok:
			cm.Target, cm.Attribute, cm.By, cm.Confidence, cm.Why = c.target, c.attribute, c.by, round2(c.score), c.why
			switch c.transform.kind {
			case TransformDate:
				cm.Transform = "date " + c.transform.layout
			case "":
			default:
				cm.Transform = string(c.transform.kind)
			}
		default:
			cm.Target, cm.Attribute, cm.By = names[i], true, MatchKept
			if !close[i] {
				cm.Hint = keptHint(h, header, known[i], &ev[i], taken)
			}
		}
		inf.Columns = append(inf.Columns, cm)
		ref := columnRef{name: names[i], written: h}
		m.targets = append(m.targets, mappingTarget{target: cm.Target, attribute: cm.Attribute, columns: []columnRef{ref},
			separator: " ", transform: c.transform, note: noteOf(cm)})
	}
	// Canonical targets first, in canonical order, then the attributes
	// in header order.
	order := func(t mappingTarget) int {
		if t.attribute {
			return len(canonical)
		}
		return slices.Index(canonical, t.target)
	}
	slices.SortStableFunc(m.targets, func(a, b mappingTarget) int { return order(a) - order(b) })
	inf.mapping = m
	return inf
}

// noteOf is the comment Marshal writes beside a target.
func noteOf(cm ColumnMatch) string {
	switch cm.By {
	case MatchCanonical, MatchKept:
		if cm.Hint != "" {
			return cm.Hint
		}
		return ""
	case MatchContent:
		return "by content: " + cm.Why
	}
	if cm.Why == "" {
		return "by name"
	}
	return "by name: " + cm.Why
}

// join joins the parts of a Why with a comma.
func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// birthDate gives a birth date column the date layout its values show:
// day first when some day is above 12 and no month is, month first in the
// other case. A column whose dates could all be read either way gets a
// note instead.
func birthDate(c candidate, e *evidence, name string, inf *Inference) candidate {
	switch {
	case e.dmy > 0 && e.mdy == 0 && e.sep != 0:
		c.transform, _ = dateTransform(fmt.Sprintf("%%d%c%%m%c%%Y", e.sep, e.sep))
	case e.mdy > 0 && e.dmy == 0 && e.sep != 0:
		c.transform, _ = dateTransform(fmt.Sprintf("%%m%c%%d%c%%Y", e.sep, e.sep))
	case e.dmy > 0 && e.mdy > 0:
		inf.Notes = append(inf.Notes, fmt.Sprintf("%q has dates with the day first and others with the month first: such dates are left for the rules to judge", name))
		return c
	case e.ambiguous > 0:
		inf.Notes = append(inf.Notes, fmt.Sprintf("%q has dates like %s whose day and month the first rows cannot tell apart: --date-order dmy or mdy reads them", name, e.ambiguousExample))
		return c
	default:
		return c
	}
	which := "day"
	if e.mdy > 0 {
		which = "month"
	}
	c.why = join(c.why, fmt.Sprintf("dates read %s first (%s), as %d of %d values show", which, c.transform.layout, e.dmy+e.mdy, e.n))
	return c
}

// keptHint says which target a kept column may be: a known name it is
// close to, or the shape of its values when they could not be checked;
// "" when nothing suggests one.
func keptHint(name string, header []string, k *knownName, e *evidence, taken map[string]candidate) string {
	mean := func(target, why string) string {
		s := fmt.Sprintf("did you mean %s for %q?", target, name)
		if why != "" {
			s += " " + why
		}
		return s
	}
	if k != nil {
		if w, ok := taken[k.target]; ok && !k.attribute {
			return fmt.Sprintf("%q is also a name for %s, which %q fills", name, k.target, header[w.col])
		}
		return ""
	}
	for _, target := range []string{steward.FieldEmail, steward.FieldPhone, steward.FieldPostalCode, steward.FieldNationalID} {
		if w, ok := taken[target]; ok && e.n > 0 && e.distinctive(target) {
			if fit, what := e.fit(target); fit*5 >= e.n*4 {
				return fmt.Sprintf("%q holds %s too (%d of %d values), but %q fills %s", name, what, fit, e.n, header[w.col], target)
			}
		}
	}
	switch {
	case e.n > 0 && e.phoneShape*5 >= e.n*4 && e.phone*5 < e.n*4:
		return mean(steward.FieldPhone, "its values look like phone numbers, but without a country (--country) they cannot be checked")
	case e.n > 0 && e.postal*5 >= e.n*4 && !e.distinctive(steward.FieldPostalCode):
		return mean(steward.FieldPostalCode, "its values fit the postal codes of their country, but digits alone prove little")
	}
	key := nameKey(name)
	if len([]rune(key)) < 3 {
		return ""
	}
	lev := metrics.NewLevenshtein()
	best, bestDist := "", 0
	for name, kn := range knownNames() {
		if d := lev.Distance(key, name); best == "" || d < bestDist || (d == bestDist && kn.target < best) {
			best, bestDist = kn.target, d
		}
	}
	if best == "" || bestDist > 1 && (bestDist > 2 || len([]rune(key)) < 8) {
		return ""
	}
	return mean(best, "")
}

// evidence counts, over one column's non-empty values in the sample, the
// values of each shape.
type evidence struct {
	n int // non-empty values
	// Values that are email addresses, phone numbers valid for the row's
	// country, of a phone number's shape, postal codes valid for the
	// row's country (with a letter), Iranian national ids, countries,
	// yes/no.
	email, phone, phoneShape, postal, postalLetters, nationalID, country, boolean int
	// Dates: d/m/yyyy with the day above 12, m/d/yyyy with the month
	// second above 12, either way (both below 13).
	dmy, mdy, ambiguous int
	ambiguousExample    string
	sep                 byte // the separator of the d/m/y dates, 0 when mixed
}

var (
	slashDate  = regexp.MustCompile(`^(\d{1,2})([/.\-])(\d{1,2})([/.\-])(\d{4})$`)
	phoneChars = regexp.MustCompile(`^\+?[\d\s().\-/]{7,24}$`)
)

// maxJudged bounds the values judged per column.
const maxJudged = 100

// judge counts the shapes of column col's values in rows.
func judge(rows [][]string, col, countryCol int, defaultCountry string) evidence {
	var e evidence
	postal, _ := validate.LoadPostalRules()
	seps := make(map[byte]bool)
	for _, row := range rows {
		if e.n >= maxJudged {
			break
		}
		if col >= len(row) {
			continue
		}
		v := strings.TrimSpace(row[col])
		if v == "" {
			continue
		}
		e.n++
		country := defaultCountry
		if countryCol >= 0 && countryCol < len(row) {
			if cc, ok := cleanse.LookupCountry(row[countryCol]); ok {
				country = cc
			}
		}
		if strings.Count(v, "@") == 1 && validate.EmailSyntax(v).Valid {
			e.email++
		}
		digits := fold.Digits(v)
		if phoneChars.MatchString(digits) {
			n := strings.Count(digits, "") - 1 - strings.Count(digits, " ")
			plain := strings.Trim(digits, "0123456789") == "" && !strings.HasPrefix(digits, "0")
			if n >= 7 && !plain {
				e.phoneShape++
			}
			if p := validate.Phone(v, country); p.Valid || p.Possible {
				e.phone++
			}
		}
		if country != "" && postal != nil {
			if c := postal.Check(country, v); c.Valid && c.Reason != validate.ReasonPostalUnchecked {
				e.postal++
				if strings.IndexFunc(v, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }) >= 0 {
					e.postalLetters++
				}
			}
		}
		if len(digits) == 10 && strings.Trim(digits, "0123456789") == "" && validate.IranNationalID(digits).Valid {
			e.nationalID++
		}
		if _, ok := ParseBool(v); ok {
			e.boolean++
		} else if _, ok := cleanse.LookupCountry(v); ok {
			e.country++
		}
		if m := slashDate.FindStringSubmatch(digits); m != nil {
			seps[m[2][0]], seps[m[4][0]] = true, true
			a, b := atoi(m[1]), atoi(m[3])
			switch {
			case a > 12 && b <= 12:
				e.dmy++
			case b > 12 && a <= 12:
				e.mdy++
			case a <= 12 && b <= 12 && a > 0 && b > 0:
				e.ambiguous++
				if e.ambiguousExample == "" {
					e.ambiguousExample = v
				}
			}
		}
	}
	if len(seps) == 1 {
		for s := range seps {
			e.sep = s
		}
	}
	return e
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// fit returns how many values have target's shape and what the shape is
// called in a message; "" for a target without one.
func (e *evidence) fit(target string) (int, string) {
	switch target {
	case steward.FieldEmail:
		return e.email, "email addresses"
	case steward.FieldPhone:
		return e.phone, "phone numbers"
	case steward.FieldPostalCode:
		return e.postal, "postal codes"
	case steward.FieldNationalID:
		return e.nationalID, "Iranian national ids"
	case steward.FieldCountry:
		return e.country, "countries"
	}
	return 0, ""
}

// distinctive reports whether values of target's shape say by themselves
// that the column is target: digits alone (a US ZIP, an order number)
// do not make postal codes, nor a handful of values national ids, nor
// two-letter words (no, it) countries.
func (e *evidence) distinctive(target string) bool {
	switch target {
	case steward.FieldPostalCode:
		return e.postalLetters*2 >= e.n
	case steward.FieldNationalID:
		return e.n >= 3
	case steward.FieldCountry:
		return e.n >= 2 && e.boolean*2 < e.n
	}
	return true
}
