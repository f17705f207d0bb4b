package windows

import (
	"context"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/auth"
)

// form drives the settings window as a person does: fields by their
// label, buttons by their text, and what the window shows.
type form struct {
	t *testing.T
	s *Settings
}

func openSettings(t *testing.T, env *Env) form {
	t.Helper()
	s := NewSettings(env)
	s.Win.Resize(fyne.NewSize(940, 680))
	return form{t, s}
}

// walk visits every object of the window with whether it shows (it and
// all its parents visible) and its parents, outermost first.
func walk(o fyne.CanvasObject, shows bool, parents []fyne.CanvasObject, fn func(o fyne.CanvasObject, shows bool, parents []fyne.CanvasObject)) {
	if o == nil {
		return
	}
	shows = shows && o.Visible()
	fn(o, shows, parents)
	var kids []fyne.CanvasObject
	switch w := o.(type) {
	case *fyne.Container:
		kids = w.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(w).Objects()
	}
	parents = append(slices.Clip(parents), o)
	for _, k := range kids {
		walk(k, shows, parents, fn)
	}
}

func (f form) each(fn func(o fyne.CanvasObject, shows bool, parents []fyne.CanvasObject)) {
	walk(f.s.Win.Content(), true, nil, fn)
}

// item is the form row labelled label.
func (f form) item(label string) *widget.FormItem {
	f.t.Helper()
	var found *widget.FormItem
	f.each(func(o fyne.CanvasObject, _ bool, _ []fyne.CanvasObject) {
		if fm, ok := o.(*widget.Form); ok {
			for _, it := range fm.Items {
				if it.Text == label {
					found = it
				}
			}
		}
	})
	if found == nil {
		f.t.Fatalf("no field labelled %q", label)
	}
	return found
}

func find[T fyne.CanvasObject](o fyne.CanvasObject) (T, bool) {
	var out T
	ok := false
	walk(o, true, nil, func(o fyne.CanvasObject, _ bool, _ []fyne.CanvasObject) {
		if w, is := o.(T); is && !ok {
			out, ok = w, true
		}
	})
	return out, ok
}

func (f form) entry(label string) *widget.Entry {
	f.t.Helper()
	e, ok := find[*widget.Entry](f.item(label).Widget)
	if !ok {
		f.t.Fatalf("field %q has no entry", label)
	}
	return e
}

func (f form) sel(label string) *widget.Select {
	f.t.Helper()
	e, ok := find[*widget.Select](f.item(label).Widget)
	if !ok {
		f.t.Fatalf("field %q is no select", label)
	}
	return e
}

// note is the line shown under a field: its problem, else its hint; ""
// when nothing shows there.
func (f form) note(label string) (text string, isProblem bool) {
	f.t.Helper()
	c, ok := f.item(label).Widget.(*fyne.Container)
	if !ok || len(c.Objects) < 2 {
		return "", false
	}
	var l *widget.Label
	walk(c.Objects[len(c.Objects)-1], true, nil, func(o fyne.CanvasObject, shows bool, _ []fyne.CanvasObject) {
		if w, ok := o.(*widget.Label); ok && shows {
			l = w
		}
	})
	if l == nil {
		return "", false
	}
	return l.Text, l.Importance == widget.DangerImportance
}

// problem is the problem shown under a field; "" when none shows.
func (f form) problem(label string) string {
	f.t.Helper()
	text, isProblem := f.note(label)
	if !isProblem {
		return ""
	}
	return text
}

func (f form) button(text string) *widget.Button {
	f.t.Helper()
	var found *widget.Button
	f.each(func(o fyne.CanvasObject, _ bool, _ []fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
	})
	if found == nil {
		f.t.Fatalf("no button %q", text)
	}
	return found
}

// besideSave is the text shown in the row of the Save button.
func (f form) besideSave() string {
	save := f.button("Save")
	var out []string
	f.each(func(o fyne.CanvasObject, _ bool, parents []fyne.CanvasObject) {
		if o != save || len(parents) < 2 {
			return
		}
		row := parents[len(parents)-2]
		walk(row, true, nil, func(o fyne.CanvasObject, shows bool, _ []fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && shows && l.Text != "" {
				out = append(out, l.Text)
			}
		})
	})
	return strings.Join(out, " ")
}

