package rules

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/steward-crm/steward"
	"gopkg.in/yaml.v3"
)

//go:embed default.yaml
var defaultFile []byte

// DefaultFile returns the embedded default rules file, comments included,
// for users to start their own from.
func DefaultFile() []byte {
	return bytes.Clone(defaultFile)
}

// Default returns the embedded default rules, checked and compiled. Each
// call returns a new value.
func Default() *Rules {
	r, err := Parse(nil, "steward.yaml")
	if err != nil {
		panic("rules: embedded defaults are invalid: " + err.Error())
	}
	return r
}

// Load reads and parses the rules file at path. A missing file is an
// ENOTFOUND *steward.Error; an invalid one is Problems.
func Load(path string) (*Rules, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, steward.Errorf(steward.ENOTFOUND, "rules file %s does not exist", path)
		}
		return nil, fmt.Errorf("read rules: %w", err)
	}
	return Parse(data, path)
}

// Parse parses a rules file and merges it onto the defaults; filename is
// used in problems. An invalid file returns Problems listing every problem
// found, each with its line and column.
func Parse(data []byte, filename string) (*Rules, error) {
	r := &Rules{}
	base := newDecoder("default.yaml")
	base.apply(defaultFile, r)
	if len(base.problems) > 0 {
		panic("rules: embedded defaults do not decode: " + base.problems.Error())
	}
	d := newDecoder(filename)
	d.apply(data, r)
	d.check(r)
	if len(d.problems) > 0 {
		d.problems.sort()
		return nil, d.problems
	}
	return r, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// apply parses one YAML document and decodes it onto r.
func (d *decoder) apply(data []byte, r *Rules) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return
		}
		d.syntax(err, data)
		return
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.addf(&extra, "", "a rules file holds one YAML document; remove the ---")
	} else if err != io.EOF {
		d.syntax(err, data)
	}
	if len(doc.Content) == 0 {
		return
	}
	root := doc.Content[0]
	if isNull(root) {
		return
	}
	d.decode(root, reflect.ValueOf(r).Elem(), "")
}

// syntax records a YAML syntax error, with a hint for the usual cause.
func (d *decoder) syntax(err error, data []byte) {
	p := Problem{File: d.file, Message: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Column = 1
		p.Message = m[2]
		lines := bytes.Split(data, []byte("\n"))
		if p.Line >= 1 && p.Line <= len(lines) && bytes.Contains(lines[p.Line-1], []byte("\t")) {
			p.Message += " (a tab: YAML indents with spaces only)"
		}
	}
	d.problems = append(d.problems, p)
}
