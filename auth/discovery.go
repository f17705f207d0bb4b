package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Endpoints are a provider's URLs. Empty ones are not offered.
type Endpoints struct {
	AuthorizationURL       string `json:"authorization_endpoint"`
	TokenURL               string `json:"token_endpoint"`
	RevocationURL          string `json:"revocation_endpoint,omitempty"`
	DeviceAuthorizationURL string `json:"device_authorization_endpoint,omitempty"`
	// IssParameterSupported is RFC 9207's
	// authorization_response_iss_parameter_supported: the callback must then carry iss.
	IssParameterSupported bool `json:"authorization_response_iss_parameter_supported,omitempty"`
}

// Discover reads the provider's metadata: OpenID Connect Discovery 1.0 §4,
// then RFC 8414 §3 (whose well-known path goes between host and path).
// It checks that the metadata names the same issuer (OIDC Discovery §4.3).
func Discover(ctx context.Context, hc *http.Client, issuer string) (Endpoints, error) {
	issuer = strings.TrimSuffix(issuer, "/")
	urls := []string{issuer + "/.well-known/openid-configuration"}
	if i := strings.Index(issuer, "://"); i >= 0 {
		if j := strings.Index(issuer[i+3:], "/"); j >= 0 {
			host, path := issuer[:i+3+j], issuer[i+3+j:]
			urls = append(urls, host+"/.well-known/oauth-authorization-server"+path)
		} else {
			urls = append(urls, issuer+"/.well-known/oauth-authorization-server")
		}
	}
	var firstErr error
	for _, u := range urls {
		ep, err := fetchMetadata(ctx, hc, u, issuer)
		if err == nil {
			return ep, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return Endpoints{}, firstErr
}

func fetchMetadata(ctx context.Context, hc *http.Client, u, issuer string) (Endpoints, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Endpoints{}, fmt.Errorf("discovery: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return Endpoints{}, fmt.Errorf("discovery: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Endpoints{}, fmt.Errorf("discovery: reading %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Endpoints{}, fmt.Errorf("discovery: %s: HTTP %d", u, resp.StatusCode)
	}
	var m struct {
		Endpoints
		Issuer string `json:"issuer"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return Endpoints{}, fmt.Errorf("discovery: %s: not JSON metadata: %s", u, Redact(string(body), 80))
	}
	if strings.TrimSuffix(m.Issuer, "/") != issuer {
		return Endpoints{}, fmt.Errorf("discovery: %s names issuer %q, want %q", u, m.Issuer, issuer)
	}
	if m.TokenURL == "" {
		return Endpoints{}, fmt.Errorf("discovery: %s has no token_endpoint", u)
	}
	return m.Endpoints, nil
}
