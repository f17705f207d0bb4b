package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// loggedInEnv starts a provider and an agent, and logs a profile in
// through the scripted browser with the command line.
func loggedInEnv(t *testing.T, opts testprovider.Options, extra ...string) (*env, *testprovider.Provider, string) {
	t.Helper()
	p := testprovider.Start(t, opts)
	profile := uniqueName("work")
	e := newEnv(t, profileConfig(p, profile, extra...))
	st := testStore(t)
	t.Cleanup(func() { st.Delete(context.Background(), profile) })
	e.start(agent.Options{Store: st, Browser: p.Browser("kim")})
	if r := e.run("", "login", profile); r.code != 0 {
		t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	return e, p, profile
}

func TestTokenFormats(t *testing.T) {
	e, p, profile := loggedInEnv(t, testprovider.Options{AccessTokenTTL: 5 * time.Minute})
	raw := e.run("", "token", profile)
	tok := strings.TrimSpace(raw.stdout)
	if raw.code != 0 || tok == "" {
		t.Fatalf("raw: %d %q %q", raw.code, raw.stdout, raw.stderr)
	}
	if active, err := p.Introspect(testprovider.DefaultClientID, "", tok); err != nil || !active {
		t.Fatalf("introspection: %v %v", active, err)
	}
	if r := e.run("", "token", profile, "--format", "header"); r.stdout != "Authorization: Bearer "+tok+"\n" {
		t.Errorf("header: got %q", r.stdout)
	}
	var j apiclient.TokenResponse
	if r := e.run("", "token", "--format", "json", profile); json.Unmarshal([]byte(r.stdout), &j) != nil || j.AccessToken != tok || j.ExpiresIn <= 0 {
		t.Errorf("json: got %q", r.stdout)
	}

	// exec-credential: exactly the ExecCredential schema, nothing else.
	r := e.run("", "token", profile, "--format", "exec-credential")
	var ec struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Status     struct {
			Token               string `json:"token"`
			ExpirationTimestamp string `json:"expirationTimestamp"`
		} `json:"status"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ec); err != nil {
		t.Fatalf("exec-credential: %v in %q", err, r.stdout)
	}
	exp, err := time.Parse(time.RFC3339, ec.Status.ExpirationTimestamp)
	if ec.APIVersion != "client.authentication.k8s.io/v1" || ec.Kind != "ExecCredential" || ec.Status.Token != tok || err != nil {
		t.Errorf("exec-credential: got %+v (%v)", ec, err)
	}
	if left := time.Until(exp); left < 4*time.Minute || left > 5*time.Minute {
		t.Errorf("expirationTimestamp: %v from now, want about 5 min", left)
	}

	// kubectl announces the version it wants.
	var out bytes.Buffer
	if err := writeExecCredential(&out, apiclient.TokenResponse{AccessToken: "t"}, `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"apiVersion": "client.authentication.k8s.io/v1beta1"`) || strings.Contains(out.String(), "expirationTimestamp") {
		t.Errorf("v1beta1 without expiry: got %s", out.String())
	}

	if r := e.run("", "token", profile, "--format", "yaml"); r.code != 2 || !strings.Contains(r.stderr, "exec-credential") {
		t.Errorf("unknown format: got %d %q, want 2 and the list", r.code, r.stderr)
	}
}

// TestMinValidNeverServesAShorterToken asks again and again for tokens
// valid at least 10 s, of tokens that live 12 s: each answer must be, which
// takes refreshes well ahead of the schedule (at ¾ of the lifetime).
func TestMinValidNeverServesAShorterToken(t *testing.T) {
	e, _, profile := loggedInEnv(t, testprovider.Options{AccessTokenTTL: 12 * time.Second})
	seen := map[string]bool{}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r := e.run("", "token", profile, "--format", "json", "--min-valid", "10s")
		var j apiclient.TokenResponse
		if err := json.Unmarshal([]byte(r.stdout), &j); err != nil || r.code != 0 {
			t.Fatalf("token: %d %q %q", r.code, r.stdout, r.stderr)
		}
		// expires_at is whole seconds, rounded down.
		if left := time.Until(j.ExpiresAt); left < 9*time.Second {
			t.Fatalf("--min-valid 10s served a token with %v left", left)
		}
		seen[j.AccessToken] = true
		time.Sleep(200 * time.Millisecond)
	}
	if len(seen) < 2 {
		t.Errorf("saw %d tokens in 5 s of asking for 10 of 12 s, want refreshes", len(seen))
	}
	if r := e.run("", "token", profile, "--min-valid", "20s"); r.code != 1 || !strings.Contains(r.stderr, "do not stay valid") {
		t.Errorf("--min-valid beyond the lifetime: got %d %q", r.code, r.stderr)
	}
}

// TestKubectlUsesTokentrayAsItsExecPlugin runs the real kubectl against an
// API server that accepts only the agent's current token.
func TestKubectlUsesTokentrayAsItsExecPlugin(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed (it is on the project's CI machines; Debian 12 packages only 1.20, before ExecCredential v1)")
	}
	e, p, profile := loggedInEnv(t, testprovider.Options{AccessTokenTTL: 5 * time.Minute})
	apiServer := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if active, err := p.Introspect(testprovider.DefaultClientID, "", tok); !ok || err != nil || !active {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}`)
			return
		}
		fmt.Fprintf(w, "hello %s\n", r.URL.Path)
	}))
	defer apiServer.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: apiServer.Certificate().Raw}), 0o600)
	args, _ := json.Marshal(append(append([]string{"token"}, e.flags()...), "--format", "exec-credential", "--min-valid", "60s", profile))
	kubeconfig := filepath.Join(dir, "kubeconfig")
	os.WriteFile(kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: me
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: %s
      args: %s
      interactiveMode: Never
contexts:
- name: test
  context: {cluster: test, user: me}
current-context: test
`, apiServer.URL, ca, tokentrayShim(t), args)), 0o600)
	kube := func() ([]byte, error) {
		cmd := exec.Command(kubectl, "get", "--raw", "/tokentray-check")
		cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "HOME="+dir)
		return cmd.CombinedOutput()
	}
	out, err := kube()
	if err != nil || string(out) != "hello /tokentray-check\n" {
		t.Fatalf("kubectl: %v\n%s", err, out)
	}

	// Logged out, kubectl fails and passes on why.
	if r := e.run("", "logout", profile); r.code != 0 {
		t.Fatal(r.stderr)
	}
	out, err = kube()
	if err == nil || !strings.Contains(string(out), "logged out") {
		t.Errorf("kubectl after logout: got %v\n%s\nwant a failure that says logged out", err, out)
	}
}
