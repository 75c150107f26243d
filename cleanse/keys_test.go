package cleanse

import (
	"strings"
	"testing"
)

func TestMatchKey(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii already folded", "john smith", "john smith"},
		{"ascii upper and punctuation", "  JOHN,   Smith-Jones. ", "john smith jones"},
		{"apostrophe dropped", "O'Brien", "obrien"},
		{"curly apostrophe dropped", "O’Brien", "obrien"},
		{"latin diacritics", "José Müller", "jose muller"},
		{"sharp s", "Straße", "strasse"},
		{"full width", "ＡＢＣ　１２３", "abc 123"},
		{"arabic yeh and kaf", "كريمي", "کریمی"},
		{"alef maksura", "موسى", "موسی"},
		{"teh marbuta", "فاطمة", "فاطمه"},
		{"hamza forms", "أحمد إبراهيم آرش مسئول مؤمن", "احمد ابراهیم ارش مسیول مومن"},
		{"tashkeel removed", "مُحَمَّد", "محمد"},
		{"kashida removed", "محـــمد", "محمد"},
		{"persian digits", "۰۹۱۲۳۴۵۶۷۸۹", "09123456789"},
		{"arabic indic digits", "٠١٢٣٤٥٦٧٨٩", "0123456789"},
		{"zwnj becomes nothing", "محمد\u200cرضا", "محمدرضا"},
		{"bidi marks removed", "\u200fعلی\u200e \u202bرضا\u202c", "علی رضا"},
		{"persian punctuation", "تهران، خیابان؛ آزادی؟", "تهران خیابان ازادی"},
		{"empty", "", ""},
		{"only punctuation", " -- ,, ", ""},
		{"arabic presentation forms", "ﻣﺤﻤﺪ", "محمد"},
		{"turkish dotted capital", "İstanbul", "istanbul"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchKey(tt.in); got != tt.want {
				t.Errorf("MatchKey(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMatchKeyMeets(t *testing.T) {
	// The seed document repeats its title with Arabic and Persian letters.
	pairs := [][2]string{
		{"مديريت كيفيت داده\u200cها", "مدیریت کیفیت دادهها"},
		{"علي", "علی"},
		{"ﺗﻬﺮﺍﻥ", "تهران"},
	}
	for _, p := range pairs {
		if a, b := MatchKey(p[0]), MatchKey(p[1]); a != b {
			t.Errorf("MatchKey(%q) = %q, MatchKey(%q) = %q: want equal", p[0], a, p[1], b)
		}
	}
}

func TestNameKeyMeets(t *testing.T) {
	groups := [][]string{
		{"محمد", "Mohammad", "Mohammed", "Muhammad", "Mohamad", "MOHAMED", "مُحَمَّد"},
		{"حسین", "Hossein", "Hosein", "Husain", "Hussein", "حسين"},
		{"فاطمه", "Fatemeh", "Fatima", "فاطمة", "Fateme"},
		{"رضا", "Reza"},
		{"علی", "Ali", "علي"},
		{"زهرا", "Zahra"},
		{"مریم", "Maryam", "Mariam", "مريم"},
		{"محمد رضا", "محمد\u200cرضا", "محمدرضا", "Mohammad Reza", "Mohammadreza", "Muhammad-Reza"},
		{"علیرضا", "Alireza", "Ali Reza"},
		{"Mahmoud", "Mahmood", "Mahmud", "محمود"},
		{"Nasrin", "Nasreen", "نسرین"},
		{"Matthew", "Mathew"},
		{"حسینی", "Hosseini", "Husseini", "Hoseini", "حسيني"},
		{"احمدی", "Ahmadi"},
		{"رضایی", "Rezaei", "Rezaee", "Rezayi"},
		{"محمدی", "Mohammadi", "Mohamadi"},
		{"حسین\u200cزاده", "Hosseinzadeh", "Hoseinzade"},
		{"علی\u200cپور", "Alipour", "Alipoor"},
		{"کریمی", "Karimi"},
	}
	for _, g := range groups {
		want := NameKey(g[0])
		if want == "" {
			t.Fatalf("NameKey(%q) is empty", g[0])
		}
		for _, s := range g[1:] {
			if got := NameKey(s); got != want {
				t.Errorf("NameKey(%q) = %q, NameKey(%q) = %q: want equal", s, got, g[0], want)
			}
		}
	}
}

func TestNameKeyKeepsApart(t *testing.T) {
	pairs := [][2]string{
		{"Maria", "Mario"},
		{"Ellen", "Allan"},
		{"Ali", "Eli"},
		{"John", "Jon"}, // may be the same person, but the key is not the judge
		{"Hamid", "Hamed"},
		{"Sara", "Zahra"},
		{"Karen", "Koren"},
		{"Dean", "Dan"},
		{"Amin", "Amina"},
		{"حسن", "حسین"},
	}
	for _, p := range pairs {
		if a, b := NameKey(p[0]), NameKey(p[1]); a == b {
			t.Errorf("NameKey(%q) = NameKey(%q) = %q: want different", p[0], p[1], a)
		}
	}
}

func TestNameKeyValues(t *testing.T) {
	tests := []struct{ in, want string }{
		{"محمد", "mohamad"},
		{"Hossein", "hosein"},
		{"فاطمه", "fateme"},
		{"John SMITH", "john smith"},
		{"شهرام", "shahram"},
		{"سهراب", "sehrab"},
		{"ایرج", "irj"},
		{"موسوی", "musvi"},
		{"داوود", "davud"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NameKey(tt.in); got != tt.want {
			t.Errorf("NameKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNameTablesConsistent(t *testing.T) {
	// Each Latin spelling must belong to one name only, or the table would
	// merge two names silently.
	seen := map[string]string{}
	for line := range strings.Lines(persianNamesTxt) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		_, la, ok := strings.Cut(line, ";")
		if !ok {
			continue
		}
		fields := strings.Fields(la)
		canon := latinSpelling(fields[0])
		for _, l := range fields {
			k := latinSpelling(l)
			if c, ok := seen[k]; ok && c != canon {
				t.Errorf("spelling %q (%q) belongs to %q and %q", l, k, c, canon)
			}
			seen[k] = canon
		}
	}
}

func TestNameSkeleton(t *testing.T) {
	meet := [][2]string{
		{"سهراب", "Sohrab"},
		{"موسوی", "Mousavi"},
		{"محمد", "Mohammad"},
		{"بهزاد", "Behzad"},
		{"قاسمی", "Ghasemi"},
		{"Khosravi", "خسروی"},
	}
	for _, p := range meet {
		if a, b := NameSkeleton(p[0]), NameSkeleton(p[1]); a != b {
			t.Errorf("NameSkeleton(%q) = %q, NameSkeleton(%q) = %q: want equal", p[0], a, p[1], b)
		}
	}
	if a, b := NameSkeleton("Smith"), NameSkeleton("Jones"); a == b {
		t.Errorf("Smith and Jones share skeleton %q", a)
	}
	if got := NameSkeleton("Ali"); got != "al" {
		t.Errorf("NameSkeleton(Ali) = %q, want al", got)
	}
}

func TestEmailKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  John.Smith+news@GoogleMail.com ", "johnsmith@gmail.com"},
		{"j.o.h.n@gmail.com", "john@gmail.com"},
		{"Ali+shop@outlook.com", "ali@outlook.com"},
		{"ali+shop@hotmail.co.uk", "ali@hotmail.co.uk"},
		{"reza-promo@yahoo.com", "reza@yahoo.com"},
		{"reza+promo@example.com", "reza+promo@example.com"},
		{"first.last@example.com", "first.last@example.com"},
		{"info@مثال.ایران", "info@xn--mgbh0fb.xn--mgba3a4f16a"},
		{"user@Bücher.de", "user@xn--bcher-kva.de"},
		{"user۱۲@example.com", "user12@example.com"},
		{"not an address", ""},
		{"a@b", ""},
		{"@example.com", ""},
		{"a@@example.com", ""},
		{"a b@example.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := EmailKey(tt.in); got != tt.want {
			t.Errorf("EmailKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPhoneKey(t *testing.T) {
	tests := []struct{ in, region, want string }{
		{"0912 345 6789", "IR", "+989123456789"},
		{"۰۹۱۲۳۴۵۶۷۸۹", "IR", "+989123456789"},
		{"+98 912 345 6789", "US", "+989123456789"},
		{"0098 912 345 6789", "IR", "+989123456789"},
		{"(415) 555-2671", "US", "+14155552671"},
		{"+1 415 555 2671 ext. 12", "", "+14155552671"},
		{"020 7946 0958", "gb", "+442079460958"},
		{"0990 123 4567", "IR", "+989901234567"},
		{"12", "IR", "12"},
		{"no digits", "IR", ""},
		{"", "IR", ""},
	}
	for _, tt := range tests {
		if got := PhoneKey(tt.in, tt.region); got != tt.want {
			t.Errorf("PhoneKey(%q, %q) = %q, want %q", tt.in, tt.region, got, tt.want)
		}
	}
}

func TestCompanyKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"The Acme Company, Inc.", "acme"},
		{"ACME", "acme"},
		{"Acme Incorporated", "acme"},
		{"Siemens AG", "siemens"},
		{"Müller GmbH & Co. KG", "muller"},
		{"Smith & Sons Ltd", "smith sons"},
		{"Smith and Sons Limited", "smith sons"},
		{"Widgets Pty. Ltd.", "widgets"},
		{"شركت ايران خودرو (سهامي عام)", "ایران خودرو"},
		{"شرکت ایران خودرو", "ایران خودرو"},
		{"فولاد مبارکه با مسئولیت محدود", "فولاد مبارکه"},
		{"Inc", "inc"},
		{"UK Trading", "uk trading"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CompanyKey(tt.in); got != tt.want {
			t.Errorf("CompanyKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMatchKeyFoldedASCIIDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { MatchKey("john smith 42") }); n != 0 {
		t.Errorf("MatchKey of a folded ASCII key allocates %v times, want 0", n)
	}
}

func TestKeysConcurrent(t *testing.T) {
	// The tables are built once, on first use, by whichever goroutine gets
	// there first; run with -race.
	done := make(chan string)
	for range 8 {
		go func() {
			done <- NameKey("محمد Hosseini") + CompanyKey("Acme Inc") + EmailKey("a@b.com") + PhoneKey("09123456789", "IR")
		}()
	}
	first := <-done
	for range 7 {
		if got := <-done; got != first {
			t.Errorf("concurrent keys differ: %q vs %q", got, first)
		}
	}
}
