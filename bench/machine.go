package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Machine describes where a run happened.
type Machine struct {
	CPUs     int
	CPUModel string
	Memory   string
	Kernel   string
	OS       string
	Go       string
	Tools    map[string]string // tool name → version line
	LoadAvg  string            // at the start of the run
	LoadEnd  string            // at the end, set by LoadNow
}

// LoadNow returns the 1, 5 and 15 minute load averages.
func LoadNow() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// Describe looks at this machine and the tools the benchmark uses.
func Describe(ctx context.Context) Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), Tools: map[string]string{}}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPUModel = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if kb := statusField(string(b), "MemTotal:"); kb > 0 {
			m.Memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				m.OS = strings.Trim(strings.TrimSpace(v), `"`)
			}
		}
	}
	m.LoadAvg = LoadNow()
	for name, args := range map[string][]string{
		"node": {"node", "--version"}, "wrk": {"wrk", "-v"}, "hyperfine": {"hyperfine", "--version"},
		"oidc-agent": {"oidc-agent", "--version"},
	} {
		m.Tools[name] = firstLine(ctx, args...)
	}
	return m
}

func firstLine(ctx context.Context, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Run() // wrk -v exits 1 after printing its version
	line, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
	if line == "" {
		return "not installed"
	}
	return line
}

// WriteMarkdown prints the machine as a Markdown list.
func (m Machine) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "- CPU: %d × %s\n", m.CPUs, m.CPUModel)
	fmt.Fprintf(w, "- Memory: %s\n", m.Memory)
	fmt.Fprintf(w, "- OS: %s, kernel %s\n", m.OS, m.Kernel)
	fmt.Fprintf(w, "- Go: %s\n", m.Go)
	fmt.Fprintf(w, "- Tools: node %s; %s; %s; %s\n", m.Tools["node"], m.Tools["wrk"], m.Tools["hyperfine"], m.Tools["oidc-agent"])
	fmt.Fprintf(w, "- Load average (1, 5, 15 min) at the start: %s; at the end: %s (other work on the machine shows here)\n", m.LoadAvg, m.LoadEnd)
}
