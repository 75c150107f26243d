package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/suppress"
)

const importSuppressionsUsage = `FILE [--format mailchimp|sendgrid|mailgun|ses|plain] [--list L] [--db PATH|URL] [--rules FILE] [--json]

Imports an email provider's suppression list, as it exports it:
  mailchimp  an audience's unsubscribed or cleaned members (UNSUB_TIME,
             CLEAN_TIME); an export of subscribed members is refused
  sendgrid   bounces, blocks, invalid emails, spam reports, unsubscribes
  mailgun    bounces, complaints, unsubscribes (with their tags)
  ses        the account-level suppression list (BOUNCE, COMPLAINT)
  plain      one address per line
Without --format the file's name or columns say which. Hard bounces
suppress the address and mark it invalid for every customer who has it;
soft bounces are counted as the rules say; blocks for policy (5.7.x)
suppress nothing; complaints suppress for every message; unsubscribes (and
plain lists) for --list when given. Importing the same file again changes
nothing. Exit 1 when some rows could not be read (they are listed with
their lines).`

// runImportSuppressions is "steward import-suppressions".
func runImportSuppressions(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "import-suppressions", importSuppressionsUsage)
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	format := fs.String("format", "", "mailchimp, sendgrid, mailgun, ses or plain (default: told by the file's name or columns)")
	list := fs.String("list", "", "unsubscribes are for this list only (default: every message)")
	asJSON := fs.Bool("json", false, "print one JSON object: the summary and the rows that could not be read")
	files, err := parsePositional(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("steward import-suppressions cleaned_members.csv --format mailchimp", "name one export file")
	}
	if _, err := os.Stat(files[0]); errors.Is(err, iofs.ErrNotExist) {
		return steward.Errorf(steward.ENOTFOUND, "File %s does not exist.", files[0])
	}
	f, err := ensureESPFormat(files[0], *format)
	if err != nil {
		return err
	}
	r, keys, st, err := openSuppressions(ctx, env, *db, *rulesPath)
	if err != nil {
		return err
	}
	defer st.Close()
	in, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer in.Close()
	s := r.Suppression
	a := &suppress.Applier{Keys: keys, Rules: &s, Actor: cliActor(env)}
	sum, err := a.ImportESP(ctx, st, in, f, files[0], *list)
	if steward.ErrorCode(err) == steward.EINVALID {
		return &refusedError{err} // not the provider's export: nothing imported
	} else if err != nil {
		return err
	}
	if *asJSON {
		if err := json.NewEncoder(env.Stdout).Encode(sum); err != nil {
			return err
		}
	} else {
		printESPSummary(env, sum)
	}
	if len(sum.Problems) > 0 {
		return errFindings
	}
	return nil
}

// ensureESPFormat returns the format flag, or the one the file's name or
// header tells.
func ensureESPFormat(path, flag string) (suppress.ESPFormat, error) {
	if flag != "" {
		f := suppress.ESPFormat(strings.ToLower(flag))
		if !slices.Contains(suppress.ESPFormats(), f) {
			return "", usagef("use --format mailchimp, sendgrid, mailgun, ses or plain", "unknown --format %q", flag)
		}
		return f, nil
	}
	in, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	header, _ := csv.NewReader(bufio.NewReader(io.LimitReader(in, 64<<10))).Read()
	if f := suppress.DetectESPFormat(path, header); f != "" {
		return f, nil
	}
	return "", usagef("name it: --format mailchimp, sendgrid, mailgun, ses or plain", "cannot tell which provider exported %s", path)
}

func printESPSummary(env *Env, sum *suppress.ESPSummary) {
	w := env.Stdout
	fmt.Fprintf(w, "%s (%s): %s", sum.File, sum.Format, counted(sum.Rows, "row"))
	var effects []string
	for e, n := range sum.Effects {
		effects = append(effects, fmt.Sprintf("%s %d", e, n))
	}
	sort.Strings(effects)
	if len(effects) > 0 {
		fmt.Fprintf(w, ": %s", strings.Join(effects, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  %d newly suppressed, %d suppressed before, %d soft bounces counted, %d customer addresses marked invalid, %d suppress nothing\n",
		sum.Suppressed, sum.AlreadySuppressed, sum.SoftBounces, sum.Invalid, sum.Ignored)
	for _, p := range sum.Problems {
		fmt.Fprintf(w, "  line %d: %s\n", p.Line, p.Message)
	}
}
