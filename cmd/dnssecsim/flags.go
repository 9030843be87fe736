package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// newFlags returns a flag set whose errors are returned, not printed, and
// whose --help prints usage to stdout.
func newFlags(name, usage string, stdout io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: dnssecsim %s\n\nFlags:\n%s", usage, fs.FlagUsages())
	}
	return fs
}

// errHelp is returned by parseFlags after printing --help.
var errHelp = silentExit(exitOK)

// parseFlags parses args, turning --help into errHelp and flag errors into
// usage errors.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fs.Usage()
			return errHelp
		}
		return usageErr("%v", err)
	}
	return nil
}

// parseTime reads an RFC 3339 time or a DNSSEC-style YYYYMMDDHHMMSS (UTC).
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if len(s) == 14 && strings.Trim(s, "0123456789") == "" {
		if t, err := time.Parse("20060102150405", s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse time %q: expected RFC 3339 (2026-11-24T00:00:00Z) or YYYYMMDDHHMMSS", s)
}

// checkFormat validates a --format value.
func checkFormat(f string) error {
	if f != "text" && f != "json" {
		return usageErr("--format %q: expected text or json", f)
	}
	return nil
}
