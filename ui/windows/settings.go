package windows

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

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
	problems map[string]string // by key, as model.Validate reports them
	filling  bool              // true while widgets are set from a profile: no validation then

	inputs     []*input // one per field of the table, in its order
	list       *widget.List
	preset     *widget.Select
	presetIn   *widget.Label
	domain     *widget.Entry
	version    *widget.Entry
	apply      *widget.Button
	holes      *fyne.Container // the placeholder row: shown for presets that need values
	presetNote *widget.Label
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
	note  *widget.Label
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

func (in *input) enable(on bool) {
	w := fyne.Disableable(in.entry)
	if in.sel != nil {
		w = in.sel
	}
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// showNote puts the field's problem under it, else its hint.
func showNote(note *widget.Label, problem, hint string) {
	switch {
	case problem != "":
		note.Importance = widget.DangerImportance
		note.SetText(problem)
		note.Show()
	case hint != "":
		note.Importance = widget.LowImportance
		note.SetText(hint)
		note.Show()
	default:
		note.SetText("")
		note.Hide()
	}
}

func newNote() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	l.Hide()
	return l
}

// noteTheme draws the line under a field close to it, a hint in the
// placeholder colour (a LowImportance label's) and a problem in red.
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

// under stacks a field's widget and the lines under it without gaps.
type under struct{}

// shows says whether o shows: a note's theme override shows its label.
func shows(o fyne.CanvasObject) bool {
	if t, ok := o.(*container.ThemeOverride); ok {
		return t.Content.Visible()
	}
	return o.Visible()
}

func (under) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if shows(o) {
			m := o.MinSize()
			s = fyne.NewSize(max(s.Width, m.Width), s.Height+m.Height)
		}
	}
	return s
}

func (under) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if shows(o) {
			h := o.MinSize().Height
			o.Move(fyne.NewPos(0, y))
			o.Resize(fyne.NewSize(size.Width, h))
			y += h
		}
	}
}

// withNote is a field's rows with its note under them.
func withNote(note *widget.Label, rows ...fyne.CanvasObject) fyne.CanvasObject {
	return container.New(under{}, append(rows, container.NewThemeOverride(note, noteTheme{}))...)
}

// NewSettings builds the settings window (not shown yet).
func NewSettings(env *Env) *Settings {
	s := &Settings{env: env, selected: -1}
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
	s.presetIn = widget.NewLabel("")
	s.presetIn.Wrapping = fyne.TextWrapWord
	s.preset = widget.NewSelect(presetNames, func(name string) { s.presetChosen(name) })
	s.preset.PlaceHolder = "none: every field set by hand"
	s.domain = widget.NewEntry()
	s.domain.SetPlaceHolder("domain: https://idp.example.com")
	s.domain.OnChanged = func(string) { s.changed() }
	s.version = widget.NewEntry()
	s.version.SetPlaceHolder("api_version: 1.1-rev0")
	s.version.OnChanged = func(string) { s.changed() }
	s.apply = widget.NewButton("Fill in", func() { s.applyPreset() })
	s.holes = container.NewBorder(nil, nil, nil, s.apply, container.NewGridWithColumns(2, s.domain, s.version))
	s.holes.Hide()
	s.presetNote = newNote()

	s.discover = widget.NewButtonWithIcon("Discover", theme.SearchIcon(), func() { s.runDiscover() })
	s.foundMsg = widget.NewLabel("")
	s.foundMsg.Wrapping = fyne.TextWrapWord
	s.foundMsg.Hide()
	s.forget = widget.NewButtonWithIcon("Delete stored secret", theme.DeleteIcon(), func() { s.confirmForget() })

	main := widget.NewForm(&widget.FormItem{Text: "Provider", Widget: withNote(s.presetNote, s.preset, s.holes)})
	more := widget.NewForm()
	for i := range fields {
		in := s.newInput(&fields[i])
		s.inputs = append(s.inputs, in)
		var w fyne.CanvasObject = in.entry
		if in.sel != nil {
			w = in.sel
		}
		rows := []fyne.CanvasObject{w}
		switch in.f.key {
		case "issuer":
			rows = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, s.discover, w), s.foundMsg}
		case model.KeySecret:
			rows = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, s.forget, w)}
		}
		item := &widget.FormItem{Text: in.f.label, Widget: withNote(in.note, rows...)}
		if in.f.more {
			more.AppendItem(item)
		} else {
			main.AppendItem(item)
		}
	}
	s.more = widget.NewAccordion(widget.NewAccordionItem("Endpoints and more", more))

	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.status.Hide()
	s.why = widget.NewLabel("")
	s.why.Wrapping = fyne.TextWrapWord
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
	if len(cfg.Profiles) == 0 {
		s.add()
		return
	}
	s.choose(0)
	s.list.Select(0)
}

