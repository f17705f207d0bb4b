package model

import (
	"strings"
	"testing"

	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/auth"
)

func TestValidate(t *testing.T) {
	good := config.Profile{Name: "work", Issuer: "https://idp.example.com", ClientID: "tokentray", Scopes: []string{"openid", "offline_access"}}
	tests := []struct {
		name   string
		edit   func(p *config.Profile)
		secret string
		isNew  bool
		others []string
		want   []string // keys with a problem
	}{
		{"good", func(p *config.Profile) {}, "", true, nil, nil},
		{"empty", func(p *config.Profile) { *p = config.Profile{} }, "", true, nil, []string{"name", "issuer", "authorization_endpoint", "client_id", "scopes"}},
		{"bad name", func(p *config.Profile) { p.Name = "my work" }, "", true, nil, []string{"name"}},
		{"taken name", func(p *config.Profile) {}, "", true, []string{"work"}, []string{"name"}},
		{"http issuer", func(p *config.Profile) { p.Issuer = "http://idp.example.com" }, "", false, nil, []string{"issuer"}},
		{"loopback http is fine", func(p *config.Profile) { p.Issuer = "http://127.0.0.1:9400" }, "", false, nil, nil},
		{"port range", func(p *config.Profile) { p.RedirectPort = 70000 }, "", false, nil, []string{"redirect_port"}},
		{"secret for a new confidential client", func(p *config.Profile) { p.ClientAuth = "client_secret_basic" }, "", true, nil, []string{"secret"}},
		{"an existing one keeps its stored secret", func(p *config.Profile) { p.ClientAuth = "client_secret_basic" }, "", false, nil, nil},
		{"secret given", func(p *config.Profile) { p.ClientAuth = "client_secret_post" }, "s", true, nil, nil},
		{"a key may come from the keyring", func(p *config.Profile) { p.ClientAuth = "private_key_jwt" }, "", false, nil, nil},
		{"a preset decides the client auth", func(p *config.Profile) { p.Preset = "pagero"; p.Issuer = "" }, "", true, nil, []string{"secret"}},
		{"a preset that needs a domain", func(p *config.Profile) { p.Preset = "veeam"; p.Issuer = ""; p.Scopes = nil }, "", false, nil, []string{"preset", "scopes"}},
		{"a preset with its domain needs no scope", func(p *config.Profile) { p.Preset = "veeam"; p.Domain = "b.example.com"; p.Issuer = ""; p.Scopes = nil }, "", false, nil, nil},
		{"unknown method", func(p *config.Profile) { p.ClientAuth = "magic" }, "", false, nil, []string{"client_auth"}},
		{"password login needs no scope", func(p *config.Profile) { p.Login = "password"; p.Scopes = nil }, "", false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good
			tt.edit(&p)
			probs := Validate(p, tt.secret, tt.others, tt.isNew)
			var got []string
			for _, k := range []string{"name", "issuer", "authorization_endpoint", "token_endpoint", "client_id", "preset", "scopes", "client_auth", "redirect_port", "secret", "domain"} {
				if probs[k] != "" {
					got = append(got, k)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("problems: got %v, want %v (%v)", got, tt.want, probs)
			}
		})
	}
}

func TestPresetsAndDiscovery(t *testing.T) {
	ps := Presets()
	if len(ps) < 5 || ps[0].Name != "oidc" {
		t.Fatalf("Presets: got %+v, want oidc first and the providers with presets", ps)
	}
	p, err := ApplyPreset(NewProfile(), "veeam", map[string]string{"domain": "backup.example.com:9419"})
	if err != nil {
		t.Fatal(err)
	}
	if p.TokenEndpoint != "https://backup.example.com:9419/api/oauth2/token" || p.Dialect != "veeam" || p.Login != "password" || len(p.Scopes) != 0 || p.Preset != "veeam" || p.Domain != "backup.example.com:9419" {
		t.Errorf("veeam preset: got %+v", p)
	}
	if _, err := ApplyPreset(NewProfile(), "veeam", nil); err == nil {
		t.Error("veeam preset without a domain: got no error")
	}
	p, _ = ApplyPreset(NewProfile(), "veeam-v1", map[string]string{"domain": "b.example.com", "api_version": "1.2-rev1"})
	if p.ExtraHeaders["x-api-version"] != "1.2-rev1" || p.APIVersion != "1.2-rev1" {
		t.Errorf("veeam-v1 header: got %v", p.ExtraHeaders)
	}
	p, _ = ApplyPreset(NewProfile(), "pagero", nil)
	if p.ClientAuth != "client_secret_basic" || p.TokenEndpoint != "https://sso.pageroonline.com/oauth/v2/oauth-token" {
		t.Errorf("pagero preset: got %+v", p)
	}
	p, _ = ApplyPreset(NewProfile(), "oidc", nil)
	if p.ClientAuth != "" || p.Login != "" || p.Dialect != "" {
		t.Errorf("oidc preset: got client_auth %q, login %q, dialect %q, want the defaults left out", p.ClientAuth, p.Login, p.Dialect)
	}

	// Discovered endpoints stay out of the file.
	found := auth.Endpoints{AuthorizationURL: "https://idp.example.com/auth", TokenURL: "https://idp.example.com/token", RevocationURL: "https://idp.example.com/revoke"}
	shown := config.Profile{Name: "w", Issuer: "https://idp.example.com", ClientID: "c", Scopes: []string{"openid"},
		AuthorizationEndpoint: found.AuthorizationURL, TokenEndpoint: found.TokenURL, RevocationEndpoint: found.RevocationURL}
	p = WithoutDiscovered(shown, "https://idp.example.com", found)
	if p.TokenEndpoint != "" || p.AuthorizationEndpoint != "" || p.RevocationEndpoint != "" {
		t.Errorf("discovered endpoints kept: %+v", p)
	}
	edited := shown
	edited.TokenEndpoint = "https://idp.example.com/other-token"
	if p := WithoutDiscovered(edited, "https://idp.example.com", found); p.TokenEndpoint != "https://idp.example.com/other-token" {
		t.Errorf("an edited endpoint was dropped: %+v", p)
	}
	if p := WithoutDiscovered(shown, "https://other.example.com", found); p.AuthorizationEndpoint == "" {
		t.Errorf("endpoints discovered for another issuer were dropped: %+v", p)
	}
}
