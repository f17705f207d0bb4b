package windows

import (
	"context"
	"fmt"
	"image/color"
	"maps"
	"slices"
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

// Settings is the profile editor: list, add, edit and remove profiles,
// validated as they are typed with the config file's own rules, each
// problem shown under its field. Saving writes the config file
// (atomically) and asks the agent to reload it; a confidential client's
// secret goes to the keyring through the agent, never to the file.
type Settings struct {
	env *Env
	Win fyne.Window

	cfg      *config.Config
	selected int             // index in cfg.Profiles; -1 for a new profile
	saved    *config.Profile // the selected profile as in the file; nil for a new one
	pristine config.Profile  // what the form showed when chosen: Revert goes back to it
	base     config.Profile  // what the widgets were last filled from; keys the form does not show ride along
	// found is what Discover found for the issuer foundFor: those
	// endpoints show in the form but stay out of the file.
	found    auth.Endpoints
	foundFor string
	filling  bool // true while widgets are set from a profile: no validation then

	inputs     []*input // one per field of the table, in its order
	list       *widget.List
	preset     *widget.Select
	presetIn   *widget.Label
	domain     *widget.Entry
	version    *widget.Entry
	holes      *fyne.Container // the placeholder row: shown for presets that need values
	presetNote *note
	discover   *widget.Button
	foundMsg   *widget.Label
	more       *widget.Accordion
	title      *widget.Label
	status     *widget.Label
	why        *widget.Label // beside Save: why it is off
	save       *widget.Button
	remove     *widget.Button
	revert     *widget.Button
	forget     *widget.Button // deletes the stored client secret and private key
}

// input is a field's widget and the line under it (its problem, else its
// hint).
type input struct {
	f     *field
	entry *widget.Entry
	sel   *widget.Select
	note  *note
	shown string // the text it was filled with
}

func (in *input) text() string {
	if in.sel != nil {
		return in.sel.Selected
	}
	return in.entry.Text
}

func (in *input) setText(v string) {
	if in.sel != nil {
		in.sel.SetSelected(v)
	} else {
		in.entry.SetText(v)
	}
	in.shown = in.text()
}

// widget is the select, else the entry.
func (in *input) widget() interface {
	fyne.CanvasObject
	fyne.Disableable
} {
	if in.sel != nil {
		return in.sel
	}
	return in.entry
}

// note is the line under a field: its problem in red, else its hint in
// the placeholder colour, small and close to the field.
type note struct {
	box   *container.ThemeOverride // what the form holds; hidden when there is nothing to say
	label *widget.Label
}

func newNote() *note {
	l := wrapped("")
	l.SizeName = theme.SizeNameCaptionText
	n := &note{container.NewThemeOverride(l, noteTheme{}), l}
	n.box.Hide()
	return n
}

func (n *note) show(problem, hint string) {
	n.label.Importance = widget.LowImportance
	if problem != "" {
		n.label.Importance, hint = widget.DangerImportance, problem
	}
	n.label.SetText(hint)
	setShown(n.box, hint != "")
}

// noteTheme is the theme of a note: little padding, and the placeholder
// colour for a LowImportance label's.
type noteTheme struct{}

func (noteTheme) base() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (t noteTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameDisabled {
		n = theme.ColorNamePlaceHolder
	}
	return t.base().Color(n, v)
}

func (t noteTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameInnerPadding {
		return 2
	}
	return t.base().Size(n)
}

func (t noteTheme) Font(s fyne.TextStyle) fyne.Resource     { return t.base().Font(s) }
func (t noteTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base().Icon(n) }

// NewSettings builds the settings window (not shown yet).
func NewSettings(env *Env) *Settings {
	s := &Settings{env: env, selected: -1}
	s.Win = env.newWindow("tokentray settings")
	s.Win.SetContent(s.build())
	s.Win.Resize(fyne.NewSize(940, 680))
	env.onClosed(s.Win, nil)
	s.load()
	return s
}

// in is the input of a key.
func (s *Settings) in(key string) *input {
	for _, in := range s.inputs {
		if in.f.key == key {
			return in
		}
	}
	panic("settings: no field " + key)
}

func (s *Settings) newInput(f *field) *input {
	in := &input{f: f, note: newNote()}
	switch f.kind {
	case pick:
		in.sel = widget.NewSelect(f.labels(), func(string) { s.changed() })
	case secret:
		in.entry = widget.NewPasswordEntry()
	default:
		in.entry = widget.NewEntry()
		if f.kind == lines {
			in.entry.MultiLine = true
			in.entry.Wrapping = fyne.TextWrapOff
			in.entry.SetMinRowsVisible(3)
		}
	}
	if in.entry != nil {
		in.entry.SetPlaceHolder(f.placeholder)
		in.entry.OnChanged = func(string) { s.changed() }
	}
	return in
}

func (s *Settings) build() fyne.CanvasObject {
	// Left: the profiles.
	s.list = widget.NewList(
		func() int { return s.count() },
		func() fyne.CanvasObject { return widget.NewLabel("profile name") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.rowText(i)) },
	)
	s.list.OnSelected = func(i widget.ListItemID) { s.listSelected(i) }
	add := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), func() { s.add() })
	s.remove = widget.NewButtonWithIcon("Remove", theme.ContentRemoveIcon(), func() { s.confirmRemove() })
	left := container.NewBorder(widget.NewLabelWithStyle("Profiles", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewGridWithColumns(2, add, s.remove), nil, nil, s.list)

	// Right: the editor. First the preset, then the table's fields.
	var presetNames []string
	for _, p := range model.Presets() {
		presetNames = append(presetNames, p.Name)
	}
	s.presetIn = wrapped("")
	s.preset = widget.NewSelect(presetNames, func(name string) { s.presetChosen(name) })
	s.preset.PlaceHolder = "none: every field set by hand"
	s.domain = widget.NewEntry()
	s.domain.SetPlaceHolder("domain: https://idp.example.com")
	s.domain.OnChanged = func(string) { s.changed() }
	s.version = widget.NewEntry()
	s.version.SetPlaceHolder("api_version: 1.1-rev0")
	s.version.OnChanged = func(string) { s.changed() }
	apply := widget.NewButton("Fill in", func() { s.applyPreset() })
	s.holes = container.NewBorder(nil, nil, nil, apply, container.NewGridWithColumns(2, s.domain, s.version))
	s.holes.Hide()
	s.presetNote = newNote()

	s.discover = widget.NewButtonWithIcon("Discover", theme.SearchIcon(), func() { s.runDiscover() })
	s.foundMsg = wrapped("")
	s.foundMsg.Hide()
	s.forget = widget.NewButtonWithIcon("Delete stored secret", theme.DeleteIcon(), func() { s.confirmForget() })

	main := widget.NewForm(&widget.FormItem{Text: "Provider", Widget: container.NewVBox(s.preset, s.holes, s.presetNote.box)})
	more := widget.NewForm()
	for i := range fields {
		in := s.newInput(&fields[i])
		s.inputs = append(s.inputs, in)
		w := in.widget()
		rows := []fyne.CanvasObject{w}
		switch in.f.key {
		case "issuer":
			rows = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, s.discover, w), s.foundMsg}
		case model.KeySecret:
			rows = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, s.forget, w)}
		}
		item := &widget.FormItem{Text: in.f.label, Widget: container.NewVBox(append(rows, in.note.box)...)}
		if in.f.more {
			more.AppendItem(item)
		} else {
			main.AppendItem(item)
		}
	}
	s.more = widget.NewAccordion(widget.NewAccordionItem("Endpoints and more", more))

	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.status = wrapped("")
	s.status.Hide()
	s.why = wrapped("")
	s.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { s.saveProfile() })
	s.save.Importance = widget.HighImportance
	s.revert = widget.NewButton("Revert", func() { s.choose(s.selected) })
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(s.revert, s.save), s.why)

	editor := container.NewVScroll(container.NewVBox(s.title, s.presetIn, main, s.more))
	right := container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), s.status, bar), nil, nil, editor)
	split := container.NewHSplit(left, right)
	split.Offset = 0.22
	return split
}

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }

