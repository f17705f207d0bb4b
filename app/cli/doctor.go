package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/api"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/auth"
)

// maxSkew is the clock difference to a provider that doctor calls a
// problem: JWT validation at resource servers and client assertions
// (private_key_jwt) usually tolerate less than a minute.
const maxSkew = 30 * time.Second

// The deadlines of doctor's checks.
const (
	doctorKeyringTimeout = 5 * time.Second
	doctorBusTimeout     = 3 * time.Second
	doctorAgentTimeout   = 5 * time.Second
	doctorNetTimeout     = 15 * time.Second
)

// mark is a check's verdict: ok, a warning (works, but not fully) or a
// problem (something the user will hit).
type mark int

const (
	markOK mark = iota
	markWarn
	markFail
)

func (m mark) String() string {
	switch m {
	case markWarn:
		return "!"
	case markFail:
		return "✗"
	}
	return "✓"
}

// finding is one line of doctor's checklist, with a fix for what is not ok.
type finding struct {
	mark mark
	what string
	text string
	fix  string
}

// doctor runs the checks and prints each as it is done.
type doctor struct {
	c        *cmdContext
	now      func() time.Time
	problems int
	warnings int
}

func (d *doctor) report(f finding) {
	d.c.printf("%s %s: %s\n", f.mark, f.what, f.text)
	if f.mark != markOK && f.fix != "" {
		for _, line := range strings.Split(f.fix, "\n") {
			d.c.printf("    %s\n", line)
		}
	}
	switch f.mark {
	case markFail:
		d.problems++
	case markWarn:
		d.warnings++
	}
}

func runDoctor(c *cmdContext) error {
	d := &doctor{c: c, now: time.Now}
	cfg, err := config.Load(c.configPath)
	switch {
	case errors.Is(err, config.ErrNotExist):
		d.report(finding{markFail, "config", "no config at " + c.configPath, "write one with at least one [[profile]] (see the README), or pass --config FILE"})
	case err != nil:
		d.report(finding{markFail, "config", err.Error(), "fix the lines named above; the agent refuses a config with any problem"})
	default:
		d.report(finding{markOK, "config", fmt.Sprintf("%s, %d profile(s)", c.configPath, len(cfg.Profiles)), ""})
	}
	if cfg != nil && cfg.Store == "file" {
		d.report(finding{markOK, "keyring", "not used: store = \"file\" keeps refresh tokens in a plain file, as the config asks", ""})
	} else {
		d.report(d.checkKeyring())
	}
	d.report(checkPrograms())
	d.report(checkTrayHost(c.ctx))
	st, running := d.checkAgent(cfg)
	if cfg != nil {
		d.checkPort(cfg, st, running)
		for _, p := range cfg.Profiles {
			d.checkProfile(p, st, running)
		}
	}
	switch {
	case d.problems > 0:
		c.printf("\n%d problem(s), %d warning(s).\n", d.problems, d.warnings)
		return exitStatus(1)
	case d.warnings > 0:
		c.printf("\nNo problems; %d warning(s).\n", d.warnings)
	default:
		c.printf("\nAll is well.\n")
	}
	return nil
}

// checkKeyring writes, reads and deletes a probe item, each step with a
// deadline, and explains a failure by its cause.
func (d *doctor) checkKeyring() finding {
	if f, ok := noSessionBus(); ok {
		return f
	}
	k := store.Keyring{Timeout: doctorKeyringTimeout}
	account := fmt.Sprintf("doctor:probe:%d", os.Getpid())
	probe := fmt.Sprintf("tokentray doctor %d", d.now().UnixNano())
	ctx := d.c.ctx
	err := k.Set(ctx, account, probe)
	if err == nil {
		var got string
		got, err = k.Get(ctx, account)
		if err == nil && got != probe {
			err = errors.New("keyring: read back something else than was written")
		}
		if derr := k.Delete(ctx, account); err == nil {
			err = derr
		}
	}
	if err != nil {
		return keyringFinding(err)
	}
	return finding{markOK, "keyring", "reachable and unlocked (wrote, read and deleted a test item in service \"" + store.Service + "\")", ""}
}

