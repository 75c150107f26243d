package records

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

var update = flag.Bool("update", false, "rewrite golden files")

// rowsOf splits CSV-ish test rows on "|".
func rowsOf(lines ...string) [][]string {
	var out [][]string
	for _, l := range lines {
		out = append(out, strings.Split(l, "|"))
	}
	return out
}

func TestInfer(t *testing.T) {
	tests := []struct {
		name    string
		header  string // "|"-separated
		rows    [][]string
		country string
		// want maps a column to "target by" ("email name"), "kept" for
		// a column kept as an attribute under its own name.
		want map[string]string
		// transforms maps a column to its transform.
		transforms map[string]string
		// notes and hints must each appear in a note or a hint.
		notes []string
	}{
		{
			name:   "odd headers: full name, e-mail, mobile",
			header: "Name|E-mail Address|Mobile",
			rows:   rowsOf("John Smith|john.smith@gmail.com|+44 7911 123456", "Sara Karimi|sara.k@yahoo.com|+98 912 123 4567"),
			want:   map[string]string{"Name": "first_name name", "E-mail Address": "email name", "Mobile": "phone name"},
		},
		{
			name: "Shopify customers export",
			header: "First Name|Last Name|Email|Accepts Email Marketing|Company|Address1|Address2|City|Province|Province Code|" +
				"Country|Country Code|Zip|Phone|Accepts SMS Marketing|Total Spent|Total Orders|Tags|Note|Tax Exempt",
			rows: rowsOf("Ann|Lee|ann.lee@gmail.com|yes||12 Elm St||Boston|Massachusetts|MA|United States|US|02134|+16175550100|no|10.00|1|||no",
				"Bob|Ray|bob.ray@gmail.com|no|Acme|1 Main St|Apt 2|Toronto|Ontario|ON|Canada|CA|M5V 2T6|+14165550100|no|0.00|0|vip|hi|yes"),
			want: map[string]string{"First Name": "first_name name", "Last Name": "last_name name", "Email": "email canonical",
				"Accepts Email Marketing": "email_opt_out name", "Accepts SMS Marketing": "sms_opt_out name", "Company": "company canonical",
				"Address1": "address_line1 name", "Address2": "address_line2 name", "City": "city canonical",
				"Province Code": "region name", "Province": "kept", "Country": "country canonical", "Country Code": "kept",
				"Zip": "postal_code name", "Phone": "phone canonical", "Total Spent": "kept", "Tags": "kept", "Tax Exempt": "kept"},
			transforms: map[string]string{"Accepts Email Marketing": "not", "Accepts SMS Marketing": "not"},
			notes:      []string{`"Province Code" and "Province" both fit region`, `"Country Code" is also a name for country, which "Country" fills`},
		},
		{
			name:   "newer Shopify export",
			header: "Customer ID|First Name|Last Name|Email|Default Address Company|Default Address Address1|Default Address City|Default Address Province Code|Default Address Country Code|Default Address Zip|Default Address Phone|Phone",
			rows:   rowsOf("7012345678901|Ann|Lee|ann@gmail.com|Acme|1 Main St|Boston|MA|US|02134|+16175550101|+16175550100"),
			want: map[string]string{"Customer ID": "id name", "Default Address Company": "company name", "Default Address Address1": "address_line1 name",
				"Default Address City": "city name", "Default Address Province Code": "region name", "Default Address Country Code": "country name",
				"Default Address Zip": "postal_code name", "Phone": "phone canonical", "Default Address Phone": "kept"},
		},
		{
			name:   "HubSpot contacts export",
			header: "Record ID|First Name|Last Name|Email|Phone Number|Mobile Phone Number|Street Address|City|State/Region|Postal Code|Country/Region|Company Name|Create Date",
			rows:   rowsOf("101|Ann|Lee|ann@gmail.com|+16175550100|+16175550199|12 Elm St|Boston|MA|02134|United States|Acme|2024-01-02 10:00"),
			want: map[string]string{"Record ID": "id name", "Phone Number": "kept", "Mobile Phone Number": "phone name", "Street Address": "address_line1 name",
				"State/Region": "region name", "Postal Code": "postal_code name", "Country/Region": "country name", "Company Name": "company name", "Create Date": "kept"},
		},
		{
			name:   "Salesforce contacts export",
			header: "Contact ID|Salutation|First Name|Last Name|Title|Account Name|Mailing Street|Mailing City|Mailing State/Province|Mailing Zip/Postal Code|Mailing Country|Phone|Mobile|Email|Email Opt Out|Birthdate",
			rows:   rowsOf("0035g00000abc|Ms.|Ann|Lee|CEO|Acme|12 Elm St|Boston|MA|02134|USA|+16175550100|+16175550199|ann@acme.com|false|1980-03-04"),
			want: map[string]string{"Contact ID": "id name", "Salutation": "kept", "Title": "kept", "Account Name": "company name", "Mailing Street": "address_line1 name",
				"Mailing City": "city name", "Mailing State/Province": "region name", "Mailing Zip/Postal Code": "postal_code name", "Mailing Country": "country name",
				"Mobile": "kept", "Phone": "phone canonical", "Email Opt Out": "email_opt_out name", "Birthdate": "birth_date name"},
			transforms: map[string]string{"Email Opt Out": "bool"},
			notes:      []string{`"Mobile" is also a name for phone, which "Phone" fills`},
		},
		{
			name:   "Mailchimp audience export",
			header: "Email Address|First Name|Last Name|Address|Phone Number|Birthday|MEMBER_RATING|OPTIN_TIME|CC|LEID|TAGS",
			rows:   rowsOf("ann@gmail.com|Ann|Lee|12 Elm St  Boston  MA  02134  US|+16175550100|03/04|2|2024-01-02 10:00:00|US|123|\"vip\""),
			want: map[string]string{"Email Address": "email name", "Address": "address_line1 name", "Phone Number": "phone name", "Birthday": "birth_date name",
				"MEMBER_RATING": "kept", "OPTIN_TIME": "kept", "CC": "kept", "LEID": "kept"},
		},
		{
			name:   "Persian headers",
			header: "نام|نام خانوادگی|ایمیل|موبایل|کد ملی|کد پستی|نشانی|شهر|استان|تاریخ تولد|شرکت",
			rows:   rowsOf("علی|رضایی|ali.rezaei@gmail.com|09121234567|0012345679|1193612345|خیابان ولیعصر|تهران|تهران|1360/05/12|"),
			want: map[string]string{"نام": "first_name name", "نام خانوادگی": "last_name name", "ایمیل": "email name", "موبایل": "phone name",
				"کد ملی": "national_id name", "کد پستی": "postal_code name", "نشانی": "address_line1 name", "شهر": "city name", "استان": "region name",
				"تاریخ تولد": "birth_date name", "شرکت": "company name"},
		},
		{
			name:   "Persian synonyms, Arabic letter forms and a ZWNJ",
			header: "نام و نام خانوادگي|پست الکترونيک|تلفن همراه|آدرس|کد\u200cپستی|شماره ملی",
			rows:   rowsOf("علی رضایی|ali@gmail.com|0912 123 4567|تهران، خیابان آزادی|1193612345|0012345679"),
			want: map[string]string{"نام و نام خانوادگي": "first_name name", "پست الکترونيک": "email name", "تلفن همراه": "phone name",
				"آدرس": "address_line1 name", "کد\u200cپستی": "postal_code name", "شماره ملی": "national_id name"},
		},
		{
			name:   "shapes of unknown columns",
			header: "who|contact|tel no|kod|post",
			rows: rowsOf("a|ann@gmail.com|0912 123 4567|0012345679|SW1A 1AA", "b|bob@gmail.com|0912 765 4321|0084575948|EC1Y 8SY",
				"c|cy@yahoo.com|0935 123 4567|1234567891|M1 1AE"),
			country: "IR",
			want:    map[string]string{"who": "kept", "contact": "email content", "tel no": "phone name", "kod": "national_id content", "post": "kept"},
		},
		{
			name:    "postal codes with letters are found by content",
			header:  "pc|email",
			rows:    rowsOf("SW1A 1AA|a@gmail.com", "EC1Y 8SY|b@gmail.com", "M1 1AE|c@gmail.com"),
			country: "GB",
			want:    map[string]string{"pc": "postal_code content", "email": "email canonical"},
		},
		{
			name:    "digits alone are no postal codes, only a hint",
			header:  "code|email",
			rows:    rowsOf("02134|a@gmail.com", "94105|b@gmail.com", "10001|c@gmail.com"),
			country: "US",
			want:    map[string]string{"code": "kept"},
			notes:   []string{`did you mean postal_code for "code"?`},
		},
		{
			name:   "a second email column is named",
			header: "Email|Work Email",
			rows:   rowsOf("a@gmail.com|b@gmail.com"),
			want:   map[string]string{"Email": "email canonical", "Work Email": "kept"},
			notes:  []string{`"Work Email" is also a name for email, which "Email" fills`},
		},
		{
			name:   "two email columns of equal names: a note",
			header: "E-mail Address|Email Address",
			rows:   rowsOf("a@gmail.com|b@gmail.com"),
			want:   map[string]string{"E-mail Address": "email name", "Email Address": "kept"},
			notes:  []string{`"E-mail Address" and "Email Address" both fit email`},
		},
		{
			name:   "two unknown columns of emails: the one with more",
			header: "x|y",
			rows:   rowsOf("a@gmail.com|b@gmail.com", "c@gmail.com|nope", "d@gmail.com|e@gmail.com", "f@gmail.com|g@gmail.com", "h@gmail.com|i@gmail.com"),
			want:   map[string]string{"x": "email content", "y": "kept"},
		},
		{
			name:   "a full name beside first and last name stays an attribute",
			header: "Name|First Name|Last Name|Email",
			rows:   rowsOf("Ann Lee|Ann|Lee|a@gmail.com"),
			want:   map[string]string{"Name": "kept", "First Name": "first_name name", "Last Name": "last_name name"},
		},
		{
			name:   "a full name beside a surname is the given name",
			header: "Name|Surname|Email",
			rows:   rowsOf("Ann|Lee|a@gmail.com"),
			want:   map[string]string{"Name": "first_name name", "Surname": "last_name name"},
		},
		{
			name:   "a name contradicted by the values is matched, less sure",
			header: "Phone|Email",
			rows:   rowsOf("n/a|a@gmail.com", "none|b@gmail.com", "ask|c@gmail.com"),
			want:   map[string]string{"Phone": "phone canonical"},
		},
		{
			name:   "a mobile column of emails: matched, less sure",
			header: "Mobile|Email",
			rows:   rowsOf("a@gmail.com|x@gmail.com", "b@gmail.com|y@gmail.com", "c@gmail.com|z@gmail.com"),
			want:   map[string]string{"Mobile": "phone name", "Email": "email canonical"},
			notes:  []string{"but only 0 of 3 values are phone numbers"},
		},
		{
			name:       "day-first birth dates get a layout",
			header:     "DOB|Email",
			rows:       rowsOf("25/01/1993|a@gmail.com", "05/01/1993|b@gmail.com"),
			want:       map[string]string{"DOB": "birth_date name"},
			transforms: map[string]string{"DOB": "date %d/%m/%Y"},
		},
		{
			name:       "month-first birth dates get a layout",
			header:     "Date of Birth|Email",
			rows:       rowsOf("01-25-1993|a@gmail.com", "05-01-1993|b@gmail.com"),
			want:       map[string]string{"Date of Birth": "birth_date name"},
			transforms: map[string]string{"Date of Birth": "date %m-%d-%Y"},
		},
		{
			name:   "ambiguous birth dates get a note",
			header: "Birth Date|Email",
			rows:   rowsOf("05/01/1993|a@gmail.com", "03/04/1980|b@gmail.com"),
			want:   map[string]string{"Birth Date": "birth_date name"},
			notes:  []string{`"Birth Date" has dates like 05/01/1993 whose day and month the first rows cannot tell apart: --date-order dmy or mdy`},
		},
		{
			name:   "a consent column that is not yes/no is kept",
			header: "Accepts Email Marketing|Email",
			rows:   rowsOf("subscribed|a@gmail.com", "pending|b@gmail.com"),
			want:   map[string]string{"Accepts Email Marketing": "kept"},
			notes:  []string{`"Accepts Email Marketing" is not read as email_opt_out`},
		},
		{
			name:   "a misspelt name gets a hint",
			header: "Frist Name|Emails|Phnoe Number|Note",
			rows:   rowsOf("Ann|x|y|z"),
			want:   map[string]string{"Frist Name": "kept", "Emails": "kept", "Phnoe Number": "kept", "Note": "kept"},
			notes:  []string{`did you mean first_name for "Frist Name"?`, `did you mean email for "Emails"?`, `did you mean phone for "Phnoe Number"?`},
		},
		{
			name:   "report columns are ignored",
			header: "Email|steward_line|steward_errors",
			rows:   rowsOf("a@gmail.com|2|bad"),
			want:   map[string]string{"Email": "email canonical", "steward_line": "ignored"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inf := Infer(strings.Split(tt.header, "|"), tt.rows, InferOptions{DefaultCountry: tt.country})
			got := make(map[string]ColumnMatch)
			for _, c := range inf.Columns {
				got[c.Column] = c
			}
			for col, want := range tt.want {
				c, ok := got[col]
				var have string
				switch {
				case !ok:
					have = "missing"
				case c.By == MatchKept || c.By == MatchIgnored:
					have = string(c.By)
				default:
					have = c.Target + " " + string(c.By)
				}
				if have != want {
					t.Errorf("%q: %s (%s), want %s", col, have, c.Why, want)
				}
			}
			for col, want := range tt.transforms {
				if got[col].Transform != want {
					t.Errorf("%q: transform %q, want %q", col, got[col].Transform, want)
				}
			}
			var said []string
			said = append(said, inf.Notes...)
			for _, c := range inf.Columns {
				said = append(said, c.Hint, c.Why)
			}
			for _, n := range tt.notes {
				if !strings.Contains(strings.Join(said, "\n"), n) {
					t.Errorf("no note or hint says %q:\n%s", n, strings.Join(said, "\n"))
				}
			}
			// Whatever was inferred reads the header.
			if _, err := NewColumns(strings.Split(tt.header, "|"), inf.Mapping(), 0); err != nil {
				t.Errorf("the inferred mapping does not fit the header: %v", err)
			}
		})
	}
}

