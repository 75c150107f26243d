// Package migration holds what the store backends share about their
// embedded migrations: which files there are, in which order, and which a
// database still lacks. The SQL itself and the schema_migrations table are
// each backend's own.
package migration

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Names returns the .sql files in dir of fsys, sorted: the order in which
// they are applied.
func Names(fsys fs.FS, dir string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// Pending returns the names that applied does not hold, in order.
func Pending(names []string, applied map[string]bool) []string {
	var pending []string
	for _, name := range names {
		if !applied[name] {
			pending = append(pending, name)
		}
	}
	return pending
}
