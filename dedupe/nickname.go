package dedupe

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"sort"
	"sync"
)

// names.csv lists English given names and their nicknames, one
// "name,has_nickname,nickname" row each (Apache-2.0, see
// data/LICENSE.nicknames).
//
//go:embed data/names.csv
var nicknamesCSV []byte

// maxFormal bounds how many formal names one given name may stand for; a
// nickname with more (al: albert, alfred, alan …) keeps the first ones in
// the table's order, which is enough for a comparison level.
const maxFormal = 4

// nicknameTable maps a given name's key (nameKey) to the ids of the formal names
// it can stand for: itself when it is a formal name, and every name that
// lists it as a nickname.
type nicknameTable struct {
	formal map[string][]uint32
}

// nicknames returns the table parsed from the embedded CSV. It is immutable
// reference data, parsed once.
var nicknames = sync.OnceValue(func() *nicknameTable {
	t := &nicknameTable{formal: make(map[string][]uint32)}
	rows, err := csv.NewReader(bytes.NewReader(nicknamesCSV)).ReadAll()
	if err != nil {
		panic("dedupe: embedded names.csv: " + err.Error())
	}
	ids := make(map[string]uint32)
	id := func(name string) uint32 {
		if v, ok := ids[name]; ok {
			return v
		}
		v := uint32(len(ids) + 1)
		ids[name] = v
		return v
	}
	add := func(name string, f uint32) {
		for _, x := range t.formal[name] {
			if x == f {
				return
			}
		}
		t.formal[name] = append(t.formal[name], f)
	}
	for i, row := range rows {
		if i == 0 || len(row) != 3 || row[1] != "has_nickname" {
			continue
		}
		// Records are looked up by their name key (nameKey), which
		// respells names (doubled letters collapsed: Jimmy is "jimy",
		// Betty "bety"), so the table is keyed the same way; keyed by the
		// names as written, Jimmy never met James.
		name, nick := nameKey(row[0]), nameKey(row[2])
		if name == "" || nick == "" {
			continue
		}
		f := id(name)
		add(name, f)
		add(nick, f)
	}
	for k, v := range t.formal {
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		t.formal[k] = v
	}
	return t
})

// formalIDs returns the formal-name ids of a given name key, at most
// maxFormal, zero-padded.
func (t *nicknameTable) formalIDs(name string) (out [maxFormal]uint32) {
	copy(out[:], t.formal[name])
	return out
}

// sameFormal reports whether two formal-id sets share an id.
func sameFormal(a, b *[maxFormal]uint32) bool {
	for _, x := range a {
		if x == 0 {
			break
		}
		for _, y := range b {
			if y == 0 {
				break
			}
			if x == y {
				return true
			}
		}
	}
	return false
}
