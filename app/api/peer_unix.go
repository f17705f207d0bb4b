//go:build unix

package api

import (
	"io/fs"
	"net"
	"syscall"

	"github.com/tokentray/tokentray/app/peercred"
)

func ownerUID(st fs.FileInfo) (int, bool) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(s.Uid), true
	}
	return 0, false
}

// socketPeerUID returns the uid of the process at the other end of a unix
// socket connection (app/peercred).
func socketPeerUID(c net.Conn) (int, bool) {
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
