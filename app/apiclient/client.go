// Package apiclient is the client of the agent's local API and the API's
// wire types: what the command line, the tray and the windows need to talk
// to the agent, and nothing of the agent itself. It links neither the
// sessions nor the keyring, so a program that only asks the agent
// (tokentray-ui) stays small. The agent's server (app/api) and its
// sessions (app/session) use the same types; the arrows point here, never
// away.
package apiclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Client talks to the agent over its socket (a unix socket; a named pipe
// on Windows). The CLI, the windows and other tools use it; none of them
// ever refreshes on its own.
type Client struct {
	socket string
	hc     *http.Client
	base   string // the URL prefix of every request
	key    string // sent in KeyHeader when set (the TCP port)
}

// NewClient returns a client of the agent listening on socket.
func NewClient(socket string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialAgent(ctx, socket)
		},
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: MaxWait + 5*time.Second,
	}
	return &Client{socket: socket, hc: &http.Client{Transport: tr}, base: "http://tokentray.sock"}
}

// Close drops the client's idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Socket is the path (or address) the client dials.
func (c *Client) Socket() string { return c.socket }

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	resp, err := c.send(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decode(resp, out)
}

func (c *Client) send(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	// On the socket the host is a name of our own: the socket is what matters.
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if c.key != "" {
		req.Header.Set(KeyHeader, c.key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if fe := (*ForeignAgentError)(nil); errors.As(err, &fe) {
			return nil, fe
		}
		if se := (*SquatterError)(nil); errors.As(err, &se) {
			return nil, se
		}
		if noAgent(err) {
			return nil, fmt.Errorf("%w (no socket at %s): start it with `tokentray` (with a tray) or `tokentray agent`", ErrNoAgent, c.socket)
		}
		return nil, fmt.Errorf("talking to the agent: %w", err)
	}
	return resp, nil
}

func decode(resp *http.Response, out any) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("reading the agent's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e ErrorResponse
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return &Error{Status: resp.StatusCode, Code: e.Error, Message: e.Message}
		}
		return &Error{Status: resp.StatusCode, Code: CodeUnknown, Message: fmt.Sprintf("the agent answered HTTP %d", resp.StatusCode)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("the agent's answer is not the expected JSON: %w", err)
	}
	return nil
}

// Token reads a profile's access token, valid for at least minValid.
func (c *Client) Token(ctx context.Context, profile string, minValid time.Duration) (TokenResponse, error) {
	var t TokenResponse
	p := "/v1/token/" + url.PathEscape(profile)
	if minValid > 0 {
		p += "?min_valid=" + url.QueryEscape(minValid.String())
	}
	err := c.do(ctx, http.MethodGet, p, nil, &t)
	return t, err
}

// Status lists the agent and its profiles.
func (c *Client) Status(ctx context.Context) (StatusResponse, error) {
	var s StatusResponse
	err := c.do(ctx, http.MethodGet, "/v1/status", nil, &s)
	return s, err
}

// Details describes a profile's current access token without refreshing it.
func (c *Client) Details(ctx context.Context, profile string) (DetailsResponse, error) {
	var d DetailsResponse
	err := c.do(ctx, http.MethodGet, "/v1/details/"+url.PathEscape(profile), nil, &d)
	return d, err
}

// Login starts (or joins) a browser login and waits for its end. onURL
// receives the authorization URL as soon as the agent has it.
func (c *Client) Login(ctx context.Context, profile string, noBrowser bool, onURL func(string)) error {
	return c.loginStream(ctx, "/v1/login/"+url.PathEscape(profile), LoginRequest{NoBrowser: noBrowser}, func(ev LoginEvent) {
		if ev.URL != "" && onURL != nil {
			onURL(ev.URL)
		}
	})
}

// LoginDevice starts (or joins) a device login and waits for its end.
// onCode receives the code to show as soon as the agent has it.
func (c *Client) LoginDevice(ctx context.Context, profile string, onCode func(DeviceCode)) error {
	return c.loginStream(ctx, "/v1/login/"+url.PathEscape(profile)+"/device", struct{}{}, func(ev LoginEvent) {
		if ev.DeviceCode != nil && onCode != nil {
			onCode(*ev.DeviceCode)
		}
	})
}

