package api

import (
	"io/fs"
	"net"
)

func ownerUID(fs.FileInfo) (int, bool)   { return 0, false }
func socketPeerUID(net.Conn) (int, bool) { return 0, false }