// TestInferCanonicalIsIdentity: a canonical header is read the same with
// the mapping Infer makes as without one.
func TestInferCanonicalIsIdentity(t *testing.T) {
	header := append(steward.CanonicalColumns(), "tier")
	row := []string{"7", "shop", "Ann", "Lee", "Acme", "ann@gmail.com", "+16175550100", "1 Main St", "", "Boston", "MA", "02134", "US", "1980-03-04", "", "gold"}
	inf := Infer(header, [][]string{row}, InferOptions{Always: true})
	for _, c := range inf.Columns {
		if want := normalizeName(c.Column); c.Target != want || (c.By != MatchCanonical && c.By != MatchKept) {
			t.Errorf("%q → %s by %s, want itself", c.Column, c.Target, c.By)
		}
	}
	plain, _ := NewColumns(header, nil, 0)
	mapped, err := NewColumns(header, inf.Mapping(), 0)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := plain.Record(row)
	b, _ := mapped.Record(row)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("inferred mapping reads\n%+v\nwithout one\n%+v", b, a)
	}
}

// TestInferReport: what a person reads before importing (golden file;
// -update rewrites it).
func TestInferReport(t *testing.T) {
	header := strings.Split("Name|E-mail Address|Mobile|Accepts Email Marketing|Zip|DOB|Province|Province Code|contact|Frist Name|Total Spent", "|")
	rows := rowsOf("John Smith|john@gmail.com|+44 7911 123456|yes|SW1A 1AA|25/01/1993|Ontario|ON|j@x.com|John|10",
		"Sara Karimi|sara@yahoo.com|+98 912 123 4567|no|EC1Y 8SY|05/01/1993|Ontario|ON|s@x.com|Sara|0")
	inf := Infer(header, rows, InferOptions{DefaultCountry: "GB"})
	var b bytes.Buffer
	if err := inf.Report(&b, "  "); err != nil {
		t.Fatal(err)
	}
	b.WriteString("---\n")
	b.Write(inf.Mapping().Marshal("inferred"))
	golden := filepath.Join("testdata", "infer-report.golden")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("report:\n%s\nwant (%s):\n%s", b.Bytes(), golden, want)
	}
}
