package config

import (
	"bytes"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// This file edits a config file in place, so that Save keeps what the
// person wrote around the values: comments, blank lines, key order, quoting.
// go-toml has no document model that keeps comments, so the edit works on
// the text: the position-aware parser (unstable) tells where each key, each
// [[profile]] and each [profile.x] sub-table stands, and only the keys whose
// values change are rewritten, removed or added. A profile that is gone
// loses its lines (with the comment lines right above its header); a new
// profile is appended at the end. Whatever the edit produces is decoded
// again and must mean exactly what a full rewrite means, else Save falls
// back to the full rewrite.

// span is a byte range of the file: [start, end).
type span struct{ start, end int }

// keySpan is where one expression of a key stands.
type keySpan struct {
	line span // its whole lines, with the newline
	kv   span // key = value (a key-value expression)
	// table is true for a [profile.x] header and the keys under it.
	table bool
}

// tableLayout is where the keys of one table stand.
type tableLayout struct {
	keys map[string][]keySpan // by first key part
	// bodyEnd is where a new key goes: after the table's last own
	// key-value line (or its header); -1 when there is none (the root).
	bodyEnd int
	block   span // a profile: its header's comment lines to its last line
}

// fileLayout is the layout of a whole config file.
type fileLayout struct {
	root     tableLayout
	profiles []*tableLayout
	nl       string
}

// layoutOf finds where everything in b stands; ok is false for what it
// does not know how to edit (profiles as an inline array, tables other
// than [[profile]] and [profile.x]).
func layoutOf(b []byte) (l fileLayout, ok bool) {
	l.root = tableLayout{keys: map[string][]keySpan{}, bodyEnd: -1}
	l.nl = "\n"
	if bytes.Contains(b, []byte("\r\n")) {
		l.nl = "\r\n"
	}
	p := unstable.Parser{}
	p.Reset(b)
	var cur *tableLayout // nil: the root table
	sub := ""            // the [profile.x] sub-table we are in
	prevEnd := 0         // end of the previous expression's line
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.ArrayTable:
			key, at := keyParts(&p, e.Key())
			if len(key) != 1 || key[0] != "profile" {
				return l, false
			}
			line := lineOf(b, at, at)
			cur = &tableLayout{keys: map[string][]keySpan{}, bodyEnd: line.end,
				block: span{commentsAbove(b, prevEnd, line.start), line.end}}
			l.profiles = append(l.profiles, cur)
			sub = ""
			prevEnd = line.end
		case unstable.Table:
			key, at := keyParts(&p, e.Key())
			if cur == nil || len(key) != 2 || key[0] != "profile" {
				return l, false
			}
			sub = key[1]
			line := lineOf(b, at, at)
			cur.keys[sub] = append(cur.keys[sub], keySpan{line: line, table: true})
			cur.block.end, prevEnd = line.end, line.end
		case unstable.KeyValue:
			key, _ := keyParts(&p, e.Key())
			kv := span{int(e.Raw.Offset), int(e.Raw.Offset + e.Raw.Length)}
			line := lineOf(b, kv.start, kv.end)
			prevEnd = line.end
			switch {
			case cur == nil:
				if key[0] == "profile" {
					return l, false // profile = [{…}]: not ours to edit
				}
				l.root.keys[key[0]] = append(l.root.keys[key[0]], keySpan{line: line, kv: kv})
				l.root.bodyEnd = line.end
			case sub == "":
				cur.keys[key[0]] = append(cur.keys[key[0]], keySpan{line: line, kv: kv})
				cur.bodyEnd, cur.block.end = line.end, line.end
			default:
				cur.keys[sub] = append(cur.keys[sub], keySpan{line: line, kv: kv, table: true})
				cur.block.end = line.end
			}
		}
	}
	return l, p.Error() == nil
}

// keyParts is a key's parts and the offset of its first part.
func keyParts(p *unstable.Parser, it unstable.Iterator) ([]string, int) {
	var parts []string
	at := -1
	for it.Next() {
		n := it.Node()
		if at < 0 {
			at = int(n.Raw.Offset)
		}
		parts = append(parts, string(n.Data))
	}
	return parts, at
}

// lineOf is the whole lines holding b[start:end], with the final newline.
func lineOf(b []byte, start, end int) span {
	s := bytes.LastIndexByte(b[:start], '\n') + 1
	e := bytes.IndexByte(b[end:], '\n')
	if e < 0 {
		return span{s, len(b)}
	}
	return span{s, end + e + 1}
}

// commentsAbove is where the comment lines right above a header start (no
// blank line between them and it): they belong to the header. floor is
// the end of the previous expression.
func commentsAbove(b []byte, floor, start int) int {
	for start > floor {
		s := bytes.LastIndexByte(b[:start-1], '\n') + 1
		if s < floor {
			s = floor
		}
		t := bytes.TrimLeft(b[s:start], " \t")
		if len(t) == 0 || t[0] != '#' {
			break
		}
		start = s
	}
	return start
}

// lineTexts marshals v with tables inline: one `key = value` per key, in
// field order. skip names keys to leave out.
func lineTexts(v any, skip string) (order []string, lines map[string]string, err error) {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).SetTablesInline(true).Encode(v); err != nil {
		return nil, nil, err
	}
	lines = map[string]string{}
	p := unstable.Parser{}
	p.Reset(buf.Bytes())
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.KeyValue {
			continue
		}
		key, _ := keyParts(&p, e.Key())
		if key[0] == skip {
			continue
		}
		order = append(order, key[0])
		lines[key[0]] = string(p.Raw(e.Raw))
	}
	return order, lines, p.Error()
}

// edit is one change of the text: b[start:end] becomes text.
type edit struct {
	start, end int
	text       string
}

