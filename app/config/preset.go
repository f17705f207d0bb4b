package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tokentray/tokentray/auth"
)

// Effective returns the profile as the agent uses it: every field the
// profile leaves unset takes its preset's value (auth.LookupPreset), with
// {domain} and {api_version} filled from the profile's domain and
// api_version. What the profile sets itself always wins. A profile without
// a preset is returned unchanged. On a profile that Parse accepted it cannot
// fail; on any other it applies what it can.
func (p Profile) Effective() Profile {
	e, _, _ := p.resolve()
	return e
}

// fieldProblem is a problem with one field of a profile.
type fieldProblem struct{ field, msg string }

// placeholderHints say what to write for a preset's placeholder.
var placeholderHints = map[string]string{
	"domain":      `domain = "https://…" (the provider's base URL)`,
	"api_version": `api_version = "…" (the API version the server wants in x-api-version, e.g. "1.1-rev0")`,
}

// resolve applies the preset and reports what is wrong with it; broken is
// true when a named preset could not be applied at all.
func (p Profile) resolve() (e Profile, probs []fieldProblem, broken bool) {
	if p.Preset == "" {
		if p.Domain != "" {
			probs = append(probs, fieldProblem{"domain", "is only used with a preset (preset = \"…\")"})
		}
		if p.APIVersion != "" {
			probs = append(probs, fieldProblem{"api_version", "is only used with a preset (preset = \"veeam-v1\")"})
		}
		return p, probs, false
	}
	pr, ok := auth.LookupPreset(p.Preset)
	if !ok {
		names := slices.Sorted(maps.Keys(auth.Presets()))
		return p, []fieldProblem{{"preset", fmt.Sprintf("unknown preset %q (want %s)", p.Preset, strings.Join(names, ", "))}}, true
	}
	// What the profile sets itself needs no placeholder filled.
	if p.TokenEndpoint != "" {
		pr.TokenEndpoint = ""
	}
	if p.AuthorizationEndpoint != "" {
		pr.AuthorizationEndpoint = ""
	}
	if len(p.AssertionAudience) > 0 {
		pr.AssertionAudience = nil
	}
	headers := map[string]string{}
	for k, v := range pr.ExtraHeaders {
		if !hasHeader(p.ExtraHeaders, k) {
			headers[k] = v
		}
	}
	pr.ExtraHeaders = headers
	values := map[string]string{"domain": p.Domain, "api_version": p.APIVersion}
	for _, name := range pr.Placeholders() {
		if strings.TrimSpace(values[name]) != "" {
			continue
		}
		hint := placeholderHints[name]
		if hint == "" {
			hint = name
		}
		probs = append(probs, fieldProblem{"preset", fmt.Sprintf("preset %q needs %s", p.Preset, hint)})
	}
	if strings.TrimSpace(p.Domain) != "" {
		if err := checkURL(domainURL(p.Domain)); err != nil {
			probs = append(probs, fieldProblem{"domain", err.Error()})
		}
	}
	if len(probs) > 0 {
		return p, probs, true
	}
	x, err := pr.Expand(values)
	if err != nil { // cannot happen: every placeholder has a value
		return p, []fieldProblem{{"preset", err.Error()}}, true
	}
	e = p
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&e.ClientAuth, string(x.ClientAuth))
	fill(&e.Dialect, string(x.Dialect))
	fill(&e.Login, string(x.Login))
	fill(&e.TokenEndpoint, x.TokenEndpoint)
	fill(&e.AuthorizationEndpoint, x.AuthorizationEndpoint)
	if len(e.AssertionAudience) == 0 && len(x.AssertionAudience) > 0 {
		e.AssertionAudience = slices.Clone(x.AssertionAudience)
	}
	if len(x.ExtraHeaders) > 0 {
		e.ExtraHeaders = maps.Clone(p.ExtraHeaders)
		if e.ExtraHeaders == nil {
			e.ExtraHeaders = map[string]string{}
		}
		maps.Copy(e.ExtraHeaders, x.ExtraHeaders)
	}
	if x.NeedsKeyID && e.KeyID == "" {
		probs = append(probs, fieldProblem{"key_id", fmt.Sprintf("missing: preset %q needs the key's id (the alias of the certificate registered with the app)", p.Preset)})
	}
	return e, probs, false
}

// domainURL is what a preset makes of a domain: https:// unless the user
// named a scheme, no trailing slash.
func domainURL(d string) string {
	d = strings.TrimSpace(d)
	if !strings.Contains(d, "://") {
		d = "https://" + d
	}
	return strings.TrimRight(d, "/")
}

func hasHeader(h map[string]string, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// clientIDOptional reports whether a profile may leave client_id out: the
// Veeam dialect knows no client, and a preset may say none is needed.
func clientIDOptional(e Profile) bool {
	if e.Dialect == "veeam" {
		return true
	}
	if pr, ok := auth.LookupPreset(e.Preset); ok && !pr.NeedsClientID {
		return true
	}
	return false
}

// checkClientAuth checks the keys that only make sense together.
func checkClientAuth(e Profile, add func(field, format string, args ...any)) {
	jwt := e.ClientAuth == string(auth.AuthPrivateKeyJWT)
	if !jwt {
		for _, f := range []struct {
			field string
			set   bool
		}{
			{"assertion_audience", len(e.AssertionAudience) > 0},
			{"private_key_file", e.PrivateKeyFile != ""},
			{"key_id", e.KeyID != ""},
		} {
			if f.set {
				add(f.field, "is only used with client_auth = \"private_key_jwt\"")
			}
		}
	}
	for _, a := range e.AssertionAudience {
		if strings.TrimSpace(a) == "" {
			add("assertion_audience", "holds an empty audience")
		}
	}
	if e.RefreshScope != "" && e.Dialect == string(auth.DialectVeeam) {
		add("refresh_scope", "the veeam dialect has no scope on refresh")
	}
	if e.RefreshLifetime.Duration < 0 {
		add("refresh_lifetime", "must be positive")
	}
}
