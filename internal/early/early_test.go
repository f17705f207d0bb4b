//go:build cgo && linux

package early

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/app/fasttoken"
)

// sameParse checks the C parser against app/fasttoken's: the C path takes
// a command line only as Go does, to the same profile and socket (the one
// rundir.Socket derives). It may decline what Go takes only where the
// socket's path needs Go's cleaning.
func sameParse(t *testing.T, args []string, e env) {
	t.Helper()
	t.Setenv("XDG_RUNTIME_DIR", e.xdg)
	t.Setenv("TMPDIR", e.tmpdir)
	req, goOK := fasttoken.Parse(args, func(string) string { return e.runtimeDir })
	profile, socket, cOK := parse(args, e)
	switch {
	case cOK && !goOK:
		t.Errorf("%q (env %+v): C takes it, Go does not", args, e)
	case cOK && (profile != req.Profile || socket != req.Socket()):
		t.Errorf("%q (env %+v): C asks %s on %s, Go %s on %s", args, e, profile, socket, req.Profile, req.Socket())
	case goOK && !cOK && !needsCleaning(req.Socket(), req.RuntimeDir, e.xdg, e.tmpdir):
		t.Errorf("%q (env %+v): Go takes it (socket %s), C does not", args, e, req.Socket())
	}
}

// needsCleaning reports whether the C path may decline a read: when a
// directory it could build the socket's path from, its trailing slashes
// dropped, holds an empty, "." or ".." component (filepath.Join would
// clean those), or the path is longer than C's buffer.
func needsCleaning(socket string, dirs ...string) bool {
	if len(socket) >= 4000 {
		return true
	}
	return slices.ContainsFunc(dirs, func(d string) bool {
		if d = strings.TrimRight(d, "/"); d == "" {
			return false
		}
		return slices.ContainsFunc(strings.Split(strings.TrimPrefix(d, "/"), "/"), func(c string) bool {
			return c == "" || c == "." || c == ".."
		})
	})
}

func TestParseAsFasttoken(t *testing.T) {
	envs := []env{
		{runtimeDir: "/env/run"},
		{xdg: "/run/user/1000"},
		{xdg: "/run/user/1000/"},
		{tmpdir: "/var/tmp"},
		{tmpdir: "/var/tmp//"},
		{},
		{runtimeDir: "/"},
		{runtimeDir: "rel/dir"},
		{runtimeDir: "/a/./b"},
		{xdg: "/run/../x"},
	}
	for _, args := range [][]string{
		{"token", "work"},
		{"token", "work", "--format=raw"},
		{"token", "--format", "raw", "work"},
		{"--runtime-dir", "/d", "token", "a.b_c-1"},
		{"--runtime-dir", "/d/", "token", "w"},
		{"--runtime-dir", "///", "token", "w"},
		{"--runtime-dir", "/d//e", "token", "w"},
		{"--runtime-dir", "/d/../e", "token", "w"},
		{"--runtime-dir", ".", "token", "w"},
		{"token", "--runtime-dir=", "work"},
		{"token", "-runtime-dir=/d", "work"},
		{"-config", "c", "token", "work"},
		{"--config=/c.toml", "token", "--", "work"},
		{"--config", "/c.toml", "token", "work", "--config", "/d.toml"},
		{"token"},
		{"token", "a", "b"},
		{"token", "--format", "json", "work"},
		{"--format", "raw", "token", "work"},
		{"token", "--min-valid", "60s", "work"},
		{"token", "--debug", "work"},
		{"token", "--help"},
		{"token", "-h", "work"},
		{"token", "work", "--runtime-dir"},
		{"status"},
		{"work", "token"},
		{},
		{""},
		{"--", "token", "work"},
		{"token", "--", "--work"},
		{"token", "--", "-"},
		{"token", "---config", "x", "work"},
		{"token", "wo rk"},
		{"token", "work/../x"},
		{"token", ".."},
		{"token", "."},
		{"token", "wörk"},
		{"token", "w%2f"},
		{"token", "-"},
		{"token", strings.Repeat("a", 64)},
		{"token", strings.Repeat("a", 65)},
		{"token", "--runtime-dir", "/" + strings.Repeat("d", 5000), "work"},
	} {
		for _, e := range envs {
			sameParse(t, args, e)
		}
	}
}

// FuzzParse: the C and Go parsers agree on every command line. args is
// split at NUL, which no argument can hold.
func FuzzParse(f *testing.F) {
	f.Add("token\x00work", "", "/run/user/1", "")
	f.Add("--runtime-dir=/x/\x00token\x00--format\x00raw\x00--\x00a.b", "/r", "", "/tmp/")
	f.Add("--config\x00c\x00token\x00w", "", "", "")
	f.Fuzz(func(t *testing.T, joined, runtimeDir, xdg, tmpdir string) {
		if strings.ContainsRune(runtimeDir+xdg+tmpdir, 0) {
			t.Skip("no environment variable holds a NUL")
		}
		var args []string
		if joined != "" {
			args = strings.Split(joined, "\x00")
		}
		sameParse(t, args, env{runtimeDir: runtimeDir, xdg: xdg, tmpdir: tmpdir})
	})
}

// sameAnswer checks the C reading of an answer against app/fasttoken's.
func sameAnswer(t *testing.T, answer []byte) {
	t.Helper()
	if c, g := complete(answer), fasttoken.Complete(answer); c != g {
		t.Errorf("%q: complete: C %v, Go %v", answer, c, g)
	}
	ctok, cok := token(answer)
	gtok, gok := fasttoken.Token(answer)
	if cok != gok || !bytes.Equal(ctok, gtok) {
		t.Errorf("%q: token: C %q %v, Go %q %v", answer, ctok, cok, gtok, gok)
	}
}

var answers = []string{
	"HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-LENGTH:3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \t3 \r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nab",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabcd",
	"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Type: text/html\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: -3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: +3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 99999999999999999999999\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 262145\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\na b",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\na\x00b",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\na\xffb",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent\x00Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-\u212aength: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length:\u00a03\r\n\r\nabc",
	"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nnonsense\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\r\n\r\nabc",
	"HTTP/1.1 200 \r\n\r\n",
	"HTTP/1.1 200 OK",
	"\r\n\r\n",
	"",
}

func TestAnswerAsFasttoken(t *testing.T) {
	for _, a := range answers {
		sameAnswer(t, []byte(a))
		for i := range len(a) { // every prefix: what a read may have so far
			sameAnswer(t, []byte(a[:i]))
		}
	}
}

// FuzzAnswer: the C and Go readings of an answer agree on every answer.
func FuzzAnswer(f *testing.F) {
	for _, a := range answers {
		f.Add([]byte(a))
	}
	f.Fuzz(func(t *testing.T, answer []byte) { sameAnswer(t, answer) })
}
