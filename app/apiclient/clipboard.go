package apiclient

import (
	"context"
	"net/url"
)

// CopyToClipboard asks the agent to put a profile's access token on the
// desktop's clipboard (it marks it secret and clears it later); the token
// never passes through the caller.
func (c *Client) CopyToClipboard(ctx context.Context, profile string) (ClipboardResponse, error) {
	var out ClipboardResponse
	err := c.do(ctx, "POST", "/v1/clipboard/"+url.PathEscape(profile), ClipboardRequest{What: "access_token"}, &out)
	return out, err
}
