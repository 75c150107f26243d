package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/records"
)

// defaultFileMode is the mode of every file steward writes: databases,
// index caches, exports, rejects and other reports hold customers'
// personal data, so only their owner reads them. $STEWARD_FILE_MODE (an
// octal mode such as 0640) lets a group read them where one must.
const defaultFileMode fs.FileMode = 0o600

// fileMode returns the mode of the files steward writes: $STEWARD_FILE_MODE
// or defaultFileMode.
func fileMode(env *Env) (fs.FileMode, error) {
	v := env.Getenv("STEWARD_FILE_MODE")
	if v == "" {
		return defaultFileMode, nil
	}
	m, err := strconv.ParseUint(v, 8, 32)
	if err != nil || m > 0o777 || m&0o600 != 0o600 {
		return 0, usagef("write it in octal with the owner's read and write, e.g. 0600 or 0640", "STEWARD_FILE_MODE %q is not a file mode", v)
	}
	return fs.FileMode(m), nil
}

// precreate creates the file at path, empty and with the mode of
// steward's files, unless it exists; SQLite then gives its -wal and -shm
// files the same mode.
func precreate(env *Env, path string) error {
	mode, err := fileMode(env)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	if err := f.Chmod(mode); err != nil { // against the umask
		f.Close()
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return f.Close()
}

// openFile opens a file the user named. A missing file is ENOTFOUND (exit
// 3) with a message naming what the file was for.
func openFile(what, path string) (*os.File, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, steward.Errorf(steward.ENOTFOUND, "%s %s does not exist", what, path)
	} else if err != nil {
		return nil, fmt.Errorf("open %s: %w", what, err)
	}
	return f, nil
}

// openInput opens the input file named by path, or standard input for
// "-"; done releases it.
func openInput(env *Env, path string) (r io.Reader, done func(), err error) {
	if path == "-" {
		return env.Stdin, func() {}, nil
	}
	f, err := openFile("input file", path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// outputFile is an output written under a temporary name and renamed into
// place by commit, so that a failed or interrupted command never leaves a
// half-written file, nor destroys the one a user already had there; "-" is
// standard output.
type outputFile struct {
	w    *bufio.Writer
	f    *os.File // nil for standard output
	path string
	mode fs.FileMode
	done bool
}

// createOutput starts writing the file path ("-": standard output) under a
// temporary name ".NAME.PID-RANDOM.tmp" beside it, after removing the
// temporary files that processes which died (killed, or the machine
// lost power) left there for the same name.
func createOutput(env *Env, path string) (*outputFile, error) {
	if path == "-" {
		return &outputFile{w: bufio.NewWriterSize(env.Stdout, 256<<10)}, nil
	}
	mode, err := fileMode(env)
	if err != nil {
		return nil, err
	}
	removeOrphanTemps(path)
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"."+strconv.Itoa(os.Getpid())+"-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &outputFile{w: bufio.NewWriterSize(f, 256<<10), f: f, path: path, mode: mode}, nil
}

// removeOrphanTemps removes the temporary files of path whose process is
// gone.
func removeOrphanTemps(path string) {
	prefix := "." + filepath.Base(path) + "."
	old, _ := filepath.Glob(filepath.Join(filepath.Dir(path), prefix+"*.tmp"))
	for _, name := range old {
		pid, _, ok := strings.Cut(strings.TrimPrefix(filepath.Base(name), prefix), "-")
		n, err := strconv.Atoi(pid)
		if !ok || err != nil || n == os.Getpid() {
			continue
		}
		if records.ProcessGone(n) {
			os.Remove(name)
		}
	}
}

// sync flushes the output and makes a file durable, still under its
// temporary name.
func (o *outputFile) sync() error {
	if err := o.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", o.name(), err)
	}
	if o.f == nil {
		return nil
	}
	if err := o.f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	return nil
}

// commit flushes the output and, for a file, renames it into place.
func (o *outputFile) commit() error {
	if err := o.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", o.name(), err)
	}
	if o.f == nil {
		o.done = true
		return nil
	}
	if err := o.f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := os.Chmod(o.f.Name(), o.mode); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := os.Rename(o.f.Name(), o.path); err != nil {
		o.done = true // keep it: it is complete
		return fmt.Errorf("write %s: %w; the complete file is %s", o.path, err, o.f.Name())
	}
	o.done = true
	return nil
}

// abort removes a file that was not committed.
func (o *outputFile) abort() {
	if o.done || o.f == nil {
		return
	}
	o.f.Close()
	os.Remove(o.f.Name())
}

func (o *outputFile) name() string {
	if o.f == nil {
		return "standard output"
	}
	return o.path
}

// inputFlags are the flags of a command that reads an input file of
// customers in any format import reads: its encoding, worksheet and
// mapping.
type inputFlags struct {
	encoding, sheet, mapping *string
}

// addInputFlags adds --encoding, --sheet and --mapping to fs; mapping is
// the help of --mapping.
func addInputFlags(fs *flag.FlagSet, mapping string) *inputFlags {
	return &inputFlags{
		encoding: fs.String("encoding", "", "text encoding: utf-8, utf-16, utf-16le, utf-16be, windows-1256 or windows-1252 (default: detected)"),
		sheet:    fs.String("sheet", "", "worksheet of an XLSX file (default: the first)"),
		mapping:  fs.String("mapping", "", mapping),
	}
}

// options returns the file options the flags say, for the file named
// name, within the default limits.
func (f *inputFlags) options(name string) (records.FileOptions, error) {
	fo := records.FileOptions{Name: filepath.Base(name), Sheet: *f.sheet, Limits: records.DefaultLimits()}
	var err error
	if fo.Encoding, err = records.ParseEncoding(*f.encoding); err != nil {
		return fo, usagef("use utf-8, utf-16, utf-16le, utf-16be, windows-1256 or windows-1252", "--encoding: %s", steward.ErrorMessage(err))
	}
	if *f.mapping != "" {
		if fo.Mapping, err = records.LoadMapping(*f.mapping); err != nil {
			return fo, err
		}
	}
	return fo, nil
}
