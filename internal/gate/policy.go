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
	// FieldActions says, per field or attribute, what becomes of a record
	// whose value fails its rule with an error: reject it (a field not
	// named here), drop the field (clear it, keep the record, warn), or
	// keep the value (warn). The rules file's fields.X.on_invalid fill it
	// (rules.Rules.FieldActions). The record-level findings (name,
	// contact) are made after dropping, on what is left.
	FieldActions map[string]steward.FieldAction
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

// Check standardizes rec in place, validates it, applies FieldActions
// (dropping or keeping invalid values) and returns its findings and
// whether it may be stored: it has no error finding, or invalid records
// are stored with a warning (InvalidWarn). It is the first step of every
// admission and safe for concurrent use. p must have its Defaults.
func (p *Policy) Check(rec *steward.Record) ([]steward.Finding, bool) {
	c := p.Examine(rec)
	return c.Findings, c.OK
}

// Checked is what Examine found out about a record.
type Checked struct {
	// Findings are the record's findings: errors first, then warnings.
	Findings []steward.Finding
	// OK says the record may be stored.
	OK bool
	// Dropped are the fields FieldDrop cleared, with the value each held
	// (Before) after standardization.
	Dropped []steward.FieldChange
}

// Examine is Check, also saying which fields it dropped.
func (p *Policy) Examine(rec *steward.Record) Checked {
	if fs := NULFindings(rec); len(fs) > 0 {
		return Checked{Findings: fs}
	}
	guessed := cleanse.Findings(cleanse.Record(rec, p.Cleanse))
	fs := p.Validate(rec)
	var c Checked
	var drops []steward.Finding
	// Dropping a value can change what the rest is checked against (a
	// country that is not one: the phone is then read for the default
	// country) and what the record-level rules find (no name, no valid
	// contact left), so the record is validated again after each round
	// of drops. Every round clears at least one field, so it ends.
	for {
		var round []steward.FieldChange
		for _, f := range fs {
			v := rec.Get(f.Field)
			if !f.IsError() || v == "" || p.FieldActions[f.Field] != steward.FieldDrop {
				continue
			}
			if !slices.ContainsFunc(round, func(d steward.FieldChange) bool { return d.Field == f.Field }) {
				round = append(round, steward.FieldChange{Field: f.Field, Before: v})
			}
			f.Message = withValue(f.Field, v, f.Message)
			drops = append(drops, f)
		}
		if len(round) == 0 {
			break
		}
		for _, d := range round {
			rec.Set(d.Field, "")
		}
		c.Dropped = append(c.Dropped, round...)
		fs = p.Validate(rec)
	}
	for i, f := range fs {
		if f.IsError() && p.FieldActions[f.Field] == steward.FieldKeep && rec.Get(f.Field) != "" {
			fs[i].Severity = steward.SeverityWarning
			fs[i].Message = withValue(f.Field, rec.Get(f.Field), f.Message) + " The value was kept as it is."
		}
	}
	// A dropped value is a warning of a record that is kept. When the
	// record is refused all the same, the value was not left out of
	// anything: it is one of the errors to correct (often the reason,
	// as an invalid email leaves no valid contact).
	ok := !steward.HasError(fs) || p.OnInvalid != steward.InvalidReject
	for i := range drops {
		if ok {
			drops[i].Severity = steward.SeverityWarning
			drops[i].Message += DroppedNote
		}
	}
	if !ok {
		for _, d := range c.Dropped {
			rec.Set(d.Field, d.Before)
		}
		c.Dropped = nil
	}
	if len(drops) > 0 {
		fs = append(fs, drops...)
	}
	// What standardization guessed (a restored ZIP code's zero, an
	// inferred country) is reported for the value it kept.
	for _, g := range guessed {
		if rec.Get(g.Field) != "" {
			fs = append(fs, g)
		}
	}
	// Errors first, as the validator orders them.
	slices.SortStableFunc(fs, func(a, b steward.Finding) int {
		switch {
		case a.IsError() == b.IsError():
			return 0
		case a.IsError():
			return -1
		}
		return 1
	})
	c.Findings = fs
	c.OK = ok
	return c
}

// DroppedNote ends the message of a finding whose invalid value was left
// out of a record that was stored without it (steward.FieldDrop).
const DroppedNote = " The value was left out; the customer was kept without it."

// withValue puts the value v of field in front of msg (`phone "12": …`)
// unless it is there.
func withValue(field, v, msg string) string {
	prefix := fmt.Sprintf("%s %q: ", field, v)
	if strings.HasPrefix(msg, prefix) {
		return msg
	}
	return prefix + msg
}

// Action is what the gate does with a new record that looks like a
// customer.
type Action string

// Actions on a suspected duplicate.
const (
	ActionSuggest Action = "suggest" // store it and queue a merge suggestion
	ActionBlock   Action = "block"   // do not store it
	ActionMerge   Action = "merge"   // merge it into the customer it looks like
	ActionHold    Action = "hold"    // store it held and queue a merge suggestion
)

// Decide returns what becomes of a new record whose most probable match,
// at probability, reached the review threshold: blocked under
// DuplicateBlock, held under DuplicateHold, merged under DuplicateMerge
// when probability reaches the automatic-merge threshold, suggested
// otherwise.
func (p *Policy) Decide(probability float64) Action {
	switch p.OnDuplicate {
	case steward.DuplicateBlock:
		return ActionBlock
	case steward.DuplicateHold:
		return ActionHold
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
				fs[i].Message = withValue(f.Field, v, f.Message)
			}
		}
		return fs
	}
}
