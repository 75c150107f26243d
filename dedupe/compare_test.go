package dedupe

import (
	"testing"

	"github.com/steward-crm/steward"
)

func levelName(c int, p pattern) string {
	return comparisonSpecs()[c].levels[p.level(c)]
}

func TestCompareLevels(t *testing.T) {
	tests := []struct {
		name  string
		a, b  steward.Record
		field int
		want  string
	}{
		{"exact first name", steward.Record{FirstName: "Robert"}, steward.Record{FirstName: "ROBERT"}, cmpFirstName, "exact"},
		{"nickname", steward.Record{FirstName: "Bob"}, steward.Record{FirstName: "Robert"}, cmpFirstName, "nickname"},
		{"nickname with a doubled letter", steward.Record{FirstName: "Jimmy"}, steward.Record{FirstName: "James"}, cmpFirstName, "nickname"},
		{"nickname ending in y", steward.Record{FirstName: "Betty"}, steward.Record{FirstName: "Elizabeth"}, cmpFirstName, "nickname"},
		{"first name typo", steward.Record{FirstName: "Catherine"}, steward.Record{FirstName: "Catherina"}, cmpFirstName, "close"},
		{"initial", steward.Record{FirstName: "J"}, steward.Record{FirstName: "John"}, cmpFirstName, "prefix"},
		{"first name missing", steward.Record{FirstName: ""}, steward.Record{FirstName: "John"}, cmpFirstName, "missing"},
		{"different first names", steward.Record{FirstName: "Alice"}, steward.Record{FirstName: "Zoran"}, cmpFirstName, "different"},
		{"swapped names", steward.Record{FirstName: "Moore", LastName: "Oscar"}, steward.Record{FirstName: "Oscar", LastName: "Moore"}, cmpFirstName, "swapped"},
		{"a swap counts once", steward.Record{FirstName: "Moore", LastName: "Oscar"}, steward.Record{FirstName: "Oscar", LastName: "Moore"}, cmpLastName, "missing"},
		{"swap with a typo", steward.Record{FirstName: "Sctot", LastName: "Caleb"}, steward.Record{FirstName: "Caleb", LastName: "Scott"}, cmpFirstName, "swapped"},
		{"a given name and the family name made of it are no swap", steward.Record{FirstName: "رضا", LastName: "حسینی"}, steward.Record{FirstName: "حسین", LastName: "رضایی"}, cmpFirstName, "different"},
		{"latin: reza hosseini and hossein rezaei", steward.Record{FirstName: "Reza", LastName: "Hosseini"}, steward.Record{FirstName: "Hossein", LastName: "Rezaei"}, cmpLastName, "different"},
		{"first name as the other's last, own last missing", steward.Record{FirstName: "Caleb"}, steward.Record{FirstName: "Scott", LastName: "Caleb"}, cmpFirstName, "missing"},
		{"last name as the other's first, own first missing", steward.Record{LastName: "Scott"}, steward.Record{FirstName: "Scott", LastName: "Caleb"}, cmpLastName, "missing"},
		{"title in the first-name field", steward.Record{FirstName: "Sir", LastName: "Nicholson"}, steward.Record{FirstName: "Harold", LastName: "Nicholson"}, cmpFirstName, "missing"},
		{"initial glued to the family name", steward.Record{FirstName: "h.nicholson"}, steward.Record{FirstName: "Harold", LastName: "Nicholson"}, cmpLastName, "exact"},
		{"seyyed left out", steward.Record{FirstName: "سید علی"}, steward.Record{FirstName: "علی"}, cmpFirstName, "exact"},
		{"persian and latin, vowels unwritten", steward.Record{LastName: "طاهری"}, steward.Record{LastName: "Taheri"}, cmpLastName, "transliterated"},
		{"persian initial of a name with a vowel first", steward.Record{FirstName: "ع."}, steward.Record{FirstName: "عیسی"}, cmpFirstName, "prefix"},
		{"latin initial is no skeleton's prefix", steward.Record{FirstName: "A."}, steward.Record{FirstName: "Ethan"}, cmpFirstName, "different"},
		{"persian typo of a common name", steward.Record{FirstName: "مصطفی"}, steward.Record{FirstName: "مصفطی"}, cmpFirstName, "phonetic"},
		{"persian letter replaced in a common name", steward.Record{FirstName: "سمانه"}, steward.Record{FirstName: "سمشنه"}, cmpFirstName, "phonetic"},
		{"two persian names a consonant apart", steward.Record{FirstName: "بهنام"}, steward.Record{FirstName: "بهرام"}, cmpFirstName, "different"},
		{"persian and latin first names by skeleton", steward.Record{FirstName: "بهنام"}, steward.Record{FirstName: "Behnam"}, cmpFirstName, "transliterated"},
		{"one script, same skeleton is phonetic", steward.Record{FirstName: "Maria"}, steward.Record{FirstName: "Moore"}, cmpFirstName, "phonetic"},
		{"persian and latin first name", steward.Record{FirstName: "محمد"}, steward.Record{FirstName: "Mohammad"}, cmpFirstName, "exact"},
		{"arabic and persian letters", steward.Record{LastName: "كريمي"}, steward.Record{LastName: "کریمی"}, cmpLastName, "exact"},
		{"last name typo", steward.Record{LastName: "Harrington"}, steward.Record{LastName: "Harringten"}, cmpLastName, "close"},
		{"date exact across formats", steward.Record{BirthDate: "19710624"}, steward.Record{BirthDate: "1971-06-24"}, cmpBirthDate, "exact"},
		{"date persian digits", steward.Record{BirthDate: "۱۳۶۲/۰۵/۱۲"}, steward.Record{BirthDate: "1362-05-12"}, cmpBirthDate, "exact"},
		{"date transposed digits", steward.Record{BirthDate: "1971-06-24"}, steward.Record{BirthDate: "1971-06-42"}, cmpBirthDate, "transposed_digits"},
		{"date one digit", steward.Record{BirthDate: "1971-06-24"}, steward.Record{BirthDate: "1971-06-25"}, cmpBirthDate, "one_digit"},
		{"date day and month swapped", steward.Record{BirthDate: "1971-06-04"}, steward.Record{BirthDate: "1971-04-06"}, cmpBirthDate, "day_month_swapped"},
		{"date same year", steward.Record{BirthDate: "1971-06-24"}, steward.Record{BirthDate: "1971-11-02"}, cmpBirthDate, "same_year"},
		{"date different", steward.Record{BirthDate: "1971-06-24"}, steward.Record{BirthDate: "1978-11-02"}, cmpBirthDate, "different"},
		{"dates a generation apart", steward.Record{BirthDate: "1951-06-24"}, steward.Record{BirthDate: "1985-11-02"}, cmpBirthDate, "years_apart"},
		{"a decade typo is one digit", steward.Record{BirthDate: "1951-06-24"}, steward.Record{BirthDate: "1981-06-24"}, cmpBirthDate, "one_digit"},
		{"gmail dots", steward.Record{Email: "j.smith@gmail.com"}, steward.Record{Email: "JSmith@gmail.com"}, cmpEmail, "exact"},
		{"one mailbox, one family name, two first names, one home", steward.Record{FirstName: "Alice", LastName: "Moore", Email: "moores@example.com", AddressLine1: "12 Tullaroop St", PostalCode: "4011"}, steward.Record{FirstName: "Zoran", LastName: "Moore", Email: "moores@example.com", AddressLine1: "12 Tullaroop St", PostalCode: "4011"}, cmpEmail, "exact_other_first_name"},
		{"one family name at one address and phone", steward.Record{FirstName: "Alice", LastName: "Ashcroft", AddressLine1: "12 Tullaroop St", PostalCode: "4011", Phone: "02 9798 5038", Country: "AU"}, steward.Record{FirstName: "Zoran", LastName: "Ashcroft", AddressLine1: "12 Tullaroop St", PostalCode: "4011", Phone: "02 9798 5038", Country: "AU"}, cmpLastName, "exact_household"},
		{"one family name, one phone, two addresses", steward.Record{FirstName: "Alice", LastName: "Ashcroft", AddressLine1: "12 Tullaroop St", PostalCode: "4011", Phone: "0412 345 678", Country: "AU"}, steward.Record{FirstName: "Alice", LastName: "Ashcroft", AddressLine1: "9 Side Lane", PostalCode: "6000", Phone: "+61 412 345 678", Country: "AU"}, cmpLastName, "exact_household"},
		{"one family name, one town", steward.Record{FirstName: "Alice", LastName: "Ashcroft", City: "Perth", Country: "AU"}, steward.Record{FirstName: "Zoran", LastName: "Ashcroft", City: "Perth", Country: "AU"}, cmpLastName, "exact"},
		{"one mailbox, one family name, two first names, no address", steward.Record{FirstName: "Alice", LastName: "Moore", Email: "moores@example.com"}, steward.Record{FirstName: "Zoran", LastName: "Moore", Email: "moores@example.com"}, cmpEmail, "exact_other_first_name"},
		{"one mailbox, one family name, two first names, two towns", steward.Record{FirstName: "Alice", LastName: "Moore", Email: "moores@example.com", City: "Perth", Region: "WA", Country: "AU"}, steward.Record{FirstName: "Zoran", LastName: "Moore", Email: "moores@example.com", City: "Sydney", Region: "NSW", Country: "AU"}, cmpEmail, "exact"},
		{"one mailbox, first name typo", steward.Record{FirstName: "Catherine", LastName: "Moore", Email: "cm71@example.com"}, steward.Record{FirstName: "Catherina", LastName: "Moore", Email: "cm71@example.com"}, cmpEmail, "exact"},
		{"one mailbox, other family names", steward.Record{FirstName: "Alice", LastName: "Moore", Email: "ab@example.com"}, steward.Record{FirstName: "Zoran", LastName: "Harrington", Email: "ab@example.com"}, cmpEmail, "exact"},
		{"an address of the first name, no last name on one side", steward.Record{FirstName: "John", Email: "john85@gmail.com"}, steward.Record{FirstName: "John", LastName: "Smith", Email: "john85@gmail.com"}, cmpEmail, "exact_spells_names"},
		{"an address of the first name, other last names", steward.Record{FirstName: "John", LastName: "Smith", Email: "john85@gmail.com"}, steward.Record{FirstName: "John", LastName: "Jones", Email: "john85@gmail.com"}, cmpEmail, "exact_spells_names"},
		{"an address of the first name, mistyped", steward.Record{FirstName: "John", Email: "john85@gmail.com"}, steward.Record{FirstName: "John", LastName: "Smith", Email: "john58@gmail.com"}, cmpEmail, "near_spells_names"},
		{"an address that spells one record's last name", steward.Record{FirstName: "Mary", LastName: "Smith", Email: "mary.smith@example.com"}, steward.Record{FirstName: "Mary", LastName: "Jones", Email: "mary.smith@example.com"}, cmpEmail, "exact"},
		{"an address that spells the last name one record lacks", steward.Record{FirstName: "John", Email: "john.smith@example.com"}, steward.Record{FirstName: "John", LastName: "Smith", Email: "john.smith@example.com"}, cmpEmail, "exact"},
		{"email other domain", steward.Record{Email: "jsmith@gmail.com"}, steward.Record{Email: "jsmith@yahoo.com"}, cmpEmail, "same_local_part"},
		{"email typo", steward.Record{Email: "roberta25@smith.net"}, steward.Record{Email: "robert255@smith.net"}, cmpEmail, "two_edits"},
		{"phone formats", steward.Record{Phone: "+98 912 123 4567", Country: "IR"}, steward.Record{Phone: "09121234567", Country: "IR"}, cmpContact, "phone"},
		{"household", steward.Record{AddressLine1: "12 Tullaroop St.", PostalCode: "4011", Phone: "02 9798 5038", Country: "AU"}, steward.Record{AddressLine1: "12 tullaroop st", PostalCode: "4011", Phone: "(02) 9798 5038", Country: "AU"}, cmpContact, "address_and_phone"},
		{"moved", steward.Record{AddressLine1: "1 Main Rd", City: "Perth", Region: "WA", Phone: "0412 345 678", Country: "AU"}, steward.Record{AddressLine1: "9 Side Lane", City: "Sydney", Region: "NSW", Phone: "+61 412 345 678", Country: "AU"}, cmpContact, "phone_other_address"},
		{"same address", steward.Record{AddressLine1: "12 Tullaroop St.", PostalCode: "4011"}, steward.Record{AddressLine1: "12 tullaroop st", PostalCode: "4011"}, cmpContact, "address"},
		{"street typo same number", steward.Record{AddressLine1: "12 Tullaroop Street", City: "Perth"}, steward.Record{AddressLine1: "12 Tulaaroop Street", City: "Perth"}, cmpContact, "address"},
		{"street other number", steward.Record{AddressLine1: "12 Tullaroop Street", PostalCode: "4011"}, steward.Record{AddressLine1: "14 Tullaroop Street", PostalCode: "4011"}, cmpContact, "same_street"},
		{"same postal code", steward.Record{AddressLine1: "1 Main Road", PostalCode: "4011"}, steward.Record{AddressLine1: "9 Side Lane", PostalCode: "4011"}, cmpContact, "same_postal_code"},
		{"postal one edit is the same city", steward.Record{PostalCode: "4011"}, steward.Record{PostalCode: "4012"}, cmpContact, "same_city"},
		{"same region", steward.Record{City: "Perth", Region: "WA"}, steward.Record{City: "Broome", Region: "WA"}, cmpContact, "same_region"},
		{"different places", steward.Record{City: "Perth", Region: "WA"}, steward.Record{City: "Sydney", Region: "NSW"}, cmpContact, "different"},
		{"a city against a full address in it", steward.Record{City: "Perth", Country: "AU"}, steward.Record{AddressLine1: "1 Main Rd", City: "Perth", PostalCode: "6000", Country: "AU"}, cmpContact, "city"},
		{"a city against another street in it", steward.Record{AddressLine1: "9 Side Lane", City: "Perth"}, steward.Record{AddressLine1: "1 Main Rd", City: "Perth"}, cmpContact, "same_city"},
		{"city against country only is missing", steward.Record{City: "Perth", PostalCode: "6000", Country: "AU"}, steward.Record{Country: "Australia"}, cmpContact, "missing"},
		{"street against postal code only is missing", steward.Record{AddressLine1: "1 Main Rd", Country: "AU"}, steward.Record{PostalCode: "6000", Country: "AU"}, cmpContact, "missing"},
		{"city against another country differs", steward.Record{City: "Perth", Country: "AU"}, steward.Record{Country: "GB"}, cmpContact, "different"},
		{"country spellings agree", steward.Record{City: "Perth", Region: "WA", Country: "Aust."}, steward.Record{City: "Broome", Region: "WA", Country: "AU"}, cmpContact, "same_region"},
		{"region spellings agree", steward.Record{City: "Sydney", Region: "New South Wales", Country: "AU"}, steward.Record{City: "Newcastle", Region: "NSW", Country: "AU"}, cmpContact, "same_region"},
		{"phones differ, no address", steward.Record{Phone: "0412 345 678"}, steward.Record{Phone: "0499 999 999"}, cmpContact, "other_phone"},
		{"company legal form", steward.Record{Company: "Acme Inc."}, steward.Record{Company: "ACME"}, cmpCompany, "exact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := prepare(&tt.a), prepare(&tt.b)
			p := compare(&a, &b)
			if got := levelName(tt.field, p); got != tt.want {
				t.Errorf("%s level = %q, want %q", comparisonSpecs()[tt.field].field, got, tt.want)
			}
			if q := compare(&b, &a); q != p {
				t.Errorf("compare is not symmetric: %x vs %x", p, q)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want date
	}{
		{"19710624", date{1971, 6, 24}},
		{"1971-06-24", date{1971, 6, 24}},
		{"24/06/1971", date{1971, 6, 24}},
		{"06/24/1971", date{1971, 6, 24}},
		{"", date{}},
		{"1971", date{}},
		{"1 2 3 4", date{}},
	}
	for _, tt := range tests {
		if got := parseDate(tt.in); got != tt.want {
			t.Errorf("parseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	x := steward.Record{FirstName: "Catherine", LastName: "Harrington", BirthDate: "1971-06-24", Email: "c.harrington@example.com", AddressLine1: "12 Tullaroop Street", City: "St James", PostalCode: "4011"}
	y := steward.Record{FirstName: "Kathryn", LastName: "Harringten", BirthDate: "1971-06-42", Email: "charrington@example.com", AddressLine1: "12 Tulaaroop St", City: "St James", PostalCode: "4012"}
	a, c := prepare(&x), prepare(&y)
	b.ReportAllocs()
	for b.Loop() {
		compare(&a, &c)
	}
}
