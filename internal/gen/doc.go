// Package gen generates realistic synthetic customer records with ground
// truth, for demos, tests and benchmarks of steward's standardization and
// duplicate detection.
//
// Records are canonical CSV (steward.CanonicalColumns). Customers are
// Iranian (names, streets and provinces in Persian script, Iranian mobiles,
// landlines, 10-digit postal codes and national codes with valid check
// digits) and American, British and Australian (Latin script, their phone,
// postcode and state formats), some of them companies' employees. Names are
// drawn from lists of hundreds of real names with a realistic frequency
// skew, so common names are common.
//
// A share of the entities get duplicate records that carry the errors real
// CRMs see: typos, missing fields, nicknames, swapped names, Arabic letters
// for Persian ones, Persian or Arabic-Indic digits, ZWNJ variants,
// transliteration, email case, gmail dots and tags, phone formats, address
// abbreviations, moves, other source systems. Related but distinct people —
// family members at one address with one phone, colleagues at one office,
// namesakes — are separate entities: the hard negatives a matcher must not
// merge. The ground truth maps every record id to its entity.
//
// Output is a pure function of the options: records are made in parallel
// chunks from per-entity random streams (math/rand/v2 PCG) and written in
// order.
package gen
