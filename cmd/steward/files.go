package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/steward-crm/steward"
)

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
	done bool
}

func createOutput(env *Env, path string) (*outputFile, error) {
	if path == "-" {
		return &outputFile{w: bufio.NewWriterSize(env.Stdout, 256<<10)}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &outputFile{w: bufio.NewWriterSize(f, 256<<10), f: f, path: path}, nil
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
	if err := os.Chmod(o.f.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := os.Rename(o.f.Name(), o.path); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
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
