package records

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/lib/didyoumean"
	"gopkg.in/yaml.v3"
)

// Mapping says how the columns of a file that does not use canonical names
// become a record's columns and attributes. Build one with ParseMapping or
// LoadMapping, or have Infer make one; Marshal writes it as a mapping file.
// A Mapping is read-only and may be shared by several readers.
type Mapping struct {
	file    string
	targets []mappingTarget
	ignore  []columnRef
}

// columnRef is a source column named in a mapping file, with its position
// there so that errors can point at it.
type columnRef struct {
	name      string // lower-cased, trimmed
	written   string // trimmed, as written
	line, col int
}

// mappingTarget is one canonical column or attribute and where its value
// comes from.
type mappingTarget struct {
	target    string
	attribute bool // target is an attribute (the mapping's attributes section)
	columns   []columnRef
	separator string
	constant  string
	isConst   bool
	transform valueTransform
	// note says why Infer chose this target; Marshal writes it as a
	// comment.
	note      string
	line, col int
}

// LoadMapping reads and parses the mapping file at path.
func LoadMapping(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, steward.Errorf(steward.ENOTFOUND, "mapping file %s does not exist", path)
		}
		return nil, fmt.Errorf("read mapping: %w", err)
	}
	return ParseMapping(data, path)
}

// ParseMapping parses a mapping file; filename is used in error messages. The
// error, an *steward.Error with code EINVALID, lists every problem found, one
// per line, as "file:line:col: message".
func ParseMapping(data []byte, filename string) (*Mapping, error) {
	p := &mappingParser{file: filename}
	m := p.parse(data)
	if len(p.problems) > 0 {
		return nil, steward.Errorf(steward.EINVALID, "%s", strings.Join(p.problems, "\n"))
	}
	return m, nil
}

type mappingParser struct {
	file     string
	problems []string
}

func (p *mappingParser) addf(n *yaml.Node, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if n == nil || n.Line == 0 {
		p.problems = append(p.problems, fmt.Sprintf("%s: %s", p.file, msg))
		return
	}
	p.problems = append(p.problems, fmt.Sprintf("%s:%d:%d: %s", p.file, n.Line, n.Column, msg))
}

func (p *mappingParser) parse(data []byte) *Mapping {
	m := &Mapping{file: p.file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.problems = append(p.problems, fmt.Sprintf("%s: %s", p.file, strings.TrimPrefix(err.Error(), "yaml: ")))
		return nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.addf(nil, "empty mapping file: it needs a columns section")
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.addf(root, "want a mapping with keys source, columns, attributes, ignore")
		return nil
	}
	var sourceNode *yaml.Node
	seen := make(map[string]bool)
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			p.addf(k, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "source":
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || strings.TrimSpace(v.Value) == "" {
				p.addf(v, "source: want a source name")
				continue
			}
			sourceNode = v
		case "columns":
			p.columns(m, v, false)
		case "attributes":
			p.columns(m, v, true)
		case "ignore":
			m.ignore = append(m.ignore, p.columnList(v, "ignore")...)
		default:
			p.addf(k, "unknown key %q%s", k.Value, didyoumean.Hint(k.Value, []string{"source", "columns", "attributes", "ignore"}))
		}
	}
	if sourceNode != nil {
		if slices.ContainsFunc(m.targets, func(t mappingTarget) bool { return t.target == steward.ColumnSource }) {
			p.addf(sourceNode, "source is given both at the top and under columns")
		} else {
			m.targets = append(m.targets, mappingTarget{
				target: steward.ColumnSource, constant: strings.TrimSpace(sourceNode.Value), isConst: true,
				line: sourceNode.Line, col: sourceNode.Column,
			})
		}
	}
	if len(m.targets) == 0 && len(p.problems) == 0 {
		p.addf(root, "the mapping maps no columns")
	}
	return m
}

// columns parses the columns section (canonical targets) or, when
// attributes, the attributes section.
func (p *mappingParser) columns(m *Mapping, n *yaml.Node, attributes bool) {
	section := "columns"
	if attributes {
		section = "attributes"
	}
	if n.Kind != yaml.MappingNode {
		p.addf(n, "%s: want a mapping of %s to source column", section, strings.TrimSuffix(section, "s"))
		return
	}
	canonical := steward.CanonicalColumns()
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		target := normalizeName(k.Value)
		switch {
		case !attributes && !slices.Contains(canonical, target):
			p.addf(k, "unknown canonical column %q%s; other columns go under attributes", k.Value, didyoumean.Hint(target, canonical))
			continue
		case attributes && slices.Contains(canonical, target):
			p.addf(k, "%q is a canonical column: put it under columns", k.Value)
			continue
		case attributes && (target == "" || IsReportColumn(target)):
			p.addf(k, "%q cannot name an attribute", k.Value)
			continue
		}
		if slices.ContainsFunc(m.targets, func(t mappingTarget) bool { return t.target == target }) {
			p.addf(k, "%s %s is mapped twice", strings.TrimSuffix(section, "s"), target)
			continue
		}
		t := mappingTarget{target: target, attribute: attributes, separator: " ", line: k.Line, col: k.Column}
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Tag == "!!null" || strings.TrimSpace(v.Value) == "" {
				p.addf(v, "%s: want a source column name", target)
				continue
			}
			t.columns = []columnRef{ref(v)}
		case yaml.SequenceNode:
			t.columns = p.columnList(v, target)
			if len(t.columns) == 0 {
				continue
			}
		case yaml.MappingNode:
			if !p.columnForm(&t, v) {
				continue
			}
		default:
			p.addf(v, "%s: want a column name, a list of columns, {column: NAME, transform: T}, {const: VALUE} or {join: [...], separator: S}", target)
			continue
		}
		m.targets = append(m.targets, t)
	}
}