func (f form) status() string { return f.s.status.Text }

// choose picks the option of a select that starts with value.
func (f form) choose(label, value string) {
	f.t.Helper()
	sel := f.sel(label)
	for _, o := range sel.Options {
		if strings.HasPrefix(o, value+":") {
			sel.SetSelected(o)
			return
		}
	}
	f.t.Fatalf("%s has no option %q: %v", label, value, sel.Options)
}

// moreOpen says whether "Endpoints and more" is open.
func (f form) moreOpen() bool {
	f.t.Helper()
	acc, ok := find[*widget.Accordion](f.s.Win.Content())
	if !ok {
		f.t.Fatal("no accordion")
	}
	return acc.Items[0].Open
}

// typeIn replaces a field's text the way a person does: select all, type.
func (f form) typeIn(label, text string) {
	f.t.Helper()
	e := f.entry(label)
	e.SetText("")
	test.Type(e, text)
}

func TestSettingsEditsAndValidates(t *testing.T) {
	f := &fakeAPI{}
	file := &memFile{cfg: &config.Config{Profiles: []config.Profile{work}}}
	u := openSettings(t, newEnv(t, f, file))
	if got := u.entry("Name").Text; got != "work" {
		t.Fatalf("name field: got %q, want work", got)
	}
	if !u.button("Save").Disabled() || !strings.Contains(u.besideSave(), "No changes") {
		t.Fatalf("a loaded good profile: save enabled %v, beside Save %q", !u.button("Save").Disabled(), u.besideSave())
	}

	u.typeIn("Issuer", "https://login.example.org")
	if u.problem("Issuer") != "" || u.button("Save").Disabled() || u.besideSave() != "" {
		t.Errorf("a new issuer: problem %q, save enabled %v, beside Save %q", u.problem("Issuer"), !u.button("Save").Disabled(), u.besideSave())
	}
	// Discover fills the endpoints, which stay out of the file.
	test.Tap(u.button("Discover"))
	if got := u.entry("Token endpoint").Text; got != "https://login.example.org/token" {
		t.Errorf("token endpoint after Discover: got %q", got)
	}
	test.Tap(u.button("Save"))
	if !strings.Contains(f.called(), "reload") {
		t.Errorf("save: the agent was not asked to reload (%s)", f.called())
	}
	if strings.Contains(string(file.saved), "token_endpoint") || !strings.Contains(string(file.saved), "https://login.example.org") {
		t.Errorf("saved file:\n%s\nwant the new issuer and no discovered endpoint", file.saved)
	}
	if !strings.Contains(u.status(), "Saved") {
		t.Errorf("status after save: %q", u.status())
	}
	// Saved: nothing left to save or revert.
	if !u.button("Save").Disabled() || !u.button("Revert").Disabled() {
		t.Errorf("after Save: save enabled %v, revert enabled %v, want both off", !u.button("Save").Disabled(), !u.button("Revert").Disabled())
	}
}

