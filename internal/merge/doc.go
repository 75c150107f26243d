// Package merge merges customers and takes merges apart again, as service
// operations over the store, each in one transaction: Merge joins two or
// more active customers into a survivor whose values the rules'
// survivorship policy picks (dedupe.Survive), field by field, with a
// steward's overrides (another member's value, or a typed one checked like
// an import's by gate.Policy), consent attributes always keeping their most
// restrictive value; the members' source records then resolve to the
// survivor, and the merge is kept with every member's before-image. Undo
// restores every member, its source records and the survivor; TakeOut
// restores one member and recomputes the survivor from those who remain.
// Decide records a steward's decision on a suggestion (merge, not a
// duplicate, skip), and Labels turns decisions into labelled pairs for the
// matcher.
//
// Races are decided by the customers' versions: of two operations on the
// same customers, one commits and the other fails with ECONFLICT
// (ConflictError, with the customers as they are now) having written
// nothing. The API, the steward pages and the CLI all go through here.
package merge