// editor collects the edits of one file.
type editor struct {
	nl    string
	edits []edit
}

// table edits one table's keys from was to want (both from lineTexts).
// insertAt is where a new key goes; after is added behind new keys there.
func (ed *editor) table(t *tableLayout, wasOrder, wantOrder []string, was, want map[string]string, insertAt int, after string) {
	var added []string
	var ins strings.Builder
	for _, k := range slices.Concat(wantOrder, wasOrder) {
		if was[k] == want[k] || slices.Contains(added, k) {
			continue // unchanged (a key in both orders is seen twice)
		}
		added = append(added, k)
		spans := t.keys[k]
		if want[k] != "" && len(spans) == 1 && !spans[0].table {
			// In place: what follows on the line (a comment) stays.
			ed.edits = append(ed.edits, edit{spans[0].kv.start, spans[0].kv.end, want[k]})
			continue
		}
		for _, s := range spans {
			ed.edits = append(ed.edits, edit{s.line.start, s.line.end, ""})
		}
		if want[k] != "" {
			ins.WriteString(want[k] + ed.nl)
		}
	}
	if ins.Len() > 0 {
		ed.edits = append(ed.edits, edit{insertAt, insertAt, ins.String() + after})
	}
}

// apply makes the edits; ok is false if two overlap.
func (ed *editor) apply(b []byte) ([]byte, bool) {
	// By start; at the same start an insertion (start == end) goes first.
	sort.SliceStable(ed.edits, func(i, j int) bool {
		a, b := ed.edits[i], ed.edits[j]
		return a.start < b.start || (a.start == b.start && a.end < b.end)
	})
	var out bytes.Buffer
	at := 0
	for _, e := range ed.edits {
		if e.start < at {
			return nil, false
		}
		out.Write(b[at:e.start])
		out.WriteString(e.text)
		at = e.end
	}
	out.Write(b[at:])
	return out.Bytes(), true
}

// inPlace returns old, the text of a config file, edited to hold c, with
// everything the edit does not touch left as it was; full is c marshalled
// whole. ok is false when old cannot be edited so (it does not decode, or
// has a layout this does not handle): then write full instead.
func inPlace(old []byte, c *Config, full []byte) ([]byte, bool) {
	var was Config
	if err := toml.NewDecoder(bytes.NewReader(old)).DisallowUnknownFields().Decode(&was); err != nil {
		return nil, false
	}
	if len(old) > 0 && old[len(old)-1] != '\n' {
		nl := "\n"
		if bytes.Contains(old, []byte("\r\n")) {
			nl = "\r\n"
		}
		old = append(slices.Clip(old), nl...)
	}
	l, ok := layoutOf(old)
	if !ok || len(l.profiles) != len(was.Profiles) {
		return nil, false
	}
	ed := &editor{nl: l.nl}

	// The top-level keys.
	top := func(c Config) Config { c.Profiles = nil; return c }
	wasOrder, wasLines, err1 := lineTexts(top(was), "profile")
	wantOrder, wantLines, err2 := lineTexts(top(*c), "profile")
	if err1 != nil || err2 != nil {
		return nil, false
	}
	insertAt, after := l.root.bodyEnd, ""
	if insertAt < 0 {
		insertAt = len(old)
		if len(l.profiles) > 0 {
			insertAt, after = l.profiles[0].block.start, l.nl
		}
	}
	ed.table(&l.root, wasOrder, wantOrder, wasLines, wantLines, insertAt, after)

	// The profiles: the same name is the same profile; else the one at the
	// same place (a rename).
	pair := make([]int, len(c.Profiles)) // old index of each new profile, or -1
	used := make([]bool, len(was.Profiles))
	for j, p := range c.Profiles {
		pair[j] = -1
		for i, q := range was.Profiles {
			if !used[i] && q.Name == p.Name {
				pair[j], used[i] = i, true
				break
			}
		}
	}
	for j := range c.Profiles {
		if pair[j] < 0 && j < len(was.Profiles) && !used[j] {
			pair[j], used[j] = j, true
		}
	}
	for i, u := range used {
		if !u { // gone: its lines, and one blank line after them
			end := l.profiles[i].block.end
			if rest := old[end:]; bytes.HasPrefix(rest, []byte(l.nl)) {
				end += len(l.nl)
			}
			ed.edits = append(ed.edits, edit{l.profiles[i].block.start, end, ""})
		}
	}
	var appended bytes.Buffer
	for j := range c.Profiles {
		wantOrder, wantLines, err := lineTexts(c.Profiles[j], "")
		if err != nil {
			return nil, false
		}
		i := pair[j]
		if i < 0 {
			if len(old) > 0 || appended.Len() > 0 {
				appended.WriteString(l.nl)
			}
			appended.WriteString("[[profile]]" + l.nl)
			for _, k := range wantOrder {
				appended.WriteString(wantLines[k] + l.nl)
			}
			continue
		}
		wasOrder, wasLines, err := lineTexts(was.Profiles[i], "")
		if err != nil {
			return nil, false
		}
		ed.table(l.profiles[i], wasOrder, wantOrder, wasLines, wantLines, l.profiles[i].bodyEnd, "")
	}
	if appended.Len() > 0 {
		ed.edits = append(ed.edits, edit{len(old), len(old), appended.String()})
	}
	out, ok := ed.apply(old)
	if !ok {
		return nil, false
	}
	// The edit must mean what the full rewrite means, order of profiles
	// included.
	var got Config
	if err := toml.NewDecoder(bytes.NewReader(out)).DisallowUnknownFields().Decode(&got); err != nil {
		return nil, false
	}
	again, err := toml.Marshal(&got)
	if err != nil || !bytes.Equal(again, full) {
		return nil, false
	}
	return out, true
}
