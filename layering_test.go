package steward_test

import (
	"go/build"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLayering holds every package of the module to its tier, so that
// dependencies point one way: cmd → the service under internal/ → rules →
// the libraries (cleanse, validate, dedupe) → internal/lib → the domain
// (the root package, standard library only). Tests may import anything.
func TestLayering(t *testing.T) {
	const module = "github.com/steward-crm/steward"
	tier := func(pkg string) int {
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		top, _, _ := strings.Cut(rel, "/")
		switch {
		case rel == "":
			return 0
		case strings.HasPrefix(rel, "internal/lib/"):
			return 1
		case top == "cleanse" || top == "validate" || top == "dedupe":
			return 2
		case top == "rules":
			return 3
		case top == "internal":
			return 4
		default: // cmd
			return 5
		}
	}
	// The libraries are ordered among themselves too.
	libOrder := map[string]int{"cleanse": 0, "validate": 1, "dedupe": 1}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		self := module
		if path != "." {
			self += "/" + filepath.ToSlash(path)
		}
		for _, imp := range p.Imports {
			if !strings.Contains(strings.Split(imp, "/")[0], ".") {
				continue // the standard library
			}
			if !strings.HasPrefix(imp, module) {
				if tier(self) == 0 {
					t.Errorf("%s imports %s: the domain package uses the standard library only", self, imp)
				}
				continue
			}
			ti, ts := tier(imp), tier(self)
			if ti > ts || (ti == ts && ts == 2 && !libBefore(libOrder, imp, self, module)) || (ti == ts && ts == 3 && imp != self) {
				t.Errorf("%s imports %s: dependencies point from cmd to the service, rules, the libraries, internal/lib and the domain, never back", self, imp)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// libBefore reports whether library package imp may be imported by
// library package self: cleanse is below validate and dedupe, which do
// not import each other.
func libBefore(order map[string]int, imp, self, module string) bool {
	top := func(p string) string {
		s, _, _ := strings.Cut(strings.TrimPrefix(p, module+"/"), "/")
		return s
	}
	a, b := top(imp), top(self)
	if a == b {
		return true
	}
	oa, okA := order[a]
	ob, okB := order[b]
	return okA && okB && oa < ob && !slices.Contains([]string{"validate", "dedupe"}, a)
}
