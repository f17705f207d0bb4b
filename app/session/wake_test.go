package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tokentray/tokentray/auth"

	"github.com/tokentray/tokentray/internal/testing/memstore"
)

// wallClock is the wall clock of a laptop: it runs with the (fake) time of
// the synctest bubble, and jumps when the laptop wakes from a suspend — Go
// timers and the monotonic clock do not count the time asleep
// (golang/go#35012, #24595) — or when NTP steps it.
type wallClock struct{ offset atomic.Int64 }

func (c *wallClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())).Round(0) }
func (c *wallClock) jump(d time.Duration)    { c.offset.Add(int64(d)) }
func (c *wallClock) suspend(d time.Duration) { c.jump(d) }

// clockProvider rotates refresh tokens strictly and stamps expiries with the
// wall clock, as auth does with expires_in. It counts logins: none may start
// on their own.
type clockProvider struct {
	clock *wallClock
	life  time.Duration

	mu      sync.Mutex // guards current, n and fail
	current string
	n       int
	fail    error

	refreshes atomic.Int32
	logins    atomic.Int32
}

func (p *clockProvider) issue() *auth.Token {
	p.n++
	p.current = fmt.Sprintf("rt-%d", p.n)
	return &auth.Token{AccessToken: fmt.Sprintf("at-%d", p.n), TokenType: "Bearer", RefreshToken: p.current,
		Expiry: p.clock.Now().Add(p.life), ExpirySource: "expires_in"}
}

func (p *clockProvider) Refresh(_ context.Context, rt string) (*auth.Token, error) {
	p.refreshes.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return nil, p.fail
	}
	if rt != p.current {
		return nil, &auth.Error{Kind: auth.LoginRequired, Status: 400, Code: "invalid_grant"}
	}
	return p.issue(), nil
}

func (p *clockProvider) Login(context.Context, auth.LoginOptions) (*auth.Token, error) {
	p.logins.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.issue(), nil
}

func (p *clockProvider) Revoke(context.Context, string, string) error { return nil }
func (p *clockProvider) Password(context.Context, string, string) (*auth.Token, error) {
	return nil, errors.New("no")
}

func (p *clockProvider) setFail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = err
}

// laptop is a session logged in with tokens of the given lifetime, judged
// by a wall clock that can jump.
func laptop(t *testing.T, life time.Duration) (*Session, *clockProvider, *wallClock) {
	t.Helper()
	clock := &wallClock{}
	p := &clockProvider{clock: clock, life: life}
	s := New(Options{Name: "work", Store: &memstore.Store{}, Now: clock.Now,
		Connect: func(context.Context) (Provider, error) { return p, nil }})
	t.Cleanup(s.Close)
	if err := s.Login(context.Background(), true, nil); err != nil {
		t.Fatalf("Login: %v", err)
	}
	p.logins.Store(0)
	return s, p, clock
}

// readers runs n concurrent token reads and returns what they got.
func readers(t *testing.T, s *Session, n int) (tokens []auth.Token, errs []error) {
	t.Helper()
	tokens, errs = make([]auth.Token, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { tokens[i], errs[i] = s.Token(context.Background(), 0) })
	}
	wg.Wait()
	return tokens, errs
}

// A laptop that wakes long after its token expired: the readers that come
// first get one fresh token from one refresh, never the expired one, and no
// login starts.
func TestWakeAfterExpiryReadersGetOneFreshToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, clock := laptop(t, time.Hour)
		time.Sleep(10 * time.Minute)
		clock.suspend(5 * time.Hour)
		before := p.refreshes.Load()
		tokens, errs := readers(t, s, 50)
		for i := range tokens {
			if errs[i] != nil {
				t.Fatalf("reader %d: %v", i, errs[i])
			}
			if !tokens[i].Valid(clock.Now(), 0) || tokens[i].AccessToken == "at-1" {
				t.Fatalf("reader %d got %s expiring %v at %v: want a fresh token", i, tokens[i].AccessToken, tokens[i].Expiry, clock.Now())
			}
		}
		if got := p.refreshes.Load() - before; got != 1 {
			t.Errorf("got %d refreshes for 50 readers after the wake, want 1", got)
		}
		// The timer, when it fires, finds the new token fresh: nothing more.
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if got := p.refreshes.Load() - before; got != 1 {
			t.Errorf("five minutes after the wake: got %d refreshes, want 1", got)
		}
		if n := p.logins.Load(); n != 0 {
			t.Errorf("got %d logins started, want none", n)
		}
	})
}

