package dedupe

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/steward-crm/steward"
)

// placeholderRecords makes n distinct people of whom a third were born
// "on 1 January" (a day unknown), ten give info@shop.example as their
// email, twelve the shop's phone, and one in five was entered with the
// birth date 1900-01-01.
func placeholderRecords(n int) []steward.Record {
	firsts := []string{"Ann", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jill", "Kai", "Lea"}
	lasts := []string{"Abbot", "Baker", "Crane", "Dunn", "Eames", "Frost", "Grant", "Hale", "Irwin", "Jones", "Keane"}
	recs := make([]steward.Record, n)
	for i := range recs {
		r := &recs[i]
		r.SourceID = fmt.Sprint(i)
		r.FirstName = firsts[i%len(firsts)] + fmt.Sprint(i/7)
		r.LastName = lasts[i%len(lasts)]
		y, m, d := 1940+i%60, 1+i%12, 1+i%28
		switch {
		case i%5 == 0:
			y, m, d = 1900, 1, 1
		case i%3 == 0:
			m, d = 1, 1
		}
		r.BirthDate = fmt.Sprintf("%04d-%02d-%02d", y, m, d)
		r.Email = fmt.Sprintf("person%d@mail.example", i)
		if i < 10 {
			r.Email = "info@shop.example"
		}
		r.Phone = fmt.Sprintf("+61 4%08d", i)
		if i >= 20 && i < 32 {
			r.Phone = "+61 2 9999 0000"
		}
	}
	return recs
}

func TestPlaceholders(t *testing.T) {
	recs := placeholderRecords(600)
	ix, err := NewIndex(context.Background(), recs, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	flags := func(i int) uint8 {
		var p prepared
		ix.rec(int32(i), &p)
		return p.flags & flagsPlaceholder
	}
	tests := []struct {
		name       string
		i          int
		mask, want uint8
	}{
		{"1900-01-01 is a placeholder date", 5, flagDatePlaceholder | flagDayPlaceholder, flagDatePlaceholder | flagDayPlaceholder},
		{"1 January is a placeholder day", 3, flagDatePlaceholder | flagDayPlaceholder, flagDayPlaceholder},
		{"a real date is none", 1, flagDatePlaceholder | flagDayPlaceholder, 0},
		{"info@ held by ten records", 7, flagEmailPlaceholder, flagEmailPlaceholder},
		{"an email of one", 11, flagEmailPlaceholder, 0},
		{"a switchboard held by twelve", 22, flagPhonePlaceholder, flagPhonePlaceholder},
		{"a phone of one", 7, flagPhonePlaceholder, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := flags(tt.i) & tt.mask; got != tt.want {
				t.Errorf("record %d (%s, %s, %s): flags %#x, want %#x", tt.i, recs[tt.i].BirthDate, recs[tt.i].Email, recs[tt.i].Phone, got, tt.want)
			}
		})
	}

	t.Run("levels", func(t *testing.T) {
		var a, b prepared
		level := func(i, j, c int) string {
			ix.rec(int32(i), &a)
			ix.rec(int32(j), &b)
			return levelName(c, compare(&a, &b))
		}
		for _, tt := range []struct {
			name  string
			i, j  int
			field int
			want  string
		}{
			{"two placeholder dates say nothing", 5, 10, cmpBirthDate, "missing"},
			{"a placeholder day against the same year", 3, 63, cmpBirthDate, "placeholder"},
			{"a placeholder day against another year", 3, 9, cmpBirthDate, "different"},
			{"one real date against itself", 1, 1, cmpBirthDate, "exact"},
			{"a shared mailbox on both", 1, 2, cmpEmail, "placeholder"},
			{"a shared mailbox against an own address", 1, 11, cmpEmail, "missing"},
			{"a switchboard", 21, 22, cmpContact, "missing"},
		} {
			if got := level(tt.i, tt.j, tt.field); got != tt.want {
				t.Errorf("%s: records %d and %d: %s level %q, want %q", tt.name, tt.i, tt.j, comparisonSpecs()[tt.field].field, got, tt.want)
			}
		}
	})

	t.Run("no blocks", func(t *testing.T) {
		for _, key := range []BlockingKey{BlockEmail, BlockPhone, BlockBirthDateFirst} {
			for _, b := range ix.Blocks() {
				if b.Key == key && b.Largest >= placeholderMin {
					t.Errorf("key %s: a block of %d records", key, b.Largest)
				}
			}
		}
	})

	t.Run("kept by the index file and found for incoming records", func(t *testing.T) {
		back := roundTrip(t, ix)
		q := prepare(&steward.Record{FirstName: "Zed", Email: "INFO@shop.example", Phone: "+61 2 9999 0000", BirthDate: "1900-01-01"})
		back.markPlaceholders(&q)
		want := uint8(flagEmailPlaceholder | flagPhonePlaceholder | flagDatePlaceholder | flagDayPlaceholder)
		if q.flags&flagsPlaceholder != want {
			t.Errorf("incoming record flags %#x, want %#x", q.flags&flagsPlaceholder, want)
		}
		if !slices.Equal(back.recs, ix.recs) {
			t.Error("records' flags differ after reading the index back")
		}
	})
}

// TestPlaceholdersOfGeneratedData: in generated customers the
// placeholders found are those the generator's source systems write
// (1900-01-01, 1 January, a shop's noemail@ address), and no real date.
func TestPlaceholdersOfGeneratedData(t *testing.T) {
	d := generated(t, 20_000, 5)
	ix, err := NewIndex(context.Background(), d.records, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ph := &ix.placeholders
	want := map[uint64]bool{dateHash(date{1900, 1, 1}): true}
	if len(ph.dates) != 1 || !want[dateHash(date{1900, 1, 1})] || !ph.dates[dateHash(date{1900, 1, 1})] {
		t.Errorf("placeholder dates %v, want 1900-01-01 only", ph.dates)
	}
	if ph.days != [13]uint32{1: 1 << 1} {
		t.Errorf("placeholder days %v, want 1 January only", ph.days)
	}
	q := prepare(&steward.Record{Email: "noemail@digikala.com"})
	if ix.placeholders.flagsOf(&q)&flagEmailPlaceholder == 0 {
		t.Error("the shop's noemail@ address is not a placeholder")
	}
}
