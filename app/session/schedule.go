package session

import (
	"time"
)

// Scheduling constants. The refresh lands at about ¾ of the token's lifetime,
// give or take a tenth of it, so that many agents (or profiles) started
// together do not refresh in lockstep.
const (
	refreshFraction = 0.75
	jitterFraction  = 0.10
	// minRefreshDelay keeps a provider that hands out near-dead tokens from
	// turning the scheduler into a busy loop.
	minRefreshDelay = 500 * time.Millisecond
	// maxSleep caps every timer: Go timers stop counting while a laptop
	// sleeps (golang/go#35012), so the scheduler wakes at least this often
	// and compares the wall clock again.
	maxSleep = time.Minute
	// backoffFloor and backoffCeiling bound the delay between failed
	// refreshes; the delay doubles per failure and resets on success.
	backoffFloor   = time.Second
	backoffCeiling = 5 * time.Minute
	// minLifetime is the least a freshly received token is believed to
	// live, so that one dead on arrival cannot start a refresh loop.
	minLifetime = 10 * time.Second
	// DefaultServeFloor is the least a token is served with left to live,
	// unless that is more than half its lifetime: time for a reader to use
	// it at a resource server whose clock may be a little ahead.
	DefaultServeFloor = 30 * time.Second
	// saveRetryFloor and saveRetryCeiling bound the delay between tries to
	// save a refresh token the keyring refused.
	saveRetryFloor   = time.Second
	saveRetryCeiling = 30 * time.Second
)

// refreshAt is when to refresh a token received at received that expires at
// expiry and stops being served margin before: about ¾ of the way through
// the time it is served, so that a refresh, and a retry or two, land
// before any reader sees it go. jitter is uniform in [0, 1).
func refreshAt(received, expiry time.Time, margin time.Duration, jitter float64) time.Time {
	life := expiry.Sub(received) - margin
	if life <= 0 {
		return received
	}
	offset := time.Duration(float64(life) * (refreshFraction + jitterFraction*(2*jitter-1)))
	if offset < minRefreshDelay && life > minRefreshDelay {
		offset = minRefreshDelay
	}
	return received.Add(offset)
}

// backoff is the delay after the n-th consecutive failure (n ≥ 1): doubling
// from the floor, capped at the ceiling, with jitter in its upper half so
// that retries never fall below half the nominal delay.
func backoff(n int, jitter float64) time.Duration {
	d := backoffFloor
	for i := 1; i < n && d < backoffCeiling; i++ {
		d *= 2
	}
	d = min(d, backoffCeiling)
	return d/2 + time.Duration(jitter*float64(d/2))
}

// ServeMargin is how much of its life a token of lifetime life must have
// left to be handed out: a tenth of the lifetime, at least floor, at most
// half the lifetime, so a reader never receives a token that dies on its
// way to the resource server, and a short-lived token is still served.
func ServeMargin(life, floor time.Duration) time.Duration {
	if life <= 0 {
		return 0
	}
	return min(max(life/10, floor), life/2)
}

// saveRetry is the delay before the n-th try (n ≥ 1) to save a refresh
// token again: doubling from the floor, capped at the ceiling.
func saveRetry(n int) time.Duration {
	d := saveRetryFloor
	for i := 1; i < n && d < saveRetryCeiling; i++ {
		d *= 2
	}
	return min(d, saveRetryCeiling)
}
