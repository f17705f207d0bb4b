// Package session keeps one profile logged in: its current token, its state,
// and a scheduler that refreshes ahead of expiry. Only a Session ever uses a
// profile's refresh token, one refresh at a time, and a rotated refresh token
// is saved before the access token that came with it is served.
package session

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/auth"
)

// Provider is what a Session needs of the protocol; *auth.Client has it.
type Provider interface {
	Refresh(ctx context.Context, refreshToken string) (*auth.Token, error)
	Revoke(ctx context.Context, token, hint string) error
	Login(ctx context.Context, opts auth.LoginOptions) (*auth.Token, error)
	Password(ctx context.Context, user, password string) (*auth.Token, error)
}

// Error is why a Session cannot serve a token.
type Error struct {
	Code    apiclient.Code // the API's error code (apiclient.CodeLoggedOut, …)
	Message string
	Err     error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

// Options configure a Session; every side effect is one of them.
type Options struct {
	Name    string
	Connect func(ctx context.Context) (Provider, error) // builds the protocol client (may discover)
	Store   store.Store
	Now     func() time.Time
	Rand    func() float64 // uniform in [0, 1), for jitter
	Log     *slog.Logger
	// DefaultLifetime is assumed when the provider tells no expiry.
	DefaultLifetime time.Duration
	// MinValid is the least a token of this profile is served with left to
	// live (the profile's min_valid); a request may ask for more.
	MinValid time.Duration
	// ServeFloor is the floor of the serve margin (see ServeMargin);
	// DefaultServeFloor when zero.
	ServeFloor time.Duration
	// RefreshTimeout bounds one refresh request; 30 s when zero.
	RefreshTimeout time.Duration
	// LoginTimeout bounds a browser login; 5 min when zero.
	LoginTimeout time.Duration
	// RefreshLifetime is the refresh token's documented rolling lifetime,
	// assumed when the provider tells none; every refresh renews it.
	RefreshLifetime time.Duration
	// RefreshWarning is how long before the refresh token expires a warning
	// is logged (once); RefreshWarnWithin when zero.
	RefreshWarning time.Duration
	// Login is the template of a browser login: redirect port and path, the
	// browser, the page shown after the callback.
	Login auth.LoginOptions
	// Sleep waits between the polls of a device login; nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnChange is called, outside any lock, after the state changed.
	OnChange func()
}

// Session is one profile's live login.
type Session struct {
	o Options

	// persist serialises "check the grant generation, then write the store"
	// against login and logout, so that a refresh of an old grant finishing
	// late can never overwrite the store after a new login or a logout.
	persist sync.Mutex

	mu          sync.Mutex // guards every field below
	tok         *auth.Token
	received    time.Time // when tok arrived
	next        time.Time // when the scheduler refreshes tok
	state       State     // LoggedOut, Valid, LoginRequired or Unavailable
	reason      string    // why login is required / the keyring failed
	lastRefresh time.Time
	lastErr     string
	failures    int       // consecutive failed refreshes
	retryAt     time.Time // no new refresh before this after a failure
	flight      *flight   // the refresh under way, if any
	login       *pendingLogin
	gen         int    // bumped by login and logout: a refresh of an older grant is discarded
	renewal     string // whether refreshing renews the refresh token: renewRolling, renewFixed or unknown
	warned      bool   // the refresh token's coming expiry has been logged
	misconfig   bool   // login is required because the client's credentials were refused
	timer       *time.Timer
	closed      bool
	// anchorWall and anchorMono are the wall clock and a monotonic reading
	// taken together when tok was set (see nowLocked).
	anchorWall, anchorMono time.Time
	// known are hashes of the refresh tokens this session has held, oldest
	// first (bounded): a stored token among them that is not tok's is older
	// than memory (a save failed) and must never be adopted — the provider
	// may have consumed it, and a strict one revokes the grant when it
	// comes back.
	known []string
	// stored names the store's item as this session last wrote or read it,
	// by hashes only (see loadUnless).
	stored storedItem
	// unsaved says why memory's refresh token is not in the store
	// (NotSaved, Removed); "" when the store has it.
	unsaved       string
	unsavedReason string      // the store's error, for people
	saveTries     int         // consecutive failed saves
	saveTimer     *time.Timer // the next try to save, while unsaved
	// unanswered says the last refresh went out and its answer never came:
	// the provider may have used the refresh token.
	unanswered bool
	skew       time.Duration // the provider's clock minus ours, as last seen
	// restoreTries counts the reads of an unavailable store in a row: the
	// next comes after saveRetry(restoreTries), so a keyring unlocked
	// after a restart is used within seconds.
	restoreTries int
	// diedInTransit says the current token's life ran out while its answer
	// was on the way: a reader waits for the next refresh too.
	diedInTransit bool
	verifyAt      time.Time // no store check on Status before this
	verifying     bool      // a store check is under way
}

// What Status.Unsaved says when the store does not hold the newest refresh
// token.
const (
	// NotSaved: saving failed; it is retried, with backoff, until it works.
	NotSaved = "not saved: keyring unavailable"
	// Removed: the item was deleted behind the agent's back, and writing it
	// back failed too.
	Removed = "saved login removed from keyring"
)

// maxKnown bounds Session.known.
const maxKnown = 64

// verifyEvery bounds how often Status checks the store.
const verifyEvery = 2 * time.Second

type flight struct {
	done chan struct{}
	err  error // set before done is closed
}

type pendingLogin struct {
	done   chan struct{}
	err    error
	url    string
	urlSet chan struct{} // closed once url (browser) or code (device) is set
	cancel context.CancelFunc
	device bool       // a device login (RFC 8628), not a browser one
	code   DeviceCode // the device login's code
	paste  func(redirectURL string) error
}

// New returns a Session in state LoggedOut; call Restore to load what the
// store holds.
func New(o Options) *Session {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.DefaultLifetime == 0 {
		o.DefaultLifetime = time.Hour
	}
	if o.RefreshTimeout == 0 {
		o.RefreshTimeout = 30 * time.Second
	}
	if o.LoginTimeout == 0 {
		o.LoginTimeout = 5 * time.Minute
	}
	if o.Rand == nil {
		o.Rand = func() float64 { return 0.5 }
	}
	if o.RefreshWarning == 0 {
		o.RefreshWarning = RefreshWarnWithin
	}
	if o.ServeFloor == 0 {
		o.ServeFloor = DefaultServeFloor
	}
	o.Log = o.Log.With("profile", o.Name)
	return &Session{o: o, state: LoggedOut}
}

// Name is the profile's name.
func (s *Session) Name() string { return s.o.Name }

func (s *Session) now() time.Time { return s.o.Now().Round(0) } // wall clock only: deadlines survive a suspend

// Restore loads the saved grant, if any. A keyring failure leaves the
// session Unavailable; the scheduler tries again.
func (s *Session) Restore(ctx context.Context) error {
	rec, err := s.load(ctx)
	s.mu.Lock()
	if err == nil || errors.Is(err, store.ErrNotFound) {
		s.restoreTries = 0
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.state, s.tok, err = LoggedOut, nil, nil // never logged in: nothing to report
	case err != nil:
		s.state, s.reason = Unavailable, err.Error()
		s.restoreTries++
	case rec.LoginRequired != "":
		s.state, s.reason, s.tok, s.misconfig = LoginRequired, rec.LoginRequired, nil, rec.Misconfigured
	default:
		s.state, s.reason, s.renewal = Valid, "", rec.RefreshRenewal
		s.setTokenLocked(rec.token(), rec.Received)
		s.markSavedLocked()
		s.checkRefreshExpiryLocked(s.now())
	}
	s.scheduleLocked()
	s.mu.Unlock()
	s.changed()
	return err
}

// Token returns a token valid for at least minValid (and never one about to
// expire). When the current token will not do, it joins the refresh under
// way or starts one, and waits for it as long as ctx allows. The returned
// token carries no refresh token.
func (s *Session) Token(ctx context.Context, minValid time.Duration) (auth.Token, error) {
	for tries := 0; ; tries++ {
		s.mu.Lock()
		// A second refresh is waited for only when the first brought a
		// token that died on its way.
		waited := tries >= 2 || (tries == 1 && !s.diedInTransit)
		now := s.nowLocked()
		if t, ok := s.currentLocked(now, minValid); ok {
			s.mu.Unlock()
			return t, nil
		}
		if err := s.unusableLocked(); err != nil {
			s.mu.Unlock()
			return auth.Token{}, err
		}
		if err := s.unmeetableLocked(minValid); err != nil {
			s.mu.Unlock()
			return auth.Token{}, err
		}
		if waited || (s.flight == nil && now.Before(s.retryAt)) {
			err := s.failureLocked(now, minValid)
			s.mu.Unlock()
			return auth.Token{}, err
		}
		f := s.startLocked()
		s.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return auth.Token{}, &Error{Code: apiclient.CodeTimeout, Message: "gave up waiting for the refresh under way", Err: ctx.Err()}
		}
	}
}

