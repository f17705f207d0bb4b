package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// cliMainEnv makes the test binary run as tokentray (TestMain in
// cli_e2e_test.go): tests that need a process of their own (git and
// kubectl call tokentray, exec forwards signals to it, doctor must see
// another environment) run themselves.
const cliMainEnv = "TOKENTRAY_TEST_MAIN"

// noRaceExitSleep keeps a test binary built with -race from sleeping a
// second before it exits (the race detector's atexit_sleep_ms).
const noRaceExitSleep = "GORACE=atexit_sleep_ms=0"

// tokentrayCommand returns a command that runs the test binary as
// `tokentray args…`.
func tokentrayCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), cliMainEnv+"=1", noRaceExitSleep)
	return cmd
}

// tokentrayShim writes an executable named tokentray that runs the test
// binary as tokentray, in a new directory, and returns its path. Shells,
// git and kubectl call it by name or path.
func tokentrayShim(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "tokentray")
	script := fmt.Sprintf("#!/bin/sh\n%s=1 %s exec %q \"$@\"\n", cliMainEnv, noRaceExitSleep, os.Args[0])
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// result is what one in-process run of the command line did.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line in this process.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Version: "test",
		Getenv: func(string) string { return "" }})
	return result{code, out.String(), errOut.String()}
}

// realSecretService says whether tests use the desktop's Secret Service
// (make test runs them under scripts/with-desktop.sh) or go-keyring's mock.
func realSecretService() bool { return os.Getenv("TOKENTRAY_TEST_SECRET_SERVICE") == "1" }

func testStore(t *testing.T) store.Store {
	t.Helper()
	if !realSecretService() {
		keyring.MockInit()
	}
	return store.Keyring{Timeout: 10 * time.Second}
}

// env is a config file and a runtime directory for one test's agent.
type env struct {
	t       *testing.T
	cfgPath string
	rundir  string
	logs    *testprovider.SyncBuffer
}

func newEnv(t *testing.T, config string) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, cfgPath: filepath.Join(dir, "config.toml"), rundir: filepath.Join(dir, "run"), logs: &testprovider.SyncBuffer{}}
	if err := os.WriteFile(e.cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent log:\n%s", e.logs)
		}
	})
	return e
}

// start starts an agent in this process for the env's config.
func (e *env) start(o agent.Options) *agent.Agent {
	e.t.Helper()
	o.ConfigPath, o.RuntimeDir = e.cfgPath, e.rundir
	if o.Store == nil {
		o.Store = testStore(e.t)
	}
	o.Log = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := agent.Start(context.Background(), o)
	if err != nil {
		e.t.Fatalf("agent.Start: %v", err)
	}
	e.t.Cleanup(func() { a.Close() })
	return a
}

// run runs the command line in this process against the env's agent.
func (e *env) run(stdin string, args ...string) result {
	e.t.Helper()
	return runCLI(e.t, stdin, append([]string{args[0], "--config", e.cfgPath, "--runtime-dir", e.rundir}, args[1:]...)...)
}

// flags are the global flags that point a tokentray process at the env.
func (e *env) flags() []string { return []string{"--config", e.cfgPath, "--runtime-dir", e.rundir} }

var _ io.Writer = (*testprovider.SyncBuffer)(nil)
