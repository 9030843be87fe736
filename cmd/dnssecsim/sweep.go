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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/duration"
	"github.com/dnssecsim/dnssecsim/reports"
	"github.com/dnssecsim/dnssecsim/scenarios"
	"github.com/dnssecsim/dnssecsim/sim"
)

// parallel calls fn(0) ... fn(n-1) on a pool of runtime.GOMAXPROCS(0)
// workers and returns the first error, after which no new call starts.
// prog, when not nil, advances as calls finish.
func parallel(ctx context.Context, n int, prog *progress, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	jobs := make(chan int)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if failed() {
					continue
				}
				err := fn(i)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
				prog.add(1)
			}
		}()
	}
feed:
	for i := range n {
		if ctx.Err() != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = ctx.Err()
			}
			mu.Unlock()
			break
		}
		select {
		case <-ctx.Done():
			mu.Lock()
			if firstErr == nil {
				firstErr = ctx.Err()
			}
			mu.Unlock()
			break feed
		case jobs <- i:
		}
		if failed() {
			break
		}
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

// progress draws a progress bar on a terminal. A nil *progress draws
// nothing, so callers need not check.
type progress struct {
	w     io.Writer
	label string
	total int

	mu    sync.Mutex
	done  int
	start time.Time
	drawn time.Time
}

// newProgress returns a bar for total units of work on w, or nil when w is
// not a terminal (a file, a pipe, a test's buffer).
func newProgress(w io.Writer, label string, total int) *progress {
	f, ok := w.(*os.File)
	if !ok || total <= 0 {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progress{w: w, label: label, total: total, start: time.Now()}
}

// add records n more units done and redraws at most ten times a second.
func (p *progress) add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if now := time.Now(); p.done >= p.total || now.Sub(p.drawn) >= 100*time.Millisecond {
		p.drawn = now
		const width = 30
		fill := width * p.done / p.total
		fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d %.1fs", p.label, strings.Repeat("#", fill), strings.Repeat(" ", width-fill),
			p.done, p.total, time.Since(p.start).Seconds())
	}
}

// finish erases the bar.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[K")
}

const sweepUsage = `sweep SCENARIO --vary PATH=FROM:TO:STEPS [--vary ...] [--set PATH=VALUE ...] [--caches N] [--worst-case] [--out DIR]

Runs SCENARIO at every point of a grid of settings, in parallel on every
core, and writes the metrics of every run as sweep.csv and sweep.json with a
plot of the exposure: Bogus cache-hours and the longest Insecure stretch
against the setting (one --vary), or as heat maps (two). SCENARIO is a
scenario file or a built-in name.

--vary PATH=FROM:TO:STEPS gives STEPS evenly spaced values from FROM to TO;
FROM and TO are durations (5m, 1h30m, 2d) or whole numbers. Append :log for
values spaced evenly on a logarithmic scale (FROM above 0; durations between
the ends are rounded to whole minutes, or hours from 10h). PATH=V1,V2,...
lists the values instead. PATH is any path --set takes (parent.ds_ttl,
parent.ns_ttl, losing.dnskey_ttl, resolvers.profile, ...).

Each run is a sampled population of caches: it measures exposure (Bogus
cache-hours, Insecure stretches) and can show that Bogus happens, never that
it cannot. --worst-case adds, at every point, the worst-case analysis over
every cache phase and server choice of each validating profile of the
point's scenario (as run --worst-case), which can also prove that it
cannot. sweep.csv then gains, after the existing columns (which keep their
places):

  worst_bogus, worst_lame    true (some cache can be in the state), false
                             (no cache can: proven), or unproven (the search
                             stopped at its budget without finding one)
  worst_max_bogus_seconds,   the longest stretch any cache can have (a lower
  worst_max_lame_seconds     bound when worst_complete is false)
  worst_complete             every profile's search covered every cell

over the point's validating profiles, then the same five columns for each
profile as COLUMN[PROFILE]: worst_bogus[unbound],
worst_max_bogus_seconds[unbound], ... Cells are empty where a point (one
without a validating profile) or a profile was not analysed. sweep.json
holds the same per point (worst_bogus is true, false or "unproven") with
each profile's analysis and witness under worst_case. The summary printed
marks with ! each point where Bogus is possible and with ? each where it is
not proven, and the plot rings those points (heat maps outline the cells).

Either every output file is written or none.`

