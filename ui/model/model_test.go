package model

import (
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/auth"
)

var now = time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)

func st(name string, state session.State, f func(*session.Status)) session.Status {
	s := session.Status{Profile: name, State: state}
	if f != nil {
		f(&s)
	}
	return s
}

func TestOverall(t *testing.T) {
	valid := st("a", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(time.Hour) })
	tests := []struct {
		name string
		ps   []session.Status
		want string
	}{
		{"nothing", nil, IconIdle},
		{"logged out", []session.Status{st("a", session.LoggedOut, nil)}, IconIdle},
		{"valid", []session.Status{valid}, IconOK},
		{"expired is still ok: it refreshes on use", []session.Status{st("a", session.Expired, nil)}, IconOK},
		{"refreshing", []session.Status{valid, st("b", session.Refreshing, nil)}, IconRefreshing},
		{"login pending", []session.Status{st("b", session.LoggedOut, func(s *session.Status) { s.LoginPending = true })}, IconRefreshing},
		{"failing", []session.Status{valid, st("b", session.Valid, func(s *session.Status) { s.Failures = 2; s.LastError = "x" })}, IconError},
		{"keyring", []session.Status{st("b", session.Unavailable, nil)}, IconError},
		{"login beats error", []session.Status{st("a", session.Unavailable, nil), st("b", session.LoginRequired, nil)}, IconLogin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Overall(tt.ps); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatusLine(t *testing.T) {
	tests := []struct {
		s    session.Status
		want string
	}{
		{st("a", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(42*time.Minute + 30*time.Second) }), "valid for 42 min"},
		{st("a", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(20 * time.Second) }), "valid for < 1 min"},
		{st("a", session.Valid, nil), "valid"},
		{st("a", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(time.Hour); s.Failures = 1 }), "valid for 1 h 0 min; refresh failing (1 try)"},
		{st("a", session.Expired, nil), "expired; refreshes when read"},
		{st("a", session.Expired, func(s *session.Status) { s.Failures = 3; s.LastError = "503" }), "refresh failing (3 tries)"},
		{st("a", session.Refreshing, nil), "refreshing…"},
		{st("a", session.LoginRequired, func(s *session.Status) { s.Reason = "invalid_grant" }), "login required"},
		{st("a", session.LoggedOut, nil), "logged out"},
		{st("a", session.LoggedOut, func(s *session.Status) { s.LoginPending = true }), "login in progress…"},
		{st("a", session.Unavailable, nil), "keyring unavailable"},
	}
	for _, tt := range tests {
		if got := StatusLine(tt.s, now); got != tt.want {
			t.Errorf("StatusLine(%+v): got %q, want %q", tt.s, got, tt.want)
		}
	}
}

func find(items []Item, key string) (Item, bool) {
	for _, it := range items {
		if it.Key == key {
			return it, true
		}
		if sub, ok := find(it.Items, key); ok {
			return sub, true
		}
	}
	return Item{}, false
}

