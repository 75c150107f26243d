// Package search finds customers by what a person at a desk types: an
// email address, a phone number (in any local format), or a name in
// Persian or Latin letters. Index keeps the exact match keys of every
// active customer in memory (cleanse.EmailKey, PhoneKey, NameKey per name
// word), so that a lookup among a million customers is a few map probes
// instead of a scan; Rank then orders the customers found by the
// duplicate matcher's probability that they are the one described.
//
// Written by hand because the job is small and specific: exact keys the
// matcher already computes, kept up to date with every write, with no
// full-text engine (scoring, stemming, storage) to carry.
package search
