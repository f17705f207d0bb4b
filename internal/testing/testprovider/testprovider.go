// Package testprovider runs a real OpenID provider (node-oidc-provider, from
// testdata/oidc-provider) for tests, and drives it like a person would: a
// scripted browser that logs in and consents, and device-code approval.
//
// The provider is a Node.js process; run `make deps` once to install it.
// Without it a plain `go test` skips the tests that need it, saying so;
// under `make test` and in CI (CI=true) they fail instead, so a missing
// dependency can't silently hide untested code there (see Required).
package testprovider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// DefaultClientID is the public native client the provider registers
	// when Options.Clients is nil.
	DefaultClientID = "tokentray"
	// DefaultRedirectURI is its registered redirect URI. As a native client
	// it may use it with any port, e.g. http://127.0.0.1:53124/callback.
	DefaultRedirectURI = "http://127.0.0.1/callback"

	readyTimeout = 20 * time.Second
	stopTimeout  = 5 * time.Second
	httpTimeout  = 10 * time.Second
)

// Options configure one provider process; zero values give the defaults
// (access tokens live 60 s, refresh tokens one day and rotate on every use).
type Options struct {
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	// NoRotation keeps refresh tokens unchanged across refreshes.
	NoRotation bool
	// JWTAccessTokens issues JWT access tokens (RFC 9068) for a default
	// resource instead of opaque ones.
	JWTAccessTokens bool
	// Clients is raw node-oidc-provider client metadata; nil registers only
	// the default public client (DefaultClientID).
	Clients []map[string]any
}

// Provider is a running node-oidc-provider.
type Provider struct {
	// Issuer is the provider's issuer URL, http://127.0.0.1:<port>.
	Issuer string

	clients []map[string]any
	hc      *http.Client

	cmd      *exec.Cmd
	stdin    io.WriteCloser
	stderr   *SyncBuffer
	exited   chan struct{}
	exitErr  error
	stopOnce sync.Once
	stopErr  error
}

// Start starts a provider for the test and stops it in t.Cleanup. It finds
// testdata/oidc-provider by walking up from the working directory to the
// module root, and waits up to 20 s for the provider to be ready.
func Start(t testing.TB, opts Options) *Provider {
	t.Helper()

	dir, err := providerDir()
	if err != nil {
		t.Fatalf("%v", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node (Node.js 20+) is not in PATH")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		missing(t, "oidc-provider is not installed in "+dir)
	}

	config, err := json.Marshal(settings(opts))
	if err != nil {
		t.Fatalf("testprovider: encoding provider settings: %v", err)
	}

	p := &Provider{
		clients: opts.Clients,
		hc:      &http.Client{Timeout: httpTimeout},
		stderr:  &SyncBuffer{},
		exited:  make(chan struct{}),
	}
	ready := make(chan string, 1)
	p.cmd = exec.Command(node, "server.js")
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), "OIDC_PROVIDER_CONFIG="+string(config))
	p.cmd.Stdout = &readyWriter{ready: ready, log: p.stderr}
	p.cmd.Stderr = p.stderr
	// The provider exits when this pipe closes, so it can't outlive a test
	// binary that crashes or is killed before its cleanups run.
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatalf("testprovider: stdin pipe: %v", err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("testprovider: starting node server.js in %s: %v", dir, err)
	}
	go func() {
		p.exitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		// A provider that never got ready was reported by the Fatalf below.
		if err := p.stop(); err != nil && p.Issuer != "" {
			t.Errorf("%v\nprovider stderr:\n%s", err, p.stderr)
		} else if t.Failed() {
			t.Logf("provider stderr:\n%s", p.stderr)
		}
	})

	select {
	case p.Issuer = <-ready:
	case <-p.exited:
		t.Fatalf("testprovider: provider exited before it was ready (%v); run `make deps` if its packages are missing\nprovider stderr:\n%s", p.exitErr, p.stderr)
	case <-time.After(readyTimeout):
		t.Fatalf("testprovider: provider not ready after %v\nprovider stderr:\n%s", readyTimeout, p.stderr)
	}
	return p
}

