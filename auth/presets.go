package auth

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Preset is what a user would otherwise type into a profile for one kind of
// provider. Endpoint templates and header values may hold placeholders:
// {domain} is the base URL the user gives (scheme and host, perhaps a path;
// https:// is assumed without a scheme), {api_version} a version string.
type Preset struct {
	Name        string
	Description string // one line, for a picker
	ClientAuth  ClientAuth
	Dialect     Dialect
	Login       LoginMethod
	// Discovery means the endpoints come from the issuer's metadata
	// (OpenID Connect Discovery, RFC 8414); the templates are then empty.
	Discovery             bool
	TokenEndpoint         string
	AuthorizationEndpoint string
	ExtraHeaders          map[string]string
	// AssertionAudience is the "aud" of private_key_jwt assertions
	// (Config.AssertionAudience); empty means the token endpoint.
	AssertionAudience []string
	// NeedsClientID, NeedsSecret and NeedsKeyID say what the user must
	// still supply; a private key is needed exactly when ClientAuth is
	// private_key_jwt.
	NeedsClientID bool
	NeedsSecret   bool
	NeedsKeyID    bool
}

// presets is the table behind Presets; each entry cites the provider's
// public documentation it follows (docs/providers.md sums them up).
func presets() []Preset {
	return []Preset{
		{
			// digiRunner's OAuth token API documentation covers the refresh only; the authorization
			// endpoint that issues the first token is not in it.
			Name:          "digirunner",
			Description:   "digiRunner (TPI) gateway, confidential client: Basic Base64(id:Base64(password))",
			ClientAuth:    AuthDigiRunner,
			Dialect:       DialectOAuth2,
			Login:         LoginImport,
			TokenEndpoint: "{domain}/oauth/token",
			NeedsClientID: true,
			NeedsSecret:   true,
		},
		{
			// digiRunner's OAuth token API documentation, Scenario II: Basic Base64(id ":").
			Name:          "digirunner-public",
			Description:   "digiRunner (TPI) gateway, PKCE public client: no client password",
			ClientAuth:    AuthDigiRunner,
			Dialect:       DialectOAuth2,
			Login:         LoginImport,
			TokenEndpoint: "{domain}/oauth/token",
			NeedsClientID: true,
		},
		{
			// Veeam Backup & Replication REST API reference: camelCase fields, no client at all.
			Name:          "veeam",
			Description:   "Veeam backup appliance REST API (api/oauth2/token): user name and password",
			ClientAuth:    AuthNone,
			Dialect:       DialectVeeam,
			Login:         LoginPassword,
			TokenEndpoint: "{domain}/api/oauth2/token",
		},
		{
			// The newer API of the product: RFC 6749 field names and an
			// x-api-version header on every request.
			Name:          "veeam-v1",
			Description:   "Veeam REST API, newer versions (api/v1/token with x-api-version): user name and password",
			ClientAuth:    AuthNone,
			Dialect:       DialectOAuth2,
			Login:         LoginPassword,
			TokenEndpoint: "{domain}/api/v1/token",
			ExtraHeaders:  map[string]string{"x-api-version": "{api_version}"},
		},
		{
			// Pagero Online API authentication guide: a fixed endpoint, single-use refresh tokens,
			// Basic or body credentials (Basic chosen). The document covers
			// the refresh only.
			Name:          "pagero",
			Description:   "Pagero Online: client id and secret, single-use refresh tokens",
			ClientAuth:    AuthSecretBasic,
			Dialect:       DialectOAuth2,
			Login:         LoginImport,
			TokenEndpoint: "https://sso.pageroonline.com/oauth/v2/oauth-token",
			NeedsClientID: true,
			NeedsSecret:   true,
		},
		{
			// Oracle identity domains REST API documentation, the Basic example. The authorization endpoint
			// is oauth2/v1/authorize in Oracle's documentation of the
			// authorization code grant.
			Name:                  "oracle",
			Description:           "Oracle identity domain (OCI IAM / IDCS), confidential app with a client secret",
			ClientAuth:            AuthSecretBasic,
			Dialect:               DialectOAuth2,
			Login:                 LoginBrowser,
			TokenEndpoint:         "{domain}/oauth2/v1/token",
			AuthorizationEndpoint: "{domain}/oauth2/v1/authorize",
			NeedsClientID:         true,
			NeedsSecret:           true,
		},
		{
			// Oracle identity domains REST API documentation, the client_assertion example (RFC 7523).
			// Oracle's documentation of client assertions wants the domain
			// URL among the audiences (its sample: "https://<domainURL>/")
			// and a kid (or x5t) in the header.
			Name:                  "oracle-jwt",
			Description:           "Oracle identity domain (OCI IAM / IDCS), confidential app with a signed JWT client assertion",
			ClientAuth:            AuthPrivateKeyJWT,
			Dialect:               DialectOAuth2,
			Login:                 LoginBrowser,
			TokenEndpoint:         "{domain}/oauth2/v1/token",
			AuthorizationEndpoint: "{domain}/oauth2/v1/authorize",
			AssertionAudience:     []string{"{domain}/oauth2/v1/token", "{domain}/"},
			NeedsClientID:         true,
			NeedsKeyID:            true,
		},
		{
			Name:          "oidc",
			Description:   "Any OpenID Connect provider: discovery from the issuer, public client with PKCE",
			ClientAuth:    AuthNone,
			Dialect:       DialectOAuth2,
			Login:         LoginBrowser,
			Discovery:     true,
			NeedsClientID: true,
		},
	}
}

