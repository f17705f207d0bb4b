package agent_test

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv(proxyChildEnv) == "1" {
		proxyChild()
	}
	os.Exit(m.Run())
}
