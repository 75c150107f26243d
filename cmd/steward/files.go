package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

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
