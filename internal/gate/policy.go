package gate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
	"github.com/steward-crm/steward/validate"
)

// Codes of the findings the gate itself makes; validate.Record and
// records.ReadFile add theirs.
const (
	CodeDuplicate = "duplicate" // the record looks like a customer (blocked or suggested)
	CodeErased    = "erased"    // the record's (source, id) belongs to an erased customer
	CodeNULByte   = "nul_byte"  // a value holds a NUL byte, which no database stores alike
)

// NULFindings returns a finding for every field of rec (source and id, the
// canonical fields, attribute names and values) that holds a NUL byte
// (0x00): PostgreSQL refuses one in text and SQLite stores it, so such a
// record is refused the same way on both, naming the field, before it
// reaches either.
func NULFindings(rec *steward.Record) []steward.Finding {
	var out []steward.Finding
	add := func(field, v string) {
		if strings.IndexByte(v, 0) >= 0 {
			out = append(out, steward.Finding{Field: field, Code: CodeNULByte, Severity: steward.SeverityError,
				Message: fmt.Sprintf("%s holds a NUL byte (0x00), which is not text; remove it from the source and import the row again.", field)})
		}
	}
	add(steward.ColumnSource, rec.Source)
	add(steward.ColumnID, rec.SourceID)
	for _, f := range steward.CanonicalFields() {
		add(f, rec.Get(f))
	}
	for k, v := range rec.Attributes {
		add(k, k+v)
	}
	slices.SortFunc(out, func(a, b steward.Finding) int { return strings.Compare(a.Field, b.Field) })
	return out
}

// AdmissionLock names the database-wide lock (steward.Exclusive) that
// every transaction deciding about new records holds: an import, an API
// create or update. Two of them at once would each miss the customers
// the other is adding, and let the same person in twice.
const AdmissionLock = "admission"

// Policy is how records are admitted: how they are standardized and
// validated, and what becomes of invalid ones and of suspected duplicates.
// The rules file declares it (cmd builds it); the bulk importer and the
// API's create and update follow the same one. The zero value
// standardizes with no default country, validates with the default rules,
// rejects invalid records and suggests duplicates.
type Policy struct {
	// Cleanse configures standardization (cleanse.Record), applied before
	// validation.
	Cleanse cleanse.Options
	// Validate checks a standardized record; nil is RecordValidator with
	// validate.DefaultRecordRulesConfig for Cleanse.DefaultCountry. It is
	// called from several goroutines at once.
	Validate Validator
	// OnInvalid says what happens to records with error findings; "" is
	// reject.
	OnInvalid steward.InvalidAction
	// OnDuplicate says what happens to suspected duplicates; "" is
	// suggest.
	OnDuplicate steward.DuplicateAction
	// ReviewThreshold is the match probability from which a record counts
	// as a suspected duplicate (the rules file's review threshold).
	ReviewThreshold float64
	// AutoMergeThreshold is the match probability from which
	// DuplicateMerge merges; 0 turns merging off (merge then suggests).
	AutoMergeThreshold float64
	// Survivorship picks the values a merge keeps.
	Survivorship steward.Survivorship
}

// Defaults fills what p leaves unset (see Policy) and returns it, or an
// error when the default validation rules cannot be built for its
// country.
func (p Policy) Defaults() (Policy, error) {
	if p.Validate == nil {
		rr, err := validate.NewRecordRules(validate.DefaultRecordRulesConfig(p.Cleanse.DefaultCountry))
		if err != nil {
			return p, fmt.Errorf("validation rules: %w", err)
		}
		p.Validate = RecordValidator(rr)
	}
	if p.OnInvalid == "" {
		p.OnInvalid = steward.InvalidReject
	}
	if p.OnDuplicate == "" {
		p.OnDuplicate = steward.DuplicateSuggest
	}
	return p, nil
}

// Check standardizes rec in place, validates it and returns its findings
// and whether it may be stored: it has no error finding, or invalid
// records are stored with a warning (InvalidWarn). It is the first step of
// every admission and safe for concurrent use. p must have its Defaults.
func (p *Policy) Check(rec *steward.Record) ([]steward.Finding, bool) {
	if fs := NULFindings(rec); len(fs) > 0 {
		return fs, false
	}
	cleanse.Record(rec, p.Cleanse)
	fs := p.Validate(rec)
	return fs, !steward.HasError(fs) || p.OnInvalid != steward.InvalidReject
}

// Action is what the gate does with a new record that looks like a
// customer.
type Action string

// Actions on a suspected duplicate.
const (
	ActionSuggest Action = "suggest" // store it and queue a merge suggestion
	ActionBlock   Action = "block"   // do not store it
	ActionMerge   Action = "merge"   // merge it into the customer it looks like
)

// Decide returns what becomes of a new record whose most probable match,
// at probability, reached the review threshold: blocked under
// DuplicateBlock, merged under DuplicateMerge when probability reaches the
// automatic-merge threshold, suggested otherwise.
func (p *Policy) Decide(probability float64) Action {
	switch p.OnDuplicate {
	case steward.DuplicateBlock:
		return ActionBlock
	case steward.DuplicateMerge:
		if p.AutoMergeThreshold > 0 && probability >= p.AutoMergeThreshold {
			return ActionMerge
		}
	}
	return ActionSuggest
}

// Validator checks one standardized record and returns its findings; no
// error finding means the record is valid.
type Validator func(r *steward.Record) []steward.Finding

// RecordValidator checks records with validate.Record and rules, and puts
// the offending value in front of each message, so that an admin reading
// the rejects file sees what was wrong without looking the row up.
func RecordValidator(rules *validate.RecordRules) Validator {
	return func(r *steward.Record) []steward.Finding {
		fs := validate.Record(r, rules)
		for i, f := range fs {
			if v := r.Get(f.Field); v != "" && steward.IsCanonicalField(f.Field) {
				fs[i].Message = fmt.Sprintf("%s %q: %s", f.Field, v, f.Message)
			}
		}
		return fs
	}
}
