// Command gendocs writes tokentray's man pages and shell completion
// scripts from the command line's cobra tree (app/cli), for `make man`
// and `make completions` and the packages that ship them. It runs no
// command and needs no agent.
//
//	go run ./internal/gendocs -man build/man -completions build/completions
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra/doc"

	"github.com/tokentray/tokentray/app/cli"
)

func main() {
	man := flag.String("man", "", "write the man pages (tokentray*.1) into this `dir`")
	completions := flag.String("completions", "", "write tokentray.bash, _tokentray (zsh), tokentray.fish and tokentray.ps1 into this `dir`")
	version := flag.String("version", "dev", "the version the man pages name")
	flag.Parse()
	if err := run(*man, *completions, *version); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(man, completions, version string) error {
	root := cli.NewCommand(cli.Env{Version: version})
	if man != "" {
		if err := os.MkdirAll(man, 0o755); err != nil {
			return err
		}
		header := &doc.GenManHeader{Section: "1", Source: "tokentray " + version, Manual: "tokentray"}
		if err := doc.GenManTree(root, header, man); err != nil {
			return err
		}
	}
	if completions != "" {
		if err := os.MkdirAll(completions, 0o755); err != nil {
			return err
		}
		for _, gen := range []struct {
			file  string
			write func(string) error
		}{
			{"tokentray.bash", func(p string) error { return root.GenBashCompletionFileV2(p, true) }},
			{"_tokentray", root.GenZshCompletionFile},
			{"tokentray.fish", func(p string) error { return root.GenFishCompletionFile(p, true) }},
			{"tokentray.ps1", root.GenPowerShellCompletionFileWithDesc},
		} {
			if err := gen.write(filepath.Join(completions, gen.file)); err != nil {
				return err
			}
		}
	}
	return nil
}
