package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/tcppeer"
)

// neighbourEnv, when set, makes the test binary a hostile neighbour: run as
// the user nobody, it floods the agent's port or squats on one.
const neighbourEnv = "TOKENTRAY_API_NEIGHBOUR"

type neighbourJob struct {
	Mode    string // "flood" or "squat"
	Addr    string
	Conns   int           // flood: connections kept open at once
	For     time.Duration // flood: how long
	Refused bool          // flood: also check that a refused request's connection is closed
}

type floodResult struct {
	UID      int
	Dials    int64
	DialErrs int64
	// RefusedClosed says the 403 came with Connection: close and the
	// connection then read EOF.
	RefusedStatus int
	RefusedClose  string
	RefusedEOF    bool
}

func neighbourHelper(jobJSON string) int {
	var job neighbourJob
	if err := json.Unmarshal([]byte(jobJSON), &job); err != nil {
		fmt.Fprintln(os.Stderr, "neighbour:", err)
		return 2
	}
	switch job.Mode {
	case "squat":
		ln, err := net.Listen("tcp", job.Addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "neighbour:", err)
			return 2
		}
		go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"squatted","token_type":"Bearer","pid":4242,"socket":"/squat"}`)
		}))
		fmt.Println("listening")
		io.Copy(io.Discard, os.Stdin) // until the test closes our stdin
		return 0
	case "flood":
		res := floodResult{UID: os.Getuid()}
		if job.Refused {
			res.RefusedStatus, res.RefusedClose, res.RefusedEOF = refusedThenClosed(job.Addr)
		}
		deadline := time.Now().Add(job.For)
		var wg sync.WaitGroup
		var dials, errs atomic.Int64
		for range job.Conns {
			wg.Go(func() {
				buf := make([]byte, 512)
				for time.Now().Before(deadline) {
					c, err := net.DialTimeout("tcp", job.Addr, 2*time.Second)
					dials.Add(1)
					if err != nil {
						errs.Add(1)
						time.Sleep(10 * time.Millisecond)
						continue
					}
					// Half a request, then hold on (slowloris).
					fmt.Fprintf(c, "GET /v1/token/work HTTP/1.1\r\nHost: %s\r\n", job.Addr)
					c.SetReadDeadline(deadline)
					c.Read(buf)
					c.Close()
				}
			})
		}
		wg.Wait()
		res.Dials, res.DialErrs = dials.Load(), errs.Load()
		json.NewEncoder(os.Stdout).Encode(res)
		return 0
	}
	return 2
}

// refusedThenClosed sends one request that is refused (we are another
// user) and reads on after the answer: the agent must have closed.
func refusedThenClosed(addr string) (status int, connection string, eof bool) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return 0, err.Error(), false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET /v1/token/work HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, err.Error(), false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	_, err = br.ReadByte()
	// ReadResponse takes "Connection: close" out of the header into Close.
	if resp.Close {
		connection = "close"
	}
	return resp.StatusCode, connection, errors.Is(err, io.EOF)
}

// asNobody starts the test binary as the user nobody with a neighbour job.
func asNobody(t *testing.T, job neighbourJob) *exec.Cmd {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("becoming another user needs root; CI runs as root")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatalf("setpriv (util-linux) is needed to run as nobody: %v", err)
	}
	bin := nobodyBinary(t)
	j, _ := json.Marshal(job)
	cmd := exec.Command(setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", bin, "-test.run=^$")
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = []string{neighbourEnv + "=" + string(j), "PATH=/usr/bin:/bin"}
	return cmd
}

var (
	nobodyBinOnce sync.Once
	nobodyBin     string
	nobodyBinErr  error
)

// nobodyBinary copies the test binary where nobody may run it.
func nobodyBinary(t *testing.T) string {
	nobodyBinOnce.Do(func() {
		self, err := os.Executable()
		if err != nil {
			nobodyBinErr = err
			return
		}
		dir, err := os.MkdirTemp("", "tokentray-nobody-")
		if err != nil {
			nobodyBinErr = err
			return
		}
		os.Chmod(dir, 0o755)
		nobodyBin = filepath.Join(dir, "api.test")
		nobodyBinErr = copyFile(self, nobodyBin, 0o755)
	})
	if nobodyBinErr != nil {
		t.Fatal(nobodyBinErr)
	}
	return nobodyBin
}

// serveLimited serves s as the agent does: the TCP port behind
// LimitListener.
func serveLimited(t *testing.T, s *Server, accepted *atomic.Int64) (served, *limitListener) {
	t.Helper()
	dir := privateDir(t)
	key, err := EnsureKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.TCPKey = key
	sv := served{dir: dir, socket: apiclient.SocketPath(dir)}
	ul, err := net.Listen("unix", sv.socket)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sv.tcp = tl.Addr().String()
	ll := LimitListener(tl, func(l, r *net.TCPAddr) (int, bool) {
		accepted.Add(1)
		return tcppeer.UID(l, r)
	}).(*limitListener)
	for ln, h := range map[net.Listener]http.Handler{ul: s.SocketHandler(), ll: s.TCPHandler()} {
		srv := NewHTTPServer(h)
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	}
	return sv, ll
}

// foreignOpen is how many connections of other users ll holds open.
func (l *limitListener) foreignOpen() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for uid, c := range l.open {
		if uid != l.owner {
			n += c
		}
	}
	return n
}

// TestFloodByAnotherUser: two processes of the user nobody keep 20,000
// connections coming at the agent's port (as the reporter did)
// while we read our token over the socket and over TCP. Every read of ours
// must be answered within a second; the agent must not hoard connections,
// goroutines or memory; and nobody's refused request is answered with
// Connection: close and the connection closed.
func TestFloodByAnotherUser(t *testing.T) {
	if testing.Short() {
		t.Skip("a flood of 20,000 connections")
	}
	s := testServer(t)
	var accepted atomic.Int64
	sv, ll := serveLimited(t, s, &accepted)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	g0 := runtime.NumGoroutine()

	// First, alone: a refused request of nobody's, and what follows it.
	out, err := asNobody(t, neighbourJob{Mode: "flood", Addr: sv.tcp, Refused: true}).Output()
	if err != nil {
		t.Fatalf("nobody's refused request: %v", err)
	}
	var refused floodResult
	if err := json.Unmarshal(out, &refused); err != nil {
		t.Fatalf("helper output %q: %v", out, err)
	}
	if refused.RefusedStatus != http.StatusForbidden || refused.RefusedClose != "close" || !refused.RefusedEOF {
		t.Errorf("nobody's refused request: got HTTP %d, Connection %q, EOF after it %v; want 403, close, true", refused.RefusedStatus, refused.RefusedClose, refused.RefusedEOF)
	}

	// Our tools' connections, made before the flood: the client keeps its
	// connection to the port (keep-alive), as HTTP clients do.
	sock := apiclient.NewClient(sv.socket)
	tcpKeep := apiclient.NewTCPClient(sv.tcp, s.TCPKey)
	for _, cl := range []*apiclient.Client{sock, tcpKeep} {
		if _, err := cl.Token(context.Background(), "work", 0); err != nil {
			t.Fatalf("read before the flood: %v", err)
		}
	}

	const floodFor = 8 * time.Second
	var floods []*exec.Cmd
	var outs []*strings.Builder
	for i := range 2 {
		cmd := asNobody(t, neighbourJob{Mode: "flood", Addr: sv.tcp, Conns: 10000, For: floodFor})
		out := &strings.Builder{}
		var stderr strings.Builder
		cmd.Stdout, cmd.Stderr = out, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
			if t.Failed() {
				t.Logf("flood %d stderr: %s", i, stderr.String())
			}
		})
		floods = append(floods, cmd)
		outs = append(outs, out)
	}
	time.Sleep(time.Second) // let the flood build up

	var mu sync.Mutex // guards lat and slow
	lat, slow := map[string][]time.Duration{}, map[string]int{}
	read := func(name string, cl *apiclient.Client, strict bool) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		start := time.Now()
		tok, err := cl.Token(ctx, "work", 0)
		cancel()
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil && tok.AccessToken != "":
			lat[name] = append(lat[name], time.Since(start))
		case strict:
			t.Errorf("%s read during the flood: got %v, want a token within 1 s", name, err)
		default:
			// A new connection's SYN waits in the kernel's accept queue
			// with the flood's, and is sent again after 1 s when the
			// queue is full: counted and reported, not failed (the README
			// says so).
			slow[name]++
		}
	}
	stop := time.Now().Add(floodFor - 2*time.Second)
	var fresh sync.WaitGroup
	fresh.Go(func() {
		for time.Now().Before(stop) {
			cl := apiclient.NewTCPClient(sv.tcp, s.TCPKey)
			read("tcp new connection", cl, false)
			cl.Close()
		}
	})
	var maxG, maxForeign int
	var peak runtime.MemStats
	for time.Now().Before(stop) {
		read("socket", sock, true)
		read("tcp keep-alive", tcpKeep, true)
		maxG = max(maxG, runtime.NumGoroutine())
		maxForeign = max(maxForeign, ll.foreignOpen())
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapInuse > peak.HeapInuse {
			peak = m
		}
		time.Sleep(20 * time.Millisecond)
	}
	fresh.Wait()
	for _, cmd := range floods {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("flood: %v", err)
		}
	}
	var total floodResult
	for _, out := range outs {
		var r floodResult
		if err := json.Unmarshal([]byte(out.String()), &r); err != nil {
			t.Fatalf("flood output %q: %v", out.String(), err)
		}
		if r.UID == 0 || r.UID == os.Getuid() {
			t.Fatalf("the flood ran as uid %d; want another user", r.UID)
		}
		total.Dials += r.Dials
		total.DialErrs += r.DialErrs
	}
	for _, name := range []string{"socket", "tcp keep-alive", "tcp new connection"} {
		l := lat[name]
		if len(l) == 0 {
			t.Logf("%s: 0 reads within 1 s during the flood (%d over)", name, slow[name])
			continue
		}
		slices.Sort(l)
		t.Logf("%s: %d reads within 1 s during the flood (%d over), p50 %v, p99 %v, max %v", name, len(l), slow[name], l[len(l)/2], l[len(l)*99/100], l[len(l)-1])
	}
	t.Logf("flood: %d connections dialled by nobody (%d timed out), %d accepted and named by the agent, at most %d of them open at once; goroutines %d → max %d; heap in use %d → peak %d KiB",
		total.Dials, total.DialErrs, accepted.Load(), maxForeign, g0, maxG, before.HeapInuse>>10, peak.HeapInuse>>10)
	if total.Dials < 20000 {
		t.Errorf("the flood dialled %d connections; want at least 20000 for the test to mean something", total.Dials)
	}
	// Bounded: nobody's budget is a handful of connections, so the agent
	// holds a few goroutines for them, not one per connection (20,000);
	// the rest are our own readers' connections coming and going.
	// nobody's own budget, and the one of connections the kernel no longer
	// names (nobody gave up on them while they waited to be accepted).
	if maxForeign > 2*ForeignConns {
		t.Errorf("nobody's connections open at once: got %d, want at most %d", maxForeign, 2*ForeignConns)
	}
	if maxG > g0+1000 {
		t.Errorf("goroutines during the flood: got %d, want at most %d", maxG, g0+1000)
	}
	if peak.HeapInuse > before.HeapInuse+64<<20 {
		t.Errorf("heap in use during the flood: got %d MiB, want at most %d MiB", peak.HeapInuse>>20, (before.HeapInuse+64<<20)>>20)
	}
}

// squatAsNobody has the user nobody listen on a free loopback port and
// serve a fake token there; it returns the address and nobody's pid.
func squatAsNobody(t *testing.T) (addr string, pid int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = l.Addr().String()
	l.Close()
	cmd := asNobody(t, neighbourJob{Mode: "squat", Addr: addr})
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "listening" {
		t.Fatalf("the squatter did not start: %q, %v", line, err)
	}
	return addr, cmd.Process.Pid
}

// TestTCPClientRefusesASquatter: the user nobody holds the port and
// answers with a token of its own; our TCP client sends it nothing (not
// even the key) and takes no token.
func TestTCPClientRefusesASquatter(t *testing.T) {
	addr, _ := squatAsNobody(t)
	for _, key := range []string{"", strings.Repeat("ab", 32)} {
		tok, err := apiclient.NewTCPClient(addr, key).Token(context.Background(), "work", 0)
		var se *apiclient.SquatterError
		if !errors.As(err, &se) || se.UID == 0 || se.UID == os.Getuid() {
			t.Fatalf("key %t: got %v (token %q), want a SquatterError naming nobody's uid", key != "", err, tok.AccessToken)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("another user (uid %d)", se.UID)) {
			t.Errorf("message: got %q, want it to name the uid", err)
		}
	}
}

// TestPortHolderIsNamed: the kernel's table names the squatter's uid, and,
// since tests run as root, its pid and program.
func TestPortHolderIsNamed(t *testing.T) {
	addr, pid := squatAsNobody(t)
	h := FindPortHolder(context.Background(), addr, "")
	_, port, _ := net.SplitHostPort(addr)
	want := fmt.Sprintf("port %s is held by uid %d, pid %d (api.test)", port, h.UID, pid)
	if got := h.Describe(addr); got != want || h.UID == 0 || h.Agent != nil {
		t.Errorf("got %q (uid %d, agent %v), want %q by nobody", got, h.UID, h.Agent, want)
	}
}

// TestPortHolderOfOurs: an agent of ours on the port says who it is.
func TestPortHolderOfOurs(t *testing.T) {
	s := testServer(t)
	s.Info = func() apiclient.AgentInfo { return apiclient.AgentInfo{PID: 4242, Socket: "/run/other/agent.sock"} }
	sv := serve(t, s, nil)
	_, port, _ := net.SplitHostPort(sv.tcp)
	want := "port " + port + " is held by another tokentray agent of yours (pid 4242, socket /run/other/agent.sock)"
	if got := FindPortHolder(context.Background(), sv.tcp, "").Describe(sv.tcp); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestKeyProof: where the kernel cannot name the server (not Linux), the
// client asks the port to prove it knows the key before sending it; the
// connection then serves the request.
func TestKeyProof(t *testing.T) {
	s := testServer(t)
	dir := privateDir(t)
	key, err := EnsureKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.TCPKey = key
	sv := serveIn(t, s, dir, nil)
	squat, _ := net.Listen("tcp", "127.0.0.1:0")
	go http.Serve(squat, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(apiclient.ProofHeader, strings.Repeat("0", 64))
	}))
	defer squat.Close()
	tests := []struct {
		name, addr, key string
		ok              bool
	}{
		{"the agent, our key", sv.tcp, key, true},
		{"the agent, another key", sv.tcp, strings.Repeat("cd", 32), false},
		{"a squatter", squat.Addr().String(), key, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			err = apiclient.AskProof(context.Background(), c, tt.addr, tt.key)
			var se *apiclient.SquatterError
			if tt.ok != (err == nil) || (err != nil && !errors.As(err, &se)) {
				t.Fatalf("got %v, want ok %v (or a SquatterError)", err, tt.ok)
			}
			if !tt.ok {
				return
			}
			fmt.Fprintf(c, "GET /v1/token/work HTTP/1.1\r\nHost: %s\r\n%s: %s\r\n\r\n", tt.addr, apiclient.KeyHeader, tt.key)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("the request after the proof: got %v %v, want 200", resp, err)
			}
			resp.Body.Close()
		})
	}
}
