package agent_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/internal/testing/seedfake"
)

// pemKey returns key as a PKCS #8 PEM block.
func pemKey(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// TestOracleEndToEnd runs the three client authentications of document
// 004 through the agent: HTTP Basic with a secret from the keyring, and
// client assertions signed with an ES256 key from the keyring and an RS256
// key from a file. Oracle's refresh answers here keep or repeat the
// refresh token; refresh_scope narrows the scope.
func TestOracleEndToEnd(t *testing.T) {
	t.Parallel()
	const scope = "urn:opc:idm:__myscopes__ offline_access"
	t.Run("basic", func(t *testing.T) {
		t.Parallel()
		const secret = "oracle-secret-e2e"
		f := seedfake.NewOracle(t, seedfake.OracleOptions{ClientID: "app", Secret: secret, Scope: scope, AccessTTL: seedAccessTTL, OmitRefreshToken: true})
		pa := newProfileAgent(t, "oracle", fmt.Sprintf("preset = \"oracle\"\ndomain = %q\nclient_id = \"app\"\nlogin = \"import\"\nrefresh_scope = \"urn:opc:idm:__myscopes__\"\n", f.URL()))
		pa.mustRun(secret+"\n", "secret", "set", pa.profile)
		rt := f.IssueRefreshToken("alice")
		pa.mustRun(rt+"\n", "login", "--refresh-token-stdin", pa.profile)
		pa.refresh(3)
		// No refresh token in the answers: the first one stays (RFC 6749 §6).
		if got := storedRefreshToken(t, pa.store, pa.profile); got != rt {
			t.Errorf("the stored refresh token changed although the provider sent none")
		}
		if st := pa.status(); st.Scope != "urn:opc:idm:__myscopes__" {
			t.Errorf("scope: got %q, want the narrowed refresh_scope", st.Scope)
		}
		for _, r := range f.Requests() {
			if r.Form().Get("scope") != "urn:opc:idm:__myscopes__" {
				t.Errorf("a refresh without refresh_scope: %s", r.Body)
				break
			}
		}
		checkRecovers(t, pa, f.Fake)
		pa.restart()
		pa.refresh(1)
		checkExpiry(t, pa, f.Fake, "The refresh token is invalid or has expired.")
		noSecrets(t, "the agent's log", pa.logs.String(), rt, secret)
	})
	t.Run("es256-key-in-keyring", func(t *testing.T) {
		t.Parallel()
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		f := seedfake.NewOracle(t, seedfake.OracleOptions{ClientID: "app", PublicKey: key.Public(), KeyID: "tokentray", Scope: scope, AccessTTL: seedAccessTTL})
		pa := newProfileAgent(t, "oracle-jwt", fmt.Sprintf("preset = \"oracle-jwt\"\ndomain = %q\nclient_id = \"app\"\nkey_id = \"tokentray\"\nlogin = \"import\"\n", f.URL()))
		keyFile := filepath.Join(pa.dir, "key.pem")
		if err := os.WriteFile(keyFile, []byte(pemKey(t, key)), 0o600); err != nil {
			t.Fatal(err)
		}
		// Not a key: refused at once, with nothing stored.
		bad := filepath.Join(pa.dir, "bad.pem")
		os.WriteFile(bad, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600)
		if _, errOut, code := pa.run("", "secret", "set-key", pa.profile, bad); code != 1 || !strings.Contains(errOut, "neither an RSA nor an EC P-256 private key") {
			t.Errorf("set-key with a broken key: got exit %d, %q", code, errOut)
		}
		out := pa.mustRun("", "secret", "set-key", pa.profile, keyFile)
		if !strings.Contains(out, "Stored the private key") || strings.Contains(out, "PRIVATE KEY") {
			t.Fatalf("set-key: got %q", out)
		}
		rt := f.IssueRefreshToken("alice")
		pa.mustRun(rt+"\n", "login", "--refresh-token-stdin", pa.profile)
		pa.refresh(3) // each assertion has a new jti: the fake refuses replays
		n := f.Refreshes()
		waitFor(t, "a scheduled refresh", func() bool { return f.Refreshes() > n })
		if f.Rejections() != 0 {
			t.Fatalf("the fake refused %d requests, the last: %s", f.Rejections(), f.LastRejection())
		}
		pa.restart() // the key comes back from the keyring
		pa.refresh(1)
		// Without the key, a clear message, and no request.
		pa.mustRun("", "secret", "delete", pa.profile)
		before := len(f.Requests())
		_, err = pa.cl.Refresh(t.Context(), pa.profile)
		if ae := apiError(t, err); !strings.Contains(ae.Message, "no key in the keyring: store one with `tokentray secret set-key "+pa.profile) {
			t.Errorf("refresh without the key: got %q", ae.Message)
		}
		if len(f.Requests()) != before {
			t.Errorf("a request went out without the key")
		}
		// Putting it back resumes the grant without a new login.
		if out := pa.mustRun(pemKey(t, key), "secret", "set-key", pa.profile); !strings.Contains(out, "works again without a new login") {
			t.Errorf("set-key from stdin after the key was missing: got %q", out)
		}
		noSecrets(t, "the agent's log", pa.logs.String(), append(sentRefreshTokens(f.Fake), pemKey(t, key)[40:80])...)
	})
	t.Run("rs256-key-file", func(t *testing.T) {
		t.Parallel()
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		// Oracle also documents the fixed audience https://identity.oraclecloud.com/.
		const aud = "https://identity.oraclecloud.com/"
		f := seedfake.NewOracle(t, seedfake.OracleOptions{ClientID: "app", PublicKey: key.Public(), KeyID: "rsa-1", Audience: aud, Scope: scope, AccessTTL: seedAccessTTL})
		// A relative private_key_file is next to the config.
		pa := newProfileAgent(t, "oracle-rsa", fmt.Sprintf("preset = \"oracle-jwt\"\ndomain = %q\nclient_id = \"app\"\nkey_id = \"rsa-1\"\nlogin = \"import\"\nprivate_key_file = \"oci.pem\"\nassertion_audience = [%q]\n", f.URL(), aud))
		if err := os.WriteFile(filepath.Join(pa.dir, "oci.pem"), []byte(pemKey(t, key)), 0o600); err != nil {
			t.Fatal(err)
		}
		pa.mustRun(f.IssueRefreshToken("alice")+"\n", "login", "--refresh-token-stdin", pa.profile)
		pa.refresh(2)
		if f.Rejections() != 0 {
			t.Fatalf("the fake refused %d requests, the last: %s", f.Rejections(), f.LastRejection())
		}
		if st := pa.status(); st.LastError != "" || st.ExpiresAt.Before(time.Now()) {
			t.Errorf("status: got %+v", st)
		}
	})
}
