package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"runtime/debug"
	"slices"
	"time"
	"unsafe"

	"github.com/tokentray/tokentray/app/store"
)

// tokenHash names a refresh token without keeping it.
func tokenHash(rt string) string {
	h := sha256.Sum256(view(rt))
	return hex.EncodeToString(h[:16])
}

// view is s's bytes without a copy, for reading only (hashing): each
// []byte(secret) would leave one more copy of the secret in the heap,
// where garbage stays readable until its memory is reused.
func view(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// scrub hands the heap's free pages back to the OS, which zeroes them. Go
// never wipes freed memory, so each buffer a refresh token went through
// (the provider's answer, the record's JSON, the D-Bus messages to and from
// the keyring: strings and library buffers this code cannot wipe) stays
// readable until its memory is reused: after 10 rotations, some 25 copies
// of every old refresh token; with scrub, a few (copies_linux_test.go).
// It costs one full garbage collection per save: minutes apart.
func scrub() { debug.FreeOSMemory() }

// storedItem is the store's item named by hashes: of its bytes, and
// (tokenHash) of the refresh token it holds.
type storedItem struct {
	item [sha256.Size]byte
	rt   string
}

// rememberLocked notes that this session held rt.
func (s *Session) rememberLocked(rt string) {
	if rt == "" {
		return
	}
	h := tokenHash(rt)
	if n := len(s.known); n > 0 && s.known[n-1] == h {
		return
	}
	s.known = append(s.known, h)
	if len(s.known) > maxKnown {
		s.known = slices.Delete(s.known, 0, len(s.known)-maxKnown)
	}
}

// isKnown reports whether this session ever held rt.
func (s *Session) isKnown(rt string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.known, tokenHash(rt))
}

// markSavedLocked records that the store holds memory's refresh token.
func (s *Session) markSavedLocked() {
	if s.unsaved != "" {
		s.o.Log.Info("the refresh token is saved in the keyring again")
	}
	s.unsaved, s.unsavedReason, s.saveTries = "", "", 0
	if s.saveTimer != nil {
		s.saveTimer.Stop()
		s.saveTimer = nil
	}
}

// markUnsavedLocked records that saving memory's refresh token failed,
// and arms the next try: doubling from a second up to saveRetryCeiling,
// so the newest token is in the store soon after the keyring is back.
func (s *Session) markUnsavedLocked(what string, err error) {
	s.unsaved, s.unsavedReason = what, err.Error()
	s.saveTries++
	d := saveRetry(s.saveTries)
	s.o.Log.Error("saving the refresh token failed; memory holds the only copy until a save works", "err", err, "tries", s.saveTries, "retry_in", d)
	if s.saveTimer != nil {
		s.saveTimer.Stop()
	}
	if !s.closed {
		s.saveTimer = time.AfterFunc(d, func() { s.saveCurrent(-1, s.unsavedKind()) })
	}
}

func (s *Session) unsavedKind() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unsaved == "" {
		return NotSaved
	}
	return s.unsaved
}

// saveCurrent writes memory's grant to the store, if it is still grant
// generation gen (-1: whichever is current) and holds a refresh token.
// what is how a failure is shown (NotSaved, Removed).
func (s *Session) saveCurrent(gen int, what string) {
	defer scrub() // last, once every lock is let go
	s.persist.Lock()
	defer s.persist.Unlock()
	s.mu.Lock()
	if s.closed || s.tok == nil || s.tok.RefreshToken == "" || s.state != Valid || (gen >= 0 && gen != s.gen) {
		s.mu.Unlock()
		return
	}
	rec := recordOf(s.tok, s.received)
	rec.RefreshRenewal = s.renewal
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := s.save(ctx, rec)
	s.mu.Lock()
	if s.tok == nil || s.tok.RefreshToken != rec.RefreshToken {
		s.mu.Unlock()
		return
	}
	if err != nil {
		s.markUnsavedLocked(what, err)
	} else {
		s.markSavedLocked()
	}
	s.mu.Unlock()
	s.changed()
}

// verifyLocked starts a check of the store against memory, at most every
// verifyEvery: a person running `status` learns of an item deleted behind
// the agent's back (secret-tool clear, a keyring app), and it is written
// back at once.
func (s *Session) verifyLocked() {
	now := s.now()
	if s.closed || s.verifying || s.flight != nil || s.state != Valid || s.tok == nil || now.Before(s.verifyAt) {
		return
	}
	s.verifying, s.verifyAt = true, now.Add(verifyEvery)
	gen, rt := s.gen, s.tok.RefreshToken
	go s.verify(gen, rt)
}

func (s *Session) verify(gen int, rt string) {
	defer scrub() // the read left the item in D-Bus buffers
	defer func() {
		s.mu.Lock()
		s.verifying = false
		s.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rec, same, err := s.loadUnless(ctx, rt)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.o.Log.Warn("the saved login was removed from the keyring; writing it back")
		s.saveCurrent(gen, Removed)
	case err != nil, same:
		// Unreadable now (a failed save says so when it happens), or ours.
	case rec.RefreshToken != rt && rec.RefreshToken != "" && s.isKnown(rec.RefreshToken):
		s.saveCurrent(gen, NotSaved)
	}
}
