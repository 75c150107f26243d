// Package rules reads steward's rules file (steward.yaml): the defaults,
// per-field and per-attribute requirements and checks, record-level
// requirements (a name, a contact), the import
// gate's policy and limits, email verification, matching, survivorship,
// schedules and suppression.
//
// The defaults are embedded (DefaultFile shows them with comments; "steward
// rules default" prints them). A rules file says only what it changes:
// mappings merge key by key onto the defaults, lists and single values
// replace them, and null (~) clears a value or removes a map entry. A
// comparison (method and thresholds) and a survivorship entry (strategy and
// sources) are replaced whole:
//
//	defaults:
//	  country: IR
//	  date_order: ymd
//	fields:
//	  email: {required: true}     # keeps the default validate and check
//	gate:
//	  on_duplicate: block
//	schedules:
//	  nightly: ~                  # no nightly schedule
//	  weekly:
//	    cron: "@weekly"
//	    jobs: [dedupe, snapshot]
//	survivorship:
//	  fields:
//	    email: {strategy: source_priority, sources: [crm, shop]}
//
// Parse reports every problem at once, each with the file, line, column and
// the path of the setting (matching.review_threshold), as Problems.
// Unknown settings get a "did you mean" hint. Validator tags are tried
// against go-playground/validator, cron expressions against
// robfig/cron/v3's standard parser (descriptors such as @daily included).
//
// Parsing also compiles: blocking key parts (BlockingKey.Parts), effective
// block size caps (BlockingKey.Limit) and cron schedules (Schedule.Spec) are
// ready for the packages that use them, and RecordRulesConfig gives package
// validate its settings. The package never logs.
package rules
