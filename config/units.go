package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"aduan/flows"
)

// UnitsError lists every problem of a units file, in file order, each with the file,
// line and column.
type UnitsError struct {
	Problems []string // "units.yaml:12:5: parent: no unit has the code "kubu""
}

func (e *UnitsError) Error() string { return strings.Join(e.Problems, "\n") }

// UnitsFile is a parsed units file.
type UnitsFile struct {
	Dir *flows.Directory
	// Example is set by the top-level key "example: true": the file's chat IDs are
	// placeholders, and it must never replace an operator's real units.
	Example bool
}

// LoadUnits reads the routing tree from the YAML file at path and validates it, each
// chat ID with the check of its channel in checks (see flows.NewDirectoryWith). Errors
// name the file, line and column of every problem, so an operator can fix them all at
// once.
func LoadUnits(path string, checks flows.ChatChecks) (*flows.Directory, error) {
	f, err := ReadUnits(path, checks)
	if err != nil {
		return nil, err
	}
	return f.Dir, nil
}

// ReadUnits is LoadUnits that also says whether the file is marked as an example.
func ReadUnits(path string, checks flows.ChatChecks) (UnitsFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return UnitsFile{}, err
	}
	return ParseUnitsFile(path, b, checks)
}

// unitFields are the keys a unit may have.
var unitFields = []string{"code", "name", "kind", "parent", "telegram", "whatsapp"}

// ParseUnits parses and validates a units file named name, each chat ID with the check
// of its channel in checks. The file holds one YAML document: a mapping with the key
// units, a list of mappings with the keys code, name, kind, parent, telegram (a group
// chat ID, or a list of them) and whatsapp (a group JID, or a list of them), each at
// most once; and optionally example: true. A unit's chats are its telegram ones, then
// its whatsapp ones, each in the order written.
func ParseUnits(name string, data []byte, checks flows.ChatChecks) (*flows.Directory, error) {
	f, err := ParseUnitsFile(name, data, checks)
	if err != nil {
		return nil, err
	}
	return f.Dir, nil
}

type problem struct {
	line, col int
	msg       string
}

