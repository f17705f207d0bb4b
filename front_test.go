package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/rundir"
	"github.com/tokentray/tokentray/internal/testing/testbuild"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

func TestMain(m *testing.M) {
	if sock := os.Getenv(fakeAgentEnv); sock != "" {
		fakeAgent(sock)
		return
	}
	code := m.Run()
	testbuild.RemoveAll()
	os.Exit(code)
}

// TestFrontCommand runs tokentray as installed — the front command with
// tokentray-agent beside it — against a real provider: every command
// reaches the agent program, and a plain token read is answered by the
// front alone, which the test proves by taking tokentray-agent away. It
// runs the front as `go build` makes it (with cgo: internal/early answers
// before Go starts) and without cgo (app/fasttoken alone), and counts the
// Go runtimes each call starts to tell which path answered.
func TestFrontCommand(t *testing.T) {
	built, fronts := installFronts(t)

	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: 5 * time.Minute})
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	// store = "file" keeps this test off the desktop's keyring: the
	// keyring is proven in app/agent and app/cli; this is about the front.
	config := fmt.Sprintf("listen = \"off\"\nstore = \"file\"\n\n[[profile]]\nname = \"work\"\nissuer = %q\nclient_id = %q\nscopes = [\"openid\", \"offline_access\"]\n", p.Issuer, testprovider.DefaultClientID)
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	env := append(os.Environ(), "TOKENTRAY_CONFIG="+cfg, "TOKENTRAY_RUNTIME_DIR="+run,
		"XDG_CONFIG_HOME="+filepath.Join(dir, "xdg"), "BROWSER="+filepath.Join(built, "scripted-browser"), "DEMO_ISSUER="+p.Issuer)

	// The agent, started through the front: the same process becomes
	// tokentray-agent (ps still shows the command as typed).
	agentBin := filepath.Join(filepath.Dir(fronts["cgo"]), "tokentray-agent")
	agentLog := &testprovider.SyncBuffer{}
	agent := exec.Command(fronts["cgo"], "agent")
	agent.Env, agent.Stdout, agent.Stderr = env, agentLog, agentLog
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		agent.Process.Signal(syscall.SIGTERM)
		agent.Wait()
		if t.Failed() {
			t.Logf("agent log:\n%s", agentLog)
		}
	})
	client := apiclient.NewClient(rundir.Socket(run))
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := client.Status(context.Background()); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the agent did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", agent.Process.Pid)); err != nil || exe != agentBin {
		t.Errorf("the agent process runs %q (%v), want %s", exe, err, agentBin)
	}
	if out, errOut, code := runFront(t, "", fronts["cgo"], env, "login", "work"); code != 0 {
		t.Fatalf("login: exit %d\n%s%s", code, out, errOut)
	}

	for _, variant := range []string{"cgo", "go"} {
		t.Run(variant, func(t *testing.T) {
			front := fronts[variant]
			agentBin := filepath.Join(filepath.Dir(front), "tokentray-agent")
			tokentray := func(args ...string) (stdout, stderr string, code int) {
				t.Helper()
				return runFront(t, "", front, env, args...)
			}
			// runtimes counts the Go runtimes a call starts (each prints
			// "init runtime" under GODEBUG=inittrace=1).
			runtimes := func(args ...string) int {
				t.Helper()
				_, errOut, _ := runFront(t, "", front, append(env, "GODEBUG=inittrace=1"), args...)
				return strings.Count(errOut, "init runtime @")
			}

			out, errOut, code := tokentray("token", "work")
			tok := strings.TrimSuffix(out, "\n")
			if code != 0 || tok == "" || strings.ContainsAny(tok, "\n ") || errOut != "" {
				t.Fatalf("token: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if active, err := p.Introspect(testprovider.DefaultClientID, "", tok); err != nil || !active {
				t.Fatalf("the token printed is not active at the provider: %v %v", active, err)
			}
			if out, _, code := tokentray("token", "--format", "header", "work"); code != 0 || out != "Authorization: Bearer "+tok+"\n" {
				t.Errorf("token --format header: exit %d, %q", code, out)
			}
			if out, _, code := tokentray("version"); code != 0 || !strings.Contains(out, "tokentray") {
				t.Errorf("version: exit %d, %q", code, out)
			}
			_, errOut, code = tokentray("token", "nosuch")
			if code == 0 || !strings.Contains(errOut, "nosuch") {
				t.Errorf("token nosuch: exit %d, stderr %q: want the agent's answer about the profile", code, errOut)
			}
			// Without the C path the front is a Go program of its own; with
			// it, a token read starts no Go runtime and every other command
			// only the agent's.
			want := map[string][3]int{"cgo": {0, 0, 1}, "go": {1, 1, 2}}[variant]
			if variant == "cgo" && !cPath(t) {
				want = [3]int{1, 1, 2}
			}
			if got := [3]int{runtimes("token", "work"), runtimes("token"), runtimes("version")}; got != want {
				t.Errorf("Go runtimes started by token work, token, version: %v, want %v", got, want)
			}
			noAgentOut, noAgentErr, noAgentCode := tokentray("--runtime-dir", filepath.Join(dir, "elsewhere"), "token", "work")

			// Without tokentray-agent, only the front can answer: it does,
			// for every spelling of the plain read, and hands over
			// everything else.
			if err := os.Rename(agentBin, agentBin+".away"); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"token", "work"},
				{"token", "work", "--format=raw"},
				{"--config", cfg, "token", "--format", "raw", "--", "work"},
				{"token", "--runtime-dir", run, "work"},
				{"token", "--runtime-dir", run + "/", "work"},
				{"token", "--runtime-dir", filepath.Join(run, "..", "run"), "work"}, // cleaned by Go's path
				{"token"}, // the only profile
			} {
				if out, errOut, code := tokentray(args...); code != 0 || out != tok+"\n" {
					t.Errorf("without tokentray-agent, tokentray %s: exit %d, %q, %q; want the token from the front", strings.Join(args, " "), code, out, errOut)
				}
			}
			for _, args := range [][]string{{"token", "nosuch"}, {"token", "--format", "json", "work"}, {"status"}, {"token", "--format", "json"}} {
				_, errOut, code := tokentray(args...)
				if code != 1 || !strings.Contains(errOut, "tokentray-agent is not installed") {
					t.Errorf("without tokentray-agent, tokentray %s: exit %d, %q; want it handed over (and so failing)", strings.Join(args, " "), code, errOut)
				}
			}
			if err := os.Rename(agentBin+".away", agentBin); err != nil {
				t.Fatal(err)
			}

			// No agent on that runtime dir: the front declines, and the
			// agent program explains, as it always did.
			if noAgentCode == 0 || noAgentOut != "" || !strings.Contains(noAgentErr, "no tokentray agent is running") {
				t.Errorf("token with no agent: exit %d, %q, %q", noAgentCode, noAgentOut, noAgentErr)
			}

			// A front under another name (a copy, not a link) still hands
			// over: Go's launch does it when the C path declines.
			renamed := filepath.Join(filepath.Dir(front), "tt")
			copyFile(t, front, renamed)
			if out, _, code := runFront(t, "", renamed, env, "version"); code != 0 || !strings.Contains(out, "tokentray") {
				t.Errorf("tt version: exit %d, %q", code, out)
			}
		})
	}
}

