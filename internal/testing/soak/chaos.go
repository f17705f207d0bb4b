package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"
)

// desktopPassword is scripts/with-desktop.sh's keyring password.
const desktopPassword = "tokentray-test"

// outages records when the soak itself made the agent unable to answer
// (paused) or its keyring unreachable, so that a read failing then is
// told apart from one failing for no reason.
type outages struct {
	mu    sync.Mutex // guards spans and open
	spans [][2]time.Time
	open  map[string]time.Time
}

func (o *outages) begin(what string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.open == nil {
		o.open = map[string]time.Time{}
	}
	o.open[what] = time.Now()
}

func (o *outages) end(what string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.spans = append(o.spans, [2]time.Time{o.open[what], time.Now()})
	delete(o.open, what)
}

// overlaps reports whether [from, to] meets an outage, or the grace after
// one (the agent catching up: a restore retried, a refresh redone).
func (o *outages) overlaps(from, to time.Time, grace time.Duration) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.open) > 0 {
		return true
	}
	for _, s := range o.spans {
		if !from.After(s[1].Add(grace)) && !to.Before(s[0]) {
			return true
		}
	}
	return false
}

// keyringChaos locks and unlocks the login collection, and kills and
// restarts the Secret Service, during rotations.
type keyringChaos struct {
	out                    *outages
	locks, restarts, fails int
	mu                     sync.Mutex // guards the counters
	firstErr               string
}

func (k *keyringChaos) note(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fails++
	if k.firstErr == "" {
		k.firstErr = err.Error()
	}
}

func (k *keyringChaos) run(ctx context.Context, every, hold time.Duration) {
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every/2 + rand.N(every)):
		}
		down := hold/2 + rand.N(hold)
		if i%2 == 0 {
			if err := lockCollection(); err != nil {
				k.note(err)
				continue
			}
			k.out.begin("keyring")
			time.Sleep(down)
			err := unlockCollection()
			k.out.end("keyring")
			if err != nil {
				k.note(err)
			}
			k.mu.Lock()
			k.locks++
			k.mu.Unlock()
		} else {
			pid, err := secretServicePID()
			if err != nil {
				k.note(err)
				continue
			}
			k.out.begin("keyring")
			syscall.Kill(int(pid), syscall.SIGKILL)
			time.Sleep(down)
			err = startSecretService()
			k.out.end("keyring")
			if err != nil {
				k.note(err)
			}
			k.mu.Lock()
			k.restarts++
			k.mu.Unlock()
		}
	}
}

func (k *keyringChaos) String() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	s := fmt.Sprintf("%d locks/unlocks of the login collection, %d kills/restarts of the Secret Service", k.locks, k.restarts)
	if k.fails > 0 {
		s += fmt.Sprintf(" (%d did not work: %s)", k.fails, k.firstErr)
	}
	return s
}

func lockCollection() error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return err
	}
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	return conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").
		Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{"/org/freedesktop/secrets/collection/login"}).Store(&locked, &prompt)
}

// unlockCollection unlocks through gnome-keyring's own interface for it:
// the Secret Service's Unlock would need a person at a prompt.
func unlockCollection() error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return err
	}
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var out dbus.Variant
	var sess dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &sess); err != nil {
		return err
	}
	secret := struct {
		Session     dbus.ObjectPath
		Params      []byte
		Value       []byte
		ContentType string
	}{sess, []byte{}, []byte(desktopPassword), "text/plain"}
	return svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0,
		dbus.ObjectPath("/org/freedesktop/secrets/collection/login"), secret).Err
}

// secretServicePID is the pid of the process that owns the Secret Service
// name on the session bus (the test desktop's gnome-keyring-daemon).
func secretServicePID() (uint32, error) {
	conn, err := dbus.SessionBus()
	if err != nil {
		return 0, err
	}
	var pid uint32
	err = conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, "org.freedesktop.secrets").Store(&pid)
	return pid, err
}

// startSecretService starts gnome-keyring-daemon again with the login
// keyring unlocked, as scripts/with-desktop.sh does.
func startSecretService() error {
	c := exec.Command("gnome-keyring-daemon", "--unlock", "--components=secrets")
	c.Stdin = strings.NewReader(desktopPassword)
	c.Env = os.Environ()
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("gnome-keyring-daemon: %v: %s", err, out)
	}
	// Wait for it to own the name again.
	for range 50 {
		if _, err := secretServicePID(); err == nil {
			return unlockCollection()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("gnome-keyring-daemon did not come back on the bus")
}