func (s *Settings) listSelected(i int) {
	if i == s.selected || (s.selected == -1 && i >= len(s.cfg.Profiles)) {
		return // already shown: keep what is being typed
	}
	if !s.edited() {
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

func (s *Settings) count() int {
	if s.cfg == nil {
		return 0
	}
	n := len(s.cfg.Profiles)
	if s.selected == -1 {
		n++ // the new profile being written
	}
	return n
}

func (s *Settings) rowText(i int) string {
	if i < len(s.cfg.Profiles) {
		return s.cfg.Profiles[i].Name
	}
	name := strings.TrimSpace(s.in(model.KeyName).text())
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
	s.showFirst()
}

// showFirst shows the first profile, or a new one when there is none.
func (s *Settings) showFirst() {
	if len(s.cfg.Profiles) == 0 {
		s.add()
		return
	}
	s.choose(0)
	s.list.Select(0)
}

func (s *Settings) setStatus(t string) {
	s.status.SetText(t)
	setShown(s.status, t != "")
}

// choose shows profile i (or a new one for -1).
func (s *Settings) choose(i int) {
	if i >= 0 && i < len(s.cfg.Profiles) {
		s.selected = i
		p := s.cfg.Profiles[i]
		s.saved = &p
		s.title.SetText("Profile " + p.Name)
		s.remove.Enable()
		s.fill(p)
	} else {
		s.selected, s.saved = -1, nil
		s.title.SetText("New profile")
		s.remove.Disable()
		s.fill(model.NewProfile())
	}
	s.pristine = s.base
	s.found, s.foundFor = auth.Endpoints{}, ""
	s.foundMsg.Hide()
	s.setStatus("")
	s.validate()
	s.list.Refresh()
}

func (s *Settings) add() {
	s.list.UnselectAll()
	s.choose(-1)
	s.presetChosen("oidc")
	s.pristine = s.base
	s.validate()
	s.Win.Canvas().Focus(s.in(model.KeyName).entry)
}

// fill sets every widget from p. A select shows what the profile's preset
// decides where the profile leaves it unset.
func (s *Settings) fill(p config.Profile) {
	s.filling = true
	defer func() { s.filling = false }()
	s.base = p
	e := p.Effective()
	for _, in := range s.inputs {
		switch {
		case in.f.get == nil:
			in.setText("")
		case in.sel != nil:
			v := in.f.get(&p)
			if v == "" {
				v = in.f.get(&e)
			}
			in.setText(in.f.labelOf(v))
		default:
			in.setText(in.f.get(&p))
		}
	}
	s.domain.SetText(p.Domain)
	s.version.SetText(p.APIVersion)
	if p.Preset != "" {
		s.preset.SetSelected(p.Preset)
	} else {
		s.preset.ClearSelected()
	}
	s.describePreset(p.Preset)
}

// read is the profile as the widgets hold it now, and what does not
// convert, by key. A field left as it was filled keeps its value exactly
// (a "none" stays "none", "90m" stays 90m).
func (s *Settings) read() (config.Profile, map[string]string) {
	p := s.base
	p.Scopes = slices.Clone(p.Scopes)
	bad := map[string]string{}
	for _, in := range s.inputs {
		if in.f.set == nil || in.text() == in.shown {
			continue
		}
		v := in.text()
		if in.sel != nil {
			v = in.f.valueOf(v)
		}
		if err := in.f.set(&p, v); err != nil {
			bad[in.f.key] = err.Error()
		}
		if in.sel != nil && v == "" {
			if e := p.Effective(); in.f.get(&e) != "" {
				in.f.set(&p, in.f.defaultValue()) // the default, against the preset's choice: written out
			}
		}
	}
	p.Preset = s.preset.Selected
	pr, _ := presetChoice(p.Preset)
	model.SetPlaceholders(&p, pr.Placeholders, s.holeValues())
	return model.WithoutDiscovered(p, s.foundFor, s.found), bad
}

func (s *Settings) secretText() string { return strings.TrimSpace(s.in(model.KeySecret).text()) }

// edited says whether the form differs from what was chosen.
func (s *Settings) edited() bool {
	p, bad := s.read()
	return len(bad) > 0 || !p.Equal(s.pristine) || s.secretText() != ""
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
	s.setStatus("")
	s.validate()
	if s.selected == -1 {
		s.list.Refresh() // the new profile's row shows its name as typed
	}
}

// check is what is wrong with the form: what does not convert, then the
// config file's rules (model.Validate).
func (s *Settings) check() (config.Profile, map[string]string) {
	p, problems := s.read()
	for k, v := range model.Validate(p, s.secretText(), s.others(), s.selected == -1) {
		if _, ok := problems[k]; !ok {
			problems[k] = v
		}
	}
	return p, problems
}

// validate shows each problem under its field, turns the buttons on and
// off, and says beside Save why it is off.
func (s *Settings) validate() {
	p, problems := s.check()
	if problems["issuer"] != "" && strings.HasPrefix(problems["authorization_endpoint"], "missing") {
		delete(problems, "authorization_endpoint") // the issuer's problem says what to give
	}
	for _, in := range s.inputs {
		in.note.show(problems[in.f.key], in.f.hint)
	}
	var presetProblems []string
	for _, k := range presetKeys {
		if problems[k] != "" {
			presetProblems = append(presetProblems, problems[k])
		}
	}
	s.presetNote.show(strings.Join(presetProblems, "\n"), "a preset fills in what a kind of provider needs")

	why := s.whyNotSave(problems)
	if why == "" && s.saved != nil && p.Equal(*s.saved) && s.secretText() == "" {
		why = "No changes to save."
	}
	s.why.SetText(why)
	setEnabled(s.save, why == "")
	setEnabled(s.revert, s.edited())
	setEnabled(s.discover, strings.TrimSpace(s.in("issuer").text()) != "" && problems["issuer"] == "") // else the reason is under the issuer

	e := p.Effective()
	setEnabled(s.in(model.KeySecret).widget(), auth.ClientAuth(e.ClientAuth).UsesSecret())
	// The stored secret and key belong to a saved confidential client.
	setEnabled(s.forget, s.saved != nil && (usesKeyring(s.saved.Effective().ClientAuth) || usesKeyring(e.ClientAuth)))
	// What the preset will use shows greyed in empty fields.
	for _, in := range s.inputs {
		if in.entry == nil || in.f.get == nil || in.entry.Text != "" {
			continue
		}
		if v := in.f.get(&e); v != "" && in.f.get(&p) == "" {
			in.entry.SetPlaceHolder(v + " (preset)")
		} else {
			in.entry.SetPlaceHolder(in.f.placeholder)
		}
	}
}

func setEnabled(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

func setShown(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// usesKeyring says whether a client authentication keeps a secret or a
// private key in the keyring.
func usesKeyring(clientAuth string) bool {
	ca := auth.ClientAuth(clientAuth)
	return ca.UsesSecret() || ca == auth.AuthPrivateKeyJWT
}

// presetKeys are reported under Provider.
var presetKeys = []string{"preset", "domain", "api_version"}

// whyNotSave names the fields to fix; "" when there are none. It opens
// "Endpoints and more" when a field there has a problem.
func (s *Settings) whyNotSave(problems map[string]string) string {
	var names, rest []string
	if slices.ContainsFunc(presetKeys, func(k string) bool { return problems[k] != "" }) {
		names = append(names, "Provider")
	}
	for _, f := range fields {
		if problems[f.key] != "" {
			names = append(names, f.label)
			if f.more {
				s.more.Open(0)
			}
		}
	}
	// Keys the form does not show (such as assertion_audience): their
	// problem is said here, nowhere else.
	for _, k := range slices.Sorted(maps.Keys(problems)) {
		if fieldOf(k) == nil && !slices.Contains(presetKeys, k) {
			rest = append(rest, k+": "+problems[k])
		}
	}
	var msg string
	switch len(names) {
	case 0:
	case 1:
		msg = "To save, fix " + names[0] + " (the reason is under it)."
	default:
		msg = "To save, fix " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " (each says why under it)."
	}
	if len(rest) > 0 {
		msg = strings.TrimSpace(msg + " In the file: " + strings.Join(rest, "; "))
	}
	return msg
}

func presetChoice(name string) (model.PresetChoice, bool) {
	for _, p := range model.Presets() {
		if p.Name == name {
			return p, true
		}
	}
	return model.PresetChoice{}, false
}

// describePreset says what the preset is, and asks for the values it needs.
func (s *Settings) describePreset(name string) {
	p, ok := presetChoice(name)
	s.presetIn.SetText(p.Description)
	setShown(s.presetIn, ok)
	setShown(s.holes, len(p.Placeholders) > 0)
	setShown(s.version, slices.Contains(p.Placeholders, "api_version"))
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

// holeValues are the values typed for a preset's placeholders.
func (s *Settings) holeValues() map[string]string {
	return map[string]string{"domain": s.domain.Text, "api_version": s.version.Text}
}

func (s *Settings) applyPreset() {
	cur, _ := s.read()
	p, err := model.ApplyPreset(cur, s.preset.Selected, s.holeValues())
	if err != nil {
		s.setStatus(oneLine(err))
		return
	}
	s.refill(p)
}

// refill shows p, keeping the secret being typed, and validates.
func (s *Settings) refill(p config.Profile) {
	typed := s.in(model.KeySecret).text()
	s.fill(p)
	s.filling = true
	s.in(model.KeySecret).entry.SetText(typed)
	s.filling = false
	s.changed()
}

func (s *Settings) runDiscover() {
	issuer := strings.TrimSpace(s.in("issuer").text())
	s.discover.Disable()
	s.setStatus("Asking " + issuer + " …")
	call(s.env, 20*time.Second, func(ctx context.Context) (auth.Endpoints, error) { return s.env.Discover(ctx, issuer) },
		func(e auth.Endpoints, err error) {
			s.discover.Enable()
			if err != nil {
				s.setStatus("Discovery failed: " + oneLine(err))
				return
			}
			p, _ := s.read()
			p.AuthorizationEndpoint, p.TokenEndpoint = e.AuthorizationURL, e.TokenURL
			p.RevocationEndpoint, p.DeviceEndpoint = e.RevocationURL, e.DeviceAuthorizationURL
			s.refill(p)
			s.found, s.foundFor = e, issuer
			s.validate()
			found := []string{"authorization", "token"}
			if e.RevocationURL != "" {
				found = append(found, "revocation")
			}
			s.foundMsg.SetText(fmt.Sprintf("Found the %s endpoints. They are not written to the file: the agent discovers them itself each start.", strings.Join(found, ", ")))
			s.foundMsg.Show()
			s.setStatus("Discovery done.")
		})
}

// saveProfile writes the file, asks the agent to reload, then stores a
// typed secret in the keyring through the agent.
func (s *Settings) saveProfile() {
	p, problems := s.check()
	if len(problems) > 0 {
		s.validate()
		return
	}
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
	s.saved, s.pristine = &p, p
	secret := s.secretText()
	s.title.SetText("Profile " + p.Name)
	s.remove.Enable()
	s.list.Refresh()
	s.list.Select(s.selected)
	s.validate()
	s.setStatus("Saved to " + s.env.Config.Path() + "; the agent reloads it …")
	call(s.env, 40*time.Second, func(ctx context.Context) (string, error) {
		if err := s.env.API.Reload(ctx); err != nil {
			return "", fmt.Errorf("saved, but the agent refused the config: %w", err)
		}
		if secret != "" && auth.ClientAuth(p.Effective().ClientAuth).UsesSecret() {
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
			s.in(model.KeySecret).setText("")
		}
		if renamed != "" {
			msg += " The profile was renamed from " + renamed + ": log in again."
		}
		s.validate()
		s.setStatus(msg)
	})
}

// confirm asks about the selected profile (ask gives the dialog's title
// and text for its name), and does do with its name if the user agrees.
func (s *Settings) confirm(ask func(name string) (string, string), do func(name string)) {
	if s.selected < 0 {
		return
	}
	name := s.cfg.Profiles[s.selected].Name
	title, text := ask(name)
	dialog.ShowConfirm(title, text, func(ok bool) {
		if ok {
			do(name)
		}
	}, s.Win)
}

func (s *Settings) confirmRemove() {
	s.confirm(func(name string) (string, string) {
		return "Remove " + name + "?", "The profile is logged out first: its refresh token is revoked at the provider and deleted from the keyring."
	}, s.removeProfile)
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
		s.showFirst()
		s.setStatus("Removed " + name + ".")
	})
}

// confirmForget asks before deleting the selected profile's stored client
// secret and private key (as `tokentray secret delete PROFILE` does).
func (s *Settings) confirmForget() {
	s.confirm(func(name string) (string, string) {
		return "Delete the stored secret of " + name + "?",
			"The client secret and the private key of " + name + " are deleted from the OS keyring.\n" +
				"A confidential client cannot get new tokens until you store a new one.\n" +
				"The profile stays, and stays logged in."
	}, s.forgetSecret)
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
		s.validate()
		if err != nil {
			s.setStatus("Not deleted: " + oneLine(err))
			return
		}
		s.setStatus("Deleted the client secret and private key of " + name + " from the keyring.")
	})
}
