package rules

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/lib/didyoumean"
	"gopkg.in/yaml.v3"
)

// maxNodes bounds the nodes one file may expand to (aliases can multiply
// them).
const maxNodes = 100000

// decoder applies a YAML node tree onto a Rules value: mappings merge key by
// key onto what is there (the defaults), lists and scalars replace, and null
// clears a value or removes a map entry. A comparison or a survivorship
// entry is replaced whole, so a new method or strategy does not inherit the
// default's thresholds or sources. It records where each path is in
// the file and collects every problem instead of stopping at the first.
type decoder struct {
	file     string
	problems Problems
	values   map[string]*yaml.Node // path → value node
	keys     map[string]*yaml.Node // path → key node, for map and struct entries
	reported map[string]bool       // paths with a problem
	visited  int
	tooBig   bool
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, values: make(map[string]*yaml.Node), keys: make(map[string]*yaml.Node), reported: make(map[string]bool)}
}

// addf records a problem at node n (nil: no position).
func (d *decoder) addf(n *yaml.Node, path, format string, args ...any) {
	d.reported[path] = true
	p := Problem{File: d.file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	d.problems = append(d.problems, p)
}

// at reports a problem about the value at path, positioned where the file
// sets it, or at its closest ancestor that the file sets. A path that
// already has a problem (a value of the wrong type), or is inside one that
// has, gets no second one.
func (d *decoder) at(path string, format string, args ...any) {
	for p := path; p != ""; p = parent(p) {
		if d.reported[p] {
			return
		}
	}
	d.addf(d.find(path), path, format, args...)
}

// atKey reports a problem about a map key (an unknown name) at the key.
func (d *decoder) atKey(path string, format string, args ...any) {
	n := d.keys[path]
	if n == nil {
		n = d.find(path)
	}
	d.addf(n, path, format, args...)
}

// inFile reports whether the file set path itself.
func (d *decoder) inFile(path string) bool { return d.values[path] != nil }

func (d *decoder) find(path string) *yaml.Node {
	for p := path; p != ""; p = parent(p) {
		if n := d.values[p]; n != nil {
			if k := d.keys[p]; k != nil && n.Kind == yaml.MappingNode {
				return k // a mapping starts at its first key; its own key reads better
			}
			return n
		}
	}
	return nil
}

// parent returns the path one level up: "a.b[2]" → "a.b", "a.b" → "a".
func parent(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var (
	durationType          = reflect.TypeFor[time.Duration]()
	byteSizeType          = reflect.TypeFor[ByteSize]()
	fieldSurvivorshipType = reflect.TypeFor[steward.FieldPolicy]()
)

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!str":
		return strconv.Quote(n.Value)
	case "!!null":
		return "nothing"
	}
	return n.Value
}

// decode applies n onto v, the value at path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if d.tooBig {
		return
	}
	d.visited++
	if d.visited > maxNodes {
		d.tooBig = true
		d.addf(n, path, "the file expands to more than %d values (aliases?)", maxNodes)
		return
	}
	for n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return
		}
		n = n.Alias
	}
	if path != "" {
		d.values[path] = n
	}
	t := v.Type()
	if isNull(n) {
		if t.Kind() != reflect.Struct {
			v.Set(reflect.Zero(t))
		}
		return
	}
	switch {
	case t == durationType:
		d.duration(n, v, path)
		return
	case t == byteSizeType:
		d.byteSize(n, v, path)
		return
	case t == fieldSurvivorshipType && n.Kind == yaml.ScalarNode:
		v.Set(reflect.ValueOf(steward.FieldPolicy{Strategy: steward.Strategy(n.Value)}))
		return
	}
	if t == fieldSurvivorshipType {
		// A strategy or method goes with its own parameters: replace the
		// whole value rather than inherit the default's sources or
		// thresholds.
		v.Set(reflect.Zero(t))
	}
	switch t.Kind() {
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	case reflect.Slice:
		d.list(n, v, path)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.addf(n, path, "want a single value, got %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			if l := strings.ToLower(n.Value); n.Kind == yaml.ScalarNode && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && (l == "true" || l == "false") {
				d.addf(n, path, "want true or false without quotes: quoted, %s is text", describe(n))
				return
			}
			d.addf(n, path, "want true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil || v.OverflowInt(i) {
			d.addf(n, path, "want a whole number, got %s", describe(n))
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		var f float64
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil {
			d.addf(n, path, "want a number, got %s", describe(n))
			return
		}
		v.SetFloat(f)
	default:
		panic(fmt.Sprintf("rules: no decoding for %s at %s", t, path))
	}
}