// Fresh returns the token Token would serve at once, when the current
// one is valid for at least minValid; ok is false when Token would have to
// wait for a refresh, start one, or fail. It never waits, so a caller can
// skip setting up a deadline for the common case (the API's read path).
func (s *Session) Fresh(minValid time.Duration) (tok auth.Token, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.currentLocked(s.nowLocked(), minValid)
}

// currentLocked is the current token, without its refresh token, if it is
// valid at now for the margin minValid asks for.
func (s *Session) currentLocked(now time.Time, minValid time.Duration) (auth.Token, bool) {
	if s.tok == nil || !s.tok.Valid(now, s.marginLocked(minValid)) {
		return auth.Token{}, false
	}
	t := *s.tok
	t.RefreshToken = ""
	return t, true
}

// Refresh refreshes now, or joins the refresh under way, and waits for it.
func (s *Session) Refresh(ctx context.Context) error {
	s.mu.Lock()
	if err := s.unusableLocked(); err != nil {
		s.mu.Unlock()
		return err
	}
	f := s.startLocked()
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Session) unusableLocked() error {
	switch s.state {
	case LoggedOut:
		return &Error{Code: apiclient.CodeLoggedOut, Message: fmt.Sprintf("profile %q is logged out: run `tokentray login %s`", s.o.Name, s.o.Name)}
	case LoginRequired:
		return &Error{Code: apiclient.CodeLoginRequired, Message: fmt.Sprintf("profile %q needs a new login (%s): run `tokentray login %s`", s.o.Name, s.reason, s.o.Name)}
	case Unavailable:
		return &Error{Code: apiclient.CodeKeyring, Message: fmt.Sprintf("profile %q: %s", s.o.Name, s.reason)}
	}
	return nil
}

