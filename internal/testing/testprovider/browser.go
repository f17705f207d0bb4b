package testprovider

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// maxSteps bounds one flow; a full login + consent takes about eight.
const maxSteps = 30

// Browser is a scripted user agent for the provider's pages: it keeps
// cookies (so the provider remembers the login) and does what a person
// would: sign in as its user with any password, consent, confirm device
// codes. Its methods may be called from any goroutine.
type Browser struct {
	p    *Provider
	user string
	hc   *http.Client

	mu     sync.Mutex
	urls   []string
	logins int
}

// Browser returns a browser with a fresh cookie jar that signs in as user.
func (p *Provider) Browser(user string) *Browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		panic(fmt.Sprintf("testprovider: cookie jar: %v", err)) // only fails on bad options
	}
	return &Browser{
		p:    p,
		user: user,
		hc: &http.Client{
			Jar:     jar,
			Timeout: httpTimeout,
			// Redirects are handled step by step to spot the one that
			// leaves the provider for the client.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Browse opens an authorization URL and goes through the provider's pages
// (login unless the session is remembered, then consent) until the
// provider sends the browser to the client's redirect URI, which it then
// requests, as a browser would, to hit the client's callback server. It
// returns nil once that request got any HTTP response; the client decides
// what the callback means. An error carries the HTTP status and a short
// excerpt of the page where the flow broke.
//
// Opening a device flow's verification_uri_complete also works; that ends
// at the provider's success page.
func (b *Browser) Browse(rawURL string) error {
	b.mu.Lock()
	b.urls = append(b.urls, rawURL)
	b.mu.Unlock()

	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return fmt.Errorf("testprovider: browse: %w", err)
	}
	return b.run(req, "", b.deliver)
}

// RedirectURL goes through the provider's pages like Browse but stops
// where Browse would send the answer to the client: it returns that URL
// (code and state in its query) without requesting it, as a browser on
// another machine would show it under "unable to connect".
func (b *Browser) RedirectURL(rawURL string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return "", fmt.Errorf("testprovider: redirect URL: %w", err)
	}
	var final string
	err = b.run(req, "", func(r *http.Request) error {
		if r.Method != http.MethodGet {
			return fmt.Errorf("testprovider: redirect URL: the answer is a %s (form_post), not an address", r.Method)
		}
		final = r.URL.String()
		return nil
	})
	if err == nil && final == "" {
		err = fmt.Errorf("testprovider: redirect URL: the flow did not leave the provider")
	}
	return final, err
}

// URLs returns the URLs Browse was given, oldest first.
func (b *Browser) URLs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.urls...)
}

// Logins returns how often the browser filled in the login page; it stays
// unchanged while the provider remembers the session.
func (b *Browser) Logins() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.logins
}

// ApproveDevice approves a device authorization request (RFC 8628) the way
// its user would: it opens the provider's verification page, enters
// userCode, confirms it, signs in if needed and consents.
func (b *Browser) ApproveDevice(userCode string) error {
	if userCode == "" {
		return fmt.Errorf("testprovider: approve device: empty user code")
	}
	req, err := http.NewRequest(http.MethodGet, b.p.DeviceURL(), nil)
	if err != nil {
		return fmt.Errorf("testprovider: approve device: %w", err)
	}
	return b.run(req, userCode, b.deliver)
}

// run follows one flow from req until it leaves the provider or ends at
// the device flow's success page. userCode is what to type into a device
// code form, if one comes up; deliver sends the final request to the client.
func (b *Browser) run(req *http.Request, userCode string, deliver func(*http.Request) error) error {
	codeEntered := false
	for range maxSteps {
		resp, err := b.hc.Do(req)
		if err != nil {
			return fmt.Errorf("testprovider: browser: %s %s: %w", req.Method, redact(req.URL), netErr(err))
		}
		page, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("testprovider: browser: reading %s: %w", redact(req.URL), err)
		}

		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := resp.Location()
			if err != nil {
				return fmt.Errorf("testprovider: browser: HTTP %d from %s: %w", resp.StatusCode, redact(req.URL), netErr(err))
			}
			if req, err = http.NewRequest(http.MethodGet, loc.String(), nil); err != nil {
				return fmt.Errorf("testprovider: browser: %w", err)
			}
			if !b.p.owns(loc) {
				return deliver(req)
			}

		case resp.StatusCode == http.StatusOK:
			f := parseForm(page, resp.Request.URL)
			if f == nil {
				if isDeviceSuccess(page) {
					return nil
				}
				return pageError("page has no form to submit", resp, page)
			}
			if f.id == "op.deviceInputForm" {
				// The device flow's code entry page; seeing it again means
				// the code was rejected (it comes back with the message).
				switch {
				case userCode == "":
					return pageError("the provider asks for a device user code", resp, page)
				case codeEntered:
					return pageError("the provider did not accept the user code", resp, page)
				}
				f.values.Set("user_code", userCode)
				codeEntered = true
			}
			if f.values.Get("prompt") == "login" {
				b.mu.Lock()
				b.logins++
				b.mu.Unlock()
				f.values.Set("login", b.user)
				f.values.Set("password", "any password") // devInteractions accept any
			}
			if req, err = f.request(); err != nil {
				return fmt.Errorf("testprovider: browser: %w", err)
			}
			if !b.p.owns(req.URL) {
				// response_mode=form_post: the form goes to the client.
				return deliver(req)
			}

		default:
			return pageError("unexpected response", resp, page)
		}
	}
	return fmt.Errorf("testprovider: browser: no end after %d steps", maxSteps)
}