// maxSweepPoints bounds a sweep's grid.
const maxSweepPoints = 10000

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep", sweepUsage, stdout)
	varies := fs.StringArray("vary", nil, "vary a setting: `PATH=FROM:TO:STEPS[:log]` or PATH=V1,V2,... (repeatable)")
	sets := fs.StringArray("set", nil, "fix a setting for every run, e.g. parent.ns_ttl=1d (repeatable)")
	caches := fs.Int("caches", 0, "number of resolver caches per run (default: the scenario's)")
	out := fs.String("out", "dnssecsim-sweep", "write the files into `DIR` (created if missing)")
	worstCase := fs.Bool("worst-case", false, "add the worst case over every cache phase, per validating profile, at every point")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("expected one SCENARIO (a file or a built-in name), got %d arguments", fs.NArg())
	}
	if len(*varies) == 0 {
		return usageErr("expected at least one --vary PATH=FROM:TO:STEPS")
	}
	if *caches < 0 {
		return usageErr("--caches %d: expected a positive number", *caches)
	}
	var axes []reports.SweepAxis
	seen := map[string]bool{}
	total := 1
	for _, v := range *varies {
		a, err := parseVary(v)
		if err != nil {
			return err
		}
		if seen[a.Path] {
			return usageErr("--vary %s: the path is varied twice", a.Path)
		}
		seen[a.Path] = true
		for _, kv := range *sets {
			if k, _, _ := strings.Cut(kv, "="); k == a.Path {
				return usageErr("--vary %s: the path is also fixed by --set %s", a.Path, kv)
			}
		}
		axes = append(axes, a)
		total *= len(a.Values)
		if total > maxSweepPoints {
			return usageErr("the grid has more than %d points; use fewer STEPS", maxSweepPoints)
		}
	}
	load, err := scenarioLoader(fs.Arg(0), *sets)
	if err != nil {
		return err
	}
	// Every value must be one the setting takes, before anything runs.
	for _, a := range axes {
		for _, v := range a.Values {
			sc, err := load()
			if err != nil {
				return err
			}
			if err := sc.Set(a.Path, v); err != nil {
				return usageErr("--vary %s=%s: %v", a.Path, v, err)
			}
		}
	}
	sc, err := load()
	if err != nil {
		return err
	}
	sw, err := reports.NewSweep(sc.Name, axes)
	if err != nil {
		return usageErr("%v", err)
	}
	sw.Sets = append(sw.Sets, *sets...)
	if *worstCase {
		if err := checkWorstCase(load, axes, sw); err != nil {
			return err
		}
	}

	start := time.Now()
	prog := newProgress(stderr, "sweep", len(sw.Points))
	err = parallel(ctx, len(sw.Points), prog, func(i int) error {
		res, err := runPoint(load, axes, sw.Points[i].Values, *caches, false, *worstCase)
		if err != nil {
			return err
		}
		sw.Record(i, res)
		return nil
	})
	prog.finish()
	if err != nil {
		return err
	}
	files := &fileSet{}
	files.add("sweep.csv", sw.CSV())
	files.add("sweep.json", sw.JSON())
	var fig *reports.Figure
	switch len(axes) {
	case 1:
		fig, err = reports.ExposureFigure(sw)
	case 2:
		fig, err = reports.HeatmapFigure(sw)
	default:
		fmt.Fprintf(stderr, "dnssecsim sweep: %d settings varied: no plot (plots take one or two), data only\n", len(axes))
	}
	if err != nil {
		return err
	}
	if fig != nil {
		if err := renderFigures(ctx, files, "", fig); err != nil {
			return err
		}
	}
	if err := files.writeTo(*out); err != nil {
		return inputErr(err)
	}
	for _, name := range files.names() {
		fmt.Fprintln(stdout, filepath.Join(*out, name))
	}
	if *worstCase {
		fmt.Fprintf(stdout, "%d runs and worst-case analyses in %.1fs\n", len(sw.Points), time.Since(start).Seconds())
		io.WriteString(stdout, formatSweepWorst(sw))
	} else {
		fmt.Fprintf(stdout, "%d runs in %.1fs\n", len(sw.Points), time.Since(start).Seconds())
	}
	return nil
}

