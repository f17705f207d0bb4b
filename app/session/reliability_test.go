package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/internal/testing/memstore"
)

var errLocked = errors.New("keyring: save: failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")

// The generation rule: after a save the keyring refused, the store holds
// the refresh token the provider has consumed. When the keyring is back it
// must never be adopted (a strict provider revokes the grant when it comes
// back); memory's newer one is saved, and status says it was not meanwhile.
func TestFailedSaveNeverAdoptsTheConsumedToken(t *testing.T) {
	for _, tt := range []struct {
		name string
		wait time.Duration // after the keyring is back, before the next refresh
	}{
		{"refresh before the save is retried", 0},
		{"save retried first", 5 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, p, st := loggedIn(t, time.Hour)
				st.SetFail(errLocked)
				if err := s.Refresh(context.Background()); err != nil {
					t.Fatalf("refresh with a locked keyring: %v (the provider answered; only the save failed)", err)
				}
				if got := s.Status(); got.Unsaved != NotSaved || !strings.Contains(got.Summary(time.Now()), "not saved: keyring unavailable") {
					t.Errorf("status: got %q (%q), want %q shown", got.Unsaved, got.Summary(time.Now()), NotSaved)
				}
				if got := storedRefreshToken(st, "work"); got != "rt-1" {
					t.Fatalf("store: got %q, want the consumed rt-1 (the save failed)", got)
				}
				st.SetFail(nil)
				time.Sleep(tt.wait)
				synctest.Wait()
				if err := s.Refresh(context.Background()); err != nil {
					t.Fatalf("refresh after the keyring came back: %v", err)
				}
				if got, want := storedRefreshToken(st, "work"), p.current; got != want {
					t.Errorf("store: got %q, want the newest %q", got, want)
				}
				if got := s.Status(); got.State != Valid || got.Unsaved != "" {
					t.Errorf("status: got %v %q, want valid and saved", got.State, got.Unsaved)
				}
			})
		})
	}
}

// While the keyring refuses, the save is retried with backoff, and the
// newest token is in the store soon after it is back, without a refresh.
func TestFailedSaveIsRetriedUntilTheKeyringIsBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, st := loggedIn(t, time.Hour)
		st.SetFail(errLocked)
		if err := s.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Minute) // tries at 1, 2, 4, 8, 16, 30, 30 … s
		synctest.Wait()
		if got := s.Status(); got.Unsaved != NotSaved {
			t.Fatalf("still locked: got %q, want %q", got.Unsaved, NotSaved)
		}
		calls := p.calls.Load()
		st.SetFail(nil)
		time.Sleep(saveRetryCeiling + time.Second)
		synctest.Wait()
		if got, want := storedRefreshToken(st, "work"), p.current; got != want {
			t.Errorf("store: got %q, want the newest %q", got, want)
		}
		if got := s.Status().Unsaved; got != "" {
			t.Errorf("status: got %q, want saved", got)
		}
		if n := p.calls.Load() - calls; n != 0 {
			t.Errorf("got %d refreshes, want the save alone", n)
		}
	})
}

// An item deleted behind the agent's back (secret-tool clear, a keyring
// app) is noticed on status and at the next refresh, and written back.
func TestDeletedItemIsWrittenBack(t *testing.T) {
	for _, tt := range []struct {
		name   string
		notice func(*Session)
	}{
		{"on status", func(s *Session) { s.Status() }},
		{"at a refresh", func(s *Session) { s.Refresh(context.Background()) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, p, st := loggedIn(t, time.Hour)
				time.Sleep(verifyEvery)
				st.Delete(context.Background(), "work")
				tt.notice(s)
				synctest.Wait()
				if got, want := storedRefreshToken(st, "work"), p.current; got != want {
					t.Errorf("store: got %q, want %q written back", got, want)
				}
			})
		})
	}
}

// The deletion cannot be undone while the keyring refuses: status says so.
func TestDeletedItemThatCannotBeWrittenBackIsShown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _, st := loggedIn(t, time.Hour)
		time.Sleep(verifyEvery)
		st.Delete(context.Background(), "work")
		st.SetFail(nil)
		s.Refresh(context.Background()) // reads "not found", writes back: works
		st.Delete(context.Background(), "work")
		s.o.Store = deleteThenFail{st}
		time.Sleep(verifyEvery)
		s.Status()
		synctest.Wait()
		if got := s.Status(); got.Unsaved != Removed {
			t.Errorf("status: got %q, want %q", got.Unsaved, Removed)
		}
	})
}

