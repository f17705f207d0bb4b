package api

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
)

// PortHolder is who listens on a TCP port the agent wanted.
type PortHolder struct {
	UID      int
	UIDKnown bool
	PID      int    // 0: not visible to us (another user's process)
	Command  string // the process's name, when PID is known
	// Agent is set when the holder is a tokentray agent of ours that said
	// who it is over the API.
	Agent *apiclient.AgentInfo
}

// FindPortHolder names who holds addr's port: the uid and, where we may
// see it, the pid from the kernel (Linux); then, if it is one of ours,
// asks it over the API who it is (another tokentray agent answers with its
// pid and socket). key is our per-user key for platforms where the agent
// there cannot tell who we are.
func FindPortHolder(ctx context.Context, addr, key string) PortHolder {
	var h PortHolder
	if _, p, err := net.SplitHostPort(addr); err == nil {
		if port, err := strconv.Atoi(p); err == nil {
			h, _ = portHolder(port)
		}
	}
	if !h.UIDKnown || h.UID == os.Getuid() {
		if info, err := askAgent(ctx, addr, key); err == nil {
			h.Agent = &info
		}
	}
	return h
}

// Describe says who holds the port, for status, the tray and doctor:
// "port 8733 is held by uid 1001, pid 4242 (python3)".
func (h PortHolder) Describe(addr string) string {
	port := addr
	if _, p, err := net.SplitHostPort(addr); err == nil {
		port = p
	}
	switch {
	case h.Agent != nil:
		return fmt.Sprintf("port %s is held by another tokentray agent of yours (pid %d, socket %s)", port, h.Agent.PID, h.Agent.Socket)
	case h.UIDKnown && h.PID != 0:
		return fmt.Sprintf("port %s is held by uid %d, pid %d (%s)", port, h.UID, h.PID, h.Command)
	case h.UIDKnown:
		return fmt.Sprintf("port %s is held by uid %d", port, h.UID)
	}
	return fmt.Sprintf("port %s is held by another program", port)
}

func askAgent(ctx context.Context, addr, key string) (apiclient.AgentInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	cl := apiclient.NewTCPClient(addr, key)
	defer cl.Close()
	info, err := cl.Agent(ctx)
	if err != nil {
		return apiclient.AgentInfo{}, err
	}
	if info.PID <= 0 {
		return apiclient.AgentInfo{}, fmt.Errorf("no pid in the answer")
	}
	return info, nil
}

// agentWho answers GET /v1/agent on the TCP port: the pid and socket only.
func (s *Server) agentWho(w http.ResponseWriter, r *http.Request) {
	info := s.Info()
	writeJSON(w, http.StatusOK, apiclient.AgentInfo{PID: info.PID, Version: info.Version, Socket: info.Socket, Listen: info.Listen})
}

// proof answers apiclient.ProofPath (before the peer check: it needs no credentials
// and gives away only a MAC of the caller's own challenge) so that a client
// that cannot ask the kernel who serves the port can check it is the agent
// that knows its key before it sends the key or believes an answer.
func (s *Server) proof(w http.ResponseWriter, r *http.Request) {
	ch := r.Header.Get(apiclient.ChallengeHeader)
	if !validHost(r.Context(), r.Host) || s.TCPKey == "" || r.Method != http.MethodGet || len(ch) < 16 || len(ch) > 128 {
		forbid(w, "no proof here")
		return
	}
	w.Header().Set(apiclient.ProofHeader, apiclient.Proof(s.TCPKey, ch))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}
