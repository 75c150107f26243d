package dedupe

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/steward-crm/steward"
)

// TestExternalIndexMatchesIndex builds the external index of generated
// records, some of them query only, and checks that every record's
// matches (the base's, the file's, with their shared keys) are the ones
// an Index of the indexed records gives, with sorts small enough to spill
// many runs, and blocks small enough that many are paired by sorted
// neighbourhood.
func TestExternalIndexMatchesIndex(t *testing.T) {
	ctx := context.Background()
	all := generated(t, 7000, 3).records
	// The base holds placeholders the file has too few of to find: the
	// file's records that share them are flagged as matched, not as
	// indexed.
	baseRecs := append(placeholderRecords(120), all[:2000]...)
	file := all[2000:]
	for i := range 6 {
		file[i*500].Email = "info@shop.example"
		file[i*500+1].Phone = "+61 2 9999 0000"
	}
	model := trainedIndex(t, all[:3000], DefaultConfig()).Model()
	small := DefaultConfig()
	small.MaxBlock, small.Window = 3, 1
	tests := []struct {
		name string
		cfg  Config
		base bool
	}{
		{"default", DefaultConfig(), true},
		{"small blocks", small, true},
		{"no base", small, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base *Index
			if tt.base {
				var err error
				if base, err = NewIndex(ctx, baseRecs, tt.cfg, model); err != nil {
					t.Fatal(err)
				}
			}
			queryOnly := func(i int) bool { return i%7 == 3 }
			var indexed []steward.Record
			for i := range file {
				if !queryOnly(i) {
					indexed = append(indexed, file[i])
				}
			}
			ix, err := NewIndex(ctx, indexed, tt.cfg, model)
			if err != nil {
				t.Fatal(err)
			}
			ix.CountTermsWith(base)
			x, err := NewExternalIndex(ctx, len(file), tt.cfg, model, base, t.TempDir(), 16<<10, func(i int) (Prepared, bool) {
				return Prepare(&file[i]), !queryOnly(i)
			})
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			if x.Len() != len(indexed) {
				t.Fatalf("Len %d, want %d", x.Len(), len(indexed))
			}
			got := make([]ExternalMatch, len(file))
			const step = 97
			var wg sync.WaitGroup
			var mu sync.Mutex
			next := 0
			errs := make(chan error, 2)
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						mu.Lock()
						lo := next
						next += step
						mu.Unlock()
						if lo >= len(file) {
							return
						}
						hi := min(lo+step, len(file))
						ms, err := x.Match(ctx, lo, hi)
						if err != nil {
							errs <- err
							return
						}
						copy(got[lo:hi], ms)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			fileCands, baseCands, keyed := 0, 0, 0
			pos := 0
			for i := range file {
				var want ExternalMatch
				if queryOnly(i) {
					cs, err := ix.Match(&file[i])
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range cs {
						want.File = append(want.File, ExternalCandidate{Candidate: c, Keys: ix.SharedKeysOf(&file[i], c.Index)})
					}
				} else {
					cs, err := ix.MatchIndexed(ix, pos)
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range cs {
						want.File = append(want.File, ExternalCandidate{Candidate: c, Keys: ix.SharedKeysWith(ix, pos, c.Index)})
					}
					if base != nil {
						cs, err := base.MatchIndexed(ix, pos)
						if err != nil {
							t.Fatal(err)
						}
						for _, c := range cs {
							want.Base = append(want.Base, ExternalCandidate{Candidate: c, Keys: base.SharedKeysWith(ix, pos, c.Index)})
						}
					}
					pos++
				}
				fileCands += len(want.File)
				baseCands += len(want.Base)
				for _, c := range want.File {
					keyed += len(c.Keys)
				}
				if !reflect.DeepEqual(got[i], want) {
					t.Fatalf("record %d (query only %v):\n got %s\nwant %s", i, queryOnly(i), describe(got[i]), describe(want))
				}
			}
			if fileCands < 100 || keyed < fileCands || tt.base && baseCands < 50 {
				t.Errorf("%d file candidates (%d keys), %d base candidates: too few for the test to say anything", fileCands, keyed, baseCands)
			}
		})
	}
}

func describe(m ExternalMatch) string {
	s := "base:"
	for _, c := range m.Base {
		s += fmt.Sprintf(" %d/%.6f%v", c.Index, c.Weight, c.Keys)
	}
	s += " file:"
	for _, c := range m.File {
		s += fmt.Sprintf(" %d/%.6f%v", c.Index, c.Weight, c.Keys)
	}
	return s
}