// deleteThenFail reads what st has and refuses every save.
type deleteThenFail struct{ store.Store }

func (deleteThenFail) Set(context.Context, string, string) error { return errLocked }

// A slow provider: the token's life counts from the sending, so it stops
// being served margin before sending + lifetime, not arrival + lifetime.
func TestServedTimeCountsFromTheSending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &slowProvider{delay: 3 * time.Second, life: 20 * time.Second}
		s := New(Options{Name: "work", Store: storeWith(""), Connect: func(context.Context) (Provider, error) { return p, nil }})
		defer s.Close()
		s.Restore(context.Background())
		sent := time.Now()
		if _, err := s.Token(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		// 20 s tokens: the margin is half, 10 s; served until sent + 10 s.
		if got := s.Status().ExpiresAt; !got.Equal(sent.Add(20 * time.Second)) {
			t.Errorf("expires at: got sent+%v, want sent+20s", got.Sub(sent))
		}
		if _, ok := s.Fresh(0); !ok {
			t.Fatal("at sent+3s: got no token, want the new one")
		}
		time.Sleep(7*time.Second - time.Millisecond) // sent + 10 s, less a hair
		if _, ok := s.Fresh(0); !ok {
			t.Error("just inside the margin's edge: got no token, want it served")
		}
		time.Sleep(time.Millisecond)
		if _, ok := s.Fresh(0); ok {
			t.Error("at sent + lifetime - margin: got a token, want none")
		}
	})
}

// storeWith is a store holding an imported-like grant: a refresh token
// (and scope), no access token yet.
func storeWith(scope string) *memstore.Store {
	return memstore.New(map[string]string{"work": `{"refresh_token":"rt-0","scope":"` + scope + `"}`})
}

// slowProvider answers a refresh after delay with a token whose life
// started when the request was sent, as auth.Client reports it.
type slowProvider struct {
	fakeProvider
	delay, life time.Duration
}

func (p *slowProvider) Refresh(ctx context.Context, rt string) (*auth.Token, error) {
	sent := time.Now()
	time.Sleep(p.delay)
	return &auth.Token{AccessToken: "at", RefreshToken: "rt-next", Issued: sent, Expiry: sent.Add(p.life), ExpirySource: "expires_in"}, nil
}

// A min_valid the provider cannot meet is one clear error naming both
// lifetimes, after one refresh at most; not a refresh per read.
func TestUnmeetableMinValid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, _ := loggedIn(t, 60*time.Second)
		calls := p.calls.Load()
		for range 5 {
			_, err := s.Token(context.Background(), 60*time.Second)
			var se *Error
			if !errors.As(err, &se) || se.Code != "min_valid_unmet" || !strings.Contains(se.Message, "valid for 1m0s") || !strings.Contains(se.Message, "live 1m0s") {
				t.Fatalf("got %v, want min_valid_unmet naming both lifetimes", err)
			}
		}
		if n := p.calls.Load() - calls; n > 1 {
			t.Errorf("got %d refreshes, want at most one", n)
		}
		// Less than the lifetime but more than what is left: one refresh.
		if tok, err := s.Token(context.Background(), 45*time.Second); err != nil || tok.AccessToken == "" {
			t.Errorf("min_valid 45s of 60s tokens: got %v, want a token", err)
		}
	})
}

// An import is tried before it replaces anything: a refused token leaves
// the working login (memory and store) as it was.
func TestImportTriesBeforeItReplaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, st := loggedIn(t, time.Hour)
		before := storedRefreshToken(st, "work")
		err := s.Import(context.Background(), "mistyped")
		var se *Error
		if !errors.As(err, &se) || se.Code != "import_refused" {
			t.Fatalf("import of a bad token: got %v, want import_refused", err)
		}
		if got := storedRefreshToken(st, "work"); got != before {
			t.Errorf("store: got %q, want %q unchanged", got, before)
		}
		if got := s.Status().State; got != Valid {
			t.Errorf("state: got %v, want valid", got)
		}
		if err := s.Refresh(context.Background()); err != nil {
			t.Errorf("the old login after a refused import: %v", err)
		}
		// A good one replaces it, and is used once.
		p.mu.Lock()
		good := p.current
		p.mu.Unlock()
		calls := p.calls.Load()
		if err := s.Import(context.Background(), good); err != nil {
			t.Fatalf("import of a good token: %v", err)
		}
		if n := p.calls.Load() - calls; n != 1 {
			t.Errorf("got %d refreshes, want 1", n)
		}
		if got, want := storedRefreshToken(st, "work"), p.current; got != want || got == good {
			t.Errorf("store: got %q, want the token the import's refresh brought, %q", got, want)
		}
	})
}

