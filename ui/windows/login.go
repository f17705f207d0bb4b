package windows

import (
	"context"
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
)

// Login is the login progress window. For a browser login it shows the
// address being opened, "Copy login URL" for using another browser, and
// Cancel; for a device login (RFC 8628) the code to enter and where; for a
// password login it asks for the password (used once by the agent, never
// stored); for an import it takes a refresh token.
type Login struct {
	env     *Env
	profile string
	method  string
	Win     fyne.Window

	state   *widget.Label
	url     *widget.Entry
	copyURL *widget.Button
	code    *widget.Label  // the device login's user code
	open    *widget.Button // opens the device login's page
	cancel  *widget.Button
	retry   *widget.Button
	user    *widget.Entry
	secret  *widget.Entry
	submit  *widget.Button
	done    bool
	// CloseAfter is how long the window stays after a successful login.
	CloseAfter time.Duration
}

// NewLogin builds the login window of a profile; Start begins the login.
func NewLogin(env *Env, profile string) *Login {
	l := &Login{env: env, profile: profile, CloseAfter: 2 * time.Second}
	var prof config.Profile
	if cfg, err := env.Config.Load(); err == nil {
		if p, ok := cfg.Profile(profile); ok {
			prof = *p
		}
	}
	l.method = prof.Login
	l.Win = env.newWindow("tokentray: log in to " + profile)
	l.state = wrapped("")
	title := widget.NewLabelWithStyle("Log in to "+profile, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	closeBtn := widget.NewButton("Close", func() { l.Win.Close() })
	switch l.method {
	case "password":
		l.user = widget.NewEntry()
		l.user.SetText(prof.Username)
		l.user.SetPlaceHolder("user name")
		l.secret = widget.NewPasswordEntry()
		l.secret.SetPlaceHolder("password")
		l.secret.OnSubmitted = func(string) { l.sendPassword() }
		l.submit = widget.NewButtonWithIcon("Log in", theme.LoginIcon(), func() { l.sendPassword() })
		l.submit.Importance = widget.HighImportance
		l.state.SetText("The password is sent to the provider once and never stored.")
		form := widget.NewForm(widget.NewFormItem("User name", l.user), widget.NewFormItem("Password", l.secret))
		l.Win.SetContent(container.NewVBox(title, form, l.state, container.NewHBox(layoutSpacer(), closeBtn, l.submit)))
	case "import":
		l.secret = widget.NewMultiLineEntry()
		l.secret.SetPlaceHolder("paste the refresh token")
		l.secret.Wrapping = fyne.TextWrapBreak
		l.submit = widget.NewButtonWithIcon("Import", theme.LoginIcon(), func() { l.sendImport() })
		l.submit.Importance = widget.HighImportance
		l.state.SetText("This provider has no browser login: paste a refresh token obtained elsewhere. It goes to the keyring.")
		l.Win.SetContent(container.NewBorder(container.NewVBox(title, l.state), container.NewHBox(layoutSpacer(), closeBtn, l.submit), nil, nil, l.secret))
	case "device":
		l.code = widget.NewLabelWithStyle("…", fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
		l.code.SizeName = theme.SizeNameHeadingText
		l.waitingParts("waiting for the provider …", "Copy code", func() {
			env.App.Clipboard().SetContent(l.code.Text)
			l.state.SetText("Code copied.")
		})
		l.open = widget.NewButtonWithIcon("Open the page", theme.ComputerIcon(), func() {
			if u, err := url.Parse(l.url.Text); err == nil {
				env.App.OpenURL(u)
			}
		})
		l.open.Disable()
		l.Win.SetContent(container.NewVBox(title, l.state, l.code, l.url, container.NewHBox(l.copyURL, l.open, layoutSpacer(), l.retry, l.cancel, closeBtn)))
	default:
		l.waitingParts("waiting for the agent …", "Copy login URL", func() {
			env.App.Clipboard().SetContent(l.url.Text)
			l.state.SetText("Login URL copied: open it in the browser you want to use.")
		})
		l.Win.SetContent(container.NewVBox(title, l.state, l.url, container.NewHBox(l.copyURL, layoutSpacer(), l.retry, l.cancel, closeBtn)))
	}
	l.Win.Resize(fyne.NewSize(620, 220))
	// Closing the window does not cancel a browser login (the browser may
	// still finish it); Cancel does.
	env.onClosed(l.Win, nil)
	return l
}

// waitingParts makes what a browser or device login shows while it waits:
// the address (disabled until the agent sends it), a copy button, Cancel,
// and Try again (hidden until the login fails).
func (l *Login) waitingParts(placeholder, copyLabel string, copy func()) {
	l.url = widget.NewEntry()
	l.url.SetPlaceHolder(placeholder)
	l.url.Disable()
	l.copyURL = widget.NewButtonWithIcon(copyLabel, theme.ContentCopyIcon(), copy)
	l.copyURL.Disable()
	l.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { l.cancelLogin() })
	l.retry = widget.NewButtonWithIcon("Try again", theme.ViewRefreshIcon(), func() { l.Start() })
	l.retry.Hide()
}

// Start begins (or joins) a browser login; for password and import logins
// it waits for the user.
func (l *Login) Start() {
	if l.method == "password" || l.method == "import" {
		l.Win.Canvas().Focus(l.secret)
		return
	}
	l.done = false
	l.retry.Hide()
	l.cancel.Enable()
	l.state.SetText("Starting the login …")
	if l.method == "device" {
		call(l.env, 61*time.Minute, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, l.env.API.LoginDevice(ctx, l.profile, func(c apiclient.DeviceCode) {
				fyne.Do(func() { l.showCode(c) })
			})
		}, func(_ struct{}, err error) { l.finish(err) })
		return
	}
	call(l.env, 6*time.Minute, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, l.env.API.Login(ctx, l.profile, false, func(u string) {
			fyne.Do(func() { l.showURL(u) })
		})
	}, func(_ struct{}, err error) { l.finish(err) })
}

