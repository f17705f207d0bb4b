package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/internal/testing/memstore"
)

// board is a Clipboard that records what it was given.
type board struct {
	mu     sync.Mutex // guards copied
	copied []string
	err    error
}

func (b *board) CopySecret(text string) (time.Duration, error) {
	if b.err != nil {
		return 0, b.err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.copied = append(b.copied, text)
	return 30 * time.Second, nil
}

func (b *board) got() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.copied...)
}

// owned is a Sessions whose agent owns a clipboard (nil: not now).
type owned struct {
	sessions
	cb Clipboard
}

func (o owned) Clipboard() Clipboard { return o.cb }

// downProvider logs in, then cannot refresh: the first refresh is refused,
// later ones hang until their context ends (a provider that is down).
type downProvider struct {
	hourProvider
	mu    sync.Mutex // guards tried
	tried bool
}

func (p *downProvider) Login(context.Context, auth.LoginOptions) (*auth.Token, error) {
	return &auth.Token{AccessToken: "at-expired-0123456789", TokenType: "Bearer", RefreshToken: "rt-0123456789",
		Expiry: time.Now().Add(-time.Minute), ExpirySource: "expires_in"}, nil
}
func (p *downProvider) Refresh(ctx context.Context, _ string) (*auth.Token, error) {
	p.mu.Lock()
	tried := p.tried
	p.tried = true
	p.mu.Unlock()
	if tried {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return nil, errors.New("dial tcp 127.0.0.1:9: connection refused")
}

func TestClipboardRoute(t *testing.T) {
	ctx := context.Background()
	s := testServer(t)
	work := s.Sessions.(sessions)
	want, _ := work["work"].Fresh(0)

	var mu sync.Mutex // guards clock
	clock := time.Now()
	down := session.New(session.Options{Name: "down", Store: &memstore.Store{},
		Now:     func() time.Time { mu.Lock(); defer mu.Unlock(); return clock },
		Connect: func(context.Context) (session.Provider, error) { return &downProvider{}, nil }})
	t.Cleanup(down.Close)
	if err := down.Login(ctx, true, nil); err != nil {
		t.Fatalf("Login: %v", err)
	}
	if err := down.Refresh(ctx); err == nil {
		t.Fatal("the refresh of a provider that is down worked")
	}
	mu.Lock()
	clock = clock.Add(time.Hour) // the token has expired; refreshes still fail
	mu.Unlock()

	tests := []struct {
		name     string
		sessions Sessions
		board    *board
		profile  string
		want     string // the error code; "" copies the token
	}{
		{"copies the access token", owned{sessions{"work": work["work"]}, nil}, &board{}, "work", ""},
		{"headless agent", sessions{"work": work["work"]}, nil, "work", "no_clipboard"},
		{"tray not started", owned{sessions{"work": work["work"]}, nil}, nil, "work", "no_clipboard"},
		{"unknown profile", owned{sessions{"work": work["work"]}, nil}, &board{}, "nosuch", "unknown_profile"},
		{"refresh failing: at once", owned{sessions{"down": down}, nil}, &board{}, "down", "refresh_failed"},
		{"clipboard fails", owned{sessions{"work": work["work"]}, nil}, &board{err: errors.New("no DISPLAY")}, "work", "clipboard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := *s
			srv.Sessions = tt.sessions
			if o, ok := tt.sessions.(owned); ok && tt.board != nil {
				o.cb = tt.board
				srv.Sessions = o
			}
			c := apiclient.NewClient(serve(t, &srv, nil).socket)
			start := time.Now()
			resp, err := c.CopyToClipboard(ctx, tt.profile)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %s, want an answer at once", took)
			}
			var ae *apiclient.Error
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got %v, want the token copied", err)
			case tt.want == "":
				if got := tt.board.got(); len(got) != 1 || got[0] != want.AccessToken || !resp.Copied || resp.ClearAfter != 30 {
					t.Errorf("got %d copies, response %+v, want the access token copied once, cleared after 30 s", len(got), resp)
				}
			case !errors.As(err, &ae) || string(ae.Code) != tt.want:
				t.Errorf("got %v, want error %s", err, tt.want)
			case tt.board != nil && len(tt.board.got()) != 0:
				t.Errorf("copied %d times on an error", len(tt.board.got()))
			}
			if err != nil && strings.Contains(err.Error(), "at-") {
				t.Errorf("the error carries a token: %v", err)
			}
		})
	}
}

// The loopback TCP port reads tokens; it never acts on the desktop.
func TestClipboardNotOnTCP(t *testing.T) {
	s := testServer(t)
	b := &board{}
	s.Sessions = owned{s.Sessions.(sessions), b}
	rec := &recorder{header: http.Header{}}
	req, _ := http.NewRequest("POST", "http://127.0.0.1:8733/v1/clipboard/work", strings.NewReader(`{"what":"access_token"}`))
	s.TCPHandler().ServeHTTP(rec, req)
	if rec.status == http.StatusOK || len(b.got()) != 0 {
		t.Errorf("TCP: got HTTP %d and %d copies, want a refusal and none", rec.status, len(b.got()))
	}
}

type recorder struct {
	header http.Header
	status int
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return len(b), nil
}
func (r *recorder) WriteHeader(s int) { r.status = s }
