package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
)

const mergeUsage = `ID ID... [--keep ID] [--set FIELD=VALUE]... [--from FIELD=ID]... [--version ID=V]... [--db PATH|URL] [--rules FILE] [--json]

Merges two or more active customers into one, in one transaction: the
survivor (--keep, else the oldest) takes, field by field, the value the
rules file's survivorship picks, unless --from names the member to take a
field from or --set types a value (standardized and validated as an
import's). Consent attributes (opt-outs) always keep their most
restrictive value. Every member's source records then resolve to the
survivor, and the merge is kept with every member as it was, so that
'steward unmerge MERGE_ID' gives them back. --version ID=V refuses the
merge (exit 4) if customer ID changed since you saw it at version V.`

const unmergeUsage = `MERGE_ID [--member ID] [--version V] [--db PATH|URL] [--rules FILE] [--json]

Undoes a merge: every member back as it was, with its source records; a
value changed on the survivor since the merge is kept. With --member, only
that member is taken out, and the survivor is planned again from those
who remain. --version V refuses it (exit 4) if the merge changed since
you saw it at version V.`

// pairsFlag collects repeated FIELD=VALUE flags.
type pairsFlag [][2]string

func (p *pairsFlag) String() string { return fmt.Sprint(*p) }

func (p *pairsFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want FIELD=VALUE, not %q", v)
	}
	*p = append(*p, [2]string{strings.TrimSpace(k), val})
	return nil
}

// mergeFlags are the flags that say how a merge picks values, shared by
// steward merge and steward suggestions decide ID merge.
type mergeFlags struct {
	keep      *int64
	set, from pairsFlag
}

func addMergeFlags(fs *flag.FlagSet, m *mergeFlags) {
	m.keep = fs.Int64("keep", 0, "the customer the others merge into (default: the oldest)")
	fs.Var(&m.set, "set", "FIELD=VALUE: the survivor's value of FIELD, typed (repeat for more fields)")
	fs.Var(&m.from, "from", "FIELD=ID: the survivor takes FIELD from customer ID (repeat for more fields)")
}

// overrides turns --set and --from into a merge's overrides.
func (m *mergeFlags) overrides() ([]merge.Override, error) {
	var out []merge.Override
	for _, kv := range m.set {
		v := kv[1]
		out = append(out, merge.Override{Field: kv[0], Value: &v})
	}
	for _, kv := range m.from {
		id, err := strconv.ParseInt(kv[1], 10, 64)
		if err != nil || id <= 0 {
			return nil, usagef("write --from FIELD=ID with a customer id, e.g. --from email=12", "--from %s=%s: %q is not a customer id", kv[0], kv[1], kv[1])
		}
		out = append(out, merge.Override{Field: kv[0], From: id})
	}
	return out, nil
}

// runMerge implements "steward merge".
func runMerge(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "merge", mergeUsage)
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	asJSON := fs.Bool("json", false, "print the merge as JSON")
	var mf mergeFlags
	addMergeFlags(fs, &mf)
	var versions pairsFlag
	fs.Var(&versions, "version", "ID=V: refuse the merge if customer ID is no longer at version V")
	if err := parseFlags(fs, interleave(args)); err != nil {
		return err
	}
	req := merge.Request{SurvivorID: *mf.keep}
	for _, a := range fs.Args() {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return usagef("name customers by steward's ids, e.g. 'steward merge 12 15'", "%q is not a customer id", a)
		}
		req.CustomerIDs = append(req.CustomerIDs, id)
	}
	if len(req.CustomerIDs) < 2 {
		return usagef("name two or more customers: 'steward merge 12 15'", "merge needs at least two customer ids")
	}
	var err error
	if req.Overrides, err = mf.overrides(); err != nil {
		return err
	}
	for _, kv := range versions {
		id, err1 := strconv.ParseInt(kv[0], 10, 64)
		v, err2 := strconv.ParseInt(kv[1], 10, 64)
		if err1 != nil || err2 != nil {
			return usagef("write --version ID=V, e.g. --version 12=3", "--version %s=%s is not ID=V", kv[0], kv[1])
		}
		if req.Versions == nil {
			req.Versions = map[int64]int64{}
		}
		req.Versions[id] = v
	}
	svc, s, err := openMergeService(ctx, env, *db, *rulesPath)
	if err != nil {
		return err
	}
	defer s.Close()
	var res *merge.Result
	err = s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		var err error
		if res, err = svc.Merge(ctx, tx, req, steward.Meta{Actor: cliActor(env), Cause: "cli"}); err != nil {
			return err
		}
		return audit(ctx, env, tx, "merge.create", fmt.Sprintf("merge:%d", res.Merge.ID), map[string]any{"customers": req.CustomerIDs})
	})
	if err != nil {
		return mergeError(env, err)
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	printMerged(env.Stdout, res)
	return nil
}

