package cli_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/cli"
	"github.com/tokentray/tokentray/app/rundir"
	"github.com/tokentray/tokentray/internal/testing/testbuild"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// TestMain lets the test binary stand in for the tokentray binary: run with
// TOKENTRAY_TEST_MAIN=1 it is the command line, so the tests below drive
// real processes with real exit codes, signals and environments.
func TestMain(m *testing.M) {
	if os.Getenv("TOKENTRAY_TEST_MAIN") == "1" {
		os.Exit(cli.Main(os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Version: "test"}))
	}
	code := m.Run()
	testbuild.RemoveAll() // doctor's tests build the front
	os.Exit(code)
}

type world struct {
	t      *testing.T
	dir    string
	config string
	env    []string
}

func newWorld(t *testing.T, issuer string) *world {
	dir := t.TempDir()
	w := &world{t: t, dir: dir, config: filepath.Join(dir, "config.toml")}
	cfg := fmt.Sprintf("listen = \"127.0.0.1:0\"\n\n[[profile]]\nname = \"work\"\nissuer = %q\nclient_id = %q\nscopes = [\"openid\"]\n", issuer, testprovider.DefaultClientID)
	if err := os.WriteFile(w.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	// XDG_RUNTIME_DIR: a user session of its own, since the keyring's
	// one-agent lock is per user and other tests start agents meanwhile.
	w.env = append(os.Environ(), "TOKENTRAY_TEST_MAIN=1", "TOKENTRAY_CONFIG="+w.config, "TOKENTRAY_RUNTIME_DIR="+filepath.Join(dir, "run"), "XDG_RUNTIME_DIR="+filepath.Join(dir, "session"))
	if err := os.Mkdir(filepath.Join(dir, "session"), 0o700); err != nil {
		t.Fatal(err)
	}
	return w
}

// prependConfig puts top-level settings before the config's tables.
func (w *world) prependConfig(settings string) {
	w.t.Helper()
	b, err := os.ReadFile(w.config)
	if err == nil {
		err = os.WriteFile(w.config, append([]byte(settings), b...), 0o600)
	}
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) cmd(env []string, args ...string) *exec.Cmd {
	c := exec.Command(os.Args[0], args...)
	c.Env = append(append([]string{}, w.env...), env...)
	return c
}

// run runs a command to its end and returns its output and exit code.
func (w *world) run(env []string, args ...string) (stdout, stderr string, code int) {
	w.t.Helper()
	c := w.cmd(env, args...)
	var o, e bytes.Buffer
	c.Stdout, c.Stderr = &o, &e
	err := c.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	} else if err != nil {
		w.t.Fatalf("running %v: %v", args, err)
	}
	return o.String(), e.String(), 0
}

// startAgent starts `tokentray agent` and waits for its socket.
func (w *world) startAgent(env ...string) *exec.Cmd {
	w.t.Helper()
	c := w.cmd(env, "agent")
	var logs bytes.Buffer
	c.Stderr = &logs
	if err := c.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() {
		c.Process.Signal(syscall.SIGTERM)
		c.Wait()
		if w.t.Failed() {
			w.t.Logf("agent log:\n%s", logs.String())
		}
	})
	sock := rundir.Socket(filepath.Join(w.dir, "run"))
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(sock); err == nil {
			return c
		}
		time.Sleep(25 * time.Millisecond)
	}
	w.t.Fatalf("the agent did not start:\n%s", logs.String())
	return nil
}

func TestCommandsWithoutAgentSaySo(t *testing.T) {
	w := newWorld(t, "https://idp.example.com")
	for _, args := range [][]string{{"status"}, {"token", "work"}, {"login", "work"}, {"logout", "work"}} {
		_, stderr, code := w.run(nil, args...)
		if code != 1 || !strings.Contains(stderr, "no tokentray agent is running") || !strings.Contains(stderr, "tokentray agent") {
			t.Errorf("%v: got exit %d, %q; want 1 and how to start the agent", args, code, stderr)
		}
	}
}

