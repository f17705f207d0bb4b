package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"
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
// hand when appendTokenJSON can.
func writeToken(w http.ResponseWriter, resp TokenResponse) {
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
func appendTokenJSON(b []byte, t TokenResponse) ([]byte, bool) {
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
