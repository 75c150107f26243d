// Package importer imports bulk files of customers through the validation
// gate: nothing bad gets in, nothing good is lost.
//
// Import reads a file with records.ReadFile (CSV or TSV with the delimiter
// detected, JSON Lines, or an XLSX workbook, in UTF-8, UTF-16,
// Windows-1256 or Windows-1252). Every row takes the steps of package
// gate, under one gate.Policy: it is mapped onto canonical columns,
// standardized and validated (Policy.Check), and checked for duplicates
// against the active customers in the database and the earlier rows of
// the same file (a dedupe.Index). Then:
//
//   - a row with an error finding is rejected: it goes to the rejects
//     report with its row number, field, code and message;
//   - a row whose (source, id) is known updates that customer (gate.Overlay),
//     so re-importing a file changes nothing; a row without an id gets one
//     derived from its values;
//   - a new row that looks like a customer follows the duplicate action
//     (Policy.Decide): suggest (store it and queue a merge suggestion with
//     its evidence), block (reject it, naming the customer) or merge
//     (above the automatic-merge threshold, keeping what survivorship
//     picks: gate.Absorb);
//   - any other row becomes a new customer.
//
// The pipeline is in three parts that run at once: the checker (check.go)
// standardizes and validates rows on all CPUs as they are read; the
// matcher (match.go) indexes the file's new rows and matches them against
// the database and the rows before them on all CPUs; the writer (write.go)
// stores rows in file order, in batches, as their matches come.
//
// The database sees one Store.Atomic transaction per import: all rows or
// none. It holds the admission lock (gate.AdmissionLock), so imports and
// the API's writes take turns, and catches up with customers that others
// committed since its duplicate index was loaded. A file that cannot be
// read to its end (bad encoding, a damaged workbook, a quote that never
// closes, a binary file) stops the import before anything is written,
// with an error naming the line; a malformed row, or one with a damaged
// byte, rejects only its row. The reports are written and synced before
// the commit. A cancelled import or a killed process leaves the database
// as it was, so running the same import again gives what an uninterrupted
// one would have.
//
// The file is not held in memory: once read and checked, each row waits
// in a spill file (spill.go, unlinked as soon as it is created, so a
// killed import leaves nothing behind) and memory keeps only what
// deciding the rows needs: per row 32 bytes (rowMeta: its place in the
// spill, number, outcome, customer id and positions, in slabs, with no
// allocation or pointer per row; rows.go), and the file's duplicate index
// (the match keys of its new rows). The source records are read back
// from the spill when they are looked up in the database, and when a
// row's (source, id) hashes as an earlier row's, to tell a repeated id
// from a shared hash. A small file keeps the match keys the checker computed until
// the index is built from them; a large one (more than 100,000 checked rows)
// builds the index from the rows read back from the spill, preparing
// them again (spillindex.go), so that the keys are never held beside the
// index. A file of more than a million rows to match (new rows and
// updates) keeps its duplicate index on disk instead (dedupe.ExternalIndex:
// the rows' match keys in a temporary file, the blocks sorted on disk),
// and its rows are matched against the file in file order, updates
// included, with the decisions the index in memory gives. The writer
// reads the rows back in file order, and writes each row's report lines
// and counts it once the customers the row names have ids, so the
// reports never need the whole file either.
package importer
