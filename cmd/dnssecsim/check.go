package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dnssecsim/dnssecsim/scenarios"
	"github.com/dnssecsim/dnssecsim/sim"
)

const checkUsage = `check [PATH ...] [--jobs N] [--verbose]

Runs every scenario given and compares each result with the scenario's
expect: block. A PATH is a scenario file, a directory (its *.yaml files) or
the name of a built-in; with no PATH every built-in scenario is checked.
Prints one line per scenario ("ok" or "FAIL"), then for each failure the
expectations that missed, with where they are written.

Exit status: 0 when every expectation holds, 4 when one does not, 1 when a
scenario cannot be read or simulated.`

// checkItem is one scenario to check, in the order given.
type checkItem struct {
	name string // shown in the report
	sc   *scenarios.Scenario
	err  error // the scenario could not be read
}

// checkOutcome is the result of checking one scenario.
type checkOutcome struct {
	lines  []checkLine // the expectations, in file order
	missed int         // how many did not hold
	err    error       // reading or simulating failed
}

// checkLine is one expectation compared with the measured value.
type checkLine struct {
	ok   bool
	text string // "METRIC: want OP VALUE, got VALUE (FILE:LINE)"
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", checkUsage, stdout)
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "scenarios simulated at once")
	verbose := fs.Bool("verbose", false, "also list the expectations that hold")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *jobs < 1 {
		return usageErr("--jobs %d: expected 1 or more", *jobs)
	}
	items := collectChecks(fs.Args())
	if len(items) == 0 {
		return inputErr(fmt.Errorf("no scenario files found in %s", strings.Join(fs.Args(), ", ")))
	}
	outcomes := make([]checkOutcome, len(items))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(*jobs, len(items)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				outcomes[i] = checkOne(items[i])
			}
		}()
	}
	for i := range items {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}

	width := 0
	for _, it := range items {
		width = max(width, len(it.name))
	}
	failed, broken := 0, 0
	var b strings.Builder
	for i, it := range items {
		o := outcomes[i]
		switch {
		case o.err != nil:
			broken++
			fmt.Fprintf(&b, "ERR  %s\n  %v\n", it.name, o.err)
		case o.missed > 0:
			failed++
			fmt.Fprintf(&b, "FAIL %-*s  (%d of %s missed)\n", width, it.name, o.missed, plural(len(o.lines), "expectation"))
		default:
			fmt.Fprintf(&b, "ok   %-*s  (%s)\n", width, it.name, plural(len(o.lines), "expectation"))
		}
		for _, l := range o.lines {
			switch {
			case !l.ok:
				fmt.Fprintf(&b, "  %s\n", l.text)
			case *verbose:
				fmt.Fprintf(&b, "  ok: %s\n", l.text)
			}
		}
	}
	fmt.Fprintf(&b, "\n%d scenarios: %d ok, %d failed, %d unreadable\n", len(items), len(items)-failed-broken, failed, broken)
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return err
	}
	switch {
	case broken > 0:
		return silentExit(exitInput)
	case failed > 0:
		return silentExit(exitExpected)
	}
	return nil
}

