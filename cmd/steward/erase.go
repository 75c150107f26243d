package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/erase"
)

const eraseUsage = `CUSTOMER_ID… --yes [--db PATH|URL] [--rules FILE] [--index-cache FILE|off] [--json]

Erases customers for good (a person's right to erasure): every value of
their record, their history of changes, source records, email
verifications and not-duplicate marks, the evidence of suggestions they are
in, and what merges kept of them. A customer merged with others is one
person with them: all of them are erased. Every email address and phone
number they had stays suppressed as a keyed hash only, so that the same
address imported again is never written to. Merges of an erased customer
can no longer be undone. The duplicate index's cache file, which holds
match keys, is deleted (the next import builds it again); the erasure is in
the audit log with ids and counts only. Without --yes nothing is erased.
Erasing an erased customer again changes nothing.`

// runErase implements "steward erase".
func runErase(ctx context.Context, env *Env, args []string) error {
	fset := newFlagSet(env, "erase", eraseUsage)
	db := dbFlag(fset)
	rulesPath := rulesFlag(fset)
	cacheFlag := fset.String("index-cache", "", indexCacheUsage)
	yes := fset.Bool("yes", false, "erase: without it, nothing is done")
	asJSON := fset.Bool("json", false, "print one JSON object per customer")
	pos, err := parsePositional(fset, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("steward erase 1234 --yes", "name the customers to erase by their steward ids")
	}
	var ids []int64
	for _, p := range pos {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return usagef("steward erase takes steward's customer ids (steward export --steward-ids shows them)", "%q is not a customer id", p)
		}
		ids = append(ids, id)
	}
	if !*yes {
		return usagef(fmt.Sprintf("add --yes to erase customers %v; this cannot be undone", ids), "nothing erased without --yes")
	}
	rf, err := loadRules(env, *rulesPath)
	if err != nil {
		return err
	}
	keys, err := suppressionKeys(env, *db)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, env, *db, mustExist)
	if err != nil {
		return err
	}
	defer st.Close()
	er := &erase.Eraser{Keys: keys, Region: rf.Defaults.Country}
	enc := json.NewEncoder(env.Stdout)
	var failed error
	erased := false
	for _, id := range ids {
		res, err := er.Erase(ctx, st, id, steward.Meta{Actor: cliActor(env), Cause: "erasure"})
		if err != nil {
			if steward.ErrorCode(err) != steward.ENOTFOUND {
				return err
			}
			fmt.Fprintf(env.Stderr, "steward erase: %s\n", steward.ErrorMessage(err))
			failed = err
			continue
		}
		erased = erased || res.Erased
		if *asJSON {
			if err := enc.Encode(res); err != nil {
				return err
			}
			continue
		}
		if !res.Erased {
			fmt.Fprintf(env.Stdout, "customer %d: erased before; nothing left to erase\n", id)
			continue
		}
		fmt.Fprintf(env.Stdout, "customer %d: erased customers %v; %d addresses kept suppressed as hashes (%d newly); %d merges emptied\n",
			id, res.Customers, res.Addresses, res.Suppressed, len(res.Merges))
	}
	if erased {
		if p := indexCachePath(env, *db, *cacheFlag); p != "" {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("delete the duplicate index's cache, which holds the erased customers' match keys: %w", err)
			}
		}
	}
	return failed
}