// pointScenario loads a fresh scenario and applies a point's values; at
// names the point for messages.
func pointScenario(load func() (*scenarios.Scenario, error), axes []reports.SweepAxis, values []string) (sc *scenarios.Scenario, at string, err error) {
	if sc, err = load(); err != nil {
		return nil, "", err
	}
	var ats []string
	for k, a := range axes {
		ats = append(ats, a.Path+"="+values[k])
		if err := sc.Set(a.Path, values[k]); err != nil {
			return nil, "", inputErr(fmt.Errorf("%s at %s: %v", sc.Name, strings.Join(ats, ", "), err))
		}
	}
	return sc, strings.Join(ats, ", "), nil
}

// runPoint loads a fresh scenario, applies the point's values and runs it;
// with worst, it adds the worst-case analysis of the point's validating
// profiles to the result (an empty one for a point without any).
func runPoint(load func() (*scenarios.Scenario, error), axes []reports.SweepAxis, values []string, caches int, timelines, worst bool) (*sim.Result, error) {
	sc, at, err := pointScenario(load, axes, values)
	if err != nil {
		return nil, err
	}
	where := sc.Name
	if at != "" {
		where += " at " + at
	}
	res, err := sim.Run(sc, sim.Options{Caches: caches, Timelines: timelines})
	if err != nil {
		return nil, inputErr(fmt.Errorf("%s: %v", where, err))
	}
	if worst {
		if _, err := sim.WorstCaseProfiles(sc); errors.Is(err, sim.ErrNoValidating) {
			res.WorstCase = map[string]*sim.WorstCase{}
		} else if res.WorstCase, err = analyseWorstCase(sc); err != nil {
			return nil, inputErr(fmt.Errorf("%s: %v", where, err))
		}
	}
	return res, nil
}

// checkWorstCase makes sure, before anything runs, that some point of
// the grid has a validating profile for the worst-case analysis; points
// without one are reported as not analysed.
func checkWorstCase(load func() (*scenarios.Scenario, error), axes []reports.SweepAxis, sw *reports.Sweep) error {
	var first *scenarios.Scenario
	for _, p := range sw.Points {
		sc, _, err := pointScenario(load, axes, p.Values)
		if err != nil {
			return err
		}
		if _, err := sim.WorstCaseProfiles(sc); !errors.Is(err, sim.ErrNoValidating) {
			return nil
		}
		if first == nil {
			first = sc
		}
	}
	_, err := analyseWorstCase(first)
	return usageErr("--worst-case: no point of the grid has a validating resolver profile to analyse: %v", err)
}

// maxListedPoints bounds the points the worst-case summary lists one by
// one; beyond it, only those where Bogus is possible or not proven.
const maxListedPoints = 40

