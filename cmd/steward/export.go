package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/internal/suppress"
	"github.com/steward-crm/steward/validate"
)

const exportUsage = `[--db PATH|URL] --out FILE|- [--steward-ids]

Writes the active customers as canonical CSV: the canonical columns, then
every attribute column in use, sorted; one row per customer in id order,
read page by page so the memory used does not grow with the database.
--out - writes to standard output; a file is written under a temporary
name and renamed when complete, so it is never left half-written.

The id and source columns carry the record's source system and its id
there, so that importing the file again updates the same customers.
--steward-ids writes steward's own customer id instead, with source
"steward".

Rows are read in pages while other writers may be at work: each customer
is exported once, as it was when its page was read.`

// runExport implements "steward export".
func runExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "export", exportUsage)
	db := dbFlag(fs)
	out := fs.String("out", "", "file to write, or - for standard output")
	stewardIDs := fs.Bool("steward-ids", false, `write steward's customer ids as "id", with source "steward"`)
	verification := fs.Bool("verification", false, "add the last verification of each email address: email_verdict, email_reason, email_checked_at")
	sendableOnly := fs.Bool("sendable", false, "only the customers one may email: an address not suppressed, not found invalid, no opt-out")
	list := fs.String("list", "", "with --sendable: the list the export is for (its own suppressions count too)")
	rulesPath := rulesFlag(fs)
	raw := fs.Bool("raw", false, "write values exactly as stored, for programs; by default a value a spreadsheet would run as a formula (=, +, -, @ …) gets a leading apostrophe")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("give --out FILE, or --out - for standard output", "--out is required")
	}
	if fs.NArg() > 0 {
		return usagef("run 'steward export -h' for its flags", "unexpected argument %q", fs.Arg(0))
	}
	s, err := openStore(ctx, env, *db, mustExist)
	if err != nil {
		return err
	}
	defer s.Close()

	o, err := createOutput(env, *out)
	if err != nil {
		return err
	}
	defer o.abort()
	eo := exportOptions{stewardIDs: *stewardIDs, raw: *raw, verification: *verification, sendable: *sendableOnly, list: *list}
	if *sendableOnly {
		r, err := loadRules(env, *rulesPath)
		if err != nil {
			return err
		}
		if eo.keys, err = suppressionKeys(env, *db); err != nil {
			return err
		}
		for name, p := range r.Survivorship.Attributes {
			if p.Strategy == steward.MostRestrictive {
				eo.consent = append(eo.consent, name)
			}
		}
	} else if *list != "" {
		return usagef("give --list with --sendable", "--list names the list a sendable export is for")
	}
	n, err := exportCustomers(ctx, env, s, o.w, eo)
	if err != nil {
		return err
	}
	if err := o.commit(); err != nil {
		return err
	}
	if *out == "-" {
		envLogger(env).Info("exported customers", "customers", n, "to", "stdout")
	} else {
		fmt.Fprintf(env.Stderr, "exported %s to %s\n", counted(int(n), "customer"), *out)
	}
	return nil
}

// exportOptions say what an export writes.
type exportOptions struct {
	stewardIDs, raw, verification bool
	// sendable leaves out the customers one may not email (for list).
	sendable bool
	list     string
	keys     *suppress.Keys
	consent  []string
}

// sendable reports whether one may email the customer: an address that
// is not suppressed (for every message or for the list), not found
// invalid by its last verification, and no opt-out set.
func sendable(r *steward.Record, chk *steward.EmailCheck, suppressed map[string]bool, opts exportOptions) bool {
	e := suppress.Normalize(steward.ChannelEmail, r.Email, "")
	if e == "" || suppressed[opts.keys.Hash(steward.ChannelEmail, e)] || (chk != nil && chk.Verdict == string(validate.Invalid)) {
		return false
	}
	for _, a := range opts.consent {
		if steward.ConsentFlag(r.Attributes[a]) == 1 {
			return false
		}
	}
	return true
}

// verificationColumns are the columns "export --verification" adds.
var verificationColumns = []string{"email_verdict", "email_reason", "email_checked_at"}

// exportCustomers streams the active customers of s to w as canonical CSV
// and returns how many it wrote.
func exportCustomers(ctx context.Context, env *Env, s steward.Store, w io.Writer, opts exportOptions) (int64, error) {
	attrs, err := s.AttributeNames(ctx, steward.StatusActive)
	if err != nil {
		return 0, err
	}
	if opts.verification {
		for _, c := range verificationColumns {
			if !slices.Contains(attrs, c) {
				attrs = append(attrs, c)
			}
		}
	}
	total, err := s.CountCustomers(ctx, steward.StatusActive)
	if err != nil {
		return 0, err
	}
	known := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		known[a] = true
	}
	buf := bufio.NewWriterSize(w, 256<<10)
	cw := records.NewWriter(buf, attrs)
	cw.Raw = opts.raw
	bar := progress.New("export", total, env.Stderr, env.Terminal, envLogger(env))
	var n, late, left int64
	var page []*steward.Customer
	// A page of customers at a time: their verifications and
	// suppressions are read together.
	flush := func() error {
		if len(page) == 0 {
			return nil
		}
		var checks map[int64]*steward.EmailCheck
		if opts.verification || opts.sendable {
			cs, err := s.CurrentEmailChecks(ctx, page[0].ID-1, page[len(page)-1].ID)
			if err != nil {
				return fmt.Errorf("verifications: %w", err)
			}
			checks = make(map[int64]*steward.EmailCheck, len(cs))
			for i := range cs {
				checks[cs[i].CustomerID] = &cs[i]
			}
		}
		var suppressed map[string]bool
		if opts.sendable {
			var hashes []string
			for _, c := range page {
				if e := suppress.Normalize(steward.ChannelEmail, c.Record.Email, ""); e != "" {
					hashes = append(hashes, opts.keys.Hash(steward.ChannelEmail, e))
				}
			}
			var err error
			if suppressed, err = s.Suppressed(ctx, hashes, opts.list); err != nil {
				return err
			}
		}
		for _, c := range page {
			rec := &c.Record
			chk := checks[c.ID]
			if opts.sendable && !sendable(rec, chk, suppressed, opts) {
				left++
				bar.Add(1)
				continue
			}
			if opts.verification && chk != nil {
				rec.Set(verificationColumns[0], chk.Verdict)
				rec.Set(verificationColumns[1], chk.Reason)
				rec.Set(verificationColumns[2], chk.CheckedAt.UTC().Format(time.RFC3339))
			}
			if opts.stewardIDs {
				rec.Source, rec.SourceID = "steward", strconv.FormatInt(c.ID, 10)
			}
			for k := range rec.Attributes {
				if !known[k] {
					late++ // an attribute added after the header was written
					break
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
			n++
			bar.Add(1)
		}
		page = page[:0]
		return nil
	}
	err = s.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		page = append(page, c)
		if len(page) == 1000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if opts.sendable {
		envLogger(env).Info("export left out customers one may not write to", "customers", left)
	}
	bar.Done()
	if err != nil {
		return n, fmt.Errorf("export customers: %w", err)
	}
	if err := cw.Flush(); err != nil {
		return n, err
	}
	if err := buf.Flush(); err != nil {
		return n, fmt.Errorf("write export: %w", err)
	}
	if late > 0 {
		envLogger(env).Warn("customers gained attribute columns during the export; those values are missing, export again",
			"customers", late)
	}
	return n, nil
}
