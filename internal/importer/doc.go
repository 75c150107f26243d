// Package importer imports bulk files of customers through a validation gate:
// nothing bad gets in, nothing good is lost.
//
// Import reads a CSV or TSV file (delimiter detected), JSON Lines or an
// XLSX workbook (first sheet, or a named one), in UTF-8 (with or without a
// byte order mark), UTF-16 with a byte order mark, Windows-1256 (Persian
// and Arabic Excel exports) or Windows-1252; DetectEncoding documents how
// the encoding is guessed when it is not named. Every row is mapped onto
// canonical columns (records.Mapping), standardized (cleanse.Record),
// validated (validate.Record), and checked for duplicates against the
// active customers in the database and the earlier rows of the same file
// (a dedupe.Index). Then:
//
//   - a row with an error finding is rejected: it goes to the rejects
//     report with its row number, field, code and message;
//   - a row whose (source, id) is known updates that customer, so
//     re-importing a file changes nothing; a row without an id gets one
//     derived from its values;
//   - a new row that looks like a customer follows the duplicate action:
//     suggest (store it and queue a merge suggestion), block (reject it,
//     naming the customer) or merge (above the automatic-merge threshold);
//   - any other row becomes a new customer.
//
// The database sees one Store.Atomic transaction per import: all rows or
// none. A file that cannot be read to its end (bad encoding, a damaged
// workbook, a row so long it would have to be held whole) stops the import
// before anything is written, with an error naming the line; a broken
// quote or a malformed JSON line rejects only its row. A cancelled import
// or a killed process leaves the database as it was, so running the same
// import again gives what an uninterrupted one would have.
//
// The whole file is held in memory while it is imported (bounded by
// Limits.MaxFileBytes): the duplicate check needs every row before the
// transaction starts, and the reports need every row after it ends.
package importer