func (s *Session) failureLocked(now time.Time, minValid time.Duration) error {
	if s.lastErr != "" {
		msg := fmt.Sprintf("profile %q: refreshing failed: %s", s.o.Name, s.lastErr)
		if now.Before(s.retryAt) {
			msg += fmt.Sprintf(" (next try in %v)", s.retryAt.Sub(now).Round(time.Second))
		}
		return &Error{Code: apiclient.CodeRefreshFailed, Message: msg}
	}
	return &Error{Code: apiclient.CodeRefreshFailed, Message: fmt.Sprintf("profile %q: the provider's tokens do not stay valid for %v", s.o.Name, minValid)}
}

// marginLocked is how long before expiry the current token stops being
// served to a request asking for minValid: the larger of that, the
// profile's min_valid and the serve margin of the token's lifetime.
func (s *Session) marginLocked(minValid time.Duration) time.Duration {
	m := max(minValid, s.o.MinValid)
	if life := s.lifetimeLocked(); life > 0 {
		m = max(m, ServeMargin(life, s.o.ServeFloor))
	}
	return m
}

// lifetimeLocked is the current access token's whole lifetime, from the
// sending of its request to its expiry; 0 when unknown.
func (s *Session) lifetimeLocked() time.Duration {
	if s.tok == nil || s.tok.AccessToken == "" || s.tok.Expiry.IsZero() {
		return 0
	}
	return s.tok.Expiry.Sub(s.received)
}

