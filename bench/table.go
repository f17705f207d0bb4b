package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Verdicts of a row.
const (
	Pass    = "PASS"
	Fail    = "FAIL"
	Info    = "info"
	Skipped = "skipped"
)

// Row is one line of the result table: a tokentray figure beside its
// baseline or peer from the same run.
type Row struct {
	Figure    string // "1", "2", …
	Measure   string
	Tokentray string
	Baseline  string // the value, then the baseline's name in parentheses
	Ratio     string // tokentray / baseline
	Target    string
	Verdict   string // Pass, Fail, Info, Skipped
}

// Table is the benchmark's result.
type Table struct {
	Rows  []Row
	Notes []string // footnotes: skipped rows, failures explained
}

// Add appends a row.
func (t *Table) Add(r Row) { t.Rows = append(t.Rows, r) }

// Note appends a footnote.
func (t *Table) Note(format string, args ...any) {
	t.Notes = append(t.Notes, fmt.Sprintf(format, args...))
}

// Failed reports whether any row missed its target.
func (t *Table) Failed() bool {
	for _, r := range t.Rows {
		if r.Verdict == Fail {
			return true
		}
	}
	return false
}

var header = []string{"fig", "measure", "tokentray", "baseline / peer", "ratio", "target", "result"}

func (r Row) cells() []string {
	return []string{r.Figure, r.Measure, r.Tokentray, r.Baseline, r.Ratio, r.Target, r.Verdict}
}

// WriteText prints the table aligned for a terminal.
func (t *Table) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range t.Rows {
		fmt.Fprintln(tw, strings.Join(r.cells(), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range t.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return nil
}

// WriteMarkdown prints the table as GitHub Markdown.
func (t *Table) WriteMarkdown(w io.Writer) error {
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	line := func(cells []string) {
		for i := range cells {
			cells[i] = esc(cells[i])
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	line(append([]string(nil), header...))
	fmt.Fprintln(w, "|---|---|--:|--:|--:|---|---|")
	for _, r := range t.Rows {
		line(r.cells())
	}
	if len(t.Notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range t.Notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
	return nil
}
