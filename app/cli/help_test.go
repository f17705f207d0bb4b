package cli

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestEveryCommandHasHelpWithAnExample runs `tokentray CMD --help`, `-h` and
// `tokentray help CMD` for every command: usage and an example on standard
// output, exit status 0, nothing else done.
func TestEveryCommandHasHelpWithAnExample(t *testing.T) {
	cmds := commands()
	for _, name := range []string{"agent", "login", "token", "status", "refresh", "logout", "secret", "version", "exec", "git-credential", "doctor", "completion"} {
		if _, ok := findCommand(name); !ok {
			t.Errorf("no command %q in the table", name)
		}
	}
	for _, cmd := range cmds {
		for _, args := range [][]string{{cmd.name, "--help"}, {cmd.name, "-h"}, {"help", cmd.name}} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				r := runCLI(t, "", args...)
				if r.code != 0 {
					t.Errorf("exit status: got %d, want 0 (stderr %q)", r.code, r.stderr)
				}
				for _, want := range []string{"Usage: tokentray " + cmd.name, "Example:\n  ", "tokentray", "--config"} {
					if !strings.Contains(r.stdout, want) {
						t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
					}
				}
				if cmd.example == "" || !strings.Contains(cmd.example, "tokentray") {
					t.Errorf("example: got %q, want a tokentray command line", cmd.example)
				}
				if r.stderr != "" {
					t.Errorf("stderr: got %q, want nothing", r.stderr)
				}
			})
		}
	}
	if r := runCLI(t, "", "--help"); r.code != 0 || !strings.Contains(r.stdout, "Commands:") {
		t.Errorf("tokentray --help: got %d %q, want 0 and the command list", r.code, r.stdout)
	}
}

func TestUnknownFlagIsAUsageError(t *testing.T) {
	r := runCLI(t, "", "token", "--colour", "red")
	if r.code != 2 || !strings.Contains(r.stderr, "Usage: tokentray token") || !strings.Contains(r.stderr, "colour") {
		t.Errorf("got %d %q, want 2 with the usage and the flag on stderr", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout: got %q, want nothing", r.stdout)
	}
}

// TestFlagsAfterThePositionalArguments: `tokentray login work --no-browser`
// works as the README shows it, and "--" ends the flags.
func TestFlagsAfterThePositionalArguments(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		stopAfter int
		wantPos   []string
		wantFlag  string
	}{
		{"flag first", []string{"--format", "json", "work"}, -1, []string{"work"}, "json"},
		{"flag after", []string{"work", "--format", "json"}, -1, []string{"work"}, "json"},
		{"double dash", []string{"work", "--", "--format", "json"}, -1, []string{"work", "--format", "json"}, "raw"},
		{"stop after the profile", []string{"--format", "header", "work", "sh", "-c", "--format"}, 2, []string{"work", "sh", "-c", "--format"}, "header"},
		{"flag between", []string{"work", "--format=json", "curl", "-s"}, 2, []string{"work", "curl", "-s"}, "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newContext(context.Background(), Env{Getenv: func(string) string { return "" }}, "x")
			format := c.fs.String("format", "raw", "")
			pos, err := c.parseFlags(tt.args, tt.stopAfter)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pos, tt.wantPos) || *format != tt.wantFlag {
				t.Errorf("got %q and --format %q, want %q and %q", pos, *format, tt.wantPos, tt.wantFlag)
			}
		})
	}
}

func TestGlobalFlagsBeforeTheCommand(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"--config", "c.toml", "token", "work"}, []string{"token", "--config", "c.toml", "work"}},
		{[]string{"--config=c.toml", "--debug", "-runtime-dir", "r", "status"}, []string{"status", "--config=c.toml", "--debug", "-runtime-dir", "r"}},
		{[]string{"token", "--config", "c.toml"}, []string{"token", "--config", "c.toml"}},
		{[]string{"--config", "c.toml"}, []string{"--config", "c.toml"}},
		{[]string{"--help"}, []string{"--help"}},
		{[]string{"--colour", "red", "token"}, []string{"--colour", "red", "token"}},
	}
	for _, tt := range tests {
		if got := globalFlagsFirst(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("globalFlagsFirst(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
