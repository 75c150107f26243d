// Package dedupe finds duplicate customers.
//
// # Blocking
//
// Candidate pairs come from several blocking keys, united (Config.Blocking,
// DefaultBlockingKeys): normalized email, the email's local part, phone
// (last nine digits), postal code + house number, street + postal code,
// street + city, first and last name tokens in sorted order (swapped names
// meet), the same with consonant skeletons (cleanse.NameSkeleton, which
// also meets Persian and Latin script), birth date + first initial, birth
// date + last initial, birth date + city, first name skeleton + postal
// code, first name + birth year, national id, company + city, and for
// records that hold little but a name, the last name's skeleton with the
// first initial, the city, the postal code or the birth year. Each key is a
// 64-bit hash per record; a key's blocks are runs of equal hashes in one
// sorted array of (hash, record index), so a million records cost a few
// hundred megabytes, not maps of strings. A block of up to Config.MaxBlock
// records pairs all its members; a larger one is paired by sorted
// neighbourhood, each record with the Config.Window records either side,
// in an order of what the key does not hold (name keys' blocks of
// namesakes by birth date, the others by name), so that one person's
// records stand side by side; such blocks are reported in Stats.Blocks.
// Of all a record's candidates, at most Config.Neighbours are compared:
// those met under the most keys, a small block weighing more than a large
// one and a whole block more than a sorted neighbourhood. The pairs per
// record thus stay flat as the data grows (blocks grow, the bound does
// not), and no block goes quadratic. Placeholder values make no blocks.
// Pairs are generated per record (only partners with a higher index,
// deduplicated across keys), compared at once and never stored unless
// kept. Index.BlockingCoverage and BlockingCoverageOf tell how many pairs
// known to match blocking compares, and what each key brought.
//
// # Comparison
//
// Match keys are computed once per record (cleanse.NameKey, NameSkeleton,
// EmailKey, CompanyKey, MatchKey; countries as ISO codes and regions in
// their standard form), after cleanse.MatchNames has put misplaced parts
// of the names where they belong (a title alone in the first-name field,
// "h.nicholson", a full name in one field, a leading Seyyed). Each
// candidate pair is graded per field into levels: first name (exact,
// nickname from an embedded English table, close by Jaro-Winkler,
// transliterated when one name was written in Persian script and the
// other in Latin and their consonant skeletons agree, prefix or initial,
// phonetic, similar, swapped with the last name, different), last name
// (exact, close, transliterated, phonetic, similar, different), birth date
// (exact, transposed digits, one digit, day and month swapped, same year,
// placeholder, years apart: a generation, different), email (exact, same local part, within two
// edits, placeholder, different; near-agreement of addresses that spell
// the names counts only as the same mailbox), address and phone judged
// together (a household shares both: address and phone, address with
// another phone, address, phone, phone at another address, same street,
// same postal code, same city, city: the city agrees and nothing below it
// is on both sides, same region, other phone, different),
// company (exact, close by a soft token-set measure, different; only when
// the address does not already agree), national id (exact, one edit,
// different). Level "missing" carries no weight, and a value missing on
// one side is never a disagreement: a city against a record that has only
// its country is missing, not "same region"; a first name that equals the
// other record's last name while its own last name is missing is missing,
// not different. A swap is one piece of evidence: both names must match
// the other record's other name (a given name and the family name made of
// it, Reza and Rezaei, are no match), and the last name is then missing,
// so the swap's own weight is all it adds; its u is the product of the
// two crosswise matches' shares among random pairs, which a sample can
// count, where the swap itself is too rare to. Placeholder values, found from
// the data's frequencies (a birth date held by ten times as many records
// as others, 1 January where a tenth of the dates fall on it, an email or
// phone of eight records or more), are weighed as the levels above say and
// make no blocks. Jaro-Winkler and Levenshtein are strutil's definitions,
// computed without allocating.
//
// # Scoring
//
// A Fellegi-Sunter Model: u per level from random record pairs; m by
// expectation-maximisation on the data's own candidate pairs, one session
// per blocking key with that key's own comparisons left out (they agree by
// construction), the sessions' expected counts pooled; the prior Lambda
// from the share of matches among all candidates (EM with m fixed) scaled
// to all pairs. An exact first or last name is adjusted by term frequency,
// so a rare shared surname counts more than a common one, and so is an
// equal city where the address agrees no further (levels same_city and
// city): a small town shared counts more than a capital. Stewards'
// decisions enter as labelled pairs (Label). A pair's probability comes
// with its explanation: every field's level, log2 Bayes factor and the two
// values compared (FieldWeight.A and B); Index.SharedKeys, SharedKeysWith
// and SharedKeysOf name the blocking keys that made two records a
// candidate pair.
//
// # Clustering
//
// Pairs at or above Config.Threshold link records (union-find). The guard
// against chaining: a bridge edge below Config.BridgeProbability between
// two groups of two or more records is cut; components larger than 64
// records lose their weakest links until they are small; every group of
// three or more is re-clustered by average linkage over the probabilities
// of all its member pairs (Config.Cohesion), so two groups held together
// by one lone link part, except that the records of a pair at or above
// Config.StrongProbability are never parted: their own evidence outweighs
// what the rest of the group says. Stats.Clustering counts the links each
// guard parted; Evaluate also tells how many of those were one entity
// and how many false pairs were joined through others rather than by a
// link of their own. A cluster's id is its member with the smallest
// record id; singletons are clusters of their own.
//
// The same keys and model answer "who in the loaded set looks like this
// record?" for one incoming record through an Index (Match, Add, Remove).
// An Index writes itself to a versioned, checksummed binary file
// (Index.WriteTo) and reads back from it (ReadIndex) in a fraction of the
// time building it takes, so a caller can keep it between runs. An
// IndexBuilder builds an index a batch of records at a time, and RunIndex
// runs on it, so that a caller reading ten million records from a file
// never holds them all. Evaluate and EvaluateEntities measure a run
// against ground truth. The package does no I/O and never logs.
//
// # Scale
//
// The work per record stays flat as the data grows: blocks grow, but a
// record is compared with at most Config.Neighbours records, the index
// keeps a record in 64 bytes plus its match keys (pointer-free, so the
// garbage collector does not scan it), blocks are sorted by a radix pass
// in huge pages, and a batch run reads ahead what it is about to compare.
// Ten million generated customers are deduplicated on two cores in about
// two and a half minutes and under 8 GB, five pairs compared per record.
package dedupe
