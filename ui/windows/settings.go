package windows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/model"
)

// choice is one option of a select: the config value and what it says.
type choice struct{ value, label string }

var (
	clientAuthChoices = []choice{
		{"", "none: a public client with PKCE"},
		{"client_secret_basic", "client_secret_basic: the secret in HTTP Basic"},
		{"client_secret_post", "client_secret_post: the secret in the form body"},
		{"private_key_jwt", "private_key_jwt: a signed JWT (key file)"},
		{"digirunner", "digirunner: digiRunner's Basic encoding"},
	}
	loginChoices = []choice{
		{"", "browser: sign in on the provider's page"},
		{"password", "password: user name and password, used once"},
		{"import", "import: paste a refresh token"},
		{"device", "device: enter a code on another device"},
	}
	dialectChoices = []choice{
		{"", "oauth2: RFC 6749 fields"},
		{"veeam", "veeam: Veeam's camelCase fields"},
	}
)

func labels(cs []choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.label
	}
	return out
}

func labelOf(cs []choice, v string) string {
	for _, c := range cs {
		if c.value == v {
			return c.label
		}
	}
	return v // an unknown value shows as itself; validation names it
}

func valueOf(cs []choice, label string) string {
	for _, c := range cs {
		if c.label == label {
			return c.value
		}
	}
	return label
}

// Settings is the profile editor: list, add, edit and remove profiles,
// validated as they are typed with the config file's own rules. Saving
// writes the config file (atomically) and asks the agent to reload it; a
// confidential client's secret goes to the keyring through the agent,
// never to the file.
type Settings struct {
	env *Env
	Win fyne.Window

	cfg      *config.Config
	selected int // index in cfg.Profiles; -1 for a new profile
	draft    model.Draft
	problems map[string]string
	filling  bool // true while widgets are set from a draft: no validation then
	dirty    bool

	list     *widget.List
	entries  map[string]*widget.Entry
	selects  map[string]*widget.Select
	choices  map[string][]choice
	preset   *widget.Select
	presetIn *widget.Label
	domain   *widget.Entry
	version  *widget.Entry
	apply    *widget.Button
	holes    *fyne.Container // the placeholder row: shown for presets that need values
	discover *widget.Button
	found    *widget.Label
	summary  *widget.Label
	status   *widget.Label
	title    *widget.Label
	save     *widget.Button
	remove   *widget.Button
	revert   *widget.Button
	forget   *widget.Button // deletes the stored client secret and private key
}

// NewSettings builds the settings window (not shown yet).
func NewSettings(env *Env) *Settings {
	s := &Settings{env: env, selected: -1, entries: map[string]*widget.Entry{}, selects: map[string]*widget.Select{},
		choices: map[string][]choice{model.FClientAuth: clientAuthChoices, model.FLogin: loginChoices, model.FDialect: dialectChoices}}
	s.Win = env.App.NewWindow("tokentray settings")
	if env.Icon != nil {
		s.Win.SetIcon(env.Icon)
	}
	s.Win.SetContent(s.build())
	s.Win.Resize(fyne.NewSize(940, 680))
	env.onClosed(s.Win, nil)
	s.load()
	return s
}

func (s *Settings) entry(key, placeholder string, secret bool) *widget.Entry {
	var e *widget.Entry
	if secret {
		e = widget.NewPasswordEntry()
	} else {
		e = widget.NewEntry()
	}
	e.SetPlaceHolder(placeholder)
	e.Validator = func(string) error {
		if msg := s.problems[key]; msg != "" {
			return errors.New(msg)
		}
		return nil
	}
	e.OnChanged = func(string) { s.changed() }
	s.entries[key] = e
	return e
}

// multiEntry is an entry of several lines for a field of the form.
func (s *Settings) multiEntry(key, placeholder string) *widget.Entry {
	e := s.entry(key, placeholder, false)
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapOff
	e.SetMinRowsVisible(3)
	return e
}

func (s *Settings) sel(key string) *widget.Select {
	w := widget.NewSelect(labels(s.choices[key]), func(string) { s.changed() })
	s.selects[key] = w
	return w
}

