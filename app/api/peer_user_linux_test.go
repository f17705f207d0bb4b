package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/rundir"
)

// helperEnv, when set, makes the test binary a peer helper instead of
// running tests: another user runs it to try to read a token.
const helperEnv = "TOKENTRAY_API_PEER_HELPER"

// helperJob is what the helper tries; helperResult what it saw.
type helperJob struct {
	TCP        string // host:port of the token API
	Key        string // a key to present over TCP, as if stolen
	Socket     string // the agent's socket in its private dir
	OpenSocket string // a socket of the same server in a directory anyone may enter
	KeyFile    string
}

type helperResult struct {
	UID           int
	TCP           string // HTTP status or error
	TCPWithKey    string
	Socket        string
	OpenSocket    string
	KeyFile       string
	TokenReceived bool
}

func TestMain(m *testing.M) {
	if job := os.Getenv(helperEnv); job != "" {
		os.Exit(peerHelper(job))
	}
	if job := os.Getenv(neighbourEnv); job != "" {
		os.Exit(neighbourHelper(job))
	}
	os.Exit(m.Run())
}

func peerHelper(jobJSON string) int {
	var job helperJob
	if err := json.Unmarshal([]byte(jobJSON), &job); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	res := helperResult{UID: os.Getuid()}
	get := func(c *http.Client, url, key string) string {
		req, _ := http.NewRequest("GET", url, nil)
		if key != "" {
			req.Header.Set(apiclient.KeyHeader, key)
		}
		resp, err := c.Do(req)
		if err != nil {
			return errText(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if strings.Contains(string(b), "access_token") {
			res.TokenReceived = true
		}
		return fmt.Sprint(resp.StatusCode)
	}
	tcp := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	res.TCP = get(tcp, "http://"+job.TCP+"/v1/token/work", "")
	res.TCPWithKey = get(&http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}, "http://"+job.TCP+"/v1/token/work", job.Key)
	res.Socket = get(socketClient(job.Socket), "http://tokentray.sock/v1/token/work", "")
	res.OpenSocket = get(socketClient(job.OpenSocket), "http://tokentray.sock/v1/token/work", "")
	if _, err := os.ReadFile(job.KeyFile); err != nil {
		res.KeyFile = errText(err)
	} else {
		res.KeyFile = "read"
	}
	json.NewEncoder(os.Stdout).Encode(res)
	return 0
}

func errText(err error) string {
	if errors.Is(err, syscall.EACCES) {
		return "EACCES"
	}
	return err.Error()
}

// TestAnotherUserIsRefused runs a helper as the user nobody against a real
// agent server of ours: it cannot connect to the socket (0700 directory),
// cannot read the key, and gets 403 over TCP — even with the key in hand,
// since the kernel's socket table names it. A socket in a directory it may
// enter answers it 403 too (SO_PEERCRED).
func TestAnotherUserIsRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("becoming another user needs root; CI runs as root")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatalf("setpriv (util-linux) is needed to run as nobody: %v", err)
	}
	s := testServer(t)
	dir := privateDir(t)
	key, err := EnsureKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.TCPKey = key
	sv := serveIn(t, s, dir, nil)

	// The same handler on a socket anyone can reach, in a world-enterable
	// directory, so that only the peer check stands in the way.
	openDir := filepath.Join(filepath.Dir(sv.dir), "open")
	if err := os.Mkdir(openDir, 0o755); err != nil {
		t.Fatal(err)
	}
	openSock := rundir.Socket(openDir)
	ol, err := net.Listen("unix", openSock)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(openSock, 0o666)
	osrv := NewHTTPServer(s.SocketHandler())
	go osrv.Serve(ol)
	defer osrv.Close()

	// The test binary, where nobody can run it.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(filepath.Dir(sv.dir), "api.test")
	if err := copyFile(self, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	job, _ := json.Marshal(helperJob{TCP: sv.tcp, Key: key, Socket: sv.socket, OpenSocket: openSock, KeyFile: apiclient.KeyPath(sv.dir)})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", bin, "-test.run=^$")
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = []string{helperEnv + "=" + string(job), "PATH=/usr/bin:/bin"}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the helper as nobody: %v\n%s", err, stderr.String())
	}
	var res helperResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("helper output %q: %v", out, err)
	}
	if res.UID == 0 || res.UID == os.Getuid() {
		t.Fatalf("the helper ran as uid %d; want another user", res.UID)
	}
	for _, c := range []struct{ what, got, want string }{
		{"TCP", res.TCP, "403"},
		{"TCP with the stolen key", res.TCPWithKey, "403"},
		{"socket in the private dir", res.Socket, "EACCES"},
		{"socket in an open dir", res.OpenSocket, "403"},
		{"key file", res.KeyFile, "EACCES"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s as uid %d: got %s, want %s", c.what, res.UID, c.got, c.want)
		}
	}
	if res.TokenReceived {
		t.Error("another user received a token")
	}
	// And we, at the same doors, are served.
	if status, _, body := do(t, "GET", "http://"+sv.tcp+"/v1/token/work", nil, nil); status != 200 {
		t.Errorf("our own read over TCP: got HTTP %d %s, want 200", status, body)
	}
}

func copyFile(from, to string, mode os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