func TestBuildMenu(t *testing.T) {
	valid := st("work", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(42 * time.Minute) })
	t.Run("one profile is flat", func(t *testing.T) {
		m := BuildMenu(MenuInput{Profiles: []session.Status{valid}, Now: now, APIAddr: "127.0.0.1:8733", Autostart: true, AutostartSupported: true})
		if m.Icon != IconOK {
			t.Errorf("icon: got %q, want ok", m.Icon)
		}
		var titles []string
		for _, it := range m.Items {
			titles = append(titles, it.Title)
		}
		want := []string{"work: valid for 42 min", "Copy access token", "Copy as Authorization: Bearer …", "Token details…", "Log in…", "Refresh now", "Log out",
			"", "Settings…", "Token API: 127.0.0.1:8733", "Start at login", "About tokentray", "", "Quit"}
		if strings.Join(titles, "|") != strings.Join(want, "|") {
			t.Errorf("titles:\ngot  %q\nwant %q", titles, want)
		}
		if it, _ := find(m.Items, "autostart"); !it.Checked || !it.Checkable {
			t.Errorf("autostart: got %+v, want a checked checkbox", it)
		}
		if !strings.Contains(m.Tooltip, "work: valid for 42 min") {
			t.Errorf("tooltip: got %q", m.Tooltip)
		}
	})
	t.Run("enabled by state", func(t *testing.T) {
		tests := []struct {
			s                                   session.Status
			copy, login, refresh, logout, detls bool
		}{
			{valid, true, true, true, true, true},
			{st("work", session.LoggedOut, nil), false, true, false, false, false},
			{st("work", session.LoginRequired, nil), false, true, false, true, false},
			{st("work", session.Refreshing, nil), true, true, false, true, true},
			{st("work", session.Expired, nil), true, true, true, true, true},
			{st("work", session.Unavailable, nil), false, false, false, false, false},
		}
		for _, tt := range tests {
			m := BuildMenu(MenuInput{Profiles: []session.Status{tt.s}, Now: now})
			for key, want := range map[string]bool{"copy-token/work": tt.copy, "copy-bearer/work": tt.copy, "login/work": tt.login,
				"refresh/work": tt.refresh, "logout/work": tt.logout, "details/work": tt.detls} {
				if it, ok := find(m.Items, key); !ok || it.Enabled != want {
					t.Errorf("%s in state %s: got enabled %v (found %v), want %v", key, tt.s.State, it.Enabled, ok, want)
				}
			}
		}
	})
	t.Run("several profiles get submenus", func(t *testing.T) {
		m := BuildMenu(MenuInput{Profiles: []session.Status{valid, st("ci", session.LoginRequired, nil)}, Now: now})
		if m.Icon != IconLogin {
			t.Errorf("icon: got %q, want login", m.Icon)
		}
		sub, ok := find(m.Items, "profile/ci")
		if !ok || sub.Title != "ci: login required" || len(sub.Items) != 6 || sub.Items[0].Action != ActCopyToken || sub.Items[0].Profile != "ci" {
			t.Errorf("ci submenu: got %+v", sub)
		}
		if _, ok := find(m.Items, "api"); ok {
			t.Error("the token API item is there with listen off")
		}
	})
	t.Run("shape changes with the profiles, not with states", func(t *testing.T) {
		a := BuildMenu(MenuInput{Profiles: []session.Status{valid}, Now: now})
		b := BuildMenu(MenuInput{Profiles: []session.Status{st("work", session.LoginRequired, nil)}, Now: now})
		c := BuildMenu(MenuInput{Profiles: []session.Status{valid, st("ci", session.LoggedOut, nil)}, Now: now})
		if a.Shape() != b.Shape() {
			t.Errorf("a state change changed the shape:\n%s\n%s", a.Shape(), b.Shape())
		}
		if a.Shape() == c.Shape() {
			t.Error("a new profile did not change the shape")
		}
	})
	t.Run("no profiles", func(t *testing.T) {
		m := BuildMenu(MenuInput{Now: now, APIAddr: "127.0.0.1:8733"})
		if m.Icon != IconIdle || m.Items[0].Key != "no-profiles" {
			t.Errorf("got %+v", m)
		}
	})
}

func TestNextTextChange(t *testing.T) {
	tests := []struct {
		name string
		ps   []session.Status
		want time.Duration // from now; -1 for none
	}{
		{"nothing valid", []session.Status{st("a", session.LoggedOut, nil)}, -1},
		{"no expiry", []session.Status{st("a", session.Valid, nil)}, -1},
		{"minutes", []session.Status{st("a", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(42*time.Minute + 30*time.Second) })}, 30*time.Second + 10*time.Millisecond},
		{"last minute: at expiry", []session.Status{st("a", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(40 * time.Second) })}, 40*time.Second + 10*time.Millisecond},
		{"earliest of two", []session.Status{
			st("a", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(10*time.Minute + 50*time.Second) }),
			st("b", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(3*time.Minute + 5*time.Second) })}, 5*time.Second + 10*time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextTextChange(tt.ps, now)
			if tt.want < 0 {
				if !got.IsZero() {
					t.Errorf("got %v, want none", got)
				}
				return
			}
			if got.Sub(now) != tt.want {
				t.Errorf("got now+%v, want now+%v", got.Sub(now), tt.want)
			}
			// And the text really changes there, not before.
			before, after := StatusLine(tt.ps[len(tt.ps)-1], got.Add(-20*time.Millisecond)), StatusLine(tt.ps[len(tt.ps)-1], got)
			if tt.name != "earliest of two" && before == after {
				t.Errorf("text at the change: %q before and after", before)
			}
		})
	}
}

