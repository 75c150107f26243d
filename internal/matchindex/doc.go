// Package matchindex keeps the duplicate index of the database's active
// customers (a dedupe.Index and the customer id of each position) that the
// import gate, the API and the nightly jobs share, its cache file between
// runs, and the matching model they all score with.
//
// Load builds the index from the database, or reads it from the cache
// file when the file was written for the customers as they are now (see
// steward.Generation); Save brings it up to date with what a writer
// changed and writes the cache again, or appends to the cache's log, so
// that the next Load need not build it. The cache holds the customers'
// match keys: it is personal data and is written owner-only.
package matchindex
