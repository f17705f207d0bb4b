// Package api is the agent's local HTTP API and its client. The unix socket
// serves every operation; the loopback TCP port serves token reads only.
// Browsers are kept out (Host, Origin, Referer, Sec-Fetch-Site checks; no
// CORS), and no response is ever cached.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/session"
)

// Sessions is what the server needs of the agent.
type Sessions interface {
	Session(name string) (*session.Session, bool)
	All() []*session.Session
}

// maxWait bounds how long a request waits for a refresh under way.
const maxWait = apiclient.MaxWait

// maxRequestBody bounds request bodies on the socket.
const maxRequestBody = 64 << 10

// Server serves the API.
type Server struct {
	Sessions Sessions
	Info     func() apiclient.AgentInfo
	Now      func() time.Time
	Log      *slog.Logger
	// Reload, if set, rereads the config (POST /v1/reload).
	Reload func(ctx context.Context) error
	// Secrets, if set, keeps client secrets and keys (/v1/secret, /v1/private-key).
	Secrets Secrets
	// TCPKey is the per-user key a TCP request must carry (apiclient.KeyHeader) when
	// the peer's uid cannot be found; "" refuses such requests.
	TCPKey string
	// TCPPeerUID finds the uid at the other end of a loopback TCP
	// connection; nil uses the kernel's socket table where there is one.
	TCPPeerUID func(local, remote *net.TCPAddr) (uid int, known bool)
}

// SocketHandler serves every operation; it is mounted on the unix socket.
func (s *Server) SocketHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(tokenPattern, s.token)
	mux.HandleFunc(onlyTokenPattern, s.onlyToken)
	mux.HandleFunc("GET /v1/status", s.status)
	mux.HandleFunc("POST /v1/login/{profile}", s.login)
	mux.HandleFunc("DELETE /v1/login/{profile}", s.cancelLogin)
	mux.HandleFunc("POST /v1/login/{profile}/device", s.deviceLogin)
	mux.HandleFunc("POST /v1/login/{profile}/callback", s.pasteLogin)
	mux.HandleFunc("POST /v1/logout/{profile}", s.logout)
	mux.HandleFunc("POST /v1/refresh/{profile}", s.refresh)
	mux.HandleFunc("POST /v1/import/{profile}", s.importToken)
	mux.HandleFunc("POST /v1/password/{profile}", s.password)
	mux.HandleFunc("POST /v1/reload", s.reload)
	mux.HandleFunc("POST /v1/secret/{profile}", s.setSecret)
	mux.HandleFunc("DELETE /v1/secret/{profile}", s.deleteSecret)
	mux.HandleFunc("POST /v1/private-key/{profile}", s.setPrivateKey)
	mux.HandleFunc("DELETE /v1/private-key/{profile}", s.deletePrivateKey)
	mux.HandleFunc("GET /v1/details/{profile}", s.details)
	mux.HandleFunc(clipboardPattern, s.copyToClipboard)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, apiclient.CodeNotFound, "no such endpoint")
	})
	return s.guard(tokenRoute(mux, s.tokenOf), false)
}

// TCPHandler serves token reads only; it is mounted on the loopback port.
func (s *Server) TCPHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(tokenPattern, s.token)
	mux.HandleFunc(onlyTokenPattern, s.onlyToken)
	mux.HandleFunc("GET "+apiclient.AgentPath, s.agentWho)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, apiclient.CodeNotFound, "the TCP port serves GET /v1/token/{profile} (and /v1/token) only; everything else is on the unix socket")
	})
	return s.guard(tokenRoute(mux, s.tokenOf), true)
}

// guard refuses what a browser or another user could send (tailscale's
// localapi does the same): a foreign Host (DNS rebinding), any Origin or
// Referer, a cross-site fetch, a peer of another uid.
func (s *Server) guard(next http.Handler, tcp bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Cache-Control"] = noStore
		h["X-Content-Type-Options"] = nosniff
		if tcp && r.URL.Path == apiclient.ProofPath {
			s.proof(w, r)
			return
		}
		if !s.peerAllowed(w, r, tcp) {
			return
		}
		if tcp && !validHost(r.Context(), r.Host) {
			forbid(w, "Host must be a loopback name with this port")
			return
		}
		if header(r, "Origin") != "" || header(r, "Referer") != "" {
			forbid(w, "requests from web pages are refused")
			return
		}
		if sfs := header(r, "Sec-Fetch-Site"); sfs != "" && sfs != "none" && sfs != "same-origin" {
			forbid(w, "cross-site requests are refused")
			return
		}
		if r.Body != http.NoBody { // the server's body of a request without one: nothing to bound
			r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
		}
		next.ServeHTTP(w, r)
	})
}

