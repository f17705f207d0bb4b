package desktop

import (
	"bytes"
	"errors"
	"log"
	"testing"

	"fyne.io/fyne/v2"
)

func TestPrefsNoiseDropsOnlyThePreferencesReport(t *testing.T) {
	var out bytes.Buffer
	prev := log.Writer()
	log.SetOutput(&prefsNoise{w: &out})
	defer log.SetOutput(prev)

	fyne.LogError("Preferences load error:", errors.New("EOF"))
	fyne.LogError("Failed to open window", errors.New("no GL"))
	log.Println("  Cause: a line of someone else's that merely looks alike")

	got := out.String()
	if bytes.Contains(out.Bytes(), []byte("Preferences")) {
		t.Errorf("the preferences report came through:\n%s", got)
	}
	for _, want := range []string{"Failed to open window", "Cause: no GL", "someone else's"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("got %q, want it to keep %q", got, want)
		}
	}
}
