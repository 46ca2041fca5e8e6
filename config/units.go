package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"aduan/flows"
)

// UnitsError lists every problem of a units file, each with the file, line and column.
type UnitsError struct {
	Problems []string // "units.yaml:12:5: parent: no unit has the code "kubu""
}

func (e *UnitsError) Error() string { return strings.Join(e.Problems, "\n") }

// LoadUnits reads the routing tree from the YAML file at path and validates it. Errors
// name the file, line and column of every problem, so an operator can fix them all at
// once.
func LoadUnits(path string) (*flows.Directory, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseUnits(path, b)
}

// unitFields are the keys a unit may have.
var unitFields = []string{"code", "name", "kind", "parent", "telegram", "whatsapp"}

// ParseUnits parses and validates a units file named name. The file holds a mapping
// with one key, units, a list of mappings with the keys code, name, kind, parent,
// telegram (a group chat ID) and whatsapp (a group JID).
func ParseUnits(name string, data []byte) (*flows.Directory, error) {
	var problems []string
	at := func(n *yaml.Node, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d:%d: %s", name, n.Line, n.Column, fmt.Sprintf(format, args...)))
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	list := mapValue(root, "units")
	if root.Kind != yaml.MappingNode || list == nil || list.Kind != yaml.SequenceNode {
		at(root, "want a mapping with a list under the key \"units\"")
		return nil, &UnitsError{problems}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Value != "units" {
			at(k, "unknown key %q (the file has only \"units\")", k.Value)
		}
	}
	var units []flows.Unit
	var nodes []*yaml.Node
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			at(item, "want a unit: a mapping with code, name, kind, …")
			continue
		}
		var u flows.Unit
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
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
			case "telegram":
				id, err := strconv.ParseInt(v.Value, 10, 64)
				if err != nil {
					at(v, "telegram: %q is not a chat ID (a negative number such as -1001234567890)", v.Value)
				}
				u.Telegram = id
			case "whatsapp":
				u.WhatsApp = v.Value
			default:
				at(k, "unknown key %q (a unit has %s)", k.Value, strings.Join(unitFields, ", "))
			}
		}
		units = append(units, u)
		nodes = append(nodes, item)
	}
	dir, err := flows.NewDirectory(units)
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
			at(n, "%s: %s", p.Field, p.Msg)
		}
	} else if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &UnitsError{problems}
	}
	return dir, nil
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
