// Package desktop starts the Fyne windows in their own process: `tokentray
// ui WINDOW …` (cmd/tokentray-ui). It is the one package that links Fyne's
// OpenGL driver (cgo): the process lives only while a window is open, so
// the driver's 60 Hz loop never runs in the always-on agent.
package desktop

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/launch"
	"github.com/tokentray/tokentray/assets"
	"github.com/tokentray/tokentray/ui/model"
	"github.com/tokentray/tokentray/ui/windows"
)

// AppID is the application's ID (FyneApp.toml, the .desktop file).
const AppID = "io.github.tokentray"

// Run shows the window args name and returns when its last window closes.
func Run(ctx context.Context, args []string, c *apiclient.Client) error {
	if len(args) == 0 {
		return errors.New("which window?\n" + launch.WindowUsage())
	}
	i := slices.IndexFunc(launch.Windows, func(w launch.Window) bool { return w.Name == args[0] })
	if i < 0 {
		return fmt.Errorf("no window %q; the windows are:\n%s", args[0], launch.WindowUsage())
	}
	win := launch.Windows[i]
	if win.Args == "PROFILE" && len(args) != 2 {
		return fmt.Errorf("usage: tokentray ui %s %s", win.Name, win.Args)
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)")
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	st, err := c.Status(sctx)
	cancel()
	if err != nil {
		return err
	}
	file := windows.File(st.Agent.Config)

	// Fyne keeps its cache under the user cache dir but creates only its
	// own directory in it; a fresh account may not have ~/.cache yet.
	if dir, err := os.UserCacheDir(); err == nil {
		os.MkdirAll(dir, 0o700)
	}
	log.SetOutput(&prefsNoise{w: log.Writer()})
	a := app.NewWithID(AppID)
	icon := fyne.NewStaticResource("tokentray.png", assets.AppIcon())
	a.SetIcon(icon)
	hc := &http.Client{Timeout: 20 * time.Second}
	env := &windows.Env{App: a, API: c, Config: file, Discover: windows.DiscoverWith(hc), Icon: icon}
	quitAgent := false
	var open func(args ...string) (fyne.Window, error)
	opened := map[string]fyne.Window{}
	open = func(args ...string) (fyne.Window, error) {
		key := fmt.Sprint(args)
		if w, ok := opened[key]; ok {
			w.RequestFocus()
			return w, nil
		}
		var w fyne.Window
		switch args[0] {
		case "settings":
			w = windows.NewSettings(env).Win
		case "details":
			d := windows.NewDetails(env, args[1])
			d.Start()
			w = d.Win
		case "login":
			l := windows.NewLogin(env, args[1])
			l.Start()
			w = l.Win
		case "status":
			var quit func()
			if len(args) > 1 && args[1] == "--quit-button" {
				quit = func() { quitAgent = true; a.Quit() }
			}
			s := windows.NewStatus(env, quit)
			s.Start()
			w = s.Win
		case "about":
			w = windows.NewAbout(env, st.Agent.Version)
		default:
			return nil, fmt.Errorf("no window %q", args[0])
		}
		opened[key] = w
		w.Show()
		return w, nil
	}
	env.Open = func(args ...string) error { _, err := open(args...); return err }
	env.OnClose = func(w fyne.Window) {
		for k, o := range opened {
			if o == w {
				delete(opened, k)
			}
		}
	}
	if win.Args == "PROFILE" {
		if err := windows.CheckProfile(st, args[1]); err != nil {
			if os.Getenv(model.FromTrayEnv) != "" {
				windows.NewRefusal(env, err).Show()
				a.Run()
			}
			return err
		}
	}
	first, err := open(args...)
	if err != nil {
		return err
	}

	// The tray raises an open window with SIGUSR1; the agent's quit ends us.
	sig := make(chan os.Signal, 1)
	notifyRaise(sig)
	defer signal.Stop(sig)
	// Quit before the driver's loop runs does nothing (it is not running
	// yet), so a SIGTERM in the first moments left the window open for
	// good: the watch starts once the loop has.
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			for {
				select {
				case <-sig:
					fyne.Do(first.RequestFocus)
				case <-ctx.Done():
					fyne.Do(a.Quit)
					return
				}
			}
		}()
	})
	a.Run()
	if quitAgent {
		os.Exit(model.ExitQuitAgent)
	}
	return nil
}