func (s *Settings) build() fyne.CanvasObject {
	// Left: the profiles.
	s.list = widget.NewList(
		func() int { return s.count() },
		func() fyne.CanvasObject { return widget.NewLabel("profile name") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.rowText(i)) },
	)
	s.list.OnSelected = func(i widget.ListItemID) {
		if i == s.selected || (s.selected == -1 && i >= len(s.cfg.Profiles)) {
			return // already shown: keep what is being typed
		}
		if !s.dirty {
			s.choose(i)
			return
		}
		prev := s.selected
		dialog.ShowConfirm("Discard the changes?", "The profile being edited has changes that are not saved.", func(ok bool) {
			if ok {
				s.choose(i)
				return
			}
			if prev >= 0 {
				s.list.Select(prev)
			} else {
				s.list.UnselectAll()
			}
		}, s.Win)
	}
	add := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), func() { s.add() })
	s.remove = widget.NewButtonWithIcon("Remove", theme.ContentRemoveIcon(), func() { s.confirmRemove() })
	left := container.NewBorder(widget.NewLabelWithStyle("Profiles", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewGridWithColumns(2, add, s.remove), nil, nil, s.list)

	// Right: the editor.
	var presetNames []string
	for _, p := range model.Presets() {
		presetNames = append(presetNames, p.Name)
	}
	s.presetIn = widget.NewLabel("")
	s.presetIn.Wrapping = fyne.TextWrapWord
	s.preset = widget.NewSelect(presetNames, func(name string) { s.presetChosen(name) })
	s.preset.PlaceHolder = "none: every field set by hand"
	s.domain = s.entry(model.FDomain, "domain: https://idp.example.com", false)
	s.version = s.entry(model.FAPIVersion, "api_version: 1.1-rev0", false)
	s.apply = widget.NewButton("Fill in", func() { s.applyPreset() })
	s.holes = container.NewBorder(nil, nil, nil, s.apply, container.NewGridWithColumns(2, s.domain, s.version))
	s.holes.Hide()

	issuer := s.entry(model.FIssuer, "https://idp.example.com (for discovery)", false)
	s.discover = widget.NewButtonWithIcon("Discover", theme.SearchIcon(), func() { s.runDiscover() })
	s.found = widget.NewLabel("")
	s.found.Wrapping = fyne.TextWrapWord
	s.found.Hide()

	secretHint := "kept in the OS keyring, never in the file; leave empty to keep the stored one"
	s.forget = widget.NewButtonWithIcon("Delete stored secret", theme.DeleteIcon(), func() { s.confirmForget() })
	main := widget.NewForm(
		&widget.FormItem{Text: "Provider", Widget: container.NewVBox(s.preset, s.holes), HintText: "a preset fills in what a kind of provider needs"},
		&widget.FormItem{Text: "Name", Widget: s.entry(model.FName, "work", false), HintText: "letters, digits, . _ -; used in tokentray token NAME and /v1/token/NAME"},
		&widget.FormItem{Text: "Issuer", Widget: container.NewVBox(container.NewBorder(nil, nil, nil, s.discover, issuer), s.found)},
		&widget.FormItem{Text: "Client ID", Widget: s.entry(model.FClientID, "as registered at the provider", false)},
		&widget.FormItem{Text: "Scopes", Widget: s.entry(model.FScopes, "openid offline_access", false), HintText: "separated by spaces"},
		&widget.FormItem{Text: "Client auth", Widget: s.sel(model.FClientAuth)},
		&widget.FormItem{Text: "Client secret", Widget: container.NewBorder(nil, nil, nil, s.forget, s.entry(model.FSecret, "", true)), HintText: secretHint},
		&widget.FormItem{Text: "Login", Widget: s.sel(model.FLogin)},
		&widget.FormItem{Text: "User name", Widget: s.entry(model.FUsername, "for password logins (optional)", false)},
	)
	advanced := widget.NewForm(
		&widget.FormItem{Text: "Authorization", Widget: s.entry(model.FAuthorizationEndpoint, "from discovery", false)},
		&widget.FormItem{Text: "Token endpoint", Widget: s.entry(model.FTokenEndpoint, "from discovery", false)},
		&widget.FormItem{Text: "Revocation", Widget: s.entry(model.FRevocationEndpoint, "from discovery (optional)", false)},
		&widget.FormItem{Text: "Redirect port", Widget: s.entry(model.FRedirectPort, "any free port", false), HintText: "a fixed port, for providers that register one"},
		&widget.FormItem{Text: "Redirect path", Widget: s.entry(model.FRedirectPath, "/callback", false)},
		&widget.FormItem{Text: "Browser", Widget: s.entry(model.FBrowser, "$BROWSER, else the desktop's default", false)},
		&widget.FormItem{Text: "Private key file", Widget: s.entry(model.FPrivateKeyFile, "PEM, for private_key_jwt", false)},
		&widget.FormItem{Text: "Key ID", Widget: s.entry(model.FKeyID, "kid (optional)", false)},
		&widget.FormItem{Text: "Default lifetime", Widget: s.entry(model.FDefaultLifetime, "1h", false), HintText: "assumed when the provider does not say"},
		&widget.FormItem{Text: "Refresh scope", Widget: s.entry(model.FRefreshScope, "(optional)", false)},
		&widget.FormItem{Text: "Dialect", Widget: s.sel(model.FDialect)},
		&widget.FormItem{Text: "Extra parameters", Widget: s.multiEntry(fExtraParams, "resource = https://api.example.com"),
			HintText: "one name = value per line, added to every token request; never replace tokentray's own fields"},
		&widget.FormItem{Text: "Extra headers", Widget: s.multiEntry(fExtraHeaders, "X-Api-Version = 1.1-rev0"),
			HintText: "one Name = value per line, sent with every token request"},
	)
	acc := widget.NewAccordion(widget.NewAccordionItem("Endpoints and more", advanced))

	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.summary = widget.NewLabel("")
	s.summary.Wrapping = fyne.TextWrapWord
	s.summary.Importance = widget.DangerImportance
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { s.saveProfile() })
	s.save.Importance = widget.HighImportance
	s.revert = widget.NewButton("Revert", func() { s.choose(s.selected) })
	buttons := container.NewHBox(s.status, layoutSpacer(), s.revert, s.save)

	editor := container.NewVScroll(container.NewVBox(s.title, s.presetIn, main, acc, s.summary))
	right := container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), buttons), nil, nil, editor)
	split := container.NewHSplit(left, right)
	split.Offset = 0.22
	return split
}

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }

