package validate

import (
	"testing"
)

func loadTestLists(t testing.TB) *Lists {
	t.Helper()
	l, err := LoadLists()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestListsFlags(t *testing.T) {
	l := loadTestLists(t)
	tests := []struct {
		name   string
		check  func() bool
		expect bool
	}{
		{"mailinator disposable", func() bool { return l.Disposable("mailinator.com") }, true},
		{"subdomain of disposable", func() bool { return l.Disposable("x.y.Mailinator.com") }, true},
		{"gmail not disposable", func() bool { return l.Disposable("gmail.com") }, false},
		{"public suffix parent not checked", func() bool { return l.Disposable("shop.co.uk") }, false},
		{"gmail free", func() bool { return l.Free("Gmail.com") }, true},
		{"disposable is not free", func() bool { return l.Free("mailinator.com") }, false},
		{"company not free", func() bool { return l.Free("acme-widgets.com") }, false},
		{"info role", func() bool { _, ok := l.Role("Info"); return ok }, true},
		{"role before +tag", func() bool { _, ok := l.Role("sales+eu"); return ok }, true},
		{"person not role", func() bool { _, ok := l.Role("ali.rezaei"); return ok }, false},
		{"test is a word, not a role", func() bool { _, ok := l.Role("test"); return ok }, false},
		{"email is a word, not a role", func() bool { _, ok := l.Role("email"); return ok }, false},
		{"abc is no role", func() bool { _, ok := l.Role("abc"); return ok }, false},
		{"user is no role", func() bool { _, ok := l.Role("User"); return ok }, false},
		{"a year is no role", func() bool { _, ok := l.Role("2020"); return ok }, false},
		{"support still a role", func() bool { _, ok := l.Role("support"); return ok }, true},
		{"gmx.fr free", func() bool { return l.Free("gmx.fr") }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.check(); got != tt.expect {
				t.Fatalf("got %v, want %v", got, tt.expect)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	l := loadTestLists(t)
	tests := []struct{ domain, want string }{
		{"gmial.com", "gmail.com"},
		{"gmal.com", "gmail.com"},
		{"gnail.com", "gmail.com"},
		{"GMAIL.CON", "gmail.com"},
		{"gmail.cm", "gmail.com"},
		{"yahoo.co", "yahoo.com"},
		{"yahooo.com", "yahoo.com"},
		{"yahoo.ir", "yahoo.com"},
		{"hotmial.com", "hotmail.com"},
		{"hotmail.co", "hotmail.com"},
		{"outlok.com", "outlook.com"},
		{"chmial.ir", "chmail.ir"},
		{"chmail.irr", "chmail.ir"},
		{"mailfa.con", "mailfa.com"},
		{"acme-widgets.con", "acme-widgets.com"},
		{"gnail.con", "gmail.com"}, // the name and the TLD both mistyped
		{"homail.con", "hotmail.com"},
		{"yahooo.cmo", "yahoo.com"},
		{"gmial.ocm", "gmail.com"},
		{"gmx.fr", ""}, // the provider's own country domain
		{"gmail.com", ""},
		{"chmail.ir", ""},
		{"mail.com", ""},    // a real provider one edit from gmail.com
		{"gmx.de", ""},      // a real provider
		{"hotmail.de", ""},  // real: on the free list
		{"acme.co", ""},     // .co is a real TLD
		{"mw.com", ""},      // too short to guess
		{"example.com", ""}, // unrelated
		{"shop.example.cm", ""},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			if got := l.Suggest(tt.domain); got != tt.want {
				t.Fatalf("Suggest(%q) = %q, want %q", tt.domain, got, tt.want)
			}
		})
	}
}

func TestDamerau(t *testing.T) {
	tests := []struct {
		a, b string
		d    int
	}{
		{"gmail.com", "gmail.com", 0},
		{"gmial.com", "gmail.com", 1},
		{"gmal.com", "gmail.com", 1},
		{"gnail.com", "gmail.com", 1},
		{"ca", "abc", 3},
		{"", "abc", 3},
	}
	for _, tt := range tests {
		if got := damerau(tt.a, tt.b); got != tt.d {
			t.Errorf("damerau(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
}

func TestSuggestAddress(t *testing.T) {
	l := loadTestLists(t)
	tests := []struct{ local, domain, want string }{
		{"ali", "gmial.com", "ali@gmail.com"},
		{"ali", "gmail.com", ""},
		// Typed with the Persian keyboard layout active.
		{"شمه", "لپشهم.زخپ", "ali@gmail.com"},
		{"ali", "لپشهم.com", "ali@gmail.com"},
		{"رثئشی", "غشاخخ.زخپ", "vemad@yahoo.com"},
		{"ali", "اخفپشهم.زخپ", "ali@hotmail.com"},
		{"ali", "زاپشهم.هق", "ali@chmail.ir"},
		// Real Persian domains are left alone.
		{"info", "ایران.ir", ""},
		{"علی", "example.ir", ""},
	}
	for _, tt := range tests {
		t.Run(tt.local+"@"+tt.domain, func(t *testing.T) {
			if got := l.SuggestAddress(tt.local, tt.domain); got != tt.want {
				t.Fatalf("SuggestAddress(%q, %q) = %q, want %q", tt.local, tt.domain, got, tt.want)
			}
		})
	}
}

// FuzzSuggest: Suggest never panics, and what it suggests needs no
// suggestion of its own (gnail.con → gmail.com, never a chain).
func FuzzSuggest(f *testing.F) {
	for _, s := range []string{"gnail.con", "homail.con", "yahooo.cmo", "gmx.fr", "gmial.com", "acme.con", "a.b", "", ".", "gmail."} {
		f.Add(s)
	}
	l := loadTestLists(f)
	f.Fuzz(func(t *testing.T, domain string) {
		s := l.Suggest(domain)
		if s == "" {
			return
		}
		if again := l.Suggest(s); again != "" {
			t.Fatalf("Suggest(%q) = %q, whose own suggestion is %q", domain, s, again)
		}
	})
}