// formatSweepWorst sums up a sweep's worst cases: a line per point, marked
// ! where a cache can be Bogus and ? where that is not proven, with the
// sample's Bogus caches beside it, then the counts.
func formatSweepWorst(sw *reports.Sweep) string {
	var b strings.Builder
	var possible, missed, unproven, never, none int
	type line struct{ mark, at, text, sample string }
	var lines []line
	for _, p := range sw.Points {
		var at []string
		for k, a := range sw.Axes {
			at = append(at, a.Path+"="+p.Values[k])
		}
		bog := p.Metrics[sim.Bogus.String()].Caches
		l := line{mark: " ", at: strings.Join(at, ", "), text: p.Worst.Text(),
			sample: fmt.Sprintf("sampled: %d of %d caches Bogus", bog, p.Caches)}
		switch {
		case !p.Worst.Analysed():
			l.mark = "-"
			none++
		case p.Worst.Bogus == reports.Possible:
			l.mark = "!"
			possible++
			if bog == 0 {
				missed++
				l.sample += ", which the sample missed"
			}
		case p.Worst.Bogus == reports.Unproven:
			l.mark = "?"
			unproven++
		default:
			never++
		}
		lines = append(lines, l)
	}
	all := len(lines) <= maxListedPoints
	b.WriteString("\nworst case per point, over every cache phase and server choice of each validating profile (proven for the model; the samples are not):\n")
	listed := lines[:0:0]
	width := 0
	for _, l := range lines {
		if all || l.mark == "!" || l.mark == "?" {
			listed = append(listed, l)
			width = max(width, len(l.at))
		}
	}
	for _, l := range listed {
		fmt.Fprintf(&b, "  %s %-*s  %s  [%s]\n", l.mark, width, l.at, l.text, l.sample)
	}
	fmt.Fprintf(&b, "Bogus possible (!) at %d of %d points", possible, len(lines))
	if missed > 0 {
		fmt.Fprintf(&b, " (%d where the sample saw no Bogus)", missed)
	}
	fmt.Fprintf(&b, "; not proven (?) at %d; never Bogus (proven) at %d", unproven, never)
	if none > 0 {
		fmt.Fprintf(&b, "; not analysed (-, no validating profile) at %d", none)
	}
	b.WriteString(".\n")
	if !all && never+none > 0 {
		fmt.Fprintf(&b, "(%d points never Bogus or not analysed are not listed; sweep.csv has every point.)\n", never+none)
	}
	return b.String()
}

// scenarioLoader checks that arg names a scenario and that sets apply to
// it, and returns a function that loads a fresh copy with sets applied and
// without its expectations, for runs that change it.
func scenarioLoader(arg string, sets []string) (func() (*scenarios.Scenario, error), error) {
	sc, err := loadScenario(arg)
	if err != nil {
		return nil, err
	}
	var data []byte
	if strings.HasPrefix(sc.File, "builtin:") {
		data = nil
	} else if data, err = os.ReadFile(sc.File); err != nil {
		return nil, inputErr(err)
	}
	load := func() (*scenarios.Scenario, error) {
		var sc *scenarios.Scenario
		var err error
		if data == nil {
			sc, err = scenarios.Builtin(arg)
		} else {
			sc, err = scenarios.Parse(data, arg)
		}
		if err != nil {
			return nil, inputErr(err)
		}
		// Sweeps and reports run a scenario under other settings and
		// never check its expect: block (dnssecsim check does), so an
		// expectation about a profile the settings take out, such as
		// worst.bind.Bogus under resolvers.profile=unbound, is no reason
		// to refuse the run.
		sc.Expect = nil
		if err := applySets(sc, sets); err != nil {
			return nil, err
		}
		if err := sc.ValidateProfiles(sim.ProfileNames()); err != nil {
			return nil, inputErr(err)
		}
		return sc, nil
	}
	if _, err := load(); err != nil {
		return nil, err
	}
	return load, nil
}