// forbid refuses a request and closes its connection once the answer is
// out (Connection: close): whoever was refused gets no keep-alive
// connection to hold on to.
func forbid(w http.ResponseWriter, msg string) {
	w.Header()["Connection"] = connClose
	writeError(w, apiclient.CodeForbidden, msg)
}

var connClose = []string{"close"}

type peerKey struct{}
type localPortKey struct{}

// ConnContext records the peer's uid of a unix socket connection (and the
// addresses of a TCP one, and its local port as a string, once per
// connection) for guard.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if uid, ok := socketPeerUID(c); ok {
		ctx = context.WithValue(ctx, peerKey{}, uid)
	}
	ctx = withTCPConn(ctx, c)
	if la, ok := c.LocalAddr().(*net.TCPAddr); ok {
		ctx = context.WithValue(ctx, localPortKey{}, strconv.Itoa(la.Port))
	}
	return ctx
}

// validHost accepts localhost, 127.0.0.1 or [::1] with the port we listen on.
func validHost(ctx context.Context, host string) bool {
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		return false
	}
	if lp, ok := ctx.Value(localPortKey{}).(string); ok && port != lp {
		return false
	}
	if h == "localhost" || h == "127.0.0.1" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) session(w http.ResponseWriter, r *http.Request) (*session.Session, bool) {
	return s.sessionNamed(w, r.PathValue("profile"))
}

// sessionAndBody is session, then readJSON into req unless req is nil:
// false when it has answered the request with an error.
func (s *Server) sessionAndBody(w http.ResponseWriter, r *http.Request, req any) (*session.Session, bool) {
	sess, ok := s.session(w, r)
	return sess, ok && (req == nil || readJSON(w, r, req))
}

func (s *Server) sessionNamed(w http.ResponseWriter, name string) (*session.Session, bool) {
	sess, err := s.local().session(name)
	if err != nil {
		writeSessionError(w, err)
	}
	return sess, err == nil
}

// local answers as Local does: the socket's handlers and the tray share
// one function per operation, so that the two cannot drift.
func (s *Server) local() Local { return Local{Sessions: s.Sessions, Info: s.Info, Now: s.Now} }

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.tokenOf(w, r, r.PathValue("profile"))
}

// onlyTokenPattern reads the token of the only profile there is, as
// `tokentray token` without a name does: the front command answers that
// from the socket in one request too.
const onlyTokenPattern = "GET /v1/token"

func (s *Server) onlyToken(w http.ResponseWriter, r *http.Request) {
	all := s.Sessions.All()
	switch len(all) {
	case 1:
		s.tokenOf(w, r, all[0].Name())
	case 0:
		writeError(w, apiclient.CodeUnknownProfile, "the config has no profiles")
	default:
		names := make([]string, len(all))
		for i, sess := range all {
			names[i] = sess.Name()
		}
		writeError(w, apiclient.CodeBadRequest, "name a profile: "+strings.Join(names, ", "))
	}
}

// tokenOf serves the token of the named profile (tokenRoute calls it
// directly).
func (s *Server) tokenOf(w http.ResponseWriter, r *http.Request, profile string) {
	sess, ok := s.sessionNamed(w, profile)
	if !ok {
		return
	}
	var minValid time.Duration
	if r.URL.RawQuery != "" { // most reads have none: skip parsing it
		if v := r.URL.Query().Get("min_valid"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 || d > 24*time.Hour {
				writeError(w, apiclient.CodeBadRequest, "min_valid must be a duration like 60s, at most 24h")
				return
			}
			minValid = d
		}
	}
	resp, err := freshToken(r.Context(), sess, minValid, s.Now())
	if err != nil {
		writeSessionError(w, err)
		return
	}
	if wantsText(header(r, "Accept")) {
		w.Header()["Content-Type"] = contentText
		io.WriteString(w, resp.AccessToken)
		return
	}
	writeToken(w, resp)
}

