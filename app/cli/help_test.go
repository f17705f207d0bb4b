package cli

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/tokentray/tokentray/app/rundir"
)

// TestEveryCommandHasHelpWithAnExample runs `tokentray CMD --help`, `-h` and
// `tokentray help CMD` for every command: one text, on standard output,
// with the usage, an example and every flag the command takes, exit
// status 0, nothing else done.
func TestEveryCommandHasHelpWithAnExample(t *testing.T) {
	root := NewCommand(Env{})
	var top []string
	for _, cmd := range available(root) {
		if cmd.Parent() == root {
			top = append(top, cmd.Name())
		}
	}
	slices.Sort(top)
	want := []string{"agent", "completion", "doctor", "exec", "git-credential", "help", "login", "logout", "refresh", "secret", "status", "token", "ui", "version"}
	if !slices.Equal(top, want) {
		t.Errorf("commands: got %q, want %q", top, want)
	}
	for _, cmd := range available(root) {
		path := strings.Fields(strings.TrimPrefix(cmd.CommandPath(), "tokentray "))
		var texts []string
		for _, args := range [][]string{append(path, "--help"), append(path, "-h"), append([]string{"help"}, path...)} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				r := runCLI(t, "", args...)
				if r.code != 0 {
					t.Errorf("exit status: got %d, want 0 (stderr %q)", r.code, r.stderr)
				}
				for _, want := range []string{"Usage: " + cmd.CommandPath(), "Example:\n  ", "--config", "--runtime-dir"} {
					if !strings.Contains(r.stdout, want) {
						t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
					}
				}
				if !cmd.HasExample() || !strings.Contains(cmd.Example, "tokentray") {
					t.Errorf("example: got %q, want a tokentray command line", cmd.Example)
				}
				cmd.Flags().VisitAll(func(f *pflag.Flag) {
					if !strings.Contains(r.stdout, "--"+f.Name+" ") && !strings.Contains(r.stdout, "--"+f.Name+"\n") {
						t.Errorf("the flag --%s is not in:\n%s", f.Name, r.stdout)
					}
				})
				if r.stderr != "" {
					t.Errorf("stderr: got %q, want nothing", r.stderr)
				}
				texts = append(texts, r.stdout)
			})
		}
		if len(texts) == 3 && (texts[0] != texts[1] || texts[0] != texts[2]) {
			t.Errorf("%s: --help, -h and help print different texts:\n%s\n---\n%s\n---\n%s", cmd.CommandPath(), texts[0], texts[1], texts[2])
		}
	}
	if r := runCLI(t, "", "--help"); r.code != 0 || !strings.Contains(r.stdout, "Commands:") || !strings.Contains(r.stdout, "\n  ui WINDOW") {
		t.Errorf("tokentray --help: got %d %q, want 0 and the command list with ui", r.code, r.stdout)
	}
	if r := runCLI(t, "", "help", "nosuch"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "nosuch"`) {
		t.Errorf("help nosuch: got %d %q, want 2 and unknown command", r.code, r.stderr)
	}
}

// TestHelpLogin is what a new user missed: help login lists login's own
// flags, and help ui the windows.
func TestHelpLogin(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"help", "login"}, []string{"--refresh-token-stdin", "--no-browser", "--device", "--username", "--cancel", "tokentray login work"}},
		{[]string{"help", "token"}, []string{"--format", "--min-valid", "exec-credential"}},
		{[]string{"help", "ui"}, []string{"settings", "details PROFILE", "login PROFILE", "status [--quit-button]", "about"}},
		{[]string{"help"}, []string{"ui WINDOW", "secret set|set-key|delete PROFILE"}},
	} {
		r := runCLI(t, "", tt.args...)
		for _, w := range tt.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s: got %q, want it to contain %q", strings.Join(tt.args, " "), r.stdout, w)
			}
		}
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

// TestUsageErrors: mistakes cobra or a command catches exit 2 and say
// what is wrong, flags before or after the positional arguments.
func TestUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "work", "--format", "yaml"}, "--format must be raw, json, header or exec-credential"},
		{[]string{"--colour=red", "token"}, "unknown flag: --colour"},
		{[]string{"token", "a", "b"}, "too many arguments: b"},
		{[]string{"token", "--min-valid", "soon"}, `invalid argument "soon"`},
		{[]string{"secret"}, "tokentray secret set|set-key|delete PROFILE"},
		{[]string{"secret", "frob", "work"}, `unknown subcommand "frob"`},
		{[]string{"secret", "set"}, "name the profile: tokentray secret set PROFILE"},
		{[]string{"secret", "--config", "c.toml", "delete", "a", "b"}, "too many arguments: b"},
		{[]string{"ui"}, "name a window"},
		{[]string{"ui", "nosuch"}, `no window "nosuch"`},
		{[]string{"ui", "details"}, "tokentray ui details PROFILE"},
		{[]string{"ui", "settings", "x"}, "too many arguments: x"},
		{[]string{"exec"}, "give a profile and the command to run"},
		{[]string{"exec", "work"}, "give the command to run after --"},
		{[]string{"exec", "work", "--env", "1X", "true"}, `--env "1X" is not an environment variable name`},
		{[]string{"completion", "tcsh"}, `"tcsh"`},
		{[]string{"git-credential"}, "git calls this with get, store or erase"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		r := runCLI(t, "", tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
			t.Errorf("%s: got %d %q %q, want 2 and %q on stderr", strings.Join(tt.args, " "), r.code, r.stdout, r.stderr, tt.want)
		}
	}
}

// TestExecArguments: exec's flags come before the command, also between
// the profile and the command; "--" and everything from the command on
// are the command's.
func TestExecArguments(t *testing.T) {
	tests := []struct {
		args        []string
		wantProfile string
		wantArgv    []string
		wantEnv     string
	}{
		{[]string{"work", "--", "sh", "-c", "x"}, "work", []string{"sh", "-c", "x"}, ""},
		{[]string{"--env", "T", "work", "--", "glab"}, "work", []string{"glab"}, "T"},
		{[]string{"work", "--env", "T", "sh", "-c", "--env"}, "work", []string{"sh", "-c", "--env"}, "T"},
		{[]string{"work", "--env=T", "curl", "-s"}, "work", []string{"curl", "-s"}, "T"},
		{[]string{"work", "--", "sh", "--env", "U"}, "work", []string{"sh", "--env", "U"}, ""},
		{[]string{"--env", "T", "--", "sh"}, "", []string{"sh"}, "T"},
		{[]string{"--", "work", "sh"}, "", []string{"work", "sh"}, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := execCommand(&cmdContext{})
			if err := cmd.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			profile, argv, err := parseExec(cmd, cmd.Flags().Args())
			env, _ := cmd.Flags().GetString("env")
			if err != nil || profile != tt.wantProfile || !slices.Equal(argv, tt.wantArgv) || env != tt.wantEnv {
				t.Errorf("got %q %q --env %q (%v), want %q %q --env %q", profile, argv, env, err, tt.wantProfile, tt.wantArgv, tt.wantEnv)
			}
		})
	}
}

// TestGlobalFlagsBeforeTheCommand: `tokentray --config FILE token work`
// works too (tools such as git and kubectl are often configured that way).
func TestGlobalFlagsBeforeTheCommand(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--config", "c.toml", "--runtime-dir", dir, "status"},
		{"--runtime-dir=" + dir, "--debug", "status"},
		{"status", "--runtime-dir", dir},
	} {
		r := runCLI(t, "", args...)
		if sock := rundir.Socket(dir); r.code != 1 || !strings.Contains(r.stderr, "no socket at "+sock) {
			t.Errorf("%q: got %d %q, want 1 and no agent at %s", args, r.code, r.stderr, sock)
		}
	}
	if r := runCLI(t, "", "--config", filepath.Join(dir, "c.toml"), "version"); r.code != 0 || r.stdout != "tokentray test\n" {
		t.Errorf("--config c.toml version: got %d %q", r.code, r.stdout)
	}
}
