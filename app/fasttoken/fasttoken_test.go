package fasttoken

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	env := func(string) string { return "/env/run" }
	tests := []struct {
		args []string
		want Request
		ok   bool
	}{
		{[]string{"token", "work"}, Request{Profile: "work", RuntimeDir: "/env/run"}, true},
		{[]string{"token", "work", "--format=raw"}, Request{Profile: "work", RuntimeDir: "/env/run"}, true},
		{[]string{"token", "--format", "raw", "work"}, Request{Profile: "work", RuntimeDir: "/env/run"}, true},
		{[]string{"--runtime-dir", "/d", "token", "a.b_c-1"}, Request{Profile: "a.b_c-1", RuntimeDir: "/d", dirSet: true}, true},
		{[]string{"token", "--runtime-dir=", "work"}, Request{Profile: "work", dirSet: true}, true},
		{[]string{"--config=/c.toml", "token", "--", "work"}, Request{Profile: "work", RuntimeDir: "/env/run"}, true},
		{[]string{"--config", "/c.toml", "token", "work", "--config", "/d.toml"}, Request{Profile: "work", RuntimeDir: "/env/run"}, true},
		{[]string{"token"}, Request{RuntimeDir: "/env/run"}, true}, // the only profile (GET /v1/token)
		{[]string{"token", "--format=raw", "--"}, Request{RuntimeDir: "/env/run"}, true},

		// Everything else is the full command line's.
		{[]string{"token", "a", "b"}, Request{}, false},                     // too many
		{[]string{"token", "--format", "json", "work"}, Request{}, false},   // other formats
		{[]string{"--format", "raw", "token", "work"}, Request{}, false},    // --format is not global
		{[]string{"token", "--min-valid", "60s", "work"}, Request{}, false}, // may refresh first
		{[]string{"token", "--debug", "work"}, Request{}, false},
		{[]string{"token", "--help"}, Request{}, false},
		{[]string{"token", "-h", "work"}, Request{}, false},
		{[]string{"token", "-runtime-dir=/d", "work"}, Request{}, false}, // one dash: not a flag cobra knows
		{[]string{"-config", "c", "token", "work"}, Request{}, false},
		{[]string{"token", "work", "--runtime-dir"}, Request{}, false}, // a flag without its value
		{[]string{"status"}, Request{}, false},
		{[]string{"work", "token"}, Request{}, false},
		{[]string{}, Request{}, false},
		{[]string{"--", "token", "work"}, Request{}, false},
		{[]string{"token", "wo rk"}, Request{}, false},
		{[]string{"token", "work/../x"}, Request{}, false},
		{[]string{"token", ".."}, Request{}, false},
		{[]string{"token", "wörk"}, Request{}, false},
		{[]string{"token", "w%2f"}, Request{}, false},
		{[]string{"token", "-"}, Request{}, false},
		{[]string{"token", "a234567890123456789012345678901234567890123456789012345678901234x"}, Request{}, false}, // 65
	}
	for _, tt := range tests {
		got, ok := Parse(tt.args, env)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", tt.args, got, ok, tt.want, tt.ok)
		}
	}
}

func TestToken(t *testing.T) {
	const tok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJraW0ifQ.c2ln"
	ok200 := "HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 44\r\n\r\n"
	tests := []struct {
		name, answer string
		want         string
		ok           bool
	}{
		{"plain", ok200 + tok, tok, true},
		{"header case", "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-LENGTH:44\r\n\r\n" + tok, tok, true},
		{"short body", ok200 + tok[:40], "", false},
		{"long body", ok200 + tok + "x", "", false},
		{"not 200", "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 44\r\n\r\n" + tok, "", false},
		{"json", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 44\r\n\r\n" + tok, "", false},
		{"chunked", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n2c\r\n" + tok + "\r\n0\r\n\r\n", "", false},
		{"gzip", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: 44\r\n\r\n" + tok, "", false},
		{"no length", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + tok, "", false},
		{"two lengths", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 44\r\nContent-Length: 44\r\n\r\n" + tok, "", false},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: -44\r\n\r\n" + tok, "", false},
		{"empty", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n", "", false},
		{"space in token", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\na b", "", false},
		{"newline in token", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\na\nb", "", false},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 44\r\n\r\n" + tok, "", false},
		{"no head end", ok200[:20], "", false},
		{"garbage header", "HTTP/1.1 200 OK\r\nnonsense\r\nContent-Type: text/plain\r\nContent-Length: 44\r\n\r\n" + tok, "", false},
		{"nothing", "", "", false},
	}
	for _, tt := range tests {
		got, ok := Token([]byte(tt.answer))
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("%s: Token = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzToken: no answer makes Token panic, and what it accepts is a
// printable token of exactly Content-Length bytes.
func FuzzToken(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"))
	f.Fuzz(func(t *testing.T, answer []byte) {
		Complete(answer)
		tok, ok := Token(answer)
		if ok && (len(tok) == 0 || !token68(tok)) {
			t.Fatalf("accepted %q", tok)
		}
	})
}
