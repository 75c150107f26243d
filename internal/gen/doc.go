// Package gen generates realistic synthetic customer records with ground
// truth, for demos, tests and benchmarks of steward's standardization and
// duplicate detection.
//
// Records are canonical CSV (steward.CanonicalColumns). Customers are
// Iranian (names, streets and provinces in Persian script, Iranian mobiles,
// landlines, 10-digit postal codes and national codes with valid check
// digits) and American, British and Australian (Latin script, their phone,
// postcode and state formats), some of them companies' employees. Given
// names are drawn from lists of hundreds of real names with a realistic
// frequency skew, so common names are common; about a third of the people
// bear one of the listed common family names and the rest a name from a
// long tail of thousands built as most family names are (Hosseinzadeh,
// Alimohammadi, Ashford), so that a larger file holds more distinct names,
// as a real one does.
//
// A share of the entities get duplicate records that carry the errors real
// CRMs see: typos, missing fields, nicknames, swapped names, Arabic letters
// for Persian ones, Persian or Arabic-Indic digits, ZWNJ variants,
// transliteration (one record in Persian script, another in Latin), email
// case, gmail dots and tags, phone formats, address abbreviations, moves,
// other source systems, a title in the first-name field (Sir, Miss, آقای,
// خانم, سید; or h.nicholson with no last name), records with little but a
// name. Source systems leave their marks on originals and duplicates alike:
// a till that stores 1900-01-01 for an unknown birth date and its shop's
// own noemail@ address, a call centre that stores 1 January when only the
// year was asked. Related but distinct people — family members at one
// address with one phone, some bearing the same name a generation apart,
// colleagues at one office sharing its phone, namesakes, Iranians named
// crosswise in one town (رضا حسینی and حسین رضایی) — are separate entities:
// the hard negatives a matcher must not merge. The ground truth maps every
// record id to its entity.
//
// Output is a pure function of the options: records are made in parallel
// chunks from per-entity random streams (math/rand/v2 PCG) and written in
// order.
package gen
