package rules

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/robfig/cron/v3"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/lib/didyoumean"
	"github.com/steward-crm/steward/validate"
)

// check validates r after decoding and fills its compiled fields. Problems
// go to d, positioned where the file sets the offending value.
func (d *decoder) check(r *Rules) {
	v := validator.New()
	if r.Version != 1 {
		d.at("version", "only version 1 exists, got %d", r.Version)
	}
	d.checkDefaults(v, &r.Defaults)
	d.checkFields(v, r)
	d.checkGate(r)
	d.checkEmail(&r.EmailVerification)
	d.checkMatching(&r.Matching)
	d.checkSurvivorship(&r.Survivorship)
	d.checkSchedules(r.Schedules)
	d.checkSuppression(&r.Suppression)
	d.checkQuality(&r.Quality)
}

// qualityDimensions are the dimensions a threshold may name.
var qualityDimensions = []string{steward.DimCompleteness, steward.DimValidity, steward.DimStandardization,
	steward.DimUniqueness, steward.DimTimeliness, steward.DimConsent, steward.DimBacklog}

func (d *decoder) checkQuality(q *Quality) {
	if q.Webhook != "" {
		if u, err := url.Parse(q.Webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			d.at("quality.webhook", "want an http:// or https:// address, got %q", q.Webhook)
		}
	}
	for i := range q.Thresholds {
		th := &q.Thresholds[i]
		path := fmt.Sprintf("quality.thresholds[%d]", i)
		dim, _, _ := strings.Cut(th.Metric, ".")
		if th.Metric == "" {
			d.at(firstInFile(d, path+".metric", path), "a threshold names its metric, such as validity.email or backlog.older_than_7d")
		} else if !slices.Contains(qualityDimensions, dim) {
			d.at(path+".metric", "unknown dimension %q%s: want one of %s", dim, didyoumean.Hint(dim, qualityDimensions), strings.Join(qualityDimensions, ", "))
		}
		th.Bound = ""
		set := map[string]bool{"share_below": th.ShareBelow != 0, "share_above": th.ShareAbove != 0, "count_above": th.CountAbove != 0}
		for _, b := range []string{"share_below", "share_above", "count_above"} {
			// A bound of 0 counts when the file writes it (count_above:
			// 0 warns at the first one).
			if !set[b] && !d.inFile(path+"."+b) {
				continue
			}
			if th.Bound != "" {
				d.at(path+"."+b, "a threshold has one bound: %s is set already", th.Bound)
				continue
			}
			th.Bound = b
		}
		switch th.Bound {
		case "":
			d.at(firstInFile(d, path+".metric", path), "give the threshold a bound: share_below, share_above or count_above")
		case "share_below", "share_above":
			if v := th.ShareBelow + th.ShareAbove; v < 0 || v > 1 {
				d.at(path+"."+th.Bound, "a share is between 0 and 1 (0.95 is 95%%), got %g", v)
			}
		case "count_above":
			if th.CountAbove < 0 {
				d.at(path+".count_above", "a count is not negative, got %d", th.CountAbove)
			}
		}
	}
}

