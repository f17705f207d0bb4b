package auth

import (
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DecodeJWT returns the header and claims of a compact JWS without checking
// its signature: for display and for reading "exp". It never verifies, so
// nothing it returns may be trusted for access decisions.
func DecodeJWT(s string) (header, claims map[string]any, err error) {
	if strings.Count(s, ".") != 2 {
		return nil, nil, errors.New("not a JWT")
	}
	claims = map[string]any{}
	tok, _, err := jwt.NewParser().ParseUnverified(s, jwt.MapClaims(claims))
	if err != nil {
		// The library's message may quote the input; keep only our own words.
		return nil, nil, errors.New("not a decodable JWT")
	}
	return tok.Header, claims, nil
}

// JWTLifetimeExpiry returns when a JWT access token received at now stops
// working, immune to skew between our clock and the issuer's: with "iat"
// it is now plus the stated lifetime (exp − iat), else "exp" itself.
func JWTLifetimeExpiry(s string, now time.Time) (time.Time, bool) {
	_, claims, err := DecodeJWT(s)
	if err != nil {
		return time.Time{}, false
	}
	mc := jwt.MapClaims(claims)
	exp, err := mc.GetExpirationTime()
	if err != nil || exp == nil {
		return time.Time{}, false
	}
	if iat, err := mc.GetIssuedAt(); err == nil && iat != nil {
		if life := exp.Sub(iat.Time); life > 0 && life <= maxLifetime {
			return now.Add(life), true
		}
	}
	return exp.Time, true
}

// jwtAccessExpiry is when a JWT access token requested at sent stops
// working, on our clock. Its exp is on the provider's clock: with a known
// skew (nil: unknown; from its Date header) it is moved onto ours, and
// the stated lifetime (exp − iat) counted from the sending bounds it too;
// without a skew, the lifetime alone is immune to it (JWTLifetimeExpiry).
func jwtAccessExpiry(s string, sent time.Time, skew *time.Duration) (time.Time, bool) {
	byLife, ok := JWTLifetimeExpiry(s, sent)
	if !ok || skew == nil {
		return byLife, ok
	}
	exp, _ := JWTExpiry(s)
	local := exp.Add(-*skew)
	if byLife.Equal(exp) { // no usable iat: the corrected exp is all there is
		return local, true
	}
	// An exp before the sending contradicts the Date header (a replayed
	// or mis-issued token): the stated lifetime is the better guess.
	if local.After(sent) && local.Before(byLife) {
		return local, true
	}
	return byLife, true
}

// JWTExpiry returns the "exp" of a JWT, if s is one and has it.
func JWTExpiry(s string) (time.Time, bool) {
	_, claims, err := DecodeJWT(s)
	if err != nil {
		return time.Time{}, false
	}
	exp, err := jwt.MapClaims(claims).GetExpirationTime()
	if err != nil || exp == nil {
		return time.Time{}, false
	}
	return exp.Time, true
}

// AssertionSigner makes RFC 7523 client assertions for private_key_jwt.
type AssertionSigner struct {
	key    crypto.Signer
	method jwt.SigningMethod
	keyID  string
	ttl    time.Duration
}

// NewAssertionSigner reads an RSA (RS256) or EC P-256 (ES256) private key
// from PEM. keyID, when set, goes in the "kid" header.
func NewAssertionSigner(pemKey []byte, keyID string) (*AssertionSigner, error) {
	if k, err := jwt.ParseRSAPrivateKeyFromPEM(pemKey); err == nil {
		return &AssertionSigner{key: k, method: jwt.SigningMethodRS256, keyID: keyID, ttl: time.Minute}, nil
	}
	if k, err := jwt.ParseECPrivateKeyFromPEM(pemKey); err == nil {
		if k.Curve.Params().BitSize != 256 {
			return nil, errors.New("auth: private_key_jwt: only P-256 EC keys (ES256) are supported")
		}
		return &AssertionSigner{key: k, method: jwt.SigningMethodES256, keyID: keyID, ttl: time.Minute}, nil
	}
	return nil, errors.New("auth: private_key_jwt: the key is neither an RSA nor an EC P-256 private key in PEM")
}

// Public returns the signer's public key, for tests and for showing a JWK.
func (s *AssertionSigner) Public() crypto.PublicKey { return s.key.Public() }

// Sign returns a client assertion for clientID addressed to aud (the token
// endpoint, or what the provider asks for): iss = sub = client_id, a unique
// jti, iat and a short exp (RFC 7523 §3).
func (s *AssertionSigner) Sign(clientID string, aud []string, now time.Time) (string, error) {
	if len(aud) == 0 {
		return "", errors.New("auth: client assertion: no audience")
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("auth: client assertion: %w", err)
	}
	claims := jwt.RegisteredClaims{
		Issuer:    clientID,
		Subject:   clientID,
		Audience:  jwt.ClaimStrings(aud),
		ID:        hex.EncodeToString(jti),
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(s.ttl)),
	}
	t := jwt.NewWithClaims(s.method, claims)
	if s.keyID != "" {
		t.Header["kid"] = s.keyID
	}
	out, err := t.SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("auth: client assertion: %w", err)
	}
	return out, nil
}
