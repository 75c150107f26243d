package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
	"github.com/steward-crm/steward/internal/server"
)

const tokensUsage = `create --user NAME [--name TEXT] [--expires DURATION] | list --user NAME | revoke ID | unsubscribe CUSTOMER_ID [--list L] [--base-url URL]  [--db PATH|URL] [--json]

  create  a new API token for a user: its secret is printed once, on
          standard output, and kept only as a hash; programs send it as
          "Authorization: Bearer SECRET". --expires (e.g. 2160h) makes it
          stop working after that long; without it, it works until revoked.
  list    a user's tokens (never their secrets)
  revoke  stop token ID from working, now
  unsubscribe
          a one-click unsubscribe link (RFC 8058) for the customer's email
          address, for every message or for --list, under --base-url
          (default $STEWARD_PUBLIC_URL: where recipients reach 'steward
          serve'), and the two headers to send with it. The link is signed
          with the first of STEWARD_TOKEN_KEYS and unsubscribes that
          address only.

Every change is written to the audit log with the operating system's user.`

// runTokens implements "steward tokens".
func runTokens(ctx context.Context, env *Env, args []string) error {
	sub, args, err := subcommand(env, "tokens", tokensUsage, "run 'steward tokens create --user NAME'", args)
	if sub == "" {
		return err
	}
	if sub == "unsubscribe" {
		return runUnsubscribeLink(ctx, env, args)
	}
	fs := newFlagSet(env, "tokens "+sub, "[flags]")
	db := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	user := fs.String("user", "", "the user the token is for (create, list)")
	label := fs.String("name", "", "what the token is for, e.g. \"crm sync\" (create)")
	expires := fs.Duration("expires", 0, "how long the token works, e.g. 2160h (create; default: until revoked)")
	if err := parseFlags(fs, interleave(args)); err != nil {
		return err
	}
	var id int64
	switch sub {
	case "create", "list":
		if *user == "" {
			return usagef(fmt.Sprintf("run 'steward tokens %s --user NAME'", sub), "tokens %s needs --user", sub)
		}
		if fs.NArg() > 0 {
			return usagef("run 'steward tokens -h'", "unexpected argument %q", fs.Arg(0))
		}
		if *expires < 0 {
			return usagef("give a positive duration such as 2160h", "--expires cannot be negative")
		}
	case "revoke":
		if fs.NArg() != 1 {
			return usagef("run 'steward tokens revoke ID' (the ids are in 'steward tokens list --user NAME')", "tokens revoke needs one token id")
		}
		if id, err = strconv.ParseInt(fs.Arg(0), 10, 64); err != nil || id <= 0 {
			return usagef("the ids are in 'steward tokens list --user NAME'", "%q is not a token id", fs.Arg(0))
		}
	default:
		return usagef("run 'steward tokens -h'", "unknown tokens subcommand %q", sub)
	}
	s, err := openStore(ctx, env, *db, mustExist)
	if err != nil {
		return err
	}
	defer s.Close()
	now := time.Now().UTC().Truncate(time.Microsecond)
	switch sub {
	case "revoke":
		if err := s.RevokeToken(ctx, id, now); err != nil {
			return err
		}
		if err := audit(ctx, env, s, "token.revoke", fmt.Sprintf("token:%d", id), nil); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "token %d revoked\n", id)
		return nil
	}
	u, err := s.UserByName(ctx, *user)
	if err != nil {
		return err
	}
	if sub == "list" {
		ts, err := s.Tokens(ctx, u.ID)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(ts)
		}
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tKIND\tNAME\tCREATED\tEXPIRES\tSTATUS")
		for _, t := range ts {
			exp, status := "never", "usable"
			if !t.ExpiresAt.IsZero() {
				exp = t.ExpiresAt.Format(time.RFC3339)
			}
			switch {
			case !t.RevokedAt.IsZero():
				status = "revoked " + t.RevokedAt.Format(time.RFC3339)
			case !t.Usable(now):
				status = "expired"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Kind, t.Name, t.CreatedAt.Format(time.RFC3339), exp, status)
		}
		return w.Flush()
	}
	secret, hash, err := auth.NewSecret()
	if err != nil {
		return err
	}
	t := &steward.Token{UserID: u.ID, Kind: steward.TokenAPI, Name: *label, Hash: hash}
	if *expires > 0 {
		t.ExpiresAt = now.Add(*expires)
	}
	if err := s.CreateToken(ctx, t); err != nil {
		return err
	}
	if err := audit(ctx, env, s, "token.create", fmt.Sprintf("token:%d", t.ID), map[string]string{"user": u.Name}); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(struct {
			*steward.Token
			Secret string `json:"secret"`
			User   string `json:"user"`
		}{t, secret, u.Name})
	}
	fmt.Fprintln(env.Stdout, secret)
	fmt.Fprintf(env.Stderr, "token %d for %s (%s); the secret above is shown this once: keep it where its program reads it\n", t.ID, u.Name, u.Role)
	return nil
}

// runUnsubscribeLink implements "steward tokens unsubscribe".
func runUnsubscribeLink(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "tokens unsubscribe", "CUSTOMER_ID [--list L] [--base-url URL] [--db PATH|URL] [--json]")
	db := dbFlag(fs)
	list := fs.String("list", "", "the list to unsubscribe from (default: every message)")
	base := fs.String("base-url", "", "where recipients reach steward serve, e.g. https://crm.example.com (default $STEWARD_PUBLIC_URL)")
	asJSON := fs.Bool("json", false, "print the link and headers as JSON")
	pos, err := parsePositional(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("steward tokens unsubscribe 1234 --base-url https://crm.example.com", "name one customer by its steward id")
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usagef("steward export --steward-ids shows the ids", "%q is not a customer id", pos[0])
	}
	if *base == "" {
		*base = env.Getenv("STEWARD_PUBLIC_URL")
	}
	if *base == "" {
		return usagef("pass --base-url https://crm.example.com or set STEWARD_PUBLIC_URL", "an unsubscribe link needs the address where recipients reach steward serve")
	}
	keys, err := suppressionKeys(env, *db)
	if err != nil {
		return err
	}
	s, err := openStore(ctx, env, *db, mustExist)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.Customer(ctx, id)
	if err != nil {
		return err
	}
	link, err := server.UnsubscribeLink(keys, *base, c, *list)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(link)
	}
	fmt.Fprintln(env.Stdout, link.URL)
	fmt.Fprintf(env.Stdout, "List-Unsubscribe: %s\nList-Unsubscribe-Post: %s\n", link.Headers["List-Unsubscribe"], link.Headers["List-Unsubscribe-Post"])
	return nil
}
