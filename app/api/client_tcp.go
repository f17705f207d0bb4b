package api

import (
	"net/http"
	"time"
)

// NewTCPClient returns a client of the agent's loopback TCP port (addr is
// host:port), which serves token reads only: use Token. key is the per-user
// key (ReadKey); the agent asks for it where it cannot tell which user
// connects, and "" sends none.
func NewTCPClient(addr, key string) *Client {
	tr := &http.Transport{
		Proxy:                 nil, // loopback: never through a proxy
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: maxWait + 5*time.Second,
	}
	return &Client{socket: addr, hc: &http.Client{Transport: tr}, base: "http://" + addr, key: key}
}
