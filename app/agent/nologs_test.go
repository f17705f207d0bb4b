package agent_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/cli"
	"github.com/tokentray/tokentray/internal/testing/seedfake"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// secrets collects every token and secret a test sees.
type secrets struct {
	mu  sync.Mutex // guards set
	set map[string]string
}

func (s *secrets) add(what, v string) {
	v = strings.TrimSpace(v)
	if len(v) < 8 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set == nil {
		s.set = map[string]string{}
	}
	s.set[v] = what
}

// findIn reports each secret found in text, and each part of a JWT (its
// payload and signature are unique to it) found there.
func (s *secrets) findIn(t *testing.T, where, text string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for v, what := range s.set {
		needles := []string{v}
		if parts := strings.Split(v, "."); len(parts) == 3 {
			needles = append(needles, parts[1], parts[2])
		}
		for _, n := range needles {
			if len(n) >= 8 && strings.Contains(text, n) {
				t.Errorf("%s contains a %s (%.6s…)", where, what, n)
			}
		}
	}
}

// TestNoTokenInAnyLogOrError runs the full flows — browser login, reads,
// refreshes of 2 s tokens, a grant killed behind the agent's back, a new
// login, logout; a digiRunner profile whose refusal quotes the refresh
// token; a Veeam password login with a wrong and a right password — with
// the agent logging at debug level, through the command line, and searches
// everything the agent logged and every command wrote (but the token
// command's own output) for every token and secret the test saw.
func TestNoTokenInAnyLogOrError(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: 2 * time.Second})
	work := uniqueName("work")
	f := newFixture(t, p, work)
	ctx := context.Background()
	var seen secrets

	const digiSecret, veeamPassword, wrongPassword = "digi-client-password-4711", "veeam-p@ssw0rd-4711", "wrong-p@ssw0rd-0815"
	seen.add("client secret", digiSecret)
	seen.add("client secret (encoded)", base64.StdEncoding.EncodeToString([]byte(digiSecret)))
	seen.add("password", veeamPassword)
	seen.add("password", wrongPassword)
	digiFake := seedfake.NewDigiRunner(t, seedfake.DigiRunnerOptions{ClientID: "YWRtaW5BUEk", ClientPassword: digiSecret, AccessTTL: time.Hour})
	veeamFake := seedfake.NewVeeam(t, seedfake.VeeamOptions{User: "admin", Password: veeamPassword})
	digi, veeam := uniqueName("digi"), uniqueName("veeam")
	cfg, _ := os.ReadFile(f.cfgPath)
	cfg = append(cfg, fmt.Sprintf(`
[[profile]]
name = %q
token_endpoint = %q
client_id = "YWRtaW5BUEk"
client_auth = "digirunner"
login = "import"
scopes = []

[[profile]]
name = %q
token_endpoint = %q
client_id = "x"
dialect = "veeam"
login = "password"
username = "admin"
scopes = []
`, digi, digiFake.TokenURL(), veeam, veeamFake.TokenURL())...)
	if err := os.WriteFile(f.cfgPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Set(ctx, agent.SecretAccount(digi), digiSecret); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, k := range []string{digi, veeam, agent.SecretAccount(digi)} {
			f.store.Delete(context.Background(), k)
		}
	})
	a := f.start()
	defer a.Close()

	// Every refresh token the agent holds, as it changes.
	stopPoll := make(chan struct{})
	var pwg sync.WaitGroup
	pwg.Go(func() {
		for {
			for _, name := range []string{work, digi, veeam} {
				if v, err := f.store.Get(ctx, name); err == nil {
					var rec struct {
						RefreshToken string `json:"refresh_token"`
						AccessToken  string `json:"access_token"`
					}
					json.Unmarshal([]byte(v), &rec)
					seen.add("refresh token", rec.RefreshToken)
					seen.add("access token", rec.AccessToken)
				}
			}
			select {
			case <-stopPoll:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})

	var stderr, stdout strings.Builder // of every command; stdout of `token` is kept apart
	run := func(stdin string, args ...string) (string, int) {
		t.Helper()
		var out, errb strings.Builder
		full := append([]string{args[0], "--config", f.cfgPath, "--runtime-dir", f.rundir}, args[1:]...)
		code := cli.Main(full, cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Version: "test"})
		stderr.WriteString(errb.String())
		if args[0] == "token" {
			if code == 0 {
				tok := strings.TrimSpace(out.String())
				var js struct {
					AccessToken string `json:"access_token"`
				}
				switch {
				case json.Unmarshal([]byte(tok), &js) == nil:
					tok = js.AccessToken
				case strings.HasPrefix(tok, "Authorization:"):
					tok = tok[strings.LastIndex(tok, " ")+1:]
				}
				seen.add("access token", tok)
			}
		} else {
			stdout.WriteString(out.String())
		}
		return out.String() + errb.String(), code
	}
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		out, code := run(stdin, args...)
		if code != 0 {
			t.Fatalf("tokentray %s: exit %d: %s\nagent log:\n%s", strings.Join(args, " "), code, out, f.logs)
		}
		return out
	}

	// The browser profile: login, reads across refreshes, every format.
	mustRun("", "login", work)
	for range 12 {
		mustRun("", "token", work)
		time.Sleep(400 * time.Millisecond)
	}
	mustRun("", "token", "--format", "json", work)
	mustRun("", "token", "--format", "header", work)
	mustRun("", "status")
	mustRun("", "status", "--json")
	mustRun("", "refresh", work)

	// The grant dies behind the agent's back (the refresh token used
	// elsewhere: strict rotation revokes it all): the next refresh fails.
	rt := storedRefreshToken(t, f.store, work)
	code, body, err := p.RefreshDirect(testprovider.DefaultClientID, rt)
	if err != nil || code != 200 {
		t.Fatalf("refresh behind the agent's back: %d %v", code, err)
	}
	for _, k := range []string{"access_token", "refresh_token", "id_token"} {
		if v, _ := body[k].(string); v != "" {
			seen.add(k, v)
		}
	}
	if _, code := run("", "refresh", work); code == 0 {
		t.Fatal("refresh after the grant was used elsewhere: got success, want login required")
	}
	if out, code := run("", "token", work); code == 0 || !strings.Contains(out, "login") {
		t.Errorf("token after the grant died: got exit %d %q, want login required", code, out)
	}
	mustRun("", "status")
	mustRun("", "login", work)
	mustRun("", "token", work)
	mustRun("", "logout", work)

	// digiRunner: an imported refresh token; later its refusal quotes it.
	digiRT := digiFake.IssueRefreshToken("alice")
	seen.add("refresh token", digiRT)
	mustRun(digiRT+"\n", "login", "--refresh-token-stdin", digi)
	mustRun("", "token", digi)
	digiFake.ExpireRefreshTokens()
	if out, code := run("", "refresh", digi); code == 0 || !strings.Contains(out, "invalid_token") {
		t.Errorf("digiRunner refresh with an expired token: got exit %d %q, want invalid_token", code, out)
	}
	mustRun("", "status")
	run("", "token", digi)
	if !strings.Contains(f.logs.String(), "[redacted]") {
		t.Errorf("the agent's log has no redacted provider message; the digiRunner refusal was not logged:\n%s", f.logs)
	}

	// Veeam: a wrong password, then the right one.
	if out, code := run(wrongPassword+"\n", "login", "--username", "admin", veeam); code == 0 {
		t.Errorf("Veeam login with a wrong password: got success %q", out)
	}
	mustRun(veeamPassword+"\n", "login", "--username", "admin", veeam)
	mustRun("", "token", veeam)
	mustRun("", "logout", veeam)
	mustRun("", "status", "--json")

	close(stopPoll)
	pwg.Wait()
	// The providers' own records of what they issued, for good measure.
	for _, r := range append(digiFake.Requests(), veeamFake.Requests()...) {
		for k, vs := range r.Form() {
			if strings.Contains(strings.ToLower(k), "token") || k == "password" {
				for _, v := range vs {
					seen.add(k, v)
				}
			}
		}
	}

	logs := f.logs.String()
	if !strings.Contains(logs, "level=DEBUG") || !strings.Contains(logs, `msg="refresh saved"`) {
		t.Fatalf("the agent did not log at debug level:\n%s", logs)
	}
	seen.mu.Lock()
	n := len(seen.set)
	seen.mu.Unlock()
	if n < 10 {
		t.Fatalf("saw only %d tokens and secrets; the flows did not run", n)
	}
	t.Logf("searched %d KiB of logs and %d KiB of command output for %d tokens and secrets", len(logs)>>10, (stderr.Len()+stdout.Len())>>10, n)
	seen.findIn(t, "the agent's debug log", logs)
	seen.findIn(t, "the commands' standard error", stderr.String())
	seen.findIn(t, "the commands' output (but token's)", stdout.String())
}
