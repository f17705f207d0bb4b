package realbrowser

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/assets"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// startChromium starts Chromium for the test. Without one the test skips,
// except in CI (CI=true), where a missing browser is a failure: the login
// must have been seen working in a real browser.
func startChromium(t *testing.T) *Chromium {
	t.Helper()
	path, err := Path()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v; CI=true, so this is a failure, not a skip", err)
		}
		t.Skipf("%v; skipping the real-browser login", err)
	}
	c, err := Start(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// pageLog is the loopback server's page writer: the real callback page,
// and a count of the requests it answered, by status.
type pageLog struct {
	mu       sync.Mutex // guards statuses
	statuses []int
}

func (l *pageLog) page(w http.ResponseWriter, status int, who string, err error) {
	l.mu.Lock()
	l.statuses = append(l.statuses, status)
	l.mu.Unlock()
	assets.CallbackPage(w, "work", who, status, err)
}

func (l *pageLog) seen() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int(nil), l.statuses...)
}

// shots saves screenshots into $TOKENTRAY_SCREENSHOTS (e.g.
// docs/screenshots, relative to the module root) when it is set.
type shots struct {
	t   *testing.T
	dir string
}

func newShots(t *testing.T) shots {
	dir := os.Getenv("TOKENTRAY_SCREENSHOTS")
	if dir != "" && !filepath.IsAbs(dir) {
		dir = filepath.Join("..", "..", "..", dir) // from internal/testing/realbrowser
	}
	return shots{t, dir}
}

func (s shots) save(name string, png []byte) {
	if s.dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(s.dir, "browser-"+name+".png"), png, 0o644); err != nil {
		s.t.Errorf("saving screenshot %s: %v", name, err)
	}
}