// loginStream posts to a login route and reads its events until the
// outcome; every event that is not the outcome goes to onEvent.
func (c *Client) loginStream(ctx context.Context, path string, body any, onEvent func(LoginEvent)) error {
	resp, err := c.send(ctx, http.MethodPost, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return decode(resp, nil)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		var ev LoginEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return fmt.Errorf("the agent's login stream is broken: %w", err)
		}
		switch {
		case ev.Error != "":
			return &Error{Status: http.StatusOK, Code: ev.Error, Message: ev.Message}
		case ev.Done:
			return nil
		default:
			onEvent(ev)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.New("the agent ended the login stream without an outcome")
}

// PasteLogin hands the pending browser login the address a browser on
// another machine ended on. It returns when the login has ended, or with
// an error at once when the address was refused (the login goes on).
func (c *Client) PasteLogin(ctx context.Context, profile, redirectURL string) (Status, error) {
	var s Status
	err := c.do(ctx, http.MethodPost, "/v1/login/"+url.PathEscape(profile)+"/callback", PasteRequest{URL: redirectURL}, &s)
	return s, err
}

// CancelLogin cancels a pending login.
func (c *Client) CancelLogin(ctx context.Context, profile string) error {
	return c.do(ctx, http.MethodDelete, "/v1/login/"+url.PathEscape(profile), nil, nil)
}

// Logout forgets and revokes a profile's grant.
func (c *Client) Logout(ctx context.Context, profile string) (LogoutResult, error) {
	var r LogoutResult
	err := c.do(ctx, http.MethodPost, "/v1/logout/"+url.PathEscape(profile), nil, &r)
	return r, err
}

// Refresh refreshes a profile now.
func (c *Client) Refresh(ctx context.Context, profile string) (Status, error) {
	var s Status
	err := c.do(ctx, http.MethodPost, "/v1/refresh/"+url.PathEscape(profile), nil, &s)
	return s, err
}

// Import hands the agent a refresh token obtained elsewhere.
func (c *Client) Import(ctx context.Context, profile, refreshToken string) (Status, error) {
	var s Status
	err := c.do(ctx, http.MethodPost, "/v1/import/"+url.PathEscape(profile), ImportRequest{RefreshToken: refreshToken}, &s)
	return s, err
}

// Password logs in with a user name and password, used once by the agent.
func (c *Client) Password(ctx context.Context, profile, user, password string) (Status, error) {
	var s Status
	err := c.do(ctx, http.MethodPost, "/v1/password/"+url.PathEscape(profile), PasswordRequest{Username: user, Password: password}, &s)
	return s, err
}

// Reload asks the agent to reread its config.
func (c *Client) Reload(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/v1/reload", nil, nil)
}

// SetSecret stores a profile's client secret in the keyring, through the
// agent. The agent uses it from the next token request on.
func (c *Client) SetSecret(ctx context.Context, profile, secret string) (SecretResponse, error) {
	var r SecretResponse
	err := c.do(ctx, http.MethodPost, "/v1/secret/"+url.PathEscape(profile), SecretRequest{Secret: secret}, &r)
	return r, err
}

// DeleteSecret removes a profile's client secret from the keyring.
func (c *Client) DeleteSecret(ctx context.Context, profile string) error {
	return c.do(ctx, http.MethodDelete, "/v1/secret/"+url.PathEscape(profile), nil, nil)
}

// SetPrivateKey stores a profile's private_key_jwt key (PEM) in the keyring.
func (c *Client) SetPrivateKey(ctx context.Context, profile, pem string) (SecretResponse, error) {
	var r SecretResponse
	err := c.do(ctx, http.MethodPost, "/v1/private-key/"+url.PathEscape(profile), PrivateKeyRequest{PrivateKey: pem}, &r)
	return r, err
}

// DeletePrivateKey removes a profile's private key from the keyring.
func (c *Client) DeletePrivateKey(ctx context.Context, profile string) error {
	return c.do(ctx, http.MethodDelete, "/v1/private-key/"+url.PathEscape(profile), nil, nil)
}
