package agent_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/apiclient"
)

// TestPortTakenByAnotherUser: the user nobody holds the agent's port
// before it starts. The agent starts anyway, serves its socket, says in
// its status who holds the port, and takes the port once it is freed.
func TestPortTakenByAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("becoming another user needs root; CI runs as root")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatalf("setpriv (util-linux) is needed to run as nobody: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	// The test binary, where nobody may run it.
	self, _ := os.Executable()
	binDir, err := os.MkdirTemp("", "tokentray-squat-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(binDir) })
	os.Chmod(binDir, 0o755)
	bin := filepath.Join(binDir, "agent.test")
	if b, err := os.ReadFile(self); err != nil || os.WriteFile(bin, b, 0o755) != nil {
		t.Fatalf("copying the test binary: %v", err)
	}
	cmd := exec.Command(setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", bin, "-test.run=^$")
	cmd.Dir = binDir
	cmd.Env = []string{squatEnv + "=" + addr, "PATH=/usr/bin:/bin"}
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || strings.TrimSpace(line) != "listening" {
		t.Fatalf("the squatter did not start: %q %v", line, err)
	}

	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	profile := uniqueName("squat")
	os.WriteFile(cfg, []byte("listen = \""+addr+"\"\n\n[[profile]]\nname = \""+profile+"\"\nissuer = \"https://idp.example.invalid\"\nclient_id = \"c\"\n"), 0o600)
	a, err := agent.Start(context.Background(), agent.Options{ConfigPath: cfg, RuntimeDir: filepath.Join(dir, "run"), Store: testStore(t)})
	if err != nil {
		t.Fatalf("agent.Start with the port taken: got %v, want it to serve the socket", err)
	}
	t.Cleanup(func() { a.Close() })
	cl := apiclient.NewClient(a.Socket())
	st, err := cl.Status(context.Background())
	if err != nil {
		t.Fatalf("status over the socket: %v", err)
	}
	_, port, _ := net.SplitHostPort(addr)
	want := fmt.Sprintf("port %s is held by uid 65534, pid %d (agent.test)", port, cmd.Process.Pid)
	if st.Agent.Listen != "" || !strings.HasPrefix(st.Agent.ListenError, want) {
		t.Fatalf("status: got listen %q, listen_error %q; want none and %q…", st.Agent.Listen, st.Agent.ListenError, want)
	}

	// nobody lets go: the agent takes the port within its retry period.
	stdin.Close()
	cmd.Wait()
	deadline := time.Now().Add(15 * time.Second)
	for {
		st, err = cl.Status(context.Background())
		if err == nil && st.Agent.Listen == addr && st.Agent.ListenError == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the port was freed: got listen %q, listen_error %q, err %v; want %s", st.Agent.Listen, st.Agent.ListenError, err, addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	key, err := apiclient.ReadKey(filepath.Join(dir, "run"))
	if err != nil {
		t.Fatal(err)
	}
	// The port is ours now: the profile is logged out, and our agent says so.
	_, err = apiclient.NewTCPClient(addr, key).Token(context.Background(), profile, 0)
	if ae := (*apiclient.Error)(nil); !errors.As(err, &ae) || ae.Code != "logged_out" {
		t.Fatalf("token over TCP: got %v, want the agent's logged_out", err)
	}
}

// TestAgentIsNotDumpable: the running agent (this process, once an agent
// started in it) writes no core file and cannot be attached to by other
// processes of its user.
func TestAgentIsNotDumpable(t *testing.T) {
	newProfileAgent(t, "dump", "issuer = \"https://idp.example.invalid\"\nclient_id = \"c\"\n")
	d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	if err != nil || d != 0 {
		t.Errorf("PR_GET_DUMPABLE: got %d, %v; want 0", d, err)
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &lim); err != nil || lim.Cur != 0 {
		t.Errorf("RLIMIT_CORE soft limit: got %d, %v; want 0", lim.Cur, err)
	}
}
