package records

import "testing"

func TestSpreadsheetSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Ann", "Ann"},
		{"=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"+989121234567", "+989121234567"},
		{"+1 (415) 555-2671", "+1 (415) 555-2671"},
		{"-12.50", "-12.50"},
		{"-", "'-"},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := SpreadsheetSafe(tt.in); got != tt.want {
			t.Errorf("SpreadsheetSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSpreadsheetSafe(f *testing.F) {
	f.Add("=1+1")
	f.Add("+98 912")
	f.Fuzz(func(t *testing.T, s string) {
		got := SpreadsheetSafe(s)
		if got != s && got != "'"+s {
			t.Fatalf("SpreadsheetSafe(%q) = %q: only a leading apostrophe may be added", s, got)
		}
		if got != "" && (got[0] == '=' || got[0] == '@' || got[0] == '\t' || got[0] == '\r') {
			t.Fatalf("SpreadsheetSafe(%q) = %q still starts a formula", s, got)
		}
	})
}
