package cleanse

import "testing"

func TestPersonNames(t *testing.T) {
	tests := []struct {
		name        string
		first, last string
		want        PersonNameParts
		rules       []string
	}{
		{"lone title in first name", "sir", "nicholson", PersonNameParts{Last: "Nicholson", Title: "Sir"}, []string{RuleNameTitle, RuleNameCase}},
		{"miss", "MISS", "Brown", PersonNameParts{Last: "Brown", Title: "Miss"}, []string{RuleNameTitle}},
		{"dr alone", "Dr.", "Jones", PersonNameParts{Last: "Jones", Title: "Dr"}, []string{RuleNameTitle}},
		{"hon with its dot", "hon.", "Smith", PersonNameParts{Last: "Smith", Title: "Hon"}, []string{RuleNameTitle}},
		{"hon. before a name", "Hon. Mary", "Smith", PersonNameParts{First: "Mary", Last: "Smith", Title: "Hon"}, []string{RuleNameTitle}},
		{"hon without a dot is a name", "Hon Wai", "Chan", PersonNameParts{First: "Hon Wai", Last: "Chan"}, nil},
		{"lady before a name", "lady jane", "Grey", PersonNameParts{First: "Jane", Last: "Grey", Title: "Lady"}, []string{RuleNameTitle, RuleNameCase}},
		{"lady alone", "Lady", "Astor", PersonNameParts{Last: "Astor", Title: "Lady"}, []string{RuleNameTitle}},
		{"lord as a family name stays", "Peter", "Lord", PersonNameParts{First: "Peter", Last: "Lord"}, nil},
		{"persian aghay", "آقای", "رضایی", PersonNameParts{Last: "رضایی", Title: "آقای"}, []string{RuleNameTitle}},
		{"persian khanom", "خانم", "احمدی", PersonNameParts{Last: "احمدی", Title: "خانم"}, []string{RuleNameTitle}},
		{"seyyed alone", "سید", "حسینی", PersonNameParts{Last: "حسینی", Title: "سید"}, []string{RuleNameTitle}},
		{"seyyed before a name stays", "سید علی", "حسینی", PersonNameParts{First: "سید علی", Last: "حسینی"}, nil},
		{"seyyed and a name are no full name", "سید علی", "", PersonNameParts{First: "سید علی"}, nil},
		{"glued initial", "h.nicholson", "", PersonNameParts{First: "H.", Last: "Nicholson"}, []string{RuleNameSplit, RuleNameCase}},
		{"glued initials", "J.R.R.Tolkien", "", PersonNameParts{First: "J. R. R.", Last: "Tolkien"}, []string{RuleNameSplit}},
		{"dotted name is not initials", "st.john", "", PersonNameParts{First: "St.john"}, []string{RuleNameCase}},
		{"initial with a last name stays", "h.", "Nicholson", PersonNameParts{First: "H.", Last: "Nicholson"}, []string{RuleNameCase}},
		{"full name split", "John Smith", "", PersonNameParts{First: "John", Last: "Smith"}, []string{RuleNameSplit}},
		{"comma in last name", "", "Smith, John", PersonNameParts{First: "John", Last: "Smith"}, []string{RuleNameSplit}},
		{"title and suffix", "Dr John", "Smith Jr.", PersonNameParts{First: "John", Last: "Smith", Title: "Dr", Suffix: "Jr"}, []string{RuleNameTitle, RuleNameSuffix}},
		{"king is a name", "King", "Olivia", PersonNameParts{First: "King", Last: "Olivia"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fs := PersonNames(tt.first, tt.last)
			if got != tt.want {
				t.Fatalf("PersonNames(%q, %q) = %+v, want %+v", tt.first, tt.last, got, tt.want)
			}
			var rules []string
			for _, f := range fs {
				if len(rules) == 0 || rules[len(rules)-1] != f.Rule {
					rules = append(rules, f.Rule)
				}
			}
			if !equalStrings(rules, tt.rules) {
				t.Errorf("fixes %+v: rules %v, want %v", fs, rules, tt.rules)
			}
			again, fs := PersonNames(got.First, got.Last)
			if again.First != got.First || again.Last != got.Last || again.Title != "" || len(fs) != 0 {
				t.Errorf("PersonNames of its own output: %+v, %+v", again, fs)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMatchNames(t *testing.T) {
	tests := []struct {
		name, first, last, wantFirst, wantLast string
	}{
		{"title alone", "sir", "nicholson", "", "nicholson"},
		{"glued initial", "h.nicholson", "", "h.", "nicholson"},
		{"seyyed dropped", "سید علی", "حسینی", "علی", "حسینی"},
		{"seyyed dropped without a last name", "سید علی", "", "علی", ""},
		{"seyed in latin dropped", "Seyed Mohammad", "Hosseini", "Mohammad", "Hosseini"},
		{"seyyed alone", "سید", "حسینی", "", "حسینی"},
		{"no casing", "JOHN", "SMITH", "JOHN", "SMITH"},
		{"persian title", "خانم زهرا", "احمدی", "زهرا", "احمدی"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, l := MatchNames(tt.first, tt.last)
			if f != tt.wantFirst || l != tt.wantLast {
				t.Fatalf("MatchNames(%q, %q) = %q, %q; want %q, %q", tt.first, tt.last, f, l, tt.wantFirst, tt.wantLast)
			}
			if f2, l2 := MatchNames(f, l); f2 != f || l2 != l {
				t.Errorf("MatchNames of its own output: %q, %q", f2, l2)
			}
		})
	}
}

// FuzzPersonNames checks that PersonNames never panics, changes nothing
// in its own output, and that MatchNames is idempotent.
func FuzzPersonNames(f *testing.F) {
	for _, s := range standardizeSeeds {
		f.Add(s, "")
		f.Add("sir", s)
	}
	f.Add("h.nicholson", "")
	f.Add("سید", "حسینی")
	f.Add("Hon. Lady", "x")
	f.Fuzz(func(t *testing.T, first, last string) {
		p, _ := PersonNames(first, last)
		again, fs := PersonNames(p.First, p.Last)
		if again.First != p.First || again.Last != p.Last || len(fs) != 0 {
			t.Fatalf("PersonNames(%q, %q) = %+v; again: %+v with %+v", first, last, p, again, fs)
		}
		mf, ml := MatchNames(first, last)
		if f2, l2 := MatchNames(mf, ml); f2 != mf || l2 != ml {
			t.Fatalf("MatchNames(%q, %q) = %q, %q; again %q, %q", first, last, mf, ml, f2, l2)
		}
	})
}

// FuzzMatchNamesShortcut: the names MatchNames returns without
// standardizing them have the match keys of those it would return after.
func FuzzMatchNamesShortcut(f *testing.F) {
	for _, s := range standardizeSeeds {
		f.Add(s, "Smith")
		f.Add("John", s)
	}
	f.Add("  JOHN ", "smith  jr")
	f.Add("Ali\u200c", "كريمي")
	f.Fuzz(func(t *testing.T, first, last string) {
		f1, l1 := MatchNames(first, last)
		f2, l2 := matchNamesSlow(first, last)
		if NameKey(f1) != NameKey(f2) || NameKey(l1) != NameKey(l2) {
			t.Fatalf("MatchNames(%q, %q) = %q, %q; standardized %q, %q", first, last, f1, l1, f2, l2)
		}
	})
}
