package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/importer"
)

const importsUsage = `list [--source S] [--limit N] | show ID  [--db PATH|URL] [--json]

  list  the imports history, newest first: when, source, file, who,
        whether it committed, and its counts (dry runs are not kept)
  show  one import's summary, as 'steward import' printed it, without the
        rows it quoted (--json: as 'steward import --json' printed it)`

// runImports implements "steward imports".
func runImports(ctx context.Context, env *Env, args []string) error {
	sub, args, err := subcommand(env, "imports", importsUsage, "run 'steward imports list'", args)
	if sub == "" {
		return err
	}
	fs := newFlagSet(env, "imports "+sub, "[flags]")
	db := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	source := fs.String("source", "", "only this source's imports (list)")
	limit := fs.Int("limit", 20, "how many (list)")
	pos, err := parsePositional(fs, args)
	if err != nil {
		return err
	}
	var id int64
	switch sub {
	case "list":
		if len(pos) > 0 {
			return usagef("run 'steward imports -h'", "unexpected argument %q", pos[0])
		}
		if *limit < 1 {
			return usagef("give --limit 1 or more", "--limit %d", *limit)
		}
	case "show":
		if len(pos) != 1 {
			return usagef("run 'steward imports show ID' (the ids are in 'steward imports list')", "imports show needs one import id")
		}
		if id, err = strconv.ParseInt(pos[0], 10, 64); err != nil || id <= 0 {
			return usagef("the ids are in 'steward imports list'", "%q is not an import id", pos[0])
		}
	default:
		return usagef("run 'steward imports -h'", "unknown imports subcommand %q", sub)
	}
	s, err := openStore(ctx, env, *db, mustExist)
	if err != nil {
		return err
	}
	defer s.Close()
	if sub == "show" {
		im, err := s.Import(ctx, id)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(im)
		}
		fmt.Fprintf(env.Stdout, "import %d: %s, %s (%s), by %s, %s to %s\n", im.ID, im.Status, im.Name, im.Source, im.Actor,
			im.StartedAt.Local().Format(time.DateTime), im.FinishedAt.Local().Format(time.TimeOnly))
		if im.Error != "" {
			fmt.Fprintf(env.Stdout, "error: %s\n", im.Error)
		}
		if len(im.Summary) > 0 {
			// The summary in the words the import printed it with, but
			// for the rows it quoted, which the history does not keep.
			var sum importer.Summary
			if err := json.Unmarshal(im.Summary, &sum); err != nil {
				return fmt.Errorf("read the summary of import %d: %w", im.ID, err)
			}
			if sum.OnDuplicate == "" { // kept before the summary said
				switch {
				case sum.Held > 0:
					sum.OnDuplicate = steward.DuplicateHold
				case sum.Blocked > 0:
					sum.OnDuplicate = steward.DuplicateBlock
				case sum.Merged > 0:
					sum.OnDuplicate = steward.DuplicateMerge
				}
			}
			printImportSummary(env.Stdout, &sum, "", "")
			if sum.Rejected+sum.Blocked > 0 {
				fmt.Fprintln(env.Stdout, "  the rows not imported are not kept here: --rejects FILE on an import writes them")
			}
		}
		return nil
	}
	ims, err := s.Imports(ctx, steward.ImportFilter{Source: *source, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(struct {
			Imports []*steward.ImportRecord `json:"imports"`
		}{ims})
	}
	if len(ims) == 0 {
		fmt.Fprintln(env.Stdout, "no imports yet")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTED\tSOURCE\tFILE\tBY\tSTATUS\tROWS\tACCEPTED\tREJECTED\tCREATED\tUPDATED\tMERGED")
	for _, im := range ims {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", im.ID, im.StartedAt.Local().Format("2006-01-02 15:04"),
			im.Source, im.Name, im.Actor, im.Status, im.Rows, im.Accepted, im.Rejected, im.Created, im.Updated, im.Merged)
	}
	return tw.Flush()
}
