// Package assets holds what tokentray shows that is not code: the pages the
// browser shows after a login, and the icons. It embeds files and nothing
// more, so that the agent can use it without linking a GUI toolkit.
package assets

import (
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"
	"sync"
)

//go:embed pages/callback.html
var pages embed.FS

// callback is parsed on first use: most tokentray processes are CLI calls
// that never show a page.
var callback = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(pages, "pages/callback.html"))
})

// pageIcon is the app icon as a data: URL, inlined in the page (and as its
// favicon, so the browser does not ask the loopback server for one).
var pageIcon = sync.OnceValue(func() template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(AppIconSized(64)))
})

// CallbackPage writes the page the browser shows when the provider sends the
// person back to tokentray. err is nil on success, and who then names the
// person signed in ("" when unknown); err's text must already be free of
// secrets (auth's errors are). A repeated answer (409) and a stray address
// (404, 405) get pages of their own: neither is a failed sign-in.
func CallbackPage(w http.ResponseWriter, profile, who string, status int, err error) {
	data := struct {
		Kind    string // ok, done, none or failed
		Profile string
		Who     string
		Message string
		Icon    template.URL
	}{Kind: "failed", Profile: profile, Icon: pageIcon()}
	switch {
	case err == nil:
		data.Kind, data.Who = "ok", who
	case status == http.StatusConflict:
		data.Kind = "done"
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		data.Kind = "none"
	default:
		// auth's callback errors start with "login callback: ", which the
		// page's heading already says in words a person reads.
		msg := strings.TrimPrefix(err.Error(), "login callback: ")
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		data.Message = msg
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.WriteHeader(status)
	callback().Execute(w, data)
}
