// Package model is the tray's and the windows' logic without any widget:
// the tray menu built from the profiles' states, the icon's overall state,
// status and countdown texts, notification decisions and the profile
// editor's validation. It is pure Go and tested without a display.
package model

import (
	"fmt"
	"strings"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
)

// Icon states, as assets.TrayIcon names them.
const (
	IconOK         = "ok"
	IconRefreshing = "refreshing"
	IconLogin      = "login"
	IconError      = "error"
	IconIdle       = "idle"
)

// Overall is the state the tray icon shows for all profiles together. A
// profile that needs a login outranks an error, which outranks a refresh
// under way; "ok" needs at least one profile with a token, "idle" is
// nothing logged in.
func Overall(ps []apiclient.Status) string {
	rank := map[string]int{IconIdle: 0, IconOK: 1, IconRefreshing: 2, IconError: 3, IconLogin: 4}
	out := IconIdle
	for _, p := range ps {
		if s := iconOf(p); rank[s] > rank[out] {
			out = s
		}
	}
	return out
}

func iconOf(p apiclient.Status) string {
	switch {
	case p.State == apiclient.LoginRequired:
		return IconLogin
	case p.State == apiclient.Unavailable, p.LastError != "", p.Failures > 0:
		return IconError
	case p.State == apiclient.Refreshing, p.LoginPending:
		return IconRefreshing
	case p.State == apiclient.Valid, p.State == apiclient.Expired:
		return IconOK
	}
	return IconIdle
}

// StatusLine is a profile's state in a few words, for a menu: "valid for
// 42 min", "login required", "refresh failing (3 tries)".
func StatusLine(p apiclient.Status, now time.Time) string {
	var s string
	if p.State == apiclient.Valid && !p.ExpiresAt.IsZero() && !p.ExpiresAt.After(now) {
		p.State = apiclient.Expired
	}
	switch p.State {
	case apiclient.Valid:
		s = "valid"
		if !p.ExpiresAt.IsZero() {
			s = "valid for " + roughly(p.ExpiresAt.Sub(now))
		}
		if p.Failures > 0 {
			s += fmt.Sprintf("; refresh failing (%d %s)", p.Failures, plural(p.Failures, "try", "tries"))
		}
	case apiclient.Refreshing:
		s = "refreshing…"
	case apiclient.Expired:
		s = "expired; refreshes when read"
		if p.Failures > 0 || p.LastError != "" {
			s = fmt.Sprintf("refresh failing (%d %s)", max(p.Failures, 1), plural(max(p.Failures, 1), "try", "tries"))
		}
	case apiclient.LoginRequired:
		s = "login required"
	case apiclient.LoggedOut:
		s = "logged out"
	case apiclient.Unavailable:
		s = "keyring unavailable"
	default:
		s = string(p.State)
	}
	if p.LoginPending {
		s = "login in progress…"
	}
	return s
}

