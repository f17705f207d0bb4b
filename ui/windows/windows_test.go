package windows

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/pelletier/go-toml/v2"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/auth"
)

// fakeAPI records what the windows ask the agent.
type fakeAPI struct {
	mu       sync.Mutex // guards every field
	calls    []string
	secrets  map[string]string
	status   apiclient.StatusResponse
	details  apiclient.DetailsResponse
	loginURL string
	loginErr error
	token    string
	// copyErr is what CopyToClipboard answers.
	copyErr error
	// deleteErr is what DeleteSecret answers.
	deleteErr error
}

func (f *fakeAPI) rec(c string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

func (f *fakeAPI) called() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, ",")
}

func (f *fakeAPI) Status(context.Context) (apiclient.StatusResponse, error) {
	f.rec("status")
	return f.status, nil
}
func (f *fakeAPI) Details(_ context.Context, p string) (apiclient.DetailsResponse, error) {
	f.rec("details " + p)
	return f.details, nil
}
func (f *fakeAPI) Token(_ context.Context, p string, _ time.Duration) (apiclient.TokenResponse, error) {
	f.rec("token " + p)
	return apiclient.TokenResponse{AccessToken: f.token}, nil
}
func (f *fakeAPI) CopyToClipboard(_ context.Context, p string) (apiclient.ClipboardResponse, error) {
	f.rec("clipboard " + p)
	if f.copyErr != nil {
		return apiclient.ClipboardResponse{}, f.copyErr
	}
	return apiclient.ClipboardResponse{Copied: true, ClearAfter: 30}, nil
}
func (f *fakeAPI) Login(_ context.Context, p string, _ bool, onURL func(string)) error {
	f.rec("login " + p)
	if f.loginURL != "" {
		onURL(f.loginURL)
	}
	return f.loginErr
}
func (f *fakeAPI) LoginDevice(_ context.Context, p string, onCode func(apiclient.DeviceCode)) error {
	f.rec("device " + p)
	onCode(apiclient.DeviceCode{UserCode: "WDJB-MJHT", VerificationURI: "https://idp.example.com/device"})
	return f.loginErr
}
func (f *fakeAPI) CancelLogin(_ context.Context, p string) error { f.rec("cancel " + p); return nil }
func (f *fakeAPI) Password(_ context.Context, p, u, pw string) (apiclient.Status, error) {
	f.rec("password " + p + " " + u + " " + pw)
	return apiclient.Status{}, nil
}
func (f *fakeAPI) Import(_ context.Context, p, rt string) (apiclient.Status, error) {
	f.rec("import " + p + " " + rt)
	return apiclient.Status{}, nil
}
func (f *fakeAPI) Refresh(_ context.Context, p string) (apiclient.Status, error) {
	f.rec("refresh " + p)
	return apiclient.Status{}, nil
}
func (f *fakeAPI) Logout(_ context.Context, p string) (apiclient.LogoutResult, error) {
	f.rec("logout " + p)
	return apiclient.LogoutResult{}, nil
}
func (f *fakeAPI) Reload(context.Context) error { f.rec("reload"); return nil }
func (f *fakeAPI) SetSecret(_ context.Context, p, s string) (apiclient.SecretResponse, error) {
	f.rec("secret " + p)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.secrets == nil {
		f.secrets = map[string]string{}
	}
	f.secrets[p] = s
	return apiclient.SecretResponse{Stored: true}, nil
}

func (f *fakeAPI) DeleteSecret(_ context.Context, p string) error {
	f.rec("delete-secret " + p)
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.secrets, p)
	return f.deleteErr
}
func (f *fakeAPI) DeletePrivateKey(_ context.Context, p string) error {
	f.rec("delete-key " + p)
	return nil
}

// memFile is a config file in memory that keeps what Save wrote as TOML.
type memFile struct {
	cfg   *config.Config
	saved []byte
}

