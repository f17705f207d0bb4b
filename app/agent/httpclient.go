package agent

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"time"

	"github.com/tokentray/tokentray/app/config"
)

// The timeouts of every request to a provider.
const (
	providerTimeout     = 30 * time.Second // a whole request, body included
	tlsHandshakeTimeout = 10 * time.Second
)

// NewHTTPClient returns the client the agent talks to providers with:
// HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured (Go never proxies
// loopback addresses, so a provider on this machine is reached directly),
// and every request ends within 30 s.
func NewHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyFromEnvironment
	tr.TLSHandshakeTimeout = tlsHandshakeTimeout
	tr.ResponseHeaderTimeout = providerTimeout
	return &http.Client{Transport: tr, Timeout: providerTimeout}
}

// ProfileHTTPClient returns base for a profile without ca_file, else a copy
// whose TLS trusts the system's CAs and those of the file: the extra CAs
// are trusted for that profile's provider only.
func ProfileHTTPClient(base *http.Client, p config.Profile) (*http.Client, error) {
	if base == nil {
		base = NewHTTPClient()
	}
	if p.CAFile == "" {
		return base, nil
	}
	pem, err := config.ReadCAFile(p.CAFile)
	if err != nil {
		return nil, fmt.Errorf("profile %q: ca_file: %w", p.Name, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	pool.AppendCertsFromPEM(pem)
	var tr *http.Transport
	switch t := base.Transport.(type) {
	case nil:
		tr = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		tr = t.Clone()
	default:
		return nil, fmt.Errorf("profile %q: ca_file cannot be added to a %T transport", p.Name, base.Transport)
	}
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{}
	}
	tr.TLSClientConfig.RootCAs = pool
	c := *base
	c.Transport = tr
	return &c, nil
}