// unmeetableLocked is the error for a min_valid (the request's or the
// profile's) that the provider's tokens cannot meet: they live no longer
// than that from the moment they are asked for. Known from the current
// token, so it costs one refresh at most, never one per read.
func (s *Session) unmeetableLocked(minValid time.Duration) error {
	want := max(minValid, s.o.MinValid)
	life := s.lifetimeLocked()
	if life <= 0 || want < life {
		return nil
	}
	return &Error{Code: apiclient.CodeMinValidUnmet, Message: fmt.Sprintf("profile %q: the provider's access tokens do not stay valid for %v (min_valid): they live %v; ask for less than that",
		s.o.Name, want, life.Round(time.Second))}
}

// startLocked returns the refresh under way, or starts one.
func (s *Session) startLocked() *flight {
	if s.flight != nil {
		return s.flight
	}
	f := &flight{done: make(chan struct{})}
	s.flight = f
	go s.run(f, s.gen)
	go s.changed()
	return f
}

func (s *Session) run(f *flight, gen int) {
	ctx, cancel := context.WithTimeout(context.Background(), s.o.RefreshTimeout)
	defer cancel()
	err := s.refresh(ctx, gen)
	s.mu.Lock()
	s.flight = nil
	f.err = err
	s.scheduleLocked()
	s.mu.Unlock()
	close(f.done)
	s.changed()
}