func (m *memFile) Load() (*config.Config, error) {
	c := *m.cfg
	return &c, nil
}

func (m *memFile) Save(c *config.Config) error {
	if probs := config.Check(c); len(probs) > 0 {
		return errors.New(probs[0].String())
	}
	b, err := toml.Marshal(c)
	if err != nil {
		return err
	}
	m.saved, m.cfg = b, c
	return nil
}

func (m *memFile) Path() string { return "/mem/config.toml" }

var now = time.Date(2026, 11, 21, 15, 0, 0, 0, time.Local)

func newEnv(t *testing.T, f *fakeAPI, file ConfigFile) *Env {
	return &Env{App: test.NewTempApp(t), API: f, Config: file, Now: func() time.Time { return now },
		Async: func(f func()) { f() }, After: func(time.Duration, func()) {},
		Discover: func(_ context.Context, issuer string) (auth.Endpoints, error) {
			return auth.Endpoints{AuthorizationURL: issuer + "/auth", TokenURL: issuer + "/token", RevocationURL: issuer + "/revoke"}, nil
		}}
}

var work = config.Profile{Name: "work", Issuer: "https://idp.example.com", ClientID: "tokentray", Scopes: []string{"openid", "offline_access"}}

func jwtOf(header, claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(header) + "." + enc(claims) + ".sig"
}

func TestDetails(t *testing.T) {
	exp := now.Add(41*time.Minute + 59*time.Second)
	f := &fakeAPI{token: "the-token", details: apiclient.DetailsResponse{
		Status: apiclient.Status{Profile: "work", State: apiclient.Valid, ExpiresAt: exp, ExpirySource: "expires_in", LastRefresh: now.Add(-time.Minute),
			NextRefresh: now.Add(30 * time.Minute), Extra: map[string]any{"org_id": "o-1"}},
		Format: "jwt", TokenType: "Bearer", Header: map[string]any{"alg": "RS256", "kid": "k"},
		Claims: map[string]any{"sub": "alice", "exp": float64(exp.Unix())}, Scope: "openid api", IssuedAt: now.Add(-time.Minute), ExpiresAt: exp, Length: 812,
	}}
	env := newEnv(t, f, &memFile{cfg: &config.Config{}})
	d := NewDetails(env, "work")
	for row, want := range map[string]string{"Token": "JWT (RS256), 812 characters", "Scopes": "openid  api", "Token type": "Bearer",
		"Expiry from": "expires_in", "Last refresh": "1 min ago): ok", "Next refresh": "in 30 min"} {
		if got := d.Row(row); !strings.Contains(got, want) {
			t.Errorf("row %s: got %q, want %q", row, got, want)
		}
	}
	if got := d.ExpiresText(); !strings.Contains(got, "expires in 41 min 59 s") {
		t.Errorf("countdown: got %q", got)
	}
	now2 := now.Add(2 * time.Second)
	env.Now = func() time.Time { return now2 }
	d.countdown()
	if got := d.ExpiresText(); !strings.Contains(got, "expires in 41 min 57 s") {
		t.Errorf("countdown two seconds later: got %q", got)
	}
	if !strings.Contains(d.ClaimsText(), `sub        "alice"`) || !strings.Contains(d.ClaimsText(), exp.Format("2006-01-02 15:04:05")) {
		t.Errorf("claims:\n%s", d.ClaimsText())
	}
	// Copy access token: the agent copies it with its clipboard owner
	// (secret hint, a clear that outlives this window); the window's own
	// clipboard never holds it.
	test.Tap(d.copyBtn)
	if got := f.called(); !strings.HasSuffix(got, ",clipboard work") || strings.Contains(got, "token work") {
		t.Errorf("calls: got %q, want the agent's clipboard asked, and no token read", got)
	}
	if got := env.App.Clipboard().Content(); got != "" {
		t.Errorf("the window's clipboard: got %q, want it untouched", got)
	}
	if got := d.note.Text; got != "Access token of work copied; it is cleared from the clipboard in 30 s." {
		t.Errorf("note: got %q", got)
	}
	f.mu.Lock()
	f.copyErr = errors.New("the agent runs without a desktop (tokentray agent), so it has no clipboard to copy to")
	f.mu.Unlock()
	test.Tap(d.copyBtn)
	if got := d.note.Text; !strings.HasPrefix(got, "Nothing copied: the agent runs without a desktop") {
		t.Errorf("note after a refused copy: got %q", got)
	}

	// Refreshes failing and the token expired: the button says why it cannot copy.
	failing := f.details
	failing.Status.State, failing.Status.Failures, failing.Status.LastError = apiclient.Expired, 3, "provider unreachable"
	d.Show(failing)
	if !d.copyBtn.Disabled() || d.copyBtn.Text != "Copy access token — refresh failing" {
		t.Errorf("refresh failing: button %q, enabled %v, want it disabled saying why", d.copyBtn.Text, !d.copyBtn.Disabled())
	}

	// An opaque token, and nothing at all.
	f.details.Format, f.details.Claims, f.details.Header = "opaque", nil, nil
	d.load()
	if !strings.Contains(d.Row("Token"), "opaque") || !strings.Contains(d.ClaimsText(), "opaque") {
		t.Errorf("opaque: token %q, claims %q", d.Row("Token"), d.ClaimsText())
	}
	d.Show(apiclient.DetailsResponse{Status: apiclient.Status{Profile: "work", State: apiclient.LoggedOut}, Format: "none"})
	if !d.copyBtn.Disabled() || !strings.Contains(d.Row("Token"), "logged out") {
		t.Errorf("no token: copy enabled %v, token row %q", !d.copyBtn.Disabled(), d.Row("Token"))
	}
}

