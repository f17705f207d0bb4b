package apiclient

import (
	"fmt"
	"time"
)

// State is what a person sees of a profile.
type State string

// The states.
const (
	LoggedOut     State = "logged out"
	Valid         State = "valid"
	Refreshing    State = "refreshing"
	Expired       State = "expired" // holds a grant; the access token will be refreshed on demand
	LoginRequired State = "login required"
	Unavailable   State = "unavailable" // the keyring could not be read
)

// Status is a profile's state for people and tools. It never holds a token.
type Status struct {
	Profile          string         `json:"profile"`
	State            State          `json:"state"`
	Reason           string         `json:"reason,omitempty"`
	ExpiresAt        time.Time      `json:"expires_at,omitzero"`
	ExpirySource     string         `json:"expiry_source,omitempty"`
	RefreshExpiresAt time.Time      `json:"refresh_expires_at,omitzero"`
	RefreshRolling   bool           `json:"refresh_rolling,omitempty"` // every refresh renews RefreshExpiresAt
	NextRefresh      time.Time      `json:"next_refresh,omitzero"`
	LastRefresh      time.Time      `json:"last_refresh,omitzero"`
	LastError        string         `json:"last_error,omitempty"`
	Failures         int            `json:"failures,omitempty"`
	Scope            string         `json:"scope,omitempty"`
	LoginPending     bool           `json:"login_pending,omitempty"`
	Extra            map[string]any `json:"extra,omitempty"`
	// Unsaved says, when the store does not hold the newest refresh token
	// (a crash now would lose the login), how it is shown: "not saved:
	// keyring unavailable", "saved login removed from keyring";
	// UnsavedReason is the store's error.
	Unsaved       string `json:"unsaved,omitempty"`
	UnsavedReason string `json:"unsaved_reason,omitempty"`
	// ClockSkew is the provider's clock minus ours in whole seconds, from
	// its Date header; 0 when they agree or it is not known.
	ClockSkew int64 `json:"clock_skew_seconds,omitempty"`
}

// LogoutResult says what a logout did beyond forgetting the grant locally.
type LogoutResult struct {
	Revoked     bool   `json:"revoked"`
	RevokeError string `json:"revoke_error,omitempty"`
}

// DeviceCode is what a person needs to confirm a device login: the code
// and where to enter it. It holds no secret (the device code stays inside).
type DeviceCode struct {
	UserCode                string    `json:"user_code"`
	VerificationURI         string    `json:"verification_uri"`
	VerificationURIComplete string    `json:"verification_uri_complete,omitempty"`
	ExpiresAt               time.Time `json:"expires_at,omitzero"`
}

// RefreshWarnWithin is how close to its expiry a refresh token is shown
// ("login needed in 3 days") and, once, warned about in the agent's log.
const RefreshWarnWithin = 14 * 24 * time.Hour

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
