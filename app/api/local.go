package api

import (
	"context"
	"fmt"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/auth"
)

// Local answers in the agent's own process what the socket answers over
// HTTP: the same types and the same error codes (*apiclient.Error), for
// the tray, which runs in the agent. It is the tray's one channel to the
// agent; with the change notifications of agent.Subscribe it needs no
// socket.
type Local struct {
	Sessions Sessions
	Info     func() apiclient.AgentInfo
	Now      func() time.Time
}

// Status lists the agent and its profiles, as GET /v1/status does.
func (l Local) Status(context.Context) (apiclient.StatusResponse, error) {
	return statusResponse(l.Info(), l.Sessions.All()), nil
}

// Token returns a profile's access token, valid for at least minValid, as
// GET /v1/token/{profile} does.
func (l Local) Token(ctx context.Context, profile string, minValid time.Duration) (apiclient.TokenResponse, error) {
	sess, err := l.session(profile)
	if err != nil {
		return apiclient.TokenResponse{}, err
	}
	return freshToken(ctx, sess, minValid, l.Now())
}

// freshToken is sess's token valid for at least minValid, for Local and the
// socket alike. The current token needs no deadline; only waiting for a
// refresh does.
func freshToken(ctx context.Context, sess *session.Session, minValid time.Duration, now time.Time) (apiclient.TokenResponse, error) {
	tok, ok := sess.Fresh(minValid)
	if !ok {
		ctx, cancel := context.WithTimeout(ctx, maxWait)
		defer cancel()
		var err error
		if tok, err = sess.Token(ctx, minValid); err != nil {
			return apiclient.TokenResponse{}, WireError(err)
		}
	}
	return tokenResponse(tok, now), nil
}

// Refresh refreshes a profile now, as POST /v1/refresh/{profile} does.
func (l Local) Refresh(ctx context.Context, profile string) (apiclient.Status, error) {
	sess, err := l.session(profile)
	if err != nil {
		return apiclient.Status{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, maxWait)
	defer cancel()
	if err := sess.Refresh(ctx); err != nil {
		return apiclient.Status{}, WireError(err)
	}
	return sess.Status(), nil
}

// Logout forgets and revokes a profile's grant, as POST
// /v1/logout/{profile} does.
func (l Local) Logout(ctx context.Context, profile string) (apiclient.LogoutResult, error) {
	sess, err := l.session(profile)
	if err != nil {
		return apiclient.LogoutResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, maxWait)
	defer cancel()
	res, err := sess.Logout(ctx)
	if err != nil {
		return res, WireError(err)
	}
	return res, nil
}

func (l Local) session(name string) (*session.Session, error) {
	sess, ok := l.Sessions.Session(name)
	if !ok {
		return nil, &apiclient.Error{Status: apiclient.CodeUnknownProfile.HTTPStatus(), Code: apiclient.CodeUnknownProfile, Message: unknownProfile(name)}
	}
	return sess, nil
}

// unknownProfile is the message for a name the config does not have.
func unknownProfile(name string) string {
	if len(name) > 64 { // no configured name is longer: do not echo a huge one back
		name = name[:64] + "…"
	}
	return fmt.Sprintf("no profile named %q in the config", name)
}

// statusResponse is the agent's status with its profiles'.
func statusResponse(info apiclient.AgentInfo, all []*session.Session) apiclient.StatusResponse {
	resp := apiclient.StatusResponse{Agent: info, Profiles: make([]apiclient.Status, 0, len(all))}
	for _, sess := range all {
		resp.Profiles = append(resp.Profiles, sess.Status())
	}
	return resp
}

// tokenResponse is what a token read answers for tok at now.
func tokenResponse(tok auth.Token, now time.Time) apiclient.TokenResponse {
	resp := apiclient.TokenResponse{AccessToken: tok.AccessToken, TokenType: tok.TokenType, Scope: tok.Scope}
	if !tok.Expiry.IsZero() {
		resp.ExpiresAt = tok.Expiry.UTC()
		resp.ExpiresIn = int64(tok.Expiry.Sub(now).Seconds())
	}
	return resp
}