func (l *Login) showURL(u string) {
	l.url.SetText(u)
	l.url.Enable()
	l.copyURL.Enable()
	host := u
	if p, err := url.Parse(u); err == nil {
		host = p.Host
	}
	l.state.SetText("Your browser opens " + host + ". Sign in there; this window follows. Another browser? Copy the login URL.")
}

func (l *Login) showCode(c apiclient.DeviceCode) {
	l.code.SetText(c.UserCode)
	u := c.VerificationURIComplete
	if u == "" {
		u = c.VerificationURI
	}
	l.url.SetText(u)
	l.url.Enable()
	l.copyURL.Enable()
	l.open.Enable()
	msg := "On any device, open the page below and enter the code."
	if !c.ExpiresAt.IsZero() {
		msg += " It expires at " + c.ExpiresAt.Local().Format("15:04") + "."
	}
	l.state.SetText(msg)
}

func (l *Login) finish(err error) {
	switch {
	case err == nil:
		l.done = true
		l.state.SetText("Logged in. tokentray keeps the login fresh from now on.")
		if l.cancel != nil {
			l.cancel.Disable()
		}
		l.env.after(l.CloseAfter, func() { fyne.Do(func() { l.Win.Close() }) })
		return
	case apiclient.CodeOf(err) == apiclient.CodeCancelled:
		l.state.SetText("Login cancelled.")
	default:
		l.state.SetText("Login failed: " + oneLine(err))
	}
	if l.cancel != nil {
		l.cancel.Disable()
		l.retry.Show()
	}
}

func (l *Login) cancelLogin() {
	l.cancel.Disable()
	call(l.env, 10*time.Second, func(ctx context.Context) (struct{}, error) { return struct{}{}, l.env.API.CancelLogin(ctx, l.profile) },
		func(_ struct{}, err error) {
			if err != nil {
				l.state.SetText("Could not cancel: " + oneLine(err))
				l.cancel.Enable()
			}
		})
}

func (l *Login) sendPassword() {
	user, pw := l.user.Text, l.secret.Text
	l.submit.Disable()
	l.state.SetText("Logging in …")
	call(l.env, 40*time.Second, func(ctx context.Context) (apiclient.Status, error) {
		return l.env.API.Password(ctx, l.profile, user, pw)
	},
		func(_ apiclient.Status, err error) {
			l.secret.SetText("")
			l.submit.Enable()
			l.finish(err)
		})
}

func (l *Login) sendImport() {
	rt := l.secret.Text
	l.submit.Disable()
	l.state.SetText("Importing …")
	call(l.env, 40*time.Second, func(ctx context.Context) (apiclient.Status, error) { return l.env.API.Import(ctx, l.profile, rt) },
		func(_ apiclient.Status, err error) {
			l.secret.SetText("")
			l.submit.Enable()
			l.finish(err)
		})
}