// refresh does one refresh of grant generation gen.
func (s *Session) refresh(ctx context.Context, gen int) error {
	s.mu.Lock()
	if s.tok == nil || s.tok.RefreshToken == "" {
		s.mu.Unlock()
		return &Error{Code: apiclient.CodeLoggedOut, Message: "no refresh token"}
	}
	rt, scope := s.tok.RefreshToken, s.tok.Scope
	s.mu.Unlock()

	// Check the store against memory. A token it holds that this session
	// never held was written by someone else after us (an import by
	// another process): newer, adopted, as re-sending the one it replaced
	// would kill a single-use chain (Pagero, strict rotation). One this
	// session held is older (a save failed): never adopted, since the
	// provider may have consumed it; memory's is saved again. A missing
	// item was deleted behind our back: written back.
	rec, same, lerr := s.loadUnless(ctx, rt)
	switch {
	case errors.Is(lerr, store.ErrNotFound):
		s.o.Log.Warn("the saved login was removed from the keyring; writing it back")
		s.saveCurrent(gen, Removed)
	case lerr != nil, same, rec.RefreshToken == "" || rec.RefreshToken == rt || rec.LoginRequired != "":
	case s.isKnown(rec.RefreshToken):
		s.o.Log.Warn("the keyring holds an older refresh token than memory (a save failed); saving the newer one")
		s.saveCurrent(gen, NotSaved)
	default:
		s.o.Log.Info("adopting the newer refresh token found in the store")
		rt = rec.RefreshToken
		s.mu.Lock()
		s.rememberLocked(rt)
		s.mu.Unlock()
	}

	p, err := s.o.Connect(ctx)
	if err == nil {
		var tok *auth.Token
		// From here until accept has saved, a kill can cost the login: a
		// rotating provider may have retired rt already. Nothing but the
		// save happens in between (the crash test reads these two lines).
		s.o.Log.Debug("refresh request sent")
		tok, err = p.Refresh(ctx, rt)
		if err == nil {
			if tok.Scope == "" {
				tok.Scope = scope // RFC 6749 §5.1: omitted means unchanged
			}
			s.mu.Lock()
			s.unanswered = false
			s.mu.Unlock()
			return s.accept(ctx, gen, tok, "refresh", time.Now())
		}
	}
	now := s.now()
	var ae *auth.Error
	if errors.As(err, &ae) && ae.Sent {
		// The provider may have used rt and its answer was lost. rt is the
		// only token there is: the retry either works (it never arrived)
		// or is refused (the chain was lost in the physical window, and is
		// reported as such), never silently.
		s.mu.Lock()
		s.unanswered = true
		s.mu.Unlock()
		s.o.Log.Warn("the refresh was sent but its answer never came; the next try sends the same refresh token", "err", err)
	}
	if k := auth.KindOf(err); k == auth.LoginRequired {
		s.mu.Lock()
		if s.unanswered {
			err = fmt.Errorf("%w (the provider had used the refresh token in a refresh whose answer was lost)", err)
		}
		s.unanswered = false
		s.mu.Unlock()
	}
	if k := auth.KindOf(err); k == auth.LoginRequired || k == auth.Misconfigured {
		s.persist.Lock()
		defer s.persist.Unlock()
		if !s.isGen(gen) {
			return err
		}
		// Keep the refused token beside the reason, so that the state
		// survives a restart and logout can still revoke it.
		rec := record{RefreshToken: rt, LoginRequired: err.Error(), Misconfigured: auth.KindOf(err) == auth.Misconfigured, Received: now}
		if serr := s.save(ctx, rec); serr != nil {
			s.o.Log.Error("saving login-required state", "err", serr)
		}
		s.o.Log.Warn("refresh refused; login required", "err", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.gen {
		return err
	}
	now = s.nowLocked() // retryAt is compared with nowLocked
	s.lastErr = err.Error()
	switch auth.KindOf(err) {
	case auth.LoginRequired, auth.Misconfigured:
		s.state, s.reason, s.tok, s.failures, s.retryAt = LoginRequired, err.Error(), nil, 0, time.Time{}
		s.misconfig = auth.KindOf(err) == auth.Misconfigured
	default:
		s.failures++
		s.retryAt = now.Add(backoff(s.failures, s.o.Rand()))
		s.o.Log.Warn("refresh failed; will retry", "err", err, "failures", s.failures, "retry_in", s.retryAt.Sub(now).Round(time.Millisecond))
	}
	return err
}

// accept saves a fresh token first and only then makes it current: a
// rotated refresh token must be in the store before anything can use the
// access token that came with it. arrived is when the provider's answer
// came back; the time from there to the saved record is the window in
// which a crash loses a rotated refresh token, logged at debug level.
func (s *Session) accept(ctx context.Context, gen int, tok *auth.Token, how string, arrived time.Time) error {
	defer scrub() // last, once every lock is let go
	now := s.now()
	// The token's life started when its request was sent, not now: a slow
	// answer (or a pause) has already used some of it.
	received := now
	if !tok.Issued.IsZero() && tok.Issued.Before(now) {
		received = tok.Issued.Round(0)
	}
	if tok.Expiry.IsZero() {
		tok.Expiry, tok.ExpirySource = received.Add(s.o.DefaultLifetime), "default"
	}
	diedInTransit := false
	switch {
	case tok.Expiry.After(now):
	case tok.Expiry.After(received) && now.Sub(received) >= minRefreshDelay:
		diedInTransit = true
		// It lived, but its life ran out while the answer was on its way
		// (a pause, a frozen VM, a provider slower than the lifetime): it
		// is dead at the provider too. Never served; the refresh token in
		// it is good, and the scheduler refreshes again at once.
		s.o.Log.Warn("the access token expired while its answer was on the way; refreshing again", "expiry_source", tok.ExpirySource)
	default:
		// Already dead by our clock when it arrives: the clocks disagree (a JWT
		// exp without iat) or the provider is broken. Refreshing at once would
		// only loop; believe the issuer for a short while and say so.
		s.o.Log.Warn("the provider's token expires before it arrives; is the clock skewed?", "expiry_source", tok.ExpirySource)
		tok.Expiry = now.Add(minLifetime)
	}
	// Whole seconds, rounded down: the API reports expires_at in seconds, and
	// a token must never be served whose reported expiry has passed.
	tok.Expiry = tok.Expiry.Truncate(time.Second)
	if tok.RefreshToken == "" {
		return &Error{Code: apiclient.CodeNoRefreshToken, Message: "the provider issued no refresh token (ask for the offline_access scope, or allow the refresh_token grant for this client)"}
	}
	renewal := s.refreshExpiry(tok, now, how == "refresh")
	s.persist.Lock()
	defer s.persist.Unlock()
	if !s.isGen(gen) {
		return errors.New("the grant changed while refreshing")
	}
	rec := recordOf(tok, received)
	rec.RefreshRenewal = renewal
	// The answer is in hand: save it even if the refresh's deadline has
	// passed meanwhile (the store bounds its own calls).
	saveErr := s.save(context.WithoutCancel(ctx), rec)
	window := time.Since(arrived)
	s.mu.Lock()
	defer s.mu.Unlock()
	if how != "refresh" {
		s.warned = false // a new grant is worth its own warning
	}
	s.setTokenLocked(tok, received)
	s.skew, s.diedInTransit = tok.ClockSkew, diedInTransit
	s.state, s.reason, s.renewal, s.misconfig = Valid, "", renewal, false
	s.checkRefreshExpiryLocked(now)
	s.failures, s.retryAt = 0, time.Time{}
	s.lastRefresh = now
	s.lastErr = ""
	s.scheduleLocked()
	if saveErr != nil {
		// Memory now holds the only copy of the current refresh token:
		// said loudly, and saved again until it works.
		s.markUnsavedLocked(NotSaved, saveErr)
	} else {
		s.markSavedLocked()
		s.o.Log.Debug(how+" saved", "window", window)
	}
	s.o.Log.Info(how+" done", "expires_at", tok.Expiry.Format(time.RFC3339), "expiry_source", tok.ExpirySource, "next", s.next.Format(time.RFC3339))
	return nil
}

func (s *Session) isGen(gen int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return gen == s.gen
}

func (s *Session) setTokenLocked(tok *auth.Token, received time.Time) {
	s.tok, s.received = tok, received
	s.rememberLocked(tok.RefreshToken)
	s.anchorLocked()
	if tok.Expiry.IsZero() {
		s.next = received.Add(time.Duration(float64(s.o.DefaultLifetime) * refreshFraction))
		return
	}
	s.next = refreshAt(received, tok.Expiry, s.marginLocked(0), s.o.Rand())
}

// scheduleLocked arms the timer for the next refresh or retry.
func (s *Session) scheduleLocked() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if s.closed || s.flight != nil {
		return
	}
	var at time.Time
	switch {
	case s.state == Unavailable:
		at = s.nowLocked().Add(saveRetry(s.restoreTries))
	case s.state != Valid || s.tok == nil:
		return
	case s.failures > 0:
		at = s.retryAt
	default:
		at = s.next
	}
	d := min(max(at.Sub(s.nowLocked()), 0), maxSleep)
	s.timer = time.AfterFunc(d, s.tick)
}

// tick runs when a timer fires: refresh if it is time by the wall clock,
// else sleep again (the timer may have been cut short by maxSleep).
func (s *Session) tick() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	if s.state == Unavailable {
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Restore(ctx)
		return
	}
	now := s.nowLocked()
	s.checkRefreshExpiryLocked(now)
	due := s.next
	if s.failures > 0 {
		due = s.retryAt
	}
	if s.state == Valid && s.tok != nil && !now.Before(due) {
		s.startLocked()
		s.mu.Unlock()
		return
	}
	s.scheduleLocked()
	s.mu.Unlock()
}

