package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/auth"

	"github.com/tokentray/tokentray/internal/testing/memstore"
)

func TestRefreshAtBounds(t *testing.T) {
	received := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		life, margin time.Duration
		jitter       float64
		want         time.Duration
	}{
		{"no jitter is three quarters of the served time", time.Hour, 6 * time.Minute, 0.5, 40*time.Minute + 30*time.Second},
		{"lowest jitter", time.Hour, 6 * time.Minute, 0, 35*time.Minute + 6*time.Second},
		{"highest jitter", time.Hour, 6 * time.Minute, 0.999999, 45*time.Minute + 54*time.Second},
		{"short token served half its life", 4 * time.Second, 2 * time.Second, 0.5, 1500 * time.Millisecond},
		{"tiny token keeps the floor", 1200 * time.Millisecond, 600 * time.Millisecond, 0, minRefreshDelay},
		{"already expired refreshes now", -time.Second, 0, 0.5, 0},
		{"margin beyond the life refreshes now", 10 * time.Second, 20 * time.Second, 0.5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := refreshAt(received, received.Add(tt.life), tt.margin, tt.jitter).Sub(received)
			if (got - tt.want).Abs() > time.Millisecond {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBackoffFloorCeilingAndJitter(t *testing.T) {
	for n := 1; n <= 40; n++ {
		lo, hi := backoff(n, 0), backoff(n, 0.999999)
		if lo < backoffFloor/2 || hi > backoffCeiling {
			t.Errorf("n=%d: got [%v, %v], want within [%v, %v]", n, lo, hi, backoffFloor/2, backoffCeiling)
		}
		if n > 1 && backoff(n, 0.5) < backoff(n-1, 0.5) {
			t.Errorf("n=%d: backoff shrank", n)
		}
	}
	if got := backoff(1, 0.5); got != 750*time.Millisecond {
		t.Errorf("first: got %v, want 750ms", got)
	}
	if got := backoff(30, 0.999999); got < backoffCeiling-time.Millisecond {
		t.Errorf("late: got %v, want about the ceiling %v", got, backoffCeiling)
	}
}

func TestServeMargin(t *testing.T) {
	for _, tt := range []struct{ life, floor, want time.Duration }{
		{time.Hour, DefaultServeFloor, 6 * time.Minute},         // a tenth
		{2 * time.Minute, DefaultServeFloor, DefaultServeFloor}, // the floor
		{60 * time.Second, DefaultServeFloor, 30 * time.Second}, // the floor, which is half
		{4 * time.Second, DefaultServeFloor, 2 * time.Second},   // capped at half
		{2 * time.Second, DefaultServeFloor, time.Second},       // capped at half
		{10 * time.Minute, 5 * time.Second, time.Minute},        // a tenth over a low floor
		{20 * time.Second, 5 * time.Second, 5 * time.Second},    // a low floor
		{0, DefaultServeFloor, 0}, {-time.Second, DefaultServeFloor, 0},
	} {
		if got := ServeMargin(tt.life, tt.floor); got != tt.want {
			t.Errorf("ServeMargin(%v, %v): got %v, want %v", tt.life, tt.floor, got, tt.want)
		}
	}
}

// storedRefreshToken is the refresh token of the record st keeps for k.
func storedRefreshToken(st *memstore.Store, k string) string {
	var r record
	json.Unmarshal([]byte(st.Item(k)), &r)
	return r.RefreshToken
}

// fakeProvider rotates refresh tokens strictly like node-oidc-provider: a
// used refresh token is dead.
type fakeProvider struct {
	mu      sync.Mutex // guards the fields below
	life    time.Duration
	current string // the only refresh token that works
	n       int
	calls   atomic.Int32
	fail    error // returned by Refresh when set
	store   *memstore.Store
	inStore []bool // per refresh: was the refresh token it was given the stored one
	sent    string // the refresh token of the last refresh
	hold    chan struct{}
}

func (p *fakeProvider) Refresh(ctx context.Context, rt string) (*auth.Token, error) {
	p.calls.Add(1)
	if p.hold != nil {
		<-p.hold
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = rt
	if p.store != nil {
		p.inStore = append(p.inStore, storedRefreshToken(p.store, "work") == rt)
	}
	if p.fail != nil {
		return nil, p.fail
	}
	if rt != p.current {
		return nil, &auth.Error{Kind: auth.LoginRequired, Status: 400, Code: "invalid_grant"}
	}
	p.n++
	p.current = fmt.Sprintf("rt-%d", p.n)
	return &auth.Token{AccessToken: fmt.Sprintf("at-%d", p.n), TokenType: "Bearer", RefreshToken: p.current, Expiry: time.Now().Add(p.life), ExpirySource: "expires_in"}, nil
}
func (p *fakeProvider) Revoke(context.Context, string, string) error { return nil }
func (p *fakeProvider) Login(context.Context, auth.LoginOptions) (*auth.Token, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.current = fmt.Sprintf("rt-%d", p.n)
	return &auth.Token{AccessToken: fmt.Sprintf("at-%d", p.n), TokenType: "Bearer", RefreshToken: p.current, Expiry: time.Now().Add(p.life), ExpirySource: "expires_in"}, nil
}
func (p *fakeProvider) Password(context.Context, string, string) (*auth.Token, error) {
	return nil, errors.New("no")
}

func newTestSession(t *testing.T, p *fakeProvider, st *memstore.Store) *Session {
	s := New(Options{Name: "work", Store: st, Connect: func(context.Context) (Provider, error) { return p, nil }})
	t.Cleanup(s.Close)
	return s
}

// loggedIn returns a session logged in through the fake provider.
func loggedIn(t *testing.T, life time.Duration) (*Session, *fakeProvider, *memstore.Store) {
	st := &memstore.Store{}
	p := &fakeProvider{life: life, current: "rt-0", store: st}
	s := newTestSession(t, p, st)
	if err := s.Login(context.Background(), true, nil); err != nil {
		t.Fatalf("Login: %v", err)
	}
	return s, p, st
}

func TestSchedulerRefreshesAheadOfExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, _ := loggedIn(t, 100*time.Second)
		start := p.calls.Load()
		// Served while 30 s are left (the floor), so for 70 s: the refresh
		// comes at ¾ of that (jitter is 0.5 here), 52.5 s.
		time.Sleep(50 * time.Second)
		synctest.Wait()
		if got := p.calls.Load() - start; got != 0 {
			t.Fatalf("after 50 s: got %d refreshes, want 0", got)
		}
		time.Sleep(4 * time.Second)
		synctest.Wait()
		if got := p.calls.Load() - start; got != 1 {
			t.Fatalf("after 54 s: got %d refreshes, want 1", got)
		}
		// The next one comes as long after the first, again once.
		time.Sleep(53 * time.Second)
		synctest.Wait()
		if got := p.calls.Load() - start; got != 2 {
			t.Fatalf("after 107 s: got %d refreshes, want 2", got)
		}
		if st := s.Status(); st.State != Valid {
			t.Errorf("state: got %v, want valid", st.State)
		}
	})
}

func TestConcurrentReadersShareOneRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, st := loggedIn(t, 100*time.Second)
		s.Close() // no scheduler: the readers must do it
		s.closed = false
		time.Sleep(101 * time.Second) // the token is now expired
		p.hold = make(chan struct{})
		before := p.calls.Load()
		var wg sync.WaitGroup
		got := make([]string, 20)
		for i := range got {
			wg.Go(func() {
				tok, err := s.Token(context.Background(), 0)
				if err != nil {
					t.Errorf("reader %d: %v", i, err)
					return
				}
				if !tok.Valid(time.Now(), 0) {
					t.Errorf("reader %d: served an expired token", i)
				}
				if tok.RefreshToken != "" {
					t.Errorf("reader %d: got the refresh token", i)
				}
				got[i] = tok.AccessToken
			})
		}
		synctest.Wait()
		if s.Status().State != Refreshing {
			t.Errorf("state during refresh: got %v, want refreshing", s.Status().State)
		}
		close(p.hold)
		wg.Wait()
		if n := p.calls.Load() - before; n != 1 {
			t.Fatalf("got %d refreshes for 20 readers, want 1", n)
		}
		for i := range got {
			if got[i] != got[0] {
				t.Errorf("reader %d got %q, reader 0 %q", i, got[i], got[0])
			}
		}
		// The rotated refresh token was saved, and every refresh used the stored one.
		if rt := storedRefreshToken(st, "work"); rt != p.current {
			t.Errorf("stored refresh token: got %q, want %q", rt, p.current)
		}
		for i, ok := range p.inStore {
			if !ok {
				t.Errorf("refresh %d used a refresh token that was not the stored one", i)
			}
		}
	})
}

