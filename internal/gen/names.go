package gen

import (
	"bufio"
	"embed"
	"fmt"
	"math/rand/v2"
	"strings"
)

//go:embed names/*.txt
var nameFiles embed.FS

// nameEntry is one given name or surname. For Persian names parts holds the
// pieces of a compound name ("محمد", "رضا"), latin its transliterations;
// for English names latin holds its nicknames.
type nameEntry struct {
	parts []string
	latin []string
}

// nameList is a name list with its frequency skew.
type nameList struct {
	entries []nameEntry
	w       weights
}

func (l *nameList) pick(r *rand.Rand) *nameEntry { return &l.entries[l.w.pick(r)] }

// loadNames reads an embedded list: one name per line, most common first,
// "#" comments; later repeats of a name are dropped.
func loadNames(file string, offset float64) (nameList, error) {
	f, err := nameFiles.Open("names/" + file)
	if err != nil {
		return nameList{}, fmt.Errorf("open name list: %w", err)
	}
	defer f.Close()
	var l nameList
	seen := make(map[string]bool)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		if seen[fields[0]] {
			continue
		}
		seen[fields[0]] = true
		e := nameEntry{parts: strings.Split(fields[0], "_")}
		dup := map[string]bool{}
		for _, t := range fields[1:] {
			t = strings.ReplaceAll(t, "_", " ")
			if !dup[t] {
				dup[t] = true
				e.latin = append(e.latin, t)
			}
		}
		l.entries = append(l.entries, e)
	}
	if err := sc.Err(); err != nil {
		return nameList{}, fmt.Errorf("read name list %s: %w", file, err)
	}
	if len(l.entries) == 0 {
		return nameList{}, fmt.Errorf("name list %s is empty", file)
	}
	l.w = zipf(len(l.entries), offset)
	return l, nil
}
