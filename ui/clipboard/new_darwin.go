package clipboard

import (
	"context"
	"fmt"
	"time"
)

// Mac uses pbcopy and pbpaste. pbcopy cannot add
// org.nspasteboard.ConcealedType, so clipboard managers may keep the
// token until it is cleared.
type Mac struct {
	Run Runner // real commands when nil
}

func (m *Mac) run(stdin, name string, args ...string) (string, error) {
	run := m.Run
	if run == nil {
		run = execRunner
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return run(ctx, stdin, name, args...)
}

// Write copies with pbcopy.
func (m *Mac) Write(text string) error {
	if _, err := m.run(text, "pbcopy"); err != nil {
		return fmt.Errorf("clipboard: %w", err)
	}
	return nil
}

// ClearIf empties the pasteboard when pbpaste still reads text.
func (m *Mac) ClearIf(text string) (bool, error) {
	cur, err := m.run("", "pbpaste")
	if err != nil || cur != text {
		return false, err
	}
	if _, err := m.run("", "pbcopy"); err != nil {
		return false, fmt.Errorf("clipboard: %w", err)
	}
	return true, nil
}

// New returns the macOS pasteboard.
func New(func(string) string) (Board, error) { return &Mac{}, nil }
