package validate

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestEveryReasonHasAMessage parses the package for Reason constants, so a
// new code without a human message fails here rather than in front of a
// user.
func TestEveryReasonHasAMessage(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range pkgs["validate"].Files {
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
