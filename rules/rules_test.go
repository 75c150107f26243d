package rules

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/validate"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestDefault(t *testing.T) {
	r := Default()
	if r.Matching.AutoMerge.Enabled {
		t.Error("auto-merge is on by default")
	}
	if r.Gate.OnInvalid != steward.InvalidReject || r.Gate.OnDuplicate != steward.DuplicateSuggest {
		t.Errorf("gate = %+v", r.Gate)
	}
	if want := (Require{Name: true, Contact: true}); r.Require != want {
		t.Errorf("require = %+v", r.Require)
	}
	if r.EmailVerification.Window != 30*24*time.Hour {
		t.Errorf("window = %v", r.EmailVerification.Window)
	}
	if r.Gate.Limits.MaxRowBytes != 64<<10 || r.Gate.Limits.MaxFileBytes != 2<<30 {
		t.Errorf("limits = %+v", r.Gate.Limits)
	}
	if r.Fields["email"].Check != validate.CheckEmail {
		t.Errorf("email field = %+v", r.Fields["email"])
	}
	s := r.Schedules["nightly"]
	if s.Spec == nil {
		t.Fatal("nightly schedule not compiled")
	}
	from := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	if got := s.Spec.Next(from); !got.Equal(time.Date(2026, 1, 2, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("nightly next = %v", got)
	}
	if Default() == r {
		t.Error("Default returned the same value twice")
	}
}

func TestParseMergesOntoDefaults(t *testing.T) {
	file := `
defaults:
  country: ir
  date_order: ymd
fields:
  email: {required: true}
  company: ~
require:
  name: false
attributes:
  tier: {validate: "oneof=gold silver", severity: warning}
matching:
  blocking:
    max_block_size: 50
  review_threshold: 0.7
schedules:
  nightly: ~
  weekly:
    cron: "CRON_TZ=Asia/Tehran 0 3 * * 5"
    jobs: [dedupe, snapshot]
survivorship:
  fields:
    email: {strategy: source_priority, sources: [crm, shop]}
email_verification:
  dns_server: 127.0.0.1
  window: 1w2h
`
	r, err := Parse([]byte(file), "steward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	if r.Defaults.Country != "IR" || r.Defaults.DateOrder != DateYMD {
		t.Errorf("defaults = %+v", r.Defaults)
	}
	if f := r.Fields["email"]; !f.Required || f.Check != validate.CheckEmail || f.Validate != "max=254" {
		t.Errorf("email field did not merge onto the default: %+v", f)
	}
	if _, ok := r.Fields["company"]; ok {
		t.Error("company: ~ did not remove the field rule")
	}
	if !reflect.DeepEqual(r.Fields["phone"], def.Fields["phone"]) {
		t.Error("phone field changed though the file does not mention it")
	}
	if want := (Require{Name: false, Contact: true}); r.Require != want {
		t.Errorf("require = %+v", r.Require)
	}
	if want := (FieldRule{Validate: "oneof=gold silver", Severity: steward.SeverityWarning}); r.Attributes["tier"] != want {
		t.Errorf("tier attribute rule = %+v", r.Attributes["tier"])
	}
	if len(r.Matching.Blocking.Keys) != len(def.Matching.Blocking.Keys) {
		t.Errorf("blocking keys changed")
	}
	if cfg := r.DedupeConfig(); cfg.MaxBlock != 50 || cfg.Threshold != 0.7 {
		t.Errorf("matcher settings from the file: max block %d, threshold %v", cfg.MaxBlock, cfg.Threshold)
	}
	if r.Matching.ReviewThreshold != 0.7 || r.Matching.AutoMerge.Threshold != 0.99 {
		t.Errorf("thresholds %v %v", r.Matching.ReviewThreshold, r.Matching.AutoMerge.Threshold)
	}
	if _, ok := r.Schedules["nightly"]; ok {
		t.Error("nightly: ~ did not remove the schedule")
	}
	w := r.Schedules["weekly"]
	if w.Spec == nil || !reflect.DeepEqual(w.Jobs, []string{steward.JobDedupe, steward.JobSnapshot}) {
		t.Errorf("weekly = %+v", w)
	}
	if got := r.Survivorship.Fields["email"]; got.Strategy != steward.SourcePriority || !reflect.DeepEqual(got.Sources, []string{"crm", "shop"}) {
		t.Errorf("email survivorship = %+v", got)
	}
	if r.Survivorship.Fields["first_name"].Strategy != steward.MostComplete {
		t.Error("default survivorship for first_name lost")
	}
	if r.EmailVerification.DNSServer != "127.0.0.1:53" {
		t.Errorf("dns server = %q", r.EmailVerification.DNSServer)
	}
	if r.EmailVerification.Window != 7*24*time.Hour+2*time.Hour {
		t.Errorf("window = %v", r.EmailVerification.Window)
	}
}

