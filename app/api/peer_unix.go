//go:build unix

package api

import (
	"io/fs"
	"net"
	"syscall"

	"github.com/tokentray/tokentray/app/apiclient"
)

func ownerUID(st fs.FileInfo) (int, bool) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(s.Uid), true
	}
	return 0, false
}

// socketPeerUID returns the uid of the process at the other end of a unix
// socket connection, as the client asks it of the agent.
func socketPeerUID(c net.Conn) (int, bool) { return apiclient.PeerUID(c) }
