package agent_test

import (
	"os"
	"testing"

	"github.com/tokentray/tokentray/internal/testing/testbuild"
)

func TestMain(m *testing.M) {
	if os.Getenv(proxyChildEnv) == "1" {
		proxyChild()
	}
	if addr := os.Getenv(squatEnv); addr != "" {
		os.Exit(squat(addr))
	}
	code := m.Run()
	testbuild.RemoveAll()
	os.Exit(code)
}
