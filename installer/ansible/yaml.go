package ansible

import (
	"bytes"
	"regexp"

	yaml "go.yaml.in/yaml/v3"
)

// nameRE is an inventory host name that is also a safe file name.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

// varRE turns a step ID into a registered variable's suffix.
var varRE = regexp.MustCompile(`[^a-z0-9_]+`)

// m is a YAML mapping of the pairs kv (key, value, key, value...): values
// are *yaml.Node, string, bool, int or []any.
func m(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i < len(kv); i += 2 {
		n.Content = append(n.Content, str(kv[i].(string)), node(kv[i+1]))
	}
	return n
}

func seq(items ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, it := range items {
		n.Content = append(n.Content, node(it))
	}
	return n
}

func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// unsafe is a string Ansible never templates: a step's script. A block
// (literal) scalar reads best; where it would not read back byte for
// byte (trailing blanks, no final newline...), a double-quoted one.
func unsafe(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!unsafe", Value: s, Style: yaml.LiteralStyle}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	var back yaml.Node
	if enc.Encode(m("k", n)) != nil || enc.Close() != nil || yaml.Unmarshal(b.Bytes(), &back) != nil ||
		len(back.Content) != 1 || len(back.Content[0].Content) != 2 || back.Content[0].Content[1].Value != s {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func node(v any) *yaml.Node {
	switch x := v.(type) {
	case *yaml.Node:
		return x
	case string:
		return str(x)
	case []any:
		return seq(x...)
	default:
		var n yaml.Node
		if err := n.Encode(x); err != nil {
			panic(err) // only bools and ints come here
		}
		return &n
	}
}

// doc is a YAML document: the "---" ansible-lint asks for, then v.
func doc(v *yaml.Node) []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		panic(err) // a tree of our own nodes always encodes
	}
	enc.Close()
	return b.Bytes()
}
