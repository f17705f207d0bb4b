package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tokentray/tokentray/app/apiclient"
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

func (s *Server) setSecret(w http.ResponseWriter, r *http.Request) {
	var req apiclient.SecretRequest
	if v, ok := readSecret(w, r, &req, &req.Secret, "secret", maxSecret); ok {
		s.storeSecret(w, r, ClientSecret, v)
	}
}

func (s *Server) setPrivateKey(w http.ResponseWriter, r *http.Request) {
	var req apiclient.PrivateKeyRequest
	if v, ok := readSecret(w, r, &req, &req.PrivateKey, "private key", maxPrivateKey); ok {
		s.storeSecret(w, r, PrivateKey, v+"\n")
	}
}

// readSecret decodes req and returns *field trimmed, refusing it empty or
// longer than max bytes (what names it in the answer).
func readSecret(w http.ResponseWriter, r *http.Request, req any, field *string, what string, max int) (string, bool) {
	if !readJSON(w, r, req) {
		return "", false
	}
	v := strings.TrimSpace(*field)
	switch {
	case v == "":
		writeError(w, apiclient.CodeBadRequest, "the "+what+" is empty")
	case len(v) > max:
		writeError(w, apiclient.CodeBadRequest, fmt.Sprintf("the %s is longer than %d KiB", what, max>>10))
	default:
		return v, true
	}
	return "", false
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
	resp := apiclient.SecretResponse{Stored: true, Note: note}
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
	writeJSON(w, http.StatusOK, apiclient.SecretResponse{Deleted: true})
}

func (s *Server) secretSession(w http.ResponseWriter, r *http.Request) (*session.Session, bool) {
	if s.Secrets == nil {
		writeError(w, apiclient.CodeNotSupported, "this agent keeps no client secrets")
		return nil, false
	}
	return s.session(w, r)
}

func writeSecretError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrInvalidSecret) {
		writeError(w, apiclient.CodeBadRequest, err.Error())
		return
	}
	writeError(w, apiclient.CodeKeyring, err.Error())
}