func (s *Settings) count() int {
	if s.cfg == nil {
		return 0
	}
	n := len(s.cfg.Profiles)
	if s.selected == -1 && s.draftIsNew() {
		n++ // the new profile being written
	}
	return n
}

func (s *Settings) draftIsNew() bool { return s.selected == -1 }

func (s *Settings) rowText(i int) string {
	if i < len(s.cfg.Profiles) {
		return s.cfg.Profiles[i].Name
	}
	name := strings.TrimSpace(s.entries[model.FName].Text)
	if name == "" {
		name = "(new profile)"
	}
	return name + " *"
}

// load reads the config file and selects the first profile.
func (s *Settings) load() {
	cfg, err := s.env.Config.Load()
	if err != nil {
		s.cfg = &config.Config{}
		s.setStatus("The config file has problems; fix them in the file: " + oneLine(err))
		s.save.Disable()
		return
	}
	s.cfg = cfg
	if len(cfg.Profiles) == 0 {
		s.add()
		return
	}
	s.choose(0)
	s.list.Select(0)
}

func (s *Settings) setStatus(t string) { s.status.SetText(t) }

// choose shows profile i (or the new one for -1).
func (s *Settings) choose(i int) {
	if i >= 0 && i < len(s.cfg.Profiles) {
		s.selected = i
		s.fill(model.DraftOf(s.cfg.Profiles[i]))
		s.title.SetText("Profile " + s.cfg.Profiles[i].Name)
		s.remove.Enable()
		s.forget.Enable()
	} else {
		s.selected = -1
		s.fill(model.NewDraft())
		s.title.SetText("New profile")
		s.remove.Disable()
		s.forget.Disable() // the agent knows no such profile yet
	}
	s.dirty = false
	s.found.Hide()
	s.setStatus("")
	s.validate()
	s.list.Refresh()
}

