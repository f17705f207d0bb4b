package apiclient

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"

	"os"
	"time"

	"github.com/tokentray/tokentray/app/tcppeer"
)

// NewTCPClient returns a client of the agent's loopback TCP port (addr is
// host:port), which serves token reads only: use Token. key is the per-user
// key (ReadKey); the agent asks for it where it cannot tell which user
// connects, and "" sends none.
//
// Before a request goes out the client checks that the port is served by
// its own user (verifyServer): another user may have taken the port first,
// and its answer is not a token, nor is our key its to see.
func NewTCPClient(addr, key string) *Client {
	tr := &http.Transport{
		Proxy: nil, // loopback: never through a proxy
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, network, a)
			if err != nil {
				return nil, err
			}
			if err := verifyServer(ctx, c, addr, key); err != nil {
				c.Close()
				return nil, err
			}
			return c, nil
		},
		MaxIdleConns:          4,
		IdleConnTimeout:       IdleTimeout / 2, // below the agent's: never reuse a connection it is closing
		ResponseHeaderTimeout: MaxWait + 5*time.Second,
	}
	return &Client{socket: addr, hc: &http.Client{Transport: tr}, base: "http://" + addr, key: key}
}

// SquatterError says that the TCP port is not served by the user's agent:
// another user's program, or one that cannot prove it knows the user's key.
// The client sent it nothing and uses none of its answers.
type SquatterError struct {
	Addr string
	UID  int // -1: unknown
	Why  string
}

func (e *SquatterError) Error() string {
	who := "a program that is not your agent"
	if e.UID >= 0 {
		who = fmt.Sprintf("another user (uid %d)", e.UID)
	}
	return fmt.Sprintf("%s is served by %s: tokentray sends it nothing and takes no token from it (%s). Use the agent's socket, or see `tokentray status` for the port it listens on", e.Addr, who, e.Why)
}

// ProofPath is where the agent proves, to a client that has the per-user
// key, that it has the key too: it answers ProofHeader, the HMAC of the
// client's ChallengeHeader under the key. Nothing else is said there, and
// nothing is needed to ask.
const (
	ProofPath       = "/v1/agent/proof"
	ChallengeHeader = "X-Tokentray-Challenge"
	ProofHeader     = "X-Tokentray-Proof"
)

// Proof is the agent's answer to challenge under key.
func Proof(key, challenge string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("tokentray agent proof\n" + challenge))
	return hex.EncodeToString(m.Sum(nil))
}

// verifyServer checks, on a fresh connection and before any request of
// ours, that the port is served by our own user: where the kernel names the
// socket's owner (Linux), by its uid; elsewhere by the key proof.
func verifyServer(ctx context.Context, c net.Conn, addr, key string) error {
	la, ok1 := c.LocalAddr().(*net.TCPAddr)
	ra, ok2 := c.RemoteAddr().(*net.TCPAddr)
	if ok1 && ok2 {
		// The server's end of our connection: its local address is our
		// remote one. On loopback it may take a moment to leave SYN_RECV.
		for i := 0; i < 5; i++ {
			if uid, known := tcppeer.UID(la, ra); known {
				if uid != os.Getuid() {
					return &SquatterError{Addr: addr, UID: uid, Why: "the kernel names its owner"}
				}
				return nil
			}
			time.Sleep(time.Duration(i+1) * time.Millisecond)
		}
	}
	if key == "" {
		return &SquatterError{Addr: addr, UID: -1, Why: "no key to check it with: the key is tcp.key in the agent's runtime directory"}
	}
	return AskProof(ctx, c, addr, key)
}

// AskProof asks the server behind c to prove that it knows key (ProofPath)
// and checks the answer; the connection is then left for the real request
// (keep-alive).
func AskProof(ctx context.Context, c net.Conn, addr, key string) error {
	b := make([]byte, 16)
	rand.Read(b)
	challenge := hex.EncodeToString(b)
	deadline := time.Now().Add(5 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.SetDeadline(deadline)
	defer c.SetDeadline(time.Time{})
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n%s: %s\r\n\r\n", ProofPath, addr, ChallengeHeader, challenge); err != nil {
		return err
	}
	br := bufio.NewReaderSize(c, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return &SquatterError{Addr: addr, UID: -1, Why: "no proof of the key: " + err.Error()}
	}
	resp.Body.Close() // the proof's body is empty; anything more is not an agent
	got := resp.Header.Get(ProofHeader)
	if resp.StatusCode != http.StatusOK || resp.ContentLength != 0 || br.Buffered() != 0 ||
		!hmac.Equal([]byte(got), []byte(Proof(key, challenge))) {
		return &SquatterError{Addr: addr, UID: -1, Why: "it cannot prove it knows your key"}
	}
	return nil
}

// AgentPath is the TCP port's "who are you": a tokentray agent answers its
// own user with its pid and socket, so that a second agent can name it.
const AgentPath = "/v1/agent"

// Agent asks the agent behind the TCP port who it is (AgentPath).
func (c *Client) Agent(ctx context.Context) (AgentInfo, error) {
	var info AgentInfo
	err := c.do(ctx, http.MethodGet, AgentPath, nil, &info)
	return info, err
}
