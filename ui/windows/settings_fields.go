package windows

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/model"
)

// The settings form is this table: one line per config key it edits.
// Adding a key to the window is adding a line here.

// kind is the widget a field is edited with.
type kind int

const (
	text   kind = iota // a one-line entry
	secret             // a password entry
	lines              // an entry of several lines
	pick               // a select of choices
)

// field is one row of the form.
type field struct {
	key         string // as in the config file; problems are reported by it
	label, hint string
	placeholder string
	kind        kind
	more        bool     // under "Endpoints and more"
	choices     []choice // for pick
	codec                // reads and writes the value in a profile; zero for the secret
}

// codec turns a profile's value into the text of its widget and back; set
// returns what is wrong with text that does not convert.
type codec struct {
	get func(p *config.Profile) string
	set func(p *config.Profile, text string) error
}

var fields = []field{
	{key: model.KeyName, label: "Name", hint: "letters, digits, . _ -; used in tokentray token NAME and /v1/token/NAME", codec: str(func(p *config.Profile) *string { return &p.Name })},
	{key: "issuer", label: "Issuer", placeholder: "https://idp.example.com", hint: "for discovery of the endpoints", codec: str(func(p *config.Profile) *string { return &p.Issuer })},
	{key: "client_id", label: "Client ID", placeholder: "as registered at the provider", codec: str(func(p *config.Profile) *string { return &p.ClientID })},
	{key: model.KeyScopes, label: "Scopes", placeholder: "openid offline_access", hint: "separated by spaces", codec: list(func(p *config.Profile) *[]string { return &p.Scopes })},
	{key: "client_auth", label: "Client auth", kind: pick, choices: choicesOf(auth.ClientAuths()), codec: str(func(p *config.Profile) *string { return &p.ClientAuth })},
	{key: model.KeySecret, label: "Client secret", kind: secret, hint: "kept in the OS keyring, never in the file; leave empty to keep the stored one"},
	{key: "login", label: "Login", kind: pick, choices: choicesOf(auth.LoginMethods()), codec: str(func(p *config.Profile) *string { return &p.Login })},
	{key: "username", label: "User name", placeholder: "for password logins (optional)", codec: str(func(p *config.Profile) *string { return &p.Username })},

	{key: "authorization_endpoint", label: "Authorization", placeholder: "from discovery", more: true, codec: str(func(p *config.Profile) *string { return &p.AuthorizationEndpoint })},
	{key: "token_endpoint", label: "Token endpoint", placeholder: "from discovery", more: true, codec: str(func(p *config.Profile) *string { return &p.TokenEndpoint })},
	{key: "revocation_endpoint", label: "Revocation", placeholder: "from discovery (optional)", more: true, codec: str(func(p *config.Profile) *string { return &p.RevocationEndpoint })},
	{key: "device_authorization_endpoint", label: "Device endpoint", placeholder: "from discovery (for device logins)", more: true, codec: str(func(p *config.Profile) *string { return &p.DeviceEndpoint })},
	{key: "redirect_port", label: "Redirect port", placeholder: "any free port", hint: "a fixed port, for providers that register one", more: true, codec: port(func(p *config.Profile) *int { return &p.RedirectPort })},
	{key: "redirect_path", label: "Redirect path", placeholder: "/callback", more: true, codec: str(func(p *config.Profile) *string { return &p.RedirectPath })},
	{key: "browser", label: "Browser", placeholder: "$BROWSER, else the desktop's default", more: true, codec: str(func(p *config.Profile) *string { return &p.Browser })},
	{key: "private_key_file", label: "Private key file", placeholder: "PEM, for private_key_jwt", more: true, codec: str(func(p *config.Profile) *string { return &p.PrivateKeyFile })},
	{key: "key_id", label: "Key ID", placeholder: "kid (optional)", more: true, codec: str(func(p *config.Profile) *string { return &p.KeyID })},
	{key: "ca_file", label: "CA file", placeholder: "PEM bundle of extra CAs (optional)", more: true, codec: str(func(p *config.Profile) *string { return &p.CAFile })},
	{key: "default_lifetime", label: "Default lifetime", placeholder: "1h", hint: "assumed when the provider does not say", more: true, codec: duration(func(p *config.Profile) *config.Duration { return &p.DefaultLifetime })},
	{key: "refresh_scope", label: "Refresh scope", placeholder: "(optional)", more: true, codec: str(func(p *config.Profile) *string { return &p.RefreshScope })},
	{key: "dialect", label: "Dialect", kind: pick, more: true, choices: choicesOf(auth.Dialects()), codec: str(func(p *config.Profile) *string { return &p.Dialect })},
	{key: "extra_params", label: "Extra parameters", kind: lines, placeholder: "resource = https://api.example.com", more: true,
		hint: "one name = value per line, added to every token request; never replace tokentray's own fields", codec: pairs(func(p *config.Profile) *map[string]string { return &p.ExtraParams })},
	{key: "extra_headers", label: "Extra headers", kind: lines, placeholder: "X-Api-Version = 1.1-rev0", more: true,
		hint: "one Name = value per line, sent with every token request", codec: pairs(func(p *config.Profile) *map[string]string { return &p.ExtraHeaders })},
	{key: "token_env", label: "Token variable", placeholder: "TOKEN", hint: "the variable tokentray exec sets", more: true, codec: str(func(p *config.Profile) *string { return &p.TokenEnv })},
}