func TestInvalidGrantMeansLoginRequiredWithoutRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, st := loggedIn(t, 10*time.Second)
		p.mu.Lock()
		p.current = "rotated-elsewhere" // the grant is gone
		p.mu.Unlock()
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := p.calls.Load(); n != 1 {
			t.Errorf("got %d refreshes, want 1 (no retry loop)", n)
		}
		if st := s.Status(); st.State != LoginRequired {
			t.Fatalf("state: got %v, want login required", st.State)
		}
		_, err := s.Token(context.Background(), 0)
		var se *Error
		if !errors.As(err, &se) || se.Code != "login_required" {
			t.Fatalf("Token: got %v, want login_required", err)
		}
		// A restart remembers it.
		s2 := newTestSession(t, p, st)
		s2.Restore(context.Background())
		if got := s2.Status().State; got != LoginRequired {
			t.Errorf("after restart: got %v, want login required", got)
		}
	})
}

func TestTransientFailuresBackOffAndNeverServeExpired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, _ := loggedIn(t, 100*time.Second)
		p.mu.Lock()
		p.fail = &auth.Error{Kind: auth.Transient, Status: 503}
		p.mu.Unlock()
		time.Sleep(65 * time.Second)
		synctest.Wait()
		// Refreshes failed since 52.5 s, but the token still serves.
		tok, err := s.Token(context.Background(), 0)
		if err != nil || tok.AccessToken != "at-1" {
			t.Fatalf("Token while refreshes fail: got %q, %v, want at-1", tok.AccessToken, err)
		}
		st := s.Status()
		if st.Failures < 2 || st.LastError == "" {
			t.Errorf("status: got %+v, want failures and a last error", st)
		}
		calls := p.calls.Load()
		time.Sleep(25 * time.Second) // now inside the serve margin
		if _, err := s.Token(context.Background(), 0); err == nil {
			t.Fatal("Token after expiry with a failing provider: got a token, want an error")
		}
		// Backoff: far fewer than one call per second, even with readers asking.
		for range 50 {
			s.Token(context.Background(), 0)
		}
		if n := p.calls.Load() - calls; n > 6 {
			t.Errorf("got %d refreshes in 20 s of backoff, want few", n)
		}
		p.mu.Lock()
		p.fail = nil
		p.mu.Unlock()
		time.Sleep(backoffCeiling)
		synctest.Wait()
		if _, err := s.Token(context.Background(), 0); err != nil {
			t.Fatalf("after recovery: %v", err)
		}
		if st := s.Status(); st.Failures != 0 || st.LastError != "" {
			t.Errorf("after recovery: got %+v, want failures reset", st)
		}
	})
}

