package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/api"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/internal/testing/memstore"
)

// oneSession is the api.Sessions of one logged-in profile.
type oneSession struct{ s *session.Session }

func (o oneSession) Session(name string) (*session.Session, bool) {
	return o.s, name == o.s.Name()
}
func (o oneSession) All() []*session.Session { return []*session.Session{o.s} }

// tokenSize is the length of node-oidc-provider's opaque access tokens.
const tokenSize = 43

// benchServer returns an API server with one profile, "work", holding a
// token valid for an hour, restored from a store as the agent does.
func benchServer(tb testing.TB) *api.Server {
	tb.Helper()
	now := time.Now()
	rec := fmt.Sprintf(`{"refresh_token":"r","access_token":%q,"token_type":"Bearer","expires_at":%q,"expiry_source":"expires_in","scope":"openid offline_access","received":%q}`,
		strings.Repeat("a", tokenSize), now.Add(time.Hour).Format(time.RFC3339), now.Format(time.RFC3339))
	s := session.New(session.Options{Name: "work", Store: memstore.New(map[string]string{"work": rec})})
	if err := s.Restore(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	// The TCP guard finds the peer's uid once per connection (the kernel's
	// socket table); here every request comes from our own user.
	return &api.Server{Sessions: oneSession{s}, Now: time.Now, Info: func() apiclient.AgentInfo { return apiclient.AgentInfo{} },
		TCPPeerUID: func(_, _ *net.TCPAddr) (int, bool) { return os.Getuid(), true }}
}

// keepAlive is the context of requests on one keep-alive loopback TCP
// connection, as the agent's server gives them (api.ConnContext): the
// peer lookup happens at the first request and is reused after.
func keepAlive() context.Context {
	return api.ConnContext(context.Background(), fakeConn{})
}

// fakeConn is a loopback TCP connection for api.ConnContext, which reads
// only its addresses.
type fakeConn struct{ net.Conn }

func (fakeConn) LocalAddr() net.Addr  { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8733} }
func (fakeConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }

// constHandler is the baseline: a bare handler writing a constant body of
// the token answer's size, as the load benchmark's bare server does.
func constHandler(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
}

// BenchmarkTokenRead measures one token read through the handler (no
// network), beside a constant-body handler in the same run: the cost of
// routing, the browser guards, the session read and the JSON encoding.
func BenchmarkTokenRead(b *testing.B) {
	srv := benchServer(b)
	probe := httptest.NewRecorder()
	srv.TCPHandler().ServeHTTP(probe, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8733/v1/token/work", nil).WithContext(keepAlive()))
	if probe.Code != http.StatusOK {
		b.Fatalf("probe: got HTTP %d %s, want 200", probe.Code, probe.Body)
	}
	cases := []struct {
		name     string
		h        http.Handler
		accept   string
		parallel bool
	}{
		{"baseline-const", constHandler(probe.Body.Bytes()), "", false},
		{"tcp-json", srv.TCPHandler(), "", false},
		{"tcp-text", srv.TCPHandler(), "text/plain", false},
		{"socket-json", srv.SocketHandler(), "", false},
		{"baseline-const-parallel", constHandler(probe.Body.Bytes()), "", true},
		{"tcp-json-parallel", srv.TCPHandler(), "", true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			tmpl := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8733/v1/token/work", nil).WithContext(keepAlive())
			if c.accept != "" {
				tmpl.Header.Set("Accept", c.accept)
			}
			if c.parallel {
				b.RunParallel(func(pb *testing.PB) {
					w := &discardWriter{h: http.Header{}}
					for pb.Next() {
						serveOne(b, c.h, tmpl, w)
					}
				})
				return
			}
			w := &discardWriter{h: http.Header{}}
			for b.Loop() {
				serveOne(b, c.h, tmpl, w)
			}
		})
	}
}

// serveOne serves a shallow copy of tmpl (handlers may set fields of the
// request, not of its header) into w, reset first.
func serveOne(b *testing.B, h http.Handler, tmpl *http.Request, w *discardWriter) {
	r := *tmpl
	clear(w.h)
	w.status = 0
	h.ServeHTTP(w, &r)
	if w.status != http.StatusOK && w.status != 0 {
		b.Fatalf("got HTTP %d, want 200", w.status)
	}
}

// discardWriter is a ResponseWriter that keeps only the status: the
// benchmark measures the handler, not a recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }

// BenchmarkSessionToken measures Session.Token alone, from one goroutine
// and from all of them at once (lock contention).
func BenchmarkSessionToken(b *testing.B) {
	s := benchServer(b).Sessions.All()[0]
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Token(ctx, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Token(ctx, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// TestBenchmarksServe keeps BenchmarkTokenRead honest between runs of make
// bench: the requests it times must be answered 200 on both listeners, as
// the agent answers them (a guard added later once made it time 403s).
func TestBenchmarksServe(t *testing.T) {
	srv := benchServer(t)
	for name, h := range map[string]http.Handler{"tcp": srv.TCPHandler(), "socket": srv.SocketHandler()} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8733/v1/token/work", nil).WithContext(keepAlive()))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), strings.Repeat("a", tokenSize)) {
			t.Errorf("%s: got HTTP %d %s, want 200 and the token", name, w.Code, w.Body)
		}
	}
}