// fieldOf is the field of a key; nil for keys the form does not show.
func fieldOf(key string) *field {
	for i := range fields {
		if fields[i].key == key {
			return &fields[i]
		}
	}
	return nil
}

func str(at func(*config.Profile) *string) codec {
	return codec{
		get: func(p *config.Profile) string { return *at(p) },
		set: func(p *config.Profile, v string) error { *at(p) = strings.TrimSpace(v); return nil },
	}
}

// list is separated by spaces or commas.
func list(at func(*config.Profile) *[]string) codec {
	return codec{
		get: func(p *config.Profile) string { return strings.Join(*at(p), " ") },
		set: func(p *config.Profile, v string) error {
			*at(p) = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' })
			if *at(p) == nil {
				*at(p) = []string{}
			}
			return nil
		},
	}
}

// optional is a value whose zero is an empty field; problem says what is
// wrong with text that does not parse.
func optional[T comparable](at func(*config.Profile) *T, format func(T) string, parse func(string) (T, error), problem string) codec {
	var zero T
	return codec{
		get: func(p *config.Profile) string {
			if *at(p) == zero {
				return ""
			}
			return format(*at(p))
		},
		set: func(p *config.Profile, v string) error {
			*at(p) = zero
			if v = strings.TrimSpace(v); v == "" {
				return nil
			}
			n, err := parse(v)
			if err != nil {
				return errors.New(problem)
			}
			*at(p) = n
			return nil
		},
	}
}

func port(at func(*config.Profile) *int) codec {
	return optional(at, strconv.Itoa, strconv.Atoi, "not a number (leave empty for any free port)")
}

func duration(at func(*config.Profile) *config.Duration) codec {
	return optional(at, config.Duration.String, func(v string) (config.Duration, error) {
		d, err := time.ParseDuration(v)
		return config.Duration{Duration: d}, err
	}, "not a duration like 1h or 90m")
}

// pairs are lines of name = value (extras.go).
func pairs(at func(*config.Profile) *map[string]string) codec {
	return codec{
		get: func(p *config.Profile) string { return formatPairs(*at(p)) },
		set: func(p *config.Profile, v string) error {
			m, err := parsePairs(v)
			*at(p) = m // the lines that read; the problem names the first that does not
			return err
		},
	}
}

// choice is one option of a select: the config value and what it says.
type choice struct{ value, label string }

// choicesOf are auth's values as options; the default (first) is written
// as nothing, so that the file leaves it out.
func choicesOf[T ~string](cs []auth.Choice[T]) []choice {
	out := make([]choice, len(cs))
	for i, c := range cs {
		out[i] = choice{string(c.Value), string(c.Value) + ": " + c.Summary}
		if i == 0 {
			out[i].value = ""
		}
	}
	return out
}

func (f *field) labels() []string {
	out := make([]string, len(f.choices))
	for i, c := range f.choices {
		out[i] = c.label
	}
	return out
}

// labelOf is what the select shows for a value; the default's label for
// the default written out ("none").
func (f *field) labelOf(v string) string {
	for i, c := range f.choices {
		if c.value == v || (i == 0 && strings.HasPrefix(c.label, v+": ")) {
			return c.label
		}
	}
	return v // an unknown value shows as itself; validation names it
}

// defaultValue is the default choice's own name ("none"), for a profile
// that must say it because its preset chooses otherwise.
func (f *field) defaultValue() string {
	v, _, _ := strings.Cut(f.choices[0].label, ": ")
	return v
}

func (f *field) valueOf(label string) string {
	for _, c := range f.choices {
		if c.label == label {
			return c.value
		}
	}
	return label
}