func (s *Settings) add() {
	s.list.UnselectAll()
	s.choose(-1)
	s.presetChosen("oidc")
	s.Win.Canvas().Focus(s.entries[model.FName])
}

// fill sets every widget from d.
func (s *Settings) fill(d model.Draft) {
	s.filling = true
	defer func() { s.filling = false }()
	s.draft = d
	set := func(k, v string) { s.entries[k].SetText(v) }
	set(model.FName, d.Name)
	set(model.FIssuer, d.Issuer)
	set(model.FAuthorizationEndpoint, d.AuthorizationEndpoint)
	set(model.FTokenEndpoint, d.TokenEndpoint)
	set(model.FRevocationEndpoint, d.RevocationEndpoint)
	set(model.FClientID, d.ClientID)
	set(model.FScopes, d.Scopes)
	set(model.FUsername, d.Username)
	set(model.FRedirectPort, d.RedirectPort)
	set(model.FRedirectPath, d.RedirectPath)
	set(model.FBrowser, d.Browser)
	set(model.FPrivateKeyFile, d.PrivateKeyFile)
	set(model.FKeyID, d.KeyID)
	set(model.FDefaultLifetime, d.DefaultLifetime)
	set(model.FRefreshScope, d.RefreshScope)
	set(model.FSecret, d.Secret)
	set(model.FDomain, d.Domain)
	set(model.FAPIVersion, d.APIVersion)
	set(fExtraParams, formatPairs(d.Base.ExtraParams))
	set(fExtraHeaders, formatPairs(d.ExtraHeaders))
	// A preset decides what the profile leaves unset: show its choice.
	e := d.Base
	if p, _ := d.Profile(); p.Preset != "" {
		e = p.Effective()
	}
	pick := func(explicit, effective string) string {
		if explicit == "" {
			return effective
		}
		return explicit
	}
	s.selects[model.FClientAuth].SetSelected(labelOf(clientAuthChoices, pick(d.ClientAuth, e.ClientAuth)))
	s.selects[model.FLogin].SetSelected(labelOf(loginChoices, pick(d.Login, e.Login)))
	s.selects[model.FDialect].SetSelected(labelOf(dialectChoices, pick(d.Dialect, e.Dialect)))
	if d.Preset != "" {
		s.preset.SetSelected(d.Preset)
	} else {
		s.preset.ClearSelected()
	}
	s.describePreset(d.Preset)
}

// read is the draft as the widgets hold it now.
func (s *Settings) read() model.Draft {
	d := s.draft
	get := func(k string) string { return s.entries[k].Text }
	d.Name, d.Issuer = get(model.FName), get(model.FIssuer)
	d.AuthorizationEndpoint, d.TokenEndpoint, d.RevocationEndpoint = get(model.FAuthorizationEndpoint), get(model.FTokenEndpoint), get(model.FRevocationEndpoint)
	d.ClientID, d.Scopes, d.Username = get(model.FClientID), get(model.FScopes), get(model.FUsername)
	d.RedirectPort, d.RedirectPath, d.Browser = get(model.FRedirectPort), get(model.FRedirectPath), get(model.FBrowser)
	d.PrivateKeyFile, d.KeyID, d.DefaultLifetime = get(model.FPrivateKeyFile), get(model.FKeyID), get(model.FDefaultLifetime)
	d.RefreshScope, d.Secret = get(model.FRefreshScope), get(model.FSecret)
	d.ClientAuth = valueOf(clientAuthChoices, s.selects[model.FClientAuth].Selected)
	d.Login = valueOf(loginChoices, s.selects[model.FLogin].Selected)
	d.Dialect = valueOf(dialectChoices, s.selects[model.FDialect].Selected)
	d.Preset = s.preset.Selected
	// Lines that do not read are left out here; problems names them.
	d.Base.ExtraParams, _ = parsePairs(get(fExtraParams))
	d.ExtraHeaders, _ = parsePairs(get(fExtraHeaders))
	d.Domain, d.APIVersion = "", ""
	if p, ok := presetChoice(d.Preset); ok {
		if slices.Contains(p.Placeholders, "domain") {
			d.Domain = s.domain.Text
		}
		if slices.Contains(p.Placeholders, "api_version") {
			d.APIVersion = s.version.Text
		}
	}
	return d
}

