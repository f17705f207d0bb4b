// Package realbrowser drives a real browser, headless Chromium, through the
// test provider's pages as a person would: it types a user name and a
// password into the login page, presses Continue on the consent page (or
// Cancel), and lets the provider send it back to tokentray's loopback
// callback, whose page it then shows. Unlike testprovider's scripted
// browser it renders every page, runs their scripts, asks for favicons and
// keeps the tab open afterwards, so a test can reload it, screenshot it in
// light and dark, or close it.
//
// It uses github.com/chromedp/chromedp over the DevTools protocol, with
// Debian's `chromium` (scripts/install-deps.sh installs it).
package realbrowser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// ErrNotFound is returned by Path when no Chromium is installed.
var ErrNotFound = errors.New("realbrowser: no chromium on PATH (run `make deps`: Debian's chromium package)")

// Path finds the Chromium to run: $CHROMIUM, else the first of chromium,
// chromium-browser and google-chrome on PATH.
func Path() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// Chromium is one headless Chromium process with a fresh profile.
type Chromium struct {
	ctx    context.Context // the first tab's; every tab is a child of it
	cancel context.CancelFunc
	dir    string
}

// stepTimeout bounds one step a person takes (a page load, a click).
const stepTimeout = 20 * time.Second

// Start starts Chromium at path, headless, with a new profile in a
// temporary directory that Close removes. Its flags keep it off every
// network but the ones the pages name (no sync, no updates, no QUIC).
func Start(path string) (*Chromium, error) {
	dir, err := os.MkdirTemp("", "tokentray-chromium-")
	if err != nil {
		return nil, fmt.Errorf("realbrowser: profile directory: %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox, // root in CI containers; the pages are our own
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(900, 720),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	c := &Chromium{ctx: ctx, cancel: func() { cancel(); acancel() }, dir: dir}
	// The first Run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("realbrowser: starting %s: %w", path, err)
	}
	return c, nil
}

// Close stops Chromium and removes its profile.
func (c *Chromium) Close() {
	c.cancel()
	os.RemoveAll(c.dir)
}

// Tab is one browser tab.
type Tab struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// NewTab opens a blank tab.
func (c *Chromium) NewTab() (*Tab, error) {
	ctx, cancel := chromedp.NewContext(c.ctx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, fmt.Errorf("realbrowser: new tab: %w", err)
	}
	return &Tab{ctx: ctx, cancel: cancel}, nil
}

// Close closes the tab, as a person closing it would.
func (t *Tab) Close() { t.cancel() }

// do runs actions on the tab with a deadline.
func (t *Tab) do(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(t.ctx, stepTimeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// eval evaluates a JavaScript expression on the tab's page.
func eval[T any](t *Tab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(t.ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// Open loads url; a page the browser could not reach (connection refused)
// is no error: the tab then shows Chromium's error page, as it would to a
// person, and Location says chrome-error://.
func (t *Tab) Open(url string) error {
	err := t.do(chromedp.Navigate(url))
	if err != nil && strings.Contains(err.Error(), "net::ERR_") {
		return nil
	}
	return err
}

// Reload reloads the page, as F5 does.
func (t *Tab) Reload() error {
	err := t.do(chromedp.Reload())
	if err != nil && strings.Contains(err.Error(), "net::ERR_") {
		return nil
	}
	return err
}

// Location is the address of the page the tab shows.
func (t *Tab) Location() (string, error) { return eval[string](t, "document.location.href") }

// Text is the visible text of the page.
func (t *Tab) Text() (string, error) {
	return eval[string](t, "document.body ? document.body.innerText : ''")
}

// ColorScheme makes the page render for a person whose system prefers
// "light" or "dark" (CSS prefers-color-scheme), without reloading it.
func (t *Tab) ColorScheme(scheme string) error {
	ctx, cancel := context.WithTimeout(t.ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
	return err
}

// Screenshot is a PNG of what the tab shows.
func (t *Tab) Screenshot() ([]byte, error) {
	ctx, cancel := context.WithTimeout(t.ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.CaptureScreenshot())
}

// Person is what a person does at the provider.
type Person struct {
	// Issuer is the provider's URL; a page outside it ends the walk.
	Issuer string
	// User is the name typed into the login page (any password works at
	// the test provider).
	User string
	// Cancel presses the login page's Cancel link instead of signing in:
	// the provider then answers tokentray with error=access_denied.
	Cancel bool
	// CloseAt, if set, closes the tab as soon as the page of that name
	// ("login" or "consent") shows: a person who gives up.
	CloseAt string
	// Shot, if set, gets a screenshot of each provider page, named "login"
	// or "consent".
	Shot func(page string, png []byte)
}

// ErrClosed is returned by Walk when the person closed the tab (CloseAt).
var ErrClosed = errors.New("realbrowser: the person closed the tab")

// Walk opens url in the tab and goes through the provider's pages until the
// browser leaves the provider (to tokentray's callback, whose page is then
// loaded). It returns the address it left to.
func (p Person) Walk(t *Tab, url string) (string, error) {
	if err := t.Open(url); err != nil {
		return "", fmt.Errorf("realbrowser: opening the authorization URL: %w", err)
	}
	for range 10 {
		loc, err := t.settled()
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(loc, p.Issuer+"/") {
			return loc, nil
		}
		page, err := eval[string](t, `document.querySelector('input[name=login]') ? 'login' :
			document.querySelector('input[name=prompt][value=consent]') ? 'consent' : ''`)
		if err != nil {
			return "", fmt.Errorf("realbrowser: reading the page at %s: %w", redact(loc), err)
		}
		if page == "" {
			text, _ := t.Text()
			return "", fmt.Errorf("realbrowser: unexpected page at %s: %.200q", redact(loc), text)
		}
		if p.Shot != nil {
			png, err := t.Screenshot()
			if err != nil {
				return "", fmt.Errorf("realbrowser: screenshot of the %s page: %w", page, err)
			}
			p.Shot(page, png)
		}
		if p.CloseAt == page {
			t.Close()
			return "", ErrClosed
		}
		var act []chromedp.Action[chromedp.Void]
		switch {
		case page == "login" && p.Cancel:
			act = append(act, chromedp.Click(chromedp.CSS(`a[href$="/abort"]`)))
		case page == "login":
			act = append(act,
				chromedp.SendKeys(chromedp.CSS("input[name=login]"), p.User),
				chromedp.SendKeys(chromedp.CSS("input[name=password]"), "any password"),
				chromedp.Click(chromedp.CSS("button[type=submit]")))
		default:
			act = append(act, chromedp.Click(chromedp.CSS("button[type=submit]")))
		}
		if err := t.do(act...); err != nil {
			return "", fmt.Errorf("realbrowser: on the %s page: %w", page, err)
		}
		if err := t.waitLeave(loc); err != nil {
			return "", fmt.Errorf("realbrowser: after the %s page: %w", page, err)
		}
	}
	return "", errors.New("realbrowser: still at the provider after 10 pages")
}

// settled waits until the tab's page has loaded and returns its address.
func (t *Tab) settled() (string, error) {
	deadline := time.Now().Add(stepTimeout)
	var last error
	for time.Now().Before(deadline) {
		// Both in one evaluation: during a navigation the page can change
		// between two.
		s, err := eval[string](t, `document.readyState + ' ' + document.location.href`)
		if err == nil {
			state, loc, _ := strings.Cut(s, " ")
			if state == "complete" {
				return loc, nil
			}
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("realbrowser: the page did not finish loading in %v (last error: %v)", stepTimeout, last)
}

// waitLeave waits until the tab shows another page than from.
func (t *Tab) waitLeave(from string) error {
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		if loc, err := t.Location(); err == nil && loc != from {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("still at %s after %v", redact(from), stepTimeout)
}

// redact drops the query of a URL for messages: it may hold a code or state.
func redact(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i] + "?…"
	}
	return u
}

// LoginBrowser opens each URL it is given (an auth.Browser) in a new tab
// and walks Person through it. Tabs stay open for the test to look at.
type LoginBrowser struct {
	C      *Chromium
	Person Person

	walks sync.WaitGroup
	mu    sync.Mutex // guards tabs, errs
	tabs  []*Tab
	errs  []error
}

// Browse implements auth.Browser. It returns once the walk ends; walk
// errors are kept for Err rather than returned, as a person's browser would
// not tell tokentray either.
func (b *LoginBrowser) Browse(url string) error {
	b.walks.Add(1)
	defer b.walks.Done()
	t, err := b.C.NewTab()
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.tabs = append(b.tabs, t)
	b.mu.Unlock()
	if _, err := b.Person.Walk(t, url); err != nil && !errors.Is(err, ErrClosed) {
		b.mu.Lock()
		b.errs = append(b.errs, err)
		b.mu.Unlock()
	}
	return nil
}

// Wait waits for the walks under way to end: auth's Login returns as soon
// as the callback arrives, while the browser may still be loading its page.
func (b *LoginBrowser) Wait() { b.walks.Wait() }

// LastTab is the newest tab Browse opened, nil before the first.
func (b *LoginBrowser) LastTab() *Tab {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.tabs) == 0 {
		return nil
	}
	return b.tabs[len(b.tabs)-1]
}

// Err is the first error a walk ran into, if any.
func (b *LoginBrowser) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return errors.Join(b.errs...)
}
