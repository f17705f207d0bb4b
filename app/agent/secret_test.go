package agent_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/store"
)

// TestSecretCommand checks `tokentray secret` around the happy paths the
// provider tests take: what it refuses, what it says, and that it never
// prints a secret.
func TestSecretCommand(t *testing.T) {
	pa := newProfileAgent(t, "public", "issuer = \"https://idp.example.com\"\nclient_id = \"c\"\n")
	ctx := context.Background()
	long := strings.Repeat("s", 3000)
	tests := []struct {
		name    string
		stdin   string
		args    []string
		code    int
		wantErr string
	}{
		{"unknown profile", "x\n", []string{"secret", "set", "nope"}, 1, `no profile named "nope"`},
		{"nothing on stdin", "", []string{"secret", "set", pa.profile}, 1, "nothing on standard input"},
		{"empty line", "\n", []string{"secret", "set", pa.profile}, 1, "the first line of standard input is empty"},
		{"too long", long + "\n", []string{"secret", "set", pa.profile}, 1, "longer than 2 KiB"},
		{"not a key", "hello\n", []string{"secret", "set-key", pa.profile}, 1, "not a PEM private key"},
		{"unknown subcommand", "", []string{"secret", "show", pa.profile}, 2, `unknown subcommand "show"`},
		{"no profile", "", []string{"secret", "set"}, 2, "name the profile"},
		{"no subcommand", "", []string{"secret"}, 2, "set|set-key|delete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := pa.run(tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("got exit %d, %q; want %d, %q", code, errOut, tt.code, tt.wantErr)
			}
			noSecrets(t, "the output", out+errOut, long)
		})
	}
	if _, err := pa.store.Get(ctx, agent.SecretAccount(pa.profile)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after refused commands the keyring has a secret: %v", err)
	}

	// A public client sends no secret: stored all the same, with a note.
	out, errOut, code := pa.run("  first-line-secret  \nsecond line\n", "secret", "set", pa.profile)
	if code != 0 || !strings.Contains(errOut, "sends no client secret: it is kept but unused") {
		t.Fatalf("secret set for a public client: got exit %d, %q, %q", code, out, errOut)
	}
	noSecrets(t, "the output", out+errOut, "first-line-secret")
	if v, err := pa.store.Get(ctx, agent.SecretAccount(pa.profile)); err != nil || v != "first-line-secret" {
		t.Errorf("the stored secret: got %d bytes, %v; want the first line, trimmed", len(v), err)
	}
	noSecrets(t, "the agent's log", pa.logs.String(), "first-line-secret")
	pa.mustRun("", "secret", "delete", pa.profile)
	if _, err := pa.store.Get(ctx, agent.SecretAccount(pa.profile)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after secret delete: got %v, want not found", err)
	}
}