func (s *Settings) others() []string {
	var out []string
	for i, p := range s.cfg.Profiles {
		if i != s.selected {
			out = append(out, p.Name)
		}
	}
	return out
}

// changed runs after every edit: validate as you type.
func (s *Settings) changed() {
	if s.filling {
		return
	}
	s.dirty = true
	s.setStatus("")
	s.validate()
	if s.selected == -1 {
		s.list.Refresh() // the new profile's row shows its name as typed
	}
}

// fieldNames are how the summary names fields.
var fieldNames = map[string]string{
	model.FName: "Name", model.FIssuer: "Issuer", model.FAuthorizationEndpoint: "Authorization endpoint",
	model.FTokenEndpoint: "Token endpoint", model.FRevocationEndpoint: "Revocation endpoint", model.FDeviceEndpoint: "Device endpoint",
	model.FClientID: "Client ID", model.FScopes: "Scopes", model.FClientAuth: "Client auth", model.FDialect: "Dialect",
	model.FLogin: "Login", model.FUsername: "User name", model.FRedirectPort: "Redirect port", model.FRedirectPath: "Redirect path",
	model.FBrowser: "Browser", model.FPrivateKeyFile: "Private key file", model.FKeyID: "Key ID",
	model.FDefaultLifetime: "Default lifetime", model.FRefreshScope: "Refresh scope", model.FSecret: "Client secret",
	model.FPreset: "Provider", model.FDomain: "Domain", model.FAPIVersion: "API version",
	fExtraParams: "Extra parameters", fExtraHeaders: "Extra headers",
}

// check is what is wrong with d: the config file's rules (model.Validate),
// and extra lines that do not read as name = value.
func (s *Settings) check(d model.Draft) map[string]string {
	problems := model.Validate(d, s.others(), s.selected == -1)
	for _, f := range []string{fExtraParams, fExtraHeaders} {
		if _, err := parsePairs(s.entries[f].Text); err != nil {
			problems[f] = err.Error()
		}
	}
	return problems
}

