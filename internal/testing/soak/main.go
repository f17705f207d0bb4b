// Command soak runs the real agent for minutes against node-oidc-provider
// (strict refresh token rotation, short access tokens) through a proxy that
// breaks token requests (5xx, resets, stalls, slow bodies), with concurrent
// readers on the socket and the TCP port, and kills the agent with SIGKILL
// at random moments, restarting it each time. `make soak` runs it inside a
// throwaway desktop session (the real Secret Service).
//
// It prints what matters: expired tokens served and reads failed (both
// must be 0, else it exits 1), logins lost against the number of kills,
// refreshes done. A read fails when no valid token arrives within
// -read-tolerance (10 s) of trying: readers retry connection errors and
// error answers (an agent restarting, a refresh backing off, a login being
// redone) every 100 ms until then. An expired token served counts at once.
//
//	soak -tokentray bin/tokentray -dir .soak [-duration 3m] [-readers 50]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/internal/testing/refreshlog"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

func main() {
	var o options
	flag.StringVar(&o.bin, "tokentray", "bin/tokentray", "the tokentray `binary` to run")
	flag.StringVar(&o.dir, "dir", ".soak", "working `dir` (config, runtime dir, logs); emptied first")
	flag.StringVar(&o.providerDir, "provider", "testdata/oidc-provider", "node-oidc-provider's `dir`")
	flag.DurationVar(&o.duration, "duration", envDuration("SOAK_DURATION", 3*time.Minute), "how long to run ($SOAK_DURATION)")
	flag.IntVar(&o.readers, "readers", 50, "concurrent readers, half on the socket, half on TCP")
	flag.DurationVar(&o.tokenTTL, "token-ttl", envDuration("SOAK_TOKEN_TTL", 3*time.Second), "access token lifetime at the provider ($SOAK_TOKEN_TTL)")
	flag.DurationVar(&o.killEvery, "kill-every", envDuration("SOAK_KILL_EVERY", 10*time.Second), "mean time between kill -9s of the agent ($SOAK_KILL_EVERY); 0: never")
	flag.Float64Var(&o.faultRate, "fault-rate", 0.15, "share of token requests the proxy breaks")
	flag.DurationVar(&o.tolerance, "read-tolerance", 10*time.Second, "how long a reader tries before its read counts as failed")
	flag.Parse()
	r, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	fmt.Print(r)
	if r.expired > 0 || r.failed > 0 {
		os.Exit(1)
	}
}

type options struct {
	bin, dir, providerDir string
	duration, tokenTTL    time.Duration
	killEvery, tolerance  time.Duration
	readers               int
	faultRate             float64
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		fmt.Fprintf(os.Stderr, "soak: %s=%q is not a duration; using %v\n", name, v, def)
	}
	return def
}

// result is what the soak prints.
type result struct {
	o                               options
	elapsed                         time.Duration
	reads, expired, failed, retried int64
	inactive                        int64
	lost, kills, inFlightKills      int
	refreshes                       int64
	faults                          string
	windows                         []time.Duration
	distinctTokens                  int
	readersBySocket, readersByTCP   int
	firstFailure                    string
}

func (r result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nsoak: %v with %d readers (%d on the socket, %d on TCP), access tokens of %v (strict rotation), a kill -9 every ~%v, %.0f%% of token requests broken\n\n",
		r.elapsed.Round(time.Second), r.readersBySocket+r.readersByTCP, r.readersBySocket, r.readersByTCP, r.o.tokenTTL, r.o.killEvery, r.o.faultRate*100)
	fmt.Fprintf(&b, "expired tokens served: %d\n", r.expired)
	fmt.Fprintf(&b, "reads failed:          %d  (of %d reads; %d needed retries within %v)\n", r.failed, r.reads, r.retried, r.o.tolerance)
	fmt.Fprintf(&b, "logins lost:           %d  (of %d kills; %d kills came while a refresh was in flight)\n", r.lost, r.kills, r.inFlightKills)
	fmt.Fprintf(&b, "refreshes done:        %d  (answered 200 by the provider)\n", r.refreshes)
	fmt.Fprintf(&b, "kills:                 %d\n", r.kills)
	fmt.Fprintf(&b, "\nfaults injected:       %s\n", r.faults)
	fmt.Fprintf(&b, "distinct tokens:       %d served; %d of them inactive at the provider when first checked\n", r.distinctTokens, r.inactive)
	if len(r.windows) > 0 {
		fmt.Fprintf(&b, "crash window:          median %v, p90 %v, p99 %v, max %v over %d saves (provider's answer → refresh token saved in the keyring)\n",
			q(r.windows, 0.5), q(r.windows, 0.9), q(r.windows, 0.99), q(r.windows, 1), len(r.windows))
	}
	if r.firstFailure != "" {
		fmt.Fprintf(&b, "first failure:         %s\n", r.firstFailure)
	}
	return b.String()
}