func oneOf[T ~string](d *decoder, path string, got T, allowed ...T) bool {
	if slices.Contains(allowed, got) {
		return true
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	if got == "" {
		d.at(path, "missing: want one of %s", strings.Join(names, ", "))
		return false
	}
	d.at(path, "unknown value %q: want one of %s%s", got, strings.Join(names, ", "), didyoumean.Hint(string(got), names))
	return false
}

func (d *decoder) checkDefaults(v *validator.Validate, def *Defaults) {
	def.Country = strings.ToUpper(strings.TrimSpace(def.Country))
	if def.Country != "" {
		if err := v.Var(def.Country, "iso3166_1_alpha2"); err != nil {
			d.at("defaults.country", "%q is not an ISO 3166-1 alpha-2 country code", def.Country)
		}
	}
	def.Region = strings.TrimSpace(def.Region)
	if def.Region != "" && def.Country == "" {
		d.at("defaults.region", "a default region needs a default country")
	}
	oneOf(d, "defaults.date_order", def.DateOrder, DateDMY, DateMDY, DateYMD, DateReject)
}

// crossField names validator tags that compare with other struct fields;
// they mean nothing for a single column.
var crossField = regexp.MustCompile(`field|^required_|^excluded_|^skip_unless$|^dive$|^keys$|^endkeys$`)

func (d *decoder) checkFields(v *validator.Validate, r *Rules) {
	columns := steward.CanonicalColumns()
	for _, name := range sortedKeys(r.Fields) {
		path := "fields." + name
		if !slices.Contains(columns, name) {
			d.atKey(path, "unknown field %q%s", name, didyoumean.Hint(name, columns))
			continue
		}
		d.checkFieldRule(v, path, r.Fields[name])
	}
	for _, name := range sortedKeys(r.Attributes) {
		path := "attributes." + name
		switch {
		case slices.Contains(columns, name):
			d.atKey(path, "%q is a canonical field: put it under fields", name)
			continue
		case name != strings.ToLower(strings.TrimSpace(name)) || name == "":
			d.atKey(path, "attribute names are lower case without surrounding spaces, got %q", name)
			continue
		}
		d.checkFieldRule(v, path, r.Attributes[name])
	}
}

func (d *decoder) checkFieldRule(v *validator.Validate, path string, f FieldRule) {
	if f.Validate != "" {
		if msg := checkTag(v, f.Validate); msg != "" {
			d.at(path+".validate", "%s", msg)
		}
	}
	if f.Check != "" {
		oneOf(d, path+".check", f.Check, validate.FieldChecks()...)
	}
	if f.Severity != "" {
		oneOf(d, path+".severity", f.Severity, steward.SeverityError, steward.SeverityWarning)
	}
	if f.OnInvalid == "" || !oneOf(d, path+".on_invalid", f.OnInvalid, steward.FieldActions()...) {
		return
	}
	switch name := path[strings.LastIndexByte(path, '.')+1:]; {
	case f.OnInvalid != steward.FieldReject && (path == "fields."+steward.ColumnID || path == "fields."+steward.ColumnSource):
		d.at(path+".on_invalid", "%s identifies the record across imports: it can only reject, not %s", name, f.OnInvalid)
	case f.OnInvalid == steward.FieldDrop && f.Required:
		d.at(firstInFile(d, path+".on_invalid", path+".required"),
			"%s is required, so dropping it would leave the record without it: use reject or keep, or make it optional", name)
	}
}

// checkTag returns why tag is not a usable validator tag for one string
// value, or "". The validator panics on unknown tags and bad parameters, so
// the tag is tried on sample values with the panic recovered.
func checkTag(v *validator.Validate, tag string) (msg string) {
	for _, part := range strings.FieldsFunc(tag, func(r rune) bool { return r == ',' || r == '|' }) {
		name, _, _ := strings.Cut(part, "=")
		if crossField.MatchString(strings.TrimSpace(name)) {
			return fmt.Sprintf("validator tag %q compares struct fields, it cannot check one column (use required, or require.name / require.contact)", name)
		}
	}
	// Each part alone first, so that the message names the part at fault.
	if parts := strings.FieldsFunc(tag, func(r rune) bool { return r == ',' || r == '|' }); len(parts) > 1 {
		for _, part := range parts {
			if msg := checkTag(v, part); msg != "" {
				return msg
			}
		}
	}
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprintf("%q is not a valid validator tag: %s", tag, tagPanic(tag, fmt.Sprint(p)))
		}
	}()
	for _, sample := range []string{"", "x", "12345", "Ann Smith", "a@example.com"} {
		_ = v.Var(sample, tag)
	}
	return ""
}

// tagPanic turns the validator's panic about tag into words for a rules
// file's author.
func tagPanic(tag, p string) string {
	name, param, _ := strings.Cut(tag, "=")
	switch {
	case strings.HasPrefix(p, "Undefined validation function"):
		return fmt.Sprintf("there is no validator %q (see https://pkg.go.dev/github.com/go-playground/validator/v10 for the tags)", name)
	case strings.Contains(p, "strconv.Parse"):
		return fmt.Sprintf("%s needs a number, not %q", name, param)
	}
	return strings.TrimSuffix(p, " on field ''")
}