// An issuer of ftp://x: the reason shows under the field as it is typed,
// and beside Save, which is off; Discover is off too.
func TestSettingsShowsEachProblemUnderItsField(t *testing.T) {
	discovered := 0
	env := newEnv(t, &fakeAPI{}, &memFile{cfg: &config.Config{Profiles: []config.Profile{work}}})
	env.Discover = func(context.Context, string) (auth.Endpoints, error) { discovered++; return auth.Endpoints{}, nil }
	u := openSettings(t, env)
	issuer := u.entry("Issuer")
	issuer.SetText("")
	for i, r := range "ftp://x" {
		test.Type(issuer, string(r))
		if got := u.problem("Issuer"); i > 0 && got == "" {
			t.Fatalf("issuer %q as typed: no problem under the field, want one", issuer.Text)
		}
	}
	if got, want := u.problem("Issuer"), `"ftp://x" is not an absolute http(s) URL`; got != want {
		t.Errorf("under Issuer: got %q, want %q", got, want)
	}
	if issuer.Validator != nil {
		t.Error("the issuer entry has its own validator, whose mark disagrees with the line under it")
	}
	if !u.button("Save").Disabled() || !strings.Contains(u.besideSave(), "Issuer") {
		t.Errorf("save enabled %v, beside Save %q; want it off, saying Issuer", !u.button("Save").Disabled(), u.besideSave())
	}
	if d := u.button("Discover"); !d.Disabled() {
		t.Error("Discover is enabled for ftp://x")
	}
	test.Tap(u.button("Discover"))
	if discovered != 0 {
		t.Errorf("Discover for ftp://x asked the provider %d times", discovered)
	}

	// A problem in a field under "Endpoints and more" opens it.
	u.typeIn("Issuer", "https://idp.example.com")
	u.typeIn("Redirect port", "80a")
	if got := u.problem("Redirect port"); !strings.Contains(got, "not a number") {
		t.Errorf("under Redirect port: got %q", got)
	}
	if !strings.Contains(u.besideSave(), "Redirect port") || !u.moreOpen() {
		t.Errorf("beside Save %q, more open %v", u.besideSave(), u.moreOpen())
	}
	u.typeIn("Redirect port", "8400")
	if u.problem("Redirect port") != "" || u.button("Save").Disabled() {
		t.Errorf("fixed: problem %q, save enabled %v", u.problem("Redirect port"), !u.button("Save").Disabled())
	}
	if hint, isProblem := u.note("Redirect port"); isProblem || !strings.Contains(hint, "fixed port") {
		t.Errorf("a good port: the line under it is %q (problem %v), want the hint", hint, isProblem)
	}
}

// A new profile: its fields show no other profile's name as a placeholder,
// each missing value is said under its field, and no line is cut off.
func TestSettingsNewProfile(t *testing.T) {
	u := openSettings(t, newEnv(t, &fakeAPI{}, &memFile{cfg: &config.Config{Profiles: []config.Profile{work}}}))
	test.Tap(u.button("Add"))
	for _, label := range []string{"Name", "Client ID", "Issuer"} {
		if ph := u.entry(label).PlaceHolder; ph == "work" {
			t.Errorf("%s: placeholder %q is another profile's name", label, ph)
		}
	}
	if got := u.problem("Name"); got != "missing" {
		t.Errorf("under Name: got %q, want missing", got)
	}
	if got := u.besideSave(); !strings.Contains(got, "Name") || !strings.Contains(got, "Client ID") {
		t.Errorf("beside Save: got %q, want Name and Client ID named", got)
	}
	u.s.Win.Resize(fyne.NewSize(940, 681)) // lay the window out again, as a frame does
	u.each(func(o fyne.CanvasObject, shows bool, _ []fyne.CanvasObject) {
		l, ok := o.(*widget.Label)
		if !ok || !shows || l.Text == "" {
			return
		}
		if h, min := l.Size().Height, l.MinSize().Height; h+0.5 < min {
			t.Errorf("label %q: %.0f high, needs %.0f: cut off", l.Text, h, min)
		}
	})
}

// Discover shows what the provider has, which changes nothing in the file.
func TestSettingsDiscoverChangesNothing(t *testing.T) {
	file := &memFile{cfg: &config.Config{Profiles: []config.Profile{work}}}
	u := openSettings(t, newEnv(t, &fakeAPI{}, file))
	test.Tap(u.button("Discover"))
	if got := u.entry("Token endpoint").Text; got != "https://idp.example.com/token" {
		t.Fatalf("token endpoint after Discover: got %q", got)
	}
	if !u.button("Save").Disabled() || !u.button("Revert").Disabled() {
		t.Errorf("after Discover: save enabled %v, revert enabled %v, want both off (nothing to write)", !u.button("Save").Disabled(), !u.button("Revert").Disabled())
	}
	if got := u.besideSave(); !strings.Contains(got, "No changes") {
		t.Errorf("beside Save: got %q", got)
	}
	if file.saved != nil {
		t.Errorf("the file was written:\n%s", file.saved)
	}
}