// openMergeService opens the database and a merge service following the
// rules file's survivorship and admission policy.
func openMergeService(ctx context.Context, env *Env, db, rulesPath string) (*merge.Service, interface {
	steward.Store
	Close() error
}, error) {
	rf, err := loadRules(env, rulesPath)
	if err != nil {
		return nil, nil, err
	}
	policy, err := gatePolicy(rf, "")
	if err != nil {
		return nil, nil, err
	}
	s, err := openStore(ctx, env, db, mustExist)
	if err != nil {
		return nil, nil, err
	}
	return &merge.Service{Policy: policy}, s, nil
}

// mergeError prints, for a conflict, the customers as they are now, and
// returns err for its exit code.
func mergeError(env *Env, err error) error {
	var ce *merge.ConflictError
	if errors.As(err, &ce) {
		for _, c := range ce.Current {
			fmt.Fprintf(env.Stderr, "  customer %d is now %s, version %d%s\n", c.ID, c.Status, c.Version, mergedInto(c))
		}
	}
	return err
}

func mergedInto(c *steward.Customer) string {
	if c.MergedInto != 0 {
		return fmt.Sprintf(", merged into %d", c.MergedInto)
	}
	return ""
}

// printMerged tells what a merge did: who went into whom, and the values
// that were chosen among different ones, or by a steward, or for consent.
func printMerged(w io.Writer, res *merge.Result) {
	var ids []string
	for _, mm := range res.Merge.Members {
		ids = append(ids, strconv.FormatInt(mm.CustomerID, 10))
	}
	fmt.Fprintf(w, "merged customers %s into %d (merge %d); undo with: steward unmerge %d\n",
		strings.Join(ids, ", "), res.Merge.SurvivorID, res.Merge.ID, res.Merge.ID)
	printChoices(w, res.Merge.Choices)
	for _, f := range res.Findings {
		fmt.Fprintf(w, "  warning: %s: %s\n", f.Field, f.Message)
	}
}

// printChoices lists the survivor's values that were a choice.
func printChoices(w io.Writer, choices []steward.FieldChoice) {
	for _, ch := range choices {
		if !ch.Differs && ch.By == steward.ByPolicy {
			continue
		}
		why := string(ch.Strategy)
		if ch.By != steward.ByPolicy {
			why = string(ch.By)
			if ch.Strategy != "" {
				why += ", " + string(ch.Strategy)
			}
		}
		from := "typed"
		if ch.From != 0 {
			from = fmt.Sprintf("from %d", ch.From)
		}
		fmt.Fprintf(w, "  %-14s %-30q %s (%s)\n", ch.Field, ch.Value, from, why)
	}
}

// runUnmerge implements "steward unmerge".
func runUnmerge(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "unmerge", unmergeUsage)
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	asJSON := fs.Bool("json", false, "print the merge as JSON")
	member := fs.Int64("member", 0, "take only this customer out of the merge")
	version := fs.Int64("version", 0, "refuse if the merge is no longer at this version")
	if err := parseFlags(fs, interleave(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("run 'steward unmerge MERGE_ID' (merge ids are in 'steward merge' output and GET /api/v1/merges)", "unmerge needs one merge id")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return usagef("name the merge by its id, e.g. 'steward unmerge 12'", "%q is not a merge id", fs.Arg(0))
	}
	svc, s, err := openMergeService(ctx, env, *db, *rulesPath)
	if err != nil {
		return err
	}
	defer s.Close()
	var res *merge.Result
	err = s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		meta := steward.Meta{Actor: cliActor(env), Cause: "cli"}
		action := "merge.undo"
		var err error
		if *member != 0 {
			action = "merge.take_out"
			res, err = svc.TakeOut(ctx, tx, id, *member, *version, meta)
		} else {
			res, err = svc.Undo(ctx, tx, id, *version, meta)
		}
		if err != nil {
			return err
		}
		return audit(ctx, env, tx, action, fmt.Sprintf("merge:%d", id), map[string]any{"member": *member})
	})
	if err != nil {
		return mergeError(env, err)
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	if res.Merge.Status == steward.MergeUndone {
		fmt.Fprintf(env.Stdout, "merge %d undone: customers %s are back as they were\n", id, memberList(res.Merge))
		return nil
	}
	fmt.Fprintf(env.Stdout, "customer %d taken out of merge %d; customer %d planned again from %s\n", *member, id, res.Merge.SurvivorID, memberList(res.Merge))
	printChoices(env.Stdout, res.Merge.Choices)
	return nil
}

// memberList names the members of m still in it.
func memberList(m *steward.Merge) string {
	var ids []string
	for _, mm := range m.Members {
		if mm.In() || m.Status == steward.MergeUndone {
			ids = append(ids, strconv.FormatInt(mm.CustomerID, 10))
		}
	}
	return strings.Join(ids, ", ")
}