func (d *decoder) checkGate(r *Rules) {
	g := &r.Gate
	oneOf(d, "gate.on_invalid", g.OnInvalid, steward.InvalidActions()...)
	if oneOf(d, "gate.on_duplicate", g.OnDuplicate, steward.DuplicateActions()...) &&
		g.OnDuplicate == steward.DuplicateMerge && !r.Matching.AutoMerge.Enabled {
		d.at("gate.on_duplicate", "merge needs matching.auto_merge.enabled: true")
	}
	l := g.Limits
	if l.MaxFileBytes <= 0 {
		d.at("gate.limits.max_file_bytes", "must be more than 0")
	}
	if l.MaxRowBytes <= 0 {
		d.at("gate.limits.max_row_bytes", "must be more than 0")
	} else if l.MaxFileBytes > 0 && l.MaxRowBytes > l.MaxFileBytes {
		d.at(firstInFile(d, "gate.limits.max_row_bytes", "gate.limits.max_file_bytes"),
			"max_row_bytes (%d) is more than max_file_bytes (%d)", l.MaxRowBytes, l.MaxFileBytes)
	}
	if l.MaxFields <= 0 || l.MaxFields > 10000 {
		d.at("gate.limits.max_fields", "must be between 1 and 10000, got %d", l.MaxFields)
	}
	if l.MaxRowLines <= 0 || l.MaxRowLines > 100000 {
		d.at("gate.limits.max_row_lines", "must be between 1 and 100000, got %d", l.MaxRowLines)
	}
	if l.MaxUnpackRatio < 2 || l.MaxUnpackRatio > 10000 {
		d.at("gate.limits.max_unpack_ratio", "must be between 2 and 10000, got %d", l.MaxUnpackRatio)
	}
}

// firstInFile returns the first of paths that the file sets, or the first
// path, so that a problem between two settings points at the one the user
// wrote.
func firstInFile(d *decoder, paths ...string) string {
	for _, p := range paths {
		if d.inFile(p) {
			return p
		}
	}
	return paths[0]
}

func (d *decoder) checkEmail(e *EmailVerification) {
	if e.Window < 0 {
		d.at("email_verification.window", "must not be negative")
	}
	if e.Timeout <= 0 {
		d.at("email_verification.timeout", "must be more than 0")
	}
	if e.Concurrency < 1 || e.Concurrency > 1024 {
		d.at("email_verification.concurrency", "must be between 1 and 1024, got %d", e.Concurrency)
	}
	if s := strings.TrimSpace(e.DNSServer); s != "" {
		if ip := net.ParseIP(strings.Trim(s, "[]")); ip != nil {
			e.DNSServer = net.JoinHostPort(ip.String(), "53")
		} else if host, port, err := net.SplitHostPort(s); err == nil && net.ParseIP(host) != nil && validPort(port) {
			e.DNSServer = net.JoinHostPort(host, port)
		} else {
			d.at("email_verification.dns_server", "want an IP address with an optional port (8.8.8.8, 127.0.0.1:5353, [::1]:53), got %q", s)
		}
	}
	seen := make(map[validate.Verdict]bool)
	for i, v := range e.Reject {
		path := fmt.Sprintf("email_verification.reject[%d]", i)
		if v == validate.Valid {
			d.at(path, "valid addresses cannot be rejected")
			continue
		}
		if !oneOf(d, path, v, validate.Invalid, validate.Risky, validate.Unknown) {
			continue
		}
		if seen[v] {
			d.at(path, "%s is listed twice", v)
		}
		seen[v] = true
	}
}

func validPort(p string) bool {
	var n int
	_, err := fmt.Sscanf(p, "%d", &n)
	return err == nil && fmt.Sprint(n) == p && n > 0 && n < 65536
}

