package cleanse

import "testing"

var keySeeds = []string{
	"", "John SMITH", "O'Brien", "José Müller", "Straße", "ＡＢＣ　１２３", "كريمي", "مُحَمَّد",
	"محمد\u200cرضا", "\u200fعلی\u200e", "۰۹۱۲۳۴۵۶۷۸۹", "ﻣﺤﻤﺪ", "İstanbul", "Mohammadreza",
	"The Acme Company, Inc.", "شركت ايران خودرو (سهامي عام)", "john.smith+x@GoogleMail.com",
	"info@مثال.ایران", "+98 912 345 6789", "sssheee ooouu eeh", "ǅ ǈ ᾈ ﬀ",
}

// fuzzIdempotent checks that key never panics and is a fixed point.
func fuzzIdempotent(f *testing.F, name string, key func(string) string) {
	for _, s := range keySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := key(s)
		if k2 := key(k); k2 != k {
			t.Fatalf("%s not idempotent: %q → %q → %q", name, s, k, k2)
		}
	})
}

func FuzzMatchKey(f *testing.F)     { fuzzIdempotent(f, "MatchKey", MatchKey) }
func FuzzNameKey(f *testing.F)      { fuzzIdempotent(f, "NameKey", NameKey) }
func FuzzNameSkeleton(f *testing.F) { fuzzIdempotent(f, "NameSkeleton", NameSkeleton) }
func FuzzEmailKey(f *testing.F)     { fuzzIdempotent(f, "EmailKey", EmailKey) }
func FuzzCompanyKey(f *testing.F)   { fuzzIdempotent(f, "CompanyKey", CompanyKey) }
func FuzzPhoneKey(f *testing.F) {
	fuzzIdempotent(f, "PhoneKey", func(s string) string { return PhoneKey(s, "IR") })
}
