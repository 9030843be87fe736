package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/atomicfile"
	"github.com/dnssecsim/dnssecsim/internal/duration"
	"github.com/dnssecsim/dnssecsim/scenarios"
	"github.com/dnssecsim/dnssecsim/sim"
)

const runUsage = `run SCENARIO [--set key=value ...] [--caches N] [--seed N] [--format text|json] [--timelines] [--trace FILE] [--out FILE] [--stats] [--worst-case]

Simulates a transfer procedure against a sampled population of validating
resolver caches and reports, per state (Secure, Insecure, Bogus,
Indeterminate, Lame), the cache-seconds spent in it, the longest stretch,
how many caches entered it and the first and last instants. SCENARIO is a
scenario file or the name of a built-in (` + "`dnssecsim run --list`" + ` lists them).

A sample can show that Bogus happens, never that it cannot: --worst-case
adds, per validating profile, whether any cache at all (any phase of its
entries, any server choice) can be Bogus or Lame, the longest such stretch,
and a witness cache that shows it, with the --set that replays it.`

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", runUsage, stdout)
	sets := fs.StringArray("set", nil, "override a scenario value by its dotted path, e.g. parent.ds_ttl=2h (repeatable)")
	caches := fs.Int("caches", 0, "number of resolver caches (overrides resolvers.count)")
	seed := fs.String("seed", "", "random seed (overrides the scenario's)")
	format := fs.String("format", "text", "output format: text or json")
	timelines := fs.Bool("timelines", false, "include every cache's state intervals (JSON)")
	traceFile := fs.String("trace", "", "write the event trace to `FILE`")
	outFile := fs.String("out", "", "write the result to `FILE` instead of standard output")
	stats := fs.Bool("stats", false, "print events processed and events per second on standard error")
	list := fs.Bool("list", false, "list the built-in scenarios and exit")
	worstCase := fs.Bool("worst-case", false, "add the worst case over every cache phase, per validating profile, with witnesses")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *list {
		for _, n := range scenarios.BuiltinNames() {
			fmt.Fprintln(stdout, n)
		}
		return nil
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("expected one SCENARIO (a file or a built-in name), got %d arguments", fs.NArg())
	}
	if *caches < 0 {
		return usageErr("--caches %d: expected a positive number", *caches)
	}
	sc, err := loadScenario(fs.Arg(0))
	if err != nil {
		return err
	}
	if *seed != "" {
		if err := applySet(sc, "seed", *seed); err != nil {
			return err
		}
	}
	if err := applySets(sc, *sets); err != nil {
		return err
	}
	if err := sc.ValidateProfiles(sim.ProfileNames()); err != nil {
		return inputErr(err)
	}
	start := time.Now()
	res, err := sim.Run(sc, sim.Options{Caches: *caches, Timelines: *timelines, Trace: *traceFile != ""})
	if err != nil {
		return inputErr(err)
	}
	if *worstCase {
		if res.WorstCase, err = analyseWorstCase(sc); err != nil {
			return err
		}
	}
	elapsed := time.Since(start)
	if *stats {
		fmt.Fprintf(stderr, "%d caches, %d events in %.3fs: %.0f events/s\n", res.Stats.Caches, res.Stats.Events,
			elapsed.Seconds(), float64(res.Stats.Events)/max(elapsed.Seconds(), 1e-9))
	}
	var out bytes.Buffer
	if *format == "json" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		out.Write(b)
		out.WriteByte('\n')
	} else {
		out.WriteString(formatResult(res))
		if res.WorstCase != nil {
			var wb strings.Builder
			formatWorstCase(&wb, fs.Arg(0), res.WorstCase)
			out.WriteString(wb.String())
		}
	}
	if *traceFile != "" {
		if err := atomicfile.WriteFile(*traceFile, []byte(strings.Join(res.Trace, "\n")+"\n"), 0o644); err != nil {
			return inputErr(err)
		}
	}
	if *outFile != "" {
		if err := atomicfile.WriteFile(*outFile, out.Bytes(), 0o644); err != nil {
			return inputErr(err)
		}
		return nil
	}
	_, err = stdout.Write(out.Bytes())
	return err
}

// loadScenario reads a scenario file, or a built-in when no such file exists.
func loadScenario(arg string) (*scenarios.Scenario, error) {
	if _, err := os.Stat(arg); err == nil {
		sc, err := scenarios.Load(arg)
		if err != nil {
			return nil, inputErr(err)
		}
		return sc, nil
	}
	sc, err := scenarios.Builtin(arg)
	if err != nil {
		return nil, inputErr(fmt.Errorf("%s: no such file, and no built-in scenario of that name (built-ins: %s)",
			arg, strings.Join(scenarios.BuiltinNames(), ", ")))
	}
	return sc, nil
}

// applySets applies --set key=value overrides in order.
func applySets(sc *scenarios.Scenario, sets []string) error {
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return usageErr("--set %q: expected key=value", kv)
		}
		if err := applySet(sc, k, v); err != nil {
			return err
		}
	}
	return nil
}

// applySet applies one --set; an unknown path is bad usage.
func applySet(sc *scenarios.Scenario, k, v string) error {
	if err := sc.Set(k, v); err != nil {
		var pe *scenarios.PathError
		if errors.As(err, &pe) {
			return usageErr("--set %s: unknown path; valid paths: %s", k, strings.Join(scenarios.ValidPaths(), ", "))
		}
		return usageErr("--set %s=%s: %v", k, v, err)
	}
	return nil
}

// formatResult renders a run as text: the schedule, then one table row per
// state.
func formatResult(r *sim.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s: %d caches, horizon %s\n\nschedule:\n", r.Scenario, r.Stats.Caches,
		span(r.Params["horizon"].(float64)))
	for _, st := range r.Steps {
		fmt.Fprintf(&b, "  +%-10s %-14s %s\n", span(st.AtSeconds), st.Name, st.Note)
	}
	fmt.Fprintf(&b, "\nsampled population of %d caches (a sample shows what happens, not what cannot):\n", r.Stats.Caches)
	b.WriteString("state          cache-days  longest          caches  first            last\n")
	for _, st := range sim.States() {
		m := r.Metric(st)
		first, last := "-", "-"
		if m.First != nil {
			first = "+" + span(*m.First)
		}
		if m.Last != nil {
			last = "+" + span(*m.Last)
		}
		fmt.Fprintf(&b, "  %-13s %10s  %-15s %7d  %-16s %s\n", st, cacheDays(m.CacheSeconds), span(m.MaxSeconds), m.Caches, first, last)
	}
	return b.String()
}

// cacheDays prints a cache-second total in cache-days.
func cacheDays(s float64) string {
	return strconv.FormatFloat(s/86400, 'f', 1, 64)
}

// span prints seconds as days, hours, minutes and seconds ("3d 0h 59m 55s"),
// without leading or trailing zero units.
func span(sec float64) string { return duration.Span(time.Duration(math.Round(sec)) * time.Second) }
