package agent_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// countInMemory counts the occurrences of each secret in the writable
// memory of process pid: live values and garbage alike, as a core dump or
// a reader of /proc/PID/mem would find them.
func countInMemory(t *testing.T, pid int, secrets []string) []int {
	t.Helper()
	maps, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer maps.Close()
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	counts := make([]int, len(secrets))
	read := 0
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || !strings.HasPrefix(f[1], "rw") {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end-start > 1<<30 {
			continue // reserved, never-touched address space
		}
		buf := make([]byte, end-start)
		n, _ := mem.ReadAt(buf, int64(start))
		read += n
		for i, s := range secrets {
			counts[i] += bytes.Count(buf[:n], []byte(s))
		}
	}
	if read == 0 {
		t.Fatalf("read nothing of the agent's memory (pid %d)", pid)
	}
	return counts
}

// Bounds on the copies of refresh tokens in a running agent after
// rotations rounds of refresh, each one saved to and read back from the
// keyring. Measured under scripts/with-desktop.sh (gnome-keyring): before
// the session wiped what it could and scrubbed freed memory, 21–23 copies
// of the current token and 25–36 of every old one (256–301 in all); after,
// 12–18 of the current token, 8–17 of the one it replaced, and 0–12 of
// each older one (4–20 in all). What is left is garbage in spans Go keeps
// (it is gone once its memory is reused) and values that cannot be wiped.
const (
	rotations     = 10
	maxCurrent    = 25
	maxEachOlder  = 16 // tokens rotated out more than one refresh ago
	maxOlderTotal = 50
)

// TestRefreshTokenCopies counts the copies of the current and of the
// rotated refresh tokens in the agent's memory after a series of
// refreshes: old tokens must not pile up in freed memory.
func TestRefreshTokenCopies(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("reading another process's memory needs root (the agent is not dumpable)")
	}
	p := testprovider.Start(t, testprovider.Options{})
	bin := buildTokentray(t)
	profile := uniqueName("copies")
	f := newFixture(t, p, profile)
	var env []string
	if !realSecretService() {
		home := t.TempDir()
		env = append(env, "XDG_CONFIG_HOME="+home)
		b, err := os.ReadFile(f.cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.cfgPath, append([]byte("store = \"file\"\n"), b...), 0o600); err != nil {
			t.Fatal(err)
		}
		f.store = &store.FileStore{Path: filepath.Join(home, "tokentray", "tokens.json")}
	}
	ap := startAgentProcess(t, bin, f.cfgPath, f.rundir, env, nil)
	cl := apiclient.NewClient(apiclient.SocketPath(f.rundir))
	ctx := context.Background()
	urls, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- cl.Login(ctx, profile, true, func(u string) { urls <- u }) }()
	select {
	case u := <-urls:
		if err := f.browser.Browse(u); err != nil {
			t.Fatalf("browser: %v", err)
		}
	case err := <-done:
		t.Fatalf("login ended before its URL: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("login: %v", err)
	}
	rts := []string{storedRefreshToken(t, f.store, profile)}
	for range rotations {
		if _, err := cl.Refresh(ctx, profile); err != nil {
			t.Fatalf("refresh: %v", err)
		}
		rt := storedRefreshToken(t, f.store, profile)
		if rt == "" || rt == rts[len(rts)-1] {
			t.Fatal("the provider did not rotate the refresh token; nothing to measure")
		}
		rts = append(rts, rt)
	}
	counts := countInMemory(t, ap.cmd.Process.Pid, rts)
	current := counts[len(counts)-1]
	older := counts[:len(counts)-2]
	total := 0
	for _, c := range older {
		total += c
	}
	t.Logf("after %d rotations: the current refresh token %d copies, the one it replaced %d, the %d older ones %d in all (%v, oldest first)",
		rotations, current, counts[len(counts)-2], len(older), total, counts)
	if current == 0 {
		t.Fatal("no copy of the current refresh token found: the scan is not reading the agent's memory")
	}
	if current > maxCurrent {
		t.Errorf("the current refresh token: got %d copies, want at most %d", current, maxCurrent)
	}
	for i, c := range older {
		if c > maxEachOlder {
			t.Errorf("the refresh token rotated out %d refreshes ago: got %d copies, want at most %d", len(counts)-1-i, c, maxEachOlder)
		}
	}
	if total > maxOlderTotal {
		t.Errorf("the %d older refresh tokens: got %d copies in all, want at most %d", len(older), total, maxOlderTotal)
	}
}
