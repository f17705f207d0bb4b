// Package agent is the always-running part of tokentray: it owns the
// sessions, the secret store and the local API. Nothing else refreshes.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/tokentray/tokentray/app/api"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/assets"
	"github.com/tokentray/tokentray/auth"
)

// Options configure an agent; every side effect is one of them.
type Options struct {
	ConfigPath string
	RuntimeDir string      // "" → apiclient.RuntimeDir("")
	Store      store.Store // nil → from the config: the OS keyring, or a file only when asked
	// Browser opens login pages; nil → each profile's browser, $BROWSER or
	// the desktop default.
	Browser    auth.Browser
	HTTPClient *http.Client // for the providers; nil → one with timeouts
	Log        *slog.Logger
	// LogLevel, when set, is Log's level: the agent sets it from the
	// config's log_level at start and at each reload (--debug pins it
	// instead by leaving this nil).
	LogLevel *slog.LevelVar
	Version  string
	Now      func() time.Time
	// Sleep waits between the polls of a device login; nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// ErrNoTray is returned by the tray run in the agent (cli.Env.RunTray)
// when the desktop has no tray host: the agent serves on without it.
var ErrNoTray = errors.New("no system tray host")

// Agent is a running agent.
type Agent struct {
	o      Options
	log    *slog.Logger
	store  store.Store
	hc     *http.Client
	socket string
	dir    string // the runtime dir: the socket (not on Windows), the lock, the TCP key
	lockF  *os.File
	sock   *http.Server
	tcp    *http.Server  // nil when listen = "off"
	done   chan struct{} // closed by Close: stops the port's retries

	tcpMu  sync.Mutex   // guards tcpLn and tcpErr
	tcpLn  net.Listener // nil while the port is held by someone else
	tcpErr string       // why tcpLn is nil: who holds the port

	subs subscribers
	clip clipboardOwner // lent by the tray

	mu       sync.RWMutex // guards cfg and sessions
	cfg      *config.Config
	sessions map[string]*session.Session
	conns    connectors // each profile's auth client; guards itself
}

// Start loads the config, takes the one-agent-per-store lock (lockPath), restores every
// profile from the store and starts serving. It fails whole: no agent runs
// on a half-read config.
func Start(ctx context.Context, o Options) (*Agent, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	cfg, err := config.Load(o.ConfigPath)
	if err != nil {
		return nil, err
	}
	setLogLevel(o.LogLevel, cfg.LogLevel)
	hardenProcess(o.Log)
	a := &Agent{o: o, log: o.Log, cfg: cfg, sessions: map[string]*session.Session{}, done: make(chan struct{})}
	a.hc = o.HTTPClient
	if a.hc == nil {
		a.hc = NewHTTPClient()
	}
	a.store = o.Store
	if a.store == nil {
		a.store, err = storeFor(cfg, o.Log)
		if err != nil {
			return nil, err
		}
	}
	dir := apiclient.RuntimeDir(o.RuntimeDir)
	if err := api.EnsurePrivateDir(dir); err != nil {
		return nil, err
	}
	a.dir = dir
	a.socket = apiclient.SocketPath(dir)
	lp, err := lockPath(cfg, o.Store != nil, dir)
	if err != nil {
		return nil, err
	}
	if a.lockF, err = lock(lp, a.socket); err != nil {
		return nil, err
	}
	for _, p := range cfg.Profiles {
		a.sessions[p.Name] = a.newSession(p)
	}
	// Restore before serving: a tool asking during a (re)start must wait
	// for the socket, not hear "logged out" about a profile whose login is
	// in the store.
	a.restoreAll(ctx, a.All())
	if err := a.listen(cfg); err != nil {
		for _, s := range a.All() {
			s.Close()
		}
		a.lockF.Close()
		return nil, err
	}
	a.log.Info("agent ready", "socket", a.socket, "listen", a.TCPAddr(), "profiles", len(cfg.Profiles), "pid", os.Getpid())
	return a, nil
}

// Run starts an agent and serves until ctx ends.
func Run(ctx context.Context, o Options) error {
	a, err := Start(ctx, o)
	if err != nil {
		return err
	}
	<-ctx.Done()
	return a.Close()
}

func storeFor(cfg *config.Config, log *slog.Logger) (store.Store, error) {
	if cfg.Store != "file" {
		return store.Keyring{}, nil
	}
	path, err := fileStorePath()
	if err != nil {
		return nil, err
	}
	log.Warn("refresh tokens are kept in a plain file, as the config asks (store = \"file\")", "path", path)
	return &store.FileStore{Path: path}, nil
}

// fileStorePath is where store = "file" keeps the refresh tokens.
func fileStorePath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "tokentray", "tokens.json"), nil
}

