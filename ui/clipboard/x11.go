//go:build linux || freebsd || openbsd || netbsd

package clipboard

import (
	"errors"
	"fmt"
	"io"
	"log"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

func init() {
	// xgb logs connection trouble to stderr by default; our errors say it.
	xgb.Logger = log.New(io.Discard, "", 0)
}

// X11 owns the CLIPBOARD selection from this process (ICCCM §2): it
// answers requests for the text until it clears or another client takes
// the selection over. It connects to the X server only while it holds
// something, so an idle agent has no X connection at all.
type X11 struct {
	// Display is the X display; $DISPLAY when empty.
	Display string
	// Timeout bounds each round trip (reading the clipboard back); 2 s
	// when zero.
	Timeout time.Duration

	op     sync.Mutex // serialises Write, ClearIf and Read; guards the fields up to mu
	win    xproto.Window
	atoms  map[string]xproto.Atom
	notify chan xgb.Event // SelectionNotify and PropertyNotify events for our own requests

	// mu guards what the event loop serves; it is held only briefly, never
	// while waiting for the server (the event loop takes it to answer).
	mu   sync.Mutex
	conn *xgb.Conn
	// text is what is served. It stays a string: the token reached us as
	// one (Write) and lives on in the caller's strings, which Go cannot
	// zero, so wiping a copy here would protect nothing. It is dropped as
	// soon as the clipboard clears.
	text  string
	owned bool
	since xproto.Timestamp
}

// maxText bounds what is served in one piece (no INCR transfers): a
// request must stay under the core protocol's 256 KiB limit.
const maxText = 200 << 10

var atomNames = []string{"CLIPBOARD", "TARGETS", "UTF8_STRING", "TEXT", "STRING", "TIMESTAMP",
	"text/plain;charset=utf-8", "text/plain", "x-kde-passwordManagerHint", "TOKENTRAY_SELECTION", "TOKENTRAY_TIME"}

func (x *X11) timeout() time.Duration {
	if x.Timeout == 0 {
		return 2 * time.Second
	}
	return x.Timeout
}

// connectLocked (x.op held) opens the connection and the unmapped window that owns the
// selection, and starts serving events.
func (x *X11) connectLocked() error {
	if x.connection() != nil {
		return nil
	}
	var c *xgb.Conn
	var err error
	if x.Display != "" {
		c, err = xgb.NewConnDisplay(x.Display)
	} else {
		c, err = xgb.NewConn()
	}
	if err != nil {
		return fmt.Errorf("clipboard: connecting to the X server: %w", err)
	}
	atoms := map[string]xproto.Atom{}
	cookies := make([]xproto.InternAtomCookie, len(atomNames))
	for i, n := range atomNames {
		cookies[i] = xproto.InternAtom(c, false, uint16(len(n)), n)
	}
	for i, ck := range cookies {
		r, err := ck.Reply()
		if err != nil {
			c.Close()
			return fmt.Errorf("clipboard: interning %s: %w", atomNames[i], err)
		}
		atoms[atomNames[i]] = r.Atom
	}
	wid, err := xproto.NewWindowId(c)
	if err != nil {
		c.Close()
		return fmt.Errorf("clipboard: %w", err)
	}
	root := xproto.Setup(c).DefaultScreen(c).Root
	if err := xproto.CreateWindowChecked(c, 0, wid, root, -10, -10, 1, 1, 0, xproto.WindowClassInputOnly, 0,
		xproto.CwEventMask, []uint32{xproto.EventMaskPropertyChange}).Check(); err != nil {
		c.Close()
		return fmt.Errorf("clipboard: creating the selection window: %w", err)
	}
	x.win, x.atoms = wid, atoms
	x.notify = make(chan xgb.Event, 8)
	x.mu.Lock()
	x.conn = c
	x.mu.Unlock()
	go x.serve(c, atoms, x.notify)
	return nil
}

func (x *X11) connection() *xgb.Conn {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.conn
}

// setServed sets what the event loop serves.
func (x *X11) setServed(text string, owned bool, since xproto.Timestamp) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.text, x.owned, x.since = text, owned, since
}