func q(ds []time.Duration, f float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(f*float64(len(s))))].Round(10 * time.Microsecond)
}

func run(o options) (result, error) {
	r := result{o: o}
	if err := os.RemoveAll(o.dir); err != nil {
		return r, err
	}
	rundir := filepath.Join(o.dir, "run")
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return r, err
	}

	prov, stopProvider, err := startProvider(o)
	if err != nil {
		return r, err
	}
	defer stopProvider()
	proxy, err := newFaultProxy(prov, o.faultRate)
	if err != nil {
		return r, err
	}
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return r, err
	}
	go (&http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}).Serve(pl)

	listen, err := freePort()
	if err != nil {
		return r, err
	}
	profile := fmt.Sprintf("soak-%d", os.Getpid())
	cfgPath := filepath.Join(o.dir, "config.toml")
	cfg := fmt.Sprintf(`listen = %q

[[profile]]
name = %q
issuer = %q
authorization_endpoint = "%s/auth"
token_endpoint = "http://%s/token"
revocation_endpoint = "%s/token/revocation"
client_id = %q
scopes = ["openid", "offline_access"]
`, listen, profile, prov, prov, pl.Addr(), prov, testprovider.DefaultClientID)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return r, err
	}

	ag := &agentRunner{bin: o.bin, cfg: cfgPath, rundir: rundir, logPath: filepath.Join(o.dir, "agent.log")}
	if err := ag.start(); err != nil {
		return r, err
	}
	defer ag.stop()
	cl := apiclient.NewClient(apiclient.SocketPath(rundir))
	browser := testprovider.Attach(prov).Browser("soak")
	if err := login(cl, browser, profile); err != nil {
		return r, fmt.Errorf("first login: %w\n%s", err, ag.logTail())
	}
	fmt.Fprintf(os.Stderr, "soak: provider %s, proxy %s, agent on %s and %s; running %v (agent log: %s)\n", prov, pl.Addr(), apiclient.SocketPath(rundir), listen, o.duration, ag.logPath)

	ctx, cancel := context.WithTimeout(context.Background(), o.duration)
	defer cancel()
	start := time.Now()
	var (
		reads, expired, failed, retried, inactive atomic.Int64
		mu                                        sync.Mutex // guards seen and firstFailure
		seen                                      = map[string]bool{}
		firstFailure                              string
		wg                                        sync.WaitGroup
	)
	fail := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		if firstFailure == "" {
			firstFailure = fmt.Sprintf("%v in: %s", time.Since(start).Round(time.Millisecond), s)
		}
	}
	checkToken := func(tok string) {
		mu.Lock()
		isNew := !seen[tok]
		seen[tok] = true
		mu.Unlock()
		if !isNew {
			return
		}
		if active, err := browserProvider(prov).Introspect(testprovider.DefaultClientID, "", tok); err == nil && !active {
			inactive.Add(1)
		}
	}

	// Readers.
	for i := range o.readers {
		c := cl
		if i%2 == 1 {
			c = apiclient.NewTCPClient(listen, "")
			r.readersByTCP++
		} else {
			r.readersBySocket++
		}
		wg.Go(func() {
			for ctx.Err() == nil {
				began := time.Now()
				tries := 0
				for {
					tries++
					rctx, rcancel := context.WithTimeout(context.Background(), o.tolerance)
					tok, err := c.Token(rctx, profile, 0)
					rcancel()
					now := time.Now()
					if err == nil {
						reads.Add(1)
						if !tok.ExpiresAt.After(now) {
							expired.Add(1)
							fail(fmt.Sprintf("an expired token (expires_at %v, now %v)", tok.ExpiresAt, now))
						}
						checkToken(tok.AccessToken)
						if tries > 1 {
							retried.Add(1)
						}
						break
					}
					if now.Sub(began) >= o.tolerance {
						reads.Add(1)
						failed.Add(1)
						fail(fmt.Sprintf("no valid token for %v: %v", o.tolerance, err))
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
				time.Sleep(20*time.Millisecond + rand.N(60*time.Millisecond))
			}
		})
	}

	// The person at the keyboard: logs in again when the agent says so.
	var lost atomic.Int64
	wg.Go(func() {
		for ctx.Err() == nil {
			time.Sleep(200 * time.Millisecond)
			sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
			st, err := cl.Status(sctx)
			scancel()
			if err != nil {
				continue
			}
			for _, p := range st.Profiles {
				if p.Profile == profile && (p.State == "login required" || p.State == "logged out") {
					lost.Add(1)
					fmt.Fprintf(os.Stderr, "soak: %v: login lost (%s: %s); logging in again\n", time.Since(start).Round(time.Second), p.State, p.Reason)
					for ctx.Err() == nil {
						if err := login(cl, browser, profile); err == nil {
							break
						}
						time.Sleep(200 * time.Millisecond)
					}
				}
			}
		}
	})

	// The killer.
	kills, inFlight := 0, 0
	if o.killEvery > 0 {
		for {
			wait := o.killEvery/2 + rand.N(o.killEvery)
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			if ctx.Err() != nil {
				break
			}
			if ag.kill() == refreshlog.InFlight {
				inFlight++
			}
			kills++
			if err := ag.start(); err != nil {
				cancel()
				wg.Wait()
				return r, fmt.Errorf("restart after kill %d: %w", kills, err)
			}
		}
	}
	<-ctx.Done()
	wg.Wait()

	r.elapsed = time.Since(start)
	r.reads, r.expired, r.failed, r.retried, r.inactive = reads.Load(), expired.Load(), failed.Load(), retried.Load(), inactive.Load()
	r.lost, r.kills, r.inFlightKills = int(lost.Load()), kills, inFlight
	r.refreshes = proxy.refreshes.Load()
	r.faults = proxy.summary()
	r.distinctTokens = len(seen)
	r.firstFailure = firstFailure
	ag.stop()
	logs, _ := os.ReadFile(ag.logPath)
	r.windows = refreshlog.Windows(string(logs))
	return r, nil
}

// browserProvider is the provider for introspection (directly, not through
// the proxy).
func browserProvider(issuer string) *testprovider.Provider { return testprovider.Attach(issuer) }

func login(cl *apiclient.Client, b *testprovider.Browser, profile string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- cl.Login(ctx, profile, true, func(u string) { urls <- u }) }()
	select {
	case u := <-urls:
		if err := b.Browse(u); err != nil {
			cl.CancelLogin(ctx, profile)
			return err
		}
		return <-done
	case err := <-done:
		if err == nil {
			err = errors.New("the login ended without a URL")
		}
		return err
	}
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startProvider starts node-oidc-provider on the loopback with strict
// rotation and short access tokens; it dies with us (its stdin closes).
func startProvider(o options) (issuer string, stop func(), err error) {
	conf, _ := json.Marshal(map[string]any{"port": 0, "accessTokenTTL": int(o.tokenTTL / time.Second), "rotateRefreshToken": true, "exitWithStdin": true})
	cmd := exec.Command("node", "server.js")
	cmd.Dir = o.providerDir
	cmd.Env = append(os.Environ(), "OIDC_PROVIDER_CONFIG="+string(conf))
	logf, err := os.Create(filepath.Join(o.dir, "provider.log"))
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = logf
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("starting node-oidc-provider (run make deps): %w", err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if iss, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- iss
			}
		}
	}()
	stop = func() { stdin.Close(); cmd.Process.Signal(os.Interrupt); cmd.Wait(); logf.Close() }
	select {
	case issuer = <-ready:
		return issuer, stop, nil
	case <-time.After(20 * time.Second):
		stop()
		return "", nil, errors.New("node-oidc-provider did not start within 20 s (see provider.log)")
	}
}