// RequiredEnv names the variable `make test` sets so that a provider that
// cannot start fails the tests rather than skipping them.
const RequiredEnv = "TOKENTRAY_TEST_PROVIDER"

// Required reports whether the tests must have the real provider: under
// `make test` (RequiredEnv=required) and in CI (CI=true). A plain `go test`
// on a machine without Node.js skips them instead.
func Required() bool {
	return os.Getenv(RequiredEnv) == "required" || os.Getenv("CI") == "true"
}

// missing stops a test whose provider cannot be started: a skip that says
// how to run it, or a failure where the provider is required.
func missing(t testing.TB, what string) {
	t.Helper()
	msg := "testprovider: " + what + ": this test needs the real OpenID provider; `make deps` installs it and `make test` runs every test with it"
	if Required() {
		t.Fatalf("%s (required here: %s=required or CI=true)", msg, RequiredEnv)
	}
	t.Skipf("%s (skipped; with CI=true this fails)", msg)
}

// Stop stops the provider now, e.g. to test how a client copes with an
// unreachable provider. Start's cleanup calls it too; it is idempotent.
func (p *Provider) Stop() {
	_ = p.stop()
}

func (p *Provider) stop() error {
	p.stopOnce.Do(func() {
		// Closing stdin alone stops it; the signal is for platforms and
		// states where that is slow. Windows can't deliver it: ignore.
		p.stdin.Close()
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.exited:
			if p.exitErr != nil {
				p.stopErr = fmt.Errorf("testprovider: provider did not exit cleanly: %w", p.exitErr)
			}
		case <-time.After(stopTimeout):
			_ = p.cmd.Process.Kill()
			<-p.exited
			p.stopErr = fmt.Errorf("testprovider: provider ignored the stop request for %v and was killed", stopTimeout)
		}
	})
	return p.stopErr
}

// Endpoints. The paths are node-oidc-provider's defaults, which server.js
// keeps; discovery is at Issuer + "/.well-known/openid-configuration".

func (p *Provider) AuthURL() string          { return p.Issuer + "/auth" }
func (p *Provider) TokenURL() string         { return p.Issuer + "/token" }
func (p *Provider) DeviceAuthURL() string    { return p.Issuer + "/device/auth" }
func (p *Provider) DeviceURL() string        { return p.Issuer + "/device" }
func (p *Provider) IntrospectionURL() string { return p.Issuer + "/token/introspection" }
func (p *Provider) RevocationURL() string    { return p.Issuer + "/token/revocation" }

// Introspect asks the introspection endpoint (RFC 7662) whether token is
// active. With an empty clientSecret the client authenticates as a public
// client (client_id only), which node-oidc-provider allows for the client's
// own tokens; with a secret it uses the client's registered method
// (client_secret_basic unless registered as client_secret_post).
func (p *Provider) Introspect(clientID, clientSecret, token string) (active bool, err error) {
	form := url.Values{"token": {token}}
	status, body, err := p.post(p.IntrospectionURL(), clientID, clientSecret, form)
	if err != nil {
		return false, fmt.Errorf("testprovider: introspect: %w", err)
	}
	if status != http.StatusOK {
		return false, fmt.Errorf("testprovider: introspect: HTTP %d: %s", status, oauthError(body))
	}
	active, ok := body["active"].(bool)
	if !ok {
		return false, fmt.Errorf("testprovider: introspect: response without a boolean \"active\"")
	}
	return active, nil
}

// RefreshDirect makes a raw refresh_token grant request, authenticating as
// clientID is registered (a secret comes from Options.Clients), and returns
// the HTTP status and decoded JSON body whatever they are; err is only for
// requests that got no JSON answer.
func (p *Provider) RefreshDirect(clientID, refreshToken string) (status int, body map[string]any, err error) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	status, body, err = p.post(p.TokenURL(), clientID, "", form)
	if err != nil {
		return 0, nil, fmt.Errorf("testprovider: refresh: %w", err)
	}
	return status, body, nil
}

