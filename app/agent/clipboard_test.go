package agent_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

type board struct {
	mu     sync.Mutex // guards copied
	copied []string
}

func (b *board) CopySecret(text string) (time.Duration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.copied = append(b.copied, text)
	return 45 * time.Second, nil
}

// TestClipboardThroughTheAgent: the windows copy through the agent's
// clipboard owner; a headless agent says it has none.
func TestClipboardThroughTheAgent(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{})
	profile := uniqueName("clip")
	f := newFixture(t, p, profile)
	a := f.start()
	defer a.Close()
	cl := apiclient.NewClient(a.Socket())
	ctx := context.Background()
	if err := cl.Login(ctx, profile, false, nil); err != nil {
		t.Fatalf("login: %v", err)
	}

	var ae *apiclient.Error
	if _, err := cl.CopyToClipboard(ctx, profile); !errors.As(err, &ae) || ae.Code != "no_clipboard" || !strings.Contains(err.Error(), "tokentray token "+profile) {
		t.Errorf("headless: got %v, want no_clipboard naming `tokentray token %s`", err, profile)
	}

	b := &board{}
	a.SetClipboard(b)
	resp, err := cl.CopyToClipboard(ctx, profile)
	if err != nil || !resp.Copied || resp.ClearAfter != 45 {
		t.Fatalf("with the tray's clipboard: got %+v, %v, want copied, cleared after 45 s", resp, err)
	}
	tok, err := cl.Token(ctx, profile, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.copied) != 1 || b.copied[0] != tok.AccessToken {
		t.Errorf("copied %d texts, want the access token once", len(b.copied))
	}
	if active, err := p.Introspect(testprovider.DefaultClientID, "", b.copied[0]); err != nil || !active {
		t.Errorf("the provider's introspection of the copied token: got active %v, %v, want active", active, err)
	}

	a.SetClipboard(nil)
	if _, err := cl.CopyToClipboard(ctx, profile); !errors.As(err, &ae) || ae.Code != "no_clipboard" {
		t.Errorf("after the tray took it back: got %v, want no_clipboard", err)
	}
}
