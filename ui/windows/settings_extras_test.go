package windows

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/ui/model"
)

// The windows talk to the agent through *apiclient.Client.
var _ API = (*apiclient.Client)(nil)

func TestPairsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		m    map[string]string
		text string
	}{
		{"plain", map[string]string{"resource": "https://api.example.com", "audience": "a=b"}, "audience = a=b\nresource = https://api.example.com\n"},
		{"empty value", map[string]string{"x": ""}, "x = \n"},
		{"a name with =", map[string]string{"a=b": "1"}, "\"a=b\" = 1\n"},
		{"an empty name", map[string]string{"": "1"}, "\"\" = 1\n"},
		{"spaces at the ends", map[string]string{" n": " v "}, "\" n\" = \" v \"\n"},
		{"control characters", map[string]string{"X-A": "a\r\nb\tc"}, "X-A = \"a\\r\\nb\\tc\"\n"},
		{"a leading quote", map[string]string{"q": `"x"`}, "q = \"\\\"x\\\"\"\n"},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := formatPairs(tt.m)
			if text != tt.text {
				t.Errorf("formatPairs: got %q, want %q", text, tt.text)
			}
			back, err := parsePairs(text)
			if err != nil || !maps.Equal(back, tt.m) {
				t.Errorf("parsePairs(%q): got %q, %v, want %q", text, back, err, tt.m)
			}
		})
	}
}

func TestPairsNameTheBadLine(t *testing.T) {
	tests := []struct{ text, want string }{
		{"a = 1\n\nb", `line 3: write name = value: there is no "="`},
		{" = 1", `line 1: write name = value: there is no name before the "="`},
		{`"a = 1`, `line 1: the quoted name does not end`},
		{`"a" 1`, `line 1: write name = value: no "=" after the quoted name`},
		{`a = "1`, `line 1: a value that starts with " must be one quoted string`},
		{"a = 1\nb = 2\na = 3", `line 3: "a" is already given on line 1`},
	}
	for _, tt := range tests {
		if _, err := parsePairs(tt.text); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parsePairs(%q): got %v, want %q", tt.text, err, tt.want)
		}
	}
}

func TestSettingsEditsExtras(t *testing.T) {
	p := work
	p.ExtraParams = map[string]string{"resource": "https://api.example.com"}
	p.ExtraHeaders = map[string]string{"X-Api-Version": "1"}
	file := &memFile{cfg: &config.Config{Profiles: []config.Profile{p}}}
	s := NewSettings(newEnv(t, &fakeAPI{}, file))
	params, headers := s.entries[fExtraParams], s.entries[fExtraHeaders]
	if params.Text != "resource = https://api.example.com\n" || headers.Text != "X-Api-Version = 1\n" {
		t.Fatalf("shown: params %q, headers %q", params.Text, headers.Text)
	}
	if len(s.Problems()) != 0 {
		t.Fatalf("a good profile: problems %v", s.Problems())
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
		if got := s.Problems()[fExtraHeaders]; !strings.Contains(got, tt.want) {
			t.Errorf("headers %q: got problem %q, want %q", tt.text, got, tt.want)
		}
		if !s.save.Disabled() || !strings.Contains(s.summary.Text, "Extra headers: ") {
			t.Errorf("headers %q: save enabled %v, summary %q", tt.text, !s.save.Disabled(), s.summary.Text)
		}
		if headers.Validate() == nil {
			t.Errorf("headers %q: the entry does not show its problem", tt.text)
		}
	}
	params.SetText("resource = https://api.example.com\n\" \" = x")
	if got := s.Problems()[fExtraParams]; !strings.Contains(got, "without a name") {
		t.Errorf("a nameless parameter: got problem %q", got)
	}

	params.SetText("resource = https://api.example.com\naudience = \"  spaced \"\n")
	headers.SetText("")
	test.Type(headers, "X-Api-Version = 2\nX-Trace = on")
	if len(s.Problems()) != 0 || s.save.Disabled() {
		t.Fatalf("fixed: problems %v, save enabled %v", s.Problems(), !s.save.Disabled())
	}
	test.Tap(s.save)
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
	test.Tap(s.save)
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
	s := NewSettings(newEnv(t, f, &memFile{cfg: &config.Config{Profiles: []config.Profile{p}}}))
	if s.forget.Disabled() {
		t.Fatal("Delete stored secret is disabled for a saved profile")
	}

	test.Tap(s.forget)
	test.Tap(dialogButton(t, s.Win, "No"))
	if got := f.called(); strings.Contains(got, "delete") {
		t.Errorf("after No: calls %s, want none", got)
	}

	test.Tap(s.forget)
	test.Tap(dialogButton(t, s.Win, "Yes"))
	if got, want := f.called(), "delete-secret work,delete-key work"; got != want {
		t.Errorf("after Yes: calls %q, want %q (as tokentray secret delete)", got, want)
	}
	if !strings.Contains(s.status.Text, "Deleted the client secret and private key of work") {
		t.Errorf("status: %q", s.status.Text)
	}

	f.deleteErr = &apiclient.Error{Code: "keyring", Message: "the keyring is locked"}
	s.forgetSecret("work")
	if !strings.Contains(s.status.Text, "Not deleted: ") || !strings.Contains(s.status.Text, "locked") || s.forget.Disabled() {
		t.Errorf("a failed delete: status %q, button enabled %v", s.status.Text, !s.forget.Disabled())
	}

	s.add()
	if !s.forget.Disabled() {
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
	s := NewSettings(newEnv(t, &fakeAPI{}, File(path)))
	s.entries[model.FClientID].SetText("tokentray-2")
	s.entries[fExtraHeaders].SetText("X-Team = blue")
	test.Tap(s.save)
	if !strings.Contains(s.status.Text, "Saved") {
		t.Fatalf("status: %q", s.status.Text)
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
