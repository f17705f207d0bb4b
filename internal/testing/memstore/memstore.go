// Package memstore is a store.Store in memory for tests: the keyring's
// behaviour (ErrNotFound for a missing item) without a keyring, and the
// faults a keyring has (reads that take a while, calls that fail).
package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/tokentray/tokentray/app/store"
)

// Store keeps items in memory. Its zero value is empty and ready.
type Store struct {
	// ReadDelay makes every Get take that long, like a keyring waking up.
	ReadDelay time.Duration

	mu   sync.Mutex // guards m and fail
	m    map[string]string
	fail error
}

var _ store.Store = (*Store)(nil)

// New returns a Store holding items.
func New(items map[string]string) *Store {
	s := &Store{}
	for k, v := range items {
		s.Set(context.Background(), k, v)
	}
	return s
}

// Failing returns a Store whose Get and Set fail with err.
func Failing(err error) *Store { return &Store{fail: err} }

// Get returns the item k, store.ErrNotFound when there is none.
func (s *Store) Get(_ context.Context, k string) (string, error) {
	time.Sleep(s.ReadDelay)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return "", s.fail
	}
	v, ok := s.m[k]
	if !ok {
		return "", store.ErrNotFound
	}
	return v, nil
}

// Set stores the item k.
func (s *Store) Set(_ context.Context, k, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[k] = v
	return nil
}

// Delete removes the item k.
func (s *Store) Delete(_ context.Context, k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}

// Item returns the item k as it is now, "" when there is none.
func (s *Store) Item(k string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k]
}

// SetFail makes every later Get and Set fail with err (nil: work again),
// like a keyring that is locked and later unlocked.
func (s *Store) SetFail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}
