package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// The peer, oidc-agent, sends HTTP Basic "client_id:" with an empty secret
// for public clients, which node-oidc-provider refuses; it gets a
// confidential client of its own at the same provider.
const (
	peerClientID = "oidc-agent"
	peerSecret   = "bench-only-oidc-agent-secret" // a throwaway client of a throwaway provider
	peerPassword = "bench-only-encryption-password"
)

func peerClient() map[string]any {
	return testprovider.Client(peerClientID, "client_secret_basic", map[string]any{"client_secret": peerSecret})
}

// peerRefreshToken logs the peer's client in (authorization code with
// PKCE through the scripted browser) and returns the refresh token to hand
// to oidc-gen, with the scope granted. It asks for prompt=consent: without
// it node-oidc-provider drops offline_access, which oidc-gen always asks
// for when it refreshes.
func peerRefreshToken(ctx context.Context, issuer string) (rt, scope string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	hc := &http.Client{Timeout: 10 * time.Second}
	ep, err := auth.Discover(ctx, hc, issuer)
	if err != nil {
		return "", "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", err
	}
	defer ln.Close()
	oc := oauth2.Config{
		ClientID: peerClientID, ClientSecret: peerSecret,
		Endpoint:    oauth2.Endpoint{AuthURL: ep.AuthorizationURL, TokenURL: ep.TokenURL, AuthStyle: oauth2.AuthStyleInHeader},
		RedirectURL: fmt.Sprintf("http://%s/callback", ln.Addr()),
		Scopes:      []string{"openid", "offline_access"},
	}
	verifier, state := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	codes := make(chan string, 1)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("state") != state {
			http.Error(w, "wrong state", http.StatusBadRequest)
			return
		}
		select {
		case codes <- r.URL.Query().Get("code"):
		default:
		}
		w.Write([]byte("ok"))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	u := oc.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("prompt", "consent"))
	if err := testprovider.Attach(issuer).Browser("bench-user").Browse(u); err != nil {
		return "", "", fmt.Errorf("logging the oidc-agent client in: %w", err)
	}
	var code string
	select {
	case code = <-codes:
	case <-ctx.Done():
		return "", "", ctx.Err()
	}
	tok, err := oc.Exchange(context.WithValue(ctx, oauth2.HTTPClient, hc), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", "", fmt.Errorf("the oidc-agent client's code exchange: %w", err)
	}
	scope, _ = tok.Extra("scope").(string)
	return tok.RefreshToken, scope, nil
}

// oidcAgent is an oidc-agent daemon in the foreground (-d), with its own
// socket; account configs live in the run's OIDC config dir.
type oidcAgent struct {
	name   string
	sock   string
	env    []string
	cmd    *exec.Cmd
	done   chan struct{}
	pwFile string
}

func (r *run) startOIDCAgent(ctx context.Context, name string) (*oidcAgent, error) {
	cfgDir := filepath.Join(r.out, "oidc-agent")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		return nil, err
	}
	a := &oidcAgent{name: name, sock: filepath.Join(r.rundir, "oidc-"+name+".sock"), pwFile: filepath.Join(cfgDir, "password"), done: make(chan struct{})}
	if err := os.WriteFile(a.pwFile, []byte(peerPassword+"\n"), 0o600); err != nil {
		return nil, err
	}
	a.env = append(os.Environ(), "OIDC_SOCK="+a.sock, "OIDC_CONFIG_DIR="+cfgDir)
	a.cmd = exec.Command("oidc-agent", "--console", "--quiet", "--socket-path="+a.sock, "--no-autoload")
	a.cmd.Env = a.env
	a.cmd.Stdout, a.cmd.Stderr = r.logFile("oidc-agent-"+name+".log"), r.logFile("oidc-agent-"+name+".err")
	if err := a.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting oidc-agent: %w", err)
	}
	go func() { a.cmd.Wait(); close(a.done) }()
	r.defer_(a.stop)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("unix", a.sock); err == nil { // listening, not just bound
			c.Close()
			return a, nil
		}
		select {
		case <-a.done:
			return nil, fmt.Errorf("oidc-agent exited at start (see oidc-agent-%s.err)", name)
		default:
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("oidc-agent: no socket after 10 s")
		}
		time.Sleep(pollEvery) // figure 4 times this wait
	}
}

func (a *oidcAgent) stop() { stopProcess(a.cmd, a.done, 5*time.Second) }

func (a *oidcAgent) pid() int { return a.cmd.Process.Pid }

// oidc runs one of oidc-agent's tools against this agent.
func (a *oidcAgent) oidc(ctx context.Context, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = a.env
	cmd.Stdin = strings.NewReader("")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// generate creates account (and loads it) from a refresh token, as TESTBED.md
// describes: oidc-gen with --rt, no prompt.
func (a *oidcAgent) generate(ctx context.Context, account, issuer, rt, scope string) error {
	_, err := a.oidc(ctx, "oidc-gen", account, "--issuer="+issuer, "--client-id="+peerClientID, "--client-secret="+peerSecret,
		"--rt="+rt, "--scope="+scope, "--pw-cmd=cat "+a.pwFile, "--confirm-default", "--prompt=none")
	return err
}

// add loads an existing account config into this agent.
func (a *oidcAgent) add(ctx context.Context, account string) error {
	_, err := a.oidc(ctx, "oidc-add", "--pw-file="+a.pwFile, account)
	return err
}
