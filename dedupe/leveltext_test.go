package dedupe

import "testing"

// TestEveryLevelHasWords: a steward reads every level the matcher can
// produce in words, and no words are left for a level that is gone.
func TestEveryLevelHasWords(t *testing.T) {
	used := map[string]bool{}
	for _, c := range comparisonSpecs() {
		for _, l := range c.levels {
			if _, ok := levelText(c.field, l); !ok {
				t.Errorf("%s level %q has no words", c.field, l)
			}
			used[c.field+"/"+l] = true
		}
	}
	for k := range fieldLevelTexts {
		if !used[k] {
			t.Errorf("words for %s, which no comparison has", k)
		}
	}
	tests := []struct{ field, level, want string }{
		{"last_name", "exact_household", "the same, at one address or phone (a family's name)"},
		{"last_name", "exact", "the same"},
		{"company", "close", "nearly the same"},
		{"first_name", "close", "nearly the same (a typo)"},
		{"phone", "some_rule_level", "some rule level"},
	}
	for _, tt := range tests {
		if got := LevelText(tt.field, tt.level); got != tt.want {
			t.Errorf("LevelText(%q, %q) = %q, want %q", tt.field, tt.level, got, tt.want)
		}
	}
}