// A public client has no secret: its field and Delete stored secret are off.
func TestSettingsPublicClientHasNoSecret(t *testing.T) {
	u := openSettings(t, newEnv(t, &fakeAPI{}, &memFile{cfg: &config.Config{Profiles: []config.Profile{work}}}))
	if !u.entry("Client secret").Disabled() || !u.button("Delete stored secret").Disabled() {
		t.Errorf("public client: secret field enabled %v, Delete stored secret enabled %v, want both off",
			!u.entry("Client secret").Disabled(), !u.button("Delete stored secret").Disabled())
	}
	u.choose("Client auth", "client_secret_basic")
	if u.entry("Client secret").Disabled() || u.button("Delete stored secret").Disabled() {
		t.Errorf("client_secret_basic: secret field enabled %v, Delete stored secret enabled %v, want both on",
			!u.entry("Client secret").Disabled(), !u.button("Delete stored secret").Disabled())
	}
	u.choose("Client auth", "none")
	if !u.entry("Client secret").Disabled() || !u.button("Delete stored secret").Disabled() {
		t.Error("back to none: the secret's field or button is still on")
	}
}

// The choices of the selects are auth's values, the default first.
func TestSettingsChoicesAreAuths(t *testing.T) {
	u := openSettings(t, newEnv(t, &fakeAPI{}, &memFile{cfg: &config.Config{Profiles: []config.Profile{work}}}))
	for label, want := range map[string][]string{
		"Client auth": valuesOf(auth.ClientAuths()),
		"Login":       valuesOf(auth.LoginMethods()),
		"Dialect":     valuesOf(auth.Dialects()),
	} {
		var got []string
		for _, o := range u.sel(label).Options {
			v, _, _ := strings.Cut(o, ": ")
			got = append(got, v)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", label, got, want)
		}
	}
}

func valuesOf[T ~string](cs []auth.Choice[T]) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c.Value)
	}
	return out
}

// A Windows path typed in a path field reads back the same from the file.
func TestSettingsSavesWindowsPaths(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	p := work
	p.ClientAuth = "private_key_jwt"
	if err := config.Save(path, &config.Config{Profiles: []config.Profile{p}}); err != nil {
		t.Fatal(err)
	}
	u := openSettings(t, newEnv(t, &fakeAPI{}, File(path)))
	key := `C:\Users\me\key.pem`
	u.typeIn("Private key file", key)
	test.Tap(u.button("Save"))
	back, err := config.Load(path)
	if err != nil {
		b, _ := os.ReadFile(path)
		t.Fatalf("the saved file does not load: %v\n%s", err, b)
	}
	if got := back.Profiles[0].PrivateKeyFile; got != key {
		t.Errorf("private_key_file: got %q, want %q", got, key)
	}
}

