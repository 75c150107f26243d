package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/suppress"
	"github.com/steward-crm/steward/rules"
)

const ingestUsage = `mail PATH… [--aside DIR] [--db PATH|URL] [--rules FILE] [--dns HOST:PORT] [--offline] [--json]

Reads inbound mail and applies it: PATH is a Maildir (its new messages and
the unread ones in cur/; each one applied is marked read), an mbox, an
.eml file, or a folder of them.
  delivery reports (RFC 3464): a hard bounce (the rules' hard_bounce_codes,
    by default 5.1.x and 5.2.1) suppresses the address and marks it invalid
    for every customer who has it; a soft bounce (4.x.x, delayed, 5.2.2) is
    counted once per message, and soft_bounces_before_invalid within
    soft_bounce_window suppress; 5.7.x (policy, reputation) never does.
  complaint reports (RFC 5965, abuse) suppress the address.
  unsubscribe requests by mail suppress the sender when a DKIM signature
    aligned with the From domain verifies (DMARC alignment); the rules'
    own_mta_ids name whose Authentication-Results are believed.
A message that is none of these, or cannot be read, is kept aside with the
reason in --aside DIR (default: the rules' aside_dir, else "failed" beside
each PATH), a Maildir with reasons.jsonl; messages of a Maildir are moved
there, others copied. A request that needs DNS when none answers (or with
--offline) is left for the next run. Reading the same mail again changes
nothing. Exit 1 when any message was kept aside or left.`

// runIngest is "steward ingest mail".
func runIngest(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "ingest", ingestUsage)
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	asideDir := fs.String("aside", "", "keep unclassifiable messages here (default: the rules' suppression.aside_dir, else failed/ beside each PATH)")
	dnsServer := fs.String("dns", "", "DNS server for DKIM and DMARC, HOST:PORT (default: the rules' email_verification.dns_server, else /etc/resolv.conf)")
	offline := fs.Bool("offline", false, "ask no DNS server: unsubscribe requests by mail are left for a later run")
	asJSON := fs.Bool("json", false, "print one JSON object per message, then one with the summary")
	if len(args) == 0 || args[0] != "mail" {
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return usagef("steward ingest mail /var/mail/bounces", "name what to ingest: mail")
	}
	paths, err := parsePositional(fs, args[1:])
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("steward ingest mail /var/mail/bounces", "name a Maildir, an mbox or .eml files")
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return steward.Errorf(steward.ENOTFOUND, "Cannot read %s: %v.", p, errors.Unwrap(err))
		}
	}
	r, keys, st, err := openSuppressions(ctx, env, *db, *rulesPath)
	if err != nil {
		return err
	}
	defer st.Close()
	resolver, err := mailResolver(r, *offline, *dnsServer)
	if err != nil {
		return err
	}
	mode, err := fileMode(env)
	if err != nil {
		return err
	}
	log := envLogger(env)
	bar := progress.New("ingest", 0, env.Stderr, env.Terminal, log)
	in := mailIngester(st, r, keys, resolver, "cli")
	in.Logger = log
	var sum suppress.Summary
	enc := json.NewEncoder(env.Stdout)
	for _, p := range paths {
		in.Aside = &suppress.AsideDir{Dir: asideFor(r, *asideDir, p), Mode: mode}
		err := in.IngestPath(ctx, p, func(res suppress.Result) error {
			sum.Add(res)
			bar.Add(1)
			if *asJSON {
				return enc.Encode(res)
			}
			printIngestResult(env, res)
			return nil
		})
		if err != nil {
			bar.Abort()
			return fmt.Errorf("ingest %s: %w", p, err)
		}
	}
	bar.Done()
	if *asJSON {
		if err := enc.Encode(struct {
			Summary suppress.Summary `json:"summary"`
		}{sum}); err != nil {
			return err
		}
	} else {
		printIngestSummary(env, sum)
	}
	if sum.KeptAside > 0 || sum.Deferred > 0 {
		return errFindings
	}
	return nil
}

// openSuppressions loads the rules, the database's suppression keys and
// the database, as the commands that apply suppressions need them.
func openSuppressions(ctx context.Context, env *Env, db, rulesPath string) (*rules.Rules, *suppress.Keys, store.Store, error) {
	r, err := loadRules(env, rulesPath)
	if err != nil {
		return nil, nil, nil, err
	}
	keys, err := suppressionKeys(env, db)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := openStore(ctx, env, db, mustExist)
	if err != nil {
		return nil, nil, nil, err
	}
	return r, keys, st, nil
}

