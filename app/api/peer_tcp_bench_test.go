//go:build linux

package api

import (
	"net"
	"testing"
)

// BenchmarkLoopbackPeerUID: one peer lookup with 128 other loopback
// connections open, as under a 64-connection load test.
func BenchmarkLoopbackPeerUID(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 200)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	var conns []net.Conn
	for range 64 {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c, <-accepted)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	server := conns[len(conns)-1]
	local, remote := server.LocalAddr().(*net.TCPAddr), server.RemoteAddr().(*net.TCPAddr)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := loopbackPeerUID(local, remote); !ok {
			b.Fatal("peer not found")
		}
	}
}