// installFronts builds the programs and installs the front twice, each
// with tokentray-agent beside it: as `go build` makes it ("cgo": with
// internal/early's C path) and without cgo ("go"). built holds the
// programs as built.
func installFronts(t *testing.T) (built string, fronts map[string]string) {
	t.Helper()
	built = testbuild.Programs(t, testbuild.Front, testbuild.Agent, testbuild.ScriptedBrowse)
	builtGo := testbuild.ProgramsWith(t, []string{"CGO_ENABLED=0"}, testbuild.Front)
	fronts = map[string]string{}
	for variant, from := range map[string]string{"cgo": built, "go": builtGo} {
		bin := t.TempDir()
		copyFile(t, filepath.Join(from, "tokentray"), filepath.Join(bin, "tokentray"))
		copyFile(t, filepath.Join(built, "tokentray-agent"), filepath.Join(bin, "tokentray-agent"))
		fronts[variant] = filepath.Join(bin, "tokentray")
	}
	return built, fronts
}

// cPath reports whether `go build` gives the front internal/early's C
// path here: Linux, with cgo (CGO_ENABLED=0 go test builds without it).
func cPath(t *testing.T) bool {
	t.Helper()
	out, err := exec.Command("go", "env", "CGO_ENABLED").Output()
	if err != nil {
		t.Fatalf("go env CGO_ENABLED: %v", err)
	}
	return runtime.GOOS == "linux" && strings.TrimSpace(string(out)) == "1"
}