// A laptop that wakes with nobody reading: the scheduler's timer (capped at
// a minute, since Go timers stop during a suspend) notices within a minute
// that the refresh is overdue and refreshes once.
func TestWakeSchedulerRefreshesOnceWithinAMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, clock := laptop(t, time.Hour)
		time.Sleep(30 * time.Minute) // the refresh is due at 45 min
		synctest.Wait()
		if got := p.refreshes.Load(); got != 0 {
			t.Fatalf("before the suspend: got %d refreshes, want 0", got)
		}
		clock.suspend(3 * time.Hour) // the timer still believes 15 minutes remain
		time.Sleep(maxSleep + time.Second)
		synctest.Wait()
		if got := p.refreshes.Load(); got != 1 {
			t.Fatalf("a minute after the wake: got %d refreshes, want 1", got)
		}
		tok, err := s.Token(context.Background(), 0)
		if err != nil || tok.AccessToken != "at-2" || !tok.Valid(clock.Now(), 0) {
			t.Errorf("read after the wake: got %s, %v, want the fresh at-2", tok.AccessToken, err)
		}
		time.Sleep(30 * time.Minute)
		synctest.Wait()
		if got := p.refreshes.Load(); got != 1 {
			t.Errorf("half an hour later: got %d refreshes, want still 1 (the next is due at 45 min)", got)
		}
		if n := p.logins.Load(); n != 0 {
			t.Errorf("got %d logins started, want none", n)
		}
	})
}

// Waking after the grant itself expired: one refresh, which the provider
// refuses; then login required, with no retry loop, no browser, and every
// reader told so.
func TestWakeAfterTheGrantDiedAsksForLoginOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, clock := laptop(t, time.Hour)
		p.mu.Lock()
		p.current = "expired-while-asleep"
		p.mu.Unlock()
		clock.suspend(30 * 24 * time.Hour)
		_, errs := readers(t, s, 50)
		for i, err := range errs {
			var se *Error
			if !errors.As(err, &se) || se.Code != "login_required" {
				t.Fatalf("reader %d: got %v, want login_required", i, err)
			}
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		readers(t, s, 50)
		if got := p.refreshes.Load(); got != 1 {
			t.Errorf("got %d refreshes, want 1", got)
		}
		if n := p.logins.Load(); n != 0 {
			t.Errorf("got %d logins (browser tabs) started, want none", n)
		}
		if st := s.Status(); st.State != LoginRequired || st.LoginPending {
			t.Errorf("status: got %v (pending %v), want login required and no login pending", st.State, st.LoginPending)
		}
	})
}

// Waking before the network is back: refreshes fail and back off (no burst
// however many readers ask), the expired token is never served, and the
// first refresh after the network returns serves everyone.
func TestWakeOfflineBacksOffAndNeverServesExpired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, clock := laptop(t, time.Hour)
		p.setFail(&auth.Error{Kind: auth.Transient, Err: errors.New("dial tcp: network is unreachable")})
		clock.suspend(8 * time.Hour)
		for range 100 { // ten seconds of readers, ten a second
			tokens, _ := readers(t, s, 5)
			for _, tok := range tokens {
				if tok.AccessToken != "" {
					t.Fatalf("served %s while offline after expiry", tok.AccessToken)
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		// Backoff from 1 s, doubling: a handful in ten seconds, not hundreds.
		if got := p.refreshes.Load(); got < 2 || got > 6 {
			t.Errorf("got %d refreshes in 10 s offline with 500 reads, want a few (backoff)", got)
		}
		p.setFail(nil)
		time.Sleep(backoffCeiling)
		synctest.Wait()
		tok, err := s.Token(context.Background(), 0)
		if err != nil || !tok.Valid(clock.Now(), 0) {
			t.Fatalf("after the network returned: got %q, %v, want a fresh token", tok.AccessToken, err)
		}
		if n := p.logins.Load(); n != 0 {
			t.Errorf("got %d logins started, want none", n)
		}
	})
}

// A wall clock set back (NTP correcting a clock that ran ahead) must not
// make an expired token look fresh: the time elapsed since the token
// arrived is also measured on the monotonic clock, and the later of the two
// judges it.
func TestClockSetBackNeverServesExpired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, clock := laptop(t, 100*time.Second)
		s.Close() // no scheduler: only readers refresh
		s.mu.Lock()
		s.closed = false
		s.mu.Unlock()
		time.Sleep(10 * time.Second)
		clock.jump(-time.Hour)
		time.Sleep(95 * time.Second) // 105 s after it was issued: at-1 is dead
		tok, err := s.Token(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if tok.AccessToken == "at-1" {
			t.Fatalf("served at-1 105 s into its 100 s life because the wall clock went back an hour")
		}
		if got := p.refreshes.Load(); got != 1 {
			t.Errorf("got %d refreshes, want 1", got)
		}
		// The new token, issued after the jump, is judged on the new clock:
		// served at once, no refresh storm.
		for range 10 {
			if _, err := s.Token(context.Background(), 0); err != nil {
				t.Fatal(err)
			}
		}
		if got := p.refreshes.Load(); got != 1 {
			t.Errorf("after more reads: got %d refreshes, want still 1", got)
		}
	})
}

// With the clock set back, the scheduler still refreshes at ¾ of the
// token's real lifetime, not an hour late.
func TestClockSetBackSchedulerStillOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, p, clock := laptop(t, 100*time.Second)
		time.Sleep(10 * time.Second)
		clock.jump(-time.Hour)
		time.Sleep(70 * time.Second) // 80 s after issue; due at 75 s
		synctest.Wait()
		if got := p.refreshes.Load(); got != 1 {
			t.Errorf("80 s into a 100 s token with the clock set back an hour: got %d refreshes, want 1", got)
		}
	})
}