func TestSettingsNewConfidentialProfile(t *testing.T) {
	f := &fakeAPI{}
	file := &memFile{cfg: &config.Config{Profiles: []config.Profile{work}}}
	u := openSettings(t, newEnv(t, f, file))
	test.Tap(u.button("Add"))
	if u.s.selected != -1 || u.s.count() != 2 {
		t.Fatalf("Add: selected %d, rows %d", u.s.selected, u.s.count())
	}
	u.s.preset.SetSelected("pagero")
	if got := u.sel("Client auth").Selected; !strings.HasPrefix(got, "client_secret_basic:") {
		t.Errorf("pagero preset: client auth %q", got)
	}
	test.Type(u.entry("Name"), "pagero")
	test.Type(u.entry("Client ID"), "my-client")
	if u.problem("Client secret") == "" {
		t.Error("a new confidential client without a secret: no problem under Client secret")
	}
	test.Type(u.entry("Name"), "!")
	if u.problem("Name") == "" {
		t.Error("name pagero!: no problem under Name")
	}
	u.typeIn("Name", "work")
	if !strings.Contains(u.problem("Name"), "already") {
		t.Errorf("a taken name: under Name %q", u.problem("Name"))
	}
	u.typeIn("Name", "pagero")
	test.Type(u.entry("Client secret"), "s3cret")
	if u.button("Save").Disabled() {
		t.Fatalf("complete: save is off: %q", u.besideSave())
	}
	test.Tap(u.button("Save"))
	if got := f.called(); !strings.Contains(got, "reload,secret pagero") {
		t.Errorf("calls: %s, want reload then the secret", got)
	}
	if f.secrets["pagero"] != "s3cret" {
		t.Errorf("secret sent: %q", f.secrets["pagero"])
	}
	saved := string(file.saved)
	if strings.Contains(saved, "s3cret") {
		t.Fatalf("the secret is in the config file:\n%s", saved)
	}
	if !strings.Contains(saved, `name = 'pagero'`) || !strings.Contains(saved, "client_secret_basic") || !strings.Contains(saved, "sso.pageroonline.com") {
		t.Errorf("saved file:\n%s", saved)
	}
	if u.entry("Client secret").Text != "" {
		t.Error("the secret stays in its field after saving")
	}
	if !u.button("Save").Disabled() || !u.button("Revert").Disabled() {
		t.Errorf("after Save: save enabled %v, revert enabled %v", !u.button("Save").Disabled(), !u.button("Revert").Disabled())
	}

	// Remove (after the confirmation) logs out, then drops it from the file.
	test.Tap(u.button("Remove"))
	test.Tap(dialogButton(t, u.s.Win, "Yes"))
	if !strings.Contains(f.called(), "logout pagero") || strings.Contains(string(file.saved), "pagero'") {
		t.Errorf("remove: calls %s, file:\n%s", f.called(), file.saved)
	}
}

func TestSettingsVeeamPresetAsksForTheDomain(t *testing.T) {
	u := openSettings(t, newEnv(t, &fakeAPI{}, &memFile{cfg: &config.Config{}}))
	if u.s.selected != -1 {
		t.Fatal("an empty config should start with a new profile")
	}
	u.s.preset.SetSelected("veeam")
	if !u.s.domain.Visible() {
		t.Fatal("the veeam preset does not ask for the domain")
	}
	if got := u.problem("Provider"); !strings.Contains(got, "domain") {
		t.Errorf("under Provider: got %q, want the missing domain", got)
	}
	test.Type(u.s.domain, "backup.example.com:9419")
	test.Tap(u.button("Fill in"))
	if got := u.entry("Token endpoint").Text; got != "https://backup.example.com:9419/api/oauth2/token" {
		t.Errorf("token endpoint: got %q", got)
	}
	if got := u.sel("Login").Selected; !strings.HasPrefix(got, "password:") {
		t.Errorf("login: got %q", got)
	}
}

func TestSettingsPresetProfileFromTheFile(t *testing.T) {
	p := config.Profile{Name: "backup", Preset: "veeam", Domain: "backup.example.com", Scopes: []string{}}
	file := &memFile{cfg: &config.Config{Profiles: []config.Profile{p}}}
	u := openSettings(t, newEnv(t, &fakeAPI{}, file))
	if got := u.besideSave(); !strings.Contains(got, "No changes") {
		t.Fatalf("a preset profile from the file: beside Save %q", got)
	}
	if got := u.sel("Login").Selected; !strings.HasPrefix(got, "password:") {
		t.Errorf("login shown: got %q, want the preset's password", got)
	}
	if got := u.s.domain.Text; got != "backup.example.com" {
		t.Errorf("domain shown: got %q", got)
	}
	if got := u.entry("Token endpoint").PlaceHolder; !strings.Contains(got, "https://backup.example.com/api/oauth2/token") {
		t.Errorf("token endpoint placeholder: got %q, want the preset's", got)
	}
	u.s.domain.SetText("")
	if u.problem("Provider") == "" {
		t.Error("no domain: no problem under Provider")
	}
	test.Type(u.s.domain, "backup2.example.com")
	test.Tap(u.button("Save"))
	saved := string(file.saved)
	if !strings.Contains(saved, "domain = 'backup2.example.com'") || !strings.Contains(saved, "preset = 'veeam'") {
		t.Errorf("saved:\n%s", saved)
	}
	// What the preset decides stays the preset's: not written out.
	if strings.Contains(saved, "login") || strings.Contains(saved, "dialect") {
		t.Errorf("saved the preset's own values:\n%s", saved)
	}
}

