//go:build linux

package tcppeer

import (
	"net"
	"testing"
)

// BenchmarkLoopbackPeerUID: one peer lookup with 128 other loopback
// connections open, as under a 64-connection load test.
func BenchmarkLoopbackPeerUID(b *testing.B) {
	for range 63 {
		acceptLoopback(b, "tcp", "127.0.0.1:0")
	}
	server := acceptLoopback(b, "tcp", "127.0.0.1:0")
	local, remote := server.LocalAddr().(*net.TCPAddr), server.RemoteAddr().(*net.TCPAddr)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := UID(local, remote); !ok {
			b.Fatal("peer not found")
		}
	}
}
