// Command steward keeps a CRM's single customer database clean: it imports
// records through a validation gate, standardizes and validates them, finds
// duplicates and runs the nightly cleanup. Run "steward help" for commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/steward-crm/steward"
	"golang.org/x/term"
)

// Exit codes, documented in README.md.
const (
	exitOK          = 0   // success
	exitFindings    = 1   // ran, and found problems in the input (invalid rows, rules problems, invalid addresses)
	exitUsage       = 2   // bad command line
	exitNotFound    = 3   // something named does not exist
	exitConflict    = 4   // a job of the same name is running, or a stale update
	exitInternal    = 5   // internal error: see the log
	exitRefused     = 6   // import: the file cannot be read as a whole; nothing was imported
	exitUnavailable = 7   // the database cannot be reached, or lacks migrations
	exitInterrupted = 130 // stopped by a signal
)

// Env is what a command may touch of the outside world; tests build their
// own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Logger *slog.Logger
	// Level is the logger's level, which --log-level and --quiet set; nil
	// when a test built env with a logger of its own.
	Level *slog.LevelVar
	// Terminal reports whether Stderr is a terminal, so progress is drawn as
	// a bar rather than logged as counts.
	Terminal bool
}

// command is one subcommand: its name, a one-line summary, and its Run.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// commandGroup is a heading of the usage and the commands under it, in
// the order a user meets them.
type commandGroup struct {
	title    string
	commands []command
}

// commandGroups lists every subcommand, grouped by the work it serves;
// each lives in its own file.
func commandGroups() []commandGroup {
	return []commandGroup{
		{"Start here", []command{
			{"demo", "generate customers into a fresh database and show what steward does", runDemo},
		}},
		{"Bring customers in and out (CRM admins)", []command{
			{"import", "import a file through the validation gate (--dry-run: only report)", runImport},
			{"imports", "the imports history (imports list, imports show ID)", runImports},
			{"validate", "print validation findings per row of a file", runValidate},
			{"standardize", "standardize a CSV file of customers", runStandardize},
			{"check-email", "verify email addresses", runCheckEmail},
			{"export", "write active customers as canonical CSV", runExport},
		}},
		{"Review duplicates (data stewards)", []command{
			{"suggestions", "review merge suggestions (suggestions list|show ID|decide ID ...)", runSuggestions},
			{"merge", "merge customers into one (merge ID ID... [--keep ID] [--set FIELD=VALUE])", runMerge},
			{"unmerge", "undo a merge, or take one member out (unmerge MERGE_ID [--member ID])", runUnmerge},
			{"dedupe", "find duplicate customers in a file (dedupe eval: measure accuracy)", runDedupe},
		}},
		{"Consent and mail", []command{
			{"suppress", "suppress addresses: nothing is sent to them any more", runSuppress},
			{"import-suppressions", "import an email provider's suppression list (Mailchimp, SendGrid, Mailgun, SES, plain)", runImportSuppressions},
			{"ingest", "read bounces, complaints and unsubscribe requests from mail (ingest mail PATH…)", runIngest},
			{"erase", "erase customers for good, keeping their addresses suppressed as hashes", runErase},
		}},
		{"Jobs, service and reports", []command{
			{"serve", "serve the steward pages, the JSON API, /metrics and the rules' schedules", runServe},
			{"run", "run a job against the database (standardize, verify-emails, dedupe, nightly)", runJob},
			{"jobs", "the rules' schedules that serve runs (jobs list|runs|run NAME|pause NAME|resume NAME)", runJobs},
			{"report", "report on the quality of the customer database (report snapshot: take one now)", runReport},
		}},
		{"Set-up", []command{
			{"migrate", "apply database migrations", runMigrate},
			{"rules", "work with the rules file (rules check FILE)", runRules},
			{"users", "manage the users of steward serve (users add NAME --role R)", runUsers},
			{"tokens", "manage API tokens (tokens create --user NAME)", runTokens},
			{"gen", "generate synthetic customers with ground truth", runGen},
			{"version", "print steward's version and commit", runVersion},
		}},
	}
}

// commands lists every subcommand.
func commands() []command {
	var cs []command
	for _, g := range commandGroups() {
		cs = append(cs, g.commands...)
	}
	return cs
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &Env{
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Getenv:   os.Getenv,
		Terminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
	// On a terminal a person watches the progress bars and reads the
	// summary: the log says only what went wrong. Under cron or a service
	// manager the log is the record, with counts every few seconds.
	env.Level = new(slog.LevelVar)
	if env.Terminal {
		env.Level.Set(slog.LevelWarn)
	}
	env.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: env.Level}))
	stopProfile := startProfile(env)
	code := Main(ctx, env, os.Args[1:])
	stopProfile()
	stop()
	os.Exit(code)
}

