package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/auth"
)

// ErrLoginCancelled ends a login that was cancelled.
var ErrLoginCancelled = errors.New("login cancelled")

// Login runs a browser login, or joins the one under way for this profile
// (a second `login` never opens a second tab). onURL, if set, receives the
// authorization URL as soon as it exists. With noBrowser nothing is opened.
// The login outlives ctx (the tray and the CLI may both wait on it) but not
// LoginTimeout or CancelLogin.
func (s *Session) Login(ctx context.Context, noBrowser bool, onURL func(string)) error {
	var ready func(*pendingLogin)
	if onURL != nil {
		ready = func(pl *pendingLogin) { onURL(pl.url) }
	}
	return s.joinLogin(ctx, false, func() (context.Context, context.CancelFunc) {
		return context.WithTimeoutCause(context.Background(), s.o.LoginTimeout,
			fmt.Errorf("no answer from the browser within %v", s.o.LoginTimeout))
	}, func(lctx context.Context, pl *pendingLogin) { s.runLogin(lctx, pl, noBrowser) }, ready)
}

// joinLogin starts a login of one kind (browser or device), or joins the
// one of that kind under way, and waits for its end as long as ctx allows.
// ready runs once what the person must see (the URL, the code) is known.
// A login of the other kind under way is an error, not joined.
func (s *Session) joinLogin(ctx context.Context, device bool, newCtx func() (context.Context, context.CancelFunc),
	run func(context.Context, *pendingLogin), ready func(*pendingLogin)) error {
	s.mu.Lock()
	pl := s.login
	if pl != nil && pl.device != device {
		s.mu.Unlock()
		if pl.device {
			return s.otherLoginPending("device")
		}
		return s.otherLoginPending("browser")
	}
	if pl == nil {
		lctx, cancel := newCtx()
		pl = &pendingLogin{done: make(chan struct{}), urlSet: make(chan struct{}), cancel: cancel, device: device}
		s.login = pl
		go run(lctx, pl)
	}
	s.mu.Unlock()
	s.changed()
	if ready != nil {
		select {
		case <-pl.urlSet:
			ready(pl)
		case <-pl.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	select {
	case <-pl.done:
		return pl.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// endLogin records how a login (browser or device) ended and wakes those
// waiting on it.
func (s *Session) endLogin(pl *pendingLogin, err error) {
	if errors.Is(err, context.Canceled) {
		err = ErrLoginCancelled
	}
	s.mu.Lock()
	s.login = nil
	pl.err = err
	s.mu.Unlock()
	close(pl.done)
	s.changed()
}

// CancelLogin ends the login under way, if any, and reports whether there was one.
func (s *Session) CancelLogin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.login == nil {
		return false
	}
	s.login.cancel()
	return true
}

func (s *Session) runLogin(ctx context.Context, pl *pendingLogin, noBrowser bool) {
	defer pl.cancel()
	opts := s.o.Login
	if noBrowser {
		opts.Browser = nil
	}
	var once sync.Once
	opts.OnPaste = func(f func(string) error) { pl.paste = f } // before OnURL closes urlSet
	opts.OnURL = func(u string) { once.Do(func() { pl.url = u; close(pl.urlSet) }) }
	err := s.loginWith(ctx, func(p Provider) (*auth.Token, error) { return p.Login(ctx, opts) })
	s.endLogin(pl, err)
}

// Password logs in with a user name and password (RFC 6749 §4.3 or the
// dialect's form). The password is passed on once and not kept.
func (s *Session) Password(ctx context.Context, user, password string) error {
	err := s.loginWith(ctx, func(p Provider) (*auth.Token, error) { return p.Password(ctx, user, password) })
	s.changed()
	return err
}

// Import takes a refresh token obtained elsewhere. It is tried first, and
// replaces the saved login only when the provider accepts it: a mistyped
// token leaves the working login as it was. It is used once. A token that
// could not be tried because the client's own credentials are missing or
// refused is kept for Resume, but only where there is no working login to
// replace.
func (s *Session) Import(ctx context.Context, refreshToken string) error {
	p, err := s.o.Connect(ctx)
	var tok *auth.Token
	if err == nil {
		tok, err = p.Refresh(ctx, refreshToken)
	}
	if err == nil {
		return s.accept(ctx, s.newGrant(), tok, "import", time.Now())
	}
	if auth.KindOf(err) == auth.Misconfigured && s.park(ctx, refreshToken, err) {
		return err
	}
	return &Error{Code: apiclient.CodeImportRefused, Err: err,
		Message: fmt.Sprintf("profile %q: the refresh token was not accepted, the saved login is unchanged: %v", s.o.Name, err)}
}

// park keeps an imported refresh token that the provider has not judged
// (the client's credentials were the trouble) as a login required for
// that reason, to be resumed once they are fixed; only when no working
// login would be replaced. It reports whether it kept it.
func (s *Session) park(ctx context.Context, refreshToken string, why error) bool {
	s.mu.Lock()
	free := s.state == LoggedOut || s.state == LoginRequired
	s.mu.Unlock()
	if !free {
		return false
	}
	gen := s.newGrant()
	s.persist.Lock()
	defer s.persist.Unlock()
	if !s.isGen(gen) {
		return false
	}
	rec := record{RefreshToken: refreshToken, LoginRequired: why.Error(), Misconfigured: true, Received: s.now()}
	if err := s.save(ctx, rec); err != nil {
		return false
	}
	s.mu.Lock()
	s.state, s.reason, s.tok, s.misconfig, s.lastErr = LoginRequired, why.Error(), nil, true, why.Error()
	s.mu.Unlock()
	s.changed()
	return true
}

// loginWith obtains a new grant with get and makes it current.
func (s *Session) loginWith(ctx context.Context, get func(Provider) (*auth.Token, error)) error {
	p, err := s.o.Connect(ctx)
	if err != nil {
		return err
	}
	tok, err := get(p)
	if err != nil {
		return err
	}
	return s.accept(ctx, s.newGrant(), tok, "login", time.Now())
}

// newGrant starts a new grant generation: whatever an older refresh still
// brings back is discarded.
func (s *Session) newGrant() int {
	s.persist.Lock()
	defer s.persist.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	return s.gen
}

// Logout forgets the grant (memory and store) and revokes its refresh token
// where the provider has a revocation endpoint (RFC 7009). The local part
// always happens first: a provider that is down cannot keep a person logged in.
func (s *Session) Logout(ctx context.Context) (LogoutResult, error) {
	s.CancelLogin()
	var rt string
	if rec, err := s.load(ctx); err == nil {
		rt = rec.RefreshToken
	}
	s.persist.Lock()
	s.mu.Lock()
	if rt == "" && s.tok != nil {
		rt = s.tok.RefreshToken
	}
	s.gen++
	s.tok, s.state, s.reason, s.failures, s.retryAt, s.lastErr = nil, LoggedOut, "", 0, time.Time{}, ""
	s.unsaved, s.unsavedReason, s.saveTries = "", "", 0 // nothing left to save
	s.scheduleLocked()
	s.mu.Unlock()
	err := s.o.Store.Delete(ctx, s.o.Name)
	s.persist.Unlock()
	s.changed()
	if err != nil {
		return LogoutResult{}, err
	}
	var res LogoutResult
	if rt == "" {
		return res, nil
	}
	p, err := s.o.Connect(ctx)
	if err == nil {
		err = p.Revoke(ctx, rt, "refresh_token")
	}
	switch {
	case errors.Is(err, auth.ErrNoRevocation):
	case err != nil:
		res.RevokeError = err.Error()
	default:
		res.Revoked = true
	}
	return res, nil
}
