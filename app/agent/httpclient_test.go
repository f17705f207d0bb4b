package agent_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/auth"
)

// tlsProvider is a minimal provider on an httptest TLS server: discovery
// (naming whatever host it was reached as) and a token endpoint that
// answers every refresh.
func tlsProvider(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		iss := "https://" + r.Host
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "authorization_endpoint": iss + "/auth", "token_endpoint": iss + "/token"})
		case "/token":
			json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + fmt.Sprint(time.Now().UnixNano()), "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt-next"})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// writeCert writes the server's certificate as a PEM file.
func writeCert(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCAFileIsTrustedForItsProfileOnly: a profile with ca_file reaches a
// provider whose certificate only that file vouches for; the same provider
// without ca_file is refused, so the extra CA never leaks to other profiles.
func TestCAFileIsTrustedForItsProfileOnly(t *testing.T) {
	srv := tlsProvider(t)
	ca := writeCert(t, srv)
	with, without := uniqueName("ca"), uniqueName("noca")
	dir := t.TempDir()
	cfg := fmt.Sprintf(`listen = "off"

[[profile]]
name = %q
issuer = %q
client_id = "c"
ca_file = %q

[[profile]]
name = %q
issuer = %q
client_id = "c"
`, with, srv.URL, ca, without, srv.URL)
	path := filepath.Join(dir, "config.toml")
	os.WriteFile(path, []byte(cfg), 0o600)
	st := testStore(t)
	t.Cleanup(func() {
		st.Delete(context.Background(), with)
		st.Delete(context.Background(), without)
	})
	a, err := agent.Start(context.Background(), agent.Options{ConfigPath: path, RuntimeDir: filepath.Join(dir, "run"), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cl := apiclient.NewClient(a.Socket())
	ctx := context.Background()

	if _, err := cl.Import(ctx, with, "rt-first"); err != nil {
		t.Fatalf("import with ca_file: %v", err)
	}
	if tok, err := cl.Token(ctx, with, 0); err != nil || !strings.HasPrefix(tok.AccessToken, "at-") {
		t.Errorf("token with ca_file: got %v, want a token", err)
	}
	_, err = cl.Import(ctx, without, "rt-first")
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("import without ca_file: got %v, want a certificate error", err)
	}
}

// proxyChildEnv makes the test binary run proxyChild instead of the tests.
const proxyChildEnv = "TOKENTRAY_AGENT_PROXY_CHILD"

// proxyChild runs in a process of its own, because Go reads the proxy
// variables once per process: it discovers a provider at example.com
// (reachable only through the proxy) and one on loopback, with the agent's
// HTTP client, and prints the outcome of each.
func proxyChild() {
	hc, err := agent.ProfileHTTPClient(agent.NewHTTPClient(), config.Profile{Name: "p", CAFile: os.Getenv("CA_FILE")})
	if err != nil {
		fmt.Println("client:", err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, iss := range []string{"https://example.com", os.Getenv("LOOPBACK_ISSUER")} {
		if _, err := auth.Discover(ctx, hc, iss); err != nil {
			fmt.Printf("%s: %v\n", iss, err)
			continue
		}
		fmt.Printf("%s: ok\n", iss)
	}
	os.Exit(0)
}

// recordingProxy is an HTTP proxy that tunnels CONNECT requests to target
// whatever host they name, and records each request line.
type recordingProxy struct {
	target string
	mu     sync.Mutex // guards seen
	seen   []string
}

func (p *recordingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r.Method+" "+r.Host)
	p.mu.Unlock()
	if r.Method != http.MethodConnect {
		http.Error(w, "this proxy tunnels only", http.StatusBadGateway)
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		up.Close()
		return
	}
	rw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
	rw.Flush()
	go func() { io.Copy(up, rw); up.Close() }()
	io.Copy(conn, up)
	conn.Close()
}

func (p *recordingProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// TestProxyFromEnvironmentButNeverForLoopback: with HTTPS_PROXY set, a
// provider elsewhere is reached through the proxy and a provider on this
// machine directly, with NO_PROXY empty.
func TestProxyFromEnvironmentButNeverForLoopback(t *testing.T) {
	srv := tlsProvider(t) // its certificate is valid for example.com too
	proxy := &recordingProxy{target: srv.Listener.Addr().String()}
	ps := httptest.NewServer(proxy)
	defer ps.Close()

	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), proxyChildEnv+"=1", "GORACE=atexit_sleep_ms=0", "HTTPS_PROXY="+ps.URL, "HTTP_PROXY="+ps.URL,
		"NO_PROXY=", "no_proxy=", "https_proxy=", "http_proxy=", "CA_FILE="+writeCert(t, srv), "LOOPBACK_ISSUER="+srv.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	want := "https://example.com: ok\n" + srv.URL + ": ok\n"
	if string(out) != want {
		t.Errorf("child: got %q, want %q", out, want)
	}
	if got := proxy.requests(); len(got) != 1 || got[0] != "CONNECT example.com:443" {
		t.Errorf("proxy saw %q, want only CONNECT example.com:443 (loopback is never proxied)", got)
	}
}
