package config

import (
	"maps"
	"slices"
	"strings"
)

// checkExtras checks extra_params and extra_headers: what net/http would
// refuse to send (RFC 9110 §5.1 field names, §5.5 field values), names
// that differ only in case (which one is sent would be chance), and the
// headers tokentray sets itself.
func checkExtras(p *Profile, add func(field, format string, args ...any)) {
	for _, name := range slices.Sorted(maps.Keys(p.ExtraParams)) {
		if strings.TrimSpace(name) == "" {
			add("extra_params", "holds a parameter without a name")
		}
	}
	seen := map[string]string{}
	for _, h := range slices.Sorted(maps.Keys(p.ExtraHeaders)) {
		switch {
		case !validHeaderName(h):
			add("extra_headers", "%q is not a header name (letters, digits and !#$%%&'*+-.^_`|~, no spaces)", h)
		case strings.EqualFold(h, "authorization") || strings.EqualFold(h, "content-type"):
			add("extra_headers", "%q is set by tokentray itself", h)
		case seen[strings.ToLower(h)] != "":
			add("extra_headers", "%q and %q are the same header", seen[strings.ToLower(h)], h)
		}
		seen[strings.ToLower(h)] = h
		if !validHeaderValue(p.ExtraHeaders[h]) {
			add("extra_headers", "the value of %q holds a line break or another control character", h)
		}
	}
}

// validHeaderName reports whether s is an HTTP field name: a non-empty
// token (RFC 9110 §5.1, §5.6.2).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue reports whether s can be sent as a field value: no
// control characters but horizontal tab (RFC 9110 §5.5).
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