// parseVary reads one --vary: PATH=FROM:TO:STEPS[:log] or PATH=V1,V2,...
func parseVary(spec string) (reports.SweepAxis, error) {
	path, val, ok := strings.Cut(spec, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" || val == "" {
		return reports.SweepAxis{}, usageErr("--vary %q: expected PATH=FROM:TO:STEPS or PATH=V1,V2,...", spec)
	}
	if !slices.Contains(scenarios.ValidPaths(), path) {
		return reports.SweepAxis{}, usageErr("--vary %s: unknown path; valid paths: %s", path, strings.Join(scenarios.ValidPaths(), ", "))
	}
	a := reports.SweepAxis{Path: path}
	durPath := isDurationPath(path)
	if !strings.Contains(val, ":") {
		for _, v := range strings.Split(val, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				return a, usageErr("--vary %s=%s: an empty value in the list", path, val)
			}
			a.Values = append(a.Values, v)
		}
		// Numbers when every value is one, for a numeric axis.
		secs := make([]float64, 0, len(a.Values))
		for _, v := range a.Values {
			d, isDur, err := parseNumber(v, durPath)
			if err != nil {
				secs = nil
				break
			}
			a.Duration = a.Duration || isDur
			secs = append(secs, d)
		}
		if secs != nil {
			a.Seconds = secs
		}
		return a, nil
	}
	parts := strings.Split(val, ":")
	logScale := false
	if len(parts) == 4 && parts[3] == "log" {
		logScale, parts = true, parts[:3]
	}
	if len(parts) != 3 {
		return a, usageErr("--vary %s=%s: expected FROM:TO:STEPS, optionally followed by :log", path, val)
	}
	from, fromDur, err := parseNumber(parts[0], durPath)
	if err != nil {
		return a, usageErr("--vary %s: FROM %q: %v", path, parts[0], err)
	}
	to, toDur, err := parseNumber(parts[1], durPath)
	if err != nil {
		return a, usageErr("--vary %s: TO %q: %v", path, parts[1], err)
	}
	steps, err := strconv.Atoi(parts[2])
	if err != nil {
		return a, usageErr("--vary %s: STEPS %q: expected a whole number of values, at least 1", path, parts[2])
	}
	switch {
	case steps < 1:
		return a, usageErr("--vary %s: STEPS is %d; expected the number of values, at least 1", path, steps)
	case from > to:
		return a, usageErr("--vary %s: FROM %s is greater than TO %s", path, parts[0], parts[1])
	case steps == 1 && from != to:
		return a, usageErr("--vary %s: STEPS 1 gives one value, but FROM %s and TO %s differ", path, parts[0], parts[1])
	case logScale && from <= 0:
		return a, usageErr("--vary %s: a :log range needs FROM above 0, found %s", path, parts[0])
	}
	a.Duration = fromDur || toDur
	seen := map[float64]bool{}
	for i := range steps {
		v := from
		if steps > 1 {
			f := float64(i) / float64(steps-1)
			if logScale {
				v = from * math.Pow(to/from, f)
			} else {
				v = from + f*(to-from)
			}
		}
		v = math.Round(v)
		if logScale && a.Duration && i > 0 && i < steps-1 {
			v = roundDuration(v)
		}
		if seen[v] {
			return a, usageErr("--vary %s=%s: values repeat when rounded to whole %s; use fewer STEPS", path, val, map[bool]string{true: "seconds", false: "numbers"}[a.Duration])
		}
		seen[v] = true
		a.Seconds = append(a.Seconds, v)
		if a.Duration {
			a.Values = append(a.Values, durationValue(v))
		} else {
			a.Values = append(a.Values, strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	return a, nil
}

// isDurationPath reports whether a setting takes a duration, so that a
// plain number given for it is a number of seconds.
func isDurationPath(path string) bool {
	for _, suf := range []string{"_ttl", "_delay", "_after", "_interval", "horizon"} {
		if strings.HasSuffix(path, suf) {
			return true
		}
	}
	return false
}

// parseNumber reads a duration ("5m", "2d", in seconds) or a plain
// number; dur reports a duration, which a plain number is for a duration
// path.
func parseNumber(s string, durPath bool) (v float64, dur bool, err error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(n, 0) && !math.IsNaN(n) {
		return n, durPath, nil
	}
	d, err := duration.Parse(s)
	if err != nil {
		return 0, false, err
	}
	return d.Seconds(), true, nil
}

// roundDuration rounds a logarithmically spaced duration to a readable
// value: whole minutes from 10 minutes, whole hours from 10 hours.
func roundDuration(sec float64) float64 {
	switch {
	case sec >= 10*3600:
		return math.Round(sec/3600) * 3600
	case sec >= 600:
		return math.Round(sec/60) * 60
	}
	return sec
}

// durationValue writes whole seconds as a duration in days, hours, minutes
// and seconds, largest first, as --set reads it: "1h44m", "1d4h", "90s".
func durationValue(sec float64) string {
	t := int64(sec)
	if t == 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		sym  string
		secs int64
	}{{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}} {
		if n := t / u.secs; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.sym)
			t -= n * u.secs
		}
	}
	return b.String()
}
