package rules

import (
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Rules is a parsed, validated rules file merged onto the embedded defaults.
// Fields tagged yaml:"-" are filled when the file is checked (compiled
// forms); the rest mirror the file.
type Rules struct {
	// Version is the rules file format; only 1 exists.
	Version int `yaml:"version"`
	// Defaults applies where a record says nothing.
	Defaults Defaults `yaml:"defaults"`
	// Fields holds per-column requirements and checks, keyed by canonical
	// column name.
	Fields map[string]FieldRule `yaml:"fields"`
	// Attributes holds the same for attributes (non-canonical columns),
	// keyed by lower-case attribute name.
	Attributes map[string]FieldRule `yaml:"attributes"`
	// Require holds the record-level requirements.
	Require Require `yaml:"require"`
	// Gate says what a bulk import or an API write does with bad rows and
	// duplicates, and how big an input may be.
	Gate Gate `yaml:"gate"`
	// EmailVerification configures the email verification job.
	EmailVerification EmailVerification `yaml:"email_verification"`
	// Matching configures duplicate detection.
	Matching Matching `yaml:"matching"`
	// Survivorship says which value survives a merge, per field.
	Survivorship Survivorship `yaml:"survivorship"`
	// Schedules maps a schedule name to when it runs and which jobs.
	Schedules map[string]Schedule `yaml:"schedules"`
	// Suppression configures bounce handling.
	Suppression Suppression `yaml:"suppression"`
}

// DateOrder says how to read an ambiguous date such as 03/04/1990.
type DateOrder string

// Date orders. DateReject refuses to guess: an ambiguous date is invalid.
const (
	DateDMY    DateOrder = "dmy"
	DateMDY    DateOrder = "mdy"
	DateYMD    DateOrder = "ymd"
	DateReject DateOrder = "reject"
)

// Defaults are values assumed when a record does not give them.
type Defaults struct {
	// Country is an ISO 3166-1 alpha-2 code (upper case), or "" for none;
	// phone numbers and postal codes without a country are read as its.
	Country string `yaml:"country"`
	// Region is a default region (state, province), or "".
	Region string `yaml:"region"`
	// DateOrder reads ambiguous dates.
	DateOrder DateOrder `yaml:"date_order"`
}

// Check names one of steward's own validity checks.
type Check string

// Steward's checks, implemented by package validate.
const (
	CheckEmail      Check = "email"       // email syntax as a CRM needs it
	CheckPhone      Check = "phone"       // a phone number of the record's country
	CheckPostalCode Check = "postal_code" // the postal code format of the record's country
	CheckNationalID Check = "national_id" // a national identifier of the record's country
	CheckCountry    Check = "country"     // an ISO 3166-1 alpha-2 code
)

// Checks returns steward's checks.
func Checks() []Check {
	return []Check{CheckEmail, CheckPhone, CheckPostalCode, CheckNationalID, CheckCountry}
}

// Severity says whether a finding makes a row invalid (error) or is only
// reported (warning).
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// FieldRule is what one column must satisfy.
type FieldRule struct {
	// Required makes a record without this column invalid.
	Required bool `yaml:"required"`
	// Validate is a go-playground/validator tag applied to a non-empty
	// value, such as "max=100" or "datetime=2006-01-02".
	Validate string `yaml:"validate"`
	// Check is one of steward's checks, or "".
	Check Check `yaml:"check"`
	// Severity of this rule's findings: error (the default) or warning.
	Severity Severity `yaml:"severity"`
}

// Require holds the record-level requirements.
type Require struct {
	// Name wants a first name, a last name or a company.
	Name bool `yaml:"name"`
	// Contact wants at least one valid contact: an email address or a
	// phone number that passes its check.
	Contact bool `yaml:"contact"`
}

// InvalidAction is what the gate does with an invalid row.
type InvalidAction string

// Invalid-row actions.
const (
	InvalidReject InvalidAction = "reject" // the row goes to the rejects file
	InvalidWarn   InvalidAction = "warn"   // the row lands, with its findings recorded
)

// DuplicateAction is what the gate does with a row that matches a customer.
type DuplicateAction string

// Duplicate actions.
const (
	DuplicateSuggest DuplicateAction = "suggest" // land it and queue a merge suggestion
	DuplicateBlock   DuplicateAction = "block"   // reject the row
	DuplicateMerge   DuplicateAction = "merge"   // merge above the auto-merge threshold
)

// Gate configures the validation gate.
type Gate struct {
	OnInvalid   InvalidAction   `yaml:"on_invalid"`
	OnDuplicate DuplicateAction `yaml:"on_duplicate"`
	Limits      Limits          `yaml:"limits"`
}

// ByteSize is a size in bytes; the rules file writes it as a number or
// with a unit ("64KiB", "1 GB").
type ByteSize int64

// Limits bound what the gate accepts.
type Limits struct {
	MaxFileBytes ByteSize `yaml:"max_file_bytes"`
	MaxRowBytes  ByteSize `yaml:"max_row_bytes"`
	MaxFields    int      `yaml:"max_fields"`
}

// Verdict is the outcome of verifying one email address.
type Verdict string

// Email verdicts (see package validate).
const (
	VerdictValid   Verdict = "valid"
	VerdictInvalid Verdict = "invalid"
	VerdictRisky   Verdict = "risky"
	VerdictUnknown Verdict = "unknown"
)

// EmailVerification configures the verify-emails job and the gate's email
// checks.
type EmailVerification struct {
	// Window is how long a verification result is trusted before the
	// address is checked again.
	Window time.Duration `yaml:"window"`
	// DNSServer is the resolver's address (IP or IP:port); "" uses the
	// system resolver. Checking fills in port 53.
	DNSServer string `yaml:"dns_server"`
	// Timeout bounds one DNS lookup.
	Timeout time.Duration `yaml:"timeout"`
	// Concurrency bounds parallel lookups.
	Concurrency int `yaml:"concurrency"`
	// Reject lists the verdicts that make an address invalid.
	Reject []Verdict `yaml:"reject"`
}

// Matching configures duplicate detection. Which fields are compared, with
// which measures and levels, is the matcher's own (package dedupe): one
// model, trained on each data set by expectation-maximisation, serves every
// data set, so the rules file chooses only blocking, thresholds and
// automatic merging.
type Matching struct {
	Blocking Blocking `yaml:"blocking"`
	// ReviewThreshold is the match probability from which a pair joins a
	// cluster and so a suggestion for review, in (0, 1).
	ReviewThreshold float64 `yaml:"review_threshold"`
	// AutoMerge merges pairs above its threshold without review.
	AutoMerge AutoMerge `yaml:"auto_merge"`
}

// Blocking chooses the keys that make candidate pairs.
type Blocking struct {
	// MaxBlockSize is the largest block whose records are all paired with
	// each other; a larger block is paired by sorted neighbourhood instead
	// and reported, so no key can go quadratic. 0 keeps the matcher's own.
	MaxBlockSize int `yaml:"max_block_size"`
	// Keys names the blocking keys whose candidate pairs are united, from
	// dedupe.AllBlockingKeys(); empty keeps the matcher's own set.
	Keys []string `yaml:"keys"`
}

// AutoMerge configures merging without review; off by default.
type AutoMerge struct {
	Enabled bool `yaml:"enabled"`
	// Threshold is the match probability above which a pair is merged, in
	// (0, 1) and not below the review threshold.
	Threshold float64 `yaml:"threshold"`
}

// Strategy picks the surviving value of a field when records merge.
type Strategy string

// Survivorship strategies. MostRestrictive is for consent attributes: any
// opt-out wins.
const (
	MostRecent      Strategy = "most_recent"
	MostComplete    Strategy = "most_complete"
	SourcePriority  Strategy = "source_priority"
	MostFrequent    Strategy = "most_frequent"
	MostRestrictive Strategy = "most_restrictive"
)

// Survivorship says which value survives a merge.
type Survivorship struct {
	// Default applies to fields and attributes not listed.
	Default FieldSurvivorship `yaml:"default"`
	// Fields is keyed by canonical field.
	Fields map[string]FieldSurvivorship `yaml:"fields"`
	// Attributes is keyed by attribute name (lower case).
	Attributes map[string]FieldSurvivorship `yaml:"attributes"`
}

// FieldSurvivorship is one field's strategy. The rules file writes it as
// the strategy name, or as {strategy: source_priority, sources: [...]}.
type FieldSurvivorship struct {
	Strategy Strategy `yaml:"strategy"`
	// Sources ranks source systems, most trusted first (source_priority
	// only).
	Sources []string `yaml:"sources"`
}

// Job names a scheduled job.
type Job string

// Jobs a schedule can run.
const (
	JobStandardize  Job = "standardize"
	JobVerifyEmails Job = "verify-emails"
	JobDedupe       Job = "dedupe"
	JobSuppress     Job = "suppress"
	JobSnapshot     Job = "snapshot"
)

// Jobs returns the job names a schedule may list.
func Jobs() []Job {
	return []Job{JobStandardize, JobVerifyEmails, JobDedupe, JobSuppress, JobSnapshot}
}

// Schedule runs jobs, in order, at the times of a cron expression.
type Schedule struct {
	// Cron is a standard five-field cron expression or a descriptor such
	// as @daily; it may start with CRON_TZ=Zone.
	Cron string `yaml:"cron"`
	Jobs []Job  `yaml:"jobs"`

	// Spec is Cron, parsed by robfig/cron/v3.
	Spec cron.Schedule `yaml:"-"`
}

// Suppression configures bounce handling.
type Suppression struct {
	// HardBounceCodes lists RFC 3463 enhanced status codes that make an
	// address invalid at once; each part may be "*" ("5.1.*").
	HardBounceCodes []string `yaml:"hard_bounce_codes"`
	// SoftBouncesBeforeInvalid is how many soft bounces within
	// SoftBounceWindow make an address invalid.
	SoftBouncesBeforeInvalid int `yaml:"soft_bounces_before_invalid"`
	// SoftBounceWindow is how far back soft bounces count; 0 counts all.
	SoftBounceWindow time.Duration `yaml:"soft_bounce_window"`
}

// IsHardBounce reports whether an enhanced status code ("5.1.1") matches
// one of the hard bounce patterns.
func (s *Suppression) IsHardBounce(status string) bool {
	got := strings.Split(strings.TrimSpace(status), ".")
	if len(got) != 3 {
		return false
	}
	for _, pattern := range s.HardBounceCodes {
		want := strings.Split(pattern, ".")
		match := len(want) == 3
		for i := 0; match && i < 3; i++ {
			if want[i] == "*" {
				continue
			}
			a, errA := strconv.Atoi(want[i])
			b, errB := strconv.Atoi(got[i])
			match = errA == nil && errB == nil && a == b
		}
		if match {
			return true
		}
	}
	return false
}