// formKeys are the keys of a column given as a mapping.
var formKeys = []string{"column", "transform", "date", "const", "join", "separator"}

// columnForm parses {column: NAME, transform: T | date: LAYOUT},
// {const: V} or {join: [...], separator: S}.
func (p *mappingParser) columnForm(t *mappingTarget, n *yaml.Node) bool {
	ok := true
	var hasJoin, hasSep, hasColumn bool
	var transformNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		scalar := v.Kind == yaml.ScalarNode && v.Tag != "!!null"
		switch k.Value {
		case "column":
			if !scalar || strings.TrimSpace(v.Value) == "" {
				p.addf(v, "%s: column wants a source column name", t.target)
				ok = false
				continue
			}
			hasColumn = true
			t.columns = []columnRef{ref(v)}
		case "transform":
			transformNode = v
			switch tr := Transform(strings.TrimSpace(v.Value)); {
			case !scalar || !slices.Contains(Transforms(), tr):
				names := []string{string(TransformBool), string(TransformNot)}
				p.addf(v, "%s: unknown transform %q: want bool or not (a date takes date: LAYOUT)%s", t.target, v.Value, didyoumean.Hint(v.Value, names))
				ok = false
			case t.transform.kind != "":
				p.addf(v, "%s: transform and date cannot be combined", t.target)
				ok = false
			default:
				t.transform = valueTransform{kind: tr}
			}
		case "date":
			transformNode = v
			if !scalar {
				p.addf(v, "%s: date wants a layout such as %%d/%%m/%%Y or 2/1/2006", t.target)
				ok = false
				continue
			}
			if t.transform.kind != "" {
				p.addf(v, "%s: transform and date cannot be combined", t.target)
				ok = false
				continue
			}
			dt, err := dateTransform(v.Value)
			if err != nil {
				p.addf(v, "%s: %v", t.target, err)
				ok = false
				continue
			}
			t.transform = dt
		case "const":
			if v.Kind != yaml.ScalarNode {
				p.addf(v, "%s: const wants a single value", t.target)
				ok = false
				continue
			}
			t.constant = strings.TrimSpace(v.Value)
			if v.Tag == "!!null" {
				t.constant = ""
			}
			t.isConst = true
		case "join":
			hasJoin = true
			t.columns = p.columnList(v, t.target)
			if len(t.columns) == 0 {
				ok = false
			}
		case "separator":
			if !scalar {
				p.addf(v, "%s: separator wants a string", t.target)
				ok = false
				continue
			}
			hasSep = true
			t.separator = v.Value
		default:
			p.addf(k, "%s: unknown key %q%s", t.target, k.Value, didyoumean.Hint(k.Value, formKeys))
			ok = false
		}
	}
	switch {
	case hasColumn && (t.isConst || hasJoin || hasSep):
		p.addf(n, "%s: column cannot be combined with const, join or separator", t.target)
		return false
	case t.isConst && (hasJoin || hasSep):
		p.addf(n, "%s: const cannot be combined with join or separator", t.target)
		return false
	case transformNode != nil && !hasColumn && ok:
		p.addf(transformNode, "%s: a transform applies to one column: write {column: NAME, ...}", t.target)
		return false
	case !t.isConst && !hasJoin && !hasColumn && ok:
		p.addf(n, "%s: want {column: NAME}, {const: VALUE} or {join: [...]}", t.target)
		return false
	}
	return ok
}

func (p *mappingParser) columnList(n *yaml.Node, what string) []columnRef {
	if n.Kind != yaml.SequenceNode {
		p.addf(n, "%s: want a list of column names", what)
		return nil
	}
	if len(n.Content) == 0 {
		p.addf(n, "%s: the list is empty", what)
		return nil
	}
	var out []columnRef
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode || c.Tag == "!!null" || strings.TrimSpace(c.Value) == "" {
			p.addf(c, "%s: want a column name", what)
			continue
		}
		out = append(out, ref(c))
	}
	return out
}

func ref(n *yaml.Node) columnRef {
	return columnRef{name: normalizeName(n.Value), written: strings.TrimSpace(n.Value), line: n.Line, col: n.Column}
}

// normalizeName is how header names and mapping column names are compared.
func normalizeName(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}
