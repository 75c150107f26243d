package cleanse

import (
	"fmt"

	"github.com/steward-crm/steward"
)

// Findings returns, for the fixes among fs that guessed or left something
// out (a restored leading zero, an inferred country, a display name
// taken off an address), a warning finding each that names the field,
// the value as written, what it became and what to check, so that an
// import or the API tells a person about them. The other fixes only write
// a value in its standard form and make no finding. fs are Record's fixes
// (Field set).
func Findings(fs []Fix) []steward.Finding {
	var out []steward.Finding
	for _, f := range fs {
		var msg string
		switch f.Rule {
		case RulePostalLeadingZero:
			msg = fmt.Sprintf("%s %q: a US ZIP code has five digits; the leading zero a spreadsheet dropped was restored: %s. "+
				"Check it, and keep ZIP codes as text in the spreadsheet.", f.Field, f.Before, f.After)
		case RuleCountryInferred:
			msg = fmt.Sprintf("%s: none was given; %s was filled in from %s. "+
				"If the customer lives in another country, add it to the source and import the row again.", f.Field, f.After, f.Why)
		case RuleEmailDisplayName:
			msg = fmt.Sprintf("%s %q: the address %s was taken out and the display name %q left out. "+
				"Export bare addresses from the mail program next time.", f.Field, f.Before, f.After, f.Why)
		default:
			continue
		}
		out = append(out, steward.Finding{Field: f.Field, Code: f.Rule, Message: msg, Severity: steward.SeverityWarning})
	}
	return out
}
