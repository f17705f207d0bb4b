//go:build !windows

package api

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
)

// dialAgent connects to the agent's unix socket and checks, before a byte
// is sent, that our own user serves it: a request may carry a password or
// a client secret, and an answer is trusted as a token.
func dialAgent(ctx context.Context, socket string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return nil, err
	}
	if uid, ok := socketPeerUID(c); ok && uid != os.Getuid() {
		c.Close()
		return nil, &ForeignAgentError{Socket: socket, UID: uid}
	}
	return c, nil
}

// noAgent tells a dial error that means nobody listens.
func noAgent(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)
}
