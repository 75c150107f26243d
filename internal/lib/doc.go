// Package lib is the lower tier of steward's internal packages: small
// helpers that the libraries (cleanse, validate, dedupe, rules) may import.
// Everything else under internal/ is the service (stores, the gate, jobs,
// the server) and is imported only by other service packages and cmd.
//
//	fold        Persian/Arabic/Latin digits and invisible characters, read one way
//	phonemeta   region and type of a parsed phone number in one pass
//	postaldata  Google's per-country postal-code rules, embedded
//	didyoumean  "did you mean" hints for parsers' messages
//
// TestLayering (layering_test.go in the module's root) holds every package
// to its tier.
package lib
