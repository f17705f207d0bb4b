package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zalando/go-keyring"
)

// The Windows Credential Manager holds at most 2,560 bytes per credential
// (CRED_MAX_CREDENTIAL_BLOB_SIZE; go-keyring says ErrSetDataTooBig), and
// some providers' refresh tokens are longer (JWTs with many claims). A
// longer secret is kept in parts, "ACCOUNT#1" … "ACCOUNT#N", and the item
// ACCOUNT itself holds only chunkMarker + N. The parts are written before
// the marker, so a reader never finds a marker without its parts.
const (
	chunkSize   = 2500
	chunkMarker = "tokentray-chunked-v1:"
	maxChunks   = 64 // 160 KB: far beyond any token, and a bound on a bad marker
)

func partName(account string, i int) string { return account + "#" + strconv.Itoa(i) }

func osGet(service, account string) (string, error) {
	v, err := keyring.Get(service, account)
	if err != nil || !strings.HasPrefix(v, chunkMarker) {
		return v, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(v, chunkMarker))
	if err != nil || n < 1 || n > maxChunks {
		return "", fmt.Errorf("the item %s is a broken list of parts", account)
	}
	var b strings.Builder
	for i := 1; i <= n; i++ {
		p, err := keyring.Get(service, partName(account, i))
		if err != nil {
			return "", fmt.Errorf("part %d of %d: %w", i, n, err)
		}
		b.WriteString(p)
	}
	return b.String(), nil
}

func osSet(service, account, secret string) error {
	old := parts(service, account)
	if len(secret) <= chunkSize && !strings.HasPrefix(secret, chunkMarker) {
		if err := keyring.Set(service, account, secret); err != nil {
			return err
		}
		deleteParts(service, account, 1, old)
		return nil
	}
	n := (len(secret) + chunkSize - 1) / chunkSize
	if n > maxChunks {
		return fmt.Errorf("%w: %d bytes", keyring.ErrSetDataTooBig, len(secret))
	}
	for i := 1; i <= n; i++ {
		if err := keyring.Set(service, partName(account, i), secret[(i-1)*chunkSize:min(i*chunkSize, len(secret))]); err != nil {
			return fmt.Errorf("part %d of %d: %w", i, n, err)
		}
	}
	if err := keyring.Set(service, account, chunkMarker+strconv.Itoa(n)); err != nil {
		return err
	}
	deleteParts(service, account, n+1, old)
	return nil
}

func osDelete(service, account string) error {
	n := parts(service, account)
	err := keyring.Delete(service, account)
	deleteParts(service, account, 1, n)
	return err
}

// parts is how many parts the item has now (0: none).
func parts(service, account string) int {
	v, err := keyring.Get(service, account)
	if err != nil || !strings.HasPrefix(v, chunkMarker) {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimPrefix(v, chunkMarker))
	if err != nil || n < 1 || n > maxChunks {
		return 0
	}
	return n
}

// deleteParts removes parts from..to, left over from a longer secret.
func deleteParts(service, account string, from, to int) {
	for i := from; i <= to; i++ {
		if err := keyring.Delete(service, partName(account, i)); err != nil && !errors.Is(err, keyring.ErrNotFound) {
			return
		}
	}
}