func TestParseReplacesStrategyWhole(t *testing.T) {
	file := `
survivorship:
  default: {strategy: most_frequent}
  fields:
    first_name: {strategy: source_priority, sources: [crm]}
`
	r, err := Parse([]byte(file), "steward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Survivorship.Default; got.Strategy != steward.MostFrequent || got.Sources != nil {
		t.Errorf("default survivorship = %+v", got)
	}
	r2, err := Parse([]byte("survivorship:\n  fields:\n    first_name: {strategy: most_recent}\n"), "steward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := r2.Survivorship.Fields["first_name"]; got.Strategy != steward.MostRecent || got.Sources != nil {
		t.Errorf("first_name survivorship = %+v", got)
	}
}

// The default rules give the matcher exactly the settings its accuracy is
// measured with (package dedupe's tests), so what users run is what was
// measured.
func TestDefaultRulesAreTheMatchersDefaults(t *testing.T) {
	got, want := Default().DedupeConfig(), dedupe.DefaultConfig()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default rules give the matcher\n%+v\nwant dedupe.DefaultConfig()\n%+v", got, want)
	}
}

func TestParseBlockingKeys(t *testing.T) {
	r, err := Parse([]byte("matching:\n  blocking:\n    keys: [email, phone]\n"), "steward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.DedupeConfig().Blocking; !reflect.DeepEqual(got, []dedupe.BlockingKey{dedupe.BlockEmail, dedupe.BlockPhone}) {
		t.Errorf("blocking = %v", got)
	}
	_, err = Parse([]byte("matching:\n  blocking:\n    keys: [email, phnoe, email]\n  comparisons:\n    email: {method: exact}\n"), "steward.yaml")
	for _, want := range []string{
		`steward.yaml:3:19: matching.blocking.keys[1]: unknown blocking key "phnoe" (did you mean "phone"?)`,
		`steward.yaml:3:26: matching.blocking.keys[2]: blocking key "email" is listed twice`,
		`steward.yaml:4:3: matching.comparisons: unknown`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
}

func TestParseEmpty(t *testing.T) {
	for _, data := range []string{"", "# nothing\n", "~\n", "---\n"} {
		r, err := Parse([]byte(data), "empty.yaml")
		if err != nil {
			t.Errorf("%q: %v", data, err)
			continue
		}
		if !reflect.DeepEqual(r, Default()) {
			t.Errorf("%q: not the defaults", data)
		}
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // each must appear, in order
	}{
		{"syntax", "gate:\n  on_invalid: [\n", []string{"f.yaml:2:1: did not find expected node content"}},
		{"tab", "gate:\n\ton_invalid: warn\n", []string{"f.yaml:2:1: found character that cannot start any token (a tab: YAML indents with spaces only)"}},
		{"map entry twice", "fields:\n  email: {check: email}\n  email: {required: true}\n", []string{"f.yaml:3:3: fields.email: set twice (first on line 2)"}},
		{"not a mapping", "- a\n- b\n", []string{"f.yaml:1:1: want a mapping, got a list"}},
		{"two documents", "version: 1\n---\nversion: 1\n", []string{"f.yaml:2:1: a rules file holds one YAML document"}},
		{"unknown section", "matchng:\n  review_threshold: 0.5\n", []string{`f.yaml:1:1: matchng: unknown setting "matchng" (did you mean "matching"?)`}},
		{"unknown key, no hint", "gate:\n  zzzzzz: 1\n", []string{`f.yaml:2:3: gate.zzzzzz: unknown setting "zzzzzz"`}},
		{"set twice", "gate:\n  on_invalid: warn\n  on_invalid: reject\n", []string{"f.yaml:3:3: gate.on_invalid: set twice (first on line 2)"}},
		{"wrong type", "matching:\n  review_threshold: high\n", []string{`f.yaml:2:21: matching.review_threshold: want a number, got "high"`}},
		{"list for a value", "gate:\n  on_invalid: [reject]\n", []string{"f.yaml:2:15: gate.on_invalid: want a single value, got a list"}},
		{"scalar for a section", "gate: strict\n", []string{`f.yaml:1:7: gate: want a mapping, got "strict"`}},
		{"version", "version: 2\n", []string{"f.yaml:1:10: version: only version 1 exists, got 2"}},
		{"review above auto-merge", "matching:\n  review_threshold: 0.995\n", []string{"f.yaml:2:21: matching.review_threshold: review_threshold (0.995) is above auto_merge.threshold (0.99)"}},
		{"auto-merge below review", "matching:\n  auto_merge: {threshold: 0.4}\n", []string{"f.yaml:2:27: matching.auto_merge.threshold: review_threshold (0.5) is above"}},
		{"threshold out of range", "matching:\n  review_threshold: 1\n", []string{"f.yaml:2:21: matching.review_threshold: must be between 0 and 1 (exclusive), got 1"}},
		{"nan threshold", "matching:\n  review_threshold: .nan\n", []string{"matching.review_threshold: must be between 0 and 1"}},
		{"cron", "schedules:\n  nightly: {cron: \"61 * * * *\"}\n", []string{`f.yaml:2:19: schedules.nightly.cron: bad cron expression "61 * * * *"`}},
		{"cron missing", "schedules:\n  weekly:\n    jobs: [dedupe]\n", []string{"f.yaml:2:3: schedules.weekly: a schedule needs a cron expression"}},
		{"jobs missing", "schedules:\n  weekly: {cron: \"@weekly\"}\n", []string{"f.yaml:2:3: schedules.weekly: list at least one job"}},
		{"unknown job", "schedules:\n  nightly: {jobs: [dedup]}\n", []string{`f.yaml:2:20: schedules.nightly.jobs[0]: unknown job "dedup"`, `(did you mean "dedupe"?)`}},
		{"catch_up negative", "schedules:\n  nightly: {catch_up: -1h}\n", []string{"schedules.nightly.catch_up: must not be negative"}},
		{"unknown strategy", "survivorship:\n  fields: {email: latest}\n", []string{`f.yaml:2:19: survivorship.fields.email: unknown value "latest"`}},
		{"unknown field", "fields:\n  e_mail: {required: true}\n", []string{`f.yaml:2:3: fields.e_mail: unknown field "e_mail" (did you mean "email"?)`}},
		{"unknown check", "fields:\n  email: {check: mx}\n", []string{`f.yaml:2:18: fields.email.check: unknown value "mx"`}},
		{"bad validator tag", "fields:\n  city: {validate: \"len=\"}\n", []string{`f.yaml:2:20: fields.city.validate: "len=" is not a valid validator tag`}},
		{"bad part of a validator tag", "fields:\n  city: {validate: \"required,lenn=3\"}\n", []string{`f.yaml:2:20: fields.city.validate: "lenn=3" is not a valid validator tag: there is no validator "lenn"`}},
		{"dive tag", "fields:\n  city: {validate: \"dive,max=3\"}\n", []string{`validator tag "dive" compares struct fields`}},
		{"byte size", "gate:\n  limits: {max_row_bytes: -5}\n", []string{"f.yaml:2:27: gate.limits.max_row_bytes: must be more than 0"}},
		{"byte size unit", "gate:\n  limits: {max_row_bytes: 5 parsecs}\n", []string{"f.yaml:2:27: gate.limits.max_row_bytes: want a size"}},
		{"duration", "suppression:\n  soft_bounce_window: 30\n", []string{"f.yaml:2:23: suppression.soft_bounce_window: want a duration such as 30d, 12h or 5s, got 30"}},
		{"unknown blocking key", "matching:\n  blocking:\n    keys: [emial]\n", []string{`f.yaml:3:12: matching.blocking.keys[0]: unknown blocking key "emial" (did you mean "email"?); the keys are: email,`}},
		{"blocking key as a mapping", "matching:\n  blocking:\n    keys: [{on: [email]}]\n", []string{`f.yaml:3:12: matching.blocking.keys[0]: want a single value, got a mapping`}},
		{"duplicate blocking key", "matching:\n  blocking:\n    keys: [email, email]\n", []string{`f.yaml:3:19: matching.blocking.keys[1]: blocking key "email" is listed twice`}},
		{"requirement", "require:\n  contacts: true\n", []string{`f.yaml:2:3: require.contacts: unknown setting "contacts" (did you mean "contact"?)`}},
		{"attribute named like a field", "attributes:\n  email: {required: true}\n", []string{`f.yaml:2:3: attributes.email: "email" is a canonical field: put it under fields`}},
		{"severity", "fields:\n  email: {severity: fatal}\n", []string{`f.yaml:2:21: fields.email.severity: unknown value "fatal": want one of error, warning`}},
		{"on_invalid", "fields:\n  phone: {on_invalid: drop}\n", []string{`f.yaml:2:23: fields.phone.on_invalid: unknown value "drop": want one of reject, drop_field, keep`}},
		{"on_invalid of an attribute", "attributes:\n  tier: {on_invalid: skip}\n", []string{`f.yaml:2:22: attributes.tier.on_invalid: unknown value "skip"`}},
		{"id cannot be dropped", "fields:\n  id: {on_invalid: drop_field}\n", []string{"f.yaml:2:20: fields.id.on_invalid: id identifies the record across imports: it can only reject, not drop_field"}},
		{"source cannot be kept", "fields:\n  source:\n    on_invalid: keep\n", []string{"f.yaml:3:17: fields.source.on_invalid: source identifies the record"}},
		{"required cannot be dropped", "fields:\n  email:\n    required: true\n    on_invalid: drop_field\n", []string{"f.yaml:4:17: fields.email.on_invalid: email is required, so dropping it"}},
		{"alias bomb", aliasBomb(), []string{"the file expands to more than 100000 values"}},
		{"every problem, in file order", "gate:\n  on_invalid: nope\nmatching:\n  review_threshold: 7\nschedules:\n  x: {cron: bad, jobs: [dedupe]}\n",
			[]string{"f.yaml:2:15: gate.on_invalid", "f.yaml:4:21: matching.review_threshold", "f.yaml:6:13: schedules.x.cron"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse([]byte(tt.file), "f.yaml")
			if err == nil {
				t.Fatalf("no problems; rules %+v", r)
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %T, want Problems", err)
			}
			if steward.ErrorCode(err) != steward.EINVALID {
				t.Errorf("code %s, want invalid", steward.ErrorCode(err))
			}
			msg := err.Error()
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("problems\n%s\ndo not contain %q (in order)", msg, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// aliasBomb is a small file whose aliases expand to 160,000 values.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("x-list: &l [" + strings.Repeat("dedupe, ", 399) + "dedupe]\n")
	b.WriteString("x-schedule: &s {cron: \"@daily\", jobs: *l}\n")
	b.WriteString("schedules: {")
	for i := range 400 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "s%d: *s", i)
	}
	b.WriteString("}\n")
	return b.String()
}

func TestProblemsGolden(t *testing.T) {
	for _, name := range []string{"bad.yaml", "typos.yaml"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			_, err := Load(path)
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v, want Problems", err)
			}
			got := []byte(err.Error() + "\n")
			golden := path + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("problems differ from %s (run with -update to accept):\n%s", golden, got)
			}
		})
	}
}

func TestExampleFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/good-*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example files: %v", err)
	}
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Errorf("%s:\n%v", f, err)
		}
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load("testdata/no-such-file.yaml")
	if steward.ErrorCode(err) != steward.ENOTFOUND {
		t.Errorf("error %v, want not_found", err)
	}
}

func TestDefaultFileParses(t *testing.T) {
	r, err := Parse(DefaultFile(), "default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, Default()) {
		t.Error("the default file read as a user file differs from Default()")
	}
}

func TestIsHardBounce(t *testing.T) {
	s := Default().Suppression
	tests := []struct {
		status string
		want   bool
	}{
		{"5.1.1", true}, {"5.1.10", true}, {"5.2.1", true}, {"5.2.2", false},
		{"4.1.1", false}, {"5.7.1", false}, {"garbage", false}, {"", false},
	}
	for _, tt := range tests {
		if got := s.IsHardBounce(tt.status); got != tt.want {
			t.Errorf("IsHardBounce(%q) = %v, want %v", tt.status, got, tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30d", 30 * 24 * time.Hour, true},
		{"2w", 14 * 24 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"90s", 90 * time.Second, true},
		{"-5s", -5 * time.Second, true},
		{"30 days", 0, false},
		{"d", 0, false},
		{"1d-2h", 0, false},
		{"2147483647w", 0, false},
		{"36600d2562047h", 0, false},
		{"36600d", 36600 * 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestQualityThresholds(t *testing.T) {
	r := Default()
	if len(r.Quality.Thresholds) != 2 || r.Quality.Thresholds[0].Bound != "share_below" || r.Quality.Thresholds[1].Bound != "count_above" {
		t.Fatalf("default thresholds %+v", r.Quality.Thresholds)
	}
	tests := []struct{ name, file, want string }{
		{"two bounds", "quality:\n  thresholds:\n    - {metric: validity.email, share_below: 0.9, count_above: 3}\n", "bad.yaml:4:63: quality.thresholds[0].count_above: a threshold has one bound: share_below is set already"},
		{"no bound", "quality:\n  thresholds:\n    - {metric: validity.email}\n", "give the threshold a bound"},
		{"unknown dimension", "quality:\n  thresholds:\n    - {metric: validty.email, share_below: 0.9}\n", `unknown dimension "validty" (did you mean "validity"?)`},
		{"share over one", "quality:\n  thresholds:\n    - {metric: consent.sendable, share_below: 95}\n", "a share is between 0 and 1"},
		{"webhook", "quality:\n  webhook: ftp://x\n", "want an http:// or https:// address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte("version: 1\n"+tt.file), "bad.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestScheduleCatchUp(t *testing.T) {
	r, err := Parse([]byte("schedules:\n  hourly: {cron: \"@hourly\", jobs: [dedupe]}\n  quick: {cron: \"@every 1m\", jobs: [dedupe], catch_up: 0s}\n  late: {cron: \"@daily\", jobs: [dedupe], catch_up: 1d}\n"), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]time.Duration{"hourly": DefaultCatchUp, "quick": 0, "late": 24 * time.Hour} {
		if got := r.Schedules[name].CatchUp; got != want {
			t.Errorf("%s: catch_up = %v, want %v", name, got, want)
		}
	}
}