// closeLocked (x.op held) drops the connection: the server then forgets
// our window and any selection it owned.
func (x *X11) closeLocked() {
	x.mu.Lock()
	c := x.conn
	x.conn = nil
	x.text, x.owned = "", false
	x.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// serve answers the X server's events until the connection closes.
func (x *X11) serve(c *xgb.Conn, atoms map[string]xproto.Atom, notify chan xgb.Event) {
	for {
		ev, err := c.WaitForEvent()
		if ev == nil && err == nil {
			return // closed
		}
		switch e := ev.(type) {
		case xproto.SelectionRequestEvent:
			x.answer(c, atoms, e)
		case xproto.SelectionClearEvent:
			x.mu.Lock()
			if x.conn == c {
				x.owned = false
				x.text = ""
			}
			x.mu.Unlock()
		case xproto.SelectionNotifyEvent, xproto.PropertyNotifyEvent:
			select {
			case notify <- ev:
			default:
			}
		}
	}
}

// answer serves one SelectionRequest (ICCCM §2.2).
func (x *X11) answer(c *xgb.Conn, a map[string]xproto.Atom, e xproto.SelectionRequestEvent) {
	x.mu.Lock()
	text := x.text
	owned := x.owned && x.conn == c
	since := x.since
	x.mu.Unlock()
	prop := e.Property
	if prop == xproto.AtomNone {
		prop = e.Target // an obsolete requestor (ICCCM §2.2)
	}
	reply := xproto.SelectionNotifyEvent{Time: e.Time, Requestor: e.Requestor, Selection: e.Selection, Target: e.Target, Property: prop}
	switch {
	case !owned || e.Selection != a["CLIPBOARD"]:
		reply.Property = xproto.AtomNone
	case e.Target == a["TARGETS"]:
		targets := []xproto.Atom{a["TARGETS"], a["TIMESTAMP"], a["UTF8_STRING"], a["text/plain;charset=utf-8"],
			a["STRING"], a["TEXT"], a["text/plain"], a["x-kde-passwordManagerHint"]}
		buf := make([]byte, 4*len(targets))
		for i, t := range targets {
			xgb.Put32(buf[4*i:], uint32(t))
		}
		xproto.ChangeProperty(c, xproto.PropModeReplace, e.Requestor, prop, xproto.AtomAtom, 32, uint32(len(targets)), buf)
	case e.Target == a["TIMESTAMP"]:
		buf := make([]byte, 4)
		xgb.Put32(buf, uint32(since))
		xproto.ChangeProperty(c, xproto.PropModeReplace, e.Requestor, prop, xproto.AtomInteger, 32, 1, buf)
	case e.Target == a["x-kde-passwordManagerHint"]:
		xproto.ChangeProperty(c, xproto.PropModeReplace, e.Requestor, prop, e.Target, 8, 6, []byte("secret"))
	case e.Target == a["UTF8_STRING"], e.Target == a["text/plain;charset=utf-8"], e.Target == a["STRING"],
		e.Target == a["TEXT"], e.Target == a["text/plain"]:
		typ := e.Target
		if e.Target == a["TEXT"] {
			typ = a["UTF8_STRING"]
		}
		// Tokens are ASCII, so STRING (Latin-1) and UTF-8 are the same bytes.
		xproto.ChangeProperty(c, xproto.PropModeReplace, e.Requestor, prop, typ, 8, uint32(len(text)), []byte(text))
	default:
		reply.Property = xproto.AtomNone
	}
	xproto.SendEvent(c, false, e.Requestor, 0, string(reply.Bytes()))
}

// timestampLocked gets a server time by touching a property of our window
// (ICCCM §2.1: never CurrentTime for SetSelectionOwner).
func (x *X11) timestampLocked() (xproto.Timestamp, error) {
	drain(x.notify)
	xproto.ChangeProperty(x.connection(), xproto.PropModeAppend, x.win, x.atoms["TOKENTRAY_TIME"], xproto.AtomString, 8, 0, nil)
	deadline := time.After(x.timeout())
	for {
		select {
		case ev := <-x.notify:
			if pe, ok := ev.(xproto.PropertyNotifyEvent); ok && pe.Window == x.win {
				return pe.Time, nil
			}
		case <-deadline:
			return 0, errors.New("clipboard: no answer from the X server")
		}
	}
}

func drain(ch chan xgb.Event) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// Write makes this process the owner of CLIPBOARD, serving text.
func (x *X11) Write(text string) error {
	if len(text) > maxText {
		return fmt.Errorf("clipboard: %d bytes is more than this clipboard serves (%d)", len(text), maxText)
	}
	x.op.Lock()
	defer x.op.Unlock()
	if err := x.connectLocked(); err != nil {
		return err
	}
	t, err := x.timestampLocked()
	if err != nil {
		x.closeLocked()
		return err
	}
	x.setServed(text, true, t)
	c := x.connection()
	xproto.SetSelectionOwner(c, x.win, x.atoms["CLIPBOARD"], t)
	r, err := xproto.GetSelectionOwner(c, x.atoms["CLIPBOARD"]).Reply()
	if err != nil || r.Owner != x.win {
		x.closeLocked()
		return errors.New("clipboard: the X server did not make us the clipboard's owner")
	}
	return nil
}

// ClearIf gives the clipboard up if it holds text: the one this process
// serves, or the same text taken over by another client (a clipboard
// manager that copies what it sees). Nobody owns the clipboard after.
func (x *X11) ClearIf(text string) (bool, error) {
	x.op.Lock()
	defer x.op.Unlock()
	if err := x.connectLocked(); err != nil {
		return false, err
	}
	defer x.closeLocked()
	x.mu.Lock()
	ours := x.owned && x.text == text
	x.mu.Unlock()
	if !ours {
		cur, err := x.readLocked()
		if err != nil || cur != text {
			return false, err
		}
	}
	t, err := x.timestampLocked()
	if err != nil {
		return false, err
	}
	x.setServed("", false, 0)
	c := x.connection()
	xproto.SetSelectionOwner(c, xproto.WindowNone, x.atoms["CLIPBOARD"], t)
	// A round trip, so the request has reached the server before we close.
	if _, err := xproto.GetSelectionOwner(c, x.atoms["CLIPBOARD"]).Reply(); err != nil {
		return false, fmt.Errorf("clipboard: %w", err)
	}
	return true, nil
}

// readLocked reads the clipboard as UTF-8 text from whoever owns it; ""
// when nobody does or the owner has no text.
func (x *X11) readLocked() (string, error) {
	c := x.connection()
	r, err := xproto.GetSelectionOwner(c, x.atoms["CLIPBOARD"]).Reply()
	if err != nil {
		return "", fmt.Errorf("clipboard: %w", err)
	}
	if r.Owner == xproto.WindowNone {
		return "", nil
	}
	t, err := x.timestampLocked()
	if err != nil {
		return "", err
	}
	drain(x.notify)
	prop := x.atoms["TOKENTRAY_SELECTION"]
	xproto.ConvertSelection(c, x.win, x.atoms["CLIPBOARD"], x.atoms["UTF8_STRING"], prop, t)
	deadline := time.After(x.timeout())
	for {
		select {
		case ev := <-x.notify:
			sn, ok := ev.(xproto.SelectionNotifyEvent)
			if !ok || sn.Requestor != x.win {
				continue
			}
			if sn.Property == xproto.AtomNone {
				return "", nil
			}
			p, err := xproto.GetProperty(c, true, x.win, prop, xproto.GetPropertyTypeAny, 0, maxText/4+1).Reply()
			if err != nil {
				return "", fmt.Errorf("clipboard: reading the selection: %w", err)
			}
			return string(p.Value), nil
		case <-deadline:
			return "", errors.New("clipboard: the clipboard's owner did not answer")
		}
	}
}

// Read returns the clipboard's text (tests and diagnostics).
func (x *X11) Read() (string, error) {
	x.op.Lock()
	defer x.op.Unlock()
	if err := x.connectLocked(); err != nil {
		return "", err
	}
	x.mu.Lock()
	owned, text := x.owned, x.text
	x.mu.Unlock()
	if owned {
		return text, nil
	}
	defer x.closeLocked()
	return x.readLocked()
}
