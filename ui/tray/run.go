package tray

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/app/launch"
	"github.com/tokentray/tokentray/ui/autostart"
	"github.com/tokentray/tokentray/ui/clipboard"
	"github.com/tokentray/tokentray/ui/model"
)

// RunAgent runs the tray in the agent's process until ctx ends or the user
// quits (cli.Env.RunTray). It asks the agent in-process (agent.Local) and
// redraws on its changes (agent.Subscribe); it never uses the socket. Without a tray host on the session bus it says
// so and opens the status window; the icon still appears if a host starts
// later. Without a session bus at all it opens the status window and
// returns agent.ErrNoTray: the agent then serves on without a tray.
func RunAgent(ctx context.Context, a *agent.Agent) error {
	log := a.Logger()
	c := a.Local()
	exe, err := autostartExe()
	if err != nil {
		return fmt.Errorf("tray: %w", err)
	}
	st, err := c.Status(ctx)
	if err != nil {
		return fmt.Errorf("tray: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	win := &Spawner{Exe: func() (string, error) { return launch.Find(launch.UI) }, Flags: []string{"--config", st.Agent.Config, "--runtime-dir", a.RuntimeDir()}, Stderr: os.Stderr, Log: log,
		OnExit: func(args []string, code int) {
			if args[0] == "status" && code == model.ExitQuitAgent {
				log.Info("quit from the status window")
				cancel()
			}
		}}
	defer win.Close()

	board, err := clipboard.New(os.Getenv)
	if err != nil {
		log.Warn("no clipboard: the copy items will fail", "err", err)
		board = noBoard{err}
	}
	copier := &clipboard.Copier{Board: board, Delay: func() time.Duration { return a.Config().ClipboardClearAfter() },
		OnClear: func(cleared bool, err error) {
			if err != nil {
				log.Warn("clearing the clipboard", "err", err)
			} else if cleared {
				log.Info("copied token cleared from the clipboard")
			}
		}}
	defer copier.ClearNow()
	// The windows copy through the agent with this copier too (POST
	// /v1/clipboard): the secret hint and the clear outlive the window.
	a.SetClipboard(copier)
	defer a.SetClipboard(nil)

	host, err := trayHost(ctx)
	if err != nil || !host {
		why := "no StatusNotifier host on the session bus (on GNOME, install the AppIndicator extension)"
		if err != nil {
			why = err.Error()
		}
		fmt.Fprintf(os.Stderr, "tokentray: no system tray: %s.\ntokentray: opening the status window instead; the agent serves on %s and %s.\n", why, a.Socket(), a.TCPAddr())
		werr := win.Open("status", "--quit-button")
		if werr != nil {
			log.Error("opening the status window", "err", werr)
		}
		if err != nil {
			if werr != nil {
				return fmt.Errorf("%w: %s", agent.ErrNoTray, why)
			}
			<-ctx.Done() // the status window's Quit ends it too
			return nil
		}
	}

	agentChanges, unsubscribe := a.Subscribe()
	defer unsubscribe()
	// The tray redraws on the agent's changes, and on the desktop's colour
	// scheme changing (which matters with tray_theme = "auto" only).
	changes := make(chan struct{}, 1)
	poke := func() {
		select {
		case changes <- struct{}{}:
		default:
		}
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-agentChanges:
				poke()
			}
		}
	}()
	n, closeNotifier := newNotifier(log)
	defer closeNotifier()

	entry := autostart.Entry{Exec: exe}
	if def, _ := config.DefaultPath(); st.Agent.Config != def {
		entry.Args = []string{"--config", st.Agent.Config}
	}
	theme := &panelTheme{setting: func() string { return a.Config().TrayTheme },
		resolve: func(theme string) bool { return darkPanel(ctx, theme) }}
	go watchColorScheme(ctx, func() { theme.DesktopChanged(); poke() })
	t := New(Options{
		API:          c,
		Changes:      changes,
		Windows:      win,
		Clipboard:    copier,
		Notifier:     n,
		Autostart:    &autostart.Manager{Entry: entry},
		DarkPanel:    theme.Dark,
		FailingAfter: failingAfter(os.Getenv, log),
		Log:          log,
	})
	return t.Run(ctx)
}

type noBoard struct{ err error }

func (b noBoard) Write(string) error           { return b.err }
func (b noBoard) ClearIf(string) (bool, error) { return false, nil }

// darkPanel decides which icons to use: the config's tray_theme, else the
// desktop's colour scheme (the XDG settings portal), else dark: most
// panels (GNOME, Ubuntu, KDE's default, XFCE's) are dark.
func darkPanel(ctx context.Context, theme string) bool {
	switch theme {
	case "dark":
		return true
	case "light":
		return false
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return true
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	obj := conn.Object(portalName, portalPath)
	var v dbus.Variant
	if err := obj.CallWithContext(ctx, portalSettings+".ReadOne", 0, appearanceNS, colorSchemeKey).Store(&v); err != nil {
		if err := obj.CallWithContext(ctx, portalSettings+".Read", 0, appearanceNS, colorSchemeKey).Store(&v); err != nil {
			return true
		}
		if inner, ok := v.Value().(dbus.Variant); ok {
			v = inner
		}
	}
	scheme, _ := v.Value().(uint32)
	return scheme != schemePrefLight
}