// callbackShots screenshots the page the tab shows in both color schemes.
func (s shots) callbackShots(tab *Tab, name string) {
	if s.dir == "" {
		return
	}
	for _, scheme := range []string{"light", "dark"} {
		if err := tab.ColorScheme(scheme); err != nil {
			s.t.Fatalf("emulating %s: %v", scheme, err)
		}
		png, err := tab.Screenshot()
		if err != nil {
			s.t.Fatalf("screenshot: %v", err)
		}
		s.save(name+"-"+scheme, png)
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func mustText(t *testing.T, tab *Tab) string {
	t.Helper()
	text, err := tab.Text()
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	return text
}

// TestChromiumLogin logs in through headless Chromium against the real
// provider: its login and consent pages, the redirect to the loopback port
// and the callback page; then presents the token to the provider. Then
// what a real browser adds: a reload of the old callback page and a stray
// /favicon.ico while the next login waits on the same port, a denied
// consent, and a tab closed halfway.
func TestChromiumLogin(t *testing.T) {
	c := startChromium(t)
	p := testprovider.Start(t, testprovider.Options{})
	ctx := context.Background()
	ep, err := auth.Discover(ctx, http.DefaultClient, p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	client := auth.NewClient(auth.Config{
		Issuer:    p.Issuer,
		Endpoints: ep,
		ClientID:  testprovider.DefaultClientID,
		Scopes:    []string{"openid", "offline_access"},
	}, nil, nil)
	pages := &pageLog{}
	shot := newShots(t)
	port := freePort(t) // one fixed port, as a profile with redirect_port has
	login := func(ctx context.Context, b *LoginBrowser) (*auth.Token, error) {
		return client.Login(ctx, auth.LoginOptions{RedirectPort: port, Browser: b, Page: pages.page})
	}
	defer func() {
		t.Logf("the loopback server saw %d requests (statuses %v)", len(pages.seen()), pages.seen())
	}()

	// 1. The whole login, as a person does it.
	first := &LoginBrowser{C: c, Person: Person{Issuer: p.Issuer, User: "alice", Shot: func(page string, png []byte) { shot.save("provider-"+page, png) }}}
	tok, err := login(ctx, first)
	first.Wait()
	if err != nil {
		t.Fatalf("login: %v (browser: %v)", err, first.Err())
	}
	if err := first.Err(); err != nil {
		t.Fatal(err)
	}
	tab := first.LastTab()
	text := mustText(t, tab)
	for _, want := range []string{"Signed in to work", "signed in as alice", "You can close this tab"} {
		if !strings.Contains(text, want) {
			t.Errorf("callback page: got %q, want it to say %q", text, want)
		}
	}
	shot.callbackShots(tab, "callback-ok")
	active := func(what, at string) {
		t.Helper()
		ok, err := p.Introspect(testprovider.DefaultClientID, "", at)
		if err != nil || !ok {
			t.Errorf("%s: the provider says active=%v (err %v), want an active token", what, ok, err)
		}
	}
	active("the token from the login", tok.AccessToken)
	if got := pages.seen(); len(got) == 0 || got[len(got)-1] != http.StatusOK {
		t.Errorf("loopback statuses after the login: got %v, want it to end with 200", got)
	}

	// 2. The next login on the same port. Before the person gets to it,
	// the old tab is reloaded (a second callback, with the old state, to
	// the same port) and something asks for /favicon.ico: both are
	// answered and neither ends the login.
	oldCallback, err := tab.Location()
	if err != nil {
		t.Fatal(err)
	}
	second := &LoginBrowser{C: c, Person: Person{Issuer: p.Issuer, User: "alice"}}
	strays := func(url string) error {
		if err := tab.Reload(); err != nil {
			return err
		}
		if got := mustText(t, tab); !strings.Contains(got, "does not belong to the login tokentray started") {
			t.Errorf("the reloaded old callback page: got %q, want the state mismatch explained", got)
		}
		if err := tab.Open("http://127.0.0.1:" + strconv.Itoa(port) + "/favicon.ico"); err != nil {
			return err
		}
		if got := mustText(t, tab); !strings.Contains(got, "Nothing here") {
			t.Errorf("/favicon.ico: got %q, want the not-found page", got)
		}
		return second.Browse(url)
	}
	tok2, err := client.Login(ctx, auth.LoginOptions{RedirectPort: port, Browser: browserFunc(strays), Page: pages.page})
	second.Wait()
	if err != nil {
		t.Fatalf("second login: %v (browser: %v)", err, second.Err())
	}
	if err := second.Err(); err != nil {
		t.Fatal(err)
	}
	active("the token from the second login", tok2.AccessToken)
	active("the first login's token after the reload", tok.AccessToken)
	if got := mustText(t, second.LastTab()); !strings.Contains(got, "Signed in to work") {
		t.Errorf("second callback page: got %q", got)
	}

	// 3. After success the loopback port is closed: reloading the callback
	// page now reaches nothing, and in particular redeems no code twice
	// (node-oidc-provider would revoke the tokens).
	if err := second.LastTab().Reload(); err != nil {
		t.Fatal(err)
	}
	if loc, _ := second.LastTab().Location(); !strings.HasPrefix(loc, "chrome-error:") {
		t.Errorf("reload after the login ended: the tab shows %s, want Chromium's cannot-connect page", redact(loc))
	}
	active("the second login's token after a reload", tok2.AccessToken)
	if !strings.HasPrefix(oldCallback, "http://127.0.0.1:"+strconv.Itoa(port)+"/callback?") {
		t.Errorf("the callback went to %s, want port %d", redact(oldCallback), port)
	}

	// 4. The person cancels at the provider: access_denied, said on the
	// page and in the error.
	denied := &LoginBrowser{C: c, Person: Person{Issuer: p.Issuer, Cancel: true}}
	// A fresh browser session would be needed to see the login page again;
	// prompt=login is not ours to add, so log out the provider's session by
	// starting a new browser context: a new Chromium.
	c2 := startChromium(t)
	denied.C = c2
	_, err = login(ctx, denied)
	denied.Wait()
	if err == nil || !errors.Is(err, auth.ErrCallback) || !strings.Contains(err.Error(), "access_denied") {
		t.Errorf("cancelled login: got %v, want an access_denied callback error", err)
	}
	if err := denied.Err(); err != nil {
		t.Fatal(err)
	}
	text = mustText(t, denied.LastTab())
	for _, want := range []string{"Sign-in failed for work", "access_denied", "tokentray login work"} {
		if !strings.Contains(text, want) {
			t.Errorf("denied page: got %q, want it to say %q", text, want)
		}
	}
	shot.callbackShots(denied.LastTab(), "callback-denied")

	// 5. The person closes the tab at the login page: the login ends at its
	// timeout, and says why.
	const timeout = 3 * time.Second
	closed := &LoginBrowser{C: c2, Person: Person{Issuer: p.Issuer, CloseAt: "login"}}
	tctx, cancel := context.WithTimeoutCause(ctx, timeout, errors.New("no answer from the browser within 3s"))
	defer cancel()
	start := time.Now()
	_, err = login(tctx, closed)
	closed.Wait()
	if err == nil || !strings.Contains(err.Error(), "no answer from the browser within 3s") {
		t.Errorf("login with the tab closed: got %v, want the timeout said", err)
	}
	if d := time.Since(start); d > timeout+5*time.Second {
		t.Errorf("login with the tab closed took %v, want about %v", d, timeout)
	}
	if err := closed.Err(); err != nil {
		t.Fatal(err)
	}
}

// browserFunc is an auth.Browser made of a function.
type browserFunc func(url string) error

func (f browserFunc) Browse(url string) error { return f(url) }
