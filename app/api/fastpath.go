package api

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
)

// The token read is the agent's hot path (tools may read before every
// call). What is here makes it cheaper without changing a byte of what it
// answers; BENCHMARKS.md has the measurements.

// Header values set on every answer, shared by all of them: assigning a
// canonical key directly skips Header.Set's canonicalisation and a slice
// allocation. Never modified in place (Header.Add appends to a copy, as
// each has len == cap).
var (
	noStore     = []string{"no-store"}
	nosniff     = []string{"nosniff"}
	contentJSON = []string{"application/json"}
	contentText = []string{"text/plain; charset=utf-8"}
)

// jsonBufs recycles the buffers token answers are encoded into.
var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// writeToken writes resp as writeJSON would, byte for byte, encoding it by
// hand when appendTokenJSON can. Why by hand: the JSON read is what tools
// call before every request, and `go test -bench TokenRead ./bench`
// measured (2026-12-07, 2 shared cores) 0.7–1.0 µs and 1 allocation per
// read with it, 1.9–2.8 µs and 4 allocations with writeJSON: at figure 1's
// rates (about 10 µs a request) that is the difference between meeting
// 0.8× a bare Go server's throughput and not. A table test and a fuzz test
// (fastpath_test.go) hold it equal to encoding/json.
func writeToken(w http.ResponseWriter, resp apiclient.TokenResponse) {
	bp := jsonBufs.Get().(*[]byte)
	defer jsonBufs.Put(bp)
	b, ok := appendTokenJSON((*bp)[:0], resp)
	if !ok {
		writeJSON(w, http.StatusOK, resp)
		return
	}
	*bp = b
	w.Header()["Content-Type"] = contentJSON
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// appendTokenJSON appends what json.NewEncoder(w).Encode(t) writes (the
// same fields, omissions, escaping and trailing newline). It reports false,
// and the caller falls back to encoding/json, for anything but the plain
// case: a string with a character encoding/json would escape, or a time
// outside the years it can write.
func appendTokenJSON(b []byte, t apiclient.TokenResponse) ([]byte, bool) {
	var ok bool
	b = append(b, `{"access_token":`...)
	if b, ok = appendPlainString(b, t.AccessToken); !ok {
		return b, false
	}
	b = append(b, `,"token_type":`...)
	if b, ok = appendPlainString(b, t.TokenType); !ok {
		return b, false
	}
	if !t.ExpiresAt.IsZero() {
		if y := t.ExpiresAt.Year(); y < 0 || y > 9999 {
			return b, false
		}
		b = append(b, `,"expires_at":"`...)
		b = t.ExpiresAt.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	if t.ExpiresIn != 0 {
		b = append(b, `,"expires_in":`...)
		b = strconv.AppendInt(b, t.ExpiresIn, 10)
	}
	if t.Scope != "" {
		b = append(b, `,"scope":`...)
		if b, ok = appendPlainString(b, t.Scope); !ok {
			return b, false
		}
	}
	return append(b, "}\n"...), true
}

// appendPlainString quotes s when no byte of it needs escaping in
// encoding/json's default (HTML-safe) mode: printable ASCII but ", \, <, >, &.
func appendPlainString(b []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return b, false
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}

// tokenPattern is the token read's route.
const tokenPattern = "GET /v1/token/{profile}"

// tokenRoute sends GET /v1/token/NAME straight to token when NAME is a
// plain profile name (config's charset) and the path needs no cleaning:
// exactly the requests mux would route to tokenPattern unchanged, with NAME
// as the profile. Everything else goes through mux. (The mux's routing was
// a quarter of the read's handler time.)
func tokenRoute(mux *http.ServeMux, token func(w http.ResponseWriter, r *http.Request, profile string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.RawPath == "" {
			if name, ok := strings.CutPrefix(r.URL.Path, "/v1/token/"); ok && plainName(name) {
				r.Pattern = tokenPattern
				token(w, r, name)
				return
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// plainName reports whether s is made of profile-name characters only
// (letters, digits, '.', '_', '-'), starts with a letter or digit (so it is
// never "." or ".."), and is at most 64 bytes: a path segment no router
// would clean or unescape.
func plainName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// header is r.Header.Get(key) for a canonical key, without canonicalising
// it again (the server canonicalised the request's keys when it read them).
func header(r *http.Request, key string) string {
	if v := r.Header[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
