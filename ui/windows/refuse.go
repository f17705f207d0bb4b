package windows

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokentray/tokentray/app/apiclient"
)

// CheckProfile refuses a window for a profile the agent does not have, as
// the command line's commands do: a window of placeholders with working
// buttons would act on nothing.
func CheckProfile(st apiclient.StatusResponse, name string) error {
	names := make([]string, 0, len(st.Profiles))
	for _, p := range st.Profiles {
		if p.Profile == name {
			return nil
		}
		names = append(names, p.Profile)
	}
	if len(name) > 64 {
		name = name[:64] + "…"
	}
	if len(names) == 0 {
		return fmt.Errorf("no profile named %q in the config: it has no profiles yet (add one with `tokentray ui settings`)", name)
	}
	return fmt.Errorf("no profile named %q in the config; its profiles: %s", name, strings.Join(names, ", "))
}

// NewRefusal builds the window that says why the window asked for cannot
// open (shown when the tray asked: nobody reads its standard error).
func NewRefusal(env *Env, err error) fyne.Window {
	w := env.newWindow("tokentray: cannot open the window")
	msg := wrapped(err.Error())
	icon := widget.NewIcon(theme.ErrorIcon())
	closeBtn := widget.NewButton("Close", func() { w.Close() })
	w.SetContent(container.NewBorder(nil, container.NewHBox(layoutSpacer(), closeBtn), icon, nil, msg))
	w.Resize(fyne.NewSize(460, 140))
	env.onClosed(w, nil)
	return w
}
