package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

func TestExecPutsTheTokenInTheEnvironment(t *testing.T) {
	e, _, profile := loggedInEnv(t, testprovider.Options{}, `token_env = "PROFILE_TOKEN"`)
	tok := strings.TrimSpace(e.run("", "token", profile).stdout)
	show := []string{"sh", "-c", `printf '%s|%s|%s' "$TOKEN" "$PROFILE_TOKEN" "$TOKENTRAY_API"`}

	// The profile's token_env; the API address serves the same token.
	r := e.run("", append([]string{"exec", profile, "--"}, show...)...)
	parts := strings.Split(r.stdout, "|")
	if r.code != 0 || len(parts) != 3 {
		t.Fatalf("exec: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if parts[0] != "" || parts[1] != tok {
		t.Errorf("environment: got TOKEN=%t PROFILE_TOKEN=%t, want only PROFILE_TOKEN set to the token", parts[0] != "", parts[1] == tok)
	}
	resp, err := http.Get(parts[2])
	if err != nil {
		t.Fatalf("GET $TOKENTRAY_API: %v", err)
	}
	var tr apiclient.TokenResponse
	json.NewDecoder(resp.Body).Decode(&tr)
	resp.Body.Close()
	if tr.AccessToken != tok || !strings.HasSuffix(parts[2], "/v1/token/"+profile) {
		t.Errorf("TOKENTRAY_API %q served another token", parts[2])
	}

	// --env, flags after the profile, no "--".
	r = e.run("", append([]string{"exec", profile, "--env", "TOKEN"}, show...)...)
	if parts := strings.Split(r.stdout, "|"); r.code != 0 || parts[0] != tok || parts[1] != "" {
		t.Errorf("--env TOKEN: got %d %q", r.code, r.stderr)
	}
	// The child's arguments are its own, flags included.
	r = e.run("", "exec", profile, "--", "sh", "-c", `echo "$1"`, "sh", "--env")
	if r.stdout != "--env\n" {
		t.Errorf("child flags: got %q, want --env", r.stdout)
	}
}

func TestExecPassesOnTheExitStatus(t *testing.T) {
	e, _, profile := loggedInEnv(t, testprovider.Options{})
	tests := []struct {
		name string
		argv []string
		want int
	}{
		{"success", []string{"true"}, 0},
		{"failure", []string{"sh", "-c", "exit 7"}, 7},
		{"killed by a signal", []string{"sh", "-c", "kill -KILL $$"}, 128 + 9},
		{"no such command", []string{"tokentray-no-such-command"}, 127},
		{"not executable", []string{"/etc/hostname"}, 126},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run("", append([]string{"exec", profile, "--"}, tt.argv...)...)
			if r.code != tt.want {
				t.Errorf("got %d, want %d (stderr %q)", r.code, tt.want, r.stderr)
			}
		})
	}
	if r := e.run("", "exec", profile); r.code != 2 {
		t.Errorf("no command: got %d, want 2", r.code)
	}
	// Not logged in: nothing is run.
	e.run("", "logout", profile)
	if r := e.run("", "exec", profile, "--", "sh", "-c", "echo ran"); r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "logged out") {
		t.Errorf("logged out: got %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// TestExecForwardsSignals sends SIGINT, SIGTERM and SIGHUP to a tokentray
// process running `exec`: the child receives each, and tokentray ends with
// the child's status.
func TestExecForwardsSignals(t *testing.T) {
	e, _, profile := loggedInEnv(t, testprovider.Options{})
	for _, tt := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{{syscall.SIGINT, "INT", 41}, {syscall.SIGTERM, "TERM", 42}, {syscall.SIGHUP, "HUP", 43}} {
		t.Run(tt.name, func(t *testing.T) {
			script := "trap 'echo got " + tt.name + "; exit " + strconv.Itoa(tt.code) + "' " + tt.name + "; echo ready; while :; do sleep 0.05; done"
			cmd := tokentrayCommand(t, append(append([]string{"exec"}, e.flags()...), profile, "--", "sh", "-c", script)...)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr testprovider.SyncBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			rd := bufio.NewReader(stdout)
			if line, err := rd.ReadString('\n'); line != "ready\n" {
				t.Fatalf("child: got %q, %v; stderr %s", line, err, stderr.String())
			}
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(rd)
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tt.code {
				t.Errorf("tokentray: got %v, want exit status %d (stderr %s)", err, tt.code, stderr.String())
			}
			if string(rest) != "got "+tt.name+"\n" {
				t.Errorf("child: got %q, want it to have caught %s", rest, tt.name)
			}
		})
	}

	// A child that does not catch the signal dies of it: 128 + signal.
	cmd := tokentrayCommand(t, append(append([]string{"exec"}, e.flags()...), profile, "--", "sh", "-c", "echo ready; while :; do sleep 0.05; done")...)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("child: got %q", line)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 128+int(syscall.SIGTERM) {
			t.Errorf("got %v, want exit status %d", err, 128+int(syscall.SIGTERM))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("tokentray did not end after SIGTERM")
	}
}
