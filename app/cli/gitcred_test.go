package cli

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

func TestGitCredentialAnswersOnlyItsHosts(t *testing.T) {
	e, _, profile := loggedInEnv(t, testprovider.Options{}, `git_hosts = ["git.example.com", "code.example.com:8443"]`, `git_username = "x-access-token"`)
	tok := strings.TrimSpace(e.run("", "token", profile).stdout)
	tests := []struct {
		name, op, in string
		want         string // "" means no answer
	}{
		{"a mapped host", "get", "protocol=https\nhost=git.example.com\npath=group/repo.git\n\n", "username=x-access-token\npassword=" + tok + "\n"},
		{"a mapped host and port, in capitals", "get", "protocol=https\nhost=CODE.example.com:8443\n", "username=x-access-token\npassword=" + tok + "\n"},
		{"the right user", "get", "protocol=https\nhost=git.example.com\nusername=x-access-token\n\n", "username=x-access-token\npassword=" + tok + "\n"},
		{"another user", "get", "protocol=https\nhost=git.example.com\nusername=alice\n\n", ""},
		{"another host", "get", "protocol=https\nhost=github.com\n\n", ""},
		{"another port", "get", "protocol=https\nhost=git.example.com:8443\n\n", ""},
		{"plain http", "get", "protocol=http\nhost=git.example.com\n\n", ""},
		{"ssh", "get", "protocol=ssh\nhost=git.example.com\n\n", ""},
		{"store", "store", "protocol=https\nhost=git.example.com\nusername=x\npassword=y\n\n", ""},
		{"erase", "erase", "protocol=https\nhost=git.example.com\nusername=x\npassword=y\n\n", ""},
		{"an operation of a future git", "frobnicate", "protocol=https\nhost=git.example.com\n\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(tt.in, "git-credential", tt.op)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			got := r.stdout
			if i := strings.Index(got, "password_expiry_utc="); i >= 0 {
				exp, err := strconv.ParseInt(strings.TrimSpace(got[i+len("password_expiry_utc="):]), 10, 64)
				if left := time.Until(time.Unix(exp, 0)); err != nil || left <= 0 || left > time.Minute {
					t.Errorf("password_expiry_utc: %v from now (%v), want within the token's minute", left, err)
				}
				got = got[:i]
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if r := e.run("protocol=https\nbroken line\n", "git-credential", "get"); r.code != 1 {
		t.Errorf("garbage: got %d, want 1", r.code)
	}
	e.run("", "logout", profile)
	if r := e.run("protocol=https\nhost=git.example.com\n\n", "git-credential", "get"); r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "logged out") {
		t.Errorf("logged out: got %d %q %q, want 1, nothing, and why", r.code, r.stdout, r.stderr)
	}
}

// TestGitClonesWithTheToken: the real git clones over HTTPS from a server
// that takes only the agent's current token as the password, configured
// with the README's commands, with another helper configured before ours
// that knows a wrong password.
func TestGitClonesWithTheToken(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("git is needed (apt-get install git): %v", err)
	}
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	ca := filepath.Join(dir, "ca.pem") // written once the server runs
	os.MkdirAll(home, 0o700)
	run := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(git, args...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Env = append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_SSL_CAINFO="+ca, "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	src := filepath.Join(dir, "src")
	run("", "init", "-q", src)
	os.WriteFile(filepath.Join(src, "README"), []byte("hello from the repo\n"), 0o600)
	run("", "-C", src, "add", "README")
	run("", "-C", src, "commit", "-q", "-m", "first")
	bare := filepath.Join(dir, "srv", "repo.git")
	run("", "clone", "-q", "--bare", src, bare)
	run("", "-C", bare, "update-server-info")

	// The provider and the server; the server asks the provider whether
	// the password is an active token.
	p := testprovider.Start(t, testprovider.Options{})
	var srv *httptest.Server
	var authorized, refused atomic.Int32
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		active := false
		if ok && user == "oauth2" {
			active, _ = p.Introspect(testprovider.DefaultClientID, "", pass)
		}
		if !active {
			refused.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		authorized.Add(1)
		http.FileServer(http.Dir(filepath.Join(dir, "srv"))).ServeHTTP(w, r)
	}))
	defer srv.Close()
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	host := strings.TrimPrefix(srv.URL, "https://")

	profile := uniqueName("git")
	e := newEnv(t, profileConfig(p, profile, fmt.Sprintf(`git_hosts = [%q]`, host)))
	st := testStore(t)
	t.Cleanup(func() { st.Delete(t.Context(), profile) })
	e.start(agent.Options{Store: st, Browser: p.Browser("lee")})
	if r := e.run("", "login", profile); r.code != 0 {
		t.Fatalf("login: %s", r.stderr)
	}

	// A helper before ours that knows a stale password, reset for our host.
	creds := filepath.Join(dir, "stale-credentials")
	os.WriteFile(creds, []byte("https://oauth2:stale@"+host+"\n"), 0o600)
	run("", "config", "--global", "credential.helper", "store --file "+creds)
	prefix := "credential." + srv.URL + ".helper"
	run("", "config", "--global", "--add", prefix, "")
	run("", "config", "--global", "--add", prefix, fmt.Sprintf("!%q %s git-credential", tokentrayShim(t), strings.Join(e.flags(), " ")))

	dst := filepath.Join(dir, "dst")
	run("", "clone", "-q", srv.URL+"/repo.git", dst)
	if b, err := os.ReadFile(filepath.Join(dst, "README")); err != nil || string(b) != "hello from the repo\n" {
		t.Fatalf("cloned README: got %q, %v", b, err)
	}
	if authorized.Load() == 0 || refused.Load() == 0 {
		t.Errorf("server: %d authorized, %d refused; want git to ask, then to send the token", authorized.Load(), refused.Load())
	}

	// What git itself gets from the helpers for that host, and for another.
	tok := strings.TrimSpace(e.run("", "token", profile).stdout)
	if got := run("protocol=https\nhost="+host+"\n\n", "credential", "fill"); !strings.Contains(got, "username=oauth2\npassword="+tok+"\n") {
		t.Errorf("git credential fill: got %q, want the token", got)
	}
	if got := run("protocol=https\nhost=other.example.com\nusername=u\npassword=p\n\n", "credential", "fill"); strings.Contains(got, tok) {
		t.Errorf("git credential fill for another host: got the token")
	}
}