// wantsText reports whether Accept asks for text/plain rather than JSON.
func wantsText(accept string) bool {
	return strings.Contains(accept, "text/plain") && !strings.Contains(accept, "application/json")
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, statusResponse(s.Info(), s.Sessions.All()))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req apiclient.LoginRequest
	sess, ok := s.sessionAndBody(w, r, &req)
	if !ok {
		return
	}
	streamLogin(w, func(emit func(apiclient.LoginEvent)) error {
		return sess.Login(r.Context(), req.NoBrowser, func(u string) { emit(apiclient.LoginEvent{URL: u}) })
	})
}

// streamLogin answers with the events of a login as newline-delimited
// JSON: whatever run emits, then its outcome.
func streamLogin(w http.ResponseWriter, run func(emit func(apiclient.LoginEvent)) error) {
	// The stream lasts as long as the login: lift the write deadline.
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	rc.Flush()
	err := run(func(ev apiclient.LoginEvent) {
		enc.Encode(ev)
		rc.Flush()
	})
	if err != nil {
		enc.Encode(apiclient.LoginEvent{Error: loginErrorCode(err), Message: err.Error()})
		return
	}
	enc.Encode(apiclient.LoginEvent{Done: true})
}

func (s *Server) cancelLogin(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"cancelled": sess.CancelLogin()})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	res, err := s.local().Logout(r.Context(), r.PathValue("profile"))
	answer(w, res, err)
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	st, err := s.local().Refresh(r.Context(), r.PathValue("profile"))
	answer(w, st, err)
}

// answer writes v, or err in the API's words (for what Local answers).
func answer(w http.ResponseWriter, v any, err error) {
	if err != nil {
		writeSessionError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// act serves an operation on one profile: it decodes the JSON body into
// req (unless req is nil), runs do within maxWait, and answers the
// profile's status, or the error (a badRequest as 400).
func (s *Server) act(w http.ResponseWriter, r *http.Request, req any, do func(context.Context, *session.Session) error) {
	sess, ok := s.sessionAndBody(w, r, req)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), maxWait)
	defer cancel()
	var bad badRequest
	switch err := do(ctx, sess); {
	case errors.As(err, &bad):
		writeError(w, apiclient.CodeBadRequest, string(bad))
	case err != nil:
		writeSessionError(w, err)
	default:
		writeJSON(w, http.StatusOK, sess.Status())
	}
}

// badRequest is a request act answers with 400 and this text.
type badRequest string

func (b badRequest) Error() string { return string(b) }

func (s *Server) importToken(w http.ResponseWriter, r *http.Request) {
	var req apiclient.ImportRequest
	s.act(w, r, &req, func(ctx context.Context, sess *session.Session) error {
		rt := strings.TrimSpace(req.RefreshToken)
		if rt == "" {
			return badRequest("refresh_token is empty")
		}
		return sess.Import(ctx, rt)
	})
}

func (s *Server) password(w http.ResponseWriter, r *http.Request) {
	var req apiclient.PasswordRequest
	s.act(w, r, &req, func(ctx context.Context, sess *session.Session) error {
		return sess.Password(ctx, req.Username, req.Password)
	})
}

func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	if s.Reload == nil {
		writeError(w, apiclient.CodeNotSupported, "this agent cannot reload its config")
		return
	}
	if err := s.Reload(r.Context()); err != nil {
		writeError(w, apiclient.CodeBadConfig, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"reloaded": true})
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) { // an empty body means defaults
		// Decoder errors name offsets and field names, never values.
		writeError(w, apiclient.CodeBadRequest, "the request body is not the expected JSON")
		return false
	}
	return true
}

// writeSessionError answers err in the API's vocabulary (WireError).
func writeSessionError(w http.ResponseWriter, err error) {
	e := WireError(err)
	writeError(w, e.Code, e.Message)
}

// writeError answers the one error shape, with code's HTTP status.
func writeError(w http.ResponseWriter, code apiclient.Code, msg string) {
	writeJSON(w, code.HTTPStatus(), apiclient.ErrorResponse{Error: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// NewHTTPServer returns an http.Server with the timeouts every listener of
// the agent uses: slow or stuck clients cannot hold connections open.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      maxWait + 10*time.Second,
		IdleTimeout:       apiclient.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		ConnContext:       ConnContext,
	}
}
