package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"maps"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tokentray/tokentray/internal/testing/seedfake"
)

// Oracle identity domains (OCI IAM) REST API documentation: POST {domainURL}/oauth2/v1/token.
func TestOracleBasic(t *testing.T) {
	for _, tc := range []struct {
		name      string
		scope     string // Config.RefreshScope
		wantBody  string // after the refresh token
		wantScope string
	}{
		{"without scope", "", "", "urn:opc:idm:__myscopes__ offline_access"},
		{"with a narrower scope", "offline_access", "&scope=offline_access", "offline_access"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := seedfake.NewOracle(t, seedfake.OracleOptions{ClientID: "app", Secret: "s3cret", Scope: "urn:opc:idm:__myscopes__ offline_access"})
			rt := fake.IssueRefreshToken("alice")
			c := NewClient(Config{Endpoints: Endpoints{TokenURL: fake.TokenURL()}, ClientID: "app", ClientSecret: "s3cret", ClientAuth: AuthSecretBasic, RefreshScope: tc.scope}, fake.Client(), nil)
			tok, err := c.Refresh(testContext(t), rt)
			if err != nil {
				t.Fatalf("refresh: %v (the fake said: %s)", err, fake.LastRejection())
			}
			req, _ := fake.LastRequest()
			if got, want := req.Body, "grant_type=refresh_token&refresh_token="+url.QueryEscape(rt)+tc.wantBody; got != want {
				t.Errorf("body: got %v, want %v", got, want)
			}
			if got, want := req.Header.Get("Authorization"), "Basic YXBwOnMzY3JldA=="; got != want {
				t.Errorf("Authorization: got %v, want %v", got, want)
			}
			if tok.Scope != tc.wantScope || tok.RefreshToken != rt {
				t.Errorf("got scope %q refresh token %.8s…, want %q and the same token", tok.Scope, tok.RefreshToken, tc.wantScope)
			}
		})
	}
}

func TestOracleWiderScopeIsMisconfigured(t *testing.T) {
	fake := seedfake.NewOracle(t, seedfake.OracleOptions{ClientID: "app", Secret: "s3cret", Scope: "offline_access"})
	rt := fake.IssueRefreshToken("alice")
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: fake.TokenURL()}, ClientID: "app", ClientSecret: "s3cret", ClientAuth: AuthSecretBasic, RefreshScope: "admin"}, fake.Client(), nil)
	_, err := c.Refresh(testContext(t), rt)
	mustKind(t, err, Misconfigured)
}

func TestOraclePublic(t *testing.T) {
	fake := seedfake.NewOracle(t, seedfake.OracleOptions{ClientID: "app", Public: true, OmitRefreshToken: true})
	rt := fake.IssueRefreshToken("alice")
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: fake.TokenURL()}, ClientID: "app", ClientAuth: AuthNone}, fake.Client(), nil)
	tok, err := c.Refresh(testContext(t), rt)
	if err != nil {
		t.Fatalf("refresh: %v (the fake said: %s)", err, fake.LastRejection())
	}
	req, _ := fake.LastRequest()
	if got, want := req.Body, "grant_type=refresh_token&refresh_token="+url.QueryEscape(rt)+"&client_id=app"; got != want {
		t.Errorf("body: got %v, want %v", got, want)
	}
	// No refresh token in the answer: the one sent is kept (RFC 6749 §6).
	if tok.RefreshToken != rt {
		t.Errorf("refresh token: got %.8s…, want the one sent", tok.RefreshToken)
	}
}

// pemKeys returns PEM private keys of every form NewAssertionSigner reads.
func pemKeys(t *testing.T) map[string][]byte {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8 := func(k any) []byte {
		b, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: b})
	}
	sec1, err := x509.MarshalECPrivateKey(ek)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"RS256 PKCS#1": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}),
		"RS256 PKCS#8": pkcs8(rk),
		"ES256 SEC 1":  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}),
		"ES256 PKCS#8": pkcs8(ek),
	}
}

