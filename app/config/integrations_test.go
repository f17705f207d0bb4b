package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCA writes a self-signed CA certificate as PEM and returns its path.
func writeCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const integrationProfile = "[[profile]]\nname = \"work\"\nissuer = \"https://idp.example.com\"\nclient_id = \"c\"\n"

func TestIntegrationKeys(t *testing.T) {
	ca := writeCA(t)
	doc := integrationProfile + `token_env = "GITLAB_TOKEN"
git_hosts = ["git.example.com", "Code.Example.com:8443"]
git_username = "x-access-token"
ca_file = '` + ca + `'
`
	c, err := Parse("c.toml", []byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	p := &c.Profiles[0]
	if got := p.TokenEnvName(); got != "GITLAB_TOKEN" {
		t.Errorf("TokenEnvName: got %q, want GITLAB_TOKEN", got)
	}
	if got := p.GitUser(); got != "x-access-token" {
		t.Errorf("GitUser: got %q, want x-access-token", got)
	}
	for _, tt := range []struct {
		host string
		want bool
	}{
		{"git.example.com", true}, {"GIT.example.com", true}, {"git.example.com:443", true},
		{"code.example.com:8443", true}, {"code.example.com", false}, {"git.example.com:8443", false},
		{"example.com", false}, {"evil-git.example.com", false},
	} {
		if _, got := c.GitProfile(tt.host); got != tt.want {
			t.Errorf("GitProfile(%q): got %v, want %v", tt.host, got, tt.want)
		}
	}

	c, err = Parse("c.toml", []byte(integrationProfile))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Profiles[0].TokenEnvName(), "TOKEN"; got != want {
		t.Errorf("default TokenEnvName: got %q, want %q", got, want)
	}
	if got, want := c.Profiles[0].GitUser(), "oauth2"; got != want {
		t.Errorf("default GitUser: got %q, want %q", got, want)
	}
}

func TestIntegrationKeyProblems(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "x.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	// Paths go in single-quoted (literal) TOML strings, as a Windows user
	// must write them: in double quotes a backslash starts an escape.
	missing := filepath.Join(filepath.Dir(notPEM), "missing", "ca.pem")
	_, statErr := os.Stat(missing)
	notFound := statErr.(*os.PathError).Err.Error() // "no such file or directory", or Windows' words
	tests := []struct {
		name, extra string
		want        []string
	}{
		{"env name", `token_env = "1TOKEN"`, []string{"c.toml:5: profile[0].token_env:", "not an environment variable name"}},
		{"env name with =", `token_env = "A=B"`, []string{"profile[0].token_env"}},
		{"git host with scheme", `git_hosts = ["https://git.example.com"]`, []string{"c.toml:5: profile[0].git_hosts:", "just the host"}},
		{"git host with path", `git_hosts = ["git.example.com/group"]`, []string{"profile[0].git_hosts"}},
		{"git host bad port", `git_hosts = ["git.example.com:99999"]`, []string{"not a port"}},
		{"git host empty", `git_hosts = [""]`, []string{"profile[0].git_hosts"}},
		{"git user newline", "git_username = \"a\\npassword=x\"", []string{"profile[0].git_username"}},
		{"ca relative", `ca_file = "ca.pem"`, []string{"c.toml:5: profile[0].ca_file:", "absolute path"}},
		{"ca missing", `ca_file = '` + missing + `'`, []string{"profile[0].ca_file:", notFound}},
		{"ca not PEM", `ca_file = '` + notPEM + `'`, []string{"profile[0].ca_file:", "no PEM certificate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.toml", []byte(integrationProfile+tt.extra+"\n"))
			if err == nil {
				t.Fatal("got no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestDeviceLoginNeedsItsEndpoint(t *testing.T) {
	doc := "[[profile]]\nname = \"d\"\ntoken_endpoint = \"https://idp.example.com/token\"\nclient_id = \"c\"\nlogin = \"device\"\n"
	if _, err := Parse("c.toml", []byte(doc)); err == nil || !strings.Contains(err.Error(), "profile[0].device_authorization_endpoint: missing") {
		t.Errorf("got %v, want device_authorization_endpoint missing", err)
	}
	if _, err := Parse("c.toml", []byte(doc+"device_authorization_endpoint = \"https://idp.example.com/device\"\n")); err != nil {
		t.Errorf("with the endpoint: %v", err)
	}
}

func TestGitHostInTwoProfilesIsRefused(t *testing.T) {
	doc := integrationProfile + "git_hosts = [\"git.example.com\"]\n" +
		"[[profile]]\nname = \"other\"\nissuer = \"https://idp.example.com\"\nclient_id = \"c\"\ngit_hosts = [\"GIT.example.com:443\"]\n"
	_, err := Parse("c.toml", []byte(doc))
	if err == nil || !strings.Contains(err.Error(), `profile[1].git_hosts: "GIT.example.com:443" is already in the git_hosts of profile "work"`) {
		t.Errorf("got %v, want the duplicate named", err)
	}
}
