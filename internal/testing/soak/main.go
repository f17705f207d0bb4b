// Command soak runs the real agent for minutes against node-oidc-provider
// (strict refresh token rotation, short access tokens) through a proxy that
// breaks token requests (5xx, firewall HTML 403s, resets, stalls, slow
// bodies), with concurrent readers on the socket and the TCP port, and
// kills the agent with SIGKILL at random moments, restarting it each time;
// it pauses the agent (SIGSTOP/SIGCONT) for 5–40 s right after it sent a
// refresh, and locks the keyring or kills the Secret Service during
// rotations. `make soak` runs it inside a throwaway desktop session (the
// real Secret Service).
//
// Every token served is judged by the provider: presented to its
// introspection endpoint as soon as the reader has it (a JWT access token,
// which node-oidc-provider does not introspect, by its own exp). It prints
// what matters and exits 1 unless these are 0: tokens rejected by the
// provider, expired tokens served, reads failed outside the outages the
// soak itself causes, chains lost outside the physical window. A read fails
// when no token arrives within -read-tolerance (10 s) of trying: readers
// retry connection errors and error answers every 100 ms until then.
//
//	soak -tokentray bin/tokentray -dir .soak [-duration 3m] [-readers 20] [-short]
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
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/internal/testing/refreshlog"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

func main() {
	var o options
	flag.StringVar(&o.bin, "tokentray", "bin/tokentray", "the tokentray `binary` to run")
	flag.StringVar(&o.dir, "dir", ".soak", "working `dir` (config, runtime dir, logs); emptied first")
	flag.StringVar(&o.providerDir, "provider", "testdata/oidc-provider", "node-oidc-provider's `dir`")
	flag.DurationVar(&o.duration, "duration", envDuration("SOAK_DURATION", 3*time.Minute), "how long to run ($SOAK_DURATION)")
	flag.IntVar(&o.readers, "readers", 20, "concurrent readers, half on the socket, half on TCP")
	flag.DurationVar(&o.tokenTTL, "token-ttl", envDuration("SOAK_TOKEN_TTL", 3*time.Second), "access token lifetime at the provider ($SOAK_TOKEN_TTL)")
	flag.DurationVar(&o.killEvery, "kill-every", envDuration("SOAK_KILL_EVERY", 10*time.Second), "mean time between kill -9s of the agent ($SOAK_KILL_EVERY); 0: never")
	flag.Float64Var(&o.faultRate, "fault-rate", 0.15, "share of token requests the proxy breaks")
	flag.DurationVar(&o.tolerance, "read-tolerance", 10*time.Second, "how long a reader tries before its read counts as failed")
	flag.DurationVar(&o.pauseEvery, "pause-every", envDuration("SOAK_PAUSE_EVERY", 45*time.Second), "mean time between SIGSTOP pauses of the agent right after it sent a refresh ($SOAK_PAUSE_EVERY); 0: never")
	flag.DurationVar(&o.pauseMax, "pause-max", 40*time.Second, "longest pause (the shortest is 5 s)")
	flag.DurationVar(&o.keyringEvery, "keyring-every", envDuration("SOAK_KEYRING_EVERY", 30*time.Second), "mean time between keyring outages, alternately a locked collection and a killed Secret Service ($SOAK_KEYRING_EVERY); 0: never")
	flag.DurationVar(&o.keyringHold, "keyring-hold", 6*time.Second, "mean length of a keyring outage")
	flag.BoolVar(&o.jwt, "jwt", false, "JWT access tokens, judged by their exp (node-oidc-provider does not introspect them)")
	short := flag.Bool("short", os.Getenv("SOAK_SHORT") != "", "a short run for tests: 45 s, a kill every ~3 s, pauses of 5–8 s, keyring outages every ~10 s ($SOAK_SHORT)")
	flag.Parse()
	if *short {
		o = o.short()
	}
	r, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	fmt.Print(r)
	if r.expired > 0 || r.failed > 0 || r.rejected > 0 || r.lostOutside > 0 {
		os.Exit(1)
	}
}

