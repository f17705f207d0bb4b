package api

import (
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestLimitListenerBudgets: connections over their user's budget are
// dropped at once, whatever the others do, and a closed connection gives
// its place back.
func TestLimitListenerBudgets(t *testing.T) {
	owner, other := os.Getuid(), os.Getuid()+1000
	tests := []struct {
		name   string
		uid    int
		known  bool
		budget int
	}{
		{"another user", other, true, ForeignConns},
		{"the owner", owner, true, OwnerConns},
		{"not named by the kernel", 0, false, unknownBudget()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ll := LimitListener(ln, func(_, _ *net.TCPAddr) (int, bool) { return tt.uid, tt.known })
			defer ll.Close()
			var mu sync.Mutex // guards admitted
			var admitted []net.Conn
			go func() {
				for {
					c, err := ll.Accept()
					if err != nil {
						return
					}
					mu.Lock()
					admitted = append(admitted, c)
					mu.Unlock()
				}
			}()
			// A connection dropped at once may fail its dial already.
			var clients []net.Conn
			dropped := 0
			for range tt.budget + 3 {
				c, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					dropped++
					continue
				}
				defer c.Close()
				clients = append(clients, c)
			}
			count := func() int {
				mu.Lock()
				defer mu.Unlock()
				return len(admitted)
			}
			waitFor(t, func() bool { return count() >= tt.budget })
			time.Sleep(50 * time.Millisecond) // the extra three have been seen too
			if got := count(); got != tt.budget {
				t.Fatalf("admitted: got %d, want %d", got, tt.budget)
			}
			// The three over budget were dropped: they read an error at once.
			var wg sync.WaitGroup
			var dmu sync.Mutex // guards dropped
			for _, c := range clients {
				wg.Go(func() {
					c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
					if _, err := c.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
						dmu.Lock()
						dropped++
						dmu.Unlock()
					}
				})
			}
			wg.Wait()
			if dropped != 3 {
				t.Errorf("connections dropped: got %d, want 3", dropped)
			}
			// One closed by the server gives room to one more.
			mu.Lock()
			admitted[0].Close()
			mu.Unlock()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			waitFor(t, func() bool { return count() == tt.budget+1 })
		})
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// emfileListener fails its first Accepts with EMFILE, as a process out of
// descriptors does, then accepts from the real listener.
type emfileListener struct {
	net.Listener
	fails int
}

func (l *emfileListener) Accept() (net.Conn, error) {
	if l.fails > 0 {
		l.fails--
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// TestLimitListenerRidesOutEMFILE: out of descriptors, Accept waits and
// tries again instead of failing (http.Server would stop serving) or
// spinning.
func TestLimitListenerRidesOutEMFILE(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ll := LimitListener(&emfileListener{Listener: ln, fails: 3}, func(_, _ *net.TCPAddr) (int, bool) { return os.Getuid(), true })
	defer ll.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	got, err := ll.Accept()
	if err != nil {
		t.Fatalf("Accept after EMFILE: got %v, want the connection", err)
	}
	got.Close()
	// Three backoffs: 5 + 10 + 20 ms.
	if d := time.Since(start); d < 35*time.Millisecond {
		t.Errorf("Accept returned after %v; want it to have backed off (at least 35ms)", d)
	}
}
