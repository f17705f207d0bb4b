package windows

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/ui/model"
)

// Details is the token details window: the decoded JWT (or "opaque
// token"), scopes, when it was issued and when it expires with a live
// countdown, and the last refresh and its result. It shows no token and
// never the refresh token; "Copy access token" copies without showing.
type Details struct {
	env     *Env
	profile string
	Win     fyne.Window

	d       apiclient.DetailsResponse
	loaded  bool
	stop    chan struct{}
	heading *widget.Label
	rows    *widget.Form
	values  map[string]*widget.Label
	header  *widget.Label
	claims  *widget.Label
	extra   *widget.Label
	tabs    *container.AppTabs
	note    *widget.Label
	refresh *widget.Button
	copyBtn *widget.Button
}

// detailRows are the rows of the details grid, in order.
var detailRows = []string{"Token", "Token type", "Scopes", "Issued", "Expires", "Expiry from", "Last refresh", "Next refresh", "Login expires"}

// NewDetails builds the token details window of a profile.
func NewDetails(env *Env, profile string) *Details {
	w := &Details{env: env, profile: profile, values: map[string]*widget.Label{}, stop: make(chan struct{})}
	w.Win = env.newWindow("tokentray: " + profile + " token details")
	w.heading = widget.NewLabelWithStyle(profile, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	w.rows = widget.NewForm()
	for _, r := range detailRows {
		l := wrapped("…")
		w.values[r] = l
		w.rows.Append(r, l)
	}
	mono := func() *widget.Label {
		l := widget.NewLabel("")
		l.TextStyle = fyne.TextStyle{Monospace: true}
		l.Wrapping = fyne.TextWrapBreak
		return l
	}
	w.header, w.claims, w.extra = mono(), mono(), mono()
	w.tabs = container.NewAppTabs(
		container.NewTabItem("Claims", container.NewVScroll(w.claims)),
		container.NewTabItem("Header", container.NewVScroll(w.header)),
		container.NewTabItem("Provider fields", container.NewVScroll(w.extra)),
	)
	w.note = wrapped("")
	w.copyBtn = widget.NewButtonWithIcon("Copy access token", theme.ContentCopyIcon(), func() { w.copyToken() })
	w.refresh = widget.NewButtonWithIcon("Refresh now", theme.ViewRefreshIcon(), func() { w.refreshNow() })
	closeBtn := widget.NewButton("Close", func() { w.Win.Close() })
	top := container.NewVBox(w.heading, w.rows, w.note)
	bottom := container.NewHBox(w.copyBtn, w.refresh, layoutSpacer(), closeBtn)
	w.Win.SetContent(container.NewBorder(top, bottom, nil, nil, w.tabs))
	w.Win.Resize(fyne.NewSize(720, 780))
	env.onClosed(w.Win, func() { close(w.stop) })
	w.load()
	return w
}

// Start runs the live countdown (every second) and rereads the details
// every 15 s, until the window closes.
func (w *Details) Start() {
	n := 0
	every(time.Second, w.stop, func() {
		n++
		w.countdown()
		if n%15 == 0 {
			w.load()
		}
	})
}

func (w *Details) load() {
	call(w.env, 10*time.Second, func(ctx context.Context) (apiclient.DetailsResponse, error) { return w.env.API.Details(ctx, w.profile) },
		func(d apiclient.DetailsResponse, err error) {
			if err != nil {
				w.note.SetText("Cannot read the details: " + oneLine(err))
				return
			}
			w.Show(d)
		})
}

func clockTime(t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.Local()
	if t.YearDay() == now.Local().YearDay() && t.Year() == now.Local().Year() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04:05")
}

func ago(t, now time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		return "in " + apiclient.Human(-d)
	}
	return apiclient.Human(d) + " ago"
}

