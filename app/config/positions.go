package config

import (
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines maps a key path as validate names it ("listen",
// "profile[2].issuer", "profile[2]") to the line it stands on.
type keyLines map[string]int

// positions walks the document once with go-toml's position-aware parser;
// decoding itself already succeeded, so parse errors cannot occur here.
func positions(b []byte) keyLines {
	out := keyLines{}
	p := unstable.Parser{KeepComments: false}
	p.Reset(b)
	table, profile := "", -1
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.ArrayTable, unstable.Table:
			table = joinKey(e.Key())
			if e.Kind == unstable.ArrayTable && table == "profile" {
				profile++
				out[fmt.Sprintf("profile[%d]", profile)] = line(&p, e.Key())
			}
		case unstable.KeyValue:
			k := joinKey(e.Key())
			switch {
			case table == "":
				out[k] = line(&p, e.Key())
			case table == "profile" && profile >= 0:
				// A dotted key (extra_headers.X) counts for its first part.
				first, _, _ := strings.Cut(k, ".")
				out[fmt.Sprintf("profile[%d].%s", profile, first)] = line(&p, e.Key())
			case strings.HasPrefix(table, "profile.") && profile >= 0:
				sub, _, _ := strings.Cut(strings.TrimPrefix(table, "profile."), ".")
				key := fmt.Sprintf("profile[%d].%s", profile, sub)
				if _, ok := out[key]; !ok {
					out[key] = line(&p, e.Key())
				}
			}
		}
	}
	return out
}

func joinKey(it unstable.Iterator) string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return strings.Join(parts, ".")
}

func line(p *unstable.Parser, it unstable.Iterator) int {
	if it.Next() {
		return p.Shape(it.Node().Raw).Start.Line
	}
	return 0
}

// line returns where key stands, else where its profile starts, else 0.
func (k keyLines) line(key string) int {
	if n, ok := k[key]; ok {
		return n
	}
	if i := strings.Index(key, "]."); i >= 0 {
		return k[key[:i+1]]
	}
	return 0
}