// keyringFinding explains a keyring failure: no bus, no Secret Service,
// locked, or no answer.
func keyringFinding(err error) finding {
	msg := err.Error()
	low := strings.ToLower(msg)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(low, "no answer from the os keyring"):
		return finding{markFail, "keyring", "no answer within " + doctorKeyringTimeout.String() + ": " + msg,
			"the Secret Service hangs: restart it (e.g. log out and in, or restart gnome-keyring-daemon)"}
	case strings.Contains(low, "dbus-launch") || strings.Contains(low, "dial unix") || strings.Contains(low, "couldn't determine address of session bus") ||
		strings.Contains(low, "connection refused") || strings.Contains(low, "no such file or directory"):
		return finding{markFail, "keyring", "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS") + "): " + msg,
			"run tokentray inside your desktop session; over SSH start a session bus and a keyring first:\n  dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets; tokentray agent'\nor, knowingly, keep tokens in a plain file: store = \"file\""}
	case strings.Contains(low, "org.freedesktop.secrets") || strings.Contains(low, "serviceunknown"):
		return finding{markFail, "keyring", "the session bus has no Secret Service: " + msg,
			"install and start one: gnome-keyring (apt install gnome-keyring), KWallet, or KeePassXC with its Secret Service integration"}
	case strings.Contains(low, "unlock") || strings.Contains(low, "locked") || strings.Contains(low, "dismissed") || strings.Contains(low, "prompt"):
		return finding{markFail, "keyring", "the keyring is locked: " + msg,
			"unlock it: log in to the desktop (or open Passwords and Keys), or run: gnome-keyring-daemon --unlock"}
	}
	return finding{markFail, "keyring", msg, "check that the OS keyring works: secret-tool store --label=test service tokentray username probe"}
}

// checkAgent asks the agent for its status.
func (d *doctor) checkAgent(cfg *config.Config) (apiclient.StatusResponse, bool) {
	cl := d.c.client()
	ctx, cancel := context.WithTimeout(d.c.ctx, doctorAgentTimeout)
	defer cancel()
	st, err := cl.Status(ctx)
	if err != nil {
		fix := "start it: `tokentray` (with its tray icon) or `tokentray agent` (without)"
		if errors.Is(err, apiclient.ErrNoAgent) {
			d.report(finding{markFail, "agent", "no agent answers on " + cl.Socket(), fix})
		} else {
			d.report(finding{markFail, "agent", err.Error(), fix})
		}
		return st, false
	}
	d.report(finding{markOK, "agent", fmt.Sprintf("pid %d (version %s) answers on %s", st.Agent.PID, st.Agent.Version, st.Agent.Socket), ""})
	if cfg != nil && st.Agent.Config != "" && st.Agent.Config != d.c.configPath {
		d.report(finding{markWarn, "agent", "it runs with another config: " + st.Agent.Config, "pass the same --config, or set TOKENTRAY_CONFIG for both"})
	}
	return st, true
}

