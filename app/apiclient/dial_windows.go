package apiclient

import (
	"context"
	"errors"
	"net"
	"syscall"
)

// dialAgent connects to the agent's socket. Windows has no peer
// credentials on AF_UNIX; the named-pipe transport, with its owner-only
// DACL, takes this file's place.
func dialAgent(ctx context.Context, socket string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", socket)
}

// noAgent reports whether a dial error means that no agent listens.
func noAgent(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)
}

// PeerUID cannot tell on Windows.
func PeerUID(net.Conn) (int, bool) { return 0, false }
