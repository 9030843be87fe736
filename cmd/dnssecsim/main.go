// Command dnssecsim validates DNSSEC answers and simulates what validating
// resolvers see while a signed domain moves between DNS operators.
//
// Each subcommand is a function of (context, arguments, stdout, stderr) that
// returns an error; only main turns errors into exit statuses, so every
// command runs in-process in tests.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// Exit statuses shared by all subcommands.
const (
	exitOK       = 0
	exitInput    = 1 // input cannot be read or parsed
	exitUsage    = 2 // bad flags or arguments
	exitVerify   = 3 // verify-zone found problems
	exitExpected = 4 // check: an expectation did not hold
	exitUnsafe   = 5 // plan: the printed schedule is not proven safe
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"validate", "validate one answer from a trust anchor down", runValidate},
		{"verify-zone", "audit the signatures and denial chain of a signed zone", runVerifyZone},
		{"run", "simulate a transfer procedure against a resolver population", runRun},
		{"report", "run the scenarios, sweeps and comparison; write an HTML report", runReport},
		{"sweep", "run a scenario over a grid of settings and plot the exposure", runSweep},
		{"plot", "redraw the timeline and share plots of a saved run result", runPlot},
		{"check", "run scenarios and compare each result with its expect: block", runCheck},
		{"plan", "find the guideline case for a situation and a dated, TTL-based schedule", runPlan},
	}
}

// exitError carries an exit status up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, a...)}
}

func inputErr(err error) error { return &exitError{exitInput, err} }

// silentExit ends with a status after the command has printed its report.
func silentExit(code int) error { return &exitError{code, nil} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and maps its error to an exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		topUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		topUsage(stdout)
		return exitOK
	case "--version", "version":
		fmt.Fprintf(stdout, "dnssecsim %s\n", version)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		if err == nil {
			return exitOK
		}
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil {
				fmt.Fprintf(stderr, "dnssecsim %s: %v\n", c.name, ee.err)
			}
			if ee.code == exitUsage && ee.err != nil {
				fmt.Fprintf(stderr, "Run 'dnssecsim %s --help' for usage.\n", c.name)
			}
			return ee.code
		}
		fmt.Fprintf(stderr, "dnssecsim %s: %v\n", c.name, err)
		return exitInput
	}
	fmt.Fprintf(stderr, "dnssecsim: unknown command %q\n", args[0])
	topUsage(stderr)
	return exitUsage
}

func topUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("Usage: dnssecsim COMMAND [flags] [arguments]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'dnssecsim COMMAND --help' for a command's flags. 'dnssecsim --version' prints the version.\n")
	io.WriteString(w, b.String())
}