// checkPort checks the token API's loopback port: the agent's own when it
// runs, else free for it.
func (d *doctor) checkPort(cfg *config.Config, st apiclient.StatusResponse, running bool) {
	addr := cfg.ListenAddr()
	switch {
	case addr == "":
		d.report(finding{markOK, "token API", "no TCP port (listen = \"off\"); the socket serves tokens", ""})
		return
	case running && st.Agent.ListenError != "":
		d.report(finding{markFail, "token API", st.Agent.ListenError, "free the port, or set another address in the config: listen = \"127.0.0.1:PORT\""})
		return
	case running && st.Agent.Listen == "":
		d.report(finding{markWarn, "token API", "the agent serves no TCP port, the config says " + addr, "restart the agent to apply the config's listen address"})
		return
	case running:
		if _, port, _ := net.SplitHostPort(addr); port != "0" && st.Agent.Listen != addr {
			d.report(finding{markWarn, "token API", "the agent listens on " + st.Agent.Listen + ", the config says " + addr, "restart the agent to apply the config's listen address"})
		}
		if err := isOurPort(d.c.ctx, st.Agent.Listen, apiclient.RuntimeDir(d.c.runtimeDir)); err != nil {
			d.report(finding{markFail, "token API", "http://" + st.Agent.Listen + " does not answer as tokentray: " + err.Error(), "restart the agent"})
			return
		}
		d.report(finding{markOK, "token API", "http://" + st.Agent.Listen + "/v1/token/PROFILE answers", ""})
	default:
		if _, port, _ := net.SplitHostPort(addr); port == "0" {
			d.report(finding{markOK, "token API", "the agent will pick a free port (listen = \"" + addr + "\")", ""})
			return
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			if errors.Is(err, syscall.EADDRINUSE) {
				d.report(finding{markFail, "token API", api.FindPortHolder(d.c.ctx, addr, "").Describe(addr) + ": the agent will serve its socket only, until the port is free",
					"find it (ss -ltnp 'sport = :" + portOf(addr) + "'), or set another address in the config: listen = \"127.0.0.1:PORT\""})
				return
			}
			d.report(finding{markFail, "token API", "cannot listen on " + addr + ": " + err.Error(), "set another address in the config: listen = \"127.0.0.1:PORT\""})
			return
		}
		ln.Close()
		d.report(finding{markOK, "token API", addr + " is free for the agent", ""})
	}
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// isOurPort checks that addr answers like tokentray's TCP handler: its
// JSON error for a path it does not serve.
// The per-user key goes along: where the agent cannot tell who connects
// (every OS but Linux) it answers 403 without it.
func isOurPort(ctx context.Context, addr, runtimeDir string) error {
	ctx, cancel := context.WithTimeout(ctx, doctorAgentTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/v1/doctor", nil)
	if err != nil {
		return err
	}
	if key, err := apiclient.ReadKey(runtimeDir); err == nil {
		req.Header.Set(apiclient.KeyHeader, key)
	}
	hc := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var e apiclient.ErrorResponse
	if json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&e) != nil || e.Error != apiclient.CodeNotFound || !strings.Contains(e.Message, "/v1/token/") {
		return fmt.Errorf("HTTP %d, not tokentray's answer", resp.StatusCode)
	}
	return nil
}

// checkProfile checks a profile's provider: discovery (reachable, issuer
// matches) or its token endpoint, the clock against the provider's Date
// header, and the profile's state in the agent.
func (d *doctor) checkProfile(p config.Profile, st apiclient.StatusResponse, running bool) {
	what := "profile " + p.Name
	hc, err := agent.ProfileHTTPClient(agent.NewHTTPClient(), p)
	if err != nil {
		d.report(finding{markFail, what, err.Error(), "fix ca_file in the config"})
		return
	}
	rec := &dateRecorder{next: hc.Transport, now: d.now}
	rc := *hc
	rc.Transport = rec
	ctx, cancel := context.WithTimeout(d.c.ctx, doctorNetTimeout)
	defer cancel()
	if p.Issuer != "" {
		ep, err := auth.Discover(ctx, &rc, p.Issuer)
		if err != nil {
			d.report(finding{markFail, what, "discovery at " + p.Issuer + " failed: " + err.Error(), discoveryFix(p)})
		} else {
			offers := []string{"token"}
			for name, u := range map[string]string{"authorization": ep.AuthorizationURL, "revocation": ep.RevocationURL, "device": ep.DeviceAuthorizationURL} {
				if u != "" {
					offers = append(offers, name)
				}
			}
			d.report(finding{markOK, what, fmt.Sprintf("discovery at %s: issuer matches; endpoints: %s", p.Issuer, strings.Join(slices.Sorted(slices.Values(offers)), ", ")), ""})
			if p.Login == "device" && ep.DeviceAuthorizationURL == "" && p.DeviceEndpoint == "" {
				d.report(finding{markFail, what, "login = \"device\", but the provider offers no device_authorization_endpoint",
					"use login = \"browser\" (with --no-browser on a machine without one), or set device_authorization_endpoint"})
			}
		}
	} else {
		status, err := reach(ctx, &rc, p.TokenEndpoint)
		if err != nil {
			d.report(finding{markFail, what, "the token endpoint does not answer: " + err.Error(), discoveryFix(p)})
		} else {
			d.report(finding{markOK, what, fmt.Sprintf("the token endpoint answers (HTTP %d to a GET)", status), ""})
		}
	}
	if f, ok := rec.skew(what); ok {
		d.report(f)
	}
	if running {
		for _, s := range st.Profiles {
			if s.Profile == p.Name {
				d.report(stateFinding(what, s, d.now()))
			}
		}
	}
}

func discoveryFix(p config.Profile) string {
	fix := "check the URL (open it in a browser), the network, and a proxy: HTTPS_PROXY=" + os.Getenv("HTTPS_PROXY") + " NO_PROXY=" + os.Getenv("NO_PROXY")
	if p.CAFile == "" {
		fix += "\nfor a company CA, give its PEM file: ca_file = \"/path/ca.pem\""
	}
	return fix
}

// stateFinding reports what the agent says of a profile.
func stateFinding(what string, s apiclient.Status, now time.Time) finding {
	text := "agent: " + s.Summary(now)
	switch s.State {
	case apiclient.LoggedOut:
		return finding{markWarn, what, text, "log in: tokentray login " + s.Profile}
	case apiclient.LoginRequired:
		return finding{markFail, what, text, "log in again: tokentray login " + s.Profile}
	case apiclient.Unavailable:
		return finding{markFail, what, text, "see the keyring line above"}
	}
	if s.Unsaved != "" {
		return finding{markFail, what, text, "the agent saves it again the moment the keyring works; see the keyring line above"}
	}
	if s.ClockSkew != 0 {
		// Seen by the agent in the provider's Date header.
		return finding{markWarn, what, text + fmt.Sprintf("; the provider's clock differs from this machine's by %+d s (its Date header): expiries are corrected for it", s.ClockSkew),
			"set this machine's clock right (timedatectl set-ntp true)"}
	}
	if s.LastError != "" {
		return finding{markWarn, what, text, "the agent retries with backoff; see its log"}
	}
	return finding{markOK, what, text, ""}
}

// reach sends a GET to u and returns the status of any answer.
func reach(ctx context.Context, hc *http.Client, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// dateRecorder keeps the Date header of the first answer, and when the
// request was half-way, to compare the clocks.
type dateRecorder struct {
	next http.RoundTripper
	now  func() time.Time

	mu   sync.Mutex // guards date, mid
	date string
	mid  time.Time
}

func (r *dateRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	next := r.next
	if next == nil {
		next = http.DefaultTransport
	}
	t0 := r.now()
	resp, err := next.RoundTrip(req)
	t1 := r.now()
	if err == nil {
		r.mu.Lock()
		if r.date == "" {
			r.date, r.mid = resp.Header.Get("Date"), t0.Add(t1.Sub(t0)/2)
		}
		r.mu.Unlock()
	}
	return resp, err
}

// skew compares the provider's Date with the local clock; false when no
// answer came at all.
func (r *dateRecorder) skew(what string) (finding, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mid.IsZero() {
		return finding{}, false
	}
	if r.date == "" {
		return finding{markWarn, what, "the provider sent no Date header; the clock cannot be compared", ""}, true
	}
	theirs, err := http.ParseTime(r.date)
	if err != nil {
		return finding{markWarn, what, "the provider's Date header is not a date: " + auth.Redact(r.date, 40), ""}, true
	}
	// Date has whole seconds: allow for the rounding.
	skew := theirs.Sub(r.mid.Truncate(time.Second))
	dir := "ahead of"
	if skew > 0 {
		dir = "behind"
	}
	if skew.Abs() > maxSkew {
		return finding{markFail, what, fmt.Sprintf("this machine's clock is %s %s the provider's (its Date header)", skew.Abs().Round(time.Second), dir),
			"set the clock right: timedatectl set-ntp true (tokens and client assertions are checked against it)"}, true
	}
	return finding{markOK, what, fmt.Sprintf("clock within %s of the provider's", max(skew.Abs().Round(time.Second), time.Second)), ""}, true
}
