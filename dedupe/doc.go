// Package dedupe finds duplicate customers: blocking generates candidate
// pairs from several compact keys, each pair is compared field by field into
// comparison levels, a Fellegi-Sunter model turns the levels into a match
// probability with a per-field explanation, and pairs above a threshold are
// clustered with a guard against chaining through one weak link.
//
// The same blocking keys and model answer "who in the loaded set looks like
// this record?" for one incoming record through an Index.
//
// Names are compared on cleanse.NameKey, so Persian and Latin spellings of
// the same name (محمد, Mohammad, Muhammad) meet, and on an embedded English
// nickname table (bob ↔ robert). The package does no I/O and never logs.
package dedupe
