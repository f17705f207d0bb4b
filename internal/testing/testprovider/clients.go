package testprovider

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"maps"
	"math/big"
)

// Client is the registration (Options.Clients) of a native client of the
// code flow on the loopback redirect, with refresh tokens, authenticating
// to the token endpoint with method; extra adds fields (client_secret,
// jwks) or overrides them.
func Client(id, method string, extra map[string]any) map[string]any {
	c := map[string]any{
		"client_id":                  id,
		"application_type":           "native",
		"token_endpoint_auth_method": method,
		"redirect_uris":              []string{DefaultRedirectURI},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
	}
	maps.Copy(c, extra)
	return c
}

// JWKS is a client's jwks field with the public halves of keys (ECDSA
// P-256 or RSA private keys), for private_key_jwt.
func JWKS(keys ...any) map[string]any {
	b64 := base64.RawURLEncoding.EncodeToString
	var out []any
	for _, k := range keys {
		switch k := k.(type) {
		case *ecdsa.PrivateKey:
			pub, err := k.PublicKey.ECDH()
			if err != nil {
				panic(fmt.Sprintf("testprovider: JWKS: %v", err))
			}
			raw := pub.Bytes() // 0x04 || X || Y
			out = append(out, map[string]any{"kty": "EC", "crv": "P-256", "x": b64(raw[1:33]), "y": b64(raw[33:])})
		case *rsa.PrivateKey:
			out = append(out, map[string]any{"kty": "RSA", "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())})
		default:
			panic(fmt.Sprintf("testprovider: JWKS: a %T is not an ECDSA or RSA private key", k))
		}
	}
	return map[string]any{"keys": out}
}
