package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// ProviderOptions configure a test provider (testdata/oidc-provider).
type ProviderOptions struct {
	AccessTokenTTL time.Duration // whole seconds
	Rotate         bool          // a new refresh token on every refresh
	// Clients is node-oidc-provider client metadata; nil registers the
	// default public client "tokentray".
	Clients []map[string]any
	Log     io.Writer // the provider's stderr; nil discards it
	// TokenDelay holds every token request that long before the provider
	// sees it: a slow provider, for stress runs.
	TokenDelay time.Duration
}

// Provider is a node-oidc-provider process with provider-timing.cjs
// preloaded, so that its own request times can be read back.
type Provider struct {
	Issuer string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	done   chan struct{}
	hc     *http.Client
}

// PublicClient is the public native client tokentray logs in with, as
// server.js registers it by default.
func PublicClient() map[string]any {
	return testprovider.Client(testprovider.DefaultClientID, "none", nil)
}

// StartProvider starts the provider from root/testdata/oidc-provider and
// waits for its READY line.
func StartProvider(ctx context.Context, root string, o ProviderOptions) (*Provider, error) {
	dir := filepath.Join(root, "testdata", "oidc-provider")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider")); err != nil {
		return nil, fmt.Errorf("bench: the test provider is not installed (run make deps): %w", err)
	}
	clients := o.Clients
	if clients == nil {
		clients = []map[string]any{PublicClient()}
	}
	settings, err := json.Marshal(map[string]any{
		"port": 0, "accessTokenTTL": int(o.AccessTokenTTL.Seconds()), "rotateRefreshToken": o.Rotate,
		"clients": clients, "exitWithStdin": true,
	})
	if err != nil {
		return nil, err
	}
	p := &Provider{done: make(chan struct{}), hc: &http.Client{Timeout: 10 * time.Second}}
	p.cmd = exec.Command("node", "server.js")
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), "OIDC_PROVIDER_CONFIG="+string(settings),
		"NODE_OPTIONS=--require "+filepath.Join(root, "bench", "provider-timing.cjs"),
		fmt.Sprintf("BENCH_TOKEN_DELAY_MS=%d", o.TokenDelay.Milliseconds()))
	p.cmd.Stderr = o.Log
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: starting the provider: %w", err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if iss, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- iss
			}
		}
	}()
	select {
	case p.Issuer = <-ready:
		return p, nil
	case <-p.done:
		return nil, errors.New("bench: the provider exited before it was ready (see its log)")
	case <-time.After(20 * time.Second):
		p.Stop()
		return nil, errors.New("bench: the provider was not ready after 20 s")
	case <-ctx.Done():
		p.Stop()
		return nil, ctx.Err()
	}
}

// Stop stops the provider.
func (p *Provider) Stop() {
	p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// Timing is one request the provider served, timed inside the provider
// from its 'request' event to the response's 'finish'.
type Timing struct {
	Method string        `json:"method"`
	Path   string        `json:"path"`
	Status int           `json:"status"`
	Start  time.Time     `json:"-"`
	Dur    time.Duration `json:"-"`
}

// Timings returns the requests served since the last call, and forgets them.
func (p *Provider) Timings(ctx context.Context) ([]Timing, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.Issuer+"/__bench/timings", nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bench: provider timings: %w", err)
	}
	defer resp.Body.Close()
	var raw []struct {
		Timing
		StartMS float64 `json:"start_ms"`
		DurNS   int64   `json:"dur_ns"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&raw); err != nil {
		return nil, fmt.Errorf("bench: provider timings: %w", err)
	}
	out := make([]Timing, len(raw))
	for i, r := range raw {
		out[i] = r.Timing
		out[i].Start = time.UnixMicro(int64(r.StartMS * 1000))
		out[i].Dur = time.Duration(r.DurNS)
	}
	return out, nil
}

// Introspect asks the provider (RFC 7662, as the public client clientID)
// whether token is active and until when.
func (p *Provider) Introspect(ctx context.Context, clientID, token string) (active bool, exp time.Time, err error) {
	form := "client_id=" + url.QueryEscape(clientID) + "&token=" + url.QueryEscape(token)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Issuer+"/token/introspection", strings.NewReader(form))
	if err != nil {
		return false, time.Time{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.hc.Do(req)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("bench: introspection: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Active bool  `json:"active"`
		Exp    int64 `json:"exp"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		return false, time.Time{}, fmt.Errorf("bench: introspection: HTTP %d: %v", resp.StatusCode, err)
	}
	return body.Active, time.Unix(body.Exp, 0), nil
}
