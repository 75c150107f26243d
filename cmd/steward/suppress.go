package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/suppress"
)

// suppressionKeys returns the keys of the database dsn's suppressions:
// $STEWARD_HASH_KEY and $STEWARD_TOKEN_KEYS (hex or base64; token keys
// newest first, separated by commas) when set; otherwise, for an SQLite
// database, the key file beside it (DB.keys, made on first use, owner
// only). A PostgreSQL database is shared by every instance, which must
// all hash and sign alike: it needs the keys in the configuration.
func suppressionKeys(env *Env, dsn string) (*suppress.Keys, error) {
	hk, tk := env.Getenv("STEWARD_HASH_KEY"), env.Getenv("STEWARD_TOKEN_KEYS")
	if hk != "" || tk != "" {
		k, err := suppress.ParseKeys(hk, tk)
		if err != nil {
			return nil, usagef("set STEWARD_HASH_KEY and STEWARD_TOKEN_KEYS to keys of 16 bytes or more, in hex or base64 (openssl rand -hex 32)", "suppression keys: %v", err)
		}
		return k, nil
	}
	dsn = dbDSN(env, dsn)
	if store.KindOf(dsn) == store.Postgres {
		return nil, usagef("set STEWARD_HASH_KEY and STEWARD_TOKEN_KEYS (openssl rand -hex 32) the same for every instance",
			"suppressions need keys: a shared PostgreSQL database takes them from the configuration")
	}
	k, created, err := suppress.LoadOrCreateKeyFile(store.SQLitePath(dsn) + ".keys")
	if err != nil {
		return nil, err
	}
	if created {
		envLogger(env).Warn("made new suppression keys beside the database; back them up with it", "file", store.SQLitePath(dsn)+".keys")
	}
	return k, nil
}

// existingSuppressionKeys returns the database's suppression keys when it
// has any (in the configuration, or a key file beside an SQLite
// database), and nil otherwise: a database without keys has no
// suppressions, and reading it makes none.
func existingSuppressionKeys(env *Env, dsn string) (*suppress.Keys, error) {
	if env.Getenv("STEWARD_HASH_KEY") == "" && env.Getenv("STEWARD_TOKEN_KEYS") == "" {
		dsn = dbDSN(env, dsn)
		if store.KindOf(dsn) == store.Postgres {
			return nil, nil
		}
		if _, err := os.Stat(store.SQLitePath(dsn) + ".keys"); err != nil {
			return nil, nil
		}
	}
	return suppressionKeys(env, dsn)
}

const suppressUsage = `ADDRESS… [--channel email|sms] [--list L] [--reason R] [--db PATH|URL] [--json]

Suppresses addresses: nothing is sent to them any more (by every list, or
by the one --list names). --reason is manual (the default), unsubscribed,
hard_bounce, soft_bounces, complaint or esp. An address already suppressed
stays as it was. The suppression is kept by the address's keyed hash, so it
outlives the customer: after an erasure, the same address imported again is
still suppressed.`

// runSuppress implements "steward suppress".
func runSuppress(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "suppress", suppressUsage)
	db := dbFlag(fs)
	channel := fs.String("channel", "email", "email or sms")
	list := fs.String("list", "", "suppress for this list only (default: every message)")
	reason := fs.String("reason", string(steward.ReasonManual), "why: manual, unsubscribed, hard_bounce, soft_bounces, complaint or esp")
	asJSON := fs.Bool("json", false, "print one JSON object per address")
	addrs, err := parsePositional(fs, args)
	if err != nil {
		return err
	}
	if len(addrs) == 0 {
		return usagef("steward suppress ann@example.org", "name the addresses to suppress")
	}
	if r := steward.SuppressionReason(*reason); r == steward.ReasonErased {
		return usagef("steward erase CUSTOMER_ID forgets a customer and keeps their addresses suppressed", "--reason erased is steward erase's")
	} else if !slices.Contains(steward.SuppressionReasons(), r) {
		return usagef("use manual, unsubscribed, hard_bounce, soft_bounces, complaint or esp", "unknown --reason %q", *reason)
	}
	ch := steward.Channel(*channel)
	if ch != steward.ChannelEmail && ch != steward.ChannelSMS {
		return usagef("use --channel email or sms", "unknown --channel %q", *channel)
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
	enc := json.NewEncoder(env.Stdout)
	bad := 0
	for _, a := range addrs {
		n := suppress.Normalize(ch, a, "")
		if n == "" {
			bad++
			fmt.Fprintf(env.Stderr, "steward suppress: %q is not an %s address; skipped\n", a, ch)
			continue
		}
		sp := &steward.Suppression{Channel: ch, Address: n, Hash: keys.Hash(ch, n), Scope: *list,
			Reason: steward.SuppressionReason(*reason), Source: "cli", Actor: cliActor(env)}
		created, err := st.Suppress(ctx, sp)
		if err != nil {
			return err
		}
		if *asJSON {
			if err := enc.Encode(struct {
				*steward.Suppression
				New bool `json:"new"`
			}{sp, created}); err != nil {
				return err
			}
			continue
		}
		what := "suppressed"
		if !created {
			what = fmt.Sprintf("already suppressed (%s, %s, %s)", sp.Reason, sp.Source, sp.CreatedAt.Local().Format("2006-01-02"))
		}
		scope := "every message"
		if sp.Scope != "" {
			scope = "list " + sp.Scope
		}
		fmt.Fprintf(env.Stdout, "%s: %s for %s\n", n, what, scope)
	}
	if bad > 0 {
		return errFindings
	}
	return nil
}

// parsePositional parses flags before, between and after positional
// arguments, and returns the positional ones.
func parsePositional(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