// deliver sends the final request to the client's redirect URI.
func (b *Browser) deliver(req *http.Request) error {
	resp, err := b.hc.Do(req)
	if err != nil {
		return fmt.Errorf("testprovider: browser: delivering the response to the client at %s: %w", redact(req.URL), netErr(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return nil
}

// owns reports whether u is on the provider rather than on the client.
func (p *Provider) owns(u *url.URL) bool {
	iss, err := url.Parse(p.Issuer)
	return err == nil && u.Scheme == iss.Scheme && u.Host == iss.Host
}

// form is an HTML form ready to submit.
type form struct {
	id     string
	method string
	action *url.URL
	values url.Values
}

func (f *form) has(name string) bool { _, ok := f.values[name]; return ok }

func (f *form) request() (*http.Request, error) {
	if f.method == http.MethodGet {
		u := *f.action
		u.RawQuery = f.values.Encode()
		return http.NewRequest(http.MethodGet, u.String(), nil)
	}
	req, err := http.NewRequest(http.MethodPost, f.action.String(), strings.NewReader(f.values.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRe = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?`)
)

// parseForm returns the page's first form, or nil. The provider's pages are
// simple and its own, so a few regular expressions are enough; buttons are
// left out on purpose (the device confirmation's only named one aborts).
func parseForm(page []byte, base *url.URL) *form {
	m := formRe.FindSubmatch(page)
	if m == nil {
		return nil
	}
	fa := attrs(m[1])
	action, err := base.Parse(fa["action"])
	if err != nil {
		return nil
	}
	f := &form{id: fa["id"], method: strings.ToUpper(fa["method"]), action: action, values: url.Values{}}
	if f.method != http.MethodGet {
		f.method = http.MethodPost
	}
	for _, im := range inputRe.FindAllSubmatch(m[2], -1) {
		a := attrs(im[1])
		name, ok := a["name"]
		if !ok || name == "" {
			continue
		}
		switch strings.ToLower(a["type"]) {
		case "submit", "button", "image", "reset":
			continue
		case "checkbox", "radio":
			if _, checked := a["checked"]; !checked {
				continue
			}
		}
		f.values.Add(name, a["value"])
	}
	return f
}

// attrs parses an HTML tag's attributes; names are lower-cased, values
// unescaped.
func attrs(tag []byte) map[string]string {
	out := map[string]string{}
	for _, m := range attrRe.FindAllSubmatch(tag, -1) {
		name := strings.ToLower(string(m[1]))
		if _, dup := out[name]; dup {
			continue
		}
		out[name] = html.UnescapeString(string(m[2]) + string(m[3]) + string(m[4]))
	}
	return out
}

// isDeviceSuccess spots the page that ends a device flow approval.
func isDeviceSuccess(page []byte) bool {
	return strings.Contains(string(page), "<title>Sign-in Success</title>")
}

var (
	dropRe  = regexp.MustCompile(`(?is)<(style|script|details)\b.*?</(style|script|details)>`)
	tagRe   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRe = regexp.MustCompile(`\s+`)
)

// pageError describes where a flow broke: status, page and a short excerpt
// of its visible text (not the debug section, not the URL's query, so no
// codes or tokens end up in test logs).
func pageError(what string, resp *http.Response, page []byte) error {
	text := dropRe.ReplaceAll(page, nil)
	text = tagRe.ReplaceAll(text, []byte(" "))
	excerpt := strings.TrimSpace(spaceRe.ReplaceAllString(html.UnescapeString(string(text)), " "))
	if r := []rune(excerpt); len(r) > 300 {
		excerpt = string(r[:300]) + "…"
	}
	return fmt.Errorf("testprovider: browser: %s: HTTP %d at %s: %q", what, resp.StatusCode, redact(resp.Request.URL), excerpt)
}

// netErr drops the *url.Error wrapper, whose message repeats the full URL,
// query (authorization code) included.
func netErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redact drops a URL's query and fragment, where codes and tokens travel.
func redact(u *url.URL) string {
	r := *u
	r.RawQuery, r.Fragment, r.RawFragment = "", "", ""
	return r.String()
}
