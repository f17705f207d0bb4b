package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/app/launch"
)

// The program's own arguments, before any window or agent is needed.
func TestArguments(t *testing.T) {
	tests := []struct {
		args       []string
		code       int
		out, inErr string
	}{
		{[]string{"--help"}, 0, "Windows:", ""},
		{[]string{"-h"}, 0, "Windows:", ""},
		{[]string{"help"}, 0, "Windows:", ""},
		{[]string{"--config", "x.toml", "--runtime-dir", "/nonexistent", "--help"}, 0, "Windows:", ""},
		{nil, 2, "", "Windows:"},
		{[]string{"--no-such-flag"}, 2, "", "flag provided but not defined"},
		{[]string{"version"}, 0, "tokentray-ui dev", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if got := run(tt.args, &out, &errb); got != tt.code {
				t.Errorf("got exit status %d, want %d (stderr %q)", got, tt.code, errb.String())
			}
			if !strings.Contains(out.String(), tt.out) || !strings.Contains(errb.String(), tt.inErr) {
				t.Errorf("got stdout %q, stderr %q; want %q in stdout, %q in stderr", out.String(), errb.String(), tt.out, tt.inErr)
			}
		})
	}
	// --help lists every window.
	var out bytes.Buffer
	run([]string{"--help"}, &out, &out)
	for _, w := range launch.Windows {
		if !strings.Contains(out.String(), "\n  "+w.Name) {
			t.Errorf("--help does not list the %s window:\n%s", w.Name, out.String())
		}
	}
}
