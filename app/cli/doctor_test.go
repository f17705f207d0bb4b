package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/internal/testing/testbuild"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// discoveryServer is a provider that answers discovery only, with its
// Date header off by skew.
func discoveryServer(t *testing.T, skew time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
		iss := "http://" + r.Host
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "authorization_endpoint": iss + "/auth", "token_endpoint": iss + "/token"})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runDoctorProcess runs `tokentray doctor` in a process of its own with
// extra environment variables.
// Unless envs set PATH, tokentray's other programs are found on a PATH of
// stand-ins.
func runDoctorProcess(t *testing.T, e *env, envs ...string) (string, int) {
	t.Helper()
	cmd := tokentrayCommand(t, append([]string{"doctor"}, e.flags()...)...)
	cmd.Env = append(cmd.Env, "PATH="+programsDir(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Env = append(cmd.Env, envs...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("doctor: %v", err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// programsDir is a directory with stand-ins for tokentray and tokentray-ui.
func programsDir(t *testing.T) string {
	dir := t.TempDir()
	for _, name := range []string{"tokentray", "tokentray-ui"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestDoctorFindsThePrograms: the programs line names what it found, and
// warns, with the fix, when tokentray-ui is missing.
func TestDoctorFindsThePrograms(t *testing.T) {
	e := newEnv(t, "[[profile]]\nname = \"p\"\nissuer = \"http://127.0.0.1:9/\"\nclient_id = \"c\"\n")
	dir := programsDir(t)
	out, _ := runDoctorProcess(t, e, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	mustHaveLines(t, out, "✓ programs: "+filepath.Join(dir, "tokentray")+", "+filepath.Join(dir, "tokentray-ui"))
	os.Remove(filepath.Join(dir, "tokentray-ui"))
	out, _ = runDoctorProcess(t, e, "PATH="+dir)
	mustHaveLines(t, out, "! programs: tokentray-ui not found beside this program nor on PATH", "    install tokentray, tokentray-agent and tokentray-ui side by side")
}

// TestDoctorNamesASlowFront: a front built without cgo works, but reads
// tokens at twice the time; doctor says so, and nothing for one built with
// it.
func TestDoctorNamesASlowFront(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the C path is Linux's")
	}
	e := newEnv(t, "[[profile]]\nname = \"p\"\nissuer = \"http://127.0.0.1:9/\"\nclient_id = \"c\"\n")
	for _, c := range []struct {
		env  []string
		note string
	}{
		{[]string{"CGO_ENABLED=0"}, " (built without cgo: token reads take about 1 ms instead of 0.5; build it with a C compiler)"},
		{[]string{"CGO_ENABLED=1"}, ""},
	} {
		dir := testbuild.ProgramsWith(t, c.env, testbuild.Front)
		if err := os.WriteFile(filepath.Join(dir, "tokentray-ui"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		out, _ := runDoctorProcess(t, e, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		mustHaveLines(t, out, "✓ programs: "+filepath.Join(dir, "tokentray")+c.note+", "+filepath.Join(dir, "tokentray-ui"))
	}
}

// mustHaveLines fails unless each want is the start of some line of out.
func mustHaveLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no line starts with %q in:\n%s", w, out)
		}
	}
}

// TestDoctorExplainsWhatIsWrong: no D-Bus, no agent, the port taken, a
// provider down and one whose clock is two minutes off: each is a ✗ with
// a fix, and the exit status is 1.
func TestDoctorExplainsWhatIsWrong(t *testing.T) {
	skewed := discoveryServer(t, 2*time.Minute)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	e := newEnv(t, fmt.Sprintf(`listen = %q

[[profile]]
name = "skewed"
issuer = %q
client_id = "c"

[[profile]]
name = "down"
issuer = %q
client_id = "c"
`, taken.Addr(), skewed.URL, down.URL))
	out, code := runDoctorProcess(t, e, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus")
	if code != 1 {
		t.Errorf("exit status: got %d, want 1", code)
	}
	mustHaveLines(t, out,
		"✓ config: "+e.cfgPath+", 2 profile(s)",
		"✗ keyring: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus)",
		"      dbus-run-session -- sh -c",
		"! tray host: cannot reach the session bus",
		"✗ agent: no agent answers on "+e.rundir,
		"    start it: `tokentray`",
		fmt.Sprintf("✗ token API: port %d is held by uid %d, pid %d", taken.Addr().(*net.TCPAddr).Port, os.Getuid(), os.Getpid()),
		"✓ profile skewed: discovery at "+skewed.URL+": issuer matches",
		"✗ profile skewed: this machine's clock is 2m0s behind the provider's",
		"    set the clock right: timedatectl set-ntp true",
		"✗ profile down: discovery at "+down.URL+" failed",
		"5 problem(s), 1 warning(s).",
	)
}

// TestDoctorAllIsWell runs in the desktop session of scripts/with-desktop.sh:
// a real Secret Service, a tray host, a running agent logged in to
// node-oidc-provider. Every line is a ✓ and the exit status is 0.
func TestDoctorAllIsWell(t *testing.T) {
	if !realSecretService() {
		t.Skip("needs the Secret Service and tray host of scripts/with-desktop.sh, where make test runs it")
	}
	e, p, profile := loggedInEnv(t, testprovider.Options{})
	out, code := runDoctorProcess(t, e)
	if code != 0 {
		t.Errorf("exit status: got %d, want 0", code)
	}
	mustHaveLines(t, out,
		"✓ config: ",
		"✓ keyring: reachable and unlocked",
		"✓ tray host: org.kde.StatusNotifierWatcher is on the session bus",
		"✓ agent: pid ",
		"✓ token API: http://127.0.0.1:",
		"✓ profile "+profile+": discovery at "+p.Issuer+": issuer matches; endpoints: authorization, device, revocation, token",
		"✓ profile "+profile+": clock within ",
		"✓ profile "+profile+": agent: valid for ",
		"All is well.",
	)
	if strings.Contains(out, "✗") || strings.Contains(out, "\n!") {
		t.Errorf("doctor found something:\n%s", out)
	}
}

func TestKeyringFindings(t *testing.T) {
	tests := []struct {
		err  string
		want string
	}{
		// The failures TESTBED.md measured, as go-keyring reports them.
		{`keyring: save: exec: "dbus-launch": executable file not found in $PATH`, "no D-Bus session bus"},
		{"keyring: save: dial unix /run/user/1000/bus: connect: no such file or directory", "no D-Bus session bus"},
		{"keyring: read: The name org.freedesktop.secrets was not provided by any .service files", "has no Secret Service"},
		{"keyring: save: failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'", "is locked"},
		{"keyring: read: no answer from the OS keyring within 5s (is the Secret Service running and unlocked?): context deadline exceeded", "no answer within"},
		{"keyring: read: something new", "something new"},
	}
	for _, tt := range tests {
		f := keyringFinding(errors.New(tt.err))
		if f.mark != markFail || !strings.Contains(f.text, tt.want) || f.fix == "" {
			t.Errorf("%q: got %+v, want a problem saying %q with a fix", tt.err, f, tt.want)
		}
	}
}
