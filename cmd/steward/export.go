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
	verification := fs.Bool("verification", false, "add the last verification of each email address: email_verdict, email_reason, email_checked_at (one look-up per customer: slower)")
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
	n, err := exportCustomers(ctx, env, s, o.w, exportOptions{stewardIDs: *stewardIDs, raw: *raw, verification: *verification})
	if err != nil {
		return err
	}
	if err := o.commit(); err != nil {
		return err
	}
	if *out == "-" {
		envLogger(env).Info("exported customers", "customers", n, "to", "stdout")
	} else {
		fmt.Fprintf(env.Stderr, "exported %d customers to %s\n", n, *out)
	}
	return nil
}

// exportOptions say what an export writes.
type exportOptions struct {
	stewardIDs, raw, verification bool
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
	var n, late int64
	err = s.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		rec := &c.Record
		if opts.verification && rec.Email != "" {
			chk, err := s.EmailCheck(ctx, c.ID, rec.Email)
			switch {
			case err == nil:
				rec.Set(verificationColumns[0], chk.Verdict)
				rec.Set(verificationColumns[1], chk.Reason)
				rec.Set(verificationColumns[2], chk.CheckedAt.UTC().Format(time.RFC3339))
			case steward.ErrorCode(err) != steward.ENOTFOUND:
				return fmt.Errorf("verification of customer %d: %w", c.ID, err)
			}
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
		return nil
	})
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
