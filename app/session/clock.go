package session

import "time"

// nowLocked is the time the current token is judged by: the wall clock
// (deadlines are wall-clock instants, so a laptop that slept knows at once
// how late it is), or, when the wall clock was set back since the token
// arrived, the wall time of its arrival plus the monotonic time elapsed
// since — whichever is later. A wall clock that jumps forward (a suspend, an
// NTP step) makes the token look older and refreshes it early; one that
// jumps back can never make an expired token look fresh. The monotonic
// clock does not count a suspend (golang/go#35012), so alone it would be
// too early; together they are never late.
func (s *Session) nowLocked() time.Time {
	now := s.now()
	if s.anchorMono.IsZero() {
		return now
	}
	if m := s.anchorWall.Add(time.Since(s.anchorMono)).Round(0); m.After(now) {
		return m
	}
	return now
}

// anchorLocked notes the wall and monotonic clocks together, when a token's
// expiry is computed on the wall clock as it is now.
func (s *Session) anchorLocked() {
	s.anchorWall, s.anchorMono = s.now(), time.Now()
}