func TestBadConfigStopsTheAgent(t *testing.T) {
	w := newWorld(t, "https://idp.example.com")
	os.WriteFile(w.config, []byte("[[profile]]\nname = \"work\"\nclient_id = \"x\"\nissuer = \"ftp://nope\"\n"), 0o600)
	_, stderr, code := w.run(nil, "agent")
	if code != 1 || !strings.Contains(stderr, "config.toml:4: profile[0].issuer:") {
		t.Errorf("got exit %d, %q; want 1 naming file, line and key", code, stderr)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	w := newWorld(t, "https://idp.example.com")
	if _, stderr, code := w.run(nil, "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Errorf("unknown command: got exit %d, %q", code, stderr)
	}
	if _, stderr, code := w.run(nil, "token", "--format", "yaml", "work"); code != 2 || !strings.Contains(stderr, "--format") {
		t.Errorf("bad flag value: got exit %d, %q", code, stderr)
	}
}

func TestAgentLoginTokenLogout(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{})
	w := newWorld(t, p.Issuer)
	if os.Getenv("TOKENTRAY_TEST_SECRET_SERVICE") != "1" {
		// The agent is a child process, out of reach of go-keyring's
		// in-memory mock: outside scripts/with-desktop.sh (make test) it
		// keeps the refresh token in a file, so plain `go test` passes.
		w.prependConfig("store = \"file\"\n")
	}
	w.startAgent()

	// A second agent names the first and fails.
	_, stderr, code := w.run(nil, "agent")
	if code == 0 || !strings.Contains(stderr, "already running (pid ") || !strings.Contains(stderr, rundir.SocketName) {
		t.Fatalf("second agent: got exit %d, %q", code, stderr)
	}

	// --no-browser prints the URL; Ctrl-C cancels the pending login.
	c := w.cmd(nil, "login", "--no-browser", "work")
	stderrPipe, _ := c.StderrPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderrPipe)
	var authURL string
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, p.Issuer+"/auth?") {
			authURL = line
			break
		}
	}
	if authURL == "" {
		t.Fatal("login --no-browser printed no URL")
	}
	if out, _, _ := w.run(nil, "status"); !strings.Contains(out, "(login in progress)") {
		t.Errorf("status during login: got %q", out)
	}
	c.Process.Signal(syscall.SIGINT)
	io.Copy(io.Discard, stderrPipe)
	if err := c.Wait(); err == nil {
		t.Error("login after Ctrl-C: got exit 0, want failure")
	}
	waitFor(t, func() bool { out, _, _ := w.run(nil, "status"); return !strings.Contains(out, "login in progress") }, "the login to be cancelled")

	// The printed URL works in a browser elsewhere while the CLI waits.
	w.loginWith(p.Browser("alice"))

	tok, _, code := w.run(nil, "token", "work")
	if code != 0 || len(strings.TrimSpace(tok)) < 20 {
		t.Fatalf("token: exit %d, %q", code, tok)
	}
	if hdr, _, _ := w.run(nil, "token", "--format", "header"); hdr != "Authorization: Bearer "+tok {
		t.Errorf("token --format header (the only profile): got %q", hdr)
	}
	out, _, _ := w.run(nil, "status")
	if !strings.Contains(out, "work") || !strings.Contains(out, "valid for") {
		t.Errorf("status: got %q", out)
	}
	out, _, code = w.run(nil, "logout", "work")
	if code != 0 || !strings.Contains(out, "the provider revoked the refresh token") {
		t.Errorf("logout: exit %d, %q", code, out)
	}
	if out, _, _ := w.run(nil, "status"); !strings.Contains(out, "logged out") {
		t.Errorf("status after logout: got %q", out)
	}
	if _, stderr, code := w.run(nil, "token", "work"); code != 1 || !strings.Contains(stderr, "tokentray login work") {
		t.Errorf("token after logout: exit %d, %q", code, stderr)
	}
}

