package model

import (
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
)

var now = time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)

func st(name string, state apiclient.State, f func(*apiclient.Status)) apiclient.Status {
	s := apiclient.Status{Profile: name, State: state}
	if f != nil {
		f(&s)
	}
	return s
}

func TestOverall(t *testing.T) {
	valid := st("a", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(time.Hour) })
	tests := []struct {
		name string
		ps   []apiclient.Status
		want string
	}{
		{"nothing", nil, IconIdle},
		{"logged out", []apiclient.Status{st("a", apiclient.LoggedOut, nil)}, IconIdle},
		{"valid", []apiclient.Status{valid}, IconOK},
		{"expired is still ok: it refreshes on use", []apiclient.Status{st("a", apiclient.Expired, nil)}, IconOK},
		{"refreshing", []apiclient.Status{valid, st("b", apiclient.Refreshing, nil)}, IconRefreshing},
		{"login pending", []apiclient.Status{st("b", apiclient.LoggedOut, func(s *apiclient.Status) { s.LoginPending = true })}, IconRefreshing},
		{"failing", []apiclient.Status{valid, st("b", apiclient.Valid, func(s *apiclient.Status) { s.Failures = 2; s.LastError = "x" })}, IconError},
		{"keyring", []apiclient.Status{st("b", apiclient.Unavailable, nil)}, IconError},
		{"login beats error", []apiclient.Status{st("a", apiclient.Unavailable, nil), st("b", apiclient.LoginRequired, nil)}, IconLogin},
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
		s    apiclient.Status
		want string
	}{
		{st("a", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(42*time.Minute + 30*time.Second) }), "valid for 42 min"},
		{st("a", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(20 * time.Second) }), "valid for < 1 min"},
		{st("a", apiclient.Valid, nil), "valid"},
		{st("a", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(time.Hour); s.Failures = 1 }), "valid for 1 h 0 min; refresh failing (1 try)"},
		{st("a", apiclient.Expired, nil), "expired; refreshes when read"},
		{st("a", apiclient.Expired, func(s *apiclient.Status) { s.Failures = 3; s.LastError = "503" }), "refresh failing (3 tries)"},
		{st("a", apiclient.Refreshing, nil), "refreshing…"},
		{st("a", apiclient.LoginRequired, func(s *apiclient.Status) { s.Reason = "invalid_grant" }), "login required"},
		{st("a", apiclient.LoggedOut, nil), "logged out"},
		{st("a", apiclient.LoggedOut, func(s *apiclient.Status) { s.LoginPending = true }), "login in progress…"},
		{st("a", apiclient.Unavailable, nil), "keyring unavailable"},
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
	valid := st("work", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(42 * time.Minute) })
	t.Run("one profile is flat", func(t *testing.T) {
		m := BuildMenu(MenuInput{Profiles: []apiclient.Status{valid}, Now: now, APIAddr: "127.0.0.1:8733", Autostart: true, AutostartSupported: true})
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
	t.Run("the port held by someone else is in the tooltip", func(t *testing.T) {
		held := "port 8733 is held by uid 65534, pid 4242 (squat)"
		m := BuildMenu(MenuInput{Profiles: []apiclient.Status{valid}, Now: now, ListenError: held})
		if want := "token API not served: " + held; !strings.Contains(m.Tooltip, want) {
			t.Errorf("tooltip: got %q, want it to contain %q", m.Tooltip, want)
		}
	})
	t.Run("enabled by state", func(t *testing.T) {
		tests := []struct {
			s                                   apiclient.Status
			copy, login, refresh, logout, detls bool
		}{
			{valid, true, true, true, true, true},
			{st("work", apiclient.LoggedOut, nil), false, true, false, false, false},
			{st("work", apiclient.LoginRequired, nil), false, true, false, true, false},
			{st("work", apiclient.Refreshing, nil), true, true, false, true, true},
			{st("work", apiclient.Expired, nil), true, true, true, true, true},
			{st("work", apiclient.Unavailable, nil), false, false, false, false, false},
		}
		for _, tt := range tests {
			m := BuildMenu(MenuInput{Profiles: []apiclient.Status{tt.s}, Now: now})
			for key, want := range map[string]bool{"copy-token/work": tt.copy, "copy-bearer/work": tt.copy, "login/work": tt.login,
				"refresh/work": tt.refresh, "logout/work": tt.logout, "details/work": tt.detls} {
				if it, ok := find(m.Items, key); !ok || it.Enabled != want {
					t.Errorf("%s in state %s: got enabled %v (found %v), want %v", key, tt.s.State, it.Enabled, ok, want)
				}
			}
		}
	})
	t.Run("several profiles get submenus", func(t *testing.T) {
		m := BuildMenu(MenuInput{Profiles: []apiclient.Status{valid, st("ci", apiclient.LoginRequired, nil)}, Now: now})
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
		a := BuildMenu(MenuInput{Profiles: []apiclient.Status{valid}, Now: now})
		b := BuildMenu(MenuInput{Profiles: []apiclient.Status{st("work", apiclient.LoginRequired, nil)}, Now: now})
		c := BuildMenu(MenuInput{Profiles: []apiclient.Status{valid, st("ci", apiclient.LoggedOut, nil)}, Now: now})
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
		ps   []apiclient.Status
		want time.Duration // from now; -1 for none
	}{
		{"nothing valid", []apiclient.Status{st("a", apiclient.LoggedOut, nil)}, -1},
		{"no expiry", []apiclient.Status{st("a", apiclient.Valid, nil)}, -1},
		{"minutes", []apiclient.Status{st("a", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(42*time.Minute + 30*time.Second) })}, 30*time.Second + 10*time.Millisecond},
		{"last minute: at expiry", []apiclient.Status{st("a", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(40 * time.Second) })}, 40*time.Second + 10*time.Millisecond},
		{"earliest of two", []apiclient.Status{
			st("a", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(10*time.Minute + 50*time.Second) }),
			st("b", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(3*time.Minute + 5*time.Second) })}, 5*time.Second + 10*time.Millisecond},
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
	failingSt := st("w", apiclient.Valid, func(s *apiclient.Status) { s.Failures = 2; s.LastError = "provider unreachable" })
	steps := []struct {
		t    time.Duration
		ps   []apiclient.Status
		want string
	}{
		{0, []apiclient.Status{st("w", apiclient.Valid, nil)}, ""},
		{time.Minute, []apiclient.Status{st("w", apiclient.LoginRequired, nil)}, "w:login"},
		{2 * time.Minute, []apiclient.Status{st("w", apiclient.LoginRequired, nil)}, ""}, // once, not in a loop
		{3 * time.Minute, []apiclient.Status{st("w", apiclient.Valid, nil)}, ""},
		{4 * time.Minute, []apiclient.Status{st("w", apiclient.LoginRequired, nil)}, "w:login"}, // a new episode
		{5 * time.Minute, []apiclient.Status{st("w", apiclient.Valid, nil)}, ""},
		{6 * time.Minute, []apiclient.Status{failingSt}, ""},
		{9 * time.Minute, []apiclient.Status{st("w", apiclient.Refreshing, nil)}, ""}, // a retry under way is not a recovery
		{10 * time.Minute, []apiclient.Status{failingSt}, ""},
		{11 * time.Minute, []apiclient.Status{failingSt}, "w:failing"},
		{30 * time.Minute, []apiclient.Status{failingSt}, ""},
		{31 * time.Minute, []apiclient.Status{st("w", apiclient.Valid, nil)}, ""},
		{32 * time.Minute, []apiclient.Status{failingSt}, ""},
		{38 * time.Minute, []apiclient.Status{failingSt, st("k", apiclient.Unavailable, func(s *apiclient.Status) { s.Reason = "locked" })}, "w:failing"},
		{44 * time.Minute, []apiclient.Status{failingSt, st("k", apiclient.Unavailable, nil)}, "k:failing"},
	}
	for _, s := range steps {
		if got := kinds(n.Update(s.ps, at(s.t))); got != s.want {
			t.Errorf("at +%v: got %q, want %q", s.t, got, s.want)
		}
	}
	n2 := &Notifier{}
	n2.Update([]apiclient.Status{failingSt}, now)
	if got := n2.NextCheck(); !got.Equal(now.Add(5 * time.Minute)) {
		t.Errorf("NextCheck: got %v, want now+5m", got)
	}
	ns := n2.Update([]apiclient.Status{failingSt}, now.Add(5*time.Minute))
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

