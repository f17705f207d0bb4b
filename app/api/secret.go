package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tokentray/tokentray/app/session"
)

// SecretKind names a client credential the agent keeps for a profile.
type SecretKind string

// The credentials a profile can have in the keyring.
const (
	// ClientSecret is the secret of client_secret_basic, client_secret_post
	// and digirunner.
	ClientSecret SecretKind = "client secret"
	// PrivateKey is the PEM private key of private_key_jwt.
	PrivateKey SecretKind = "private key"
)

// Secrets stores client credentials for the socket's secret routes; the
// agent is one. Set returns a note for the person when the profile will not
// use what was stored.
type Secrets interface {
	SetSecret(ctx context.Context, profile string, kind SecretKind, value string) (note string, err error)
	DeleteSecret(ctx context.Context, profile string, kind SecretKind) error
}

// ErrInvalidSecret is wrapped by Secrets errors about the value itself (an
// empty secret, a key that is not a PEM private key); the API answers 400.
var ErrInvalidSecret = errors.New("invalid secret")

// Bounds of the values the secret routes accept. Windows' Credential
// Manager holds at most 2560 bytes per item; a client secret is far shorter.
const (
	maxSecret     = 2048
	maxPrivateKey = 16 << 10
)

// SecretRequest is the body of POST /v1/secret/{profile}.
type SecretRequest struct {
	Secret string `json:"secret"`
}

// PrivateKeyRequest is the body of POST /v1/private-key/{profile}.
type PrivateKeyRequest struct {
	PrivateKey string `json:"private_key"`
}

// SecretResponse answers the secret routes. It never holds the secret.
type SecretResponse struct {
	Stored  bool   `json:"stored,omitempty"`
	Deleted bool   `json:"deleted,omitempty"`
	Note    string `json:"note,omitempty"`
	// Resumed says a profile whose login was refused for the client's
	// credentials got going again with the new ones; Status tells how.
	Resumed bool            `json:"resumed,omitempty"`
	Status  *session.Status `json:"status,omitempty"`
}

func (s *Server) setSecret(w http.ResponseWriter, r *http.Request) {
	var req SecretRequest
	if !readJSON(w, r, &req) {
		return
	}
	v := strings.TrimSpace(req.Secret)
	switch {
	case v == "":
		writeError(w, http.StatusBadRequest, "bad_request", "the secret is empty")
		return
	case len(v) > maxSecret:
		writeError(w, http.StatusBadRequest, "bad_request", "the secret is longer than 2 KiB")
		return
	}
	s.storeSecret(w, r, ClientSecret, v)
}

func (s *Server) setPrivateKey(w http.ResponseWriter, r *http.Request) {
	var req PrivateKeyRequest
	if !readJSON(w, r, &req) {
		return
	}
	v := strings.TrimSpace(req.PrivateKey)
	switch {
	case v == "":
		writeError(w, http.StatusBadRequest, "bad_request", "the private key is empty")
		return
	case len(v) > maxPrivateKey:
		writeError(w, http.StatusBadRequest, "bad_request", "the private key is longer than 16 KiB")
		return
	}
	s.storeSecret(w, r, PrivateKey, v+"\n")
}

func (s *Server) storeSecret(w http.ResponseWriter, r *http.Request, kind SecretKind, v string) {
	sess, ok := s.secretSession(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), maxWait)
	defer cancel()
	note, err := s.Secrets.SetSecret(ctx, sess.Name(), kind, v)
	if err != nil {
		writeSecretError(w, err)
		return
	}
	resp := SecretResponse{Stored: true, Note: note}
	// The grant may have been waiting for exactly this.
	if tried, err := sess.Resume(ctx); tried {
		resp.Resumed = err == nil
	}
	st := sess.Status()
	resp.Status = &st
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) deleteSecret(w http.ResponseWriter, r *http.Request) {
	s.removeSecret(w, r, ClientSecret)
}

func (s *Server) deletePrivateKey(w http.ResponseWriter, r *http.Request) {
	s.removeSecret(w, r, PrivateKey)
}

func (s *Server) removeSecret(w http.ResponseWriter, r *http.Request, kind SecretKind) {
	sess, ok := s.secretSession(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), maxWait)
	defer cancel()
	if err := s.Secrets.DeleteSecret(ctx, sess.Name(), kind); err != nil {
		writeSecretError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, SecretResponse{Deleted: true})
}

func (s *Server) secretSession(w http.ResponseWriter, r *http.Request) (*session.Session, bool) {
	if s.Secrets == nil {
		writeError(w, http.StatusNotImplemented, "not_supported", "this agent keeps no client secrets")
		return nil, false
	}
	return s.session(w, r)
}

func writeSecretError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrInvalidSecret) {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	writeError(w, http.StatusServiceUnavailable, "keyring", err.Error())
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
