package notify

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/tokentray/tokentray/assets"
)

// server is a notification daemon on the test's session bus (the test
// desktop has none): it records what it is asked to show.
type server struct {
	mu    sync.Mutex // guards calls
	calls []call
}

type call struct {
	app, summary, body string
	actions            []string
	hints              map[string]dbus.Variant
}

func (s *server) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call{app, summary, body, actions, hints})
	return uint32(len(s.calls)), nil
}

func (s *server) last() call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[len(s.calls)-1]
}

func needBus(t *testing.T) *dbus.Conn {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("TOKENTRAY_IN_DESKTOP") != "" {
			t.Fatal("no session bus inside scripts/with-desktop.sh")
		}
		t.Skip("no D-Bus session bus: run under scripts/with-desktop.sh (make test does)")
	}
	c, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("session bus: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestNotify(t *testing.T) {
	daemon := needBus(t)
	srv := &server{}
	if err := daemon.Export(srv, objPath, iface); err != nil {
		t.Fatal(err)
	}
	reply, err := daemon.RequestName(service, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v %v (is a notification daemon running in the test desktop?)", service, reply, err)
	}

	n := &Notifier{AppName: "tokentray", Icon: assets.AppIconSized(64)}
	defer n.Close()
	clicked := make(chan string, 1)
	id, err := n.Notify("work: login required", "Choose Log in…", Action{Key: "login", Label: "Log in…", Do: func() { clicked <- "login" }})
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	c := srv.last()
	if c.app != "tokentray" || c.summary != "work: login required" || len(c.actions) != 2 || c.actions[0] != "login" {
		t.Errorf("the daemon got %+v", c)
	}
	if _, ok := c.hints["image-data"]; !ok {
		t.Error("no image-data hint")
	}

	// The user clicks the action.
	if err := daemon.Emit(objPath, iface+".ActionInvoked", id, "login"); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-clicked:
		if got != "login" {
			t.Errorf("clicked %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the action's Do did not run")
	}
	// Once closed, a late click does nothing.
	daemon.Emit(objPath, iface+".NotificationClosed", id, uint32(2))
	time.Sleep(100 * time.Millisecond)
	daemon.Emit(objPath, iface+".ActionInvoked", id, "login")
	select {
	case <-clicked:
		t.Error("an action of a closed notification ran")
	case <-time.After(300 * time.Millisecond):
	}
}

func TestNotifyWithoutDaemon(t *testing.T) {
	needBus(t)
	n := &Notifier{AppName: "tokentray", Timeout: 2 * time.Second}
	defer n.Close()
	if _, err := n.Notify("x", "y"); err == nil {
		t.Error("Notify with no daemon on the bus: got no error")
	}
}
