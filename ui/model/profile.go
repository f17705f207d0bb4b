package model

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/auth"
)

// Draft is a profile as the settings window edits it: every field a
// string, as typed. Fields the form does not show (extra_params,
// extra_headers, …) ride along in Base.
type Draft struct {
	Base config.Profile

	Name, Preset, Issuer                   string
	AuthorizationEndpoint, TokenEndpoint   string
	RevocationEndpoint, DeviceEndpoint     string
	ClientID, Scopes                       string // Scopes: separated by spaces or commas
	ClientAuth, Dialect, Login, Username   string
	RedirectPort, RedirectPath, Browser    string
	PrivateKeyFile, KeyID, DefaultLifetime string
	RefreshScope                           string
	// Domain and APIVersion fill a preset's {domain} and {api_version}.
	Domain, APIVersion string
	ExtraHeaders       map[string]string
	// Secret is a client secret typed in the form, for the keyring; empty
	// keeps the one stored.
	Secret string
	// Discovered holds what "Discover" found for Issuer: endpoints equal
	// to it are left out of the file, so that the agent discovers them
	// itself (and keeps checking RFC 9207's iss).
	Discovered auth.Endpoints
	// DiscoveredFor is the issuer Discovered came from.
	DiscoveredFor string
}

// Field keys, as in the config file; Validate reports problems by them.
const (
	FName                  = "name"
	FIssuer                = "issuer"
	FAuthorizationEndpoint = "authorization_endpoint"
	FTokenEndpoint         = "token_endpoint"
	FRevocationEndpoint    = "revocation_endpoint"
	FDeviceEndpoint        = "device_authorization_endpoint"
	FClientID              = "client_id"
	FScopes                = "scopes"
	FClientAuth            = "client_auth"
	FDialect               = "dialect"
	FLogin                 = "login"
	FUsername              = "username"
	FRedirectPort          = "redirect_port"
	FRedirectPath          = "redirect_path"
	FBrowser               = "browser"
	FPrivateKeyFile        = "private_key_file"
	FKeyID                 = "key_id"
	FDefaultLifetime       = "default_lifetime"
	FRefreshScope          = "refresh_scope"
	FPreset                = "preset"
	FDomain                = "domain"
	FAPIVersion            = "api_version"
	FSecret                = "secret"
)

// DraftOf is the draft of an existing profile.
func DraftOf(p config.Profile) Draft {
	d := Draft{Base: p, Name: p.Name, Preset: p.Preset, Issuer: p.Issuer,
		AuthorizationEndpoint: p.AuthorizationEndpoint, TokenEndpoint: p.TokenEndpoint,
		RevocationEndpoint: p.RevocationEndpoint, DeviceEndpoint: p.DeviceEndpoint,
		ClientID: p.ClientID, Scopes: strings.Join(p.Scopes, " "), ClientAuth: p.ClientAuth,
		Dialect: p.Dialect, Login: p.Login, Username: p.Username, RedirectPath: p.RedirectPath,
		Browser: p.Browser, PrivateKeyFile: p.PrivateKeyFile, KeyID: p.KeyID, RefreshScope: p.RefreshScope,
		Domain: p.Domain, APIVersion: p.APIVersion, ExtraHeaders: maps.Clone(p.ExtraHeaders)}
	if p.RedirectPort != 0 {
		d.RedirectPort = strconv.Itoa(p.RedirectPort)
	}
	if p.DefaultLifetime.Duration != 0 {
		d.DefaultLifetime = p.DefaultLifetime.String()
	}
	return d
}

// NewDraft is the draft of a new profile: a public OIDC client asking for
// the scopes most providers need for a refresh token.
func NewDraft() Draft {
	return Draft{Preset: "oidc", Scopes: "openid offline_access"}
}

// Profile converts the draft. problems holds what cannot even be
// converted (a port that is not a number), by field key.
func (d Draft) Profile() (config.Profile, map[string]string) {
	problems := map[string]string{}
	p := d.Base
	t := strings.TrimSpace
	p.Name, p.Preset, p.Issuer = t(d.Name), t(d.Preset), t(d.Issuer)
	p.AuthorizationEndpoint, p.TokenEndpoint = t(d.AuthorizationEndpoint), t(d.TokenEndpoint)
	p.RevocationEndpoint, p.DeviceEndpoint = t(d.RevocationEndpoint), t(d.DeviceEndpoint)
	p.ClientID, p.ClientAuth, p.Dialect, p.Login = t(d.ClientID), t(d.ClientAuth), t(d.Dialect), t(d.Login)
	p.Username, p.RedirectPath, p.Browser = t(d.Username), t(d.RedirectPath), t(d.Browser)
	p.PrivateKeyFile, p.KeyID, p.RefreshScope = t(d.PrivateKeyFile), t(d.KeyID), t(d.RefreshScope)
	p.Domain, p.APIVersion = t(d.Domain), t(d.APIVersion)
	p.ExtraHeaders = maps.Clone(d.ExtraHeaders)
	if len(p.ExtraHeaders) == 0 {
		p.ExtraHeaders = nil
	}
	p.Scopes = strings.FieldsFunc(d.Scopes, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' })
	if p.Scopes == nil {
		p.Scopes = []string{}
	}
	p.RedirectPort = 0
	if v := t(d.RedirectPort); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			problems[FRedirectPort] = "not a number (leave empty for any free port)"
		}
		p.RedirectPort = n
	}
	p.DefaultLifetime = config.Duration{}
	if v := t(d.DefaultLifetime); v != "" {
		dur, err := time.ParseDuration(v)
		if err != nil {
			problems[FDefaultLifetime] = "not a duration like 1h or 90m"
		}
		p.DefaultLifetime = config.Duration{Duration: dur}
	}
	if p.Issuer != "" && p.Issuer == d.DiscoveredFor {
		drop := func(v *string, found string) {
			if found != "" && *v == found {
				*v = ""
			}
		}
		drop(&p.AuthorizationEndpoint, d.Discovered.AuthorizationURL)
		drop(&p.TokenEndpoint, d.Discovered.TokenURL)
		drop(&p.RevocationEndpoint, d.Discovered.RevocationURL)
		drop(&p.DeviceEndpoint, d.Discovered.DeviceAuthorizationURL)
	}
	return p, problems
}

