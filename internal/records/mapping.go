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
// become a record's columns. Build one with ParseMapping or LoadMapping; a
// Mapping is read-only and may be shared by several readers.
type Mapping struct {
	file    string
	targets []mappingTarget
	ignore  []columnRef
}

// columnRef is a source column named in a mapping file, with its position
// there so that errors can point at it.
type columnRef struct {
	name      string // lower-cased, trimmed
	line, col int
}

// mappingTarget is one canonical column and where its value comes from.
type mappingTarget struct {
	target    string
	columns   []columnRef
	separator string
	constant  string
	isConst   bool
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
		p.addf(root, "want a mapping with keys source, columns, ignore")
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
			p.columns(m, v)
		case "ignore":
			m.ignore = append(m.ignore, p.columnList(v, "ignore")...)
		default:
			p.addf(k, "unknown key %q%s", k.Value, didyoumean.Hint(k.Value, []string{"source", "columns", "ignore"}))
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

func (p *mappingParser) columns(m *Mapping, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.addf(n, "columns: want a mapping of canonical column to source column")
		return
	}
	canonical := steward.CanonicalColumns()
	seen := make(map[string]bool)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		target := strings.ToLower(strings.TrimSpace(k.Value))
		if !slices.Contains(canonical, target) {
			p.addf(k, "unknown canonical column %q%s", k.Value, didyoumean.Hint(target, canonical))
			continue
		}
		if seen[target] {
			p.addf(k, "column %s is mapped twice", target)
			continue
		}
		seen[target] = true
		t := mappingTarget{target: target, separator: " ", line: k.Line, col: k.Column}
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
			p.addf(v, "%s: want a column name, a list of columns, {const: VALUE} or {join: [...], separator: S}", target)
			continue
		}
		m.targets = append(m.targets, t)
	}
}

// columnForm parses {const: V} or {join: [...], separator: S}.
func (p *mappingParser) columnForm(t *mappingTarget, n *yaml.Node) bool {
	ok := true
	var hasJoin, hasSep bool
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
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
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				p.addf(v, "%s: separator wants a string", t.target)
				ok = false
				continue
			}
			hasSep = true
			t.separator = v.Value
		default:
			p.addf(k, "%s: unknown key %q%s", t.target, k.Value, didyoumean.Hint(k.Value, []string{"const", "join", "separator"}))
			ok = false
		}
	}
	switch {
	case t.isConst && (hasJoin || hasSep):
		p.addf(n, "%s: const cannot be combined with join or separator", t.target)
		return false
	case !t.isConst && !hasJoin && ok:
		p.addf(n, "%s: want {const: VALUE} or {join: [...]}", t.target)
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
	return columnRef{name: normalizeName(n.Value), line: n.Line, col: n.Column}
}

// normalizeName is how header names and mapping column names are compared.
func normalizeName(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}
