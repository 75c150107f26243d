package gen

import "strconv"

// Column positions in the canonical CSV header.
const (
	colID = iota
	colSource
	colFirst
	colLast
	colCompany
	colEmail
	colPhone
	colAddr1
	colAddr2
	colCity
	colRegion
	colPostal
	colCountry
	colBirth
	colNatID
	numCols
)

// row is one record's values in canonical column order.
type row [numCols]string

// render writes p's fields into a row (id and source excepted).
func (p *person) render(w *row) {
	*w = row{}
	w[colSource] = p.source
	w[colFirst] = p.firstName()
	w[colLast] = p.lastName()
	w[colCompany] = p.company.name(p.c)
	w[colEmail] = p.email
	w[colPhone] = formatPhone(p.c, p.phone)
	w[colAddr1] = p.addr.line1(p.c)
	w[colAddr2] = p.addr.line2(p.c)
	if p.addr.street != "" {
		w[colCity] = p.city.name
		if p.latCity && p.city.latin != "" {
			w[colCity] = p.city.latin
		}
		w[colRegion] = p.city.region
		w[colPostal] = p.addr.postal
	}
	w[colCountry] = p.c.code
	if p.ctyForm >= 0 {
		w[colCountry] = p.c.names[p.ctyForm]
	}
	if p.birth[0] != 0 {
		w[colBirth] = pad(p.birth[0], 4) + "-" + pad(p.birth[1], 2) + "-" + pad(p.birth[2], 2)
	}
	w[colNatID] = p.natID
}

func (p *person) firstName() string {
	if p.persian {
		return joinParts(p.first.parts, p.firstFm)
	}
	return p.latinFirst(true)
}

func (p *person) lastName() string {
	if p.last == nil {
		return ""
	}
	if p.persian {
		return joinParts(p.last.parts, p.lastFm)
	}
	return p.latinLast()
}

// joinParts joins the pieces of a compound Persian name: directly, with a
// zero-width non-joiner, or with a space.
func joinParts(parts []string, form int) string {
	if len(parts) == 1 {
		return parts[0]
	}
	sep := [...]string{"", "\u200c", " "}[form]
	s := parts[0]
	for _, x := range parts[1:] {
		s += sep + x
	}
	return s
}

// appendRow appends w as one CSV line. Fields are quoted as encoding/csv
// would quote them.
func appendRow(b []byte, w *row) []byte {
	for i := range w {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendField(b, w[i])
	}
	return append(b, '\n')
}

func appendField(b []byte, s string) []byte {
	if !needsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func needsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[0] == '\t' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			return true
		}
	}
	return false
}

// appendTruth appends one "id,entity_id" line.
func appendTruth(b []byte, id string, entity uint32) []byte {
	b = append(b, id...)
	b = append(b, ",e"...)
	b = strconv.AppendUint(b, uint64(entity)+1, 10)
	return append(b, '\n')
}
