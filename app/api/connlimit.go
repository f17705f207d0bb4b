package api

import (
	"errors"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/tokentray/tokentray/app/tcppeer"
)

// Budgets of open connections on the loopback TCP port, by who is at the
// other end. Another user is refused anyway: a handful of connections is
// enough to hear "403" and go away, and keeps a flood of them from taking
// the agent's descriptors, memory and goroutines. The owner's tools get
// plenty; the unix socket has no budget at all (only the owner can reach
// it), so the CLI and the tray always have room.
const (
	OwnerConns   = 512 // the owner's own connections
	ForeignConns = 4   // each other user's
	UnknownConns = 256 // all connections whose user the kernel cannot name (not Linux): the key decides
)

// unknownBudget is the budget of connections whose peer is not named.
// Where the kernel names every established peer (Linux), one it does not
// name is already gone (its owner gave up while it waited to be accepted)
// or odd: it gets a stranger's budget, or a flood could use that bucket.
func unknownBudget() int {
	if tcppeer.NamesAll {
		return ForeignConns
	}
	return UnknownConns
}

// LimitListener wraps the agent's loopback TCP listener: it names the peer
// of each connection it accepts (the kernel's socket table, before a byte
// is read) and closes at once a connection over its user's budget. It
// also rides out descriptor exhaustion (EMFILE), backing off instead of
// spinning, so that the socket's listener can still accept.
// lookup nil finds the peer's uid from the kernel where it can.
func LimitListener(ln net.Listener, lookup func(local, remote *net.TCPAddr) (uid int, known bool)) net.Listener {
	if lookup == nil {
		lookup = tcppeer.UID
	}
	return &limitListener{Listener: ln, lookup: lookup, open: map[int]int{}, owner: os.Getuid()}
}

// unknownUID counts connections whose peer the kernel does not name.
const unknownUID = -1

type limitListener struct {
	net.Listener
	lookup func(local, remote *net.TCPAddr) (int, bool)
	owner  int

	mu   sync.Mutex  // guards open
	open map[int]int // open connections by peer uid (unknownUID: not named)
}

func (l *limitListener) Accept() (net.Conn, error) {
	var backoff time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				// Out of descriptors: wait for some to be closed rather
				// than spin on a queue we cannot take from.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return nil, err
		}
		backoff = 0
		if pc, ok := l.admit(c); ok {
			return pc, nil
		}
		refuseNow(c)
	}
}

// admit counts c against its user's budget.
func (l *limitListener) admit(c net.Conn) (*peerConn, bool) {
	uid, known := unknownUID, false
	la, ok1 := c.LocalAddr().(*net.TCPAddr)
	ra, ok2 := c.RemoteAddr().(*net.TCPAddr)
	if ok1 && ok2 {
		if u, k := l.lookup(la, ra); k {
			uid, known = u, true
		}
	}
	budget := ForeignConns
	switch {
	case !known:
		budget = unknownBudget()
	case uid == l.owner:
		budget = OwnerConns
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[uid] >= budget {
		return nil, false
	}
	l.open[uid]++
	return &peerConn{Conn: c, uid: uid, known: known, l: l}, true
}

func (l *limitListener) release(uid int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[uid]--; l.open[uid] <= 0 {
		delete(l.open, uid)
	}
}

// refuseNow drops a connection without reading from it: a reset, so that
// neither end keeps it in TIME_WAIT.
func refuseNow(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// peerConn is a connection LimitListener let in, with its peer's uid.
type peerConn struct {
	net.Conn
	uid   int
	known bool
	l     *limitListener
	once  sync.Once
}

func (c *peerConn) Close() error {
	c.once.Do(func() { c.l.release(c.uid) })
	return c.Conn.Close()
}
