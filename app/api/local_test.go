package api

import (
	"context"
	"testing"

	"github.com/tokentray/tokentray/app/apiclient"
)

// Local (the tray's channel, in the agent's process) and the socket (every
// other client's) answer alike: the same profiles, and the same error codes
// and HTTP statuses for the same failures.
func TestLocalAnswersAsTheSocket(t *testing.T) {
	ctx := context.Background()
	s := testServer(t)
	sv := serve(t, s, nil)
	sock := apiclient.NewClient(sv.socket)
	local := Local{Sessions: s.Sessions, Info: s.Info, Now: s.Now}

	codeOf := func(err error) (apiclient.Code, int) {
		if err == nil {
			return "", 200
		}
		e, ok := err.(*apiclient.Error)
		if !ok {
			t.Fatalf("got %T %v, want an *apiclient.Error", err, err)
		}
		return e.Code, e.Status
	}
	steps := []struct {
		name     string
		local    func() error
		sock     func() error
		wantCode apiclient.Code
	}{
		{"token", func() error { _, err := local.Token(ctx, "work", 0); return err },
			func() error { _, err := sock.Token(ctx, "work", 0); return err }, ""},
		{"unknown profile", func() error { _, err := local.Token(ctx, "nope", 0); return err },
			func() error { _, err := sock.Token(ctx, "nope", 0); return err }, apiclient.CodeUnknownProfile},
		{"refresh", func() error { _, err := local.Refresh(ctx, "work"); return err },
			func() error { _, err := sock.Refresh(ctx, "work"); return err }, ""},
		{"refresh unknown", func() error { _, err := local.Refresh(ctx, "nope"); return err },
			func() error { _, err := sock.Refresh(ctx, "nope"); return err }, apiclient.CodeUnknownProfile},
		{"logout unknown", func() error { _, err := local.Logout(ctx, "nope"); return err },
			func() error { _, err := sock.Logout(ctx, "nope"); return err }, apiclient.CodeUnknownProfile},
		// Logging out twice is fine; then a token read says logged out.
		{"logout", func() error { _, err := local.Logout(ctx, "work"); return err },
			func() error { _, err := sock.Logout(ctx, "work"); return err }, ""},
		{"token when logged out", func() error { _, err := local.Token(ctx, "work", 0); return err },
			func() error { _, err := sock.Token(ctx, "work", 0); return err }, apiclient.CodeLoggedOut},
		{"refresh when logged out", func() error { _, err := local.Refresh(ctx, "work"); return err },
			func() error { _, err := sock.Refresh(ctx, "work"); return err }, apiclient.CodeLoggedOut},
	}
	for _, st := range steps {
		lc, ls := codeOf(st.local())
		sc, ss := codeOf(st.sock())
		if lc != st.wantCode || sc != st.wantCode || ls != ss {
			t.Errorf("%s: got local %q %d, socket %q %d; want %q from both, with one status", st.name, lc, ls, sc, ss, st.wantCode)
		}
	}
	ls, _ := local.Status(ctx)
	ss, err := sock.Status(ctx)
	if err != nil || len(ls.Profiles) != 1 || len(ss.Profiles) != 1 || ls.Profiles[0].State != ss.Profiles[0].State || ls.Agent != ss.Agent {
		t.Errorf("status: got local %+v, socket %+v (%v); want the same", ls, ss, err)
	}
}
