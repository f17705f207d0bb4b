package api

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokentray/tokentray/app/apiclient"
)

func TestEnsureKey(t *testing.T) {
	dir := privateDir(t)
	k1, err := EnsureKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(apiclient.KeyPath(dir))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: got %v, %v, want mode 0600", st.Mode(), err)
	}
	if k2, err := EnsureKey(dir); err != nil || k2 != k1 {
		t.Errorf("second EnsureKey: got a new key (%v), want the same one kept", err)
	}
	if got, err := apiclient.ReadKey(dir); err != nil || got != k1 {
		t.Errorf("apiclient.ReadKey: got %v, want the key", err)
	}
	// A key file others could read is replaced, not trusted.
	os.Chmod(apiclient.KeyPath(dir), 0o644)
	k3, err := EnsureKey(dir)
	if err != nil || k3 == k1 {
		t.Errorf("after chmod 0644: got the old key kept (%v), want a new one", err)
	}
	if st, _ := os.Stat(apiclient.KeyPath(dir)); st.Mode().Perm() != 0o600 {
		t.Errorf("the new key file has mode %v, want 0600", st.Mode())
	}
	// A symlink planted in its place is replaced, never followed.
	target := filepath.Join(t.TempDir(), "elsewhere")
	os.WriteFile(target, []byte(k1+"\n"), 0o600)
	os.Remove(apiclient.KeyPath(dir))
	os.Symlink(target, apiclient.KeyPath(dir))
	if k4, err := EnsureKey(dir); err != nil || k4 == k1 {
		t.Errorf("with a symlink: got the planted key (%v), want a new one", err)
	}
	if b, _ := os.ReadFile(target); string(b) != k1+"\n" {
		t.Error("the symlink's target was written")
	}
	// Garbage is replaced.
	os.WriteFile(apiclient.KeyPath(dir), []byte("short"), 0o600)
	if _, err := apiclient.ReadKey(dir); err == nil {
		t.Error("apiclient.ReadKey of garbage: got nil error")
	}
	if k5, err := EnsureKey(dir); err != nil || len(k5) != apiclient.KeyLen {
		t.Errorf("EnsureKey over garbage: got %d chars, %v", len(k5), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("runtime dir: got %d entries, want only the key (no temp files left)", len(entries))
	}
}

// Where the agent cannot tell who connects, the TCP client's key gets it
// the token and no key gets 403.
func TestTCPClientSendsTheKey(t *testing.T) {
	s := testServer(t)
	dir := privateDir(t)
	key, err := EnsureKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.TCPKey = key
	s.TCPPeerUID = func(*net.TCPAddr, *net.TCPAddr) (int, bool) { return 0, false }
	sv := serveIn(t, s, dir, nil)
	rk, err := apiclient.ReadKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := apiclient.NewTCPClient(sv.tcp, rk).Token(context.Background(), "work", 0)
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("with the key: got %+v, %v, want a token", tok, err)
	}
	_, err = apiclient.NewTCPClient(sv.tcp, "").Token(context.Background(), "work", 0)
	var ae *apiclient.Error
	if !errors.As(err, &ae) || ae.Status != 403 {
		t.Errorf("without the key: got %v, want 403", err)
	}
}
