package model

import (
	"fmt"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
)

// Notice is a desktop notification to show.
type Notice struct {
	Profile string
	// Kind is "login" (the profile needs a login) or "failing" (refreshes
	// have been failing for a while).
	Kind  string
	Title string
	Body  string
}

// Notifier decides when to notify: once when a profile comes to need a
// login, and once when its refreshes have failed for FailingAfter; again
// only after the profile was well in between. Never in a loop.
type Notifier struct {
	// FailingAfter is how long refreshes must fail before a notice; 5 min
	// when zero.
	FailingAfter time.Duration

	seen map[string]*watch
}

type watch struct {
	loginNotified   bool
	failingSince    time.Time // zero when not failing
	failingNotified bool
}

func failing(p apiclient.Status) bool {
	return p.State == apiclient.Unavailable || p.Failures > 0 || (p.State == apiclient.Expired && p.LastError != "")
}

// Update takes the profiles' current states and returns what to notify.
func (n *Notifier) Update(ps []apiclient.Status, now time.Time) []Notice {
	if n.seen == nil {
		n.seen = map[string]*watch{}
	}
	after := n.FailingAfter
	if after == 0 {
		after = 5 * time.Minute
	}
	var out []Notice
	live := map[string]bool{}
	for _, p := range ps {
		live[p.Profile] = true
		w := n.seen[p.Profile]
		if w == nil {
			w = &watch{}
			n.seen[p.Profile] = w
		}
		if p.State == apiclient.LoginRequired {
			if !w.loginNotified {
				w.loginNotified = true
				body := "Choose “Log in…” in the tray menu, or run: tokentray login " + p.Profile
				if p.Reason != "" {
					body = p.Reason + "\n" + body
				}
				out = append(out, Notice{Profile: p.Profile, Kind: "login", Title: p.Profile + ": login required", Body: body})
			}
		} else if p.State == apiclient.Valid || p.State == apiclient.LoggedOut {
			w.loginNotified = false
		}
		switch {
		case p.State == apiclient.LoginRequired || p.State == apiclient.LoggedOut:
			// Not a failing refresh: nothing to retry.
			w.failingSince, w.failingNotified = time.Time{}, false
		case failing(p):
			if w.failingSince.IsZero() {
				w.failingSince = now
			}
			if !w.failingNotified && now.Sub(w.failingSince) >= after {
				w.failingNotified = true
				why := p.LastError
				if p.State == apiclient.Unavailable {
					why = p.Reason
				}
				out = append(out, Notice{Profile: p.Profile, Kind: "failing",
					Title: fmt.Sprintf("%s: refreshes failing for %s", p.Profile, apiclient.Human(now.Sub(w.failingSince))),
					Body:  why + "\ntokentray keeps retrying; the current token is served while it lasts."})
			}
		case p.State != apiclient.Refreshing:
			w.failingSince, w.failingNotified = time.Time{}, false
		}
	}
	for name := range n.seen {
		if !live[name] {
			delete(n.seen, name)
		}
	}
	return out
}

// NextCheck is when Update must run again for a pending "failing" notice
// even if nothing changes; zero when none is pending.
func (n *Notifier) NextCheck() time.Time {
	after := n.FailingAfter
	if after == 0 {
		after = 5 * time.Minute
	}
	var next time.Time
	for _, w := range n.seen {
		if w.failingSince.IsZero() || w.failingNotified {
			continue
		}
		if at := w.failingSince.Add(after); next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

// Countdown is the live "expires in" text of the token details window:
// "expires in 41 min 59 s", "expired 3 min ago".
func Countdown(expires, now time.Time) string {
	if expires.IsZero() {
		return "expiry unknown"
	}
	d := expires.Sub(now).Truncate(time.Second)
	if d <= 0 {
		return "expired " + clock(-d) + " ago"
	}
	return "expires in " + clock(d)
}

// clock writes d to the second: "59 s", "41 min 59 s", "2 h 05 min 09 s",
// "3 days 4 h".
func clock(d time.Duration) string {
	s := int(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min %02d s", s/60, s%60)
	case s < 48*3600:
		return fmt.Sprintf("%d h %02d min %02d s", s/3600, s%3600/60, s%60)
	}
	return fmt.Sprintf("%d days %d h", s/86400, s%86400/3600)
}