// TestNoSecretServiceIsAClearErrorFast runs the agent with a session bus
// that does not exist: every keyring call fails at once, and the agent
// says so instead of hanging or writing a file.
func TestNoSecretServiceIsAClearErrorFast(t *testing.T) {
	w := newWorld(t, "https://idp.example.com")
	w.startAgent("DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(w.dir, "no-bus"))
	start := time.Now()
	out, _, _ := w.run(nil, "status")
	if !strings.Contains(out, "unavailable: keyring:") {
		t.Errorf("status: got %q, want the keyring failure", out)
	}
	_, stderr, code := w.run(nil, "token", "work")
	if code != 1 || !strings.Contains(stderr, "keyring") {
		t.Errorf("token: exit %d, %q, want a keyring error", code, stderr)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("the keyring failure took %v to surface", d)
	}
	if matches, _ := filepath.Glob(filepath.Join(w.dir, "*.json")); len(matches) > 0 {
		t.Errorf("a plaintext fallback appeared: %v", matches)
	}
}

// TestLockedKeyring runs the agent on a private D-Bus session with its own
// gnome-keyring (so the lock touches no other test), logs in, then locks
// the collection: the agent must answer within its deadline rather than
// wait on an unlock prompt, and say what is wrong.
func TestLockedKeyring(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{})
	w := newWorld(t, p.Issuer)
	home := filepath.Join(w.dir, "home")
	lockNow, locked := filepath.Join(w.dir, "lock-now"), filepath.Join(w.dir, "locked")
	// Without XDG_RUNTIME_DIR (a plain `go test`), gnome-keyring puts its
	// control socket under ~/.cache, which must exist.
	if err := os.MkdirAll(filepath.Join(home, ".cache"), 0o700); err != nil {
		t.Fatal(err)
	}
	script := `printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
"$0" agent &
while [ ! -e "$LOCK_NOW" ]; do sleep 0.05; done
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null && touch "$LOCKED"
wait`
	c := exec.Command("dbus-run-session", "--", "sh", "-c", script, os.Args[0])
	c.Env = append(append([]string{}, w.env...), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"LOCK_NOW="+lockNow, "LOCKED="+locked, "BROWSER=")
	var logs bytes.Buffer
	c.Stdout, c.Stderr = &logs, &logs
	ownGroup(c)
	if err := c.Start(); err != nil {
		t.Fatalf("dbus-run-session: %v (make deps installs dbus and gnome-keyring)", err)
	}
	t.Cleanup(func() {
		killGroup(c)
		c.Wait()
		if t.Failed() {
			t.Logf("session log:\n%s", logs.String())
		}
	})
	waitFor(t, func() bool { _, err := os.Stat(rundir.Socket(filepath.Join(w.dir, "run"))); return err == nil }, "the agent in the private session")
	w.loginWith(p.Browser("alice"))

	os.WriteFile(lockNow, nil, 0o600)
	waitFor(t, func() bool { _, err := os.Stat(locked); return err == nil }, "the collection to be locked")
	start := time.Now()
	w.run(nil, "refresh", "work")
	out, _, _ := w.run(nil, "status")
	t.Logf("status with a locked keyring:\n%s", out)
	if !strings.Contains(out, "keyring") {
		t.Errorf("status with a locked keyring: got %q, want the keyring named", out)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("took %v, want the keyring deadline to cut it short", d)
	}
}

// loginWith logs in to "work" with --no-browser and b as the browser on
// "another machine".
func (w *world) loginWith(b *testprovider.Browser) {
	w.t.Helper()
	c := w.cmd(nil, "login", "--no-browser", "work")
	stderrPipe, _ := c.StderrPipe()
	var stdout bytes.Buffer
	c.Stdout = &stdout
	if err := c.Start(); err != nil {
		w.t.Fatal(err)
	}
	sc := bufio.NewScanner(stderrPipe)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "http") && strings.Contains(line, "/auth?") {
			if err := b.Browse(line); err != nil {
				w.t.Fatalf("browser: %v", err)
			}
			break
		}
	}
	io.Copy(io.Discard, stderrPipe)
	if err := c.Wait(); err != nil || !strings.Contains(stdout.String(), "Logged in to work: valid for") {
		w.t.Fatalf("login: %v, %q", err, stdout.String())
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
