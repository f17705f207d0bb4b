package windows

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// The settings window edits a profile's extra_params and extra_headers as
// text, one `name = value` per line. A name or value that would not survive
// that (empty, with '=' in a name, a leading quote, spaces at either end, a
// line break or another control character) is written as a Go quoted
// string, "like\tthis", and read back the same way. What the lines hold is
// judged by the config file's own rules (config.Check, through
// model.Validate); this file only turns text into a map and back.

// formatPairs writes m as lines, sorted by name.
func formatPairs(m map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		name, value := k, m[k]
		if needsQuote(name) || strings.Contains(name, "=") {
			name = strconv.Quote(name)
		}
		if needsQuote(value) && value != "" {
			value = strconv.Quote(value)
		}
		b.WriteString(name + " = " + value + "\n")
	}
	return b.String()
}

func needsQuote(s string) bool {
	return s == "" || strings.HasPrefix(s, `"`) || strings.TrimSpace(s) != s ||
		strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) })
}

// parsePairs reads lines of `name = value`; blank lines are skipped. The
// error names the first line that is not one.
func parsePairs(text string) (map[string]string, error) {
	var out map[string]string
	lineOf := map[string]int{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, err := splitPair(line)
		if err != nil {
			return out, fmt.Errorf("line %d: %w", i+1, err)
		}
		if n, dup := lineOf[name]; dup {
			return out, fmt.Errorf("line %d: %q is already given on line %d", i+1, name, n)
		}
		lineOf[name] = i + 1
		if out == nil {
			out = map[string]string{}
		}
		out[name] = value
	}
	return out, nil
}

func splitPair(line string) (name, value string, err error) {
	var rest string
	if strings.HasPrefix(line, `"`) {
		q, err := strconv.QuotedPrefix(line)
		if err != nil {
			return "", "", errors.New(`the quoted name does not end with a " (write it as in Go: "a\"b")`)
		}
		name, _ = strconv.Unquote(q)
		rest = strings.TrimSpace(line[len(q):])
		if !strings.HasPrefix(rest, "=") {
			return "", "", errors.New(`write name = value: no "=" after the quoted name`)
		}
		rest = rest[1:]
	} else {
		n, r, ok := strings.Cut(line, "=")
		if !ok {
			return "", "", errors.New(`write name = value: there is no "="`)
		}
		if name = strings.TrimSpace(n); name == "" {
			return "", "", errors.New(`write name = value: there is no name before the "="`)
		}
		rest = r
	}
	value = strings.TrimSpace(rest)
	if strings.HasPrefix(value, `"`) {
		v, err := strconv.Unquote(value)
		if err != nil {
			return "", "", errors.New(`a value that starts with " must be one quoted string (as in Go: "a\tb")`)
		}
		value = v
	}
	return name, value, nil
}
