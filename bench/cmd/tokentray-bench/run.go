package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/bench"
)

// run is one benchmark run: the shared provider, the processes started,
// the table being filled.
type run struct {
	o       options
	root    string // the module root (the working directory)
	bin     string // tokentray, absolute
	self    string // this binary, for the browser and the baseline server
	out     string // logs and results, absolute
	rundir  string // short private dir for sockets
	log     *os.File
	machine bench.Machine
	version string
	table   bench.Table
	// prov has normal token lifetimes (1 h access tokens); it is shared by
	// figures 1, 2, 4 and 5.
	prov *bench.Provider

	mu      sync.Mutex // guards cleanup
	cleanup []func()
}

// tokenTTL is the access token lifetime of the shared provider: an hour, as
// common providers issue; nothing refreshes while a figure is measured.
const tokenTTL = time.Hour

func newRun(ctx context.Context, o options) (*run, error) {
	r := &run{o: o}
	var err error
	if r.root, err = os.Getwd(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(r.root, "go.mod")); err != nil {
		return nil, errors.New("run me from the module root")
	}
	if r.bin, err = filepath.Abs(o.bin); err != nil {
		return nil, err
	}
	if r.o.goTest, err = filepath.Abs(o.goTest); err != nil {
		return nil, err
	}
	if r.self, err = os.Executable(); err != nil {
		return nil, err
	}
	if r.out, err = filepath.Abs(o.out); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(r.out, 0o755); err != nil {
		return nil, err
	}
	if r.rundir, err = os.MkdirTemp(os.Getenv("XDG_RUNTIME_DIR"), "bench-"); err != nil {
		return nil, err
	}
	r.defer_(func() { os.RemoveAll(r.rundir) })
	if r.log, err = os.Create(filepath.Join(r.out, "harness.log")); err != nil {
		return nil, err
	}
	r.machine = bench.Describe(ctx)
	out, err := exec.CommandContext(ctx, r.bin, "version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s version: %w (build it first: make build)", r.bin, err)
	}
	r.version = strings.TrimSpace(string(out))
	r.logf("%s; %d CPUs (%s); load %s", r.version, r.machine.CPUs, r.machine.CPUModel, r.machine.LoadAvg)

	r.prov, err = bench.StartProvider(ctx, r.root, bench.ProviderOptions{
		AccessTokenTTL: tokenTTL, Rotate: true,
		Clients: []map[string]any{bench.PublicClient(), peerClient()},
		Log:     r.logFile("provider.log"),
	})
	if err != nil {
		r.close()
		return nil, err
	}
	r.defer_(r.prov.Stop)
	r.logf("provider %s (access tokens live %v)", r.prov.Issuer, tokenTTL)
	return r, nil
}

// defer_ registers f to run at close, last registered first.
func (r *run) defer_(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanup = append(r.cleanup, f)
}

