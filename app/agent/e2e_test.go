package agent_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// realSecretService says whether tests use the desktop's Secret Service
// (make test runs them under dbus-run-session with gnome-keyring) or
// go-keyring's in-memory mock.
func realSecretService() bool { return os.Getenv("TOKENTRAY_TEST_SECRET_SERVICE") == "1" }

func testStore(t *testing.T) store.Store {
	t.Helper()
	if !realSecretService() {
		mockOnce.Do(keyring.MockInit)
		return mockKeyring{store.Keyring{Timeout: 10 * time.Second}}
	}
	return store.Keyring{Timeout: 10 * time.Second}
}

// go-keyring's mock is a plain map behind a package variable: MockInit
// once, and one call at a time, so that parallel tests and concurrent
// sessions do not race on it. The Secret Service needs neither.
var (
	mockOnce sync.Once
	mockMu   sync.Mutex // guards go-keyring's mock provider
)

type mockKeyring struct{ k store.Keyring }

func (m mockKeyring) Get(ctx context.Context, account string) (string, error) {
	mockMu.Lock()
	defer mockMu.Unlock()
	return m.k.Get(ctx, account)
}

func (m mockKeyring) Set(ctx context.Context, account, secret string) error {
	mockMu.Lock()
	defer mockMu.Unlock()
	return m.k.Set(ctx, account, secret)
}

func (m mockKeyring) Delete(ctx context.Context, account string) error {
	mockMu.Lock()
	defer mockMu.Unlock()
	return m.k.Delete(ctx, account)
}

