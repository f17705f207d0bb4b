// Package tcppeer names the user at the other end of a loopback TCP
// connection, from the kernel: the agent asks it of every client of its
// port, and every client of the port asks it of the agent (another user
// may hold the port first). It is apart from app/peercred because it needs
// net, which the tokentray front command must not link.
package tcppeer

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
)

// UID finds the uid of the process at the other end of a
// loopback TCP connection: the peer's socket is the row
// of the kernel's socket table (/proc/net/tcp, /proc/net/tcp6) whose local
// address is our remote one and whose remote address is our local one. A
// 4-tuple names one connection, so the row, while established, is the peer.
// The kernel is asked for that one row (diagPeerUID) where it can be; the
// table is read where it cannot.
func UID(local, remote *net.TCPAddr) (int, bool) {
	if !local.IP.IsLoopback() || !remote.IP.IsLoopback() {
		return 0, false
	}
	if uid, found, err := diagPeerUID(local, remote); err == nil {
		return uid, found
	}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		uid, ok := findPeerUID(f, local, remote)
		f.Close()
		if ok {
			return uid, true
		}
	}
	return 0, false
}

// tcpEstablished is the state column's value for an established connection
// (include/net/tcp_states.h). Rows in other states are not trusted: a
// socket in TIME_WAIT shows uid 0 whoever owned it.
const tcpEstablished = "01"

// findPeerUID scans a /proc/net/tcp{,6} table for the peer's row.
//
//	sl  local_address rem_address   st tx_queue:rx_queue tr:tm->when retrnsmt   uid ...
//	 0: 0100007F:D431 0100007F:221D 01 00000000:00000000 00:00000000 00000000  1000 ...
//
// Addresses are the raw 32-bit words of the address in the host's byte
// order, in hex; ports are hex in the usual order.
func findPeerUID(r io.Reader, local, remote *net.TCPAddr) (int, bool) {
	wantPort := fmt.Sprintf(":%04X", remote.Port)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 4096)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || !strings.HasSuffix(f[1], wantPort) || f[3] != tcpEstablished {
			continue
		}
		lip, lport, ok1 := ParseProcAddr(f[1])
		rip, rport, ok2 := ParseProcAddr(f[2])
		if !ok1 || !ok2 || lport != remote.Port || rport != local.Port || !lip.Equal(remote.IP) || !rip.Equal(local.IP) {
			continue
		}
		uid, err := strconv.Atoi(f[7])
		if err != nil {
			return 0, false
		}
		return uid, true
	}
	return 0, false
}

// ParseProcAddr reads "0100007F:1F90" (IPv4) or 32 hex digits and a port
// (IPv6). net.IP.Equal then treats 127.0.0.1 and ::ffff:127.0.0.1 alike.
func ParseProcAddr(s string) (net.IP, int, bool) {
	h, p, ok := strings.Cut(s, ":")
	if !ok || (len(h) != 8 && len(h) != 32) {
		return nil, 0, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return nil, 0, false
	}
	raw, err := hex.DecodeString(h)
	if err != nil {
		return nil, 0, false
	}
	ip := make(net.IP, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(ip[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	return ip, int(port), true
}

// NamesAll says whether UID can name every established peer.
const NamesAll = true