// structure merges a mapping onto a struct, field by field.
func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.addf(n, path, "want a mapping, got %s", describe(n))
		return
	}
	t := v.Type()
	var names []string
	index := make(map[string]int)
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		names = append(names, name)
		index[name] = i
	}
	seen := make(map[string]*yaml.Node)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		p := join(path, key)
		if k.Kind != yaml.ScalarNode {
			d.addf(k, path, "want a name as key, got %s", describe(k))
			continue
		}
		if first := seen[key]; first != nil {
			d.addf(k, p, "set twice (first on line %d)", first.Line)
			continue
		}
		seen[key] = k
		fi, ok := index[key]
		if !ok {
			hint := didyoumean.Hint(key, names)
			if child := nestedSetting(t, key); child != "" {
				hint = fmt.Sprintf(" (it belongs under %s: check the indentation)", join(path, child))
			}
			d.addf(k, p, "unknown setting %q%s", key, hint)
			continue
		}
		d.keys[p] = k
		d.decode(val, v.Field(fi), p)
	}
}

// nestedSetting returns the name of the struct-valued field of t that has
// a setting called key, or "".
func nestedSetting(t reflect.Type, key string) string {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if f.Type.Kind() != reflect.Struct || name == "" || name == "-" {
			continue
		}
		for j := range f.Type.NumField() {
			if n, _, _ := strings.Cut(f.Type.Field(j).Tag.Get("yaml"), ","); n == key {
				return name
			}
		}
	}
	return ""
}

// mapping merges a mapping onto a map keyed by name: each entry merges onto
// the existing one; null removes it.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.addf(n, path, "want a mapping, got %s", describe(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	seen := make(map[string]*yaml.Node)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.addf(k, path, "want a name as key, got %s", describe(k))
			continue
		}
		key := reflect.ValueOf(k.Value)
		p := join(path, k.Value)
		if first := seen[k.Value]; first != nil {
			d.addf(k, p, "set twice (first on line %d)", first.Line)
			continue
		}
		seen[k.Value] = k
		d.keys[p] = k
		if isNull(val) {
			d.values[p] = val
			v.SetMapIndex(key, reflect.Value{})
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if old := v.MapIndex(key); old.IsValid() {
			elem.Set(old)
		}
		d.decode(val, elem, p)
		v.SetMapIndex(key, elem)
	}
}

// list replaces a slice.
func (d *decoder) list(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.addf(n, path, "want a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

var daysRE = regexp.MustCompile(`^(\d+)([dw])(.*)$`)

// parseDuration reads Go durations ("36h", "90s") and whole days or weeks,
// optionally followed by a Go duration ("30d", "2w", "1d12h").
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	m := daysRE.FindStringSubmatch(s)
	if m == nil {
		return time.ParseDuration(s)
	}
	n, err := strconv.ParseInt(m[1], 10, 32)
	if err != nil || n > 36600 {
		return 0, fmt.Errorf("bad duration %q: at most 36600 days", s)
	}
	unit := 24 * time.Hour
	if m[2] == "w" {
		unit *= 7
	}
	d := time.Duration(n) * unit
	if m[3] != "" {
		rest, err := time.ParseDuration(m[3])
		if err != nil || rest < 0 || rest > math.MaxInt64-d {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		d += rest
	}
	return d, nil
}

func (d *decoder) duration(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.addf(n, path, "want a duration such as 30d, 12h or 5s, got %s", describe(n))
		return
	}
	dur, err := parseDuration(n.Value)
	if err != nil {
		d.addf(n, path, "want a duration such as 30d, 12h or 5s, got %s", describe(n))
		return
	}
	v.SetInt(int64(dur))
}

func (d *decoder) byteSize(n *yaml.Node, v reflect.Value, path string) {
	const want = "want a size such as 65536, 64KiB or 1GB"
	if n.Kind != yaml.ScalarNode {
		d.addf(n, path, "%s, got %s", want, describe(n))
		return
	}
	var size int64
	switch n.ShortTag() {
	case "!!int":
		if err := n.Decode(&size); err != nil {
			d.addf(n, path, "%s, got %s", want, describe(n))
			return
		}
	case "!!str":
		u, err := humanize.ParseBytes(n.Value)
		if err != nil || u > 1<<62 {
			d.addf(n, path, "%s, got %s", want, describe(n))
			return
		}
		size = int64(u)
	default:
		d.addf(n, path, "%s, got %s", want, describe(n))
		return
	}
	v.SetInt(size)
}
