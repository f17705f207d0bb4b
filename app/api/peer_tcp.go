package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"

	"github.com/tokentray/tokentray/app/tcppeer"

	"github.com/tokentray/tokentray/app/apiclient"
)

// EnsureKey returns the per-user key of the TCP port, creating it in dir
// (mode 0600 inside the private runtime dir) when there is none. A key
// that is there, ours and well formed is kept, so tools that read it once
// keep working across agent restarts.
func EnsureKey(dir string) (string, error) {
	path := apiclient.KeyPath(dir)
	if st, err := os.Lstat(path); err == nil {
		uid, known := ownerUID(st)
		if st.Mode().IsRegular() && privateMode(st) && (!known || uid == os.Getuid()) {
			if k, err := apiclient.ReadKey(dir); err == nil {
				return k, nil
			}
		}
	}
	b := make([]byte, apiclient.KeyLen/2)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	key := hex.EncodeToString(b)
	f, err := os.CreateTemp(dir, ".tcp.key-*")
	if err != nil {
		return "", fmt.Errorf("tcp key: %w", err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return "", fmt.Errorf("tcp key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("tcp key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("tcp key: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "", fmt.Errorf("tcp key: %w", err)
	}
	return key, nil
}

// tcpConn is what the guard learns of one TCP connection: its addresses
// from ConnContext, and its peer's uid, looked up once when the first
// request arrives (not in the accept loop: the lookup reads a kernel table).
type tcpConn struct {
	local, remote *net.TCPAddr

	once  sync.Once
	uid   int
	known bool
}

type tcpConnKey struct{}

func withTCPConn(ctx context.Context, c net.Conn) context.Context {
	la, ok1 := c.LocalAddr().(*net.TCPAddr)
	ra, ok2 := c.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return ctx
	}
	tc := &tcpConn{local: la, remote: ra}
	if pc, ok := c.(*peerConn); ok && pc.known { // LimitListener named the peer already
		tc.uid, tc.known = pc.uid, true
		tc.once.Do(func() {})
	}
	return context.WithValue(ctx, tcpConnKey{}, tc)
}

func (s *Server) tcpPeerUID(ctx context.Context) (int, bool) {
	tc, ok := ctx.Value(tcpConnKey{}).(*tcpConn)
	if !ok {
		return 0, false
	}
	tc.once.Do(func() {
		lookup := s.TCPPeerUID
		if lookup == nil {
			lookup = tcppeer.UID
		}
		tc.uid, tc.known = lookup(tc.local, tc.remote)
	})
	return tc.uid, tc.known
}

// peerAllowed refuses a peer of another user. On the socket the kernel
// names the peer (SO_PEERCRED / getpeereid). On the TCP port the agent
// looks the peer up in the kernel's socket table where it can (Linux); where
// it cannot, the request must carry the per-user key from a file only the
// user can read. A peer known to be someone else is refused, key or not.
func (s *Server) peerAllowed(w http.ResponseWriter, r *http.Request, tcp bool) bool {
	if !tcp {
		if uid, ok := r.Context().Value(peerKey{}).(int); ok && uid != os.Getuid() {
			forbid(w, "this agent serves its own user only")
			return false
		}
		return true
	}
	uid, known := s.tcpPeerUID(r.Context())
	switch {
	case known && uid == os.Getuid():
		return true
	case known:
		forbid(w, "this agent serves its own user only")
		return false
	}
	got := r.Header.Get(apiclient.KeyHeader)
	if s.TCPKey == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.TCPKey)) != 1 {
		forbid(w, "the agent cannot tell which user is connecting: send the key from tcp.key in its runtime directory in the "+apiclient.KeyHeader+" header")
		return false
	}
	return true
}
