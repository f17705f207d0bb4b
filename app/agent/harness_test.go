package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/cli"
	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// profileAgent runs an agent whose config holds one profile, and the
// command line against it, the way a person would use both.
type profileAgent struct {
	t       *testing.T
	profile string
	dir     string
	cfgPath string
	rundir  string
	store   store.Store
	logs    *testprovider.SyncBuffer
	browser auth.Browser // nil: the system's
	a       *agent.Agent
	cl      *apiclient.Client
}

// newProfileAgent writes a config with one profile named prefix-<random>
// whose other keys are body (TOML), and starts an agent on it.
func newProfileAgent(t *testing.T, prefix, body string) *profileAgent {
	t.Helper()
	return newProfileAgentWith(t, prefix, body, nil)
}

// newProfileAgentWith is newProfileAgent with a browser for logins.
func newProfileAgentWith(t *testing.T, prefix, body string, browser auth.Browser) *profileAgent {
	t.Helper()
	dir := t.TempDir()
	pa := &profileAgent{t: t, profile: uniqueName(prefix), dir: dir, cfgPath: filepath.Join(dir, "config.toml"),
		rundir: filepath.Join(dir, "run"), store: testStore(t), logs: &testprovider.SyncBuffer{}, browser: browser}
	cfg := fmt.Sprintf("listen = \"off\"\n\n[[profile]]\nname = %q\n%s", pa.profile, body)
	if err := os.WriteFile(pa.cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if pa.a != nil {
			pa.a.Close()
		}
		ctx := context.Background()
		for _, acct := range []string{pa.profile, agent.SecretAccount(pa.profile), agent.KeyAccount(pa.profile)} {
			pa.store.Delete(ctx, acct)
		}
		if t.Failed() {
			t.Logf("config:\n%s\nagent log:\n%s", cfg, pa.logs)
		}
	})
	pa.start()
	return pa
}

func (pa *profileAgent) start() {
	pa.t.Helper()
	a, err := agent.Start(context.Background(), agent.Options{
		ConfigPath: pa.cfgPath, RuntimeDir: pa.rundir, Store: pa.store, Browser: pa.browser,
		Log: slog.New(slog.NewTextHandler(pa.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		pa.t.Fatalf("agent.Start: %v", err)
	}
	pa.a, pa.cl = a, apiclient.NewClient(a.Socket())
}

// restart stops the agent and starts a new one on the same config and
// store: everything it knows then comes from the keyring.
func (pa *profileAgent) restart() {
	pa.t.Helper()
	if err := pa.a.Close(); err != nil {
		pa.t.Fatalf("Close: %v", err)
	}
	pa.a = nil
	pa.start()
}

// run runs `tokentray args…` with stdin and returns what it printed and
// its exit status. --config and --runtime-dir go after the command words.
func (pa *profileAgent) run(stdin string, args ...string) (stdout, stderr string, code int) {
	n := 1
	if args[0] == "secret" {
		n = min(2, len(args))
	}
	argv := append(append(append([]string{}, args[:n]...), "--config", pa.cfgPath, "--runtime-dir", pa.rundir), args[n:]...)
	var out, errOut bytes.Buffer
	code = cli.Main(argv, cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(string) string { return "" }, Version: "test"})
	return out.String(), errOut.String(), code
}

// mustRun is run that fails the test on a non-zero exit.
func (pa *profileAgent) mustRun(stdin string, args ...string) string {
	pa.t.Helper()
	out, errOut, code := pa.run(stdin, args...)
	if code != 0 {
		pa.t.Fatalf("tokentray %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func (pa *profileAgent) status() apiclient.Status {
	pa.t.Helper()
	return status(pa.t, pa.cl, pa.profile)
}

// statusJSON is the profile's entry in `tokentray status --json`.
func (pa *profileAgent) statusJSON() map[string]any {
	pa.t.Helper()
	out := pa.mustRun("", "status", "--json")
	var st struct {
		Profiles []map[string]any `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		pa.t.Fatalf("status --json: %v\n%s", err, out)
	}
	for _, p := range st.Profiles {
		if p["profile"] == pa.profile {
			return p
		}
	}
	pa.t.Fatalf("status --json has no %s:\n%s", pa.profile, out)
	return nil
}

// refresh refreshes n times through the API; each must succeed.
func (pa *profileAgent) refresh(n int) {
	pa.t.Helper()
	for i := range n {
		if _, err := pa.cl.Refresh(context.Background(), pa.profile); err != nil {
			pa.t.Fatalf("refresh %d: %v", i+1, err)
		}
	}
}

// token reads the access token through the API.
func (pa *profileAgent) token() string {
	pa.t.Helper()
	tok, err := pa.cl.Token(context.Background(), pa.profile, 0)
	if err != nil {
		pa.t.Fatalf("token: %v", err)
	}
	return tok.AccessToken
}

// apiError returns err as an *apiclient.Error, failing the test if it is not one.
func apiError(t *testing.T, err error) *apiclient.Error {
	t.Helper()
	var ae *apiclient.Error
	if !errors.As(err, &ae) {
		t.Fatalf("got %v (%T), want an error answer of the agent", err, err)
	}
	return ae
}

// waitFor polls cond until it holds; the deadline is only there so that a
// broken agent fails the test instead of hanging it.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// noSecrets fails the test if any secret (at least 4 bytes) appears in text.
func noSecrets(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if len(s) >= 4 && strings.Contains(text, s) {
			t.Errorf("%s contains a secret (%d bytes, starting %q)", where, len(s), s[:4])
		}
	}
}

// keyringDump is every tokentray item the Secret Service holds, secrets
// included, as secret-tool prints them; "" with go-keyring's mock.
func keyringDump(t *testing.T) string {
	t.Helper()
	if !realSecretService() {
		return ""
	}
	// Tests of other packages share the keyring and delete their items as
	// they end; an item deleted between secret-tool's listing and its read
	// fails the search ("No such secret item"), so try again.
	var out []byte
	var err error
	for range 5 {
		out, err = exec.Command("secret-tool", "search", "--all", "--unlock", "service", store.Service).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "No such secret item") {
			break
		}
	}
	if err != nil {
		t.Fatalf("secret-tool search: %v\n%s", err, out)
	}
	return string(out)
}