// ParseUnitsFile is ParseUnits that also reads the example marker.
func ParseUnitsFile(name string, data []byte, checks flows.ChatChecks) (UnitsFile, error) {
	var problems []problem
	at := func(n *yaml.Node, format string, args ...any) {
		problems = append(problems, problem{n.Line, n.Column, fmt.Sprintf(format, args...)})
	}
	fail := func() (UnitsFile, error) {
		slices.SortStableFunc(problems, func(a, b problem) int { return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.col, b.col)) })
		out := make([]string, len(problems))
		for i, p := range problems {
			out[i] = fmt.Sprintf("%s:%d:%d: %s", name, p.line, p.col, p.msg)
		}
		return UnitsFile{}, &UnitsError{out}
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return UnitsFile{}, &UnitsError{[]string{fmt.Sprintf("%s:1:1: the file is empty: want a mapping with a list under the key \"units\"", name)}}
	} else if err != nil {
		line, col, msg := syntaxError(data, err)
		return UnitsFile{}, &UnitsError{[]string{fmt.Sprintf("%s:%d:%d: %s", name, line, col, msg)}}
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return UnitsFile{}, &UnitsError{[]string{fmt.Sprintf("%s:%d:%d: a second YAML document (after ---): keep every unit in one list under \"units\"", name, max(next.Line, 1), max(next.Column, 1))}}
	} else if !errors.Is(err, io.EOF) {
		line, col, msg := syntaxError(data, err)
		return UnitsFile{}, &UnitsError{[]string{fmt.Sprintf("%s:%d:%d: %s", name, line, col, msg)}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	list := mapValue(root, "units")
	if root.Kind != yaml.MappingNode || list == nil || list.Kind != yaml.SequenceNode {
		at(root, "want a mapping with a list under the key \"units\"")
		return fail()
	}
	var file UnitsFile
	seenTop := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if first, ok := seenTop[k.Value]; ok {
			at(k, "%q is given twice (first on line %d)", k.Value, first)
			continue
		}
		seenTop[k.Value] = k.Line
		switch k.Value {
		case "units":
		case "example":
			b, err := strconv.ParseBool(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				at(v, "example: want true or false")
			}
			file.Example = b
		default:
			at(k, "unknown key %q (the file has \"units\", and \"example\" in examples)", k.Value)
		}
	}
	var units []flows.Unit
	var nodes []*yaml.Node
	var chatNodes [][]*yaml.Node // per unit, the node of each of its chats
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			at(item, "want a unit: a mapping with code, name, kind, …")
			continue
		}
		var u flows.Unit
		chats := map[string][]*yaml.Node{} // channel -> its chats' nodes
		seen := map[string]int{}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			if first, ok := seen[k.Value]; ok {
				at(k, "%s is given twice in one unit (first on line %d)", k.Value, first)
				continue
			}
			seen[k.Value] = k.Line
			if k.Value == "telegram" || k.Value == "whatsapp" {
				values, ok := chatValues(v)
				if !ok {
					at(v, "%s: want a chat ID or a list of chat IDs", k.Value)
					continue
				}
				chats[k.Value] = values
				continue
			}
			if v.Kind != yaml.ScalarNode {
				at(v, "%s: want a single value", k.Value)
				continue
			}
			switch k.Value {
			case "code":
				u.Code = v.Value
			case "name":
				u.Name = v.Value
			case "kind":
				u.Kind = flows.UnitKind(v.Value)
			case "parent":
				u.Parent = v.Value
			default:
				at(k, "unknown key %q (a unit has %s)", k.Value, strings.Join(unitFields, ", "))
			}
		}
		var chatAt []*yaml.Node
		for _, channel := range []string{"telegram", "whatsapp"} {
			for _, n := range chats[channel] {
				u.Chats = append(u.Chats, flows.ChatRef{Channel: channel, Chat: n.Value})
				chatAt = append(chatAt, n)
			}
		}
		units = append(units, u)
		nodes = append(nodes, item)
		chatNodes = append(chatNodes, chatAt)
	}
	dir, err := flows.NewDirectoryWith(units, checks)
	var ue *flows.UnitsError
	if errors.As(err, &ue) {
		for _, p := range ue.Problems {
			if p.Index < 0 {
				at(list, "%s", p.Msg)
				continue
			}
			n := nodes[p.Index]
			if v := mapValue(n, p.Field); v != nil {
				n = v
			}
			if p.Chat >= 0 {
				n = chatNodes[p.Index][p.Chat]
				if p.Other >= 0 {
					at(n, "%s: %q is already the chat of the unit on line %d: each group chat serves one unit", p.Field, n.Value, nodes[p.Other].Line)
					continue
				}
			}
			if p.Field == "code" && p.Other >= 0 {
				at(n, "code: %q is already used by the unit on line %d", units[p.Index].Code, nodes[p.Other].Line)
				continue
			}
			at(n, "%s: %s", p.Field, p.Msg)
		}
	} else if err != nil {
		return UnitsFile{}, err
	}
	if len(problems) > 0 {
		return fail()
	}
	file.Dir = dir
	return file, nil
}

// chatValues returns the nodes of the chat IDs of a telegram or whatsapp key: its
// value, or each item of its list; none for an empty value or list. It reports false
// when the value is neither a scalar nor a list of scalars.
func chatValues(v *yaml.Node) ([]*yaml.Node, bool) {
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		return nil, true
	case v.Kind == yaml.ScalarNode:
		return []*yaml.Node{v}, true
	case v.Kind != yaml.SequenceNode:
		return nil, false
	}
	for _, item := range v.Content {
		if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
			return nil, false
		}
	}
	return v.Content, true
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError finds where a YAML syntax error really is. The parser names the line of
// the construct it was in (a tab on line 3 is reported on line 2) and no column: the
// real line is the first one at which the text read so far fails with the same
// complaint; the column is that of a tab in the indentation, or of the line's first
// character.
func syntaxError(data []byte, err error) (line, col int, msg string) {
	msg = yamlLine.ReplaceAllString(err.Error(), "")
	msg = strings.TrimPrefix(msg, "yaml: ")
	line, col = 1, 1
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) <= 5000 {
		var prefix strings.Builder
		for i, l := range lines {
			prefix.WriteString(l)
			var n yaml.Node
			perr := yaml.Unmarshal([]byte(prefix.String()), &n)
			if perr != nil && yamlLine.ReplaceAllString(perr.Error(), "") == yamlLine.ReplaceAllString(err.Error(), "") {
				line = i + 1
				break
			}
		}
	}
	if line-1 < len(lines) {
		l := lines[line-1]
		indent := len(l) - len(strings.TrimLeft(l, " \t"))
		if i := strings.IndexByte(l[:indent], '\t'); i >= 0 {
			return line, i + 1, msg + " (indent with spaces, not tabs)"
		}
		col = len([]rune(l[:indent])) + 1
	}
	return line, col, msg
}

// mapValue returns the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
