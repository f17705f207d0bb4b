package windows

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/ui/model"
)

// Status is the small window shown instead of the tray when the desktop
// has no tray host: each profile with its state and its actions, Settings,
// and (when the agent opened it) Quit.
type Status struct {
	env  *Env
	Win  fyne.Window
	quit func()

	st    apiclient.StatusResponse
	rows  *fyne.Container
	hint  *widget.Label // why this window is there (no tray)
	note  *widget.Label // what the last action did
	stop  chan struct{}
	lines map[string]*widget.Label
	shape string
}

// NewStatus builds the status window; quit, if set, adds "Quit tokentray".
func NewStatus(env *Env, quit func()) *Status {
	s := &Status{env: env, quit: quit, stop: make(chan struct{}), lines: map[string]*widget.Label{}}
	s.Win = env.newWindow("tokentray")
	s.rows = container.NewVBox()
	s.note = wrapped("")
	s.hint = wrapped("")
	s.hint.Hide()
	var head fyne.CanvasObject = widget.NewLabelWithStyle("tokentray", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if env.Icon != nil {
		img := canvas.NewImageFromResource(env.Icon)
		img.SetMinSize(fyne.NewSize(32, 32))
		img.FillMode = canvas.ImageFillContain
		head = container.NewHBox(img, head)
	}
	buttons := container.NewHBox(widget.NewButtonWithIcon("Settings…", theme.SettingsIcon(), func() { s.open("settings") }), layoutSpacer())
	if quit != nil {
		buttons.Add(widget.NewButtonWithIcon("Quit tokentray", theme.LogoutIcon(), quit))
	}
	s.Win.SetContent(container.NewBorder(container.NewVBox(head, widget.NewSeparator()),
		container.NewVBox(s.note, s.hint, widget.NewSeparator(), buttons), nil, nil, container.NewVScroll(s.rows)))
	s.Win.Resize(fyne.NewSize(560, 320))
	env.onClosed(s.Win, func() { close(s.stop) })
	s.load()
	return s
}

// Start rereads the states every 5 s while the window is open.
func (s *Status) Start() { every(5*time.Second, s.stop, s.load) }

func (s *Status) open(args ...string) {
	if err := s.env.Open(args...); err != nil {
		s.note.SetText(oneLine(err))
	}
}

func (s *Status) load() {
	call(s.env, 10*time.Second, func(ctx context.Context) (apiclient.StatusResponse, error) { return s.env.API.Status(ctx) },
		func(st apiclient.StatusResponse, err error) {
			if err != nil {
				s.note.SetText("The agent does not answer: " + oneLine(err))
				return
			}
			s.Show(st)
		})
}

// Show draws st.
func (s *Status) Show(st apiclient.StatusResponse) {
	s.st = st
	now := s.env.now()
	m := model.BuildMenu(model.MenuInput{Profiles: st.Profiles, Now: now, APIAddr: st.Agent.Listen})
	if m.Shape() != s.shape {
		s.rows.RemoveAll()
		s.lines = map[string]*widget.Label{}
		if len(st.Profiles) == 0 {
			s.rows.Add(widget.NewLabel("No profiles yet: add one in Settings…"))
		}
		for _, p := range st.Profiles {
			name := p.Profile
			line := widget.NewLabel("")
			s.lines[name] = line
			s.rows.Add(container.NewBorder(nil, nil, widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
				container.NewHBox(
					widget.NewButton("Log in…", func() { s.open("login", name) }),
					widget.NewButton("Details…", func() { s.open("details", name) }),
					widget.NewButtonWithIcon("Copy token", theme.ContentCopyIcon(), func() { s.copyToken(name) }),
				), line))
		}
		s.shape = m.Shape()
	}
	for _, p := range st.Profiles {
		if l := s.lines[p.Profile]; l != nil {
			l.SetText(model.StatusLine(p, now))
		}
	}
	switch {
	case s.quit == nil:
	case st.Agent.Listen != "":
		s.hint.Show()
		s.hint.SetText(fmt.Sprintf("No system tray on this desktop, so this window shows what the tray would. tokentray keeps serving tokens on http://%s when it is closed; `tokentray ui status` opens it again.", st.Agent.Listen))
	default:
		s.hint.Show()
		s.hint.SetText("No system tray on this desktop, so this window shows what the tray would. tokentray keeps running when it is closed; `tokentray ui status` opens it again.")
	}
}

func (s *Status) copyToken(profile string) {
	s.env.copyToken(profile, s.note.SetText)
}

// NewAbout builds the about window.
func NewAbout(env *Env, version string) fyne.Window {
	w := env.newWindow("About tokentray")
	info := widget.NewForm()
	var img fyne.CanvasObject = layoutSpacer()
	if env.Icon != nil {
		i := canvas.NewImageFromResource(env.Icon)
		i.SetMinSize(fyne.NewSize(96, 96))
		i.FillMode = canvas.ImageFillContain
		img = i
	}
	text := wrapped("tokentray keeps you logged in to OAuth 2.0 and OpenID Connect providers and serves fresh access tokens to the tools on this machine.")
	head := widget.NewLabelWithStyle("tokentray "+version, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	w.SetContent(container.NewBorder(nil, container.NewHBox(layoutSpacer(), widget.NewButton("Close", func() { w.Close() })),
		container.NewVBox(img), nil, container.NewVBox(head, text, info)))
	call(env, 10*time.Second, func(ctx context.Context) (apiclient.StatusResponse, error) { return env.API.Status(ctx) },
		func(st apiclient.StatusResponse, err error) {
			if err != nil {
				info.Append("Agent", widget.NewLabel(oneLine(err)))
				return
			}
			a := st.Agent
			listen := a.Listen
			if listen == "" {
				listen = "off"
			}
			for _, r := range [][2]string{{"Agent", fmt.Sprintf("version %s, pid %d", a.Version, a.PID)}, {"Config", a.Config},
				{"Socket", a.Socket}, {"Token API", listen}, {"Refresh tokens", map[string]string{"keyring": "in the OS keyring", "file": "in a plain file (store = \"file\")"}[a.Store]}} {
				l := widget.NewLabel(r[1])
				l.Wrapping = fyne.TextWrapBreak
				info.Append(r[0], l)
			}
		})
	w.Resize(fyne.NewSize(620, 300))
	env.onClosed(w, nil)
	return w
}