func (s *Settings) setStatus(t string) {
	s.status.SetText(t)
	if t == "" {
		s.status.Hide()
	} else {
		s.status.Show()
	}
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
	}
	p.Preset = s.preset.Selected
	p.Domain, p.APIVersion = "", ""
	if pr, ok := presetChoice(p.Preset); ok {
		if slices.Contains(pr.Placeholders, "domain") {
			p.Domain = strings.TrimSpace(s.domain.Text)
		}
		if slices.Contains(pr.Placeholders, "api_version") {
			p.APIVersion = strings.TrimSpace(s.version.Text)
		}
	}
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
	s.problems = problems
	for _, in := range s.inputs {
		showNote(in.note, problems[in.f.key], in.f.hint)
	}
	var presetProblems []string
	for _, k := range []string{"preset", "domain", "api_version"} {
		if problems[k] != "" {
			presetProblems = append(presetProblems, problems[k])
		}
	}
	showNote(s.presetNote, strings.Join(presetProblems, "\n"), "a preset fills in what a kind of provider needs")

	changed := s.saved == nil || !p.Equal(*s.saved) || s.secretText() != ""
	why := s.whyNotSave(problems)
	switch {
	case why != "":
	case !changed:
		why = "No changes to save."
	}
	s.why.SetText(why)
	if why == "" {
		s.save.Enable()
	} else {
		s.save.Disable()
	}
	if s.edited() {
		s.revert.Enable()
	} else {
		s.revert.Disable()
	}

	issuer := s.in("issuer").text()
	if strings.TrimSpace(issuer) == "" || problems["issuer"] != "" {
		s.discover.Disable() // the reason is under the issuer
	} else {
		s.discover.Enable()
	}

	e := p.Effective()
	ca := auth.ClientAuth(e.ClientAuth)
	s.in(model.KeySecret).enable(ca.UsesSecret())
	// The stored secret and key belong to a saved confidential client.
	stored := s.saved != nil && (usesKeyring(s.saved.Effective().ClientAuth) || usesKeyring(e.ClientAuth))
	if stored {
		s.forget.Enable()
	} else {
		s.forget.Disable()
	}
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

// usesKeyring says whether a client authentication keeps a secret or a
// private key in the keyring.
func usesKeyring(clientAuth string) bool {
	ca := auth.ClientAuth(clientAuth)
	return ca.UsesSecret() || ca == auth.AuthPrivateKeyJWT
}

// whyNotSave names the fields to fix; "" when there are none. It opens
// "Endpoints and more" when a field there has a problem.
func (s *Settings) whyNotSave(problems map[string]string) string {
	if len(problems) == 0 {
		return ""
	}
	var names []string
	hidden := false
	for _, k := range append([]string{"preset", "domain", "api_version"}, keysOf(fields)...) {
		if problems[k] == "" {
			continue
		}
		f := fieldOf(k)
		switch {
		case f == nil:
			names = appendOnce(names, "Provider")
		case f.more:
			names = appendOnce(names, f.label)
			hidden = true
		default:
			names = appendOnce(names, f.label)
		}
	}
	// Keys the form does not show (the file's own, such as
	// assertion_audience): their problem is said here, nowhere else.
	var rest []string
	for k, msg := range problems {
		if fieldOf(k) == nil && !slices.Contains([]string{"preset", "domain", "api_version"}, k) {
			rest = append(rest, k+": "+msg)
		}
	}
	slices.Sort(rest)
	if hidden && s.more.Items[0] != nil && !s.more.Items[0].Open {
		s.more.Open(0)
	}
	var msg string
	switch len(names) {
	case 0:
	case 1:
		msg = "To save, fix " + names[0] + " (the reason is under it)."
	default:
		msg = "To save, fix " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " (each says why under it)."
	}
	if len(names) == 0 {
		msg = "To save, fix in the file: " + strings.Join(rest, "; ")
	} else if len(rest) > 0 {
		msg += " In the file: " + strings.Join(rest, "; ")
	}
	return msg
}

func keysOf(fs []field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.key
	}
	return out
}

func appendOnce(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

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
	cur, _ := s.read()
	p, err := model.ApplyPreset(cur, s.preset.Selected, map[string]string{"domain": s.domain.Text, "api_version": s.version.Text})
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
		if err != nil && !strings.Contains(err.Error(), "no profile") {
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
		s.validate()
		if err != nil {
			s.setStatus("Not deleted: " + oneLine(err))
			return
		}
		s.setStatus("Deleted the client secret and private key of " + name + " from the keyring.")
	})
}
