package records

import (
	"bytes"
	"strings"

	"gopkg.in/yaml.v3"
)

// Marshal writes m as a mapping file that ParseMapping reads back to the
// same mapping: the canonical columns under columns, the attributes under
// attributes, then ignore. comment, when not empty, heads the file (a "# "
// before each line); why Infer chose a target follows it as a comment.
func (m *Mapping) Marshal(comment string) []byte {
	root := &yaml.Node{Kind: yaml.MappingNode}
	if comment != "" {
		root.HeadComment = "# " + strings.ReplaceAll(strings.TrimRight(comment, "\n"), "\n", "\n# ")
	}
	section := func(name string, attribute bool) {
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, t := range m.targets {
			if t.attribute != attribute {
				continue
			}
			k := str(t.target)
			v := targetNode(&t)
			if t.note != "" {
				v.LineComment = "# " + t.note
			}
			n.Content = append(n.Content, k, v)
		}
		if len(n.Content) > 0 {
			root.Content = append(root.Content, str(name), n)
		}
	}
	section("columns", false)
	section("attributes", true)
	if len(m.ignore) > 0 {
		l := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, c := range m.ignore {
			l.Content = append(l.Content, str(c.written))
		}
		root.Content = append(root.Content, str("ignore"), l)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		// The nodes are built from strings alone: they always encode.
		panic("records: encode mapping: " + err.Error())
	}
	return b.Bytes()
}

// targetNode is where t's value comes from, in the shortest form that
// says it.
func targetNode(t *mappingTarget) *yaml.Node {
	flow := func(kv ...*yaml.Node) *yaml.Node {
		return &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: kv}
	}
	switch {
	case t.isConst:
		return flow(str("const"), str(t.constant))
	case t.transform.kind == TransformDate:
		return flow(str("column"), str(t.columns[0].written), str("date"), str(t.transform.layout))
	case t.transform.kind != "":
		return flow(str("column"), str(t.columns[0].written), str("transform"), str(string(t.transform.kind)))
	case len(t.columns) == 1:
		return str(t.columns[0].written)
	}
	l := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, c := range t.columns {
		l.Content = append(l.Content, str(c.written))
	}
	if t.separator == " " {
		return l
	}
	return flow(str("join"), l, str("separator"), str(t.separator))
}

// str is a string scalar, quoted when YAML would read it as something
// else (a number, null, a boolean, also as YAML 1.1 tools read one: NO
// for Norway) or could not read it plainly.
func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	var probe any
	if err := yaml.Unmarshal([]byte(s), &probe); err != nil || probe != s {
		n.Style = yaml.DoubleQuotedStyle
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false":
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}
