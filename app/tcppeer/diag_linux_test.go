package tcppeer

import (
	"encoding/binary"
	"net"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// The kernel's exact lookup and the table agree, over IPv4 and IPv6, and
// a 4-tuple no socket has is not found (not an error).
func TestDiagPeerUIDAgreesWithTheTable(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		sc := acceptLoopback(t, "tcp", addr)
		local, remote := sc.LocalAddr().(*net.TCPAddr), sc.RemoteAddr().(*net.TCPAddr)
		uid, found, err := diagPeerUID(local, remote)
		if err != nil || !found || uid != os.Getuid() {
			t.Errorf("%s: diag: got %d, %v, %v; want %d, true, nil", addr, uid, found, err, os.Getuid())
		}
		var tableUID int
		var inTable bool
		for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
			if f, err := os.Open(table); err == nil {
				if u, ok := findPeerUID(f, local, remote); ok {
					tableUID, inTable = u, true
				}
				f.Close()
			}
		}
		if !inTable || tableUID != uid {
			t.Errorf("%s: the table says %d, %v; diag %d", addr, tableUID, inTable, uid)
		}

		gone := *remote
		gone.Port = remote.Port ^ 1
		if uid, found, err := diagPeerUID(local, &gone); err != nil || found {
			t.Errorf("%s: a 4-tuple of no socket: got %d, %v, %v; want not found, no error", addr, uid, found, err)
		}
	}
}

func TestParseDiagAnswer(t *testing.T) {
	ne := binary.NativeEndian
	msg := func(typ uint16, data []byte) []byte {
		b := make([]byte, unix.NLMSG_HDRLEN+len(data))
		ne.PutUint32(b, uint32(len(b)))
		ne.PutUint16(b[4:], typ)
		copy(b[unix.NLMSG_HDRLEN:], data)
		return b
	}
	sock := func(state uint8, uid uint32) []byte {
		d := make([]byte, sizeofDiagMsg)
		d[diagMsgState] = state
		ne.PutUint32(d[diagMsgUID:], uid)
		return d
	}
	errno := func(e unix.Errno) []byte {
		d := make([]byte, 20)
		ne.PutUint32(d, uint32(-int32(e)))
		return d
	}
	tests := []struct {
		name    string
		answer  []byte
		uid     int
		found   bool
		wantErr bool
	}{
		{"established", msg(unix.SOCK_DIAG_BY_FAMILY, sock(1, 1000)), 1000, true, false},
		{"time-wait shows uid 0 for anyone", msg(unix.SOCK_DIAG_BY_FAMILY, sock(6, 0)), 0, false, false},
		{"no such socket", msg(unix.NLMSG_ERROR, errno(unix.ENOENT)), 0, false, false},
		{"not supported", msg(unix.NLMSG_ERROR, errno(unix.EOPNOTSUPP)), 0, false, true},
		{"short answer", msg(unix.SOCK_DIAG_BY_FAMILY, sock(1, 1000)[:40]), 0, false, true},
		{"short error", msg(unix.NLMSG_ERROR, []byte{1}), 0, false, true},
		{"other type", msg(unix.NLMSG_DONE, nil), 0, false, true},
		{"length beyond the data", msg(unix.SOCK_DIAG_BY_FAMILY, sock(1, 1000))[:20], 0, false, true},
		{"nothing", nil, 0, false, true},
	}
	for _, tt := range tests {
		uid, found, err := parseDiagAnswer(tt.answer)
		if uid != tt.uid || found != tt.found || (err != nil) != tt.wantErr {
			t.Errorf("%s: got %d, %v, %v; want %d, %v, error %v", tt.name, uid, found, err, tt.uid, tt.found, tt.wantErr)
		}
	}
}