func (s *Settings) validate() {
	d := s.read()
	s.problems = s.check(d)
	for _, e := range s.entries {
		e.Validate()
	}
	if len(s.problems) == 0 {
		s.summary.SetText("")
		s.summary.Hide()
		if s.dirty {
			s.save.Enable()
		} else {
			s.save.Disable()
		}
	} else {
		keys := make([]string, 0, len(s.problems))
		for k := range s.problems {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var lines []string
		for _, k := range keys {
			name := fieldNames[k]
			if name == "" {
				name = k
			}
			lines = append(lines, name+": "+s.problems[k])
		}
		s.summary.SetText(strings.Join(lines, "\n"))
		s.summary.Show()
		s.save.Disable()
	}
	if s.dirty {
		s.revert.Enable()
	} else {
		s.revert.Disable()
	}
	if strings.TrimSpace(d.Issuer) == "" {
		s.discover.Disable()
	} else {
		s.discover.Enable()
	}
	p, _ := d.Profile()
	e := p.Effective()
	if model.NeedsSecret(e.ClientAuth) {
		s.entries[model.FSecret].Enable()
	} else {
		s.entries[model.FSecret].Disable()
	}
	// What the preset or discovery will use shows greyed in empty fields.
	for k, v := range map[string]string{model.FTokenEndpoint: e.TokenEndpoint, model.FAuthorizationEndpoint: e.AuthorizationEndpoint} {
		if v != "" && s.entries[k].Text == "" {
			s.entries[k].SetPlaceHolder(v + " (preset)")
		} else if s.entries[k].Text == "" {
			s.entries[k].SetPlaceHolder("from discovery")
		}
	}
}

// Problems is what the editor reports now, by field key (for tests).
func (s *Settings) Problems() map[string]string { return s.problems }

func presetChoice(name string) (model.PresetChoice, bool) {
	for _, p := range model.Presets() {
		if p.Name == name {
			return p, true
		}
	}
	return model.PresetChoice{}, false
}

func (s *Settings) describePreset(name string) {
	p, ok := presetChoice(name)
	if !ok {
		s.presetIn.SetText("")
		s.presetIn.Hide()
		s.holes.Hide()
		return
	}
	s.presetIn.SetText(p.Description)
	s.presetIn.Show()
	if len(p.Placeholders) == 0 {
		s.holes.Hide()
		return
	}
	if slices.Contains(p.Placeholders, "api_version") {
		s.version.Show()
	} else {
		s.version.Hide()
	}
	s.holes.Show()
}

// presetChosen applies a preset at once, or asks for its values first.
func (s *Settings) presetChosen(name string) {
	if s.filling {
		return
	}
	s.describePreset(name)
	if p, ok := presetChoice(name); ok && len(p.Placeholders) == 0 {
		s.applyPreset()
	} else {
		s.changed()
	}
}

func (s *Settings) applyPreset() {
	d, err := model.ApplyPreset(s.read(), s.preset.Selected, map[string]string{"domain": s.domain.Text, "api_version": s.version.Text})
	if err != nil {
		s.setStatus(oneLine(err))
		return
	}
	s.fill(d)
	s.changed()
}

func (s *Settings) runDiscover() {
	issuer := strings.TrimSpace(s.entries[model.FIssuer].Text)
	s.discover.Disable()
	s.setStatus("Asking " + issuer + " …")
	call(s.env, 20*time.Second, func(ctx context.Context) (auth.Endpoints, error) { return s.env.Discover(ctx, issuer) },
		func(e auth.Endpoints, err error) {
			s.discover.Enable()
			if err != nil {
				s.setStatus("Discovery failed: " + oneLine(err))
				return
			}
			d := model.ApplyDiscovery(s.read(), e)
			s.fill(d)
			s.changed()
			found := []string{"authorization", "token"}
			if e.RevocationURL != "" {
				found = append(found, "revocation")
			}
			s.found.SetText(fmt.Sprintf("Found the %s endpoints. They are not written to the file: the agent discovers them itself each start.", strings.Join(found, ", ")))
			s.found.Show()
			s.setStatus("Discovery done.")
		})
}

// saveProfile writes the file, asks the agent to reload, then stores a
// typed secret in the keyring through the agent.
func (s *Settings) saveProfile() {
	d := s.read()
	if probs := s.check(d); len(probs) > 0 {
		s.validate()
		return
	}
	p, _ := d.Profile()
	next := *s.cfg
	next.Profiles = slices.Clone(s.cfg.Profiles)
	renamed := ""
	if s.selected >= 0 {
		if old := next.Profiles[s.selected].Name; old != p.Name {
			renamed = old
		}
		next.Profiles[s.selected] = p
	} else {
		next.Profiles = append(next.Profiles, p)
	}
	if err := s.env.Config.Save(&next); err != nil {
		s.setStatus("Not saved: " + oneLine(err))
		return
	}
	s.cfg = &next
	if s.selected < 0 {
		s.selected = len(next.Profiles) - 1
	}
	s.dirty = false
	s.save.Disable()
	secret := strings.TrimSpace(d.Secret)
	s.setStatus("Saved to " + s.env.Config.Path() + "; the agent reloads it …")
	call(s.env, 40*time.Second, func(ctx context.Context) (string, error) {
		if err := s.env.API.Reload(ctx); err != nil {
			return "", fmt.Errorf("saved, but the agent refused the config: %w", err)
		}
		if secret != "" && model.NeedsSecret(p.ClientAuth) {
			res, err := s.env.API.SetSecret(ctx, p.Name, secret)
			if err != nil {
				return "", fmt.Errorf("saved, but the client secret could not be stored in the keyring: %w", err)
			}
			return "secret " + res.Note, nil
		}
		return "", nil
	}, func(what string, err error) {
		if err != nil {
			s.setStatus(oneLine(err))
			return
		}
		msg := "Saved; the agent runs on the new config."
		if note, ok := strings.CutPrefix(what, "secret "); ok {
			msg = "Saved; the client secret is in the keyring and the agent runs on the new config."
			if note != "" {
				msg += " " + note + "."
			}
			s.entries[model.FSecret].SetText("")
		}
		if renamed != "" {
			msg += " The profile was renamed from " + renamed + ": log in again."
		}
		s.setStatus(msg)
		s.title.SetText("Profile " + p.Name)
		s.remove.Enable()
		s.forget.Enable()
		s.list.Refresh()
		s.list.Select(s.selected)
	})
}

func (s *Settings) confirmRemove() {
	if s.selected < 0 {
		return
	}
	name := s.cfg.Profiles[s.selected].Name
	dialog.ShowConfirm("Remove "+name+"?",
		"The profile is logged out first: its refresh token is revoked at the provider and deleted from the keyring.",
		func(ok bool) {
			if ok {
				s.removeProfile(name)
			}
		}, s.Win)
}

func (s *Settings) removeProfile(name string) {
	s.setStatus("Logging " + name + " out …")
	call(s.env, 40*time.Second, func(ctx context.Context) (struct{}, error) {
		_, err := s.env.API.Logout(ctx, name)
		return struct{}{}, err
	}, func(_ struct{}, err error) {
		if err != nil && apiclient.CodeOf(err) != apiclient.CodeUnknownProfile { // a profile the agent never had: nothing to log out
			s.setStatus("Not removed: logging out failed: " + oneLine(err))
			return
		}
		next := *s.cfg
		next.Profiles = slices.DeleteFunc(slices.Clone(s.cfg.Profiles), func(p config.Profile) bool { return p.Name == name })
		if err := s.env.Config.Save(&next); err != nil {
			s.setStatus("Not removed: " + oneLine(err))
			return
		}
		s.cfg = &next
		call(s.env, 40*time.Second, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.env.API.Reload(ctx) },
			func(_ struct{}, err error) {
				if err != nil {
					s.setStatus("Removed from the file, but the agent refused it: " + oneLine(err))
				}
			})
		s.list.UnselectAll()
		if len(next.Profiles) > 0 {
			s.choose(0)
			s.list.Select(0)
		} else {
			s.add()
		}
		s.setStatus("Removed " + name + ".")
	})
}

// confirmForget asks before deleting the selected profile's stored client
// secret and private key (as `tokentray secret delete PROFILE` does).
func (s *Settings) confirmForget() {
	if s.selected < 0 {
		return
	}
	name := s.cfg.Profiles[s.selected].Name
	dialog.ShowConfirm("Delete the stored secret of "+name+"?",
		"The client secret and the private key of "+name+" are deleted from the OS keyring.\n"+
			"A confidential client cannot get new tokens until you store a new one.\n"+
			"The profile stays, and stays logged in.",
		func(ok bool) {
			if ok {
				s.forgetSecret(name)
			}
		}, s.Win)
}

func (s *Settings) forgetSecret(name string) {
	s.setStatus("Deleting the stored secret of " + name + " …")
	s.forget.Disable()
	call(s.env, 40*time.Second, func(ctx context.Context) (struct{}, error) {
		if err := s.env.API.DeleteSecret(ctx, name); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, s.env.API.DeletePrivateKey(ctx, name)
	}, func(_ struct{}, err error) {
		s.forget.Enable()
		if err != nil {
			s.setStatus("Not deleted: " + oneLine(err))
			return
		}
		s.setStatus("Deleted the client secret and private key of " + name + " from the keyring.")
	})
}
