package cleanse

import (
	"slices"
	"testing"
)

func rules(fs []Fix) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
		rules          []string
	}{
		{"ascii unchanged", "John Smith", "John Smith", nil},
		{"ascii spaces", "  John \t Smith ", "John Smith", []string{RuleSpace}},
		{"arabic yeh kaf", "كريمي", "کریمی", []string{RuleArabicLetters}},
		{"teh marbuta kept", "فاطمة", "فاطمة", nil},
		{"hamza kept", "أحمد", "أحمد", nil},
		{"tashkeel", "مُحَمَّد", "محمد", []string{RuleTashkeel}},
		{"kashida", "محـــمد", "محمد", []string{RuleTashkeel}},
		{"persian digits", "پلاک ۱۲", "پلاک 12", []string{RuleDigits}},
		{"arabic indic digits", "٣٤", "34", []string{RuleDigits}},
		{"zwnj between persian letters kept", "می\u200cخواهم", "می\u200cخواهم", nil},
		{"zwnj doubled", "می\u200c\u200cخواهم", "می\u200cخواهم", []string{RuleInvisible}},
		{"zwnj before space dropped", "محمد\u200c رضا", "محمد رضا", []string{RuleInvisible}},
		{"zwnj in latin dropped", "ab\u200ccd", "abcd", []string{RuleInvisible}},
		{"bidi controls", "\u202bعلی\u202c\u200f", "علی", []string{RuleInvisible}},
		{"bom and zwsp", "\ufeffJohn\u200b", "John", []string{RuleInvisible}},
		{"nfc", "Jose\u0301", "José", []string{RuleNFC}},
		{"full width", "ＡＢＣ１２３", "ABC123", []string{RuleDigits, RuleWidth}},
		{"presentation forms", "ﻋﻠﯽ", "علی", []string{RuleArabicLetters}},
		{"unmapped presentation code point", "a\ufdcd", "a\ufdcd", nil},
		{"nbsp", "a\u00a0\u00a0b", "a b", []string{RuleSpace}},
		{"seed title", "مديريت كيفيت داده\u200cها", "مدیریت کیفیت داده\u200cها", []string{RuleArabicLetters}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fs := Text(tt.in)
			if got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !slices.Equal(rules(fs), tt.rules) {
				t.Errorf("Text(%q) rules = %v, want %v", tt.in, rules(fs), tt.rules)
			}
			for _, f := range fs {
				if f.Before == f.After {
					t.Errorf("Text(%q): fix %+v changes nothing", tt.in, f)
				}
			}
		})
	}
}

