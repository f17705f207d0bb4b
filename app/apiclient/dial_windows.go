package apiclient

import (
	"context"
	"errors"
	"net"

	"golang.org/x/sys/windows"

	"github.com/tokentray/tokentray/app/winpipe"
)

// dialAgent opens the agent's named pipe; winpipe.Dial refuses, before a
// byte is sent, a pipe that another user's process serves (a request may
// carry a password or a client secret, and an answer is trusted as a
// token).
func dialAgent(ctx context.Context, pipe string) (net.Conn, error) {
	return winpipe.Dial(ctx, pipe)
}

// noAgent tells a dial error that means nobody listens.
func noAgent(err error) bool {
	return errors.Is(err, windows.ERROR_FILE_NOT_FOUND) || errors.Is(err, windows.ERROR_PATH_NOT_FOUND)
}

// PeerUID cannot tell on Windows: the pipe names its server's process
// instead (winpipe.Dial checks it).
func PeerUID(net.Conn) (int, bool) { return 0, false }
