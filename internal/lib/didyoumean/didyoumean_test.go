package didyoumean

import "testing"

func TestHint(t *testing.T) {
	for _, tt := range []struct {
		name, s    string
		candidates []string
		want       string
	}{
		{"one edit", "frist_name", []string{"first_name", "last_name"}, ` (did you mean "first_name"?)`},
		{"case aside", "First_Nme", []string{"first_name", "last_name"}, ` (did you mean "first_name"?)`},
		{"candidate as written", "email", []string{"E-Mail", "Phone"}, ` (did you mean "E-Mail"?)`},
		{"nothing close", "zzzz", []string{"first_name", "email"}, ""},
		{"no candidates", "x", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Hint(tt.s, tt.candidates); got != tt.want {
				t.Errorf("Hint(%q) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}