// collectChecks turns the arguments into scenarios to check: every file
// named, every *.yaml file of every directory named (sorted), every
// built-in named; all built-ins when there is no argument.
func collectChecks(args []string) []checkItem {
	var items []checkItem
	load := func(path string) {
		sc, err := scenarios.Load(path)
		items = append(items, checkItem{name: path, sc: sc, err: err})
	}
	if len(args) == 0 {
		for _, n := range scenarios.BuiltinNames() {
			sc, err := scenarios.Builtin(n)
			items = append(items, checkItem{name: n, sc: sc, err: err})
		}
		return items
	}
	for _, arg := range args {
		st, err := os.Stat(arg)
		switch {
		case err == nil && st.IsDir():
			files, err := filepath.Glob(filepath.Join(arg, "*.yaml"))
			if err != nil || len(files) == 0 {
				items = append(items, checkItem{name: arg, err: fmt.Errorf("%s: no *.yaml scenario files in this directory", arg)})
				continue
			}
			sort.Strings(files)
			for _, f := range files {
				load(f)
			}
		case err == nil:
			load(arg)
		case errors.Is(err, os.ErrNotExist) && !strings.ContainsAny(arg, `/\`) && !strings.HasSuffix(arg, ".yaml"):
			sc, berr := scenarios.Builtin(arg)
			if berr != nil {
				berr = fmt.Errorf("%s: no such file, and no built-in scenario of that name (built-ins: %s)", arg, strings.Join(scenarios.BuiltinNames(), ", "))
			}
			items = append(items, checkItem{name: arg, sc: sc, err: berr})
		default:
			items = append(items, checkItem{name: arg, err: err})
		}
	}
	return items
}

// checkOne simulates one scenario and compares its metrics with its
// expectations.
func checkOne(it checkItem) checkOutcome {
	if it.err != nil {
		return checkOutcome{err: it.err}
	}
	sc := it.sc
	if err := sc.ValidateProfiles(sim.ProfileNames()); err != nil {
		return checkOutcome{err: err}
	}
	res, err := sim.Run(sc, sim.Options{})
	if err != nil {
		return checkOutcome{err: err}
	}
	var wc map[string]*sim.WorstCase
	// When every worst-case expectation only claims that Bogus is
	// possible, the search may stop at the first Bogus stretch it finds.
	worst, decide := false, true
	for _, e := range sc.Expect {
		if e.Worst() {
			worst = true
			decide = decide && strings.HasPrefix(e.Metric, "worst.Bogus.") && strings.HasPrefix(e.Op, ">")
		}
	}
	if worst {
		opt := sim.WorstOptions{Decide: decide, LameAllowed: time.Duration(math.MaxInt64)}
		// The scenario's validating profiles, and every profile an
		// expectation names.
		names, err := sim.WorstCaseProfiles(sc)
		if err != nil && !errors.Is(err, sim.ErrNoValidating) {
			return checkOutcome{err: err}
		}
		for _, e := range sc.Expect {
			if e.Profile != "" && !slices.Contains(names, e.Profile) {
				names = append(names, e.Profile)
			}
		}
		if wc, err = sim.AnalyseWorstCase(sc, names, opt); err != nil {
			return checkOutcome{err: fmt.Errorf("%s: worst-case analysis: %w", sc.File, err)}
		}
	}
	var o checkOutcome
	for _, e := range sc.Expect {
		var got float64
		note := ""
		ok := true
		if e.Worst() {
			var proven bool
			got, proven, err = worstValue(wc, e)
			if err != nil {
				return checkOutcome{err: fmt.Errorf("%s:%d: %w", sc.File, e.Line, err)}
			}
			// A value found proves a lower bound; anything else needs
			// the whole search.
			if !proven && !(strings.HasPrefix(e.Op, ">") && got > e.Value) {
				ok, note = false, " (not proven: the worst-case search stopped at its budget)"
			}
		} else if got, err = metricValue(res, e.Metric); err != nil {
			return checkOutcome{err: err}
		}
		if hit, _ := e.Check(got); !hit {
			ok = false
		}
		if !ok {
			o.missed++
		}
		name := e.Metric
		if e.Profile != "" {
			name = strings.Replace(name, "worst.", "worst."+e.Profile+".", 1)
		}
		o.lines = append(o.lines, checkLine{ok: ok,
			text: fmt.Sprintf("%s: want %s, got %s%s (%s:%d)", name, wantText(e), gotText(e.Metric, got), note, sc.File, e.Line)})
	}
	return o
}

// worstValue reads a worst.STATE.max_seconds value: the longest stretch of
// the state any cache can have, for the expectation's profile or the
// longest over every validating profile. proven is false when a search
// that mattered stopped at its budget.
func worstValue(wc map[string]*sim.WorstCase, e scenarios.Expectation) (v float64, proven bool, err error) {
	state := strings.TrimSuffix(strings.TrimPrefix(e.Metric, "worst."), ".max_seconds")
	proven = true
	found := false
	for name, w := range wc {
		if e.Profile != "" && name != e.Profile {
			continue
		}
		found = true
		switch state {
		case "Bogus":
			v = max(v, w.MaxBogusSeconds)
		case "Lame":
			v = max(v, w.MaxLameSeconds)
		default:
			return 0, false, fmt.Errorf("%s: unknown worst-case state %s", e.Metric, state)
		}
		proven = proven && w.Complete
	}
	if !found {
		return 0, false, fmt.Errorf("%s: no validating profile %q in the scenario", e.Metric, e.Profile)
	}
	return v, proven, nil
}

// metricValue reads a STATE.METRIC value from a result; NaN when the metric
// has no value (first or last instant of a state no cache entered).
func metricValue(res *sim.Result, name string) (float64, error) {
	state, metric, ok := strings.Cut(name, ".")
	if !ok {
		return 0, fmt.Errorf("metric %q: expected STATE.METRIC", name)
	}
	m, ok := res.Metrics[state]
	if !ok {
		return 0, fmt.Errorf("metric %q: the result has no state %s", name, state)
	}
	opt := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	switch metric {
	case "cache_seconds":
		return m.CacheSeconds, nil
	case "max_seconds":
		return m.MaxSeconds, nil
	case "caches":
		return float64(m.Caches), nil
	case "first_seconds":
		return opt(m.First), nil
	case "last_seconds":
		return opt(m.Last), nil
	}
	return 0, fmt.Errorf("metric %q: unknown metric %s (expected one of %s)", name, metric, strings.Join(scenarios.MetricNames(), ", "))
}

// wantText writes an expectation's bound with its operator ("== 0",
// "<= 3d").
func wantText(e scenarios.Expectation) string {
	t := strings.TrimSpace(e.Text)
	if strings.HasPrefix(t, "<") || strings.HasPrefix(t, ">") || strings.HasPrefix(t, "=") {
		return t
	}
	return "== " + t
}

// gotText writes a measured value: a count as a whole number, seconds as a
// number with its span ("93600 (1d 2h)").
func gotText(metric string, v float64) string {
	if math.IsNaN(v) {
		return "no value (no cache was in that state)"
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if strings.HasSuffix(metric, ".caches") || v < 60 {
		return s
	}
	return s + " (" + span(v) + ")"
}
