// Package cli implements the askfirst command line: one file per subcommand,
// all reached through Main.
//
// Exit codes (DESIGN §6): 0 ok, 1 failure, 2 usage, 3 something requested is
// denied or needs a licence.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Exit codes shared by every subcommand.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
	ExitDenied  = 3
)

// env is what a subcommand may touch of the outside world. Tests replace
// every field, so no subcommand reads os.Stdin or os.Getenv directly.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// command is one subcommand of askfirst.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands lists the subcommands; each lives in its own file.
func commands() []command {
	cmds := []command{
		{"help", "show help for askfirst or one of its commands", runHelp},
		{"version", "print the askfirst version", runVersion},
		{"id", "compute the ISCC content codes (and PDQ) of files", runID},
		{"check", "check URLs and files against every AI-use signal, per use", runCheck},
		{"audit", "audit a training dataset: cleared dataset, evidence, licensing bill", runAudit},
		{"serve", "run the registry: API, log and web app (SQLite in ./askfirst-data by default)", runServe},
		{"verify", "monitor a registry's log and verify receipts offline", runVerify},
		{"account", "create an account on a registry (and its API token), show it, delegate to an organisation or revoke that", runAccount},
		{"register", "register files as works on a registry (codes computed locally) with a declaration", runRegister},
		{"lookup", "look files, URLs or ISCCs up in a registry: matching works and their declarations", runLookup},
		{"declare", "declare deny, allow or licence per use for a work, your account, a domain or a URL prefix", runDeclare},
		{"key", "register or revoke an Ed25519 public key for self-signed declarations", runKey},
		{"domain", "claim a domain on a registry and verify it (token at /.well-known/askfirst.txt or DNS)", runDomain},
		{"campaign", "create, sign, show or list campaigns on a registry", runCampaign},
		{"works", "list your works on a registry, each with the declaration that applies to it", runWorks},
		{"declarations", "list the declarations you made on a registry", runDeclarations},
		{"protect", "publish a policy on a site (robots.txt, ai.txt, TDMRep, RSL, headers) or embed it in files", runProtect},
		// One line per subcommand, each implemented in its own file.
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

// Main runs askfirst with args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return e.main(ctx, args)
}

func (e *env) main(ctx context.Context, args []string) int {
	if len(args) == 0 {
		e.usage(e.stderr)
		return ExitUsage
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "-help" {
		e.usage(e.stdout)
		return ExitOK
	}
	if name == "--version" || name == "-version" {
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, args[1:])
		}
	}
	e.errorf("unknown command %q", name)
	e.hintf("run 'askfirst help' for the list of commands")
	return ExitUsage
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintf(w, "askfirst: consent and licensing for AI training\n\nUsage:\n  askfirst COMMAND [flags] [arguments]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'askfirst help COMMAND' for the flags of one command.\n")
	fmt.Fprintf(w, "Exit codes: 0 ok, 1 failure, 2 usage, 3 something requested is denied or needs a licence.\n")
}

func runHelp(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		e.usage(e.stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if c.name == "help" {
				e.usage(e.stdout)
				return ExitOK
			}
			sub := &env{stdin: e.stdin, stdout: e.stdout, stderr: e.stdout, getenv: e.getenv}
			c.run(ctx, sub, []string{"-h"})
			return ExitOK
		}
	}
	e.errorf("unknown command %q", args[0])
	e.hintf("run 'askfirst help' for the list of commands")
	return ExitUsage
}

// errorf prints an "askfirst: error:" line on stderr.
func (e *env) errorf(format string, a ...any) {
	fmt.Fprintf(e.stderr, "askfirst: error: "+format+"\n", a...)
}

// hintf prints an "askfirst: hint:" line on stderr.
func (e *env) hintf(format string, a ...any) {
	fmt.Fprintf(e.stderr, "askfirst: hint: "+format+"\n", a...)
}

// warnf prints an "askfirst: warning:" line on stderr.
func (e *env) warnf(format string, a ...any) {
	fmt.Fprintf(e.stderr, "askfirst: warning: "+format+"\n", a...)
}

// newFlagSet returns a flag set for subcommand name whose errors and help go
// to e.stderr, with usage line synopsis.
func (e *env) newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("askfirst "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: askfirst %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs, accepting flags after positional
// arguments too, and reports the exit code to use when parsing stops the
// command: ExitOK for -h, ExitUsage for a bad flag, -1 to go on.
func parseFlags(fs *flag.FlagSet, args []string) int {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return ExitOK
			}
			return ExitUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" || !strings.HasPrefix(args[0], "-") || args[0] == "-" {
			if args[0] == "--" {
				positional = append(positional, args[1:]...)
				break
			}
			positional = append(positional, args[0])
			args = args[1:]
			continue
		}
	}
	// Re-parse an empty list so fs.Args returns the collected positionals.
	_ = fs.Parse(append([]string{"--"}, positional...))
	return -1
}
