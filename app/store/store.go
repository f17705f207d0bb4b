// Package store keeps secrets (refresh tokens, client secrets) in the OS
// keyring, each call bounded by a deadline: a Secret Service that hangs must
// give a clear error in seconds, never a stuck agent. There is no silent
// fallback to a file; FileStore exists only for users who ask for it.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// Service is the keyring service name of every item tokentray writes.
const Service = "tokentray"

// ErrNotFound means there is no such item.
var ErrNotFound = errors.New("store: not found")

// ErrUnavailable is in the chain of every error that means the OS keyring
// cannot be reached at all (no session bus, no Secret Service, locked, no
// answer), as opposed to a failure of one item.
var ErrUnavailable = errors.New("the OS keyring is unavailable")

// unavailableError says in one sentence why the keyring cannot be reached
// and the ways out; the D-Bus error it replaces stays in the chain.
type unavailableError struct {
	what, cause string
	err         error
}

// waysOut is what a person can do about a keyring that cannot be reached.
const waysOut = `start a desktop session (or a Secret Service such as gnome-keyring-daemon or KeePassXC), or set store = "file" in the config to keep refresh tokens in a file readable only by you`

func (e *unavailableError) Error() string {
	return fmt.Sprintf("keyring: cannot %s: %s; %s", e.what, e.cause, waysOut)
}

func (e *unavailableError) Unwrap() []error { return []error{ErrUnavailable, e.err} }

// unavailable names the cause of a keyring failure that means the keyring
// cannot be reached (go-keyring passes D-Bus's errors on as text), or
// returns nil for any other failure.
func unavailable(what string, err error) error {
	msg := err.Error()
	var cause string
	switch {
	case strings.Contains(msg, "dbus-launch") || strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS") || strings.Contains(msg, "autolaunch"):
		cause = "there is no D-Bus session bus (no desktop session, e.g. over SSH or in a container)"
	case strings.Contains(msg, "org.freedesktop.secrets"):
		cause = "no Secret Service is running on the session bus"
	case strings.Contains(msg, "unlock") || strings.Contains(msg, "locked") || strings.Contains(msg, "dismissed"):
		cause = "the keyring is locked (unlock it, e.g. by logging in to the desktop)"
	default:
		return nil
	}
	return &unavailableError{what: what, cause: cause, err: err}
}

// Store keeps named secrets.
type Store interface {
	Get(ctx context.Context, account string) (string, error)
	Set(ctx context.Context, account, secret string) error
	Delete(ctx context.Context, account string) error
}

// Keyring is the OS keyring through go-keyring (Secret Service on Linux,
// Keychain on macOS, Credential Manager on Windows).
type Keyring struct {
	// Timeout bounds each call; 5 s when zero.
	Timeout time.Duration
}

// Get reads an item.
func (k Keyring) Get(ctx context.Context, account string) (string, error) {
	// The value travels with the result: after a timeout the abandoned call
	// may still finish, and must not write anything the caller reads.
	var v string
	err := k.do(ctx, "read", func() (string, error) { return osGet(Service, account) }, &v)
	return v, err
}

// Set writes an item, replacing any previous value in one step.
func (k Keyring) Set(ctx context.Context, account, secret string) error {
	return k.do(ctx, "save", func() (string, error) { return "", osSet(Service, account, secret) }, nil)
}

// Delete removes an item; deleting a missing item is not an error.
func (k Keyring) Delete(ctx context.Context, account string) error {
	err := k.do(ctx, "delete", func() (string, error) { return "", osDelete(Service, account) }, nil)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// do runs f in a goroutine and gives up at the deadline (cli/cli's
// internal/keyring does the same): go-keyring has no context, and D-Bus
// calls to a wedged Secret Service are reported to hang. f's value is
// stored in out (when not nil) only if it arrives in time.
func (k Keyring) do(ctx context.Context, what string, f func() (string, error), out *string) error {
	timeout := k.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		switch {
		case r.err == nil:
			if out != nil {
				*out = r.v
			}
			return nil
		case errors.Is(r.err, keyring.ErrNotFound):
			return ErrNotFound
		default:
			// go-keyring's errors name the D-Bus failure, never the secret.
			if u := unavailable(what, r.err); u != nil {
				return u
			}
			return fmt.Errorf("keyring: %s: %w", what, r.err)
		}
	case <-ctx.Done():
		return &unavailableError{what: what, err: ctx.Err(),
			cause: fmt.Sprintf("no answer from the OS keyring within %v (is the Secret Service running and unlocked?)", timeout)}
	}
}