// Copying while refreshes fail used to be an enabled item that waited on
// the agent for half a minute and then failed where nobody looked.
func TestCopyBlocked(t *testing.T) {
	failing := func(s *apiclient.Status) { s.Failures, s.LastError = 3, "provider unreachable" }
	tests := []struct {
		name string
		s    apiclient.Status
		want string
	}{
		{"valid", st("w", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(time.Minute) }), ""},
		{"valid, refresh failing, token still good", st("w", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(time.Minute); failing(s) }), ""},
		{"valid without expiry", st("w", apiclient.Valid, nil), ""},
		{"expired, refreshes when read", st("w", apiclient.Expired, nil), ""},
		{"expired, refresh failing", st("w", apiclient.Expired, failing), "refresh failing"},
		{"valid past its expiry, refresh failing", st("w", apiclient.Valid, func(s *apiclient.Status) { s.ExpiresAt = now.Add(-time.Second); failing(s) }), "refresh failing"},
		{"refreshing again after failures, token expired", st("w", apiclient.Refreshing, func(s *apiclient.Status) { s.ExpiresAt = now.Add(-time.Minute); failing(s) }), "refresh failing"},
		{"refreshing, token good", st("w", apiclient.Refreshing, func(s *apiclient.Status) { s.ExpiresAt = now.Add(time.Minute) }), ""},
		{"login required", st("w", apiclient.LoginRequired, nil), "login required"},
		{"logged out", st("w", apiclient.LoggedOut, nil), "not logged in"},
		{"keyring unavailable", st("w", apiclient.Unavailable, nil), "keyring unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CopyBlocked(tt.s, now); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			m := BuildMenu(MenuInput{Profiles: []apiclient.Status{tt.s}, Now: now})
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
	in := MenuInput{Profiles: []apiclient.Status{st("work", apiclient.Expired, nil)}, Now: now}
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
