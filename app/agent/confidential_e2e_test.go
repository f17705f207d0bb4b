package agent_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// TestConfidentialClientsEndToEnd logs in through the browser flow (PKCE,
// loopback redirect) against node-oidc-provider with a confidential client
// per authentication method, refreshes under its strict rotation, and
// logs out with revocation, all through the agent and the command line.
func TestConfidentialClientsEndToEnd(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	const basicSecret, postSecret = "basic-secret-e2e:with/odd&chars", "post-secret-e2e"
	p := testprovider.Start(t, testprovider.Options{Clients: []map[string]any{
		testprovider.Client("basic", "client_secret_basic", map[string]any{"client_secret": basicSecret}),
		testprovider.Client("post", "client_secret_post", map[string]any{"client_secret": postSecret}),
		testprovider.Client("jwt-es256", "private_key_jwt", map[string]any{"jwks": testprovider.JWKS(ecKey)}),
		testprovider.Client("jwt-rs256", "private_key_jwt", map[string]any{"jwks": testprovider.JWKS(rsaKey)}),
	}})
	rsaFile := filepath.Join(t.TempDir(), "rs256.pem")
	if err := os.WriteFile(rsaFile, []byte(pemKey(t, rsaKey)), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		id, auth, extra string
		secret, key     string // stored with `secret set` / `secret set-key`
		introspect      bool   // testprovider can authenticate it
	}{
		{id: "basic", auth: "client_secret_basic", secret: basicSecret, introspect: true},
		{id: "post", auth: "client_secret_post", secret: postSecret, introspect: true},
		{id: "jwt-es256", auth: "private_key_jwt", key: pemKey(t, ecKey)},
		{id: "jwt-rs256", auth: "private_key_jwt", extra: fmt.Sprintf("private_key_file = %q\n", rsaFile)},
	} {
		t.Run(tc.id, func(t *testing.T) {
			body := fmt.Sprintf("issuer = %q\nclient_id = %q\nclient_auth = %q\nscopes = [\"openid\"]\n%s", p.Issuer, tc.id, tc.auth, tc.extra)
			pa := newProfileAgentWith(t, tc.id, body, p.Browser("carol"))
			if tc.secret != "" {
				pa.mustRun(tc.secret+"\n", "secret", "set", pa.profile)
			}
			if tc.key != "" {
				pa.mustRun(tc.key, "secret", "set-key", pa.profile)
			}
			if out := pa.mustRun("", "login", pa.profile); !strings.Contains(out, "Logged in to "+pa.profile) {
				t.Fatalf("login: got %q", out)
			}
			first := pa.token()
			pa.refresh(2) // rotation is strict: a reused refresh token would kill the grant
			at := pa.token()
			if at == first {
				t.Errorf("the access token did not change over two refreshes")
			}
			if tc.introspect {
				if active, err := p.Introspect(tc.id, "", at); err != nil || !active {
					t.Errorf("introspection of the served token: active=%v err=%v", active, err)
				}
			}
			pa.restart()
			pa.refresh(1)
			rt := storedRefreshToken(t, pa.store, pa.profile)
			res, err := pa.cl.Logout(context.Background(), pa.profile)
			if err != nil || !res.Revoked {
				t.Fatalf("logout: got %+v, %v, want revoked (the client authenticates at the revocation endpoint too)", res, err)
			}
			if tc.introspect {
				if code, body, err := p.RefreshDirect(tc.id, rt); err != nil || code != 400 || body["error"] != "invalid_grant" {
					t.Errorf("refresh with the revoked token: got %d %v %v, want 400 invalid_grant", code, body, err)
				}
			}
			noSecrets(t, "the agent's log", pa.logs.String(), first, at, rt, tc.secret)
		})
	}
}
