package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The device authorization grant (RFC 8628), for machines without a browser:
// the provider hands out a short user code, a person confirms it on any
// device, and the client polls the token endpoint until it is confirmed.
//
// golang.org/x/oauth2 has DeviceAuth and DeviceAccessToken, but they
// authenticate clients only by Basic or body secrets (not private_key_jwt or
// digiRunner's form), parse answers their own way (not the dialects, the
// error kinds or the redaction here), and poll on the wall clock with a
// ticker, which a test cannot step. So the grant is implemented here, on the
// same request path as every other token request.

// DeviceGrantType is the grant type of the device access token request
// (RFC 8628 §3.4).
const DeviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// Device flow limits.
const (
	// defaultDeviceInterval is the polling interval when the provider names
	// none (RFC 8628 §3.2).
	defaultDeviceInterval = 5 * time.Second
	// slowDownStep is what each slow_down adds to the interval (§3.5).
	slowDownStep = 5 * time.Second
	// maxDeviceInterval caps the interval, however often the provider asks
	// to slow down or the network fails.
	maxDeviceInterval = time.Minute
	// defaultDeviceLifetime is assumed when the provider omits expires_in.
	defaultDeviceLifetime = 10 * time.Minute
	maxDeviceLifetime     = time.Hour
)

// DeviceAuthorization is a device authorization response (RFC 8628 §3.2).
// DeviceCode is a credential: it is never shown or logged.
type DeviceAuthorization struct {
	DeviceCode string
	// UserCode is what the person types at VerificationURI.
	UserCode        string
	VerificationURI string
	// VerificationURIComplete carries the user code already; empty when the
	// provider offers none.
	VerificationURIComplete string
	ExpiresAt               time.Time
	// Interval is how long to wait between polls.
	Interval time.Duration
}

