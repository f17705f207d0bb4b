package config

import (
	"strings"
	"testing"
)

// Headers net/http would refuse to send, and names that differ only in
// case, are refused with the file's line like every other value.
func TestExtrasProblems(t *testing.T) {
	tests := []struct {
		name, line, want string
	}{
		{"header name with a space", `extra_headers = { "X Api" = "1" }`, `c.toml:7: profile[0].extra_headers: "X Api" is not a header name`},
		{"header name with a colon", `extra_headers = { "X-Api:" = "1" }`, `"X-Api:" is not a header name`},
		{"empty header name", `extra_headers = { "" = "1" }`, `"" is not a header name`},
		{"header value with a line break", `extra_headers = { X-Api = "1\r\nX-Evil: 2" }`, `the value of "X-Api" holds a line break`},
		{"header value with NUL", `extra_headers = { X-Api = "a\u0000b" }`, `the value of "X-Api" holds a line break or another control character`},
		{"same header twice", `extra_headers = { X-Api = "1", x-api = "2" }`, `"X-Api" and "x-api" are the same header`},
		{"Content-Type", `extra_headers = { Content-Type = "text/plain" }`, `"Content-Type" is set by tokentray itself`},
		{"parameter without a name", `extra_params = { " " = "1" }`, `c.toml:7: profile[0].extra_params: holds a parameter without a name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.toml", []byte(profileDoc("", tt.line)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestExtrasAccepted(t *testing.T) {
	doc := profileDoc("", `extra_params = { resource = "https://api.example.com", "a b" = "x=y" }`,
		`extra_headers = { X-Api-Version = "1.1-rev0", "X-Tab" = "a\tb", "!#$%&'*+-.^_|~" = "" }`)
	c, err := Parse("c.toml", []byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := c.Profiles[0].ExtraParams["a b"]; got != "x=y" {
		t.Errorf("extra_params[a b]: got %q, want x=y", got)
	}
}
