// Package assets holds what tokentray shows that is not code: the pages the
// browser shows after a login, and the icons. It embeds files and nothing
// more, so that the agent can use it without linking a GUI toolkit.
package assets

import (
	"embed"
	"html/template"
	"net/http"
	"sync"
)

//go:embed pages/callback.html
var pages embed.FS

// callback is parsed on first use: most tokentray processes are CLI calls
// that never show a page.
var callback = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(pages, "pages/callback.html"))
})

// CallbackPage writes the page the browser shows when the provider sends the
// person back to tokentray. err is nil on success; its text must already be
// free of secrets (auth's errors are).
func CallbackPage(w http.ResponseWriter, profile string, status int, err error) {
	data := struct {
		OK      bool
		Profile string
		Message string
	}{OK: err == nil, Profile: profile}
	if err != nil {
		data.Message = err.Error()
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	callback().Execute(w, data)
}
