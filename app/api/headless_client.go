package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tokentray/tokentray/app/session"
)

// LoginDevice starts (or joins) a device login and waits for its end.
// onCode receives the code to show as soon as the agent has it.
func (c *Client) LoginDevice(ctx context.Context, profile string, onCode func(session.DeviceCode)) error {
	resp, err := c.send(ctx, http.MethodPost, "/v1/login/"+url.PathEscape(profile)+"/device", struct{}{})
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
		var ev DeviceLoginEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return fmt.Errorf("the agent's login stream is broken: %w", err)
		}
		switch {
		case ev.DeviceCode != nil && onCode != nil:
			onCode(*ev.DeviceCode)
		case ev.Error != "":
			return &Error{Status: http.StatusOK, Code: ev.Error, Message: ev.Message}
		case ev.Done:
			return nil
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
func (c *Client) PasteLogin(ctx context.Context, profile, redirectURL string) (session.Status, error) {
	var s session.Status
	err := c.do(ctx, http.MethodPost, "/v1/login/"+url.PathEscape(profile)+"/callback", PasteRequest{URL: redirectURL}, &s)
	return s, err
}
