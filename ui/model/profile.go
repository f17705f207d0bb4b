package model

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/auth"
)

// The settings window edits a config.Profile. Beside the config file's
// own keys, it reports problems by these.
const (
	// KeyName is the profile's name (config's "name").
	KeyName = "name"
	// KeyScopes is its scopes (config's "scopes").
	KeyScopes = "scopes"
	// KeySecret is the client secret typed in the window, for the keyring.
	KeySecret = "secret"
)

// NewProfile is a new profile as the window starts it: a public OIDC
// client asking for the scopes most providers need for a refresh token.
func NewProfile() config.Profile {
	return config.Profile{Preset: "oidc", Scopes: []string{"openid", "offline_access"}}
}

// Validate checks a profile with the config file's own rules, plus what
// only the window knows: other profiles' names, and a secret for a new
// confidential client. others are the names of the other profiles; secret
// is what was typed for the keyring. The result maps keys (as in the
// config file, and KeySecret) to a problem; empty means it can be saved.
func Validate(p config.Profile, secret string, others []string, isNew bool) map[string]string {
	problems := map[string]string{}
	for _, pr := range config.Check(&config.Config{Profiles: []config.Profile{p}}) {
		field, ok := strings.CutPrefix(pr.Key, "profile[0].")
		if !ok {
			continue
		}
		if problems[field] != "" {
			problems[field] += "; " + pr.Msg
		} else {
			problems[field] = pr.Msg
		}
	}
	if p.Name != "" && slices.Contains(others, p.Name) {
		if _, ok := problems[KeyName]; !ok {
			problems[KeyName] = fmt.Sprintf("%q is already the name of another profile", p.Name)
		}
	}
	// What a preset leaves to the profile is judged on the profile as the
	// agent will use it.
	e := p.Effective()
	ca := auth.ClientAuth(e.ClientAuth)
	if isNew && ca != auth.AuthDigiRunner && ca.UsesSecret() && strings.TrimSpace(secret) == "" {
		problems[KeySecret] = "needed for " + e.ClientAuth + "; it is kept in the keyring, not in the file"
	}
	if len(p.Scopes) == 0 && (e.Login == "" || e.Login == string(auth.LoginBrowser)) {
		problems[KeyScopes] = "name at least one scope (openid offline_access for most OpenID providers)"
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

// ApplyPreset fills a profile from the named preset, its placeholders
// ({domain}, {api_version}) replaced by values: the profile names the
// preset and its domain, and holds every value the preset gives (which
// then stand in the file, and win over the preset's). Fields the preset
// does not decide (name, client id, scopes, issuer) are left as they are.
func ApplyPreset(p config.Profile, name string, values map[string]string) (config.Profile, error) {
	pr, ok := auth.LookupPreset(name)
	if !ok {
		return p, fmt.Errorf("no preset named %q", name)
	}
	holes := pr.Placeholders()
	pr, err := pr.Expand(values)
	if err != nil {
		return p, err
	}
	p.Preset = pr.Name
	SetPlaceholders(&p, holes, values)
	// The defaults stay out of the file.
	unlessDefault := func(v, def string) string {
		if v == def {
			return ""
		}
		return v
	}
	p.ClientAuth = unlessDefault(string(pr.ClientAuth), string(auth.ClientAuths()[0].Value))
	p.Dialect = unlessDefault(string(pr.Dialect), string(auth.Dialects()[0].Value))
	p.Login = unlessDefault(string(pr.Login), string(auth.LoginMethods()[0].Value))
	if pr.Discovery {
		p.AuthorizationEndpoint, p.TokenEndpoint = "", ""
	} else {
		p.Issuer = ""
		p.AuthorizationEndpoint, p.TokenEndpoint = pr.AuthorizationEndpoint, pr.TokenEndpoint
	}
	p.ExtraHeaders = maps.Clone(pr.ExtraHeaders)
	if pr.Login != auth.LoginBrowser && slices.Equal(p.Scopes, NewProfile().Scopes) {
		p.Scopes = []string{}
	}
	return p, nil
}

// SetPlaceholders keeps in p the values of a preset's placeholders
// (holes), from values, and clears those the preset does not ask for.
func SetPlaceholders(p *config.Profile, holes []string, values map[string]string) {
	p.Domain, p.APIVersion = "", ""
	for _, name := range holes {
		switch name {
		case "domain":
			p.Domain = strings.TrimSpace(values["domain"])
		case "api_version":
			p.APIVersion = strings.TrimSpace(values["api_version"])
		}
	}
}

// WithoutDiscovered is p without the endpoints that discovery found for
// its issuer (at issuer): the agent discovers them itself each start, and
// keeps checking RFC 9207's iss.
func WithoutDiscovered(p config.Profile, issuer string, e auth.Endpoints) config.Profile {
	if p.Issuer == "" || p.Issuer != issuer {
		return p
	}
	drop := func(v *string, found string) {
		if found != "" && *v == found {
			*v = ""
		}
	}
	drop(&p.AuthorizationEndpoint, e.AuthorizationURL)
	drop(&p.TokenEndpoint, e.TokenURL)
	drop(&p.RevocationEndpoint, e.RevocationURL)
	drop(&p.DeviceEndpoint, e.DeviceAuthorizationURL)
	return p
}