// DeviceAuthorize starts a device login (RFC 8628 §3.1): it asks the
// device authorization endpoint for a device code and a user code.
func (c *Client) DeviceAuthorize(ctx context.Context) (*DeviceAuthorization, error) {
	ep := c.cfg.Endpoints.DeviceAuthorizationURL
	if ep == "" {
		return nil, &Error{Kind: Misconfigured, Description: "the provider offers no device login (no device_authorization_endpoint, RFC 8628); use a browser login, or set device_authorization_endpoint"}
	}
	if c.cfg.Dialect != DialectOAuth2 {
		return nil, &Error{Kind: Misconfigured, Description: fmt.Sprintf("the %s dialect has no device login", c.cfg.Dialect)}
	}
	f := form{}
	if len(c.cfg.Scopes) > 0 {
		f.set("scope", strings.Join(c.cfg.Scopes, " "))
	}
	resp, body, err := c.post(ctx, c.hc, ep, f)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, c.errorFrom(resp.StatusCode, body, c.secrets()...)
	}
	var m struct {
		DeviceCode              string          `json:"device_code"`
		UserCode                string          `json:"user_code"`
		VerificationURI         string          `json:"verification_uri"`
		VerificationURL         string          `json:"verification_url"` // Google's older name
		VerificationURIComplete string          `json:"verification_uri_complete"`
		ExpiresIn               json.RawMessage `json:"expires_in"`
		Interval                json.RawMessage `json:"interval"`
		Error                   string          `json:"error"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, &Error{Kind: Transient, Status: resp.StatusCode, Description: "the device authorization endpoint answered with something that is not JSON: " + excerpt(body, c.secrets())}
	}
	if m.Error != "" {
		return nil, c.errorFrom(http.StatusBadRequest, body, c.secrets()...)
	}
	if m.VerificationURI == "" {
		m.VerificationURI = m.VerificationURL
	}
	secrets := c.secrets(m.DeviceCode)
	if m.DeviceCode == "" || m.UserCode == "" || m.VerificationURI == "" {
		return nil, &Error{Kind: Transient, Status: resp.StatusCode, Description: "the device authorization answer lacks device_code, user_code or verification_uri"}
	}
	if len(m.UserCode) > 64 || strings.ContainsFunc(m.UserCode, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, &Error{Kind: Transient, Status: resp.StatusCode, Description: "the device authorization answer has a user code that cannot be shown"}
	}
	// The URIs are shown to a person and may be opened: web pages only.
	for _, u := range []string{m.VerificationURI, m.VerificationURIComplete} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return nil, &Error{Kind: Misconfigured, Status: resp.StatusCode, Description: "the device authorization answer has a verification URI that is not a web page: " + Redact(u, 80, secrets...)}
		}
	}
	now := c.now()
	da := &DeviceAuthorization{
		DeviceCode:              m.DeviceCode,
		UserCode:                m.UserCode,
		VerificationURI:         m.VerificationURI,
		VerificationURIComplete: m.VerificationURIComplete,
		ExpiresAt:               now.Add(defaultDeviceLifetime),
		Interval:                defaultDeviceInterval,
	}
	if secs, ok := seconds(m.ExpiresIn); ok && secs > 0 {
		da.ExpiresAt = now.Add(min(time.Duration(secs)*time.Second, maxDeviceLifetime))
	}
	if secs, ok := seconds(m.Interval); ok && secs > 0 {
		da.Interval = min(time.Duration(secs)*time.Second, maxDeviceInterval)
	}
	return da, nil
}

// PollDevice polls the token endpoint for da until the person confirms the
// code, declines, or the code expires (RFC 8628 §3.4, §3.5): it waits
// da.Interval before each request, adds 5 s for every slow_down, and
// doubles the interval after a network failure or a 5xx. sleep waits (nil:
// a timer); it returns an error when ctx ends.
func (c *Client) PollDevice(ctx context.Context, da *DeviceAuthorization, sleep func(context.Context, time.Duration) error) (*Token, error) {
	if sleep == nil {
		sleep = sleepContext
	}
	interval := da.Interval
	if interval <= 0 {
		interval = defaultDeviceInterval
	}
	for {
		if err := sleep(ctx, interval); err != nil {
			return nil, fmt.Errorf("auth: device login: %w", err)
		}
		if !c.now().Before(da.ExpiresAt) {
			return nil, &Error{Kind: LoginRequired, Code: "expired_token", Description: "the code was not confirmed in time; start the login again"}
		}
		f := form{{"grant_type", DeviceGrantType}, {"device_code", da.DeviceCode}}
		tok, err := c.tokenRequest(ctx, f, da.DeviceCode)
		if err == nil {
			if err := c.checkIssuer(tok.IDToken); err != nil {
				return nil, err
			}
			return tok, nil
		}
		var e *Error
		if !errors.As(err, &e) {
			return nil, err
		}
		switch {
		case e.Code == "authorization_pending":
		case e.Code == "slow_down":
			interval = min(interval+slowDownStep, maxDeviceInterval)
		case e.Code == "expired_token":
			return nil, &Error{Kind: LoginRequired, Status: e.Status, Code: e.Code, Description: "the code expired before it was confirmed; start the login again"}
		case e.Code == "access_denied":
			return nil, &Error{Kind: LoginRequired, Status: e.Status, Code: e.Code, Description: "the sign-in was declined"}
		case e.Kind == Transient:
			// §3.5: back off on connection failures; 5xx, 429 and
			// garbled answers alike, until the code expires.
			if ctx.Err() != nil {
				return nil, err
			}
			interval = min(interval*2, maxDeviceInterval)
		default:
			return nil, err
		}
	}
}

// checkIssuer compares the issuer of an ID token from the token endpoint
// with the configured one (there is no nonce in a device login).
func (c *Client) checkIssuer(idt string) error {
	if idt == "" || c.cfg.Issuer == "" {
		return nil
	}
	_, claims, err := DecodeJWT(idt)
	if err != nil {
		return fmt.Errorf("auth: ID token: %w", err)
	}
	if iss, _ := claims["iss"].(string); iss != c.cfg.Issuer {
		return fmt.Errorf("auth: ID token issuer %q, want %q", Redact(iss, 100), c.cfg.Issuer)
	}
	return nil
}

// sleepContext waits d, or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