// Choosing the default against a preset's choice writes it out: without
// it the preset's would apply again.
func TestSettingsDefaultAgainstThePreset(t *testing.T) {
	p := config.Profile{Name: "gw", Preset: "pagero", ClientID: "c", Scopes: []string{}}
	file := &memFile{cfg: &config.Config{Profiles: []config.Profile{p}}}
	u := openSettings(t, newEnv(t, &fakeAPI{}, file))
	if got := u.sel("Client auth").Selected; !strings.HasPrefix(got, "client_secret_basic:") {
		t.Fatalf("client auth shown: got %q, want the preset's", got)
	}
	u.choose("Client auth", "none")
	test.Tap(u.button("Save"))
	if got := file.cfg.Profiles[0].ClientAuth; got != "none" {
		t.Errorf("saved client_auth: got %q, want none", got)
	}
}

func TestSettingsEditsExtras(t *testing.T) {
	p := work
	p.ExtraParams = map[string]string{"resource": "https://api.example.com"}
	p.ExtraHeaders = map[string]string{"X-Api-Version": "1"}
	file := &memFile{cfg: &config.Config{Profiles: []config.Profile{p}}}
	u := openSettings(t, newEnv(t, &fakeAPI{}, file))
	params, headers := u.entry("Extra parameters"), u.entry("Extra headers")
	if params.Text != "resource = https://api.example.com\n" || headers.Text != "X-Api-Version = 1\n" {
		t.Fatalf("shown: params %q, headers %q", params.Text, headers.Text)
	}

	// Lines that do not read, and headers the config file refuses, are
	// named as they are typed, and block Save.
	for _, tt := range []struct{ text, want string }{
		{"X-Api-Version = 1\nX-Trace", `line 2: write name = value: there is no "="`},
		{"X Api = 1", `"X Api" is not a header name`},
		{"Authorization = Bearer x", `"Authorization" is set by tokentray itself`},
		{"X-A = 1\nx-a = 2", `"X-A" and "x-a" are the same header`},
		{`X-A = "a\r\nX-Evil: 1"`, `the value of "X-A" holds a line break`},
	} {
		headers.SetText(tt.text)
		if got := u.problem("Extra headers"); !strings.Contains(got, tt.want) {
			t.Errorf("headers %q: got problem %q, want %q", tt.text, got, tt.want)
		}
		if !u.button("Save").Disabled() || !strings.Contains(u.besideSave(), "Extra headers") {
			t.Errorf("headers %q: save enabled %v, beside Save %q", tt.text, !u.button("Save").Disabled(), u.besideSave())
		}
	}
	params.SetText("resource = https://api.example.com\n\" \" = x")
	if got := u.problem("Extra parameters"); !strings.Contains(got, "without a name") {
		t.Errorf("a nameless parameter: got problem %q", got)
	}

	params.SetText("resource = https://api.example.com\naudience = \"  spaced \"\n")
	headers.SetText("")
	test.Type(headers, "X-Api-Version = 2\nX-Trace = on")
	if u.button("Save").Disabled() {
		t.Fatalf("fixed: save is off: %q", u.besideSave())
	}
	test.Tap(u.button("Save"))
	got := file.cfg.Profiles[0]
	if want := map[string]string{"resource": "https://api.example.com", "audience": "  spaced "}; !maps.Equal(got.ExtraParams, want) {
		t.Errorf("saved extra_params: got %q, want %q", got.ExtraParams, want)
	}
	if want := map[string]string{"X-Api-Version": "2", "X-Trace": "on"}; !maps.Equal(got.ExtraHeaders, want) {
		t.Errorf("saved extra_headers: got %q, want %q", got.ExtraHeaders, want)
	}

	// Emptied, they leave the file.
	params.SetText("")
	headers.SetText("\n")
	test.Tap(u.button("Save"))
	if saved := string(file.saved); strings.Contains(saved, "extra_") {
		t.Errorf("emptied extras still in the file:\n%s", saved)
	}
}