// NeedsSecret says whether a client authentication method uses a client
// secret from the keyring (digiRunner's public client does without).
func NeedsSecret(clientAuth string) bool {
	switch clientAuth {
	case "client_secret_basic", "client_secret_post", "digirunner":
		return true
	}
	return false
}

// Validate checks a draft with the config file's own rules, plus what only
// the window knows: other profiles' names, and a secret for a new
// confidential client. others are the names of the other profiles.
// The result maps field keys to a problem; empty means it can be saved.
func Validate(d Draft, others []string, isNew bool) map[string]string {
	p, problems := d.Profile()
	for _, pr := range config.Check(&config.Config{Profiles: []config.Profile{p}}) {
		field, ok := strings.CutPrefix(pr.Key, "profile[0].")
		if !ok {
			continue
		}
		if _, dup := problems[field]; !dup {
			problems[field] = pr.Msg
		}
	}
	if p.Name != "" && slices.Contains(others, p.Name) {
		if _, ok := problems[FName]; !ok {
			problems[FName] = fmt.Sprintf("%q is already the name of another profile", p.Name)
		}
	}
	// What a preset leaves to the profile is judged on the profile as the
	// agent will use it.
	e := p.Effective()
	if isNew && e.ClientAuth != "digirunner" && NeedsSecret(e.ClientAuth) && strings.TrimSpace(d.Secret) == "" {
		problems[FSecret] = "needed for " + e.ClientAuth + "; it is kept in the keyring, not in the file"
	}
	if len(p.Scopes) == 0 && (e.Login == "" || e.Login == "browser") {
		problems[FScopes] = "name at least one scope (openid offline_access for most OpenID providers)"
	}
	return problems
}

// PresetChoice is a preset as the window lists it.
type PresetChoice struct {
	Name, Description string
	// Placeholders are the values the preset asks for, e.g. "domain".
	Placeholders []string
}

// Presets lists the providers the window offers, generic OIDC first.
func Presets() []PresetChoice {
	ps := auth.Presets()
	names := slices.Sorted(maps.Keys(ps))
	out := []PresetChoice{{Name: "oidc", Description: ps["oidc"].Description, Placeholders: ps["oidc"].Placeholders()}}
	for _, n := range names {
		if n != "oidc" {
			out = append(out, PresetChoice{Name: n, Description: ps[n].Description, Placeholders: ps[n].Placeholders()})
		}
	}
	return out
}

// ApplyPreset fills a draft from the named preset, its placeholders
// ({domain}, {api_version}) replaced by values: the profile names the
// preset and its domain, and shows every value the preset gives (which
// then stand in the file, and win over the preset's). Fields the preset
// does not decide (name, client id, scopes, issuer) are left as they are.
func ApplyPreset(d Draft, name string, values map[string]string) (Draft, error) {
	pr, ok := auth.LookupPreset(name)
	if !ok {
		return d, fmt.Errorf("no preset named %q", name)
	}
	holes := pr.Placeholders()
	pr, err := pr.Expand(values)
	if err != nil {
		return d, err
	}
	d.Preset = pr.Name
	d.Domain, d.APIVersion = "", ""
	for _, name := range holes {
		switch name {
		case "domain":
			d.Domain = strings.TrimSpace(values["domain"])
		case "api_version":
			d.APIVersion = strings.TrimSpace(values["api_version"])
		}
	}
	d.ClientAuth = string(pr.ClientAuth)
	if d.ClientAuth == "none" {
		d.ClientAuth = ""
	}
	d.Dialect = string(pr.Dialect)
	if d.Dialect == "oauth2" {
		d.Dialect = ""
	}
	d.Login = string(pr.Login)
	if d.Login == "browser" {
		d.Login = ""
	}
	if pr.Discovery {
		d.AuthorizationEndpoint, d.TokenEndpoint = "", ""
	} else {
		d.Issuer = ""
		d.AuthorizationEndpoint, d.TokenEndpoint = pr.AuthorizationEndpoint, pr.TokenEndpoint
	}
	d.ExtraHeaders = maps.Clone(pr.ExtraHeaders)
	if pr.Login != auth.LoginBrowser && strings.TrimSpace(d.Scopes) == "openid offline_access" {
		d.Scopes = ""
	}
	return d, nil
}

// ApplyDiscovery fills the endpoint fields with what discovery found, and
// remembers it so that Profile leaves them out of the file.
func ApplyDiscovery(d Draft, e auth.Endpoints) Draft {
	d.Discovered, d.DiscoveredFor = e, strings.TrimSpace(d.Issuer)
	d.AuthorizationEndpoint, d.TokenEndpoint = e.AuthorizationURL, e.TokenURL
	d.RevocationEndpoint, d.DeviceEndpoint = e.RevocationURL, e.DeviceAuthorizationURL
	return d
}
