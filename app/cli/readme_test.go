package cli

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestReadmeListsTheCommands holds the README's command list (the
// indented `tokentray COMMAND …` lines of its "## Use" section) to the
// command tree: each command there, and nothing else.
func TestReadmeListsTheCommands(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, use, ok := strings.Cut(string(b), "\n## Use\n")
	if !ok {
		t.Fatal(`the README has no "## Use" section`)
	}
	use, _, _ = strings.Cut(use, "\n## ")
	var inReadme []string
	for _, line := range strings.Split(use, "\n") {
		words := strings.Fields(line)
		if !strings.HasPrefix(line, "    tokentray") || len(words) < 2 || words[1] == "#" {
			continue // prose, another program's line, or the agent with its tray
		}
		if !slices.Contains(inReadme, words[1]) {
			inReadme = append(inReadme, words[1])
		}
	}
	var inTree []string
	root := NewCommand(Env{})
	for _, cmd := range available(root) {
		if cmd.Parent() == root {
			inTree = append(inTree, cmd.Name())
		}
	}
	slices.Sort(inReadme)
	slices.Sort(inTree)
	if !slices.Equal(inReadme, inTree) {
		t.Errorf("the README's ## Use lists %q, the command tree has %q", inReadme, inTree)
	}
}