// mailIngester builds the ingester of inbound mail into st, with the
// rules' suppression settings; actor names who applies it ("cli", "lmtp",
// "job:suppress").
func mailIngester(st steward.Store, r *rules.Rules, keys *suppress.Keys, resolver suppress.TXTResolver, actor string) *suppress.Ingester {
	s := r.Suppression
	return &suppress.Ingester{
		Classifier: &suppress.Classifier{Rules: &s, Keys: keys, Resolver: resolver, OwnMTAs: s.OwnMTAIDs},
		Applier:    &suppress.Applier{Keys: keys, Rules: &s, Actor: actor},
		Store:      st,
	}
}

// mailResolver is the DNS resolver DKIM and DMARC ask: dnsServer, else
// the rules' email_verification.dns_server, else the system's; nil when
// offline.
func mailResolver(r *rules.Rules, offline bool, dnsServer string) (suppress.TXTResolver, error) {
	if offline {
		return nil, nil
	}
	v, err := emailVerifier(r, false, dnsServer)
	if err != nil {
		return nil, err
	}
	return v.Resolver, nil
}

// asideFor is the aside folder of the messages read from path: the flag,
// else the rules' aside_dir, else "failed" beside path.
func asideFor(r *rules.Rules, flag, path string) string {
	switch {
	case flag != "":
		return flag
	case r.Suppression.AsideDir != "":
		return r.Suppression.AsideDir
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return filepath.Join(filepath.Dir(filepath.Clean(abs)), "failed")
}

// printIngestResult prints what a person must see of one message: what
// was suppressed, kept aside or left for later.
func printIngestResult(env *Env, res suppress.Result) {
	switch {
	case res.Aside != "":
		fmt.Fprintf(env.Stdout, "%s: kept aside (%s) in %s\n", res.Origin, res.Aside, res.AsideFile)
		return
	case res.Deferred != "":
		fmt.Fprintf(env.Stdout, "%s: left for the next run: %s\n", res.Origin, res.Deferred)
		return
	}
	for _, a := range res.Applied {
		addr := a.Finding.Address // as the report writes it
		if addr == "" {
			addr = a.Address
		}
		switch {
		case a.Suppressed:
			fmt.Fprintf(env.Stdout, "%s: %s suppressed (%s", res.Origin, addr, a.Reason)
			if a.Status != "" {
				fmt.Fprintf(env.Stdout, " %s", a.Status)
			}
			if a.Invalid > 0 {
				fmt.Fprintf(env.Stdout, "; marked invalid for %d customer(s)", a.Invalid)
			}
			fmt.Fprintln(env.Stdout, ")")
		case a.Effect == suppress.EffectUnverified:
			fmt.Fprintf(env.Stdout, "%s: unsubscribe request of %s not applied: %s\n", res.Origin, addr, a.Detail)
		}
	}
}

func printIngestSummary(env *Env, sum suppress.Summary) {
	w := env.Stdout
	fmt.Fprintf(w, "%s: ", counted(sum.Messages, "message"))
	var kinds []string
	for k, n := range sum.Kinds {
		kinds = append(kinds, fmt.Sprintf("%d %s", n, strings.ReplaceAll(string(k), "_", " ")))
	}
	sort.Strings(kinds)
	if sum.KeptAside > 0 {
		kinds = append(kinds, fmt.Sprintf("%d kept aside", sum.KeptAside))
	}
	if sum.Deferred > 0 {
		kinds = append(kinds, fmt.Sprintf("%d left for the next run", sum.Deferred))
	}
	fmt.Fprintln(w, strings.Join(kinds, ", "))
	var effects []string
	for e, n := range sum.Effects {
		effects = append(effects, fmt.Sprintf("%s %d", e, n))
	}
	sort.Strings(effects)
	if len(effects) > 0 {
		fmt.Fprintf(w, "  addresses: %s\n", strings.Join(effects, ", "))
	}
	fmt.Fprintf(w, "  %d newly suppressed, %d suppressed before, %d soft bounces counted, %d customer addresses marked invalid\n",
		sum.Suppressed, sum.AlreadySuppressed, sum.SoftBounces, sum.Invalid)
}