// uniqueName keeps profiles of tests running at once apart in a shared keyring.
func uniqueName(prefix string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

type fixture struct {
	t       *testing.T
	cfgPath string
	rundir  string
	store   store.Store
	browser *testprovider.Browser
	logs    *testprovider.SyncBuffer
}

func newFixture(t *testing.T, p *testprovider.Provider, profile string) *fixture {
	dir := t.TempDir()
	cfg := fmt.Sprintf(`listen = "127.0.0.1:0"

[[profile]]
name = %q
issuer = %q
client_id = %q
scopes = ["openid", "offline_access"]
`, profile, p.Issuer, testprovider.DefaultClientID)
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	st := testStore(t)
	f := &fixture{t: t, cfgPath: path, rundir: filepath.Join(dir, "run"), store: st, browser: p.Browser("alice"), logs: &testprovider.SyncBuffer{}}
	t.Cleanup(func() {
		st.Delete(context.Background(), profile)
		if t.Failed() {
			t.Logf("agent log:\n%s", f.logs)
		}
	})
	return f
}

func (f *fixture) start() *agent.Agent {
	f.t.Helper()
	a, err := agent.Start(context.Background(), agent.Options{
		ConfigPath: f.cfgPath, RuntimeDir: f.rundir, Store: f.store, Browser: f.browser,
		Log: slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		f.t.Fatalf("agent.Start: %v", err)
	}
	return a
}

func storedRefreshToken(t *testing.T, st store.Store, profile string) string {
	t.Helper()
	v, err := st.Get(context.Background(), profile)
	if err != nil {
		t.Fatalf("reading the store: %v", err)
	}
	var rec struct {
		RefreshToken string `json:"refresh_token"`
	}
	json.Unmarshal([]byte(v), &rec)
	return rec.RefreshToken
}

// TestEndToEnd logs in against node-oidc-provider through the browser,
// reads tokens over both transports while access tokens of 4 s rotate with
// 20 readers, restarts the agent, and logs out.
func TestEndToEnd(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: 4 * time.Second})
	profile := uniqueName("work")
	f := newFixture(t, p, profile)
	a := f.start()
	cl := apiclient.NewClient(a.Socket())
	ctx := context.Background()

	// Before login: a JSON error, never a token.
	_, err := cl.Token(ctx, profile, 0)
	if ae, ok := err.(*apiclient.Error); !ok || ae.Status != 401 || ae.Code != "logged_out" {
		t.Fatalf("token before login: got %v, want 401 logged_out", err)
	}
	if _, err := cl.Token(ctx, "nope", 0); err == nil || err.(*apiclient.Error).Status != 404 {
		t.Fatalf("unknown profile: got %v, want 404", err)
	}

	var loginURL string
	if err := cl.Login(ctx, profile, false, func(u string) { loginURL = u }); err != nil {
		t.Fatalf("login: %v\nagent log:\n%s", err, f.logs)
	}
	for _, want := range []string{"code_challenge_method=S256", "code_challenge=", "state=", "nonce=", "redirect_uri=http%3A%2F%2F127.0.0.1%3A"} {
		if !strings.Contains(loginURL, want) {
			t.Errorf("authorization URL lacks %q: %s", want, loginURL)
		}
	}
	if got := len(f.browser.URLs()); got != 1 {
		t.Errorf("browser opened %d times, want 1", got)
	}
	if realSecretService() {
		out, err := exec.Command("secret-tool", "lookup", "service", store.Service, "username", profile).Output()
		if err != nil || !strings.Contains(string(out), `"refresh_token"`) {
			t.Errorf("secret-tool lookup: got %q, %v, want the profile's record", out, err)
		}
	}

	// Reads over the socket and over TCP, JSON and text.
	tcpURL := "http://" + a.TCPAddr() + "/v1/token/" + profile
	first := readTCP(t, tcpURL, "application/json")
	var tr apiclient.TokenResponse
	if err := json.Unmarshal([]byte(first), &tr); err != nil || tr.AccessToken == "" || tr.ExpiresIn <= 0 || tr.ExpiresAt.IsZero() || tr.TokenType == "" {
		t.Fatalf("TCP JSON: got %s, %v", first, err)
	}
	if plain := readTCP(t, tcpURL, "text/plain"); plain == "" || strings.ContainsAny(plain, "{\n \"") {
		t.Errorf("TCP text: got %q, want the bare token", plain)
	}

	// 20 readers for three rotations and more.
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(11 * time.Second)
	errs := make(chan error, 100)
	for i := range 20 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				var tok apiclient.TokenResponse
				var err error
				if i%2 == 0 {
					tok, err = cl.Token(ctx, profile, 0)
				} else {
					err = json.Unmarshal([]byte(readTCP(t, tcpURL, "")), &tok)
				}
				now := time.Now()
				if err != nil {
					errs <- fmt.Errorf("reader %d: %v", i, err)
					return
				}
				if !tok.ExpiresAt.After(now) {
					errs <- fmt.Errorf("reader %d: served a token that expired at %v (now %v)", i, tok.ExpiresAt, now)
					return
				}
				mu.Lock()
				isNew := !seen[tok.AccessToken]
				seen[tok.AccessToken] = true
				mu.Unlock()
				if isNew {
					// The provider itself confirms the token is alive when served.
					if active, err := p.Introspect(testprovider.DefaultClientID, "", tok.AccessToken); err != nil || !active {
						errs <- fmt.Errorf("reader %d: introspection of a served token: active=%v err=%v", i, active, err)
						return
					}
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) < 4 {
		t.Errorf("saw %d distinct access tokens in 11 s of 4 s tokens, want at least 4 (three rotations)", len(seen))
	}
	st := status(t, cl, profile)
	// The scheduler may be refreshing right now: that is no failure.
	if st.LastError != "" || st.Failures != 0 || (st.State != apiclient.Valid && st.State != apiclient.Refreshing) {
		t.Errorf("status after rotations: got %+v, want valid with no failure", st)
	}
	if strings.Contains(f.logs.String(), "invalid_grant") {
		t.Errorf("the agent saw invalid_grant:\n%s", f.logs)
	}

	// A restart serves again from the store, with no new login.
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	a = f.start()
	defer a.Close()
	cl = apiclient.NewClient(a.Socket())
	if _, err := cl.Token(ctx, profile, 0); err != nil {
		t.Fatalf("token after restart: %v", err)
	}
	if _, err := cl.Token(ctx, profile, 10*time.Second); err == nil {
		t.Errorf("min_valid longer than the token lifetime: got a token, want an error")
	}
	if got := len(f.browser.URLs()); got != 1 {
		t.Errorf("browser opened %d times after the restart, want still 1", got)
	}

	// Logout revokes: the provider then refuses the refresh token.
	rt := storedRefreshToken(t, f.store, profile)
	res, err := cl.Logout(ctx, profile)
	if err != nil || !res.Revoked {
		t.Fatalf("logout: got %+v, %v, want revoked", res, err)
	}
	if code, body, err := p.RefreshDirect(testprovider.DefaultClientID, rt); err != nil || code != 400 || body["error"] != "invalid_grant" {
		t.Errorf("refresh with the revoked token: got %d %v %v, want 400 invalid_grant", code, body, err)
	}
	if _, err := f.store.Get(ctx, profile); err != store.ErrNotFound {
		t.Errorf("store after logout: got %v, want ErrNotFound", err)
	}
	if _, err := cl.Token(ctx, profile, 0); err == nil {
		t.Error("token after logout: got one, want an error")
	}

	// No token ever reached the log.
	logs := f.logs.String()
	for tok := range seen {
		if strings.Contains(logs, tok) {
			t.Fatalf("an access token appears in the agent's log")
		}
	}
	if strings.Contains(logs, rt) {
		t.Fatalf("a refresh token appears in the agent's log")
	}
}

func readTCP(t *testing.T, u, accept string) string {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", u, err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: HTTP %d %s", u, resp.StatusCode, b)
	}
	return string(b)
}

func status(t *testing.T, cl *apiclient.Client, profile string) apiclient.Status {
	t.Helper()
	st, err := cl.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Profiles {
		if s.Profile == profile {
			return s
		}
	}
	t.Fatalf("no status for %s", profile)
	return apiclient.Status{}
}

func TestSecondAgentRefusesToStart(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{})
	f := newFixture(t, p, uniqueName("work"))
	a := f.start()
	defer a.Close()
	_, err := agent.Start(context.Background(), agent.Options{ConfigPath: f.cfgPath, RuntimeDir: f.rundir, Store: f.store})
	if err == nil || !strings.Contains(err.Error(), "already running") || !strings.Contains(err.Error(), a.Socket()) {
		t.Fatalf("second agent: got %v, want 'already running' naming the socket", err)
	}
}
