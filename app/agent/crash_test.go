package agent_test

import (
	"bufio"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/internal/testing/refreshlog"
	"github.com/tokentray/tokentray/internal/testing/testbuild"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// buildTokentray builds tokentray and tokentray-agent side by side, as
// installed, and returns the path of tokentray.
func buildTokentray(t *testing.T) string {
	t.Helper()
	return filepath.Join(testbuild.Programs(t, testbuild.Front, testbuild.Agent), "tokentray")
}

// agentProcess is `tokentray agent --debug` running as its own process.
type agentProcess struct {
	cmd  *exec.Cmd
	log  *testprovider.SyncBuffer // its stderr: the debug log
	done chan struct{}
	// onLine, if set, sees every log line as it is written.
	onLine func(line string)
}

// processEnv is the environment of an agent process: the test's, plus, when
// the tests use go-keyring's in-memory mock (no desktop session), a config
// home of its own for store = "file".
func startAgentProcess(t *testing.T, bin, cfgPath, rundir string, env []string, onLine func(string)) *agentProcess {
	t.Helper()
	ap := &agentProcess{log: &testprovider.SyncBuffer{}, done: make(chan struct{}), onLine: onLine}
	ap.cmd = exec.Command(bin, "agent", "--debug", "--config", cfgPath, "--runtime-dir", rundir)
	// Its own user session (XDG_RUNTIME_DIR): the keyring's one-agent lock
	// is per user, and other packages' tests start agents at the same time.
	ap.cmd.Env = append(append(os.Environ(), "XDG_RUNTIME_DIR="+filepath.Join(filepath.Dir(rundir), "session")), env...)
	stderr, err := ap.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := ap.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(ap.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			line := sc.Text()
			ap.log.Write([]byte(line + "\n"))
			if ap.onLine != nil {
				ap.onLine(line)
			}
		}
		ap.cmd.Wait()
	}()
	t.Cleanup(func() { ap.kill() })
	cl := apiclient.NewClient(apiclient.SocketPath(rundir))
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := cl.Status(ctx)
		cancel()
		if err == nil {
			return ap
		}
		select {
		case <-ap.done:
			t.Fatalf("the agent exited: %v\n%s", ap.cmd.ProcessState, ap.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent did not answer within 20 s: %v\n%s", err, ap.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits until the process is gone.
func (ap *agentProcess) kill() {
	ap.cmd.Process.Signal(syscall.SIGKILL)
	<-ap.done
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// TestKillDuringRefreshes kill -9s a real agent process again and again
// while it refreshes 2 s tokens against node-oidc-provider (strict
// rotation: a refresh token used twice kills the grant), restarts it, and
// counts the logins lost. Half the kills come at random moments; half the
// instant the agent logs that a refresh request went out (the worst
// moment). A login may only be lost by a kill that fell between a request
// and the save of its answer; the window from the answer to the saved
// record is logged by the agent and reported here.
func TestKillDuringRefreshes(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: 2 * time.Second})
	bin := buildTokentray(t)
	profile := uniqueName("crash")
	f := newFixture(t, p, profile)
	var env []string
	if !realSecretService() {
		// No desktop session: the processes cannot share go-keyring's
		// in-memory mock, so they keep the refresh token in a file.
		home := t.TempDir()
		env = append(env, "XDG_CONFIG_HOME="+home)
		b, _ := os.ReadFile(f.cfgPath)
		os.WriteFile(f.cfgPath, append([]byte("store = \"file\"\n"), b...), 0o600)
		f.store = &store.FileStore{Path: filepath.Join(home, "tokentray", "tokens.json")}
	}
	cl := apiclient.NewClient(apiclient.SocketPath(f.rundir))
	ctx := context.Background()

	login := func() {
		t.Helper()
		var u string
		done := make(chan error, 1)
		go func() { done <- cl.Login(ctx, profile, true, func(s string) { u = s; done <- nil }) }()
		if err := <-done; err != nil || u == "" {
			t.Fatalf("login: %v", err)
		}
		if err := f.browser.Browse(u); err != nil {
			t.Fatalf("browser: %v", err)
		}
		if err := <-done; err != nil {
			t.Fatalf("login: %v", err)
		}
	}

	const kills = 16
	var (
		killNow  atomic.Bool // kill at the next "refresh request sent"
		ap       *agentProcess
		mu       sync.Mutex // guards ap for onLine
		allLogs  strings.Builder
		lost     = map[string]int{}
		phases   = map[string]int{}
		byMode   = map[string]int{}
		served   atomic.Int64
		expired  atomic.Int64
		readErrs atomic.Int64
	)
	onLine := func(line string) {
		if strings.Contains(line, `msg="refresh request sent"`) && killNow.CompareAndSwap(true, false) {
			mu.Lock()
			a := ap
			mu.Unlock()
			a.cmd.Process.Signal(syscall.SIGKILL)
		}
	}
	start := func() {
		a := startAgentProcess(t, bin, f.cfgPath, f.rundir, env, onLine)
		mu.Lock()
		ap = a
		mu.Unlock()
	}

	start()
	login()
	// A reader, as tools would read: never an expired token.
	stop := make(chan struct{})
	var rwg sync.WaitGroup
	rwg.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			tok, err := cl.Token(rctx, profile, 0)
			cancel()
			if err != nil {
				readErrs.Add(1) // the agent is dead or restarting; counted, not a failure
				continue
			}
			served.Add(1)
			if !tok.ExpiresAt.After(time.Now()) {
				expired.Add(1)
			}
		}
	})

	for i := range kills {
		mode := "random"
		if i%2 == 1 {
			mode = "at a request"
		}
		byMode[mode]++
		if mode == "random" {
			time.Sleep(time.Duration(rand.Int64N(int64(3 * time.Second))))
			ap.kill()
		} else {
			killNow.Store(true)
			select {
			case <-ap.done:
			case <-time.After(10 * time.Second):
				t.Fatalf("kill %d: no refresh request within 10 s\n%s", i, ap.log)
			}
			killNow.Store(false)
		}
		log := ap.log.String()
		allLogs.WriteString(log)
		ph := refreshlog.Phase(log)
		phases[ph]++

		start()
		// The first refresh after the restart tells whether the grant survived.
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := cl.Refresh(rctx, profile)
		cancel()
		var ae *apiclient.Error
		switch {
		case err == nil:
		case errors.As(err, &ae) && ae.Code == "login_required":
			lost[mode]++
			if ph != refreshlog.InFlight {
				t.Errorf("kill %d (%s) came after the save of the last refresh, yet the login was lost:\n%s", i, mode, log)
			}
			login()
		default:
			t.Fatalf("kill %d: refresh after the restart: %v\n%s", i, err, ap.log)
		}
	}
	close(stop)
	rwg.Wait()
	allLogs.WriteString(ap.log.String())

	ws := refreshlog.Windows(allLogs.String())
	t.Logf("kills: %d (%d random, %d at a request); last refresh in flight at the kill: %d", kills, byMode["random"], byMode["at a request"], phases[refreshlog.InFlight])
	t.Logf("logins lost: %d of %d random kills, %d of %d kills at a request", lost["random"], byMode["random"], lost["at a request"], byMode["at a request"])
	t.Logf("refreshes saved: %d; window from the provider's answer to the saved record: median %v, p90 %v, max %v",
		len(ws), quantile(ws, 0.5), quantile(ws, 0.9), quantile(ws, 1))
	t.Logf("reads: %d served, %d expired, %d failed while the agent was down or restarting", served.Load(), expired.Load(), readErrs.Load())
	if expired.Load() != 0 {
		t.Errorf("%d expired tokens served", expired.Load())
	}
	// Each restart refreshes at once, but a restart whose login was lost
	// logs in instead: a kill at a request loses it when the provider got
	// the request first (a race the kill can win or lose), so only the
	// random kills' restarts are sure to save a refresh.
	if len(ws) < byMode["random"] {
		t.Errorf("only %d refreshes saved in %d restarts: the test did not exercise refreshes", len(ws), kills)
	}
	if strings.Contains(allLogs.String(), storedRefreshToken(t, f.store, profile)) {
		t.Error("the refresh token appears in the agent's log")
	}
}
