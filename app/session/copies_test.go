package session

import (
	"context"
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tokentray/tokentray/internal/testing/memstore"
)

// The check of the store before each refresh skips decoding an item that
// is byte for byte the one the session wrote; any other item is decoded
// and the generation rule applies as before: a token the session never
// held is adopted, one it held is not, and an item holding memory's token
// is left as it is.
func TestStoreCheckBeforeRefresh(t *testing.T) {
	write := func(t *testing.T, st *memstore.Store, r record) {
		t.Helper()
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		st.Set(context.Background(), "work", string(b))
	}
	var older string // the item as the session wrote it at login
	for _, tt := range []struct {
		name string
		// change changes the store (and the provider) behind the session's
		// back after one refresh; it returns the refresh token the next
		// refresh must send.
		change func(t *testing.T, st *memstore.Store, p *fakeProvider) string
	}{
		{"untouched", func(t *testing.T, st *memstore.Store, p *fakeProvider) string {
			return p.current
		}},
		{"the same token in other bytes", func(t *testing.T, st *memstore.Store, p *fakeProvider) string {
			write(t, st, record{RefreshToken: p.current, AccessToken: "other", Received: time.Now()})
			return p.current
		}},
		{"a token the session never held", func(t *testing.T, st *memstore.Store, p *fakeProvider) string {
			p.mu.Lock()
			p.current = "rt-imported"
			p.mu.Unlock()
			write(t, st, record{RefreshToken: "rt-imported", Received: time.Now()})
			return "rt-imported"
		}},
		{"the login's item restored byte for byte", func(t *testing.T, st *memstore.Store, p *fakeProvider) string {
			st.Set(context.Background(), "work", older)
			return p.current
		}},
		{"a token the session held before", func(t *testing.T, st *memstore.Store, p *fakeProvider) string {
			write(t, st, record{RefreshToken: "rt-1", Received: time.Now()})
			return p.current
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, p, st := loggedIn(t, time.Hour)
				older = st.Item("work")
				if err := s.Refresh(context.Background()); err != nil {
					t.Fatal(err)
				}
				want := tt.change(t, st, p)
				calls := p.calls.Load()
				if err := s.Refresh(context.Background()); err != nil {
					t.Fatalf("refresh: %v", err)
				}
				if n := p.calls.Load() - calls; n != 1 {
					t.Fatalf("got %d refreshes, want 1", n)
				}
				p.mu.Lock()
				sent := p.sent
				p.mu.Unlock()
				if sent != want {
					t.Errorf("sent: got %q, want %q", sent, want)
				}
				if got, want := storedRefreshToken(st, "work"), p.current; got != want {
					t.Errorf("store: got %q, want the newest %q", got, want)
				}
			})
		})
	}
}