// startProfile writes a CPU profile of the whole run to the file named by
// $STEWARD_CPUPROFILE, for reporting a slow command; it returns the
// function that finishes the profile.
func startProfile(env *Env) func() {
	path := env.Getenv("STEWARD_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		env.Logger.Warn("cpu profile not written", "err", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		env.Logger.Warn("cpu profile not written", "err", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			env.Logger.Warn("cpu profile not written", "err", err)
		}
	}
}

// Main runs the command line args and returns the process exit code.
func Main(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(env.Stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitCode(env, c.name, c.run(ctx, env, args[1:]))
		}
	}
	fmt.Fprintf(env.Stderr, "steward: unknown command %q\nRun 'steward help' for the list of commands.\n", args[0])
	return exitUsage
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "steward keeps a CRM's single customer database clean.")
	fmt.Fprintln(w, "\nUsage: steward COMMAND [flags]")
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, g := range commandGroups() {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, c := range g.commands {
			fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
		}
	}
	fmt.Fprintln(w, "\nRun 'steward COMMAND -h' for a command's flags.")
}

// usageError is a bad command line; its hint says what to do instead.
type usageError struct {
	msg  string
	hint string
}

func (e *usageError) Error() string { return e.msg }

// usagef returns a usage error with a hint.
func usagef(hint, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), hint: hint}
}

// refusedError is an input refused as a whole (a file that cannot be read
// to its end): nothing of it was imported.
type refusedError struct{ err error }

func (e *refusedError) Error() string { return e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// interruptedError is an interruption (err wraps context.Canceled) and
// what it left, for the person who stopped the command.
type interruptedError struct {
	err  error
	left string
}

func (e *interruptedError) Error() string { return e.err.Error() }
func (e *interruptedError) Unwrap() error { return e.err }

// errFindings is returned by a command that ran to the end and found
// problems in its input, which it already printed.
var errFindings = errors.New("findings")

// exitCode prints err for the user and maps it to an exit code.
func exitCode(env *Env, name string, err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings):
		return exitFindings
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "steward %s: %s\n", name, ue.msg)
		if ue.hint != "" {
			fmt.Fprintf(env.Stderr, "hint: %s\n", ue.hint)
		}
		return exitUsage
	case errors.Is(err, context.Canceled):
		var ie *interruptedError
		if errors.As(err, &ie) {
			fmt.Fprintf(env.Stderr, "steward %s: interrupted: %s\n", name, ie.left)
		} else {
			fmt.Fprintf(env.Stderr, "steward %s: interrupted\n", name)
		}
		return exitInterrupted
	case errors.As(err, new(*refusedError)):
		fmt.Fprintf(env.Stderr, "steward %s: %s\n", name, steward.ErrorMessage(err))
		return exitRefused
	}
	if code, ok := errorExit[steward.ErrorCode(err)]; ok {
		fmt.Fprintf(env.Stderr, "steward %s: %s\n", name, steward.ErrorMessage(err))
		return code
	}
	// Internal errors: the CLI user is the operator, so the wrapped chain is
	// the useful message (it names files, lines and causes).
	fmt.Fprintf(env.Stderr, "steward %s: %v\n", name, err)
	return exitInternal
}

// errorExit is the exit code of each domain error code; the message of
// such an error is meant for the user. A code not listed is internal.
var errorExit = map[string]int{
	steward.EINVALID:      exitFindings,
	steward.EMALFORMED:    exitUsage,
	steward.EUNAUTHORIZED: exitUsage,
	steward.ENOTFOUND:     exitNotFound,
	steward.ECONFLICT:     exitConflict,
	steward.EFORBIDDEN:    exitRefused,
	steward.EUNAVAILABLE:  exitUnavailable,
	steward.ETHROTTLED:    exitUnavailable,
}

// newFlagSet returns a flag set for a subcommand that reports errors as
// usage errors instead of exiting.
func newFlagSet(env *Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Func("log-level", "log messages from this level: debug, info, warn or error (default warn on a terminal, info otherwise)", func(v string) error {
		var l slog.Level
		if err := l.UnmarshalText([]byte(v)); err != nil {
			return fmt.Errorf("want debug, info, warn or error")
		}
		if env.Level != nil {
			env.Level.Set(l)
		}
		return nil
	})
	fs.BoolFunc("quiet", "no progress and no log but errors (the result is still printed)", func(string) error {
		env.Terminal = false
		if env.Level != nil {
			env.Level.Set(slog.LevelError)
		}
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: steward %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs and turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("run 'steward "+fs.Name()+" -h' for its flags", "%v", err)
	}
	return nil
}

// counted writes n with its noun: "1 row", "2 rows". The plural is the
// noun with an s, or plural when given ("row names", "rows name").
func counted(n int, one string, plural ...string) string {
	many := one + "s"
	if len(plural) > 0 {
		many = plural[0]
	}
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