func (a *Agent) listen(cfg *config.Config) error {
	srv := &api.Server{Sessions: a, Info: a.info, Now: a.o.Now, Log: a.log, Reload: a.Reload, Secrets: a}
	key, err := api.EnsureKey(a.dir)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	srv.TCPKey = key
	ul, err := listenSocket(a.socket)
	if err != nil {
		return fmt.Errorf("agent: listening on %s: %w", a.socket, err)
	}
	a.sock = api.NewHTTPServer(srv.SocketHandler())
	go a.sock.Serve(ul)
	if addr := cfg.ListenAddr(); addr != "" {
		a.tcp = api.NewHTTPServer(srv.TCPHandler())
		tl, err := net.Listen("tcp", addr)
		switch {
		case errors.Is(err, syscall.EADDRINUSE):
			// Someone else has the port (another user may take it first on
			// purpose): serve the socket anyway, say who has the port, and
			// take it when it is freed.
			a.portHeld(addr, key)
			go a.retryPort(addr, key)
		case err != nil:
			a.sock.Close()
			return fmt.Errorf("agent: the token API cannot listen on %s (set listen = \"127.0.0.1:PORT\" or \"off\" in the config): %w", addr, err)
		default:
			a.serveTCP(tl)
		}
	}
	return nil
}

// portRetry is how often the agent tries again for a port someone holds.
const portRetry = 5 * time.Second

func (a *Agent) serveTCP(tl net.Listener) {
	a.tcpMu.Lock()
	a.tcpLn, a.tcpErr = tl, ""
	a.tcpMu.Unlock()
	go a.tcp.Serve(api.LimitListener(tl, nil))
}

// portHeld records who holds addr, for status, the tray and doctor.
func (a *Agent) portHeld(addr, key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	msg := api.FindPortHolder(ctx, addr, key).Describe(addr) + "; the agent serves its socket and takes the port when it is free"
	a.tcpMu.Lock()
	changed := a.tcpErr != msg
	a.tcpErr = msg
	a.tcpMu.Unlock()
	if changed {
		a.log.Warn("the token API's TCP port is taken", "listen", addr, "holder", msg)
		a.changed()
	}
}

// retryPort tries for addr until it gets it or the agent closes.
func (a *Agent) retryPort(addr, key string) {
	t := time.NewTicker(portRetry)
	defer t.Stop()
	for {
		select {
		case <-a.done:
			return
		case <-t.C:
		}
		tl, err := net.Listen("tcp", addr)
		if err != nil {
			a.portHeld(addr, key)
			continue
		}
		select {
		case <-a.done:
			tl.Close()
			return
		default:
		}
		a.serveTCP(tl)
		a.log.Info("the token API's TCP port is free again: serving it", "listen", addr)
		a.changed()
		return
	}
}

func (a *Agent) newSession(p config.Profile) *session.Session {
	p = p.Effective()
	name := p.Name
	lifetime := p.DefaultLifetime.Duration
	br := a.o.Browser
	if br == nil {
		br = systemBrowser{command: p.Browser}
	}
	return session.New(session.Options{
		Name:            name,
		Connect:         a.connector(p),
		Store:           a.store,
		Now:             a.o.Now,
		Rand:            rand.Float64,
		Log:             a.log,
		DefaultLifetime: lifetime,
		MinValid:        p.MinValid.Duration,
		RefreshLifetime: p.RefreshLifetime.Duration,
		OnChange:        a.changed,
		Sleep:           a.o.Sleep,
		Login: auth.LoginOptions{
			RedirectPort: p.RedirectPort,
			RedirectPath: p.RedirectPath,
			Browser:      br,
			Page: func(w http.ResponseWriter, status int, who string, err error) {
				assets.CallbackPage(w, name, who, status, err)
			},
		},
	})
}