// RFC 6749 §5.1: a refresh answer without scope keeps the stored scope.
func TestRefreshWithoutScopeKeepsIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := storeWith("openid profile")
		p := &slowProvider{life: time.Hour}
		s := New(Options{Name: "work", Store: st, Connect: func(context.Context) (Provider, error) { return p, nil }})
		defer s.Close()
		s.Restore(context.Background())
		if err := s.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := s.Status().Scope; got != "openid profile" {
			t.Errorf("scope: got %q, want the stored %q", got, "openid profile")
		}
	})
}

// pausedProvider answers its first refresh after pause (the agent stopped
// mid-refresh), with a token whose life ran out meanwhile; later ones at once.
type pausedProvider struct {
	fakeProvider
	pause, life time.Duration
	n           int
}

func (p *pausedProvider) Refresh(ctx context.Context, rt string) (*auth.Token, error) {
	p.mu.Lock()
	p.n++
	n := p.n
	p.mu.Unlock()
	sent := time.Now()
	if n == 1 {
		time.Sleep(p.pause)
	}
	return &auth.Token{AccessToken: fmt.Sprintf("at-%d", n), RefreshToken: fmt.Sprintf("rt-%d", n), Issued: sent, Expiry: sent.Add(p.life), ExpirySource: "expires_in"}, nil
}

// A token whose life ran out while its answer was on the way (a pause
// longer than the lifetime) is dead at the provider: never served, and
// the refresh token it came with is used at once.
func TestTokenDeadInTransitIsNotServed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &pausedProvider{pause: 35 * time.Second, life: 20 * time.Second}
		s := New(Options{Name: "work", Store: storeWith(""), Connect: func(context.Context) (Provider, error) { return p, nil }})
		defer s.Close()
		s.Restore(context.Background())
		tok, err := s.Token(context.Background(), 0)
		if err != nil || tok.AccessToken != "at-2" {
			t.Fatalf("got %q, %v, want at-2 (at-1 died on its way)", tok.AccessToken, err)
		}
		if p.n != 2 {
			t.Errorf("got %d refreshes, want 2", p.n)
		}
	})
}

// An import the provider could not judge because the client's credentials
// were refused is kept for Resume when there is no login to lose, and
// leaves a working login alone.
func TestMisconfiguredImportParksOnlyWithoutALogin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fixed := false
		p := misconfiguredProvider{&fakeProvider{life: time.Hour, current: "rt-0"}, &fixed}
		st := &memstore.Store{}
		s := New(Options{Name: "work", Store: st, Connect: func(context.Context) (Provider, error) { return p, nil }})
		defer s.Close()
		if err := s.Import(context.Background(), "rt-0"); auth.KindOf(err) != auth.Misconfigured {
			t.Fatalf("import with a refused client: got %v, want misconfigured", err)
		}
		if got := s.Status().State; got != LoginRequired || storedRefreshToken(st, "work") != "rt-0" {
			t.Fatalf("got %v with %q stored, want login required with rt-0 kept for Resume", got, storedRefreshToken(st, "work"))
		}
		fixed = true
		if tried, err := s.Resume(context.Background()); !tried || err != nil {
			t.Fatalf("Resume: got %v, %v, want done", tried, err)
		}
		working := storedRefreshToken(st, "work")
		fixed = false
		if err := s.Import(context.Background(), "other"); err == nil {
			t.Fatal("import with a refused client over a working login: got nil, want an error")
		}
		if got := storedRefreshToken(st, "work"); got != working || s.Status().State != Valid {
			t.Errorf("got %q stored, state %v, want the working login %q untouched", got, s.Status().State, working)
		}
	})
}