func TestNotifier(t *testing.T) {
	n := &Notifier{FailingAfter: 5 * time.Minute}
	at := func(d time.Duration) time.Time { return now.Add(d) }
	kinds := func(ns []Notice) string {
		var ks []string
		for _, x := range ns {
			ks = append(ks, x.Profile+":"+x.Kind)
		}
		return strings.Join(ks, ",")
	}
	failingSt := st("w", session.Valid, func(s *session.Status) { s.Failures = 2; s.LastError = "provider unreachable" })
	steps := []struct {
		t    time.Duration
		ps   []session.Status
		want string
	}{
		{0, []session.Status{st("w", session.Valid, nil)}, ""},
		{time.Minute, []session.Status{st("w", session.LoginRequired, nil)}, "w:login"},
		{2 * time.Minute, []session.Status{st("w", session.LoginRequired, nil)}, ""}, // once, not in a loop
		{3 * time.Minute, []session.Status{st("w", session.Valid, nil)}, ""},
		{4 * time.Minute, []session.Status{st("w", session.LoginRequired, nil)}, "w:login"}, // a new episode
		{5 * time.Minute, []session.Status{st("w", session.Valid, nil)}, ""},
		{6 * time.Minute, []session.Status{failingSt}, ""},
		{9 * time.Minute, []session.Status{st("w", session.Refreshing, nil)}, ""}, // a retry under way is not a recovery
		{10 * time.Minute, []session.Status{failingSt}, ""},
		{11 * time.Minute, []session.Status{failingSt}, "w:failing"},
		{30 * time.Minute, []session.Status{failingSt}, ""},
		{31 * time.Minute, []session.Status{st("w", session.Valid, nil)}, ""},
		{32 * time.Minute, []session.Status{failingSt}, ""},
		{38 * time.Minute, []session.Status{failingSt, st("k", session.Unavailable, func(s *session.Status) { s.Reason = "locked" })}, "w:failing"},
		{44 * time.Minute, []session.Status{failingSt, st("k", session.Unavailable, nil)}, "k:failing"},
	}
	for _, s := range steps {
		if got := kinds(n.Update(s.ps, at(s.t))); got != s.want {
			t.Errorf("at +%v: got %q, want %q", s.t, got, s.want)
		}
	}
	n2 := &Notifier{}
	n2.Update([]session.Status{failingSt}, now)
	if got := n2.NextCheck(); !got.Equal(now.Add(5 * time.Minute)) {
		t.Errorf("NextCheck: got %v, want now+5m", got)
	}
	ns := n2.Update([]session.Status{failingSt}, now.Add(5*time.Minute))
	if len(ns) != 1 || !strings.Contains(ns[0].Body, "provider unreachable") || !strings.Contains(ns[0].Title, "5 min") {
		t.Errorf("failing notice: got %+v", ns)
	}
	if got := n2.NextCheck(); !got.IsZero() {
		t.Errorf("NextCheck after the notice: got %v, want none", got)
	}
}

