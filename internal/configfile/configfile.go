// Package configfile edits kq's config file (config.yaml) in place: it
// changes only what it must, keeping comments, layout, key order and the
// case of profile names, and writes through symlinks.
package configfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// currentKey is the top-level key naming the current profile.
const currentKey = "current-profile"

// ProfileNames returns the profile names of the config file at path as
// they are written (case kept), sorted.
func ProfileNames(path string) ([]string, error) {
	_, root, err := read(path)
	if err != nil {
		return nil, err
	}
	var names []string
	if profiles := value(root, "profiles"); profiles != nil && profiles.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(profiles.Content); i += 2 {
			names = append(names, profiles.Content[i].Value)
		}
	}
	slices.Sort(names)
	return names, nil
}

// SetCurrentProfile makes name (matched case-insensitively against the
// file's profiles) the file's current-profile and returns the profile's
// name as the file spells it. Only the current-profile value changes (the
// line is added before the first key when there is none); a symlinked file
// is written through the link, keeping the target's permissions.
func SetCurrentProfile(path, name string) (string, error) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	data, root, err := read(target)
	if err != nil {
		return "", err
	}
	names, _ := ProfileNames(target)
	i := slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, name) })
	if i < 0 {
		return "", fmt.Errorf("unknown profile %q (profiles: %s)", name, strings.Join(names, ", "))
	}
	name = names[i]
	out, err := edit(data, root, name)
	if err != nil {
		return "", fmt.Errorf("config %s: %w", path, err)
	}
	return name, writeKeepingMode(target, out)
}

// read parses the file into its top-level mapping node (nil for an empty
// file).
func read(path string) ([]byte, *yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("read config %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return data, nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("read config %s: not a mapping of settings", path)
	}
	return data, root, nil
}

// value returns the value node of key in mapping m, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	if m == nil {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// edit returns data with current-profile set to name.
func edit(data []byte, root *yaml.Node, name string) ([]byte, error) {
	scalar := quote(name)
	if root != nil && root.Style&yaml.FlowStyle != 0 {
		return nil, errors.New("a flow-style ({...}) file cannot be edited in place: set current-profile by hand")
	}
	v := value(root, currentKey)
	if v == nil {
		line := 1
		if root != nil && len(root.Content) > 0 {
			line = root.Content[0].Line
		}
		at := lineStart(data, line)
		ins := []byte(currentKey + ": " + scalar + "\n")
		return append(data[:at:at], append(ins, data[at:]...)...), nil
	}
	if v.Kind != yaml.ScalarNode {
		return nil, errors.New("current-profile is not a plain value")
	}
	start := lineStart(data, v.Line) + v.Column - 1
	end := start + scalarLen(data[start:])
	return append(data[:start:start], append([]byte(scalar), data[end:]...)...), nil
}

// lineStart is the byte offset of the 1-based line in data.
func lineStart(data []byte, line int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return len(data)
		}
		off += i + 1
	}
	return off
}

// scalarLen is the length of the scalar token at the start of b: a quoted
// string to its closing quote, or a plain value to a comment or the line's
// end, trailing blanks left out.
func scalarLen(b []byte) int {
	eol := bytes.IndexByte(b, '\n')
	if eol < 0 {
		eol = len(b)
	}
	line := b[:eol]
	if len(line) > 0 && (line[0] == '"' || line[0] == '\'') {
		for i := 1; i < len(line); i++ {
			switch {
			case line[0] == '"' && line[i] == '\\':
				i++
			case line[i] == line[0] && line[0] == '\'' && i+1 < len(line) && line[i+1] == '\'':
				i++
			case line[i] == line[0]:
				return i + 1
			}
		}
		return len(line)
	}
	if i := bytes.Index(line, []byte(" #")); i >= 0 {
		line = line[:i]
	}
	return len(bytes.TrimRight(line, " \t\r"))
}

// plainName is a profile name that needs no quotes in YAML.
// It is compiled on first use, not at every kq process's start.
var plainName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
})

func quote(name string) string {
	if plainName().MatchString(name) {
		return name
	}
	return strconv.Quote(name)
}

// writeKeepingMode replaces path's content atomically (a temporary file in
// the same directory, renamed over it) with path's permissions.
func writeKeepingMode(path string, data []byte) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kq-config-*.yaml")
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if err := os.Chmod(tmp.Name(), st.Mode().Perm()); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}