func TestRestoreServesWithoutLogin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, st := loggedIn(t, 100*time.Second)
		want, _ := s.Token(context.Background(), 0)
		s.Close()
		s2 := newTestSession(t, p, st)
		if err := s2.Restore(context.Background()); err != nil {
			t.Fatal(err)
		}
		got, err := s2.Token(context.Background(), 0)
		if err != nil || got.AccessToken != want.AccessToken {
			t.Fatalf("after restore: got %q, %v, want %q without a refresh", got.AccessToken, err, want.AccessToken)
		}
	})
}

func TestDefaultLifetimeWhenProviderSaysNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &memstore.Store{}
		p := &fakeProvider{life: 0, current: "rt-0"}
		s := New(Options{Name: "work", Store: st, DefaultLifetime: 10 * time.Minute,
			Connect: func(context.Context) (Provider, error) { return zeroExpiry{p}, nil }})
		defer s.Close()
		if err := s.Login(context.Background(), true, nil); err != nil {
			t.Fatal(err)
		}
		got := s.Status()
		if got.ExpirySource != "default" || got.ExpiresAt.Sub(time.Now()) != 10*time.Minute {
			t.Errorf("got %v from %q, want 10 minutes from default", got.ExpiresAt.Sub(time.Now()), got.ExpirySource)
		}
	})
}

type zeroExpiry struct{ *fakeProvider }

func (z zeroExpiry) Login(ctx context.Context, o auth.LoginOptions) (*auth.Token, error) {
	t, err := z.fakeProvider.Login(ctx, o)
	if t != nil {
		t.Expiry, t.ExpirySource = time.Time{}, ""
	}
	return t, err
}

func TestKeyringFailureIsReportedNotHidden(t *testing.T) {
	st := memstore.Failing(errors.New("keyring: read: The name org.freedesktop.secrets was not provided"))
	s := newTestSession(t, &fakeProvider{}, st)
	if err := s.Restore(context.Background()); err == nil {
		t.Fatal("Restore: got nil, want the keyring error")
	}
	_, err := s.Token(context.Background(), 0)
	var se *Error
	if !errors.As(err, &se) || se.Code != "keyring" {
		t.Fatalf("Token: got %v, want a keyring error", err)
	}
}