// Presets returns the known presets by name. The map and its values are
// the caller's own copy.
func Presets() map[string]Preset {
	m := map[string]Preset{}
	for _, p := range presets() {
		m[p.Name] = p
	}
	return m
}

// LookupPreset returns the preset called name.
func LookupPreset(name string) (Preset, bool) {
	p, ok := Presets()[name]
	return p, ok
}

var placeholder = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{[a-z_]+\}`) })

// templates lists every string of p that may hold placeholders.
func (p Preset) templates() []string {
	t := []string{p.TokenEndpoint, p.AuthorizationEndpoint}
	t = append(t, p.AssertionAudience...)
	for _, k := range slices.Sorted(maps.Keys(p.ExtraHeaders)) {
		t = append(t, p.ExtraHeaders[k])
	}
	return t
}

// Placeholders returns the names (without braces) that Expand needs.
func (p Preset) Placeholders() []string {
	var out []string
	for _, s := range p.templates() {
		for _, m := range placeholder().FindAllString(s, -1) {
			if name := m[1 : len(m)-1]; !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Expand returns p with every placeholder replaced by its value. A domain
// without a scheme gets https://, and loses any trailing slash. It fails
// when a placeholder has no value.
func (p Preset) Expand(values map[string]string) (Preset, error) {
	var missing []string
	for _, name := range p.Placeholders() {
		if strings.TrimSpace(values[name]) == "" {
			missing = append(missing, "{"+name+"}")
		}
	}
	if len(missing) > 0 {
		return Preset{}, fmt.Errorf("preset %s: no value for %s", p.Name, strings.Join(missing, ", "))
	}
	expand := func(s string) string {
		return placeholder().ReplaceAllStringFunc(s, func(m string) string {
			name := m[1 : len(m)-1]
			v := strings.TrimSpace(values[name])
			if name == "domain" {
				if !strings.Contains(v, "://") {
					v = "https://" + v
				}
				v = strings.TrimRight(v, "/")
			}
			return v
		})
	}
	out := p
	out.TokenEndpoint = expand(p.TokenEndpoint)
	out.AuthorizationEndpoint = expand(p.AuthorizationEndpoint)
	out.AssertionAudience = nil
	for _, a := range p.AssertionAudience {
		out.AssertionAudience = append(out.AssertionAudience, expand(a))
	}
	out.ExtraHeaders = nil
	for k, v := range p.ExtraHeaders {
		if out.ExtraHeaders == nil {
			out.ExtraHeaders = map[string]string{}
		}
		out.ExtraHeaders[k] = expand(v)
	}
	return out, nil
}