func TestCountdown(t *testing.T) {
	tests := []struct {
		exp  time.Time
		want string
	}{
		{time.Time{}, "expiry unknown"},
		{now.Add(59 * time.Second), "expires in 59 s"},
		{now.Add(41*time.Minute + 59*time.Second + 500*time.Millisecond), "expires in 41 min 59 s"},
		{now.Add(2*time.Hour + 5*time.Minute + 9*time.Second), "expires in 2 h 05 min 09 s"},
		{now.Add(75 * time.Hour), "expires in 3 days 3 h"},
		{now.Add(-3 * time.Minute), "expired 3 min 00 s ago"},
		{now, "expired 0 s ago"},
	}
	for _, tt := range tests {
		if got := Countdown(tt.exp, now); got != tt.want {
			t.Errorf("Countdown(now%+v): got %q, want %q", tt.exp.Sub(now), got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Draft{Name: "work", Issuer: "https://idp.example.com", ClientID: "tokentray", Scopes: "openid offline_access"}
	tests := []struct {
		name   string
		edit   func(d *Draft)
		isNew  bool
		others []string
		want   []string // field keys with a problem
	}{
		{"good", func(d *Draft) {}, true, nil, nil},
		{"empty", func(d *Draft) { *d = Draft{} }, true, nil, []string{FName, FIssuer, FAuthorizationEndpoint, FClientID, FScopes}},
		{"bad name", func(d *Draft) { d.Name = "my work" }, true, nil, []string{FName}},
		{"taken name", func(d *Draft) {}, true, []string{"work"}, []string{FName}},
		{"http issuer", func(d *Draft) { d.Issuer = "http://idp.example.com" }, false, nil, []string{FIssuer}},
		{"loopback http is fine", func(d *Draft) { d.Issuer = "http://127.0.0.1:9400" }, false, nil, nil},
		{"port", func(d *Draft) { d.RedirectPort = "80a" }, false, nil, []string{FRedirectPort}},
		{"port range", func(d *Draft) { d.RedirectPort = "70000" }, false, nil, []string{FRedirectPort}},
		{"lifetime", func(d *Draft) { d.DefaultLifetime = "an hour" }, false, nil, []string{FDefaultLifetime}},
		{"secret for a new confidential client", func(d *Draft) { d.ClientAuth = "client_secret_basic" }, true, nil, []string{FSecret}},
		{"an existing one keeps its stored secret", func(d *Draft) { d.ClientAuth = "client_secret_basic" }, false, nil, nil},
		{"secret given", func(d *Draft) { d.ClientAuth = "client_secret_post"; d.Secret = "s" }, true, nil, nil},
		{"a key may come from the keyring", func(d *Draft) { d.ClientAuth = "private_key_jwt" }, false, nil, nil},
		{"a preset decides the client auth", func(d *Draft) { d.Preset = "pagero"; d.Issuer = "" }, true, nil, []string{FSecret}},
		{"a preset that needs a domain", func(d *Draft) { d.Preset = "veeam"; d.Issuer = ""; d.Scopes = "" }, false, nil, []string{FScopes, FPreset}},
		{"a preset with its domain needs no scope", func(d *Draft) { d.Preset = "veeam"; d.Domain = "b.example.com"; d.Issuer = ""; d.Scopes = "" }, false, nil, nil},
		{"unknown method", func(d *Draft) { d.ClientAuth = "magic" }, false, nil, []string{FClientAuth}},
		{"password login needs no scope", func(d *Draft) { d.Login = "password"; d.Scopes = "" }, false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good
			tt.edit(&d)
			probs := Validate(d, tt.others, tt.isNew)
			var got []string
			for _, k := range []string{FName, FIssuer, FAuthorizationEndpoint, FTokenEndpoint, FClientID, FScopes, FClientAuth, FRedirectPort, FDefaultLifetime, FSecret, FPrivateKeyFile, FPreset, FDomain} {
				if probs[k] != "" {
					got = append(got, k)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("problems: got %v, want %v (%v)", got, tt.want, probs)
			}
		})
	}
}

func TestDraftRoundTrip(t *testing.T) {
	p := config.Profile{Name: "v", TokenEndpoint: "https://b.example.com/api/oauth2/token", ClientID: "x", Scopes: []string{"a", "b"},
		Dialect: "veeam", Login: "password", RedirectPort: 8400, DefaultLifetime: config.Duration{Duration: 15 * time.Minute},
		ExtraParams: map[string]string{"k": "v"}, ExtraHeaders: map[string]string{"x-api-version": "1.1"}}
	got, probs := DraftOf(p).Profile()
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	if got.Name != p.Name || got.RedirectPort != 8400 || got.DefaultLifetime != p.DefaultLifetime || strings.Join(got.Scopes, " ") != "a b" ||
		got.ExtraParams["k"] != "v" || got.ExtraHeaders["x-api-version"] != "1.1" || got.Dialect != "veeam" {
		t.Errorf("round trip: got %+v, want %+v", got, p)
	}
}

func TestPresetsAndDiscovery(t *testing.T) {
	ps := Presets()
	if len(ps) < 5 || ps[0].Name != "oidc" {
		t.Fatalf("Presets: got %+v, want oidc first and the seed providers", ps)
	}
	d, err := ApplyPreset(NewDraft(), "veeam", map[string]string{"domain": "backup.example.com:9419"})
	if err != nil {
		t.Fatal(err)
	}
	if d.TokenEndpoint != "https://backup.example.com:9419/api/oauth2/token" || d.Dialect != "veeam" || d.Login != "password" || d.Scopes != "" || d.Preset != "veeam" || d.Domain != "backup.example.com:9419" {
		t.Errorf("veeam preset: got %+v", d)
	}
	if _, err := ApplyPreset(NewDraft(), "veeam", nil); err == nil {
		t.Error("veeam preset without a domain: got no error")
	}
	d, _ = ApplyPreset(NewDraft(), "veeam-v1", map[string]string{"domain": "b.example.com", "api_version": "1.2-rev1"})
	if d.ExtraHeaders["x-api-version"] != "1.2-rev1" || d.APIVersion != "1.2-rev1" {
		t.Errorf("veeam-v1 header: got %v", d.ExtraHeaders)
	}
	d, _ = ApplyPreset(NewDraft(), "pagero", nil)
	if d.ClientAuth != "client_secret_basic" || d.TokenEndpoint != "https://sso.pageroonline.com/oauth/v2/oauth-token" {
		t.Errorf("pagero preset: got %+v", d)
	}

	// Discovered endpoints show in the form but stay out of the file.
	d = Draft{Name: "w", Issuer: "https://idp.example.com", ClientID: "c", Scopes: "openid"}
	d = ApplyDiscovery(d, auth.Endpoints{AuthorizationURL: "https://idp.example.com/auth", TokenURL: "https://idp.example.com/token", RevocationURL: "https://idp.example.com/revoke"})
	if d.TokenEndpoint != "https://idp.example.com/token" {
		t.Errorf("discovery did not fill the form: %+v", d)
	}
	p, _ := d.Profile()
	if p.TokenEndpoint != "" || p.AuthorizationEndpoint != "" || p.RevocationEndpoint != "" {
		t.Errorf("discovered endpoints written to the profile: %+v", p)
	}
	d.TokenEndpoint = "https://idp.example.com/other-token"
	if p, _ := d.Profile(); p.TokenEndpoint != "https://idp.example.com/other-token" {
		t.Errorf("an edited endpoint was dropped: %+v", p)
	}
	d.Issuer = "https://other.example.com"
	if p, _ := d.Profile(); p.AuthorizationEndpoint == "" {
		t.Errorf("endpoints discovered for another issuer were dropped: %+v", p)
	}
}

// Copying while refreshes fail used to be an enabled item that waited on
// the agent for half a minute and then failed where nobody looked.
func TestCopyBlocked(t *testing.T) {
	failing := func(s *session.Status) { s.Failures, s.LastError = 3, "provider unreachable" }
	tests := []struct {
		name string
		s    session.Status
		want string
	}{
		{"valid", st("w", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(time.Minute) }), ""},
		{"valid, refresh failing, token still good", st("w", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(time.Minute); failing(s) }), ""},
		{"valid without expiry", st("w", session.Valid, nil), ""},
		{"expired, refreshes when read", st("w", session.Expired, nil), ""},
		{"expired, refresh failing", st("w", session.Expired, failing), "refresh failing"},
		{"valid past its expiry, refresh failing", st("w", session.Valid, func(s *session.Status) { s.ExpiresAt = now.Add(-time.Second); failing(s) }), "refresh failing"},
		{"refreshing again after failures, token expired", st("w", session.Refreshing, func(s *session.Status) { s.ExpiresAt = now.Add(-time.Minute); failing(s) }), "refresh failing"},
		{"refreshing, token good", st("w", session.Refreshing, func(s *session.Status) { s.ExpiresAt = now.Add(time.Minute) }), ""},
		{"login required", st("w", session.LoginRequired, nil), "login required"},
		{"logged out", st("w", session.LoggedOut, nil), "not logged in"},
		{"keyring unavailable", st("w", session.Unavailable, nil), "keyring unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CopyBlocked(tt.s, now); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			m := BuildMenu(MenuInput{Profiles: []session.Status{tt.s}, Now: now})
			for key, title := range map[string]string{"copy-token/w": "Copy access token", "copy-bearer/w": "Copy as Authorization: Bearer …"} {
				it, _ := find(m.Items, key)
				wantTitle := title
				if tt.want != "" {
					wantTitle += " — " + tt.want
				}
				if it.Enabled != (tt.want == "") || it.Title != wantTitle {
					t.Errorf("%s: got %q enabled %v, want %q enabled %v", key, it.Title, it.Enabled, wantTitle, tt.want == "")
				}
			}
		})
	}
}

func TestMenuNotice(t *testing.T) {
	in := MenuInput{Profiles: []session.Status{st("work", session.Expired, nil)}, Now: now}
	plain := BuildMenu(in)
	in.Notice = "work: nothing copied: refresh failing"
	m := BuildMenu(in)
	if m.Items[0].Key != "notice" || m.Items[0].Title != "⚠ work: nothing copied: refresh failing" || m.Items[0].Enabled {
		t.Errorf("first item: got %+v, want the notice, not clickable", m.Items[0])
	}
	if !strings.Contains(m.Tooltip, in.Notice) {
		t.Errorf("tooltip: got %q, want it to carry %q", m.Tooltip, in.Notice)
	}
	if plain.Shape() == m.Shape() {
		t.Error("the notice did not change the menu's shape")
	}
	if _, ok := find(plain.Items, "notice"); ok {
		t.Error("a notice without one")
	}
}