func TestCaseName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"JOHN SMITH", "John Smith"},
		{"john smith", "John Smith"},
		{"John SMITH", "John Smith"},
		{"o'brien", "O'Brien"},
		{"O'BRIEN", "O'Brien"},
		{"mcdonald", "McDonald"},
		{"MCDONALD", "McDonald"},
		{"mary-anne", "Mary-Anne"},
		{"van der Berg", "van der Berg"},
		{"DeShawn", "DeShawn"},
		{"ludwig van beethoven", "Ludwig van Beethoven"},
		{"Ludwig van Beethoven", "Ludwig van Beethoven"},
		{"JOSÉ ÁLVAREZ", "José Álvarez"},
		{"محمد رضا", "محمد رضا"},
		{"J", "J"},
		{"j. r. r. tolkien", "J. R. R. Tolkien"},
		{"JOHN SMITH III", "John Smith III"},
		{"d'angelo", "D'Angelo"},
		{"JEAN-LUC PICARD", "Jean-Luc Picard"},
		{"DE LA CRUZ", "De la Cruz"},
	}
	for _, tt := range tests {
		if got := CaseName(tt.in); got != tt.want {
			t.Errorf("CaseName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPersonName(t *testing.T) {
	tests := []struct{ in, name, title, suffix string }{
		{"Dr. John", "John", "Dr", ""},
		{"Dr.John", "John", "Dr", ""},
		{"Mr & Mrs Smith", "Smith", "Mr Mrs", ""},
		{"MR JOHN", "John", "Mr", ""},
		{"Mrs Smith", "Smith", "Mrs", ""},
		{"Prof Dr Müller", "Müller", "Prof Dr", ""},
		{"Sir Elton", "Elton", "Sir", ""},
		{"آقای رضایی", "رضایی", "آقای", ""},
		{"خانم احمدی", "احمدی", "خانم", ""},
		{"جناب آقای دکتر محمدی", "محمدی", "جناب آقای دکتر", ""},
		{"مهندس علوی", "علوی", "مهندس", ""},
		{"سرکار خانم زهرا", "زهرا", "سرکار خانم", ""},
		{"سید علی", "سید علی", "", ""},
		{"King", "King", "", ""},
		{"Hon Wai", "Hon Wai", "", ""},
		{"R H Tawney", "R H Tawney", "", ""},
		{"Eng Hock", "Eng Hock", "", ""},
		{"Bishop Tutu", "Bishop Tutu", "", ""},
		{"Santa", "Santa", "", ""},
		{"Dr", "Dr", "", ""},
		{"Smith Jr.", "Smith", "", "Jr"},
		{"martin luther king jr", "Martin Luther King", "", "Jr"},
	}
	for _, tt := range tests {
		name, title, suffix, _ := PersonName(tt.in)
		if name != tt.name || title != tt.title || suffix != tt.suffix {
			t.Errorf("PersonName(%q) = %q, %q, %q; want %q, %q, %q", tt.in, name, title, suffix, tt.name, tt.title, tt.suffix)
		}
	}
}

func TestSplitFullName(t *testing.T) {
	tests := []struct{ in, first, last string }{
		{"John Smith", "John", "Smith"},
		{"Mary Anne Smith", "Mary Anne", "Smith"},
		{"Smith, John", "John", "Smith"},
		{"Ludwig van Beethoven", "Ludwig", "van Beethoven"},
		{"Vincent van der Berg", "Vincent", "van der Berg"},
		{"محمد رضا احمدی", "محمد رضا", "احمدی"},
		{"محمد\u200cرضا احمدی", "محمد\u200cرضا", "احمدی"},
		{"علی حسین زاده", "علی", "حسین زاده"},
		{"Madonna", "Madonna", ""},
	}
	for _, tt := range tests {
		f, l := SplitFullName(tt.in)
		if f != tt.first || l != tt.last {
			t.Errorf("SplitFullName(%q) = %q, %q; want %q, %q", tt.in, f, l, tt.first, tt.last)
		}
	}
}

func TestCompany(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme incorporated", "Acme Inc"},
		{"Acme, Inc.", "Acme Inc"},
		{"Acme Inc", "Acme Inc"},
		{"Acme L.L.C.", "Acme LLC"},
		{"Widgets Pty. Ltd.", "Widgets Pty Ltd"},
		{"Müller G.m.b.H.", "Müller GmbH"},
		{"Müller Gesellschaft mit beschränkter Haftung", "Müller GmbH"},
		{"Bank of America Corporation", "Bank of America Corp"},
		{"Acme Limited", "Acme Ltd"},
		{"Acme & Co.", "Acme & Co"},
		{"Smith and Company", "Smith & Co"},
		{"Acme", "Acme"},
		{"Limited", "Limited"},
		{"شركت ايران خودرو (سهامي عام)", "شرکت ایران خودرو (سهامی عام)"},
		{"شرکت فولاد مسئولیت محدود", "شرکت فولاد با مسئولیت محدود"},
		{"apple", "apple"},
	}
	for _, tt := range tests {
		if got, _ := Company(tt.in); got != tt.want {
			t.Errorf("Company(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPhone(t *testing.T) {
	tests := []struct {
		name, in, region, want, typ string
		rules                       []string
	}{
		{"iran mobile", "0912 345 6789", "IR", "+989123456789", "mobile", []string{RulePhoneE164}},
		{"persian digits", "۰۹۱۲۳۴۵۶۷۸۹", "IR", "+989123456789", "mobile", []string{RulePhoneE164}},
		{"0098 prefix", "0098 912 345 6789", "IR", "+989123456789", "mobile", []string{RulePhoneE164}},
		{"plus 98 with other default", "+98 912 345 6789", "DE", "+989123456789", "mobile", []string{RulePhoneE164}},
		{"tehran fixed line", "021 8888 1234", "IR", "+982188881234", "fixed_line", []string{RulePhoneE164}},
		{"new iranian mobile range", "0999 123 4567", "IR", "+989991234567", "mobile", []string{RulePhoneE164}},
		{"us with extension", "(415) 555-2671 ext. 12", "US", "+14155552671;ext=12", "fixed_line_or_mobile", []string{RulePhoneE164}},
		{"already e164", "+14155552671", "US", "+14155552671", "fixed_line_or_mobile", nil},
		{"e164 with extension", "+14155552671;ext=12", "US", "+14155552671;ext=12", "fixed_line_or_mobile", nil},
		{"uk", "020 7946 0958", "GB", "+442079460958", "fixed_line", []string{RulePhoneE164}},
		{"wrong default region kept", "0912 345 6789", "US", "0912 345 6789", "", []string{RulePhoneInvalid}},
		{"too short kept", "12345", "IR", "12345", "", []string{RulePhoneInvalid}},
		{"not a number", "n/a", "IR", "n/a", "", []string{RulePhoneUnparsable}},
		{"empty", "", "IR", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, info, fs := Phone(tt.in, tt.region)
			if got != tt.want || info.Type != tt.typ {
				t.Errorf("Phone(%q, %q) = %q type %q, want %q type %q", tt.in, tt.region, got, info.Type, tt.want, tt.typ)
			}
			if !slices.Equal(rules(fs), tt.rules) {
				t.Errorf("Phone(%q) rules = %v, want %v", tt.in, rules(fs), tt.rules)
			}
		})
	}
}

func TestCountryCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Iran", "IR"}, {"ایران", "IR"}, {"ايران", "IR"}, {"IRN", "IR"}, {"ir", "IR"}, {"Persia", "IR"},
		{"Deutschland", "DE"}, {"Germany", "DE"}, {"آلمان", "DE"},
		{"USA", "US"}, {"United States", "US"}, {"U.S.A.", "US"}, {"united states of america", "US"}, {"آمریکا", "US"},
		{"UK", "GB"}, {"Great Britain", "GB"}, {"Great Britain & Northern Ireland", "GB"}, {"England", "GB"}, {"United Kingdom", "GB"},
		{"Australia", "AU"}, {"استرالیا", "AU"}, {"Aust.", "AU"},
		{"Côte d'Ivoire", "CI"}, {"Cote dIvoire", "CI"}, {"Ivory Coast", "CI"},
		{"Bosnia and Herzegovina", "BA"}, {"Bosnia & Herzegovina", "BA"},
		{"Türkiye", "TR"}, {"Turkey", "TR"}, {"ترکیه", "TR"},
		{"日本", "JP"}, {"Россия", "RU"}, {"Schweiz", "CH"}, {"España", "ES"},
		{"Congo", "CG"}, {"DR Congo", "CD"},
		{"Atlantis", "Atlantis"},
	}
	for _, tt := range tests {
		if got, _ := CountryCode(tt.in); got != tt.want {
			t.Errorf("CountryCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if _, fs := CountryCode("Atlantis"); !slices.Equal(rules(fs), []string{RuleCountryUnknown}) {
		t.Errorf("CountryCode(Atlantis) rules = %v, want the unknown flag", rules(fs))
	}
	n := 0
	for range loadCountries().byAlpha2 {
		n++
	}
	if n < 245 {
		t.Errorf("country table has %d countries, want all of ISO 3166-1", n)
	}
}

func TestPostalCode(t *testing.T) {
	tests := []struct{ in, country, want, rule string }{
		{"sw1a1aa", "GB", "SW1A 1AA", RulePostalFormat},
		{"SW1A 1AA", "GB", "SW1A 1AA", ""},
		{"m25bq", "GB", "M2 5BQ", RulePostalFormat},
		{"ec1y8sy", "GB", "EC1Y 8SY", RulePostalFormat},
		{"95014", "US", "95014", ""},
		{"950141234", "US", "95014-1234", RulePostalFormat},
		{"95014 1234", "US", "95014-1234", RulePostalFormat},
		{"9501", "US", "09501", RulePostalLeadingZero},
		{"2134", "US", "02134", RulePostalLeadingZero},
		{"2134", "us", "02134", RulePostalLeadingZero},
		{"2134-1234", "US", "02134-1234", RulePostalLeadingZero},
		{"21341234", "US", "02134-1234", RulePostalLeadingZero},
		{"601", "US", "601", RulePostalInvalid},
		{"213a", "US", "213a", RulePostalInvalid},
		{"2134", "AU", "2134", ""},
		{"2134", "GB", "2134", RulePostalInvalid},
		{"11936-12345", "IR", "1193612345", RulePostalFormat},
		{"۱۱۹۳۶۱۲۳۴۵", "IR", "1193612345", RuleDigits},
		{"12345", "IR", "12345", RulePostalInvalid},
		{"1234ab", "NL", "1234 AB", RulePostalFormat},
		{"10115", "DE", "10115", ""},
		{"k1a0b1", "CA", "K1A 0B1", RulePostalFormat},
		{"anything", "AE", "anything", ""},
	}
	for _, tt := range tests {
		got, fs := PostalCode(tt.in, tt.country)
		if got != tt.want {
			t.Errorf("PostalCode(%q, %s) = %q, want %q", tt.in, tt.country, got, tt.want)
		}
		if tt.rule != "" && !slices.Contains(rules(fs), tt.rule) {
			t.Errorf("PostalCode(%q, %s) rules = %v, want %s", tt.in, tt.country, rules(fs), tt.rule)
		}
		if tt.rule == "" && len(fs) != 0 {
			t.Errorf("PostalCode(%q, %s) rules = %v, want none", tt.in, tt.country, rules(fs))
		}
	}
}

func TestRegion(t *testing.T) {
	tests := []struct{ in, country, want string }{
		{"California", "US", "CA"},
		{"california", "US", "CA"},
		{"CA", "US", "CA"},
		{"District of Columbia", "US", "DC"},
		{"New York State", "US", "NY"},
		{"استان تهران", "IR", "تهران"},
		{"تهران", "IR", "تهران"},
		{"Tehran", "IR", "تهران"},
		{"Tehran Province", "IR", "تهران"},
		{"Isfahan", "IR", "اصفهان"},
		{"اصفهان", "IR", "اصفهان"},
		{"East Azerbaijan", "IR", "آذربایجان شرقی"},
		{"آذربايجان شرقي", "IR", "آذربایجان شرقی"},
		{"IR-23", "IR", "تهران"},
		{"Esfahan", "IR", "اصفهان"},
		{"Ostan-e Esfahan", "IR", "اصفهان"},
		{"Khuzistan", "IR", "خوزستان"},
		{"Kordestan", "IR", "کردستان"},
		{"Mazandaran", "IR", "مازندران"},
		{"Somewhere", "US", "Somewhere"},
		{"Ohi", "US", "Ohi"},
		{"Bavaria", "FR", "Bavaria"},
	}
	for _, tt := range tests {
		if got, _ := Region(tt.in, tt.country); got != tt.want {
			t.Errorf("Region(%q, %s) = %q, want %q", tt.in, tt.country, got, tt.want)
		}
	}
	if c, ok := USState("california"); !ok || c != "CA" {
		t.Errorf("USState(california) = %q, %v", c, ok)
	}
}

func TestStreetLine(t *testing.T) {
	tests := []struct{ in, country, want string }{
		{"123 North Main Street Apartment 4", "US", "123 N MAIN ST APT 4"},
		{"123 n. main st., apt. 4", "US", "123 N MAIN ST APT 4"},
		{"1600 Pennsylvania Avenue NW", "US", "1600 PENNSYLVANIA AVE NW"},
		{"500 South West Boulevard Suite 200", "US", "500 S WEST BLVD STE 200"},
		{"42 Park Avenue # 5", "US", "42 PARK AVE # 5"},
		{"100 North Front Street", "US", "100 N FRONT ST"},
		{"100 Front Street Rear", "US", "100 FRONT ST REAR"},
		{"77 Lower Road Building C", "US", "77 LOWER RD BLDG C"},
		{"123 Street", "US", "123 STREET"},
		{"10 Downing Street", "GB", "10 Downing Street"},
		{"خ آزادی، ک ۵، پ ۱۲", "IR", "خیابان آزادی، کوچه 5، پلاک 12"},
		{"خ.آزادی پلاک۱۲ ط ۳ واحد ۴", "IR", "خیابان آزادی پلاک 12 طبقه 3 واحد 4"},
		{"بل کشاورز م ولیعصر", "IR", "بلوار کشاورز میدان ولیعصر"},
		{"خيابان آزادي", "IR", "خیابان آزادی"},
	}
	for _, tt := range tests {
		if got, _ := StreetLine(tt.in, tt.country); got != tt.want {
			t.Errorf("StreetLine(%q, %s) = %q, want %q", tt.in, tt.country, got, tt.want)
		}
	}
}

func TestEmail(t *testing.T) {
	tests := []struct{ in, want, rule string }{
		{"  John.Smith@Example.COM ", "John.Smith@example.com", RuleEmailDomain},
		{"Ali@Bücher.DE", "Ali@xn--bcher-kva.de", RuleEmailDomain},
		{"info@مثال.ایران", "info@xn--mgbh0fb.xn--mgba3a4f16a", RuleEmailDomain},
		{"<a@b.com>", "a@b.com", RuleEmailTrim},
		{"mailto:a@b.com", "a@b.com", RuleEmailTrim},
		{"a@b.com", "a@b.com", ""},
		{"not an address", "not an address", RuleEmailInvalid},
		{"\u200ba@b.com", "a@b.com", RuleEmailTrim},
		{"John Doe <john@gmail.com>", "john@gmail.com", RuleEmailDisplayName},
		{`"Doe, John" <john@Gmail.com>`, "john@gmail.com", RuleEmailDisplayName},
		{"Doe, John <john@gmail.com>", "john@gmail.com", RuleEmailDisplayName},
		{" mailto:John Doe <john@gmail.com> ", "john@gmail.com", RuleEmailDisplayName},
		{"John Doe <john doe@gmail.com>", "John Doe <john doe@gmail.com>", RuleEmailInvalid},
		{"John Doe <>", "John Doe <>", RuleEmailInvalid},
	}
	for _, tt := range tests {
		got, fs := Email(tt.in)
		if got != tt.want {
			t.Errorf("Email(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.rule != "" && !slices.Contains(rules(fs), tt.rule) {
			t.Errorf("Email(%q) rules = %v, want %s", tt.in, rules(fs), tt.rule)
		}
		if tt.rule == "" && len(fs) != 0 {
			t.Errorf("Email(%q) rules = %v, want none", tt.in, rules(fs))
		}
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		in    string
		order DateOrder
		want  string
		rule  string
	}{
		{"19800312", DateOrderReject, "1980-03-12", RuleDateISO},
		{"1980-3-12", DateOrderReject, "1980-03-12", RuleDateISO},
		{"1980/03/12", DateOrderReject, "1980-03-12", RuleDateISO},
		{"1980-03-12", DateOrderReject, "1980-03-12", ""},
		{"1980-03-12T00:00:00Z", DateOrderReject, "1980-03-12", RuleDateISO},
		{"12 March 1980", DateOrderReject, "1980-03-12", RuleDateISO},
		{"March 12, 1980", DateOrderReject, "1980-03-12", RuleDateISO},
		{"12-Mar-1980", DateOrderReject, "1980-03-12", RuleDateISO},
		{"12th March 1980", DateOrderReject, "1980-03-12", RuleDateISO},
		{"۱۹۸۰/۰۳/۱۲", DateOrderReject, "1980-03-12", RuleDateISO},
		{"25/12/1980", DateOrderReject, "1980-12-25", RuleDateISO},
		{"12/25/1980", DateOrderReject, "1980-12-25", RuleDateISO},
		{"03/04/1980", DateOrderReject, "03/04/1980", RuleDateAmbiguous},
		{"03/04/1980", DateOrderDMY, "1980-04-03", RuleDateISO},
		{"03/04/1980", DateOrderMDY, "1980-03-04", RuleDateISO},
		{"1360/05/12", DateOrderReject, "1981-08-03", RuleDateJalali},
		{"۱۳۶۰/۰۵/۱۲", DateOrderReject, "1981-08-03", RuleDateJalali},
		{"۱۲ مرداد ۱۳۶۰", DateOrderReject, "1981-08-03", RuleDateJalali},
		{"1399/12/30", DateOrderReject, "2021-03-20", RuleDateJalali},
		{"1398/12/30", DateOrderReject, "1398/12/30", RuleDateInvalid},
		{"1403/01/01", DateOrderReject, "2024-03-20", RuleDateJalali},
		{"1980-02-30", DateOrderReject, "1980-02-30", RuleDateInvalid},
		{"12/03/80", DateOrderDMY, "12/03/80", RuleDateInvalid},
		{"yesterday", DateOrderReject, "yesterday", RuleDateInvalid},
	}
	for _, tt := range tests {
		got, fs := Date(tt.in, tt.order)
		if got != tt.want {
			t.Errorf("Date(%q, %v) = %q, want %q", tt.in, tt.order, got, tt.want)
		}
		if tt.rule != "" && !slices.Contains(rules(fs), tt.rule) {
			t.Errorf("Date(%q, %v) rules = %v, want %s", tt.in, tt.order, rules(fs), tt.rule)
		}
		if tt.rule == "" && len(fs) != 0 {
			t.Errorf("Date(%q) rules = %v, want none", tt.in, rules(fs))
		}
	}
}

func TestJalaliToGregorian(t *testing.T) {
	tests := []struct{ jy, jm, jd, gy, gm, gd int }{
		{1, 1, 1, 622, 3, 22},
		{1360, 5, 12, 1981, 8, 3},
		{1357, 11, 22, 1979, 2, 11},
		{1403, 1, 1, 2024, 3, 20},
		{1404, 1, 1, 2025, 3, 21},
		{1375, 12, 30, 1997, 3, 20},
	}
	for _, tt := range tests {
		gy, gm, gd, ok := JalaliToGregorian(tt.jy, tt.jm, tt.jd)
		if !ok || gy != tt.gy || gm != tt.gm || gd != tt.gd {
			t.Errorf("JalaliToGregorian(%d, %d, %d) = %d-%d-%d %v, want %d-%d-%d", tt.jy, tt.jm, tt.jd, gy, gm, gd, ok, tt.gy, tt.gm, tt.gd)
		}
	}
}