// Close stops the scheduler. A refresh under way finishes and is saved.
func (s *Session) Close() {
	s.mu.Lock()
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.saveTimer != nil {
		s.saveTimer.Stop()
	}
	f := s.flight
	if s.login != nil {
		s.login.cancel()
	}
	s.mu.Unlock()
	if f != nil {
		<-f.done
	}
}

func (s *Session) changed() {
	if s.o.OnChange != nil {
		s.o.OnChange()
	}
}

// Status reports the session's state.
func (s *Session) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{Profile: s.o.Name, State: s.state, Reason: s.reason, LastRefresh: s.lastRefresh,
		LastError: s.lastErr, Failures: s.failures, LoginPending: s.login != nil,
		Unsaved: s.unsaved, UnsavedReason: s.unsavedReason, ClockSkew: int64(s.skew / time.Second)}
	s.verifyLocked()
	if s.tok != nil {
		st.ExpiresAt, st.ExpirySource, st.RefreshExpiresAt, st.Scope, st.Extra =
			s.tok.Expiry, s.tok.ExpirySource, s.tok.RefreshExpiry, s.tok.Scope, s.tok.Extra
		st.RefreshRolling = s.renewal == renewRolling && !s.tok.RefreshExpiry.IsZero()
		st.NextRefresh = s.next
		if s.failures > 0 {
			st.NextRefresh = s.retryAt
		}
		if !s.tok.Valid(s.nowLocked(), 0) {
			st.State = Expired
		}
	}
	if s.flight != nil {
		st.State = Refreshing
	}
	return st
}

