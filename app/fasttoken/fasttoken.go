// Package fasttoken answers `tokentray token [PROFILE]` in the front
// command without net/http: one request on the agent's unix socket,
// written and read with plain system calls. It takes only the plainest
// case — the raw token of a named profile, or of the only one, answered 200
// with a body of known length — and
// says "not mine" for everything else, so the full command line
// (tokentray-agent, with the real HTTP client) runs instead and gives the
// same answers, errors and exit codes it always did. Nothing here decides
// anything the agent or the CLI does not.
package fasttoken

import (
	"bytes"
	"strings"
	"time"

	"github.com/tokentray/tokentray/app/rundir"
)

// The facts of a plain token read, on the command line and on the wire.
// internal/early's C takes the same reads before Go starts, from these
// constants: `go generate ./internal/early` writes them into its
// zz_generated.h, and a test there fails when that file is stale.
const (
	// The command line taken: `token [PROFILE]` with at most --config,
	// --runtime-dir and --format raw (the full command line's flags).
	Command        = "token"
	FlagConfig     = "config"
	FlagRuntimeDir = "runtime-dir"
	FlagFormat     = "format"
	FormatRaw      = "raw"
	// MaxProfile is the longest profile name the config allows.
	MaxProfile = 64

	// The request: "GET " + TokenPath [+ "/" + profile] + RequestTail, as
	// the CLI's client would send it but asking for the bare token.
	TokenPath   = "/v1/token"
	RequestTail = " HTTP/1.1\r\nHost: tokentray.sock\r\nAccept: text/plain\r\nConnection: close\r\n\r\n"
	// The answer taken: a 200 of type text/plain, at most MaxAnswer
	// bytes (far above any real token, far below harm).
	StatusOK  = "HTTP/1.1 200 "
	TextPlain = "text/plain"
	MaxAnswer = 256 << 10

	// Timeout bounds the whole read. The agent answers within 30 s even
	// while it waits for a refresh (api's maxWait); the CLI's client
	// allows 35 s.
	Timeout = 35 * time.Second
)

// Request is what the command line asked for.
type Request struct {
	Profile    string // empty: the only profile there is
	RuntimeDir string // empty: rundir.Dir's default
	dirSet     bool
}

// Parse reads a command line (without the program name) and reports
// whether it is a plain token read: `token [PROFILE]`, with at most the
// global flags --config (which a token read does not use) and
// --runtime-dir, and --format raw, before or after the profile, as the
// full command line accepts them (two dashes: cobra's flags). getenv
// supplies TOKENTRAY_RUNTIME_DIR.
func Parse(args []string, getenv func(string) string) (Request, bool) {
	var r Request
	seenCmd, seenProfile, endOfFlags := false, false, false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if endOfFlags || !strings.HasPrefix(a, "-") || a == "-" {
			switch {
			case !seenCmd && a == Command:
				seenCmd = true
			case seenCmd && !seenProfile && validProfile(a):
				r.Profile, seenProfile = a, true
			default:
				return Request{}, false
			}
			continue
		}
		if a == "--" {
			if !seenCmd {
				return Request{}, false
			}
			endOfFlags = true
			continue
		}
		if !strings.HasPrefix(a, "--") {
			return Request{}, false // -h, or a mistake: the CLI's business
		}
		name, value, hasValue := strings.Cut(a[2:], "=")
		if !hasValue {
			if i+1 >= len(args) {
				return Request{}, false
			}
			i++
			value = args[i]
		}
		switch name {
		case FlagConfig:
		case FlagRuntimeDir:
			r.RuntimeDir, r.dirSet = value, true
		case FlagFormat:
			if !seenCmd || value != FormatRaw {
				return Request{}, false
			}
		default: // --help, --min-valid, --debug, a mistake: the CLI's business
			return Request{}, false
		}
	}
	if !seenCmd {
		return Request{}, false
	}
	if !r.dirSet {
		r.RuntimeDir = getenv(rundir.Env)
	}
	return r, true
}

// validProfile is a profile name as the config allows it (letters, digits,
// '.', '_' and '-', at most 64) that needs no escaping in a URL path.
func validProfile(s string) bool {
	if s == "" || len(s) > MaxProfile || s == "." || s == ".." || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Socket is the socket the request goes to.
func (r Request) Socket() string { return rundir.Socket(rundir.Dir(r.RuntimeDir)) }

// request is the HTTP/1.1 request; without a profile, of the only one
// there is (GET /v1/token, which the CLI's own lookup of that profile
// matches).
func (r Request) request() []byte {
	path := TokenPath
	if r.Profile != "" {
		path += "/" + r.Profile
	}
	return []byte("GET " + path + RequestTail)
}

// Complete reports whether answer holds a whole response: its head and
// as many body bytes as its Content-Length says, so the read need not wait
// for the agent to close the connection.
func Complete(answer []byte) bool {
	head, body, ok := bytes.Cut(answer, []byte("\r\n\r\n"))
	if !ok {
		return false
	}
	h, ok := parseHead(head)
	return !ok || len(body) >= h.length // a head not understood ends the read too
}

// head is what Token needs of a response head.
type head struct {
	status200 bool
	length    int // -1: no Content-Length
	text      bool
	encoded   bool // a Transfer-Encoding or Content-Encoding
}

// parseHead reads a response head; ok is false when it is not well formed.
// It reads bytes as HTTP does — ASCII case and blanks only — so that the
// C copy in internal/early reads every head the same way (a fuzz test
// holds them together).
func parseHead(b []byte) (h head, ok bool) {
	lines := bytes.Split(b, []byte("\r\n"))
	h.status200 = bytes.HasPrefix(lines[0], []byte(StatusOK))
	h.length = -1
	for _, l := range lines[1:] {
		name, value, ok := bytes.Cut(l, []byte(":"))
		if !ok {
			return h, false
		}
		value = bytes.Trim(value, " \t")
		switch {
		case asciiEqualFold(name, "content-length"):
			n, ok := contentLength(value)
			if !ok || h.length >= 0 {
				return h, false
			}
			h.length = n
		case asciiEqualFold(name, "content-type"):
			h.text = bytes.HasPrefix(value, []byte(TextPlain))
		case asciiEqualFold(name, "transfer-encoding"), asciiEqualFold(name, "content-encoding"):
			h.encoded = true
		}
	}
	return h, true
}

// contentLength reads a Content-Length: digits only (RFC 9110), and no
// more than an answer may hold.
func contentLength(v []byte) (int, bool) {
	if len(v) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > MaxAnswer {
			return 0, false
		}
	}
	return n, true
}

// asciiEqualFold compares a header name with a lower-case name, folding
// ASCII letters only (strings.EqualFold folds the Kelvin sign to k).
func asciiEqualFold(name []byte, lower string) bool {
	if len(name) != len(lower) {
		return false
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// Token reads the token the agent answered, or says the answer is not
// a plain 200 with a token in it.
func Token(answer []byte) ([]byte, bool) {
	b, body, ok := bytes.Cut(answer, []byte("\r\n\r\n"))
	if !ok {
		return nil, false
	}
	h, ok := parseHead(b)
	if !ok || !h.status200 || !h.text || h.encoded || h.length <= 0 || len(body) != h.length || !token68(body) {
		return nil, false
	}
	return body, true
}

// token68 reports whether b looks like an access token: printable ASCII
// without spaces, as a Bearer token is (RFC 6750 b64token). Anything else
// is left to the full CLI.
func token68(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}
