// Package windows holds tokentray's Fyne windows: settings (the profile
// editor), token details, login progress, the status window shown when
// there is no tray, and about. They run in their own process (`tokentray
// ui …`, see ui/desktop), talk to the agent through its API like the CLI,
// and touch widgets only on Fyne's UI goroutine (fyne.Do): work that waits
// on the agent or the network runs on other goroutines and hands its
// result back with fyne.Do.
//
// This package does not start the GLFW driver; it builds windows on any
// fyne.App, so its tests run with fyne.io/fyne/v2/test and CGO_ENABLED=0.
package windows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/auth"
)

// API is what the windows ask of the agent; *apiclient.Client has it.
type API interface {
	Status(ctx context.Context) (apiclient.StatusResponse, error)
	Details(ctx context.Context, profile string) (apiclient.DetailsResponse, error)
	Token(ctx context.Context, profile string, minValid time.Duration) (apiclient.TokenResponse, error)
	// CopyToClipboard has the agent copy a profile's access token with its
	// clipboard owner (secret hint, clear that outlives the window).
	CopyToClipboard(ctx context.Context, profile string) (apiclient.ClipboardResponse, error)
	Login(ctx context.Context, profile string, noBrowser bool, onURL func(string)) error
	LoginDevice(ctx context.Context, profile string, onCode func(apiclient.DeviceCode)) error
	CancelLogin(ctx context.Context, profile string) error
	Password(ctx context.Context, profile, user, password string) (apiclient.Status, error)
	Import(ctx context.Context, profile, refreshToken string) (apiclient.Status, error)
	Refresh(ctx context.Context, profile string) (apiclient.Status, error)
	Logout(ctx context.Context, profile string) (apiclient.LogoutResult, error)
	Reload(ctx context.Context) error
	SetSecret(ctx context.Context, profile, secret string) (apiclient.SecretResponse, error)
	DeleteSecret(ctx context.Context, profile string) error
	DeletePrivateKey(ctx context.Context, profile string) error
}

// ConfigFile reads and writes the agent's config file.
type ConfigFile interface {
	Load() (*config.Config, error)
	Save(*config.Config) error
	Path() string
}

// File is the config file at a path (config.Load and config.Save).
type File string

// Load reads the file; a missing file is an empty config.
func (f File) Load() (*config.Config, error) {
	c, err := config.Load(string(f))
	if errors.Is(err, config.ErrNotExist) {
		return &config.Config{}, nil
	}
	return c, err
}

// Save writes the file atomically.
func (f File) Save(c *config.Config) error { return config.Save(string(f), c) }

// Path is the file's path.
func (f File) Path() string { return string(f) }

// Env is what the windows need; every side effect is in it.
type Env struct {
	App    fyne.App
	API    API
	Config ConfigFile
	// Discover reads a provider's metadata (auth.Discover).
	Discover func(ctx context.Context, issuer string) (auth.Endpoints, error)
	Now      func() time.Time
	// Open opens another window of this process (settings from the status
	// window).
	Open func(args ...string) error
	// After runs f after d (time.AfterFunc); tests replace it.
	After func(d time.Duration, f func())
	// Icon is the windows' icon.
	Icon fyne.Resource
	// OnClose, if set, learns that a window closed.
	OnClose func(fyne.Window)
	// Async runs work that waits on the agent or the network; `go f()`
	// when nil. Tests run it in place.
	Async func(f func())
}

// onClosed sets w's close handler: f, then Env.OnClose.
func (e *Env) onClosed(w fyne.Window, f func()) {
	w.SetOnClosed(func() {
		if f != nil {
			f()
		}
		if e.OnClose != nil {
			e.OnClose(w)
		}
	})
}

// newWindow is a window of this process, with the windows' icon.
func (e *Env) newWindow(title string) fyne.Window {
	w := e.App.NewWindow(title)
	if e.Icon != nil {
		w.SetIcon(e.Icon)
	}
	return w
}

// wrapped is a label that wraps its text at word boundaries.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (e *Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

func (e *Env) after(d time.Duration, f func()) {
	if e.After == nil {
		time.AfterFunc(d, f)
		return
	}
	e.After(d, f)
}

// DiscoverWith is Env.Discover over an HTTP client with timeouts.
func DiscoverWith(hc *http.Client) func(ctx context.Context, issuer string) (auth.Endpoints, error) {
	return func(ctx context.Context, issuer string) (auth.Endpoints, error) {
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		return auth.Discover(ctx, hc, issuer)
	}
}

// call runs f off the UI goroutine (Env.Async) with a timeout and hands
// its result to done on the UI goroutine.
func call[T any](e *Env, timeout time.Duration, f func(ctx context.Context) (T, error), done func(T, error)) {
	work := func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		v, err := f(ctx)
		fyne.Do(func() { done(v, err) })
	}
	if e.Async != nil {
		e.Async(work)
		return
	}
	go work()
}

// every runs f on the UI goroutine every d, until stop is closed.
func every(d time.Duration, stop <-chan struct{}, f func()) {
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				fyne.Do(f)
			}
		}
	}()
}

// oneLine shortens an error for a label.
func oneLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return s
}

// copyToken has the agent copy a profile's access token (never through this
// process's clipboard: it dies with the window, and Fyne's cannot mark a
// secret) and hands done the sentence to show.
func (e *Env) copyToken(profile string, done func(note string)) {
	call(e, 15*time.Second, func(ctx context.Context) (apiclient.ClipboardResponse, error) {
		return e.API.CopyToClipboard(ctx, profile)
	},
		func(r apiclient.ClipboardResponse, err error) {
			switch {
			case err != nil:
				done("Nothing copied: " + oneLine(err))
			case r.ClearAfter > 0:
				done(fmt.Sprintf("Access token of %s copied; it is cleared from the clipboard in %s.", profile, apiclient.Human(time.Duration(r.ClearAfter)*time.Second)))
			default:
				done("Access token of " + profile + " copied.")
			}
		})
}
