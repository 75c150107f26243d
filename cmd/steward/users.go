package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
	"golang.org/x/term"
)

const usersUsage = `add NAME --role viewer|steward|admin | list | disable NAME | enable NAME | password NAME  [--db PATH|URL] [--json]

  add NAME --role R  a new user who signs in to steward serve with a
                     password: read from standard input (its first line),
                     or asked for twice on a terminal; at least 10
                     characters, kept as an argon2id hash
  list               every user with role and status
  disable NAME       refuse the user's password and tokens from now on
  enable NAME        let a disabled user in again
  password NAME      set a new password (read as for add)

Roles: viewer reads; steward also decides suggestions, merges and undoes
merges; admin also manages users, tokens, imports and jobs. Every change
is written to the audit log with the operating system's user.`

// runUsers implements "steward users".
func runUsers(ctx context.Context, env *Env, args []string) error {
	sub, args, err := subcommand(env, "users", usersUsage, "run 'steward users add NAME --role steward'", args)
	if sub == "" {
		return err
	}
	usage := "NAME [flags]"
	switch sub {
	case "add":
		usage = "NAME --role viewer|steward|admin [flags]\n\n" + passwordUsage
	case "password":
		usage = "NAME [flags]\n\n" + passwordUsage
	case "list":
		usage = "[flags]"
	}
	fs := newFlagSet(env, "users "+sub, usage)
	db := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	role := fs.String("role", "", "the user's role (add): viewer, steward or admin")
	if err := parseFlags(fs, interleave(args)); err != nil {
		return err
	}
	name := ""
	switch sub {
	case "list":
		if fs.NArg() > 0 {
			return usagef("run 'steward users list'", "users list takes no arguments")
		}
	case "add", "disable", "enable", "password":
		if fs.NArg() != 1 {
			return usagef(fmt.Sprintf("run 'steward users %s NAME'", sub), "users %s needs one user name", sub)
		}
		name = fs.Arg(0)
	default:
		return usagef("run 'steward users -h'", "unknown users subcommand %q", sub)
	}
	if sub == "add" && *role == "" {
		return usagef("add --role viewer, --role steward or --role admin", "users add needs --role")
	}
	s, err := openStore(ctx, env, *db, mustExist)
	if err != nil {
		return err
	}
	defer s.Close()
	switch sub {
	case "list":
		return listUsers(ctx, env, s, *asJSON)
	case "add":
		r, err := steward.ParseRole(*role)
		if err != nil {
			return usagef("use --role viewer, steward or admin", "--role: %s", steward.ErrorMessage(err))
		}
		if _, err := steward.NormalizeUserName(name); err != nil {
			return err
		}
		hash, err := newPasswordHash(env)
		if err != nil {
			return err
		}
		u := &steward.User{Name: name, Role: r, PasswordHash: hash}
		if err := s.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := audit(ctx, env, s, "user.create", "user:"+u.Name, map[string]string{"role": string(u.Role)}); err != nil {
			return err
		}
		return printUser(env, u, *asJSON, "added")
	}
	u, err := s.UserByName(ctx, name)
	if err != nil {
		return err
	}
	switch sub {
	case "disable":
		if !u.Disabled() {
			u.DisabledAt = time.Now().UTC().Truncate(time.Microsecond)
		}
	case "enable":
		u.DisabledAt = time.Time{}
	case "password":
		if u.PasswordHash, err = newPasswordHash(env); err != nil {
			return err
		}
	}
	if err := s.UpdateUser(ctx, u); err != nil {
		return err
	}
	if err := audit(ctx, env, s, "user."+sub, "user:"+u.Name, nil); err != nil {
		return err
	}
	return printUser(env, u, *asJSON, map[string]string{"disable": "disabled", "enable": "enabled", "password": "has a new password"}[sub])
}

// subcommand splits the subcommand off args of command name. It returns
// "" when there is none to run: help was asked for (nil error, usage
// printed) or none was given (a usage error with hint).
func subcommand(env *Env, name, usage, hint string, args []string) (string, []string, error) {
	if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
		return args[0], args[1:], nil
	}
	fmt.Fprintf(env.Stderr, "Usage: steward %s %s\n", name, usage)
	if len(args) == 0 {
		return "", nil, usagef(hint, "%s needs a subcommand", name)
	}
	return "", nil, nil
}

// interleave moves the flags of args before its arguments, so that
// passwordUsage says where users add and users password read the password.
const passwordUsage = `The password is read from standard input (its first line), or asked for
twice on a terminal; at least 10 characters, kept as an argon2id hash:
  printf '%s\n' "$PW" | steward users add NAME --role admin`

// "users add sara --role admin" parses as "users add --role admin sara".
func interleave(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			return append(flags, append([]string{"--"}, rest...)...)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && !boolFlag(a) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			rest = append(rest, a)
		}
	}
	return append(flags, rest...)
}

// boolFlag reports whether a flag of the commands that interleave takes
// no value.
func boolFlag(a string) bool {
	switch strings.TrimLeft(a, "-") {
	case "json", "h", "help", "quiet":
		return true
	}
	return false
}

func listUsers(ctx context.Context, env *Env, s steward.UserStore, asJSON bool) error {
	us, err := s.Users(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(us)
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tROLE\tSTATUS\tCREATED")
	for _, u := range us {
		status := "active"
		if u.Disabled() {
			status = "disabled " + u.DisabledAt.Format(time.DateOnly)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", u.Name, u.Role, status, u.CreatedAt.Format(time.DateOnly))
	}
	return w.Flush()
}

func printUser(env *Env, u *steward.User, asJSON bool, what string) error {
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(u)
	}
	fmt.Fprintf(env.Stdout, "user %s (%s) %s\n", u.Name, u.Role, what)
	return nil
}

// newPasswordHash reads a new password, from a prompt on a terminal
// (twice) or from the first line of standard input, and hashes it.
func newPasswordHash(env *Env) (string, error) {
	pw, err := readPassword(env)
	if err != nil {
		return "", err
	}
	h, err := auth.HashPassword(pw, auth.DefaultParams())
	if err != nil {
		if steward.ErrorCode(err) == steward.EINVALID {
			return "", usagef(fmt.Sprintf("choose a password of at least %d characters", auth.MinPasswordLength), "%s", steward.ErrorMessage(err))
		}
		return "", err
	}
	return h, nil
}

// readPassword reads a password as newPasswordHash says.
func readPassword(env *Env) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.Stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(env.Stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", usagef("type the same password twice", "the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usagef("give the password on standard input: printf '%s\\n' \"$PW\" | steward users add NAME --role R", "no password on standard input")
	}
	return pw, nil
}
