package api

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/auth"

	"github.com/tokentray/tokentray/internal/testing/memstore"
)

// hourProvider hands out hour-long tokens and accepts any refresh token.
type hourProvider struct {
	mu sync.Mutex // guards n
	n  int
}

func (p *hourProvider) token() *auth.Token {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	return &auth.Token{AccessToken: fmt.Sprintf("at-%d-0123456789abcdef", p.n), TokenType: "Bearer",
		RefreshToken: fmt.Sprintf("rt-%d-0123456789abcdef", p.n), Expiry: time.Now().Add(time.Hour), ExpirySource: "expires_in"}
}

func (p *hourProvider) Refresh(context.Context, string) (*auth.Token, error) { return p.token(), nil }
func (p *hourProvider) Revoke(context.Context, string, string) error         { return nil }
func (p *hourProvider) Login(context.Context, auth.LoginOptions) (*auth.Token, error) {
	return p.token(), nil
}
func (p *hourProvider) Password(context.Context, string, string) (*auth.Token, error) {
	return p.token(), nil
}

// sessions is a Sessions of fixed sessions.
type sessions map[string]*session.Session

func (s sessions) Session(name string) (*session.Session, bool) { v, ok := s[name]; return v, ok }
func (s sessions) All() []*session.Session {
	var out []*session.Session
	for _, v := range s {
		out = append(out, v)
	}
	return out
}

// testServer is a Server with one logged-in profile "work".
func testServer(t *testing.T) *Server {
	t.Helper()
	p := &hourProvider{}
	sess := session.New(session.Options{Name: "work", Store: &memstore.Store{},
		Connect: func(context.Context) (session.Provider, error) { return p, nil }})
	t.Cleanup(sess.Close)
	if err := sess.Login(context.Background(), true, nil); err != nil {
		t.Fatalf("Login: %v", err)
	}
	return &Server{
		Sessions: sessions{"work": sess},
		Info:     func() apiclient.AgentInfo { return apiclient.AgentInfo{PID: os.Getpid()} },
		Now:      time.Now,
	}
}

// served are the agent's two listeners, as the agent starts them.
type served struct {
	dir    string // the private runtime dir
	socket string
	tcp    string // host:port
}

// serve starts s on a unix socket in a private runtime dir and on a
// loopback TCP port, with the agent's timeouts. adjust, if set, changes the
// servers before they start.
func serve(t *testing.T, s *Server, adjust func(*http.Server)) served {
	t.Helper()
	return serveIn(t, s, privateDir(t), adjust)
}

// privateDir makes a runtime dir as the agent does (mode 0700) whose parent
// is world-enterable (mode 0755), so that only the runtime dir's own mode
// keeps other users out.
func privateDir(t *testing.T) string {
	t.Helper()
	parent, err := os.MkdirTemp("", "tokentray-api-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "run")
	if err := EnsurePrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func serveIn(t *testing.T, s *Server, dir string, adjust func(*http.Server)) served {
	t.Helper()
	sv := served{dir: dir, socket: apiclient.SocketPath(dir)}
	ul, err := net.Listen("unix", sv.socket)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sv.tcp = tl.Addr().String()
	for ln, h := range map[net.Listener]http.Handler{ul: s.SocketHandler(), tl: s.TCPHandler()} {
		srv := NewHTTPServer(h)
		if adjust != nil {
			adjust(srv)
		}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	}
	return sv
}