func TestLoginBrowser(t *testing.T) {
	f := &fakeAPI{loginURL: "https://idp.example.com/auth?client_id=tokentray&state=x"}
	env := newEnv(t, f, &memFile{cfg: &config.Config{Profiles: []config.Profile{work}}})
	var closeLater []func()
	env.After = func(_ time.Duration, fn func()) { closeLater = append(closeLater, fn) }
	l := NewLogin(env, "work")
	l.Start()
	if l.URL() != f.loginURL || !strings.Contains(l.State(), "Logged in") {
		t.Errorf("after the login: URL %q, state %q", l.URL(), l.State())
	}
	test.Tap(l.copyURL)
	if got := env.App.Clipboard().Content(); got != f.loginURL {
		t.Errorf("Copy login URL: clipboard %q", got)
	}
	if len(closeLater) != 1 {
		t.Error("the window does not close itself after a login")
	}

	f.loginErr = &apiclient.Error{Code: "cancelled", Message: "login cancelled"}
	l.Start()
	if !strings.Contains(l.State(), "cancelled") || !l.retry.Visible() {
		t.Errorf("cancelled: state %q, retry shown %v", l.State(), l.retry.Visible())
	}
	l.cancel.Enable()
	test.Tap(l.cancel)
	if !strings.Contains(f.called(), "cancel work") {
		t.Errorf("Cancel: calls %s", f.called())
	}
}

func TestLoginPassword(t *testing.T) {
	p := config.Profile{Name: "veeam", TokenEndpoint: "https://b.example.com/api/oauth2/token", ClientID: "x", Login: "password", Username: "admin", Dialect: "veeam", Scopes: []string{}}
	f := &fakeAPI{}
	l := NewLogin(newEnv(t, f, &memFile{cfg: &config.Config{Profiles: []config.Profile{p}}}), "veeam")
	if l.user.Text != "admin" {
		t.Errorf("user name: got %q, want the profile's", l.user.Text)
	}
	test.Type(l.secret, "pw1")
	test.Tap(l.submit)
	if !strings.Contains(f.called(), "password veeam admin pw1") {
		t.Errorf("calls: %s", f.called())
	}
	if l.secret.Text != "" || !strings.Contains(l.State(), "Logged in") {
		t.Errorf("after: password field %q, state %q", l.secret.Text, l.State())
	}
}