func TestLoginIsJoinedNotRepeated(t *testing.T) {
	st := &memstore.Store{}
	p := &fakeProvider{life: time.Hour, current: "rt-0"}
	release := make(chan struct{})
	var logins atomic.Int32
	s := New(Options{Name: "work", Store: st, Connect: func(context.Context) (Provider, error) {
		return blockingLogin{p, release, &logins}, nil
	}})
	defer s.Close()
	errs := make(chan error, 2)
	urls := make(chan string, 2)
	for range 2 {
		go func() { errs <- s.Login(context.Background(), false, func(u string) { urls <- u }) }()
	}
	u1, u2 := <-urls, <-urls
	if u1 != u2 {
		t.Errorf("the joined login got another URL: %q vs %q", u1, u2)
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := logins.Load(); n != 1 {
		t.Errorf("got %d logins started, want 1", n)
	}
}

type blockingLogin struct {
	*fakeProvider
	release chan struct{}
	n       *atomic.Int32
}

func (b blockingLogin) Login(ctx context.Context, o auth.LoginOptions) (*auth.Token, error) {
	b.n.Add(1)
	o.OnURL("https://idp.example/authorize?x")
	<-b.release
	return b.fakeProvider.Login(ctx, o)
}

func TestLogoutDiscardsALateRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, st := loggedIn(t, 100*time.Second)
		p.hold = make(chan struct{})
		go s.Refresh(context.Background())
		synctest.Wait()
		if _, err := s.Logout(context.Background()); err != nil {
			t.Fatal(err)
		}
		close(p.hold)
		synctest.Wait()
		if got := s.Status().State; got != LoggedOut {
			t.Errorf("state: got %v, want logged out", got)
		}
		if _, err := st.Get(context.Background(), "work"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("store after logout and a late refresh: got %v, want not found", err)
		}
	})
}

func TestTokenDeadOnArrivalDoesNotLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, _ := loggedIn(t, -time.Hour) // every token "expired an hour ago" by our clock
		time.Sleep(time.Minute)
		synctest.Wait()
		// One refresh per ¾ of the half of minLifetime it is served, not a storm.
		limit := int32(time.Minute/(minLifetime/2*3/4)) + 1
		if n := p.calls.Load(); n > limit {
			t.Errorf("got %d refreshes in a minute, want at most %d", n, limit)
		}
		if _, err := s.Token(context.Background(), 0); err != nil {
			t.Errorf("Token: %v", err)
		}
	})
}

func TestLoginTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &memstore.Store{}
		s := New(Options{Name: "work", Store: st, LoginTimeout: 5 * time.Minute,
			Connect: func(context.Context) (Provider, error) { return waitingLogin{&fakeProvider{}}, nil }})
		defer s.Close()
		err := s.Login(context.Background(), true, nil)
		if err == nil || !strings.Contains(err.Error(), "no answer from the browser within 5m0s") {
			t.Fatalf("got %v, want the login timeout", err)
		}
		if st := s.Status(); st.LoginPending || st.State != LoggedOut {
			t.Errorf("after the timeout: got %+v, want logged out and nothing pending", st)
		}
	})
}

// waitingLogin is a browser nobody ever finishes.
type waitingLogin struct{ *fakeProvider }

func (waitingLogin) Login(ctx context.Context, _ auth.LoginOptions) (*auth.Token, error) {
	<-ctx.Done()
	return nil, fmt.Errorf("auth: login: %w", context.Cause(ctx))
}

func TestShortTokenIsNotStretched(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _, _ := loggedIn(t, 4*time.Second)
		if got := s.Status().ExpiresAt.Sub(time.Now()); got != 4*time.Second {
			t.Errorf("a 4 s token: got expiry in %v, want 4s (never later than the provider says)", got)
		}
	})
}

func TestFreshServesWhatTokenServesWithoutRefreshing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, _ := loggedIn(t, 100*time.Second)
		s.Close() // no scheduler
		s.closed = false
		before := p.calls.Load()
		want, err := s.Token(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := s.Fresh(0)
		if !ok || !reflect.DeepEqual(got, want) || got.RefreshToken != "" {
			t.Errorf("valid token: got %+v, %v, want %+v without its refresh token", got, ok, want)
		}
		if _, ok := s.Fresh(101 * time.Second); ok {
			t.Error("min_valid beyond the lifetime: got a token, want none")
		}
		time.Sleep(99*time.Second + 500*time.Millisecond) // inside the serve margin
		if _, ok := s.Fresh(0); ok {
			t.Error("token inside the serve margin: got it, want none")
		}
		synctest.Wait()
		if n := p.calls.Load() - before; n != 0 {
			t.Errorf("Fresh started %d refreshes, want 0", n)
		}
		if _, err := s.Logout(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, ok := s.Fresh(0); ok {
			t.Error("logged out: got a token, want none")
		}
	})
}
