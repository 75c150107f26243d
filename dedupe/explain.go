package dedupe

import (
	"strings"

	"github.com/steward-crm/steward"
)

// comparedValues returns the values comparison c looked at in a and b,
// whose comparison gave pattern p, as FieldWeight.A and B show them. The
// strings are copies: an explanation outlives the index's text.
func comparedValues(c int, p pattern, a, b *prepared) (string, string) {
	swapped := p.level(cmpFirstName) == fnSwapped
	switch c {
	case cmpFirstName:
		if swapped {
			// First name against the other's last name.
			return strings.Clone(a.first), strings.Clone(b.last)
		}
		return strings.Clone(a.first), strings.Clone(b.first)
	case cmpLastName:
		if swapped {
			return strings.Clone(a.last), strings.Clone(b.first)
		}
		return strings.Clone(a.last), strings.Clone(b.last)
	case cmpBirthDate:
		return dateText(a.dob), dateText(b.dob)
	case cmpEmail:
		return strings.Clone(a.email), strings.Clone(b.email)
	case cmpContact:
		return contactText(a), contactText(b)
	case cmpCompany:
		return strings.Clone(a.company), strings.Clone(b.company)
	case cmpNationalID:
		return strings.Clone(a.nationalID), strings.Clone(b.nationalID)
	}
	return "", ""
}

// dateText returns d as YYYY-MM-DD, or "" when it is missing.
func dateText(d date) string {
	if d.missing() {
		return ""
	}
	g := d.digits()
	return string(g[:4]) + "-" + string(g[4:6]) + "-" + string(g[6:])
}

// contactText joins the parts of p the address and phone comparison
// reads: street line, postal code, city, region, country, phone.
func contactText(p *prepared) string {
	var parts []string
	for _, s := range [...]string{p.street, p.postal, p.city, p.region, p.country, p.phone} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// SharedKeys returns the blocking keys under which indexed records i and
// j become a candidate pair in Run: both are in one block of the key and,
// when the block is oversized, within each other's sorted neighbourhood.
// It returns nil when blocking never pairs them (they were not compared).
// Keys come in Config.Blocking order. It does not change the index, so it
// may run concurrently with Match.
func (ix *Index) SharedKeys(i, j int) []BlockingKey {
	if i == j || i < 0 || j < 0 || i >= len(ix.recs) || j >= len(ix.recs) {
		return nil
	}
	var out []BlockingKey
	var a, b prepared
	ix.rec(int32(i), &a)
	ix.rec(int32(j), &b)
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		h := blockHash(kb.key, kb.kind, &a)
		if h == 0 || h != blockHash(kb.key, kb.kind, &b) {
			continue
		}
		if ix.pairedInBlock(kb, h, int32(i), int32(j)) {
			out = append(out, kb.key)
		}
	}
	return out
}

// SharedKeysWith returns the blocking keys under which record i of from
// meets indexed record j in MatchIndexed(from, i): the blocks of the key
// hold both, and j is within i's sorted neighbourhood when the block is
// oversized. from must have the same blocking keys; it may be ix itself,
// and then the answer is SharedKeys(i, j). nil when they never meet.
func (ix *Index) SharedKeysWith(from *Index, i, j int) []BlockingKey {
	if from == ix {
		return ix.SharedKeys(i, j)
	}
	if i < 0 || i >= len(from.recs) {
		return nil
	}
	var q prepared
	from.rec(int32(i), &q)
	ix.markPlaceholders(&q)
	return ix.sharedKeysOf(&q, j)
}

// SharedKeysOf returns the blocking keys under which Match(r) meets
// indexed record j, nil when it does not.
func (ix *Index) SharedKeysOf(r *steward.Record, j int) []BlockingKey {
	q := ix.prepareQuery(r)
	return ix.sharedKeysOf(&q, j)
}

// sharedKeysOf returns the keys under which an incoming record q meets
// indexed record j, as match collects its candidates.
func (ix *Index) sharedKeysOf(q *prepared, j int) []BlockingKey {
	if j < 0 || j >= len(ix.recs) {
		return nil
	}
	var out []BlockingKey
	var r prepared
	ix.rec(int32(j), &r)
	sortKeys := sortKeysOf(q)
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		h := blockHash(kb.key, kb.kind, q)
		if h == 0 || h != blockHash(kb.key, kb.kind, &r) {
			continue
		}
		if ix.meetsInBlock(kb, h, sortKeys[kb.order], int32(j)) {
			out = append(out, kb.key)
		}
	}
	return out
}

// meetsInBlock reports whether indexed record j is among the candidates
// an incoming record with hash h and sort key s draws from kb (match).
func (ix *Index) meetsInBlock(kb *keyBlocks, h, s uint64, j int32) bool {
	lo, hi, _ := ix.windowFor(kb, h, s)
	for _, e := range kb.sorted[lo:hi] {
		if e.idx == j {
			return true
		}
	}
	for _, x := range kb.pending[h] {
		if x == j {
			return true
		}
	}
	return false
}

// pairedInBlock reports whether indexed records i and j, both with hash h
// under kb, are paired by candidates: one of them is pending (paired with
// its whole block), or both are sorted and within each other's window.
func (ix *Index) pairedInBlock(kb *keyBlocks, h uint64, i, j int32) bool {
	pi, pj := ix.entryPos(kb, h, i), ix.entryPos(kb, h, j)
	if pi < 0 || pj < 0 {
		// A pending record (or one removed from the sorted entries
		// since) meets its whole block.
		return true
	}
	lo, hi, _ := ix.windowAt(kb, pi)
	return pj >= lo && pj < hi
}

// entryPos returns the position of record i's entry, hash h, in kb's
// sorted entries, or -1 when it is not there (pending). It reads kb.pos
// when batch operations built it, else searches the block, whose entries
// are ordered by sort key and index.
func (ix *Index) entryPos(kb *keyBlocks, h uint64, i int32) int {
	if kb.pos != nil && int(i) < len(kb.pos) {
		return int(kb.pos[i])
	}
	lo, hi := kb.bounds(h)
	keys := ix.sortKeys[kb.order]
	s := keys[i]
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		e := kb.sorted[mid]
		if sm := keys[e.idx]; sm < s || sm == s && e.idx < i {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(kb.sorted) && kb.sorted[lo].idx == i && kb.sorted[lo].hash() == h {
		return lo
	}
	return -1
}