func (a *Agent) restoreAll(ctx context.Context, ss []*session.Session) {
	var wg sync.WaitGroup
	for _, s := range ss {
		wg.Go(func() {
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := s.Restore(rctx); err != nil {
				a.log.Error("restoring from the store", "profile", s.Name(), "err", err)
			}
		})
	}
	wg.Wait()
}

func (a *Agent) changed() { a.subs.notify() }

// Session returns the named profile's session.
func (a *Agent) Session(name string) (*session.Session, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	s, ok := a.sessions[name]
	return s, ok
}

// All returns the sessions in config order.
func (a *Agent) All() []*session.Session {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]*session.Session, 0, len(a.cfg.Profiles))
	for _, p := range a.cfg.Profiles {
		out = append(out, a.sessions[p.Name])
	}
	return out
}

// Socket is the unix socket path (the named pipe's on Windows).
func (a *Agent) Socket() string { return a.socket }

// RuntimeDir is the agent's private directory (--runtime-dir).
func (a *Agent) RuntimeDir() string { return a.dir }

// TCPAddr is the loopback address of the token API, "" when off.
func (a *Agent) TCPAddr() string {
	a.tcpMu.Lock()
	defer a.tcpMu.Unlock()
	if a.tcpLn == nil {
		return ""
	}
	return a.tcpLn.Addr().String()
}

func (a *Agent) info() apiclient.AgentInfo {
	st := "keyring"
	if _, ok := a.store.(*store.FileStore); ok {
		st = "file"
	}
	a.tcpMu.Lock()
	listenErr := a.tcpErr
	a.tcpMu.Unlock()
	return apiclient.AgentInfo{PID: os.Getpid(), Version: a.o.Version, Socket: a.socket, Listen: a.TCPAddr(), ListenError: listenErr, Config: a.o.ConfigPath, Store: st}
}

// Reload rereads the config. Unchanged profiles keep their sessions (and
// their tokens); changed ones start over from the store; removed ones stop.
// A config with any problem is refused whole and nothing changes.
func (a *Agent) Reload(ctx context.Context) error {
	cfg, err := config.Load(a.o.ConfigPath)
	if err != nil {
		return err
	}
	setLogLevel(a.o.LogLevel, cfg.LogLevel)
	a.mu.Lock()
	old := a.cfg
	var fresh, stopped []*session.Session
	next := map[string]*session.Session{}
	for _, p := range cfg.Profiles {
		if prev, ok := old.Profile(p.Name); ok && prev.Equal(p) {
			next[p.Name] = a.sessions[p.Name]
			continue
		}
		s := a.newSession(p)
		next[p.Name] = s
		fresh = append(fresh, s)
	}
	for name, s := range a.sessions {
		if next[name] != s {
			stopped = append(stopped, s)
		}
	}
	a.cfg, a.sessions = cfg, next
	a.mu.Unlock()
	for _, s := range stopped {
		s.Close()
	}
	a.restoreAll(ctx, fresh)
	if old.ListenAddr() != cfg.ListenAddr() {
		a.log.Warn("the listen address changes when the agent restarts", "running", a.TCPAddr(), "config", cfg.ListenAddr())
	}
	a.log.Info("config reloaded", "profiles", len(cfg.Profiles), "restarted", len(fresh), "stopped", len(stopped))
	a.changed()
	return nil
}

// Close stops serving and lets refreshes under way finish and be saved.
func (a *Agent) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	close(a.done)
	var errs []error
	if a.tcp != nil {
		errs = append(errs, a.tcp.Shutdown(ctx))
	}
	errs = append(errs, a.sock.Shutdown(ctx))
	for _, s := range a.All() {
		s.Close()
	}
	os.Remove(a.socket)
	a.lockF.Close()
	err := errors.Join(errs...)
	if errors.Is(err, context.DeadlineExceeded) {
		return nil // open keep-alive or login streams; they die with us
	}
	return err
}

// setLogLevel sets v from the config's log_level ("" keeps info).
func setLogLevel(v *slog.LevelVar, name string) {
	if v == nil {
		return
	}
	level := slog.LevelInfo
	if name != "" {
		level.UnmarshalText([]byte(name)) // validated by config.Load
	}
	v.Set(level)
}