// roughly is apiclient.Human to the minute: a menu does not tick seconds.
func roughly(d time.Duration) string {
	if d < time.Minute {
		return "< 1 min"
	}
	return apiclient.Human(d)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Action is what a menu item does.
type Action string

// The tray's actions.
const (
	ActNone       Action = ""
	ActCopyToken  Action = "copy-token"
	ActCopyBearer Action = "copy-bearer"
	ActLogin      Action = "login"
	ActRefresh    Action = "refresh"
	ActLogout     Action = "logout"
	ActDetails    Action = "details"
	ActSettings   Action = "settings"
	ActCopyCurl   Action = "copy-curl"
	ActAutostart  Action = "autostart"
	ActAbout      Action = "about"
	ActQuit       Action = "quit"
)

// Item is one entry of the tray menu.
type Item struct {
	// Key identifies the item across rebuilds (profile and action); the
	// tray updates an item in place while its key stays.
	Key       string
	Title     string
	Tooltip   string
	Action    Action
	Profile   string
	Enabled   bool
	Checkable bool
	Checked   bool
	Separator bool
	// Items is a submenu (one per profile when there are several).
	Items []Item
}

// MenuInput is what the menu is built from.
type MenuInput struct {
	Profiles []apiclient.Status
	Now      time.Time
	APIAddr  string // the token API's loopback address; "" when off
	// ListenError says why the token API's port is not served (who holds it).
	ListenError string
	Autostart   bool // start at login is on
	// AutostartSupported is false where this build cannot do it.
	AutostartSupported bool
	// Notice is a message for the user that must not depend on a
	// notification daemon ("work: nothing copied: refresh failing"): the
	// menu shows it first and the tooltip carries it. "" shows none.
	Notice string
}

// Menu is the whole tray menu.
type Menu struct {
	Icon    string // one of the Icon… states
	Tooltip string
	Items   []Item
}

// Shape is the menu's structure without its texts and states: when it
// changes the tray rebuilds the menu, otherwise it updates items in place.
func (m Menu) Shape() string {
	var b strings.Builder
	var walk func(items []Item, depth int)
	walk = func(items []Item, depth int) {
		for _, it := range items {
			fmt.Fprintf(&b, "%d:%s;", depth, it.Key)
			walk(it.Items, depth+1)
		}
	}
	walk(m.Items, 0)
	return b.String()
}

// BuildMenu makes the tray menu. One profile is shown flat; several get a
// submenu each, titled with the profile's name and state.
func BuildMenu(in MenuInput) Menu {
	m := Menu{Icon: Overall(in.Profiles)}
	var tips []string
	for _, p := range in.Profiles {
		tips = append(tips, p.Profile+": "+StatusLine(p, in.Now))
	}
	m.Tooltip = "tokentray"
	if in.Notice != "" {
		m.Tooltip += "\n" + in.Notice
	}
	if len(tips) > 0 {
		m.Tooltip += "\n" + strings.Join(tips, "\n")
	}
	if in.ListenError != "" {
		m.Tooltip += "\ntoken API not served: " + in.ListenError
	}
	sep := func(k string) Item { return Item{Key: "sep-" + k, Separator: true} }
	if in.Notice != "" {
		m.Items = append(m.Items, Item{Key: "notice", Title: "⚠ " + in.Notice}, sep("notice"))
	}
	switch len(in.Profiles) {
	case 0:
		m.Items = append(m.Items, Item{Key: "no-profiles", Title: "No profiles yet: add one in Settings…"})
	case 1:
		p := in.Profiles[0]
		m.Items = append(m.Items, Item{Key: "status/" + p.Profile, Title: p.Profile + ": " + StatusLine(p, in.Now), Tooltip: statusTooltip(p, in.Now)})
		m.Items = append(m.Items, profileActions(p, in.Now)...)
	default:
		for _, p := range in.Profiles {
			sub := Item{Key: "profile/" + p.Profile, Title: p.Profile + ": " + StatusLine(p, in.Now), Enabled: true, Tooltip: statusTooltip(p, in.Now)}
			sub.Items = profileActions(p, in.Now)
			m.Items = append(m.Items, sub)
		}
	}
	m.Items = append(m.Items, sep("global"), Item{Key: "settings", Title: "Settings…", Action: ActSettings, Enabled: true})
	if in.APIAddr != "" {
		m.Items = append(m.Items, Item{Key: "api", Title: "Token API: " + in.APIAddr, Tooltip: "Click to copy a curl example", Action: ActCopyCurl, Enabled: len(in.Profiles) > 0})
	}
	m.Items = append(m.Items,
		Item{Key: "autostart", Title: "Start at login", Action: ActAutostart, Checkable: true, Checked: in.Autostart, Enabled: in.AutostartSupported},
		Item{Key: "about", Title: "About tokentray", Action: ActAbout, Enabled: true},
		sep("quit"),
		Item{Key: "quit", Title: "Quit", Action: ActQuit, Enabled: true},
	)
	return m
}

func statusTooltip(p apiclient.Status, now time.Time) string {
	return p.Summary(now)
}

// CopyBlocked says in a few words why the profile's access token cannot
// be copied now ("refresh failing", "login required"), "" when it can: the
// token is valid, or it expired and the read that copies it refreshes it.
// A copy that cannot happen is refused at once with this reason instead of
// waiting on the agent for a token that will not come.
func CopyBlocked(p apiclient.Status, now time.Time) string {
	switch p.State {
	case apiclient.Valid, apiclient.Refreshing, apiclient.Expired:
		if p.State != apiclient.Expired && (p.ExpiresAt.IsZero() || p.ExpiresAt.After(now)) {
			return ""
		}
		if p.Failures > 0 || p.LastError != "" {
			return "refresh failing"
		}
		return ""
	case apiclient.LoginRequired:
		return "login required"
	case apiclient.LoggedOut:
		return "not logged in"
	case apiclient.Unavailable:
		return "keyring unavailable"
	}
	return StatusLine(p, now)
}

// CopyTitle is a copy item's title: the action, and why it cannot be done
// when it cannot ("Copy access token — refresh failing").
func CopyTitle(title, blocked string) string {
	if blocked == "" {
		return title
	}
	return title + " — " + blocked
}

// profileActions are a profile's items, enabled as its state allows.
func profileActions(p apiclient.Status, now time.Time) []Item {
	hasToken := p.State == apiclient.Valid || p.State == apiclient.Expired || p.State == apiclient.Refreshing
	hasGrant := hasToken || p.State == apiclient.LoginRequired
	blocked := CopyBlocked(p, now)
	loginTitle := "Log in…"
	if p.LoginPending {
		loginTitle = "Login in progress…"
	}
	k := func(a Action) string { return string(a) + "/" + p.Profile }
	return []Item{
		{Key: k(ActCopyToken), Title: CopyTitle("Copy access token", blocked), Action: ActCopyToken, Profile: p.Profile, Enabled: blocked == ""},
		{Key: k(ActCopyBearer), Title: CopyTitle("Copy as Authorization: Bearer …", blocked), Action: ActCopyBearer, Profile: p.Profile, Enabled: blocked == ""},
		{Key: k(ActDetails), Title: "Token details…", Action: ActDetails, Profile: p.Profile, Enabled: hasToken},
		{Key: k(ActLogin), Title: loginTitle, Action: ActLogin, Profile: p.Profile, Enabled: p.State != apiclient.Unavailable},
		{Key: k(ActRefresh), Title: "Refresh now", Action: ActRefresh, Profile: p.Profile, Enabled: hasToken && p.State != apiclient.Refreshing},
		{Key: k(ActLogout), Title: "Log out", Action: ActLogout, Profile: p.Profile, Enabled: hasGrant},
	}
}

// BearerLine is what "Copy as Authorization: Bearer …" puts on the clipboard.
func BearerLine(accessToken string) string { return "Authorization: Bearer " + accessToken }

// CurlExample is what clicking the token API's address copies.
func CurlExample(addr, profile string) string {
	return fmt.Sprintf("curl -s -H 'Accept: text/plain' http://%s/v1/token/%s", addr, profile)
}

// NextTextChange is when a status line built at now next changes by
// itself (a "valid for N min" that ticks down, a token that expires),
// zero when none will: the tray sleeps until then instead of polling.
func NextTextChange(ps []apiclient.Status, now time.Time) time.Time {
	var next time.Time
	for _, p := range ps {
		if p.State != apiclient.Valid || p.ExpiresAt.IsZero() {
			continue
		}
		left := p.ExpiresAt.Sub(now)
		if left <= 0 {
			continue
		}
		step := time.Minute
		if left >= 48*time.Hour {
			step = time.Hour
		}
		// The text changes just after left drops below a multiple of step
		// (and once more when the token expires).
		at := now.Add(left%step + 10*time.Millisecond)
		if left < time.Minute {
			at = p.ExpiresAt.Add(10 * time.Millisecond)
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

// FromTrayEnv is set (to 1) in the environment of the window processes
// the tray starts: a window that cannot open then says so in a window of
// its own, since nobody reads the agent's standard error.
const FromTrayEnv = "TOKENTRAY_UI_FROM_TRAY"

// ExitQuitAgent is the exit status of a window process whose user chose
// "Quit tokentray" (the status window shown when there is no tray): the
// agent that started it then quits.
const ExitQuitAgent = 75
