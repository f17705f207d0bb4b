package api

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/auth"
)

// DetailsResponse is the body of GET /v1/details/{profile} (socket only):
// what the token details window shows. It holds the decoded header and
// claims of a JWT access token but neither the token itself nor its
// signature, and never the refresh token.
type DetailsResponse struct {
	Status session.Status `json:"status"`
	// Format is "jwt", "opaque" or "none" (no access token held).
	Format    string         `json:"format"`
	TokenType string         `json:"token_type,omitempty"`
	Header    map[string]any `json:"header,omitempty"`
	Claims    map[string]any `json:"claims,omitempty"`
	Scope     string         `json:"scope,omitempty"`
	// IssuedAt is the JWT's "iat", else when the agent received the token.
	IssuedAt   time.Time `json:"issued_at,omitzero"`
	ReceivedAt time.Time `json:"received_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	// Length is the access token's length in characters.
	Length int `json:"length,omitempty"`
}

// detailsOf describes c; ok false means no access token is held.
func detailsOf(st session.Status, c session.Current, ok bool) DetailsResponse {
	d := DetailsResponse{Status: st, Format: "none"}
	if !ok {
		return d
	}
	d.Format, d.TokenType, d.Scope, d.ReceivedAt, d.ExpiresAt, d.Length = "opaque", c.TokenType, c.Scope, c.Received, c.Expiry, len(c.AccessToken)
	d.IssuedAt = c.Received
	if h, claims, err := auth.DecodeJWT(c.AccessToken); err == nil {
		d.Format, d.Header, d.Claims = "jwt", h, claims
		if iat, err := jwt.MapClaims(claims).GetIssuedAt(); err == nil && iat != nil {
			d.IssuedAt = iat.Time
		}
	}
	return d
}

func (s *Server) details(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	c, has := sess.Current()
	writeJSON(w, http.StatusOK, detailsOf(sess.Status(), c, has))
}

// Details describes a profile's current access token without refreshing it.
func (c *Client) Details(ctx context.Context, profile string) (DetailsResponse, error) {
	var d DetailsResponse
	err := c.do(ctx, http.MethodGet, "/v1/details/"+url.PathEscape(profile), nil, &d)
	return d, err
}
