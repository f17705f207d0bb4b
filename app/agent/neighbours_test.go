package agent_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/app/agent"
)

// TestOneAgentPerKeyring: the keyring is the user's, so a second agent
// with another runtime directory must refuse to start, naming the first
// one's pid and socket; agents on two different token files may both run.
func TestOneAgentPerKeyring(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // this user's session
	dir := t.TempDir()
	write := func(name, settings string) string {
		path := filepath.Join(dir, name)
		cfg := settings + "listen = \"off\"\n\n[[profile]]\nname = \"" + uniqueName("lock") + "\"\nissuer = \"https://idp.example.invalid\"\nclient_id = \"c\"\n"
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	start := func(cfg, run string) (*agent.Agent, error) {
		a, err := agent.Start(context.Background(), agent.Options{ConfigPath: cfg, RuntimeDir: filepath.Join(dir, run)})
		if err == nil {
			t.Cleanup(func() { a.Close() })
		}
		return a, err
	}

	t.Run("keyring", func(t *testing.T) {
		cfg := write("keyring.toml", "")
		first, err := start(cfg, "run-a")
		if err != nil {
			t.Fatalf("first agent: %v", err)
		}
		_, err = start(cfg, "run-b")
		want := "(pid " + strconv.Itoa(os.Getpid()) + ", socket " + first.Socket() + ")"
		if !errors.Is(err, agent.ErrAlreadyRunning) || !strings.Contains(err.Error(), want) {
			t.Fatalf("second agent with another runtime dir: got %v, want ErrAlreadyRunning naming %s", err, want)
		}
	})
	t.Run("two token files", func(t *testing.T) {
		cfg := write("file.toml", "store = \"file\"\n")
		t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "home-c"))
		if _, err := start(cfg, "run-c"); err != nil {
			t.Fatalf("agent on one file: %v", err)
		}
		t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "home-d"))
		if _, err := start(cfg, "run-d"); err != nil {
			t.Fatalf("agent on another file: got %v, want it to run", err)
		}
		// And the same file again is refused.
		if _, err := start(cfg, "run-e"); !errors.Is(err, agent.ErrAlreadyRunning) {
			t.Fatalf("a second agent on the same file: got %v, want ErrAlreadyRunning", err)
		}
	})
}

// squatEnv, when set to an address, makes the test binary listen there
// (run as the user nobody, it takes the agent's port first).
const squatEnv = "TOKENTRAY_AGENT_SQUAT"

func squat(addr string) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "squat:", err)
		return 2
	}
	defer ln.Close()
	fmt.Println("listening")
	io.Copy(io.Discard, os.Stdin) // until the test closes our stdin
	return 0
}

// TestKeyringLockWithoutRuntimeDir: without XDG_RUNTIME_DIR the lock is
// in the user's cache directory, not in the shared temp directory another
// user could have made first; still one agent per keyring.
func TestKeyringLockWithoutRuntimeDir(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "")
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	t.Setenv("HOME", home)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte("listen = \"off\"\n\n[[profile]]\nname = \""+uniqueName("lock")+"\"\nissuer = \"https://idp.example.invalid\"\nclient_id = \"c\"\n"), 0o600)
	a, err := agent.Start(context.Background(), agent.Options{ConfigPath: cfg, RuntimeDir: filepath.Join(dir, "run-a")})
	if err != nil {
		t.Fatalf("first agent: %v", err)
	}
	defer a.Close()
	if _, err := os.Stat(filepath.Join(home, "cache", "tokentray", "agent.lock")); err != nil {
		t.Errorf("the lock in the cache directory: %v", err)
	}
	if _, err := agent.Start(context.Background(), agent.Options{ConfigPath: cfg, RuntimeDir: filepath.Join(dir, "run-b")}); !errors.Is(err, agent.ErrAlreadyRunning) {
		t.Errorf("second agent: got %v, want ErrAlreadyRunning", err)
	}
}
