package rules

import (
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/validate"
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
	Survivorship steward.Survivorship `yaml:"survivorship"`
	// Schedules maps a schedule name to when it runs and which jobs.
	Schedules map[string]Schedule `yaml:"schedules"`
	// Suppression configures bounce handling.
	Suppression Suppression `yaml:"suppression"`
	// Quality configures the data-quality snapshots: thresholds that
	// raise a warning, where reports go.
	Quality Quality `yaml:"quality"`
}

// Quality configures the data-quality snapshots and their alerts.
type Quality struct {
	// Thresholds are checked against every snapshot; one crossed makes
	// the snapshot job's run a warning, is logged, and is posted to
	// Webhook.
	Thresholds []Threshold `yaml:"thresholds"`
	// Webhook, when set, receives a JSON POST for every snapshot that
	// crosses a threshold.
	Webhook string `yaml:"webhook"`
	// ReportDir, when set, receives the HTML report of every snapshot the
	// job takes (the periodic report).
	ReportDir string `yaml:"report_dir"`
}

// Threshold is a bound on one metric of the snapshots: exactly one of
// ShareBelow, ShareAbove and CountAbove is set.
type Threshold struct {
	// Metric is "dimension.field" ("validity.email", "backlog.older_than_7d")
	// or a dimension alone for the record-level metric ("uniqueness").
	Metric string `yaml:"metric"`
	// Source restricts it to one source system; "" is all customers.
	Source string `yaml:"source"`
	// ShareBelow warns when the metric's share falls below it (0..1).
	ShareBelow float64 `yaml:"share_below"`
	// ShareAbove warns when the share rises above it (0..1).
	ShareAbove float64 `yaml:"share_above"`
	// CountAbove warns when the metric's count (its numerator) rises
	// above it.
	CountAbove int64 `yaml:"count_above"`

	// Bound is which of the three the file sets: "share_below",
	// "share_above" or "count_above".
	Bound string `yaml:"-"`
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

// FieldRule is what one column must satisfy.
type FieldRule struct {
	// Required makes a record without this column invalid.
	Required bool `yaml:"required"`
	// Validate is a go-playground/validator tag applied to a non-empty
	// value, such as "max=100" or "datetime=2006-01-02".
	Validate string `yaml:"validate"`
	// Check is one of steward's checks, or "".
	Check validate.FieldCheck `yaml:"check"`
	// Severity of this rule's findings: error (the default) or warning.
	Severity steward.Severity `yaml:"severity"`
	// OnInvalid says what becomes of a record whose value fails this
	// rule with an error: reject the record, drop the field (clear it,
	// keep the record, warn) or keep the value (warn). Unset, a required
	// field (and id and source) rejects and any other drops; see
	// Rules.FieldActions.
	OnInvalid steward.FieldAction `yaml:"on_invalid"`
}

// Require holds the record-level requirements.
type Require struct {
	// Name wants a first name, a last name or a company.
	Name bool `yaml:"name"`
	// Contact wants at least one valid contact: an email address or a
	// phone number that passes its check.
	Contact bool `yaml:"contact"`
}

// Gate configures the validation gate.
type Gate struct {
	OnInvalid   steward.InvalidAction   `yaml:"on_invalid"`
	OnDuplicate steward.DuplicateAction `yaml:"on_duplicate"`
	Limits      Limits                  `yaml:"limits"`
}

// ByteSize is a size in bytes; the rules file writes it as a number or
// with a unit ("64KiB", "1 GB").
type ByteSize int64

// Limits bound what the gate accepts.
type Limits struct {
	MaxFileBytes ByteSize `yaml:"max_file_bytes"`
	MaxRowBytes  ByteSize `yaml:"max_row_bytes"`
	MaxFields    int      `yaml:"max_fields"`
	// MaxRowLines bounds the lines one row may span (a quoted field with
	// line breaks); more means a quote was left open.
	MaxRowLines int `yaml:"max_row_lines"`
	// MaxUnpackRatio bounds what a workbook may unpack to, as a multiple
	// of its size.
	MaxUnpackRatio int `yaml:"max_unpack_ratio"`
}

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
	Reject []validate.Verdict `yaml:"reject"`
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
	// RetrainAfter is how long the nightly dedupe job scores with the
	// model it stored before training it again; 0 trains every run.
	RetrainAfter time.Duration `yaml:"retrain_after"`
	// RetrainAfterDecisions is how many stewards' decisions (merged pairs,
	// not-duplicate marks) made since the model was trained make the
	// nightly job train it again; 0 trains after any. Until then a
	// decision still acts at once (a not-duplicate pair is never
	// suggested) and the nightly dedupe stays incremental.
	RetrainAfterDecisions int `yaml:"retrain_after_decisions"`
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

// Schedule runs jobs, in order, at the times of a cron expression.
type Schedule struct {
	// Cron is a standard five-field cron expression or a descriptor such
	// as @daily; it may start with CRON_TZ=Zone.
	Cron string `yaml:"cron"`
	// Jobs are names from steward.JobNames.
	Jobs []string `yaml:"jobs"`
	// CatchUp is how late a time missed while no instance was up may
	// still run (once, the latest such time); older ones are recorded as
	// missed. 0s catches up nothing; default 6h.
	CatchUp time.Duration `yaml:"catch_up"`
	// Full makes the jobs that follow changes (standardize, verify-emails,
	// dedupe) examine every customer, as `steward run --full` does, instead
	// of those changed since their last successful run: a weekly full
	// pass beside an incremental nightly.
	Full bool `yaml:"full"`

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
	// Inbox is a Maildir of inbound mail (delivery reports, complaint
	// reports, unsubscribe requests) that the suppress job ingests; ""
	// reads none.
	Inbox string `yaml:"inbox"`
	// AsideDir receives the inbound messages that cannot be classified,
	// with the reasons; "" is a folder "failed" beside the inbox.
	AsideDir string `yaml:"aside_dir"`
	// ESPDir is a folder of email providers' suppression exports
	// (mailchimp-….csv, sendgrid-….csv, mailgun-….csv, ses-….csv,
	// plain-….txt, or any name whose columns say the provider) that the
	// suppress job imports, moving each imported file to imported/; ""
	// reads none.
	ESPDir string `yaml:"esp_dir"`
	// OwnMTAIDs are the authserv-ids of the MTAs that receive steward's
	// inbound mail: only their Authentication-Results headers are
	// believed.
	OwnMTAIDs []string `yaml:"own_mta_ids"`
	// SendGridGroups names the steward list of each SendGrid unsubscribe
	// group (ASM group id → list), so that a group unsubscribe suppresses
	// that list only; a group not named here suppresses the list
	// "sendgrid-group-ID", never every message.
	SendGridGroups map[string]string `yaml:"sendgrid_groups"`
}

// SendGridGroupList is the steward list a SendGrid unsubscribe group
// stands for (see SendGridGroups).
func (s *Suppression) SendGridGroupList(group int) string {
	id := strconv.Itoa(group)
	if l := s.SendGridGroups[id]; l != "" {
		return l
	}
	return "sendgrid-group-" + id
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
