package suppress

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/rules"
)

// ESPFormat names an email provider's suppression export.
type ESPFormat string

// ESP export formats.
const (
	// Mailchimp: an audience export's unsubscribed_….csv (UNSUB_TIME,
	// UNSUB_REASON) or cleaned_….csv (CLEAN_TIME: hard bounces and
	// addresses that kept soft-bouncing), keyed by "Email Address".
	Mailchimp ESPFormat = "mailchimp"
	// SendGrid: the suppression lists' CSV downloads: bounces and blocks
	// (email, created, reason, status), invalid emails (email, created,
	// reason), spam reports (email, created, ip), global unsubscribes
	// (email, created).
	SendGrid ESPFormat = "sendgrid"
	// Mailgun: the suppressions' exports: bounces (address, code, error,
	// created_at), unsubscribes (address, tags, created_at), complaints
	// (address, created_at).
	Mailgun ESPFormat = "mailgun"
	// SES: the account-level suppression list (EmailAddress, Reason
	// BOUNCE or COMPLAINT, LastUpdateTime).
	SES ESPFormat = "ses"
	// Plain: one address per line (or a CSV with an email column).
	Plain ESPFormat = "plain"
)

// ESPFormats lists the formats.
func ESPFormats() []ESPFormat { return []ESPFormat{Mailchimp, SendGrid, Mailgun, SES, Plain} }

// ESPRecord is one row of a provider's suppression list, read as what it
// means for the address.
type ESPRecord struct {
	Line    int
	Address string
	// Effect is hard_bounce, soft_bounce, complaint, unsubscribe,
	// sender_problem (a block for policy: never suppresses), or esp (a
	// suppression the provider does not explain).
	Effect Effect
	Status string
	// Scope is a list the provider's row is for (Mailgun's tag); "" for
	// every message.
	Scope  string
	Detail string
	At     time.Time
}

// ESPProblem is a row that could not be read: data for the user, with its
// line.
type ESPProblem struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// columnKey is a column name as compared: lower case, letters and digits
// only ("Email Address" -> "emailaddress").
func columnKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// DetectESPFormat tells a provider's export by its file name (a name that
// starts with the format: "mailchimp-cleaned.csv", "sendgrid_bounces.csv")
// or else its header's columns; "" when neither tells.
func DetectESPFormat(name string, header []string) ESPFormat {
	base := strings.ToLower(filepath.Base(name))
	for _, f := range ESPFormats() {
		if strings.HasPrefix(base, string(f)) {
			return f
		}
	}
	cols := make(map[string]bool)
	for _, h := range header {
		cols[columnKey(h)] = true
	}
	switch {
	case cols["emailaddress"] && (cols["unsubtime"] || cols["cleantime"] || cols["memberrating"]):
		return Mailchimp
	case cols["emailaddress"] && cols["reason"] && cols["lastupdatetime"]:
		return SES
	case cols["email"] && cols["created"]:
		return SendGrid
	case cols["address"] && (cols["createdat"] || cols["code"] || cols["tags"]):
		return Mailgun
	}
	return ""
}

// ReadESP reads a provider's suppression export and calls fn with each
// row. name is the file's name, which tells Mailgun's complaints from its
// unsubscribes when the columns do not; hard says which bounce status
// codes are hard (the rules' suppression section). Rows that cannot be
// read are returned as problems; a file that is not the format's (its
// address column missing, a Mailchimp export of subscribed members) is
// EINVALID and nothing is read.
func ReadESP(r io.Reader, format ESPFormat, name string, hard *rules.Suppression, fn func(ESPRecord) error) ([]ESPProblem, error) {
	if hard == nil {
		d := rules.Default().Suppression
		hard = &d
	}
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	if format == Plain {
		return readPlain(br, fn)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, steward.Errorf(steward.EINVALID, "%s: the header cannot be read (%v).", name, err)
	}
	col := make(map[string]int)
	for i, h := range header {
		if _, ok := col[columnKey(h)]; !ok {
			col[columnKey(h)] = i
		}
	}
	row := esp{format: format, col: col, name: strings.ToLower(filepath.Base(name)), hard: hard}
	if err := row.check(); err != nil {
		return nil, steward.Errorf(steward.EINVALID, "%s: %v.", name, err)
	}
	var problems []ESPProblem
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return problems, nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			problems = append(problems, ESPProblem{Line: perr.Line, Message: perr.Err.Error()})
			continue
		} else if err != nil {
			return problems, err
		}
		line, _ := cr.FieldPos(0)
		row.rec = rec
		out, msg := row.read()
		if msg != "" {
			problems = append(problems, ESPProblem{Line: line, Message: msg})
			continue
		}
		out.Line = line
		if err := fn(out); err != nil {
			return problems, err
		}
	}
}

