package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// SecretRequest is the body of POST /v1/secret/{profile} (socket only): a
// confidential client's secret, for the keyring. It is never written to
// the config, never logged and never sent back.
type SecretRequest struct {
	Secret string `json:"secret"`
}

// maxSecret bounds a client secret (the keyrings of some systems cap items
// at a few KB).
const maxSecret = 2048

func (s *Server) setSecret(w http.ResponseWriter, r *http.Request) {
	if s.SetSecret == nil {
		writeError(w, http.StatusNotImplemented, "not_supported", "this agent cannot store client secrets")
		return
	}
	if _, ok := s.session(w, r); !ok {
		return
	}
	var req SecretRequest
	if !readJSON(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Secret) == "" || len(req.Secret) > maxSecret {
		writeError(w, http.StatusBadRequest, "bad_request", "the secret must be 1 to 2048 characters")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), maxWait)
	defer cancel()
	if err := s.SetSecret(ctx, r.PathValue("profile"), req.Secret); err != nil {
		writeError(w, http.StatusServiceUnavailable, "keyring", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"stored": true})
}

// SetSecret stores a profile's client secret in the agent's keyring.
func (c *Client) SetSecret(ctx context.Context, profile, secret string) error {
	return c.do(ctx, http.MethodPost, "/v1/secret/"+url.PathEscape(profile), SecretRequest{Secret: secret}, nil)
}
