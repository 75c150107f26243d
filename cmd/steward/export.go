package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"

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
	n, err := exportCustomers(ctx, env, s, o.w, *stewardIDs, *raw)
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

// exportCustomers streams the active customers of s to w as canonical CSV
// and returns how many it wrote.
func exportCustomers(ctx context.Context, env *Env, s steward.Store, w io.Writer, stewardIDs, raw bool) (int64, error) {
	attrs, err := s.AttributeNames(ctx, steward.StatusActive)
	if err != nil {
		return 0, err
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
	cw.Raw = raw
	bar := progress.New("export", total, env.Stderr, env.Terminal, envLogger(env))
	var n, late int64
	err = s.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		rec := &c.Record
		if stewardIDs {
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