// esp reads the rows of one export.
type esp struct {
	format ESPFormat
	col    map[string]int
	name   string
	hard   *rules.Suppression
	rec    []string
}

func (e *esp) has(c string) bool { _, ok := e.col[c]; return ok }

func (e *esp) get(c string) string {
	if i, ok := e.col[c]; ok && i < len(e.rec) {
		return strings.TrimSpace(e.rec[i])
	}
	return ""
}

// addressColumn is each format's column of the address.
var addressColumn = map[ESPFormat]string{Mailchimp: "emailaddress", SendGrid: "email", Mailgun: "address", SES: "emailaddress"}

func (e *esp) check() error {
	c, ok := addressColumn[e.format]
	if !ok {
		return fmt.Errorf("unknown format %q", e.format)
	}
	if !e.has(c) {
		return fmt.Errorf("not a %s export: no %q column", e.format, c)
	}
	if e.format == Mailchimp && !e.has("unsubtime") && !e.has("cleantime") {
		return errors.New("a Mailchimp export of subscribed members, not of unsubscribed or cleaned ones: nothing in it is to be suppressed")
	}
	return nil
}

// read reads the current row, or says why it cannot.
func (e *esp) read() (ESPRecord, string) {
	r := ESPRecord{Address: e.get(addressColumn[e.format])}
	if Normalize(steward.ChannelEmail, r.Address, "") == "" {
		return r, fmt.Sprintf("%q is not an email address", r.Address)
	}
	switch e.format {
	case Mailchimp:
		if e.has("cleantime") {
			r.Effect, r.Detail, r.At = EffectHardBounce, "cleaned", parseESPTime(e.get("cleantime"))
		} else {
			r.Effect, r.At = EffectUnsubscribe, parseESPTime(e.get("unsubtime"))
			r.Detail = strings.TrimSpace("unsubscribed " + e.get("unsubreason") + " " + e.get("unsubreasonother"))
		}
	case SendGrid:
		r.At = parseESPTime(e.get("created"))
		switch {
		case e.has("status"):
			se := BounceEffect(e.hard, "failed", enhancedCode(e.get("status")), e.get("reason"))
			r.Effect, r.Status, r.Detail = se.Effect, se.Code, e.get("reason")
		case e.has("reason"):
			r.Effect, r.Detail = EffectHardBounce, "invalid email: "+e.get("reason")
		case e.has("ip"):
			r.Effect, r.Detail = EffectComplaint, "spam report"
		default:
			r.Effect, r.Detail = EffectUnsubscribe, "global unsubscribe"
		}
	case Mailgun:
		r.At = parseESPTime(e.get("createdat"))
		switch {
		case e.has("code") || e.has("error"):
			code := enhancedCode(e.get("error"))
			if code == "" && strings.HasPrefix(e.get("code"), "5") {
				code = "5.1.1" // Mailgun lists permanent failures only
			}
			se := BounceEffect(e.hard, "failed", code, "")
			r.Effect, r.Status, r.Detail = se.Effect, se.Code, strings.TrimSpace(e.get("code")+" "+e.get("error"))
		case e.has("tags") || strings.Contains(e.name, "unsubscrib"):
			r.Effect, r.Detail = EffectUnsubscribe, "unsubscribed"
			if tag := e.get("tags"); tag != "" && tag != "*" {
				r.Scope = tag
			}
		case strings.Contains(e.name, "complain"):
			r.Effect, r.Detail = EffectComplaint, "complaint"
		default:
			r.Effect, r.Detail = effectESP, "suppressed by Mailgun"
		}
	case SES:
		r.At = parseESPTime(e.get("lastupdatetime"))
		switch strings.ToUpper(e.get("reason")) {
		case "BOUNCE":
			r.Effect, r.Detail = EffectHardBounce, "SES suppression list: bounce"
		case "COMPLAINT":
			r.Effect, r.Detail = EffectComplaint, "SES suppression list: complaint"
		default:
			return r, fmt.Sprintf("unknown SES reason %q (want BOUNCE or COMPLAINT)", e.get("reason"))
		}
	}
	return r, ""
}

