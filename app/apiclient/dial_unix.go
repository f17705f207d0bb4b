//go:build unix

package apiclient

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"

	"github.com/tokentray/tokentray/app/peercred"
)

// dialAgent connects to the agent's unix socket and checks, before a byte
// is sent, that the agent runs as us: a request may carry a password or a
// client secret, and an answer is trusted as a token.
func dialAgent(ctx context.Context, socket string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return nil, err
	}
	if uid, ok := PeerUID(c); ok && uid != os.Getuid() {
		c.Close()
		return nil, &ForeignAgentError{Socket: socket, UID: uid}
	}
	return c, nil
}

// PeerUID returns the uid of the process at the other end of a unix
// socket connection (app/peercred); the agent asks it of its clients too.
func PeerUID(c net.Conn) (int, bool) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return 0, false
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var uid int
	var found bool
	raw.Control(func(fd uintptr) { uid, found = peercred.UID(int(fd)) })
	return uid, found
}

// noAgent reports whether a dial error means that no agent listens.
func noAgent(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)
}