func TestOracleClientAssertion(t *testing.T) {
	for name, pemKey := range pemKeys(t) {
		t.Run(name, func(t *testing.T) {
			signer, err := NewAssertionSigner(pemKey, "tokentray-key")
			if err != nil {
				t.Fatalf("NewAssertionSigner: %v", err)
			}
			clk := newTestClock()
			fake := seedfake.NewOracle(t, seedfake.OracleOptions{ClientID: "app", PublicKey: signer.Public(), KeyID: "tokentray-key", Now: clk.Now})
			rt := fake.IssueRefreshToken("alice")
			c := NewClient(Config{Endpoints: Endpoints{TokenURL: fake.TokenURL()}, ClientID: "app", ClientAuth: AuthPrivateKeyJWT, Signer: signer}, fake.Client(), clk.Now)

			// Two refreshes in the same second: the jti keeps them apart.
			for i := range 2 {
				if _, err := c.Refresh(testContext(t), rt); err != nil {
					t.Fatalf("refresh %d: %v (the fake said: %s)", i, err, fake.LastRejection())
				}
			}

			// Check the assertions independently of the fake.
			wantMethod := map[bool]string{true: "RS256", false: "ES256"}[name[:2] == "RS"]
			jtis := map[string]bool{}
			for _, req := range fake.Requests() {
				form := req.Form()
				if got := slices.Sorted(maps.Keys(form)); !slices.Equal(got, []string{"client_assertion", "client_assertion_type", "client_id", "grant_type", "refresh_token"}) {
					t.Errorf("fields: got %v, want those of the document's second example", got)
				}
				if got, want := form.Get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"; got != want {
					t.Errorf("client_assertion_type: got %v, want %v", got, want)
				}
				claims := jwt.MapClaims{}
				tok, err := jwt.ParseWithClaims(form.Get("client_assertion"), claims,
					func(*jwt.Token) (any, error) { return signer.Public(), nil },
					jwt.WithValidMethods([]string{wantMethod}), jwt.WithTimeFunc(clk.Now), jwt.WithExpirationRequired())
				if err != nil {
					t.Fatalf("the assertion does not verify with the public key: %v", err)
				}
				if tok.Header["kid"] != "tokentray-key" {
					t.Errorf("kid: got %v, want tokentray-key", tok.Header["kid"])
				}
				iss, _ := claims.GetIssuer()
				sub, _ := claims.GetSubject()
				aud, _ := claims.GetAudience()
				if iss != "app" || sub != "app" || !slices.Equal([]string(aud), []string{fake.TokenURL()}) {
					t.Errorf("iss, sub, aud: got %v %v %v, want app app [%v]", iss, sub, aud, fake.TokenURL())
				}
				exp, _ := claims.GetExpirationTime()
				iat, _ := claims.GetIssuedAt()
				if iat == nil || !iat.Equal(clk.Now().Truncate(time.Second)) || exp.Sub(clk.Now()) > 5*time.Minute {
					t.Errorf("iat, exp: got %v %v, want now and at most five minutes on", iat, exp)
				}
				jti, _ := claims["jti"].(string)
				if len(jti) < 16 || jtis[jti] {
					t.Errorf("jti: got %q, want a new random one per request", jti)
				}
				jtis[jti] = true
			}
		})
	}
}

// Oracle's own documentation wants the identity domain URL among the
// audiences of a client assertion: AssertionAudience says so.
func TestOracleAssertionAudience(t *testing.T) {
	signer, err := NewAssertionSigner(pemKeys(t)["ES256 PKCS#8"], "")
	if err != nil {
		t.Fatal(err)
	}
	fake := seedfake.NewOracle(t, seedfake.OracleOptions{ClientID: "app", PublicKey: signer.Public(), Audience: "https://idcs.example/"})
	rt := fake.IssueRefreshToken("alice")
	cfg := Config{Endpoints: Endpoints{TokenURL: fake.TokenURL()}, ClientID: "app", ClientAuth: AuthPrivateKeyJWT, Signer: signer}

	_, err = NewClient(cfg, fake.Client(), nil).Refresh(testContext(t), rt)
	mustKind(t, err, Misconfigured)

	cfg.AssertionAudience = []string{fake.TokenURL(), "https://idcs.example/"}
	if _, err := NewClient(cfg, fake.Client(), nil).Refresh(testContext(t), rt); err != nil {
		t.Errorf("refresh with the domain among the audiences: %v (the fake said: %s)", err, fake.LastRejection())
	}
}

func TestNewAssertionSignerRefuses(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	b, _ := x509.MarshalECPrivateKey(p384)
	for name, pemKey := range map[string][]byte{
		"P-384":   pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: b}),
		"garbage": []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
		"empty":   nil,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewAssertionSigner(pemKey, ""); err == nil {
				t.Error("got a signer, want an error")
			}
		})
	}
}
