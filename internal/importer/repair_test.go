package importer

import (
	"bytes"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

// repairFile has rows whose values the gate repairs rather than drops:
// a US ZIP code Excel read as a number, an Iranian mobile with a Persian
// address and no country, and addresses copied with their display names;
// and two whose addresses are kept with a warning: an example domain and
// a typo of gmail.com.
const repairFile = "id,first_name,last_name,email,phone,address_line1,city,postal_code,country\n" +
	"z1,Ann,Lee,ann.lee@gmail.com,,12 Elm St,Boston,2134,US\n" +
	"i1,Ali,Rezaei,,0912 123 4567,\"تهران، خیابان آزادی، پلاک ۱۲\",,,\n" +
	"d1,John,Doe,John Doe <john.doe@gmail.com>,,,,,\n" +
	"d2,Jane,Roe,\"\"\"Roe, Jane\"\" <jane.roe@gmail.com>\",,,,,\n" +
	"n1,Bob,Ray,bob.ray@gmail.com,+1 617 555 0100,,,,\n" +
	"r1,Jane,Poe,jane@example.com,,,,,\n" +
	"t1,John,Moe,john@gmial.com,,,,,\n"

// TestImportRepairs: every such row is stored, with the repaired value,
// and the findings report names the row, the field, the value as written
// and what it became; a +1 phone says no country; jane@example.com is
// reserved, john@gmial.com a typo (not a disposable address).
func TestImportRepairs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		var findings bytes.Buffer
		sum := mustImport(t, st, writeTemp(t, "repair.csv", repairFile), Options{Source: "shop", Findings: &findings})
		if sum.Created != 7 || sum.Rejected != 0 {
			t.Fatalf("summary %+v, want 7 created", sum)
		}
		want := map[string]steward.Record{
			"z1": {PostalCode: "02134", Country: "US"},
			"i1": {Phone: "+989121234567", Country: "IR"},
			"d1": {Email: "john.doe@gmail.com"},
			"d2": {Email: "jane.roe@gmail.com"},
			"n1": {Phone: "+16175550100"},
		}
		for id, w := range want {
			got := customerBySource(t, st, "shop", id).Record
			for _, f := range []string{steward.FieldPostalCode, steward.FieldCountry, steward.FieldPhone, steward.FieldEmail} {
				if v := w.Get(f); v != "" && got.Get(f) != v {
					t.Errorf("%s: %s = %q, want %q", id, f, got.Get(f), v)
				}
			}
			if id == "n1" && got.Country != "" {
				t.Errorf("n1: country %q inferred from a +1 phone", got.Country)
			}
		}
		report := findings.String()
		for _, line := range []string{
			`2,1,z1,created,postal_code,postal.leading_zero,warning,"postal_code ""2134"": a US ZIP code has five digits; the leading zero a spreadsheet dropped was restored: 02134.`,
			`3,2,i1,created,country,country.inferred,warning,"country: none was given; IR was filled in from the address word ""خیابان"".`,
			`4,3,d1,created,email,email.display_name,warning,"email ""John Doe <john.doe@gmail.com>"": the address john.doe@gmail.com was taken out and the display name ""John Doe"" left out.`,
			`5,4,d2,created,email,email.display_name,warning,"email ""\""Roe, Jane\"" <jane.roe@gmail.com>"": the address jane.roe@gmail.com was taken out and the display name ""Roe, Jane"" left out.`,
			`7,6,r1,created,email,reserved_domain,warning,"email ""jane@example.com"": The domain is reserved for documentation`,
			`8,7,t1,created,email,typo_suggestion,warning,"email ""john@gmial.com"": The domain looks like a typo of gmail.com: did you mean john@gmail.com?`,
		} {
			if !strings.Contains(report, line) {
				t.Errorf("the findings report lacks\n%s\nin\n%s", line, report)
			}
		}
		if strings.Contains(report, "n1,") {
			t.Errorf("findings for the +1 row:\n%s", report)
		}
		if strings.Contains(report, "disposable") {
			t.Errorf("a typo reported as disposable:\n%s", report)
		}
	})
}
