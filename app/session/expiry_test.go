package session

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tokentray/tokentray/auth"

	"github.com/tokentray/tokentray/internal/testing/memstore"
)

// refreshExpiring wraps fakeProvider with the refresh token expiry a
// provider tells: exp(now, login) for each answer, zero for none.
type refreshExpiring struct {
	*fakeProvider
	exp func(now time.Time, login bool) time.Time
}

func (r refreshExpiring) Refresh(ctx context.Context, rt string) (*auth.Token, error) {
	t, err := r.fakeProvider.Refresh(ctx, rt)
	if t != nil {
		t.RefreshExpiry = r.exp(time.Now(), false)
	}
	return t, err
}

func (r refreshExpiring) Login(ctx context.Context, o auth.LoginOptions) (*auth.Token, error) {
	t, err := r.fakeProvider.Login(ctx, o)
	if t != nil {
		t.RefreshExpiry = r.exp(time.Now(), true)
	}
	return t, err
}

// logBuffer collects a session's log lines.
type logBuffer struct {
	mu sync.Mutex // guards b
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

const warning = "the refresh token expires soon"

// expiringSession logs in through a provider telling refresh expiries with
// exp, with access tokens of an hour. Time is synctest's: the clock the
// session reads is the bubble's fake one.
func expiringSession(t *testing.T, lifetime time.Duration, exp func(time.Time, bool) time.Time) (*Session, *memstore.Store, *logBuffer) {
	t.Helper()
	st := &memstore.Store{}
	logs := &logBuffer{}
	p := refreshExpiring{&fakeProvider{life: time.Hour, current: "rt-0"}, exp}
	s := New(Options{Name: "work", Store: st, RefreshLifetime: lifetime,
		Log:     slog.New(slog.NewTextHandler(logs, nil)),
		Connect: func(context.Context) (Provider, error) { return p, nil }})
	t.Cleanup(s.Close)
	if err := s.Login(context.Background(), true, nil); err != nil {
		t.Fatalf("Login: %v", err)
	}
	return s, st, logs
}

func never(time.Time, bool) time.Time { return time.Time{} }

func TestRefreshLifetimeFromConfigRollsWithEachRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const life = 3 * 365 * 24 * time.Hour // Pagero's (Pagero Online API authentication guide)
		s, st, logs := expiringSession(t, life, never)
		if got, want := s.Status().RefreshExpiresAt, time.Now().Add(life); !got.Equal(want) {
			t.Fatalf("after login: got %v, want %v", got, want)
		}
		time.Sleep(50 * time.Minute) // one refresh at 45 min
		synctest.Wait()
		got := s.Status()
		if want := got.LastRefresh.Add(life); got.LastRefresh.IsZero() || !got.RefreshExpiresAt.Equal(want) || !got.RefreshRolling {
			t.Errorf("after a refresh: got expiry %v rolling %v (last refresh %v), want %v rolling", got.RefreshExpiresAt, got.RefreshRolling, got.LastRefresh, want)
		}
		// Kept across a restart.
		s2 := New(Options{Name: "work", Store: st})
		defer s2.Close()
		if err := s2.Restore(context.Background()); err != nil {
			t.Fatal(err)
		}
		if r := s2.Status(); !r.RefreshExpiresAt.Equal(got.RefreshExpiresAt) || !r.RefreshRolling {
			t.Errorf("after a restart: got %v rolling %v, want %v rolling", r.RefreshExpiresAt, r.RefreshRolling, got.RefreshExpiresAt)
		}
		if n := logs.count(warning); n != 0 {
			t.Errorf("got %d warnings for a three-year refresh token, want 0", n)
		}
	})
}

func TestProviderRefreshExpiryWinsOverConfig(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		told := time.Now().Add(48 * time.Hour)
		s, _, _ := expiringSession(t, 3*365*24*time.Hour, func(time.Time, bool) time.Time { return told })
		if got := s.Status().RefreshExpiresAt; !got.Equal(told) {
			t.Errorf("got %v, want the provider's %v", got, told)
		}
	})
}

// TestFixedRefreshExpiryWarnsOnce is digiRunner's case: every refresh
// token carries the first one's exp, so the login really ends then.
func TestFixedRefreshExpiryWarnsOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		end := time.Now().Add(20 * 24 * time.Hour)
		s, _, logs := expiringSession(t, 0, func(time.Time, bool) time.Time { return end })
		time.Sleep(5 * 24 * time.Hour) // 15 days left: not yet
		synctest.Wait()
		if n := logs.count(warning); n != 0 {
			t.Fatalf("with 15 days left: got %d warnings, want 0", n)
		}
		time.Sleep(2 * 24 * time.Hour) // 13 days left
		synctest.Wait()
		if n := logs.count(warning); n != 1 {
			t.Fatalf("with 13 days left: got %d warnings, want 1", n)
		}
		st := s.Status()
		if st.RefreshRolling {
			t.Errorf("got rolling, want fixed")
		}
		if sum := st.Summary(time.Now()); !strings.Contains(sum, "login needed in 13 days") {
			t.Errorf("summary: got %q, want it to say login needed in 13 days", sum)
		}
		time.Sleep(10 * 24 * time.Hour) // 240 more refreshes, 3 days left
		synctest.Wait()
		if n := logs.count(warning); n != 1 {
			t.Errorf("with 3 days left: got %d warnings, want still 1", n)
		}
		if sum := s.Status().Summary(time.Now()); !strings.Contains(sum, "login needed in 3 days") {
			t.Errorf("summary: got %q, want it to say login needed in 3 days", sum)
		}
	})
}

