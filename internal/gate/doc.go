// Package gate admits records into the customer database: one record's
// way in, whatever the entry (a bulk import, the API's create and update).
//
// Every admission takes the same steps under one Policy (from the rules
// file): Check standardizes and validates the record; a record whose
// (source, id) is known updates that customer (Overlay: never blanking a
// field); a new one is matched against the stored customers and Decide
// says what becomes of a suspected duplicate: suggested (stored, with a
// merge suggestion explained by its evidence), blocked, or merged into its
// match (Absorb, keeping what the survivorship policy picks). Gate.Admit
// does all of it for one record inside the caller's transaction; package
// importer does the same for a whole file, batched and on all CPUs.
package gate
