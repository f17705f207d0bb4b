package auth

import (
	"net/url"
	"strings"
)

// form is an application/x-www-form-urlencoded body that keeps the order its
// fields were added in. url.Values sorts its keys; the provider documents
// show their fields in a fixed order (Veeam: grantType, userName, password),
// and a body that reads like the document is easier to compare with it.
type form []field

type field struct{ key, value string }

// set replaces the value of key, or appends key when it is new.
func (f *form) set(key, value string) {
	for i := range *f {
		if (*f)[i].key == key {
			(*f)[i].value = value
			return
		}
	}
	*f = append(*f, field{key, value})
}

// has reports whether key is present.
func (f form) has(key string) bool {
	for _, x := range f {
		if x.key == key {
			return true
		}
	}
	return false
}

// encode writes the body (HTML form encoding, as RFC 6749 Appendix B asks).
func (f form) encode() string {
	var b strings.Builder
	for i, x := range f {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(x.key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(x.value))
	}
	return b.String()
}
