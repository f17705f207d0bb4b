package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/tokentray/tokentray/app/session"
)

// LoginDevice starts (or joins) a device login and waits for its end.
// onCode receives the code to show as soon as the agent has it.
func (c *Client) LoginDevice(ctx context.Context, profile string, onCode func(session.DeviceCode)) error {
	return c.loginStream(ctx, "/v1/login/"+url.PathEscape(profile)+"/device", struct{}{}, func(ev LoginEvent) {
		if ev.DeviceCode != nil && onCode != nil {
			onCode(*ev.DeviceCode)
		}
	})
}

// PasteLogin hands the pending browser login the address a browser on
// another machine ended on. It returns when the login has ended, or with
// an error at once when the address was refused (the login goes on).
func (c *Client) PasteLogin(ctx context.Context, profile, redirectURL string) (session.Status, error) {
	var s session.Status
	err := c.do(ctx, http.MethodPost, "/v1/login/"+url.PathEscape(profile)+"/callback", PasteRequest{URL: redirectURL}, &s)
	return s, err
}
