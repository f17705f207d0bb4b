package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of utime and stime in /proc/PID/stat (USER_HZ, 100 on
// every Linux architecture Go supports; `getconf CLK_TCK` shows it).
const userHZ = 100

// ProcSample is one look at a process in /proc.
type ProcSample struct {
	At time.Time
	// CPU is utime+stime of the whole process from /proc/PID/stat, in
	// clock ticks of 10 ms.
	CPU time.Duration
	// OnCPU is the time the process's live threads ran, from
	// /proc/PID/task/*/schedstat, in nanoseconds.
	OnCPU time.Duration
	// Switches counts the live threads' context switches (voluntary and
	// not): how often the process woke up, near enough.
	Switches int64
	// RSS is VmRSS, HWM its peak (VmHWM), in bytes.
	RSS, HWM int64
}

// SampleProc reads pid's CPU time, context switches and memory.
func SampleProc(pid int) (ProcSample, error) {
	s := ProcSample{At: time.Now()}
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return s, fmt.Errorf("bench: %w", err)
	}
	// The command name may hold spaces and parentheses: fields start after the last ')'.
	i := strings.LastIndexByte(string(stat), ')')
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return s, fmt.Errorf("bench: %s/stat: too few fields", dir)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64) // field 14 of proc(5)
	stime, _ := strconv.ParseInt(f[12], 10, 64) // field 15
	s.CPU = time.Duration(utime+stime) * time.Second / userHZ

	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return s, fmt.Errorf("bench: %w", err)
	}
	s.RSS = statusField(string(status), "VmRSS:") * 1024 // kB
	s.HWM = statusField(string(status), "VmHWM:") * 1024

	tasks, _ := os.ReadDir(filepath.Join(dir, "task"))
	for _, t := range tasks {
		td := filepath.Join(dir, "task", t.Name())
		if b, err := os.ReadFile(filepath.Join(td, "schedstat")); err == nil {
			if f := strings.Fields(string(b)); len(f) > 0 {
				ns, _ := strconv.ParseInt(f[0], 10, 64)
				s.OnCPU += time.Duration(ns)
			}
		}
		if b, err := os.ReadFile(filepath.Join(td, "status")); err == nil {
			s.Switches += statusField(string(b), "voluntary_ctxt_switches:")
			s.Switches += statusField(string(b), "nonvoluntary_ctxt_switches:")
		}
	}
	return s, nil
}

// statusField returns the number of a /proc status field (its unit, such
// as kB, is the caller's to know).
func statusField(status, key string) int64 {
	for line := range strings.Lines(status) {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0
			}
			n, _ := strconv.ParseInt(f[0], 10, 64)
			return n
		}
	}
	return 0
}

// Usage is what a process used between two samples.
type Usage struct {
	Window   time.Duration
	CPU      time.Duration // from utime+stime
	OnCPU    time.Duration // from schedstat
	Switches int64
	RSS, HWM int64 // at the end
}

// CoreFraction is CPU time per wall time (1 = one core busy).
func (u Usage) CoreFraction() float64 { return u.CPU.Seconds() / u.Window.Seconds() }

// WakeupsPerSecond is context switches per second of wall time.
func (u Usage) WakeupsPerSecond() float64 { return float64(u.Switches) / u.Window.Seconds() }

// Between is the usage from a to b.
func Between(a, b ProcSample) Usage {
	return Usage{Window: b.At.Sub(a.At), CPU: b.CPU - a.CPU, OnCPU: b.OnCPU - a.OnCPU, Switches: b.Switches - a.Switches, RSS: b.RSS, HWM: b.HWM}
}
