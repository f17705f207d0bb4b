package agent

import (
	"log/slog"
	"sync"

	"github.com/tokentray/tokentray/app/api"
	"github.com/tokentray/tokentray/app/config"
)

// subscribers fan the sessions' changes out to the tray and anyone else
// who asks.
type subscribers struct {
	mu   sync.Mutex // guards subs
	subs map[chan struct{}]struct{}
}

func (s *subscribers) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default: // a change is already pending: changes coalesce
		}
	}
}

// Subscribe returns a channel that receives a value after any profile's
// state changed and after every config reload (several changes in a row
// may arrive as one), and a func that ends the subscription. The tray
// redraws from it, and re-reads Config for its own settings.
func (a *Agent) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	a.subs.mu.Lock()
	if a.subs.subs == nil {
		a.subs.subs = map[chan struct{}]struct{}{}
	}
	a.subs.subs[ch] = struct{}{}
	a.subs.mu.Unlock()
	return ch, func() {
		a.subs.mu.Lock()
		delete(a.subs.subs, ch)
		a.subs.mu.Unlock()
	}
}

// Local answers the tray, which runs in this process, what the socket
// answers its clients (api.Local): together with Subscribe and Config,
// the tray's one channel to the agent.
func (a *Agent) Local() api.Local {
	return api.Local{Sessions: a, Info: a.info, Now: a.o.Now}
}

// Config returns the config the agent runs on now. It is replaced whole
// on reload, never changed: treat it as read-only.
func (a *Agent) Config() *config.Config {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.cfg
}

// Logger is the agent's logger, for the parts that run in its process.
func (a *Agent) Logger() *slog.Logger { return a.log }