// Show fills the window from d.
func (w *Details) Show(d apiclient.DetailsResponse) {
	w.d, w.loaded = d, true
	now := w.env.now()
	st := d.Status
	w.heading.SetText(w.profile + ": " + model.StatusLine(st, now))
	set := func(k, v string) { w.values[k].SetText(v) }
	switch d.Format {
	case "jwt":
		alg, _ := d.Header["alg"].(string)
		set("Token", fmt.Sprintf("JWT (%s), %d characters", alg, d.Length))
	case "opaque":
		set("Token", fmt.Sprintf("opaque token, %d characters: only the provider can read it", d.Length))
	default:
		set("Token", "none: "+model.StatusLine(st, now))
	}
	set("Token type", orDash(d.TokenType))
	scopes := strings.Fields(d.Scope)
	set("Scopes", orDash(strings.Join(scopes, "  ")))
	if d.IssuedAt.IsZero() {
		set("Issued", "—")
	} else {
		set("Issued", clockTime(d.IssuedAt, now)+" ("+ago(d.IssuedAt, now)+")")
	}
	set("Expiry from", orDash(map[string]string{"expires_in": "expires_in (the token response)", "expires_at": "the provider's expiry timestamp",
		"jwt": "the JWT's exp", "default": "default_lifetime (the provider did not say)"}[st.ExpirySource]))
	last := "—"
	if !st.LastRefresh.IsZero() {
		last = clockTime(st.LastRefresh, now) + " (" + ago(st.LastRefresh, now) + "): ok"
	}
	if st.LastError != "" {
		last = fmt.Sprintf("failing (%d %s): %s", st.Failures, map[bool]string{true: "try", false: "tries"}[st.Failures == 1], st.LastError)
	}
	set("Last refresh", last)
	next := "—"
	if !st.NextRefresh.IsZero() && (st.State == apiclient.Valid || st.State == apiclient.Refreshing) {
		next = clockTime(st.NextRefresh, now) + " (" + ago(st.NextRefresh, now) + ")"
	}
	set("Next refresh", next)
	set("Login expires", orDash(clockTime(st.RefreshExpiresAt, now)))
	w.countdown()

	w.claims.SetText(pretty(d.Claims, true))
	w.header.SetText(pretty(d.Header, false))
	w.extra.SetText(pretty(st.Extra, false))
	if d.Format == "opaque" {
		w.claims.SetText("An opaque token: it carries no claims a client can read.\nThe provider's introspection endpoint (RFC 7662) can tell what it grants.")
	}
	if len(st.Extra) == 0 {
		w.extra.SetText("The provider sent no other fields.")
	}
	w.note.SetText("The refresh token is never shown; it stays in the keyring.")
	hasToken := d.Format != "none"
	// As in the tray: a copy that cannot happen says why on the button.
	blocked := model.CopyBlocked(st, now)
	w.copyBtn.SetText(model.CopyTitle("Copy access token", blocked))
	if hasToken && blocked == "" {
		w.copyBtn.Enable()
	} else {
		w.copyBtn.Disable()
	}
	if hasToken && st.State != apiclient.Refreshing {
		w.refresh.Enable()
	} else {
		w.refresh.Disable()
	}
}

// countdown redraws the "Expires" row for now.
func (w *Details) countdown() {
	if !w.loaded {
		return
	}
	now := w.env.now()
	exp := w.d.ExpiresAt
	if exp.IsZero() {
		w.values["Expires"].SetText("—")
		return
	}
	w.values["Expires"].SetText(clockTime(exp, now) + ": " + model.Countdown(exp, now))
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// timeClaims are the JWT claims that hold NumericDates (RFC 7519 §4.1).
var timeClaims = []string{"exp", "iat", "nbf", "auth_time"}

// pretty writes a JSON object one key per line, sorted, with dates of the
// time claims spelled out.
func pretty(m map[string]any, dates bool) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		v, _ := json.Marshal(m[k])
		fmt.Fprintf(&b, "%-10s %s", k, v)
		if f, ok := m[k].(float64); ok && dates && slices.Contains(timeClaims, k) {
			fmt.Fprintf(&b, "   (%s)", time.Unix(int64(f), 0).Local().Format("2006-01-02 15:04:05"))
		}
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

func (w *Details) copyToken() {
	w.env.copyToken(w.profile, w.note.SetText)
}

func (w *Details) refreshNow() {
	w.refresh.Disable()
	w.note.SetText("Refreshing …")
	call(w.env, 40*time.Second, func(ctx context.Context) (apiclient.Status, error) { return w.env.API.Refresh(ctx, w.profile) },
		func(_ apiclient.Status, err error) {
			if err != nil {
				w.note.SetText("Refresh failed: " + oneLine(err))
			}
			w.load()
		})
}
