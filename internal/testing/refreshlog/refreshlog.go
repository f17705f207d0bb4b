// Package refreshlog reads what an agent's debug log says of its refreshes:
// where the last one stood when the agent died, and the crash windows.
// The kill -9 test (app/agent) and make soak (internal/testing/soak) both judge
// lost logins by it.
package refreshlog

import (
	"regexp"
	"strings"
	"time"
)

// The phases Phase reports.
const (
	InFlight = "in flight" // the request went out and its answer was not saved
	Saved    = "saved"     // the last refresh was saved, or there was none
)

// Phase says where the last refresh in log stood: InFlight is the only
// moment a kill may cost a login with a rotating provider.
// A save that failed (the keyring locked or gone) keeps the window open
// until a later save works: the provider has the new refresh token, the
// store the consumed one.
func Phase(log string) string {
	saved := max(strings.LastIndex(log, `msg="refresh saved"`), strings.LastIndex(log, `msg="the refresh token is saved in the keyring again"`))
	if strings.LastIndex(log, `msg="refresh request sent"`) > saved {
		return InFlight
	}
	return Saved
}

// Saves reports whether log shows a refresh token saved (by a refresh, a
// login, an import or a retried save): the chain was durable then.
func Saves(log string) bool {
	for _, m := range []string{`msg="refresh saved"`, `msg="login saved"`, `msg="import saved"`, `msg="the refresh token is saved in the keyring again"`} {
		if strings.Contains(log, m) {
			return true
		}
	}
	return false
}

var windowRE = regexp.MustCompile(`msg="refresh saved" profile=\S+ window=(\S+)`)

// Windows are the crash windows logged: the time from the provider's
// answer to the saved record, one per refresh.
func Windows(log string) []time.Duration {
	var out []time.Duration
	for _, m := range windowRE.FindAllStringSubmatch(log, -1) {
		if d, err := time.ParseDuration(m[1]); err == nil {
			out = append(out, d)
		}
	}
	return out
}
