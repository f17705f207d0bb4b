package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// uniqueName keeps profiles of tests running at once apart in a shared keyring.
func uniqueName(prefix string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// profileConfig is a config with one profile at the provider; extra lines
// go into the profile.
func profileConfig(p *testprovider.Provider, name string, extra ...string) string {
	return fmt.Sprintf(`listen = "127.0.0.1:0"

[[profile]]
name = %q
issuer = %q
client_id = %q
scopes = ["openid", "offline_access"]
%s
`, name, p.Issuer, testprovider.DefaultClientID, strings.Join(extra, "\n"))
}

// shortSleep stands in for the device flow's 5 s interval.
func shortSleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(20 * time.Millisecond):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestDeviceLoginFromTheCommandLine: a profile with login = "device" shows
// a code; the person confirms it at the provider (the scripted browser);
// the agent then serves tokens.
func TestDeviceLoginFromTheCommandLine(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{})
	profile := uniqueName("dev")
	e := newEnv(t, profileConfig(p, profile, `login = "device"`))
	st := testStore(t)
	t.Cleanup(func() { st.Delete(context.Background(), profile) })
	a := e.start(agent.Options{Store: st, Sleep: shortSleep})
	sess, _ := a.Session(profile)

	approved := make(chan error, 1)
	go func() {
		for range 500 {
			if dc, ok := sess.PendingDevice(); ok {
				approved <- p.Browser("ivy").ApproveDevice(dc.UserCode)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		approved <- fmt.Errorf("no device code appeared")
	}()
	r := e.run("", "login", profile)
	if err := <-approved; err != nil {
		t.Fatalf("approving: %v", err)
	}
	if r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{p.DeviceURL(), "enter the code", "user_code=", "expires in"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "Logged in to "+profile) {
		t.Errorf("stdout: got %q, want Logged in", r.stdout)
	}
	tok := e.run("", "token", profile)
	if tok.code != 0 || len(strings.TrimSpace(tok.stdout)) < 10 {
		t.Fatalf("token after the device login: %d %q %q", tok.code, tok.stdout, tok.stderr)
	}
	if active, err := p.Introspect(testprovider.DefaultClientID, "", strings.TrimSpace(tok.stdout)); err != nil || !active {
		t.Errorf("introspection: active=%v err=%v", active, err)
	}

	// --device works for any profile; a provider's refusal is an error
	// with the reason, here a code nobody confirms before cancelling.
	done := make(chan result, 1)
	go func() { done <- e.run("", "login", "--device", profile) }()
	for range 500 {
		if _, ok := sess.PendingDevice(); ok {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if c := e.run("", "login", profile, "--cancel"); c.code != 0 {
		t.Fatalf("cancel: %d %s", c.code, c.stderr)
	}
	if r := <-done; r.code != 1 || !strings.Contains(r.stderr, "cancelled") {
		t.Errorf("cancelled device login: got %d %q, want 1 and cancelled", r.code, r.stderr)
	}
}

// TestNoBrowserLoginTakesThePastedAddress: with --no-browser, a browser on
// another machine ends on an address this machine's listener never sees;
// pasted into the terminal, it completes the login. A wrong paste is
// reported and another one is accepted.
func TestNoBrowserLoginTakesThePastedAddress(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{})
	profile := uniqueName("paste")
	e := newEnv(t, profileConfig(p, profile))
	st := testStore(t)
	t.Cleanup(func() { st.Delete(context.Background(), profile) })
	e.start(agent.Options{Store: st, Browser: failBrowser{t}})

	stdinR, stdinW := io.Pipe()
	stderrR, stderrW := io.Pipe()
	var stdout testprovider.SyncBuffer
	code := make(chan int, 1)
	go func() {
		code <- Main(append([]string{"login"}, append(e.flags(), "--no-browser", profile)...),
			Env{Stdin: stdinR, Stdout: &stdout, Stderr: stderrW, Getenv: func(string) string { return "" }})
		stderrW.Close()
	}()

	var stderr strings.Builder
	sc := bufio.NewScanner(stderrR)
	var authURL string
	for sc.Scan() {
		line := sc.Text()
		stderr.WriteString(line + "\n")
		if u := strings.TrimSpace(line); strings.HasPrefix(u, p.AuthURL()) {
			authURL = u
		}
		if strings.HasPrefix(line, "Waiting for the login") {
			break
		}
	}
	if authURL == "" {
		t.Fatalf("no authorization URL on stderr:\n%s", stderr.String())
	}
	final, err := p.Browser("jack").RedirectURL(authURL)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		fmt.Fprintln(stdinW, "http://127.0.0.1:1/callback?code=nope&state=nope")
		fmt.Fprintln(stdinW, final)
	}()
	rest, _ := io.ReadAll(stderrR)
	stderr.Write(rest)
	if c := <-code; c != 0 {
		t.Fatalf("login: exit %d:\n%s", c, stderr.String())
	}
	if !strings.Contains(stderr.String(), "not where this login's answer goes") || !strings.Contains(stderr.String(), "Paste the address again") {
		t.Errorf("the wrong paste was not reported:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "Logged in to "+profile) {
		t.Errorf("stdout: got %q, want Logged in", stdout.String())
	}
	if r := e.run("", "token", profile); r.code != 0 {
		t.Errorf("token after the pasted login: %d %s", r.code, r.stderr)
	}
}

// failBrowser fails a test that opens a browser.
type failBrowser struct{ t *testing.T }

func (b failBrowser) Browse(string) error {
	b.t.Error("a browser was opened with --no-browser")
	return nil
}