// dialogButton finds the button labelled text in the window's top overlay
// (an open dialog).
func dialogButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("the dialog has no %q button", text)
	return nil
}

func TestSettingsDeletesTheStoredSecret(t *testing.T) {
	p := work
	p.ClientAuth = "client_secret_basic"
	f := &fakeAPI{}
	u := openSettings(t, newEnv(t, f, &memFile{cfg: &config.Config{Profiles: []config.Profile{p}}}))
	forget := u.button("Delete stored secret")
	if forget.Disabled() {
		t.Fatal("Delete stored secret is disabled for a saved confidential client")
	}

	test.Tap(forget)
	test.Tap(dialogButton(t, u.s.Win, "No"))
	if got := f.called(); strings.Contains(got, "delete") {
		t.Errorf("after No: calls %s, want none", got)
	}

	test.Tap(forget)
	test.Tap(dialogButton(t, u.s.Win, "Yes"))
	if got, want := f.called(), "delete-secret work,delete-key work"; got != want {
		t.Errorf("after Yes: calls %q, want %q (as tokentray secret delete)", got, want)
	}
	if !strings.Contains(u.status(), "Deleted the client secret and private key of work") {
		t.Errorf("status: %q", u.status())
	}

	f.deleteErr = &apiclient.Error{Code: "keyring", Message: "the keyring is locked"}
	test.Tap(forget)
	test.Tap(dialogButton(t, u.s.Win, "Yes"))
	if !strings.Contains(u.status(), "Not deleted: ") || !strings.Contains(u.status(), "locked") || forget.Disabled() {
		t.Errorf("a failed delete: status %q, button enabled %v", u.status(), !forget.Disabled())
	}

	test.Tap(u.button("Add"))
	if !forget.Disabled() {
		t.Error("Delete stored secret is enabled for a profile the agent does not know yet")
	}
}

// Saving from the window through the real config file keeps the comments
// of the file (config.Save edits it in place).
func TestSettingsSaveKeepsTheFilesComments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	doc := `# my tokentray
listen = "127.0.0.1:8733"   # the usual port

# for work
[[profile]]
name = "work"
issuer = "https://idp.example.com"   # the company IdP
client_id = "tokentray"
scopes = ["openid", "offline_access"]

# CI, do not touch
[[profile]]
name = "ci"
issuer = "https://ci.example.com"
client_id = "ci"
scopes = ["openid"]
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	u := openSettings(t, newEnv(t, &fakeAPI{}, File(path)))
	u.typeIn("Client ID", "tokentray-2")
	u.typeIn("Extra headers", "X-Team = blue")
	test.Tap(u.button("Save"))
	if !strings.Contains(u.status(), "Saved") {
		t.Fatalf("status: %q", u.status())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(doc, `client_id = "tokentray"`, `client_id = 'tokentray-2'`, 1)
	want = strings.Replace(want, "scopes = [\"openid\", \"offline_access\"]\n", "scopes = [\"openid\", \"offline_access\"]\nextra_headers = {X-Team = 'blue'}\n", 1)
	if got := string(b); got != want {
		t.Errorf("file after Save:\n%s\nwant\n%s", got, want)
	}
}

// With TOKENTRAY_SCREENSHOTS set (make screenshots), the settings window
// showing a problem is drawn to settings-problem.png, by Fyne's software
// painter with the dark theme of the desktop pictures.
func TestSettingsScreenshot(t *testing.T) {
	dir := os.Getenv("TOKENTRAY_SCREENSHOTS")
	if dir == "" {
		t.Skip("TOKENTRAY_SCREENSHOTS is not set (make screenshots sets it)")
	}
	env := newEnv(t, &fakeAPI{}, &memFile{cfg: &config.Config{Profiles: []config.Profile{work}}})
	env.App.Settings().SetTheme(theme.DarkTheme())
	u := openSettings(t, env)
	u.typeIn("Issuer", "ftp://x")
	u.s.Win.Resize(fyne.NewSize(940, 600))
	f, err := os.Create(filepath.Join(dir, "settings-problem.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, u.s.Win.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