// record is what the store holds for a profile, as one item so that it is
// replaced in one step.
type record struct {
	RefreshToken  string         `json:"refresh_token"`
	RefreshExpiry time.Time      `json:"refresh_expires_at,omitzero"`
	AccessToken   string         `json:"access_token,omitempty"`
	TokenType     string         `json:"token_type,omitempty"`
	Expiry        time.Time      `json:"expires_at,omitzero"`
	ExpirySource  string         `json:"expiry_source,omitempty"`
	Scope         string         `json:"scope,omitempty"`
	Extra         map[string]any `json:"extra,omitempty"`
	Received      time.Time      `json:"received"`
	LoginRequired string         `json:"login_required,omitempty"`
	// Misconfigured says the login was required because the client's own
	// credentials were refused: RefreshToken may still be good (Resume).
	Misconfigured  bool   `json:"misconfigured,omitempty"`
	RefreshRenewal string `json:"refresh_renewal,omitempty"`
}

func recordOf(t *auth.Token, received time.Time) record {
	return record{RefreshToken: t.RefreshToken, RefreshExpiry: t.RefreshExpiry, AccessToken: t.AccessToken,
		TokenType: t.TokenType, Expiry: t.Expiry, ExpirySource: t.ExpirySource, Scope: t.Scope, Extra: t.Extra, Received: received}
}

func (r record) token() *auth.Token {
	return &auth.Token{RefreshToken: r.RefreshToken, RefreshExpiry: r.RefreshExpiry, AccessToken: r.AccessToken,
		TokenType: r.TokenType, Expiry: r.Expiry, ExpirySource: r.ExpirySource, Scope: r.Scope, Extra: r.Extra}
}

func (s *Session) load(ctx context.Context) (record, error) {
	rec, _, err := s.loadUnless(ctx, "")
	return rec, err
}

// loadUnless reads the stored record, unless the item is byte for byte
// the one this session last wrote or decoded and holds refresh token rt:
// then same is true and rec is empty. A refresh finds its own item there
// almost always, and skipping the decoding spares the heap two more
// copies of the refresh token (the bytes decoded and the decoded string).
func (s *Session) loadUnless(ctx context.Context, rt string) (rec record, same bool, err error) {
	v, err := s.o.Store.Get(ctx, s.o.Name)
	if err != nil {
		return record{}, false, err
	}
	sum := sha256.Sum256(view(v))
	s.mu.Lock()
	same = rt != "" && s.stored.item == sum && s.stored.rt == tokenHash(rt)
	s.mu.Unlock()
	if same {
		return record{}, true, nil
	}
	// v is a string and cannot be wiped; the bytes decoded from are ours.
	b := []byte(v)
	defer clear(b)
	if err := json.Unmarshal(b, &rec); err != nil {
		return record{}, false, fmt.Errorf("store: the item for %q is not a tokentray record", s.o.Name)
	}
	s.mark(sum, rec.RefreshToken)
	return rec, false, nil
}

func (s *Session) save(ctx context.Context, r record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	// The store takes a string, which cannot be wiped; the encoded bytes
	// can, and are, once copied. (Handing the store b itself and wiping it
	// after would be one copy fewer, but a keyring call that timed out may
	// still be reading it.)
	v := string(b)
	sum := sha256.Sum256(b)
	clear(b)
	if err := s.o.Store.Set(ctx, s.o.Name, v); err != nil {
		return err
	}
	s.mark(sum, r.RefreshToken)
	return nil
}

// mark notes the stored item's hash and its refresh token's (see
// loadUnless). Both name one record, so a mark is right even when a later
// write has replaced the item: the item's hash then no longer matches.
func (s *Session) mark(item [sha256.Size]byte, rt string) {
	s.mu.Lock()
	s.stored = storedItem{item: item, rt: tokenHash(rt)}
	s.mu.Unlock()
}
