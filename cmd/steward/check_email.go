package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/validate"
)

const checkEmailUsage = `[--offline] [--dns HOST:PORT] [--timeout D] [--dmarc] [--json] [ADDRESS...]

Verifies email addresses given as arguments, or one per line on standard
input, and prints one result per address in input order: address, verdict
(valid, risky, unknown, invalid), reason code, suggested correction ("-"
when none) and a message; with --json, one JSON object per line.

Syntax, disposable/role/free flags and typo suggestions need no network;
without --offline each distinct domain is then checked in DNS once (MX,
else A/AAAA; null MX and NXDOMAIN make an address invalid, a failing or
silent server makes it unknown, never invalid).

Exit status: 0 when no address is invalid, 1 when any is invalid, 2 on a
bad command line.`

// checkEmailJSON is one line of check-email --json output.
type checkEmailJSON struct {
	Address    string   `json:"address"`
	Verdict    string   `json:"verdict"`
	Reason     string   `json:"reason"`
	Suggestion string   `json:"suggestion"`
	Flags      []string `json:"flags"`
	Message    string   `json:"message"`
	Domain     string   `json:"domain,omitempty"`
	MX         []string `json:"mx,omitempty"`
	DMARC      string   `json:"dmarc,omitempty"`
	// DisplayName is the name the address was written with, left out.
	DisplayName string `json:"display_name,omitempty"`
}

// runCheckEmail implements "steward check-email".
func runCheckEmail(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "check-email", checkEmailUsage)
	offline := fs.Bool("offline", false, "check syntax and lists only; ask no DNS server")
	server := fs.String("dns", "", "DNS server to ask, HOST:PORT (default: the first nameserver in /etc/resolv.conf)")
	timeout := fs.Duration("timeout", 3*time.Second, "timeout of each DNS attempt")
	withDMARC := fs.Bool("dmarc", false, "also look up each domain's DMARC policy (information only)")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *timeout <= 0 {
		return usagef("give a positive duration such as 3s", "--timeout must be positive, not %s", *timeout)
	}
	if *offline && *server != "" {
		return usagef("drop one of them", "--offline and --dns contradict each other")
	}

	addrs := fs.Args()
	if len(addrs) == 0 {
		var err error
		if addrs, err = readLines(env.Stdin); err != nil {
			return fmt.Errorf("read addresses: %w", err)
		}
	}

	v, err := newEmailVerifier(*offline, *server, *timeout, "name a server with --dns HOST:PORT, or check syntax only with --offline")
	if err != nil {
		return err
	}
	v.DMARC = *withDMARC

	var bar *progress.Bar
	if len(addrs) > 1000 {
		bar = progress.New("check-email", int64(len(addrs)), env.Stderr, env.Terminal, env.Logger)
	}
	prev := 0
	results, err := v.VerifyBatch(ctx, addrs, validate.BatchOptions{Progress: func(done int) {
		bar.Add(int64(done - prev))
		prev = done
	}})
	bar.Done()
	if err != nil {
		return err
	}

	w := bufio.NewWriter(env.Stdout)
	invalid := 0
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range results {
		if r.Verdict == validate.Invalid {
			invalid++
		}
		if *asJSON {
			flags := r.Flags.Names()
			if flags == nil {
				flags = []string{}
			}
			if err := enc.Encode(checkEmailJSON{
				Address: r.Address, Verdict: string(r.Verdict), Reason: string(r.Reason),
				Suggestion: r.Suggestion, Flags: flags, Message: r.Message,
				Domain: r.Domain, MX: r.MX, DMARC: r.DMARC, DisplayName: r.DisplayName,
			}); err != nil {
				return fmt.Errorf("write result: %w", err)
			}
			continue
		}
		sug := r.Suggestion
		if sug == "" {
			sug = "-"
		}
		msg := r.Message
		if r.DMARC != "" {
			msg += " DMARC policy: " + r.DMARC + "."
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", printable(r.Address), r.Verdict, r.Reason, sug, msg)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if invalid > 0 {
		return errFindings
	}
	return nil
}

// readLines reads one address per line, dropping line endings and blank
// lines but keeping other whitespace, which is itself a finding.
func readLines(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		out = append(out, line)
	}
	return out, sc.Err()
}

// printable quotes an address that holds tabs, control or invisible
// characters, so a human line shows what is really there.
func printable(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) ||
			(r >= 0x2060 && r <= 0x2069) || r == 0xfeff || r == 0xad {
			return fmt.Sprintf("%+q", s)
		}
	}
	return s
}
