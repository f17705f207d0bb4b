package agent

import (
	"net"

	"github.com/tokentray/tokentray/app/winpipe"
)

// listenSocket listens on the named pipe path, open to the current user
// only (app/winpipe says why a named pipe, and why not go-winio).
func listenSocket(path string) (net.Listener, error) { return winpipe.Listen(path) }
