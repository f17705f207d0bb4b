package session

import (
	"context"
	"fmt"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/auth"
)

// DeviceProvider is what a device login needs of the protocol;
// *auth.Client has it. A Provider without it cannot do device logins.
type DeviceProvider interface {
	DeviceAuthorize(ctx context.Context) (*auth.DeviceAuthorization, error)
	PollDevice(ctx context.Context, da *auth.DeviceAuthorization, sleep func(context.Context, time.Duration) error) (*auth.Token, error)
}

// LoginDevice runs a device login (RFC 8628), or joins the one under way:
// onCode, if set, receives the code to show as soon as the provider gave
// it. It ends when the person confirms or declines, the code expires, or
// CancelLogin; like Login it outlives ctx. A browser login under way is
// not joined: that is an error.
func (s *Session) LoginDevice(ctx context.Context, onCode func(DeviceCode)) error {
	var ready func(*pendingLogin)
	if onCode != nil {
		ready = func(pl *pendingLogin) { onCode(pl.code) }
	}
	// The code's own expiry ends the polling; the context is for cancelling.
	return s.joinLogin(ctx, true, func() (context.Context, context.CancelFunc) {
		return context.WithCancel(context.Background())
	}, s.runDeviceLogin, ready)
}

func (s *Session) runDeviceLogin(ctx context.Context, pl *pendingLogin) {
	defer pl.cancel()
	err := s.loginWith(ctx, func(p Provider) (*auth.Token, error) {
		dp, ok := p.(DeviceProvider)
		if !ok {
			return nil, &Error{Code: apiclient.CodeNotSupported, Message: fmt.Sprintf("profile %q cannot do a device login", s.o.Name)}
		}
		actx, cancel := context.WithTimeout(ctx, s.o.RefreshTimeout)
		da, err := dp.DeviceAuthorize(actx)
		cancel()
		if err != nil {
			return nil, err
		}
		pl.code = DeviceCode{UserCode: da.UserCode, VerificationURI: da.VerificationURI,
			VerificationURIComplete: da.VerificationURIComplete, ExpiresAt: da.ExpiresAt.UTC().Truncate(time.Second)}
		close(pl.urlSet)
		s.o.Log.Info("device login: waiting for the code to be confirmed", "verification_uri", da.VerificationURI, "expires_at", da.ExpiresAt.Format(time.RFC3339))
		return dp.PollDevice(ctx, da, s.o.Sleep)
	})
	s.endLogin(pl, err)
}

// PendingDevice returns the code of the device login under way, if any
// (the tray shows it).
func (s *Session) PendingDevice() (DeviceCode, bool) {
	s.mu.Lock()
	pl := s.login
	s.mu.Unlock()
	if pl == nil || !pl.device {
		return DeviceCode{}, false
	}
	select {
	case <-pl.urlSet:
		return pl.code, true
	default:
		return DeviceCode{}, false
	}
}

// PasteLogin completes the browser login under way with the address a
// person copied from a browser that could not reach the loopback redirect
// (a browser on another machine). The address gets the checks of a real
// callback; one that does not belong to this login is refused and the
// login stays pending. On success it returns once the new grant is saved.
func (s *Session) PasteLogin(ctx context.Context, redirectURL string) error {
	s.mu.Lock()
	pl := s.login
	s.mu.Unlock()
	if pl == nil {
		return &Error{Code: apiclient.CodeNoLogin, Message: fmt.Sprintf("no login is under way for %q: start one with `tokentray login %s --no-browser`", s.o.Name, s.o.Name)}
	}
	if pl.device {
		return &Error{Code: apiclient.CodeNoLogin, Message: fmt.Sprintf("the login under way for %q is a device login: it needs no pasted address", s.o.Name)}
	}
	select {
	case <-pl.urlSet:
	case <-pl.done:
		return &Error{Code: apiclient.CodeNoLogin, Message: fmt.Sprintf("the login for %q has just ended", s.o.Name)}
	}
	if pl.paste == nil {
		return &Error{Code: apiclient.CodeNoLogin, Message: fmt.Sprintf("the login under way for %q does not take pasted addresses", s.o.Name)}
	}
	if err := pl.paste(redirectURL); err != nil {
		return err
	}
	select {
	case <-pl.done:
		return pl.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// otherLoginPending says that a login of another kind is under way.
func (s *Session) otherLoginPending(kind string) error {
	return &Error{Code: apiclient.CodeLoginPending, Message: fmt.Sprintf("a %s login is under way for %q: finish it, or cancel it with `tokentray login %s --cancel`", kind, s.o.Name, s.o.Name)}
}
