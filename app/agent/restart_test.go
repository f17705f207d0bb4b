package agent_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/internal/testing/memstore"
)

// slowStore is a store in memory holding items whose reads take a while,
// like a keyring waking up.
func slowStore(items map[string]string) *memstore.Store {
	st := memstore.New(items)
	st.ReadDelay = 300 * time.Millisecond
	return st
}

// An agent (re)starting with a saved login never tells anyone the profile
// is logged out: it answers only once the store has been read. A tool that
// asked at the wrong moment used to hear "logged out: run tokentray login".
func TestStartingAgentNeverSaysLoggedOut(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte("listen = \"127.0.0.1:0\"\n\n[[profile]]\nname = \"work\"\nissuer = \"https://idp.example\"\nclient_id = \"c\"\nscopes = []\n"), 0o600)
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	st := slowStore(map[string]string{"work": fmt.Sprintf(`{"refresh_token":"rt-saved","access_token":"at-saved","token_type":"Bearer","expires_at":%q,"received":%q}`, exp, time.Now().UTC().Format(time.RFC3339))})
	rundir := filepath.Join(dir, "run")
	cl := apiclient.NewClient(apiclient.SocketPath(rundir))

	stop := make(chan struct{})
	var answers, wrong atomic.Int32
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			tok, err := cl.Token(ctx, "work", 0)
			cancel()
			if ae, ok := err.(*apiclient.Error); ok {
				answers.Add(1)
				wrong.Add(1)
				t.Errorf("while starting: got %d %s: %s, want a token or no answer", ae.Status, ae.Code, ae.Message)
			} else if err == nil {
				answers.Add(1)
				if tok.AccessToken != "at-saved" {
					wrong.Add(1)
				}
			}
			time.Sleep(time.Millisecond)
		}
	})
	for range 3 { // a start, then two restarts
		a, err := agent.Start(context.Background(), agent.Options{ConfigPath: cfg, RuntimeDir: rundir, Store: st})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
		a.Close()
	}
	close(stop)
	wg.Wait()
	if answers.Load() == 0 || wrong.Load() != 0 {
		t.Errorf("got %d answers, %d wrong", answers.Load(), wrong.Load())
	}
}

// A config broken while the agent runs (a half-written file, a bad value)
// is refused whole on reload: every profile keeps its session and token,
// and the next good file applies.
func TestReloadRefusesABrokenConfigWhole(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	good := "listen = \"127.0.0.1:0\"\n\n[[profile]]\nname = \"work\"\nissuer = \"https://idp.example\"\nclient_id = \"c\"\nscopes = []\n"
	os.WriteFile(cfg, []byte(good), 0o600)
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	st := slowStore(map[string]string{"work": fmt.Sprintf(`{"refresh_token":"rt-saved","access_token":"at-saved","token_type":"Bearer","expires_at":%q,"received":%q}`, exp, time.Now().UTC().Format(time.RFC3339))})
	a, err := agent.Start(context.Background(), agent.Options{ConfigPath: cfg, RuntimeDir: filepath.Join(dir, "run"), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cl := apiclient.NewClient(a.Socket())
	ctx := context.Background()
	for _, broken := range []string{
		good[:len(good)/2],                             // cut short mid-write
		good + "[[profile]]\nname = \"work\"\n",        // a second profile, half there
		strings.Replace(good, "https://", "ftp://", 1), // a bad value
	} {
		os.WriteFile(cfg, []byte(broken), 0o600)
		err := cl.Reload(ctx)
		var ae *apiclient.Error
		if !errors.As(err, &ae) || ae.Code != "bad_config" || !strings.Contains(ae.Message, "config.toml:") {
			t.Errorf("reload of a broken file: got %v, want bad_config naming the file and line", err)
		}
		if tok, err := cl.Token(ctx, "work", 0); err != nil || tok.AccessToken != "at-saved" {
			t.Errorf("after a refused reload: got %q, %v, want the same token", tok.AccessToken, err)
		}
	}
	os.WriteFile(cfg, []byte(good+"\n[[profile]]\nname = \"two\"\nissuer = \"https://idp.example\"\nclient_id = \"c\"\nscopes = []\n"), 0o600)
	if err := cl.Reload(ctx); err != nil {
		t.Fatalf("reload of a good file: %v", err)
	}
	s, err := cl.Status(ctx)
	if err != nil || len(s.Profiles) != 2 {
		t.Fatalf("after a good reload: got %+v, %v, want two profiles", s.Profiles, err)
	}
	if tok, err := cl.Token(ctx, "work", 0); err != nil || tok.AccessToken != "at-saved" {
		t.Errorf("an unchanged profile after reload: got %q, %v, want the same token", tok.AccessToken, err)
	}
}
