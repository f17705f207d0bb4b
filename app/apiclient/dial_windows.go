package apiclient

import (
	"context"
	"net"
)

// dialAgent connects to the agent's socket. Windows has no peer
// credentials on AF_UNIX; the named-pipe transport, with its owner-only
// DACL, takes this file's place.
func dialAgent(ctx context.Context, socket string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", socket)
}

// PeerUID cannot tell on Windows.
func PeerUID(net.Conn) (int, bool) { return 0, false }