// agentRunner runs `tokentray agent --debug`, kills and restarts it.
type agentRunner struct {
	bin, cfg, rundir, logPath string

	mu   sync.Mutex // guards cmd, done and run
	cmd  *exec.Cmd
	done chan struct{}
	run  *strings.Builder // this run's log
}

func (a *agentRunner) start() error {
	logf, err := os.OpenFile(a.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(a.bin, "agent", "--debug", "--config", a.cfg, "--runtime-dir", a.rundir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	run, done := &strings.Builder{}, make(chan struct{})
	var rmu sync.Mutex
	go func() {
		defer close(done)
		defer logf.Close()
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			line := sc.Text() + "\n"
			io.WriteString(logf, line)
			rmu.Lock()
			run.WriteString(line)
			rmu.Unlock()
		}
		cmd.Wait()
	}()
	a.mu.Lock()
	a.cmd, a.done, a.run = cmd, done, run
	a.mu.Unlock()
	cl := apiclient.NewClient(apiclient.SocketPath(a.rundir))
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := cl.Status(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("the agent exited: %v\n%s", cmd.ProcessState, a.logTail())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("the agent did not answer within 20 s\n%s", a.logTail())
}

// kill sends SIGKILL, waits for the end, and says where the last refresh
// stood (refreshlog.Phase).
func (a *agentRunner) kill() string {
	a.mu.Lock()
	cmd, done, run := a.cmd, a.done, a.run
	a.mu.Unlock()
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	return refreshlog.Phase(run.String())
}

func (a *agentRunner) stop() {
	a.mu.Lock()
	cmd, done := a.cmd, a.done
	a.mu.Unlock()
	if cmd != nil {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
		}
	}
}

func (a *agentRunner) logTail() string {
	b, _ := os.ReadFile(a.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