func (r *run) close() {
	r.mu.Lock()
	fs := r.cleanup
	r.cleanup = nil
	r.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

// logf prints a progress line to stderr and to the harness log.
func (r *run) logf(format string, args ...any) {
	line := fmt.Sprintf("%s %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
	os.Stderr.WriteString(line)
	if r.log != nil {
		r.log.WriteString(line)
	}
}

// logFile opens a log file in the output dir; it is closed at the end.
func (r *run) logFile(name string) io.Writer {
	f, err := os.Create(filepath.Join(r.out, name))
	if err != nil {
		r.logf("log %s: %v", name, err)
		return io.Discard
	}
	r.defer_(func() { f.Close() })
	return f
}

// agentProc is a tokentray agent process started by the harness, with its
// own config and runtime dir (so several run side by side).
type agentProc struct {
	name     string
	cfgPath  string
	runDir   string
	socket   string
	listen   string // loopback TCP address of the token API
	profiles []string
	cmd      *exec.Cmd
	done     chan struct{}
	client   *apiclient.Client
	env      []string
	args     []string
	logPath  string
	// browserLog is where the scripted browser it opens logs its timings.
	browserLog string
}

// newAgent writes a config with profiles at issuer and prepares (but does
// not start) an agent; args are tokentray's arguments ("agent", or none
// for the tray).
func (r *run) newAgent(name, issuer string, profiles []string, args ...string) (*agentProc, error) {
	dir := filepath.Join(r.out, "agents", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var cfg strings.Builder
	cfg.WriteString("listen = \"127.0.0.1:0\"\n")
	for _, p := range profiles {
		fmt.Fprintf(&cfg, "\n[[profile]]\nname = %q\nissuer = %q\nclient_id = \"tokentray\"\nscopes = [\"openid\", \"offline_access\"]\n", p, issuer)
	}
	a := &agentProc{name: name, cfgPath: filepath.Join(dir, "config.toml"), runDir: filepath.Join(r.rundir, name), profiles: profiles,
		args: args, logPath: filepath.Join(dir, "agent.log"), browserLog: filepath.Join(dir, "browser.log")}
	if err := os.WriteFile(a.cfgPath, []byte(cfg.String()), 0o600); err != nil {
		return nil, err
	}
	a.socket = apiclient.SocketPath(a.runDir)
	a.client = apiclient.NewClient(a.socket)
	// XDG_RUNTIME_DIR: each agent a user session of its own (the keyring's
	// one-agent lock is per user).
	a.env = append(os.Environ(), "TOKENTRAY_CONFIG="+a.cfgPath, "TOKENTRAY_RUNTIME_DIR="+a.runDir, "XDG_RUNTIME_DIR="+filepath.Join(dir, "session"),
		"BROWSER="+r.self+" browser", "BENCH_BROWSER_LOG="+a.browserLog)
	return a, nil
}

// start starts the agent process and waits until its API answers.
func (r *run) start(ctx context.Context, a *agentProc) error {
	if err := r.spawn(a); err != nil {
		return err
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		st, err := a.client.Status(ctx)
		if err == nil {
			a.listen = st.Agent.Listen
			return nil
		}
		select {
		case <-a.done:
			return fmt.Errorf("agent %s exited at start (see %s)", a.name, a.logPath)
		default:
		}
		if time.Now().After(deadline) {
			a.stop()
			return fmt.Errorf("agent %s: no answer after 15 s: %v", a.name, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// spawn starts the agent process without waiting for it.
func (r *run) spawn(a *agentProc) error {
	logf, err := os.OpenFile(a.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	a.cmd = exec.Command(r.bin, a.args...)
	a.cmd.Env = a.env
	a.cmd.Stdout, a.cmd.Stderr = logf, logf
	if err := a.cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("starting %s: %w", r.bin, err)
	}
	a.done = make(chan struct{})
	go func() { a.cmd.Wait(); logf.Close(); close(a.done) }()
	r.defer_(a.stop)
	return nil
}

// stop ends the agent (SIGTERM, then SIGKILL after 10 s).
func (a *agentProc) stop() {
	if a.cmd == nil || a.cmd.Process == nil {
		return
	}
	stopProcess(a.cmd, a.done, 10*time.Second)
}

// stopProcess ends a process started by the harness, whose exit closes
// done: SIGTERM, then SIGKILL after grace. One that has ended is left be.
func stopProcess(cmd *exec.Cmd, done <-chan struct{}, grace time.Duration) {
	select {
	case <-done:
		return
	default:
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		cmd.Process.Kill()
		<-done
	}
}

// pid is the agent's process id.
func (a *agentProc) pid() int { return a.cmd.Process.Pid }

// loginAll logs every profile in through the scripted browser.
func (a *agentProc) loginAll(ctx context.Context) error {
	for _, p := range a.profiles {
		if err := a.client.Login(ctx, p, false, nil); err != nil {
			return fmt.Errorf("login %s/%s: %w", a.name, p, err)
		}
	}
	return nil
}

// tokenURL is the TCP URL of a profile's token.
func (a *agentProc) tokenURL(profile string) string {
	return "http://" + a.listen + "/v1/token/" + profile
}

// profileNames returns n profile names with a prefix.
func profileNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i+1)
	}
	return out
}
