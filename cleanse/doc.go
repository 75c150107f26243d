// Package cleanse standardizes customer data: Unicode text with Persian and
// Arabic folding, person and company names, phone numbers (E.164), postal
// addresses, email addresses and dates. Every standardizer is a pure
// function that returns the new value and the fixes it made (field,
// before, after, rule), so a change can be explained and undone.
//
// The *Key functions (MatchKey, NameKey, NameSkeleton, EmailKey, PhoneKey,
// CompanyKey) build folded keys for comparing values in duplicate
// detection; they are never shown to users.
//
// The package does no I/O and never logs. Reference tables (country names,
// postal rules, street words, legal forms, names) are embedded and built
// once on first use.
package cleanse
