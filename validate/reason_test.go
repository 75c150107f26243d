package validate

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryReasonHasAMessage parses the package for Reason constants, so a
// new code without a human message fails here rather than in front of a
// user.
func TestEveryReasonHasAMessage(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	n := 0
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Reason" {
					continue
				}
				for i, name := range vs.Names {
					if name.Name == "reasonNonASCII" {
						continue
					}
					code, err := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
					if err != nil {
						t.Fatal(err)
					}
					n++
					if _, ok := reasonMessages[Reason(code)]; !ok {
						t.Errorf("%s (%q) has no message", name.Name, code)
					}
				}
			}
		}
	}
	if n < 50 {
		t.Fatalf("found only %d reason codes", n)
	}
}
