package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// TestCredentialManagerLongSecrets runs against the real Credential Manager
// (make test-windows runs it under Wine): secrets around and far beyond its
// 2,560-byte limit round-trip, and a shorter secret leaves no parts behind.
func TestCredentialManagerLongSecrets(t *testing.T) {
	k := Keyring{}
	ctx := context.Background()
	account := "test-long-" + t.Name()
	t.Cleanup(func() { k.Delete(ctx, account) })
	for _, size := range []int{2000, 2500, 2501, 2560, 2561, 6000, 20000, 100} {
		secret := strings.Repeat("abcdefghij", size/10+1)[:size]
		if err := k.Set(ctx, account, secret); err != nil {
			t.Fatalf("%d bytes: Set: %v", size, err)
		}
		got, err := k.Get(ctx, account)
		if err != nil || got != secret {
			t.Fatalf("%d bytes: got %d bytes, %v; want the %d bytes back", size, len(got), err, size)
		}
	}
	// After the 100-byte secret, no part of the 20,000-byte one remains.
	if _, err := keyring.Get(Service, partName(account, 1)); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("part 1 after a short secret: got %v, want not found", err)
	}
	if err := k.Set(ctx, account, strings.Repeat("x", 9000)); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(ctx, account); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		if _, err := keyring.Get(Service, partName(account, i)); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("part %d after Delete: got %v, want not found", i, err)
		}
	}
	if _, err := k.Get(ctx, account); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: got %v, want ErrNotFound", err)
	}
}

func TestTooLongForAnyStore(t *testing.T) {
	err := osSet(Service, "test-too-long", strings.Repeat("x", chunkSize*maxChunks+1))
	if !errors.Is(err, keyring.ErrSetDataTooBig) {
		t.Errorf("got %v, want ErrSetDataTooBig", err)
	}
}