// post sends an authenticated form POST and decodes the JSON answer.
func (p *Provider) post(endpoint, clientID, secret string, form url.Values) (int, map[string]any, error) {
	method, secret := p.clientAuth(clientID, secret)
	switch method {
	case "none":
		form.Set("client_id", clientID)
	case "client_secret_post":
		form.Set("client_id", clientID)
		form.Set("client_secret", secret)
	case "client_secret_basic":
	default:
		return 0, nil, fmt.Errorf("client %q uses %s, which this helper can't do", clientID, method)
	}
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if method == "client_secret_basic" {
		// RFC 6749 section 2.3.1: both parts are form-encoded first.
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("HTTP %d with a body that is not JSON: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, body, nil
}

// clientAuth picks how clientID authenticates: as registered in
// Options.Clients, else as a public client unless a secret is given.
func (p *Provider) clientAuth(clientID, secret string) (method, secretOut string) {
	for _, c := range p.clients {
		if c["client_id"] != clientID {
			continue
		}
		if secret == "" {
			secret, _ = c["client_secret"].(string)
		}
		method, _ = c["token_endpoint_auth_method"].(string)
		if method == "" {
			method = "client_secret_basic" // node-oidc-provider's default
		}
		if method == "none" && secret != "" {
			method = "client_secret_basic"
		}
		return method, secret
	}
	if secret == "" {
		return "none", ""
	}
	return "client_secret_basic", secret
}

// oauthError summarises an OAuth error response; it never echoes tokens.
func oauthError(body map[string]any) string {
	e, _ := body["error"].(string)
	d, _ := body["error_description"].(string)
	if e == "" {
		return "no OAuth error in the response"
	}
	if d == "" {
		return e
	}
	return e + ": " + d
}

// settings is the provider's JSON configuration (see server.js).
func settings(opts Options) map[string]any {
	s := map[string]any{
		"port":               0,
		"accessTokenTTL":     seconds(opts.AccessTokenTTL, 60*time.Second),
		"refreshTokenTTL":    seconds(opts.RefreshTokenTTL, 24*time.Hour),
		"rotateRefreshToken": !opts.NoRotation,
		"exitWithStdin":      true,
	}
	if opts.Clients != nil {
		s["clients"] = opts.Clients
	}
	if opts.JWTAccessTokens {
		s["jwtAccessTokens"] = true
	}
	return s
}

// seconds rounds up so that a sub-second TTL doesn't become "expired".
func seconds(d, def time.Duration) int64 {
	if d <= 0 {
		d = def
	}
	return int64((d + time.Second - 1) / time.Second)
}

// providerDir finds testdata/oidc-provider at the module root.
func providerDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("testprovider: working directory: %w", err)
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			pd := filepath.Join(dir, "testdata", "oidc-provider")
			if _, err := os.Stat(filepath.Join(pd, "server.js")); err != nil {
				return "", fmt.Errorf("testprovider: no provider at the module root: %w", err)
			}
			return pd, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("testprovider: no go.mod above %s", wd)
		}
		dir = parent
	}
}

// readyWriter watches the provider's stdout for its "READY <issuer>" line.
// Anything else there breaks the protocol, so it goes to the log.
type readyWriter struct {
	ready   chan<- string
	log     io.Writer
	partial []byte
	seen    bool
}

func (w *readyWriter) Write(b []byte) (int, error) {
	w.partial = append(w.partial, b...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := strings.TrimSpace(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
		if issuer, ok := strings.CutPrefix(line, "READY "); ok && !w.seen {
			w.seen = true
			w.ready <- issuer
			continue
		}
		fmt.Fprintf(w.log, "testprovider: unexpected stdout line: %q\n", line)
	}
}

// SyncBuffer is a bytes.Buffer safe to write from one goroutine (an exec
// copier, a logger) while a test reads it from another.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Attach returns a Provider for a node-oidc-provider already running at
// issuer with the default client (the demo's), so that its Browser can
// script a login from outside a test.
func Attach(issuer string) *Provider {
	return &Provider{Issuer: issuer, hc: &http.Client{Timeout: httpTimeout}}
}
