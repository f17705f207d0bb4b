package tcppeer

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
)

func TestFindPeerUID(t *testing.T) {
	// Our side of the connection: we listen on 127.0.0.1:8733 (0x221D) and
	// the peer connected from 127.0.0.1:54321 (0xD431).
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8733}
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 54321}
	const header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	row := func(local, rem, st, uid string) string {
		return "   0: " + local + " " + rem + " " + st + " 00000000:00000000 00:00000000 00000000  " + uid + "        0 4242 1 0000000000000000 20 4 30 10 -1\n"
	}
	tests := []struct {
		name    string
		table   string
		wantUID int
		wantOK  bool
	}{
		{"the peer's row", header +
			row("0100007F:221D", "00000000:0000", "0A", "0") + // our listener
			row("0100007F:221D", "0100007F:D431", "01", "0") + // our accepted socket
			row("0100007F:D431", "0100007F:221D", "01", "1000"), // the peer
			1000, true},
		{"a time-wait row is not trusted", header + row("0100007F:D431", "0100007F:221D", "06", "0"), 0, false},
		{"another connection to us", header + row("0100007F:D432", "0100007F:221D", "01", "1000"), 0, false},
		{"same port, other host", header + row("0200007F:D431", "0100007F:221D", "01", "1000"), 0, false},
		{"the peer's row among others", header +
			row("0100007F:D431", "0100007F:1F90", "01", "33") + // the same port talking elsewhere
			row("0100007F:D431", "0100007F:221D", "01", "65534"),
			65534, true},
		{"garbage", "not a table\n:D431 x y z\n", 0, false},
		{"empty", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uid, ok := findPeerUID(strings.NewReader(tt.table), local, remote)
			if uid != tt.wantUID || ok != tt.wantOK {
				t.Errorf("got %d, %v, want %d, %v", uid, ok, tt.wantUID, tt.wantOK)
			}
		})
	}
}

func TestFindPeerUIDIPv6(t *testing.T) {
	local := &net.TCPAddr{IP: net.IPv6loopback, Port: 8733}
	remote := &net.TCPAddr{IP: net.IPv6loopback, Port: 54321}
	mapped := &net.TCPAddr{IP: net.ParseIP("::ffff:127.0.0.1"), Port: 8733}
	for _, tt := range []struct {
		name          string
		local, remote *net.TCPAddr
		row           string
	}{
		{"::1", local, remote, procAddr(remote) + " " + procAddr(local)},
		// A v4 peer of a dual-stack listener: its own row is plain IPv4.
		{"v4-mapped", mapped, &net.TCPAddr{IP: net.ParseIP("::ffff:127.0.0.1"), Port: 54321},
			procAddr(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1).To4(), Port: 54321}) + " " + procAddr(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1).To4(), Port: 8733})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			table := "  sl  local_address remote_address st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
				"   0: " + tt.row + " 01 00000000:00000000 00:00000000 00000000  1000        0 4242\n"
			if uid, ok := findPeerUID(strings.NewReader(table), tt.local, tt.remote); uid != 1000 || !ok {
				t.Errorf("got %d, %v, want 1000, true", uid, ok)
			}
		})
	}
}

// procAddr writes an address the way the kernel's table does: each 32-bit
// word of the address in host byte order, in hex.
func procAddr(a *net.TCPAddr) string {
	ip := a.IP
	if v4 := ip.To4(); v4 != nil && len(ip) == net.IPv4len {
		ip = v4
	}
	var b strings.Builder
	for i := 0; i < len(ip); i += 4 {
		fmt.Fprintf(&b, "%08X", binary.NativeEndian.Uint32(ip[i:]))
	}
	fmt.Fprintf(&b, ":%04X", a.Port)
	return b.String()
}

// The live table names our own uid for a connection we make to ourselves,
// over IPv4 and IPv6.
func TestLoopbackPeerUIDFindsUs(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6"} {
		t.Run(network, func(t *testing.T) {
			addr := "127.0.0.1:0"
			if network == "tcp6" {
				addr = "[::1]:0"
			}
			sc := acceptLoopback(t, network, addr)
			uid, ok := UID(sc.LocalAddr().(*net.TCPAddr), sc.RemoteAddr().(*net.TCPAddr))
			if !ok || uid != os.Getuid() {
				t.Errorf("got %d, %v, want %d, true", uid, ok, os.Getuid())
			}
		})
	}
}

// acceptLoopback connects to a new listener on addr and returns the
// accepted (server) end; both ends close when the test ends.
func acceptLoopback(tb testing.TB, network, addr string) net.Conn {
	tb.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		tb.Fatalf("listen on the loopback: %v", err)
	}
	defer ln.Close()
	c, err := net.Dial(network, ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	sc, err := ln.Accept()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sc.Close() })
	return sc
}