func TestStatusWindow(t *testing.T) {
	f := &fakeAPI{status: apiclient.StatusResponse{Agent: apiclient.AgentInfo{Listen: "127.0.0.1:8733"}, Profiles: []apiclient.Status{
		{Profile: "work", State: apiclient.Valid, ExpiresAt: now.Add(42 * time.Minute)},
		{Profile: "ci", State: apiclient.LoginRequired},
	}}}
	env := newEnv(t, f, &memFile{cfg: &config.Config{}})
	var opened []string
	env.Open = func(args ...string) error { opened = append(opened, strings.Join(args, " ")); return nil }
	s := NewStatus(env, func() {})
	if got := s.Line("work"); got != "valid for 42 min" {
		t.Errorf("work: got %q", got)
	}
	if got := s.Line("ci"); got != "login required" {
		t.Errorf("ci: got %q", got)
	}
	if !s.hint.Visible() || !strings.Contains(s.hint.Text, "No system tray") {
		t.Errorf("hint: %q", s.hint.Text)
	}
	// The buttons: first row's Log in… opens the login window.
	var buttons []*widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Button:
			buttons = append(buttons, w)
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	walk(s.rows)
	test.Tap(buttons[0])
	if len(opened) != 1 || opened[0] != "login work" {
		t.Errorf("Log in… opened %v", opened)
	}
}

func TestLoginDevice(t *testing.T) {
	p := config.Profile{Name: "tv", Issuer: "https://idp.example.com", ClientID: "x", Login: "device", Scopes: []string{"openid"}}
	f := &fakeAPI{}
	env := newEnv(t, f, &memFile{cfg: &config.Config{Profiles: []config.Profile{p}}})
	l := NewLogin(env, "tv")
	l.Start()
	if l.Code() != "WDJB-MJHT" || l.URL() != "https://idp.example.com/device" || !strings.Contains(l.State(), "Logged in") {
		t.Errorf("device login: code %q, URL %q, state %q", l.Code(), l.URL(), l.State())
	}
	test.Tap(l.copyURL)
	if got := env.App.Clipboard().Content(); got != "WDJB-MJHT" {
		t.Errorf("Copy code: clipboard %q", got)
	}
}

func TestCheckProfile(t *testing.T) {
	two := apiclient.StatusResponse{Profiles: []apiclient.Status{{Profile: "work"}, {Profile: "ci"}}}
	tests := []struct {
		st   apiclient.StatusResponse
		name string
		want string // "" accepts
	}{
		{two, "work", ""},
		{two, "nosuchprofile", `no profile named "nosuchprofile" in the config; its profiles: work, ci`},
		{apiclient.StatusResponse{}, "work", `no profile named "work" in the config: it has no profiles yet`},
	}
	for _, tt := range tests {
		err := CheckProfile(tt.st, tt.name)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: got %v, want accepted", tt.name, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestRefusalWindow(t *testing.T) {
	env := newEnv(t, &fakeAPI{}, &memFile{cfg: &config.Config{}})
	closed := 0
	env.OnClose = func(fyne.Window) { closed++ }
	w := NewRefusal(env, errors.New(`no profile named "x" in the config; its profiles: work`))
	w.Show()
	var texts []string
	var closeBtn *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			texts = append(texts, v.Text)
		case *widget.Button:
			if v.Text == "Close" {
				closeBtn = v
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(w.Content())
	if !strings.Contains(strings.Join(texts, "|"), `no profile named "x"`) || closeBtn == nil {
		t.Fatalf("got texts %q, close button %v, want the reason and a Close button", texts, closeBtn != nil)
	}
	test.Tap(closeBtn)
	if closed != 1 {
		t.Errorf("closes: got %d, want 1", closed)
	}
}
