// Package notify shows desktop notifications through the freedesktop
// Notifications D-Bus service (GNOME Shell, KDE Plasma, dunst, mako, …),
// with actions the user can click.
package notify

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	service = "org.freedesktop.Notifications"
	objPath = "/org/freedesktop/Notifications"
	iface   = "org.freedesktop.Notifications"
)

// Action is a button on a notification.
type Action struct {
	Key, Label string
	Do         func()
}

// Notifier sends notifications on the session bus. Its connection opens
// at the first notification and stays, to hear which action was clicked.
type Notifier struct {
	AppName string
	// Icon is a PNG sent with each notification (image-data); none when nil.
	Icon []byte
	// Connect opens the session bus; dbus.ConnectSessionBus when nil.
	Connect func() (*dbus.Conn, error)
	// Timeout bounds each call; 5 s when zero.
	Timeout time.Duration

	mu      sync.Mutex // guards every field below
	conn    *dbus.Conn
	actions map[uint32][]Action
	image   *imageData
}

// imageData is the image-data hint, (iiibiiay).
type imageData struct {
	Width, Height, RowStride int32
	HasAlpha                 bool
	BitsPerSample, Channels  int32
	Data                     []byte
}

func decodeIcon(b []byte) (*imageData, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	rgba := image.NewNRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	r := rgba.Bounds()
	return &imageData{Width: int32(r.Dx()), Height: int32(r.Dy()), RowStride: int32(rgba.Stride), HasAlpha: true,
		BitsPerSample: 8, Channels: 4, Data: rgba.Pix}, nil
}

func (n *Notifier) timeout() time.Duration {
	if n.Timeout == 0 {
		return 5 * time.Second
	}
	return n.Timeout
}

// connLocked opens the bus and starts listening for clicked actions.
func (n *Notifier) connLocked() (*dbus.Conn, error) {
	if n.conn != nil && n.conn.Connected() {
		return n.conn, nil
	}
	connect := n.Connect
	if connect == nil {
		connect = func() (*dbus.Conn, error) { return dbus.ConnectSessionBus() }
	}
	c, err := connect()
	if err != nil {
		return nil, fmt.Errorf("notify: session bus: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), n.timeout())
	defer cancel()
	for _, member := range []string{"ActionInvoked", "NotificationClosed"} {
		if err := c.AddMatchSignalContext(ctx, dbus.WithMatchObjectPath(objPath), dbus.WithMatchInterface(iface), dbus.WithMatchMember(member)); err != nil {
			c.Close()
			return nil, fmt.Errorf("notify: %w", err)
		}
	}
	ch := make(chan *dbus.Signal, 8)
	c.Signal(ch)
	go n.listen(ch)
	n.conn = c
	if n.actions == nil {
		n.actions = map[uint32][]Action{}
	}
	return c, nil
}

func (n *Notifier) listen(ch chan *dbus.Signal) {
	for sig := range ch {
		if len(sig.Body) < 2 {
			continue
		}
		id, ok := sig.Body[0].(uint32)
		if !ok {
			continue
		}
		n.mu.Lock()
		acts := n.actions[id]
		switch sig.Name {
		case iface + ".NotificationClosed":
			delete(n.actions, id)
		case iface + ".ActionInvoked":
			key, _ := sig.Body[1].(string)
			for _, a := range acts {
				if a.Key == key && a.Do != nil {
					go a.Do()
				}
			}
		}
		n.mu.Unlock()
	}
}

// Notify shows a notification and returns its id. Clicking an action runs
// its Do; "default" is the key of a click on the notification itself.
func (n *Notifier) Notify(summary, body string, actions ...Action) (uint32, error) {
	n.mu.Lock()
	c, err := n.connLocked()
	if err == nil && n.image == nil && n.Icon != nil {
		n.image, _ = decodeIcon(n.Icon)
	}
	img := n.image
	n.mu.Unlock()
	if err != nil {
		return 0, err
	}
	acts := []string{}
	for _, a := range actions {
		acts = append(acts, a.Key, a.Label)
	}
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant("tokentray")}
	if img != nil {
		hints["image-data"] = dbus.MakeVariant(*img)
	}
	ctx, cancel := context.WithTimeout(context.Background(), n.timeout())
	defer cancel()
	var id uint32
	err = c.Object(service, objPath).CallWithContext(ctx, iface+".Notify", 0,
		n.AppName, uint32(0), "", summary, body, acts, hints, int32(-1)).Store(&id)
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	if len(actions) > 0 {
		n.mu.Lock()
		n.actions[id] = actions
		n.mu.Unlock()
	}
	return id, nil
}

// Close closes the connection.
func (n *Notifier) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn != nil {
		n.conn.Close()
		n.conn = nil
	}
}
