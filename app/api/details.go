package api

import (
	"net/http"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/auth"
)

// detailsOf describes c; ok false means no access token is held.
func detailsOf(st session.Status, c session.Current, ok bool) apiclient.DetailsResponse {
	d := apiclient.DetailsResponse{Status: st, Format: "none"}
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