// readPlain reads one address per line; blank lines and # comments are
// skipped, and a first line naming an email column is a header; of a
// CSV, the first column is read.
func readPlain(r io.Reader, fn func(ESPRecord) error) ([]ESPProblem, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var problems []ESPProblem
	line, first := 0, true
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		header := first && slices.Contains([]string{"email", "emailaddress", "address"}, columnKey(strings.SplitN(s, ",", 2)[0]))
		if first = false; header {
			continue
		}
		s = strings.Trim(strings.SplitN(s, ",", 2)[0], `"`)
		if Normalize(steward.ChannelEmail, s, "") == "" {
			problems = append(problems, ESPProblem{Line: line, Message: fmt.Sprintf("%q is not an email address", s)})
			continue
		}
		if err := fn(ESPRecord{Line: line, Address: s, Effect: effectESP, Detail: "plain list"}); err != nil {
			return problems, err
		}
	}
	return problems, sc.Err()
}

// parseESPTime reads the times providers write: Unix seconds (with a
// fraction), RFC 3339, "2006-01-02 15:04:05", RFC 1123 and US dates; zero
// when none fits.
func parseESPTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 1e8 {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04:05 MST",
		time.RFC1123Z, time.RFC1123, "Mon, 02 Jan 2006 15:04:05 MST", "01/02/2006 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// ESPSummary counts what importing an export did.
type ESPSummary struct {
	File   string    `json:"file"`
	Format ESPFormat `json:"format"`
	Rows   int       `json:"rows"`
	// Effects counts rows by what they mean.
	Effects           map[Effect]int `json:"effects"`
	Suppressed        int            `json:"suppressed"`
	AlreadySuppressed int            `json:"already_suppressed"`
	SoftBounces       int            `json:"soft_bounces_counted"`
	Invalid           int            `json:"marked_invalid"`
	// Ignored counts rows that suppress nothing (blocks for policy).
	Ignored  int          `json:"ignored"`
	Problems []ESPProblem `json:"problems,omitempty"`
}

// espBatch is how many rows one transaction applies.
const espBatch = 500

// ImportESP applies a provider's export to the database: each row
// suppresses its address (for list, when given, an unsubscribe; bounces
// and complaints are for every message), hard bounces mark the address
// invalid, soft bounces are counted, policy blocks change nothing.
// Importing the same file again changes nothing.
func (a *Applier) ImportESP(ctx context.Context, st steward.Store, r io.Reader, format ESPFormat, name, list string) (*ESPSummary, error) {
	sum := &ESPSummary{File: name, Format: format, Effects: make(map[Effect]int)}
	var batch []ESPRecord
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := st.Atomic(ctx, func(ctx context.Context, st steward.Store) error {
			for _, rec := range batch {
				scope := rec.Scope
				if list != "" {
					scope = list
				}
				ev := Event{Finding: Finding{Address: rec.Address, Effect: rec.Effect, Status: rec.Status, Scope: scope, Detail: rec.Detail},
					Source: string(format), Key: string(format) + ":" + rec.At.UTC().Format(time.RFC3339Nano), At: rec.At,
					Evidence: strings.TrimSpace(fmt.Sprintf("%s %s line %d: %s", format, filepath.Base(name), rec.Line, rec.Detail))}
				ap, err := a.Apply(ctx, st, ev)
				if err != nil {
					return fmt.Errorf("line %d: %w", rec.Line, err)
				}
				switch {
				case ap.Suppressed:
					sum.Suppressed++
				case ap.Reason != "":
					sum.AlreadySuppressed++
				case ap.Effect != EffectSoftBounce:
					sum.Ignored++
				}
				if ap.Counted {
					sum.SoftBounces++
				}
				sum.Invalid += ap.Invalid
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	problems, err := ReadESP(r, format, name, a.Rules, func(rec ESPRecord) error {
		sum.Rows++
		sum.Effects[rec.Effect]++
		batch = append(batch, rec)
		if len(batch) >= espBatch {
			return flush()
		}
		return nil
	})
	sum.Problems = problems
	if err != nil {
		return sum, err
	}
	return sum, flush()
}
