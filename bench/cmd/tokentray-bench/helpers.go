package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// serveConst is the baseline: a bare net/http server (default settings)
// answering every request with the same bytes, on TCP and on a unix
// socket. It prints "READY <tcp address>" and serves until stdin closes.
func serveConst(args []string) error {
	fs := flag.NewFlagSet("serve-const", flag.ContinueOnError)
	tcp := fs.String("tcp", "127.0.0.1:0", "TCP `address`")
	unix := fs.String("unix", "", "unix socket `path`")
	bodyFile := fs.String("body", "", "`file` with the answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	tl, err := net.Listen("tcp", *tcp)
	if err != nil {
		return err
	}
	go http.Serve(tl, h)
	if *unix != "" {
		os.Remove(*unix)
		ul, err := net.Listen("unix", *unix)
		if err != nil {
			return err
		}
		go http.Serve(ul, h)
	}
	fmt.Printf("READY %s\n", tl.Addr())
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// baseline is a running serve-const process.
type baseline struct {
	tcp, unix string
	cmd       *exec.Cmd
	stdin     io.WriteCloser
}

// startBaseline starts the bare server answering body.
func (r *run) startBaseline(name string, body []byte) (*baseline, error) {
	bodyFile := filepath.Join(r.out, name+".body")
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		return nil, err
	}
	b := &baseline{unix: filepath.Join(r.rundir, name+".sock")}
	b.cmd = exec.Command(r.self, "serve-const", "-unix", b.unix, "-body", bodyFile)
	b.cmd.Stderr = r.log
	out, err := b.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if b.stdin, err = b.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := b.cmd.Start(); err != nil {
		return nil, err
	}
	r.defer_(b.stop)
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "READY ")
	if err != nil || !ok {
		return nil, fmt.Errorf("the baseline server did not start: %q %v", line, err)
	}
	b.tcp = addr
	return b, nil
}

func (b *baseline) stop() {
	b.stdin.Close()
	done := make(chan struct{})
	go func() { b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		b.cmd.Process.Kill()
		<-done
	}
}

// browserRecord is what one scripted browser run logs (BENCH_BROWSER_LOG).
type browserRecord struct {
	Start      time.Time     `json:"start"`
	Total      time.Duration `json:"total_ns"`    // the whole Browse call
	ProviderRT time.Duration `json:"provider_ns"` // its requests to the provider, as it saw them
	ClientRT   time.Duration `json:"callback_ns"` // its request to tokentray's loopback callback
	Requests   int           `json:"requests"`
	Err        string        `json:"error,omitempty"`
}

// timingTransport times every request the scripted browser makes.
type timingTransport struct {
	base     http.RoundTripper
	provider string     // host of the provider
	mu       sync.Mutex // guards rec
	rec      *browserRecord
}

func (t *timingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err == nil {
		// Include reading the body, as the browser does next.
		b, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		resp.Body = io.NopCloser(strings.NewReader(string(b)))
		err = rerr
	}
	d := time.Since(start)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rec.Requests++
	if req.URL.Host == t.provider {
		t.rec.ProviderRT += d
	} else {
		t.rec.ClientRT += d
	}
	return resp, err
}

// browse is the $BROWSER tokentray opens: it logs in at the test provider
// (whose issuer is the URL's origin) as a person would, and records its
// timings in $BENCH_BROWSER_LOG.
func browse(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: tokentray-bench browser URL")
	}
	u, err := url.Parse(args[0])
	if err != nil {
		return err
	}
	rec := &browserRecord{Start: time.Now()}
	http.DefaultTransport = &timingTransport{base: http.DefaultTransport, provider: u.Host, rec: rec}
	err = testprovider.Attach(u.Scheme + "://" + u.Host).Browser("bench-user").Browse(args[0])
	rec.Total = time.Since(rec.Start)
	if err != nil {
		rec.Err = err.Error()
	}
	if path := os.Getenv("BENCH_BROWSER_LOG"); path != "" {
		f, ferr := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if ferr == nil {
			json.NewEncoder(f).Encode(rec)
			f.Close()
		}
	}
	return err
}

// lastBrowserRecord reads the newest record of an agent's browser log.
func lastBrowserRecord(path string) (browserRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return browserRecord{}, err
	}
	defer f.Close()
	var last browserRecord
	found := false
	dec := json.NewDecoder(f)
	for {
		var r browserRecord
		if err := dec.Decode(&r); err != nil {
			break
		}
		last, found = r, true
	}
	if !found {
		return last, fmt.Errorf("no browser record in %s", path)
	}
	return last, nil
}

// sleepCtx sleeps for d unless ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