// fakeAgentEnv makes the test binary a fake agent on the socket it names:
// every request is answered 200 with fakeToken, and leaves a file beside
// the socket.
const (
	fakeAgentEnv = "TOKENTRAY_TEST_FAKE_AGENT"
	fakeToken    = "FAKE-TOKEN-OF-ANOTHER-USER"
)

func fakeAgent(sock string) {
	l, err := net.Listen("unix", sock)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake agent:", err)
		os.Exit(2)
	}
	os.Chmod(sock, 0o666)
	http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		os.WriteFile(sock+".served", []byte(r.Method+" "+r.URL.Path), 0o644)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(fakeToken))
	}))
}

// TestForeignAgentIsRefused puts an agent of another user's on the socket
// (a runtime directory others may write to, such as a /tmp one made before
// the agent first ran): neither front nor the command line takes its
// token, nor sends it anything (a password, a secret), and the command
// line says why.
func TestForeignAgentIsRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("becoming another user needs root; CI runs as root")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatalf("setpriv (util-linux) is needed to run as nobody: %v", err)
	}
	_, fronts := installFronts(t)

	// The test binary and the socket, where nobody can reach them.
	open, err := os.MkdirTemp("", "tokentray-foreign-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(open) })
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(open, "tokentray.test")
	copyFile(t, self, bin)
	sock := rundir.Socket(open)
	fake := exec.Command(setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", bin, "-test.run=^$")
	fake.Env = []string{fakeAgentEnv + "=" + sock, "PATH=/usr/bin:/bin"}
	var fakeErr bytes.Buffer
	fake.Stderr = &fakeErr
	if err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		fake.Process.Kill()
		fake.Wait()
	})
	served := sock + ".served"
	deadline := time.Now().Add(10 * time.Second)
	for {
		// The fake answers whoever trusts it: a plain client gets its token.
		if c, err := net.Dial("unix", sock); err == nil {
			fmt.Fprint(c, "GET /v1/token/work HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			answer, _ := io.ReadAll(c)
			c.Close()
			if !strings.Contains(string(answer), fakeToken) {
				t.Fatalf("the fake agent answered %q", answer)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fake agent did not start: %s", fakeErr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := os.Remove(served); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("[[profile]]\nname = \"work\"\nissuer = \"https://idp.example.com\"\nclient_id = \"cli\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TOKENTRAY_CONFIG="+cfg, "TOKENTRAY_RUNTIME_DIR="+open)
	for _, variant := range []string{"cgo", "go"} {
		for _, c := range []struct {
			args  []string
			stdin string
		}{
			{[]string{"token", "work"}, ""},
			{[]string{"--runtime-dir", open, "token", "work"}, ""},
			{[]string{"status"}, ""},
			{[]string{"secret", "set", "work"}, "s3cret\n"},
		} {
			out, errOut, code := runFront(t, c.stdin, fronts[variant], env, c.args...)
			what := variant + ": tokentray " + strings.Join(c.args, " ")
			if code == 0 || strings.Contains(out, fakeToken) {
				t.Errorf("%s: exit %d, stdout %q: want a refusal", what, code, out)
			}
			if !strings.Contains(errOut, "served by another user (uid ") {
				t.Errorf("%s: stderr %q, want it to say who serves the socket", what, errOut)
			}
		}
	}
	if b, err := os.ReadFile(served); err == nil {
		t.Errorf("the other user's agent was sent a request: %s", b)
	}
}

// runFront runs front with args, env and stdin, within 30 s.
func runFront(t *testing.T, stdin, front string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, front, args...)
	cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("tokentray %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