func (d *decoder) checkMatching(m *Matching) {
	if m.RetrainAfter < 0 {
		d.at("matching.retrain_after", "must not be negative (0 trains every run)")
	}
	if m.RetrainAfterDecisions < 0 {
		d.at("matching.retrain_after_decisions", "must not be negative (0 trains after any decision)")
	}
	if n := m.Blocking.MaxBlockSize; n != 0 && n < 2 {
		d.at("matching.blocking.max_block_size", "must be at least 2 (or 0 for the matcher's own cap), got %d", n)
	}
	var known []string
	for _, k := range dedupe.AllBlockingKeys() {
		known = append(known, string(k))
	}
	seen := make(map[string]bool)
	for i, k := range m.Blocking.Keys {
		path := fmt.Sprintf("matching.blocking.keys[%d]", i)
		switch {
		case !slices.Contains(known, k):
			d.at(path, "unknown blocking key %q%s; the keys are: %s", k, didyoumean.Hint(k, known), strings.Join(known, ", "))
		case seen[k]:
			d.at(path, "blocking key %q is listed twice", k)
		}
		seen[k] = true
	}

	reviewOK := m.ReviewThreshold > 0 && m.ReviewThreshold < 1
	if !reviewOK {
		d.at("matching.review_threshold", "must be between 0 and 1 (exclusive), got %v", m.ReviewThreshold)
	}
	autoOK := m.AutoMerge.Threshold > 0 && m.AutoMerge.Threshold < 1
	if !autoOK {
		d.at("matching.auto_merge.threshold", "must be between 0 and 1 (exclusive), got %v", m.AutoMerge.Threshold)
	}
	if reviewOK && autoOK && m.ReviewThreshold > m.AutoMerge.Threshold {
		d.at(firstInFile(d, "matching.review_threshold", "matching.auto_merge.threshold"),
			"review_threshold (%v) is above auto_merge.threshold (%v): pairs would merge without ever being reviewed",
			m.ReviewThreshold, m.AutoMerge.Threshold)
	}
}

func (d *decoder) checkSurvivorship(s *steward.Survivorship) {
	strategies := steward.Strategies()
	one := func(path string, fs steward.FieldPolicy, consent bool) {
		if !oneOf(d, firstInFile(d, path+".strategy", path), fs.Strategy, strategies...) {
			return
		}
		if fs.Strategy == steward.MostRestrictive && !consent {
			d.at(firstInFile(d, path+".strategy", path), "most_restrictive is for consent attributes (opt-outs), not for %s", path)
		}
		switch {
		case fs.Strategy == steward.SourcePriority && len(fs.Sources) == 0:
			d.at(firstInFile(d, path+".sources", path), "source_priority needs a list of sources, most trusted first")
		case fs.Strategy != steward.SourcePriority && len(fs.Sources) > 0:
			d.at(path+".sources", "sources apply only to source_priority, not to %s", fs.Strategy)
		}
		seen := make(map[string]bool)
		for i, src := range fs.Sources {
			if strings.TrimSpace(src) == "" || seen[src] {
				d.at(fmt.Sprintf("%s.sources[%d]", path, i), "want a distinct source name, got %q", src)
			}
			seen[src] = true
		}
	}
	one("survivorship.default", s.Default, false)
	fields := steward.CanonicalFields()
	for _, f := range sortedKeys(s.Fields) {
		path := "survivorship.fields." + f
		if !slices.Contains(fields, f) {
			d.atKey(path, "unknown field %q%s", f, didyoumean.Hint(f, fields))
			continue
		}
		one(path, s.Fields[f], false)
	}
	columns := steward.CanonicalColumns()
	for _, a := range sortedKeys(s.Attributes) {
		path := "survivorship.attributes." + a
		switch {
		case slices.Contains(columns, a):
			d.atKey(path, "%q is a canonical field: put it under survivorship.fields", a)
			continue
		case a != strings.ToLower(strings.TrimSpace(a)) || a == "":
			d.atKey(path, "attribute names are lower case without surrounding spaces, got %q", a)
			continue
		}
		one(path, s.Attributes[a], true)
	}
}

// DefaultCatchUp is a schedule's catch-up window when the rules file
// names none.
const DefaultCatchUp = 6 * time.Hour

var scheduleNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func (d *decoder) checkSchedules(schedules map[string]Schedule) {
	jobNames := steward.JobNames()
	for _, name := range sortedKeys(schedules) {
		s := schedules[name]
		path := "schedules." + name
		if !scheduleNameRE.MatchString(name) {
			d.atKey(path, "schedule names are lower-case letters, digits, - and _, got %q", name)
		}
		s.Spec = nil
		if strings.TrimSpace(s.Cron) == "" {
			d.at(firstInFile(d, path+".cron", path), "a schedule needs a cron expression, such as \"0 2 * * *\" or @daily")
		} else if spec, err := parseCron(s.Cron); err != nil {
			d.at(path+".cron", "bad cron expression %q: %v", s.Cron, err)
		} else {
			s.Spec = spec
		}
		if !d.inFile(path + ".catch_up") {
			s.CatchUp = DefaultCatchUp
		} else if s.CatchUp < 0 {
			d.at(path+".catch_up", "must not be negative: 0s catches up nothing, 6h catches up a run missed up to six hours ago")
		}
		if len(s.Jobs) == 0 {
			d.at(firstInFile(d, path+".jobs", path), "list at least one job: %s", strings.Join(jobNames, ", "))
		}
		seen := make(map[string]bool)
		for i, j := range s.Jobs {
			jp := fmt.Sprintf("%s.jobs[%d]", path, i)
			if !slices.Contains(jobNames, j) {
				d.at(jp, "unknown job %q: want one of %s%s", j, strings.Join(jobNames, ", "), didyoumean.Hint(j, jobNames))
				continue
			}
			if seen[j] {
				d.at(jp, "job %s is listed twice", j)
			}
			seen[j] = true
		}
		schedules[name] = s
	}
}

// parseCron parses a standard cron expression or descriptor, turning a
// panic inside the parser into an error.
func parseCron(expr string) (spec cron.Schedule, err error) {
	defer func() {
		if p := recover(); p != nil {
			spec, err = nil, fmt.Errorf("%v", p)
		}
	}()
	return cron.ParseStandard(strings.TrimSpace(expr))
}

var bounceCodeRE = regexp.MustCompile(`^([0-9*])\.(\*|[0-9]{1,3})\.(\*|[0-9]{1,3})$`)

func (d *decoder) checkSuppression(s *Suppression) {
	for i, c := range s.HardBounceCodes {
		path := fmt.Sprintf("suppression.hard_bounce_codes[%d]", i)
		m := bounceCodeRE.FindStringSubmatch(strings.TrimSpace(c))
		switch {
		case m == nil:
			d.at(path, "want an enhanced status code such as 5.1.1 or 5.1.*, got %q", c)
		case m[1] != "5":
			d.at(path, "hard bounces are permanent failures (class 5), got %q", c)
		case m[2] == "7":
			d.at(path, "%q is a policy rejection (5.7.x: reputation, spam filters, authentication), the sender's problem: it never suppresses an address (5.*.* hard-bounces every other subject)", c)
		}
	}
	if s.SoftBouncesBeforeInvalid < 1 {
		d.at("suppression.soft_bounces_before_invalid", "must be at least 1, got %d", s.SoftBouncesBeforeInvalid)
	}
	if s.SoftBounceWindow < 0 {
		d.at("suppression.soft_bounce_window", "must not be negative")
	}
	for i, id := range s.OwnMTAIDs {
		if id = strings.TrimSpace(id); id == "" || strings.ContainsAny(id, " \t;@") {
			d.at(fmt.Sprintf("suppression.own_mta_ids[%d]", i), "want an authserv-id, the host name your MTA writes first in Authentication-Results (mx1.example.com), got %q", s.OwnMTAIDs[i])
		}
		s.OwnMTAIDs[i] = id
	}
	for _, g := range sortedKeys(s.SendGridGroups) {
		path := "suppression.sendgrid_groups." + g
		if n, err := strconv.Atoi(g); err != nil || n < 1 {
			d.at(path, "want a SendGrid unsubscribe group id (a number, as SendGrid shows it under Unsubscribe Groups), got %q", g)
		}
		if l := strings.TrimSpace(s.SendGridGroups[g]); l == "" || strings.ContainsAny(l, " \t,;") {
			d.at(path, "want a list name without spaces or commas (newsletter), got %q", s.SendGridGroups[g])
		}
	}
	if s.AsideDir != "" && s.Inbox == "" {
		d.at("suppression.aside_dir", "an aside folder needs an inbox to read")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