// TestRollingExpiryFromTheProviderDoesNotWarn is Veeam's case: each new
// refresh token lives 14 days from its issue, so a running agent never
// loses the login.
func TestRollingExpiryFromTheProviderDoesNotWarn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _, logs := expiringSession(t, 0, func(now time.Time, _ bool) time.Time { return now.Add(10 * 24 * time.Hour) })
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		st := s.Status()
		if !st.RefreshRolling {
			t.Fatalf("got fixed, want rolling")
		}
		if n := logs.count(warning); n != 0 {
			t.Errorf("got %d warnings, want 0", n)
		}
		if sum := st.Summary(time.Now()); !strings.Contains(sum, "login needed if the agent is off for") {
			t.Errorf("summary: got %q", sum)
		}
	})
}

func TestSummaryOfRefreshExpiry(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		st   Status
		want string // "" means no mention
	}{
		{"far", Status{State: Valid, RefreshExpiresAt: now.Add(30 * 24 * time.Hour)}, ""},
		{"soon", Status{State: Valid, RefreshExpiresAt: now.Add(3*24*time.Hour + time.Hour)}, "; login needed in 3 days"},
		{"hours", Status{State: Valid, RefreshExpiresAt: now.Add(5 * time.Hour)}, "; login needed in 5 h 0 min"},
		{"rolling", Status{State: Valid, RefreshRolling: true, RefreshExpiresAt: now.Add(13 * 24 * time.Hour)}, "; login needed if the agent is off for 13 days"},
		{"already required", Status{State: LoginRequired, Reason: "x", RefreshExpiresAt: now.Add(time.Hour)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.st.Summary(now)
			if tt.want == "" && strings.Contains(got, "login needed") {
				t.Errorf("got %q, want no mention of the refresh token", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

// misconfiguredProvider refuses the client until fixed is set, as a
// provider does a wrong client secret, without using the refresh token.
type misconfiguredProvider struct {
	*fakeProvider
	fixed *bool
}

func (m misconfiguredProvider) Refresh(ctx context.Context, rt string) (*auth.Token, error) {
	if !*m.fixed {
		return nil, &auth.Error{Kind: auth.Misconfigured, Status: 401, Code: "invalid_client", Description: "bad client credentials"}
	}
	return m.fakeProvider.Refresh(ctx, rt)
}

func TestResumeAfterTheClientCredentialsAreFixed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := memstore.New(map[string]string{"work": `{"refresh_token":"rt-0"}`})
		fixed := false
		p := misconfiguredProvider{&fakeProvider{life: time.Hour, current: "rt-0"}, &fixed}
		s := New(Options{Name: "work", Store: st, Connect: func(context.Context) (Provider, error) { return p, nil }})
		defer s.Close()
		s.Restore(context.Background())
		if err := s.Refresh(context.Background()); auth.KindOf(err) != auth.Misconfigured {
			t.Fatalf("Refresh with a refused client: got %v, want misconfigured", err)
		}
		if got := s.Status().State; got != LoginRequired {
			t.Fatalf("state: got %v, want login required", got)
		}
		// Nothing to resume while the credentials are still wrong.
		if tried, err := s.Resume(context.Background()); !tried || err == nil {
			t.Fatalf("Resume with the credentials still wrong: got %v, %v, want tried and failed", tried, err)
		}
		fixed = true
		// A restart in between: the store remembers why login is required.
		s.Close()
		s = New(Options{Name: "work", Store: st, Connect: func(context.Context) (Provider, error) { return p, nil }})
		defer s.Close()
		s.Restore(context.Background())
		tried, err := s.Resume(context.Background())
		if !tried || err != nil {
			t.Fatalf("Resume: got %v, %v, want tried and done", tried, err)
		}
		if tok, err := s.Token(context.Background(), 0); err != nil || tok.AccessToken != "at-1" {
			t.Errorf("Token after Resume: got %q, %v, want at-1", tok.AccessToken, err)
		}
		// A grant refused by the provider itself is not resumed.
		p.mu.Lock()
		p.current = "gone"
		p.mu.Unlock()
		s.Refresh(context.Background())
		if tried, _ := s.Resume(context.Background()); tried {
			t.Error("Resume after invalid_grant: got tried, want nothing done")
		}
		var se *Error
		if _, err := s.Token(context.Background(), 0); !errors.As(err, &se) || se.Code != "login_required" {
			t.Errorf("Token: got %v, want login_required", err)
		}
	})
}