type options struct {
	bin, dir, providerDir     string
	duration, tokenTTL        time.Duration
	killEvery, tolerance      time.Duration
	pauseEvery, pauseMax      time.Duration
	keyringEvery, keyringHold time.Duration
	readers                   int
	faultRate                 float64
	jwt                       bool
}

// short is o for a short run, usable in tests: 45 s with every fault
// often.
func (o options) short() options {
	o.duration, o.killEvery, o.pauseEvery, o.pauseMax, o.keyringEvery, o.keyringHold = 45*time.Second, 3*time.Second, 15*time.Second, 8*time.Second, 10*time.Second, 3*time.Second
	return o
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
	rejected, judged, failedOutage  int64
	firstRejected                   string
	lostInside, lostOutside         int
	firstOutside                    string
	pauses, pausedSeconds           int
	keyring                         string
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
	fmt.Fprintf(&b, "rejected by provider:  %d  (of %d served tokens presented to it: %s)\n", r.rejected, r.judged, map[bool]string{false: "introspection", true: "the JWT's exp"}[r.o.jwt])
	fmt.Fprintf(&b, "expired tokens served: %d  (by the agent's own expires_at)\n", r.expired)
	fmt.Fprintf(&b, "reads failed:          %d  (of %d reads; %d needed retries within %v; %d more failed during the pauses and keyring outages the soak caused)\n", r.failed, r.reads, r.retried, r.o.tolerance, r.failedOutage)
	fmt.Fprintf(&b, "logins lost:           %d  (of %d kills; %d kills came while a refresh was in flight)\n", r.lost, r.kills, r.inFlightKills)
	fmt.Fprintf(&b, "  inside the window:   %d  (after a kill between the refresh sent and its token saved)\n", r.lostInside)
	fmt.Fprintf(&b, "  outside the window:  %d\n", r.lostOutside)
	fmt.Fprintf(&b, "pauses:                %d SIGSTOPs right after a refresh was sent, %d s in all (5–%v each)\n", r.pauses, r.pausedSeconds, r.o.pauseMax)
	fmt.Fprintf(&b, "keyring outages:       %s\n", r.keyring)
	fmt.Fprintf(&b, "refreshes done:        %d  (answered 200 by the provider)\n", r.refreshes)
	fmt.Fprintf(&b, "kills:                 %d\n", r.kills)
	fmt.Fprintf(&b, "\nfaults injected:       %s\n", r.faults)
	fmt.Fprintf(&b, "distinct tokens:       %d served\n", r.distinctTokens)
	if len(r.windows) > 0 {
		fmt.Fprintf(&b, "crash window:          median %v, p90 %v, p99 %v, max %v over %d saves (provider's answer → refresh token saved in the keyring)\n",
			q(r.windows, 0.5), q(r.windows, 0.9), q(r.windows, 0.99), q(r.windows, 1), len(r.windows))
	}
	if r.firstFailure != "" {
		fmt.Fprintf(&b, "first failure:         %s\n", r.firstFailure)
	}
	if r.firstRejected != "" {
		fmt.Fprintf(&b, "first rejection:       %s\n", r.firstRejected)
	}
	if r.firstOutside != "" {
		fmt.Fprintf(&b, "first loss outside:    %s\n", r.firstOutside)
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

	ag := &agentRunner{bin: o.bin, cfg: cfgPath, rundir: rundir, logPath: filepath.Join(o.dir, "agent.log"), sent: make(chan struct{}, 1)}
	if err := ag.start(); err != nil {
		return r, err
	}
	defer ag.stop()
	cl := apiclient.NewClient(apiclient.SocketPath(rundir))
	browser := testprovider.Attach(prov).Browser("soak")
	// The proxy breaks logins too: a person tries again.
	for try := 1; ; try++ {
		err := login(cl, browser, profile)
		if err == nil {
			break
		}
		if try == 5 {
			return r, fmt.Errorf("first login, %d tries: %w\n%s", try, err, ag.logTail())
		}
	}
	fmt.Fprintf(os.Stderr, "soak: provider %s, proxy %s, agent on %s and %s; running %v (agent log: %s)\n", prov, pl.Addr(), apiclient.SocketPath(rundir), listen, o.duration, ag.logPath)

	ctx, cancel := context.WithTimeout(context.Background(), o.duration)
	defer cancel()
	start := time.Now()
	var (
		reads, expired, failed, retried atomic.Int64
		mu                              sync.Mutex // guards seen and firstFailure
		seen                            = map[string]bool{}
		firstFailure                    string
		wg                              sync.WaitGroup
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
		seen[tok] = true
		mu.Unlock()
	}
	// judge presents a served token to the provider, as a tool would use
	// it: introspection, or the exp of a JWT access token.
	var rejected, judged atomic.Int64
	var firstRejected atomic.Value
	introspector := browserProvider(prov)
	judge := func(tok string, served time.Time) {
		judged.Add(1)
		if strings.Count(tok, ".") == 2 {
			if exp, ok := auth.JWTExpiry(tok); !ok || !exp.After(time.Now()) {
				rejected.Add(1)
				firstRejected.CompareAndSwap(nil, fmt.Sprintf("%v in: a JWT served at %v with exp %v", served.Sub(start).Round(time.Millisecond), served.Format("15:04:05.000"), exp.Format("15:04:05")))
			}
			return
		}
		active, err := introspector.Introspect(testprovider.DefaultClientID, "", tok)
		if err == nil && !active {
			rejected.Add(1)
			firstRejected.CompareAndSwap(nil, fmt.Sprintf("%v in: a token served at %v was inactive at the provider", served.Sub(start).Round(time.Millisecond), served.Format("15:04:05.000")))
		}
	}
	out := &outages{}
	var failedOutage atomic.Int64

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
						judge(tok.AccessToken, now)
						checkToken(tok.AccessToken)
						if tries > 1 {
							retried.Add(1)
						}
						break
					}
					if now.Sub(began) >= o.tolerance {
						reads.Add(1)
						if out.overlaps(began, now, 5*time.Second) {
							failedOutage.Add(1)
						} else {
							failed.Add(1)
							fail(fmt.Sprintf("no valid token for %v: %v", o.tolerance, err))
						}
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
				time.Sleep(100*time.Millisecond + rand.N(100*time.Millisecond))
			}
		})
	}

	// The person at the keyboard: logs in again when the agent says so.
	var lost atomic.Int64
	var (
		killMu                  sync.Mutex // guards the three below
		killedInFlight          bool       // the last kill came while a refresh was in flight
		lostInside, lostOutside int
		firstOutside            string
	)
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
					killMu.Lock()
					where := "outside the window"
					if killedInFlight {
						lostInside++
						where = "inside the window"
						killedInFlight = false // one loss per such kill
					} else {
						lostOutside++
						if firstOutside == "" {
							firstOutside = fmt.Sprintf("%v in: %s: %s", time.Since(start).Round(time.Second), p.State, p.Reason)
						}
					}
					killMu.Unlock()
					fmt.Fprintf(os.Stderr, "soak: %v: login lost %s (%s: %s); logging in again\n", time.Since(start).Round(time.Second), where, p.State, p.Reason)
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

	// Keyring outages during rotations.
	kc := &keyringChaos{out: out}
	if o.keyringEvery > 0 {
		wg.Go(func() { kc.run(ctx, o.keyringEvery, o.keyringHold) })
	}

	// The pauser: SIGSTOP right after a refresh request went out, so that
	// the provider's answer waits in the socket for 5–40 s.
	var chaos sync.Mutex // one of kill or pause at a time
	pauses, pausedFor := 0, time.Duration(0)
	if o.pauseEvery > 0 {
		sent := ag.sent
		wg.Go(func() {
			for ctx.Err() == nil {
				select {
				case <-ctx.Done():
					return
				case <-time.After(o.pauseEvery/2 + rand.N(o.pauseEvery)):
				}
				select {
				case <-sent: // stale: wait for the next one
				default:
				}
				select {
				case <-ctx.Done():
					return
				case <-sent:
				}
				chaos.Lock()
				d := 5*time.Second + rand.N(max(o.pauseMax-5*time.Second, time.Second))
				out.begin("pause")
				if ag.pause(d) {
					pauses++
					pausedFor += d
				}
				// The answer waiting in the socket is read and saved now; a
				// kill at this instant would be one inside the window, which
				// the killer covers on its own: give it the time it needs.
				time.Sleep(2 * time.Second)
				out.end("pause")
				chaos.Unlock()
			}
		})
	}

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
			chaos.Lock()
			phase, durable := ag.kill()
			killMu.Lock()
			// A kill in flight may have left a consumed refresh token in
			// the store; the loss shows only when an agent next refreshes,
			// maybe several kills later (a locked keyring in between). It
			// stays attributed until a run saves a token again.
			switch {
			case phase == refreshlog.InFlight:
				killedInFlight = true
			case durable:
				killedInFlight = false
			}
			killMu.Unlock()
			if phase == refreshlog.InFlight {
				inFlight++
			}
			kills++
			err := ag.start()
			chaos.Unlock()
			if err != nil {
				cancel()
				wg.Wait()
				return r, fmt.Errorf("restart after kill %d: %w", kills, err)
			}
		}
	}
	<-ctx.Done()
	wg.Wait()

	r.elapsed = time.Since(start)
	r.reads, r.expired, r.failed, r.retried = reads.Load(), expired.Load(), failed.Load(), retried.Load()
	r.lost, r.kills, r.inFlightKills = int(lost.Load()), kills, inFlight
	r.refreshes = proxy.refreshes.Load()
	r.faults = proxy.summary()
	r.distinctTokens = len(seen)
	r.firstFailure = firstFailure
	r.rejected, r.judged, r.failedOutage = rejected.Load(), judged.Load(), failedOutage.Load()
	if v, ok := firstRejected.Load().(string); ok {
		r.firstRejected = v
	}
	killMu.Lock()
	r.lostInside, r.lostOutside, r.firstOutside = lostInside, lostOutside, firstOutside
	killMu.Unlock()
	r.pauses, r.pausedSeconds = pauses, int(pausedFor/time.Second)
	r.keyring = kc.String()
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
	conf, _ := json.Marshal(map[string]any{"port": 0, "accessTokenTTL": int(o.tokenTTL / time.Second), "rotateRefreshToken": true, "exitWithStdin": true, "jwtAccessTokens": o.jwt})
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
	sent                      chan struct{} // a "refresh request sent" line was logged (buffer of one)

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
			if strings.Contains(line, `msg="refresh request sent"`) {
				select {
				case a.sent <- struct{}{}:
				default:
				}
			}
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
// stood (refreshlog.Phase) and whether this run saved a token at all.
func (a *agentRunner) kill() (phase string, durable bool) {
	a.mu.Lock()
	cmd, done, run := a.cmd, a.done, a.run
	a.mu.Unlock()
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	log := run.String()
	return refreshlog.Phase(log), refreshlog.Saves(log)
}

// pause stops the agent for d (SIGSTOP, then SIGCONT), as a frozen cgroup
// or a suspended VM would; false if it was not running.
func (a *agentRunner) pause(d time.Duration) bool {
	a.mu.Lock()
	cmd, done := a.cmd, a.done
	a.mu.Unlock()
	select {
	case <-done:
		return false
	default:
	}
	if cmd.Process.Signal(syscall.SIGSTOP) != nil {
		return false
	}
	fmt.Fprintf(os.Stderr, "soak: pausing the agent for %v right after it sent a refresh\n", d.Round(time.Second))
	time.Sleep(d)
	cmd.Process.Signal(syscall.SIGCONT)
	return true
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
