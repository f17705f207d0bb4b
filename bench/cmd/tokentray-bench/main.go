// Command tokentray-bench is the harness behind `make bench`: it measures
// tokentray beside a bare net/http server and beside oidc-agent on this
// machine, in one run, and prints one table (figure, tokentray, baseline or
// peer, ratio, target, result). BENCHMARKS.md explains each figure.
//
// It must run inside scripts/with-desktop.sh (a throwaway Secret Service):
// it logs profiles in and writes their refresh tokens to the keyring.
//
//	scripts/with-desktop.sh go run ./bench/cmd/tokentray-bench -tokentray bin/tokentray
//
// Two subcommands are its helpers, started by itself: `serve-const` (the
// bare baseline server) and `browser` (the scripted browser tokentray opens).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tokentray/tokentray/bench"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "serve-const":
			exit(serveConst(os.Args[2:]))
		case "browser":
			exit(browse(os.Args[2:]))
		}
	}
	exit(runBench(os.Args[1:]))
}

func exit(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "tokentray-bench: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// options are the harness's flags.
type options struct {
	bin        string
	goTest     string
	floorDir   string
	out        string
	figures    string
	readDur    time.Duration
	readRounds int
	rotateDur  time.Duration
	slowToken  time.Duration
	idleDur    time.Duration
	profiles   int
	tray       string
	publish    string
	quick      bool
}

func runBench(args []string) error {
	var o options
	fs := flag.NewFlagSet("tokentray-bench", flag.ContinueOnError)
	fs.StringVar(&o.bin, "tokentray", "bin/tokentray", "the tokentray `binary` to measure")
	fs.StringVar(&o.floorDir, "floor-dir", "bin", "`dir` with floor-hello, floor-token, floor-raw and floor-front-go (figure 2's floors; scripts/bench.sh builds them); left out when missing")
	fs.StringVar(&o.goTest, "gotest", "bin/bench.test", "the compiled testing.B benchmarks of ./bench (go test -c -o FILE ./bench)")
	fs.StringVar(&o.out, "out", "out/bench", "`dir` for logs and the Markdown result (results.md)")
	fs.StringVar(&o.figures, "figures", "1,2,3,4,5,go", "which figures to run (comma-separated; go = the testing.B benchmarks)")
	fs.DurationVar(&o.readDur, "read-duration", time.Second, "figure 1: measured time of each run (whole seconds for wrk)")
	fs.IntVar(&o.readRounds, "read-rounds", 10, "figure 1: rounds per series (each runs tokentray and the baseline back to back; medians are reported)")
	fs.DurationVar(&o.rotateDur, "rotation-duration", 60*time.Second, "figure 3: how long the readers run")
	fs.DurationVar(&o.slowToken, "rotation-token-delay", 0, "figure 3: hold every token request this long at the provider (a slow provider; a stress run, not part of the standard table)")
	fs.DurationVar(&o.idleDur, "idle-duration", 60*time.Second, "figure 4: the idle window CPU is measured over")
	fs.IntVar(&o.profiles, "profiles", 20, "figure 4: profiles of the larger agent")
	fs.StringVar(&o.tray, "tray", "auto", "figure 4: also measure `tokentray` with its tray: auto (when the build has one), on, off")
	fs.StringVar(&o.publish, "publish", "", "rewrite the results section of this Markdown `file` (BENCHMARKS.md)")
	fs.BoolVar(&o.quick, "quick", false, "short durations everywhere: a smoke test of the harness, not a measurement")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.quick {
		o.readDur, o.readRounds, o.rotateDur, o.idleDur, o.profiles = time.Second, 1, 8*time.Second, 5*time.Second, 3
	}
	if os.Getenv("TOKENTRAY_TEST_SECRET_SERVICE") != "1" {
		return errors.New("run me inside scripts/with-desktop.sh (I write refresh tokens to the keyring: a throwaway one, not yours)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	r, err := newRun(ctx, o)
	if err != nil {
		return err
	}
	defer r.close()
	start := time.Now()
	want := strings.Split(o.figures, ",")
	steps := []struct {
		name string
		f    func(context.Context) error
	}{
		{"1", r.figureReads},
		{"2", r.figureTokenCommand},
		{"3", r.figureRotation},
		{"4", r.figureIdle},
		{"5", r.figureLogin},
		{"go", r.figureGoBench},
	}
	for _, s := range steps {
		if !slices.Contains(want, s.name) {
			continue
		}
		r.logf("== figure %s", s.name)
		if err := s.f(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.table.Add(bench.Row{Figure: s.name, Measure: "could not run", Tokentray: "—", Verdict: bench.Fail})
			r.table.Note("figure %s failed: %v", s.name, err)
			r.logf("figure %s failed: %v", s.name, err)
		}
	}
	r.machine.LoadEnd = bench.LoadNow()
	r.logf("== done in %v; load %s", time.Since(start).Round(time.Second), r.machine.LoadEnd)

	fmt.Println()
	r.table.WriteText(os.Stdout)
	var md bytes.Buffer
	r.writeResults(&md, time.Since(start))
	if err := os.WriteFile(filepath.Join(o.out, "results.md"), md.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("\nMarkdown: %s; logs: %s\n", filepath.Join(o.out, "results.md"), o.out)
	if o.publish != "" {
		if err := publish(o.publish, md.Bytes()); err != nil {
			return err
		}
		fmt.Printf("Published in %s\n", o.publish)
	}
	if r.table.Failed() {
		return errors.New("some figures missed their target (see the table)")
	}
	return nil
}

// Markers around the generated part of BENCHMARKS.md.
const (
	beginMarker = "<!-- bench:results:begin -->"
	endMarker   = "<!-- bench:results:end -->"
)

// publish replaces the text between the markers in path.
func publish(path string, md []byte) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	i, j := bytes.Index(b, []byte(beginMarker)), bytes.Index(b, []byte(endMarker))
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s … %s section", path, beginMarker, endMarker)
	}
	var out bytes.Buffer
	out.Write(b[:i+len(beginMarker)])
	out.WriteString("\n")
	out.Write(md)
	out.Write(b[j:])
	return os.WriteFile(path, out.Bytes(), 0o644)
}

func (r *run) writeResults(w io.Writer, took time.Duration) {
	fmt.Fprintf(w, "Run of %s, %v in all (`make bench`).\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), took.Round(time.Second))
	r.machine.WriteMarkdown(w)
	fmt.Fprintf(w, "- Measured: %s\n\n", r.version)
	r.table.WriteMarkdown(w)
}
