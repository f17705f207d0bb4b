package session

import (
	"fmt"
	"time"
)

// Summary is the one-line description of a status that the CLI and the
// tray show: "valid for 42m (until 15:04)", "login required: …".
func (s Status) Summary(now time.Time) string {
	var out string
	switch s.State {
	case Valid:
		if s.ExpiresAt.IsZero() {
			out = "valid"
		} else {
			out = fmt.Sprintf("valid for %s (until %s)", Human(s.ExpiresAt.Sub(now)), s.ExpiresAt.Local().Format("15:04:05"))
		}
	case Refreshing:
		out = "refreshing"
	case Expired:
		out = "expired; refreshes on next use"
		if s.LastError != "" {
			out = fmt.Sprintf("refresh failing (%d tries): %s", s.Failures, s.LastError)
		}
	case LoginRequired:
		out = "login required: " + s.Reason
	case Unavailable:
		out = "unavailable: " + s.Reason
	default:
		out = string(s.State)
	}
	if (s.State == Valid || s.State == Refreshing) && s.LastError != "" {
		if s.Failures > 0 {
			out += fmt.Sprintf("; last refresh failed (%d tries): %s", s.Failures, s.LastError)
		} else {
			out += "; warning: " + s.LastError // e.g. the refresh worked but the keyring did not save it
		}
	}
	if !s.RefreshExpiresAt.IsZero() && s.State != LoggedOut && s.State != LoginRequired {
		if left := s.RefreshExpiresAt.Sub(now); left < RefreshWarnWithin {
			if s.RefreshRolling {
				// Every refresh renews it: only an agent that stops for
				// that long loses the login.
				out += fmt.Sprintf("; login needed if the agent is off for %s", Human(left))
			} else {
				out += fmt.Sprintf("; login needed in %s", Human(left))
			}
		}
	}
	if s.Unsaved != "" && s.State != LoggedOut && s.State != LoginRequired {
		out += "; " + s.Unsaved
		if s.UnsavedReason != "" {
			out += " (" + s.UnsavedReason + ")"
		}
	}
	if s.LoginPending {
		out += " (login in progress)"
	}
	return out
}

// Human writes a duration the way a person says it: "42 min", "3 days".
func Human(d time.Duration) string {
	switch {
	case d < 0:
		return "0 s"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
}
