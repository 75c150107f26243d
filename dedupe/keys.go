package dedupe

import "github.com/steward-crm/steward/cleanse"

// The match keys of each field come from package cleanse; these wrappers
// are the only place dedupe depends on it, so every comparison sees one
// spelling of each value.

func nameKey(s string) string          { return cleanse.NameKey(s) }
func nameSkeleton(s string) string     { return cleanse.NameSkeleton(s) }
func emailKey(s string) string         { return cleanse.EmailKey(s) }
func companyKey(s string) string       { return cleanse.CompanyKey(s) }
func phoneKey(s, region string) string { return cleanse.PhoneKey(s, region) }
func textKey(s string) string          { return cleanse.MatchKey(s) }
