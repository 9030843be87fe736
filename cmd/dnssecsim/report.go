package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dnssecsim/dnssecsim/reports"
	"github.com/dnssecsim/dnssecsim/scenarios"
	"github.com/dnssecsim/dnssecsim/sim"
)

const reportUsage = `report [--out DIR] [--caches N] [--sweep-caches N] [--compare-caches N] [--worst-paths N] [--no-worst-case] [--no-sweeps] [--no-comparison] [SCENARIO ...]

Runs scenarios and writes a self-contained HTML report, DIR/index.html, with
every plot as PNG, SVG and PDF and the data behind it as CSV and JSON.

Every scenario also gets the worst-case analysis over every cache phase and
server choice of each of its validating resolver profiles (as run
--worst-case): the summary's verdict and worst-case column and each
scenario's worst-case table, with a witness cache and the command that
replays it. Only the worst case says "never Bogus" or "no failure"; the
simulated populations are samples, for exposure figures. --worst-paths
bounds the search that would prove a profile never Bogus (default 400000
cells); a search that reaches it is shown as not proven. A search that has
found a Bogus stretch stops after 100000 cells (or N, if less), and its
longest stretch is then a lower bound.

With no SCENARIO it covers every built-in scenario with its default
population; the standard sweeps (parent.ds_ttl and parent.ns_ttl from 5m to
2d) of the guideline's patterns 1 to 4; and the comparison of those methods
against every losing-side behaviour and resolver profile. With SCENARIO
arguments (files or built-in names) it covers those, and sweeps and compares
them.

DIR (default ./dnssecsim-report) is replaced as a whole: the report is built
in a temporary directory beside it and renamed into place, so a reader sees
the old report or the new one, never a mix. An existing DIR that is not a
dnssecsim report (and not empty) is left alone, with an error.`

// reportMarker marks a directory as a report, which report may replace.
const reportMarker = ".dnssecsim-report"

// reportWorstPaths is the report's default budget for proving that a
// profile is never Bogus, the simulator's default: operator-change-1 and
// pattern-1-double-ds on BIND need about 386,000 cells.
const reportWorstPaths = 400_000

// reportRefinePaths bounds the search of a profile that has already shown
// a Bogus stretch: the verdict is settled, and more cells only lengthen
// the longest stretch found (a lower bound when the search stops).
// Without it the searches of pattern-1, pattern-2-early-ds,
// pattern-2-hasty-losing and pattern-7 would cost the default report
// about 25 s of CPU for slightly longer lower bounds.
const reportRefinePaths = 100_000

// reportWorstCase analyses one profile of sc for the report: first with
// at most reportRefinePaths cells, and again with up to paths when that
// search stopped short without finding a Bogus stretch, so that "never"
// gets the whole budget and a found failure does not.
func reportWorstCase(sc *scenarios.Scenario, profile string, paths int) (*sim.WorstCase, error) {
	first := min(paths, reportRefinePaths)
	wc, err := sim.AnalyseWorstCase(sc, []string{profile}, sim.WorstOptions{MaxPaths: first})
	if err != nil {
		return nil, err
	}
	if w := wc[profile]; w.Complete || w.Bogus || paths <= first {
		return w, nil
	}
	wc, err = sim.AnalyseWorstCase(sc, []string{profile}, sim.WorstOptions{MaxPaths: paths})
	if err != nil {
		return nil, err
	}
	return wc[profile], nil
}

// sweepValues are the standard sweeps' values: 5 minutes to 2 days,
// roughly doubling.
var sweepValues = []string{"5m", "15m", "30m", "1h", "2h", "4h", "8h", "12h", "1d", "1d12h", "2d"}

// sweepPaths are the settings the standard sweeps vary.
var sweepPaths = []string{"parent.ds_ttl", "parent.ns_ttl"}

// sweepMethods are the built-ins the standard sweeps and the comparison
// cover: the guideline's detailed patterns and method (1).
var sweepMethods = []string{"pattern-1", "pattern-2", "pattern-3", "pattern-4"}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", reportUsage, stdout)
	out := fs.String("out", "dnssecsim-report", "write the report into `DIR`, replacing a previous report there")
	caches := fs.Int("caches", 0, "resolver caches per scenario run (default: each scenario's own)")
	sweepCaches := fs.Int("sweep-caches", 0, "resolver caches per sweep run (default: each scenario's own)")
	compareCaches := fs.Int("compare-caches", 0, "resolver caches per comparison run (default: each scenario's own)")
	rows := fs.Int("rows", reports.DefaultMaxRows, "show at most `N` caches in a timeline")
	noSweeps := fs.Bool("no-sweeps", false, "leave out the sweeps")
	noCompare := fs.Bool("no-comparison", false, "leave out the comparison")
	worstPaths := fs.Int("worst-paths", reportWorstPaths, "bound each profile's worst-case search to `N` cells (reaching it: not proven)")
	noWorst := fs.Bool("no-worst-case", false, "leave out the worst-case analysis (the report then proves nothing)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *worstPaths < 1 {
		return usageErr("--worst-paths %d: expected at least 1", *worstPaths)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"caches", *caches}, {"sweep-caches", *sweepCaches}, {"compare-caches", *compareCaches}} {
		if f.v < 0 {
			return usageErr("--%s %d: expected a positive number", f.name, f.v)
		}
	}
	if *rows < 1 {
		return usageErr("--rows %d: expected at least 1", *rows)
	}
	start := time.Now()
	dir, err := filepath.Abs(*out)
	if err != nil {
		return inputErr(err)
	}
	if err := checkReportDir(dir); err != nil {
		return inputErr(err)
	}

	// What to run.
	names := fs.Args()
	builtins := len(names) == 0
	if builtins {
		names = scenarios.BuiltinNames()
	}
	type scen struct {
		arg  string
		load func() (*scenarios.Scenario, error)
		sc   *scenarios.Scenario
	}
	var scens []scen
	seen := map[string]bool{}
	for _, n := range names {
		load, err := scenarioLoader(n, nil)
		if err != nil {
			return err
		}
		sc, _ := load()
		if seen[sc.Name] {
			return usageErr("scenario %s is given twice", sc.Name)
		}
		seen[sc.Name] = true
		scens = append(scens, scen{n, load, sc})
	}
	var methods []scen
	for _, s := range scens {
		if !builtins || slices.Contains(sweepMethods, s.sc.Name) {
			methods = append(methods, s)
		}
	}

	// Every run goes into one job list, so that the pool stays busy.
	type job struct {
		run func() (*sim.Result, error)
		// done stores the result. fail, when not nil, records a run
		// that could not happen and says whether that is expected (a
		// combination the scenario does not allow) rather than a
		// problem.
		done func(*sim.Result)
		fail func(error) bool
		// analyse, when not nil, is a worst-case analysis instead of a
		// run.
		analyse func() error
	}
	var jobs []job
	results := make([]*sim.Result, len(scens))
	var problems []string
	// The worst-case analyses come first, one job per scenario and
	// profile: they are the longest jobs, and the short runs behind them
	// fill the pool to the end. worstNames[i] are scenario i's validating
	// profiles (nil: not analysed, empty: none) and worstSlots[i] their
	// analyses.
	worstNames := make([][]string, len(scens))
	worstSlots := make([][]*sim.WorstCase, len(scens))
	for i, s := range scens {
		if *noWorst {
			break
		}
		names, err := sim.WorstCaseProfiles(s.sc)
		if errors.Is(err, sim.ErrNoValidating) {
			worstNames[i] = []string{}
			continue
		}
		if err != nil {
			return inputErr(fmt.Errorf("%s: %v", s.sc.Name, err))
		}
		worstNames[i], worstSlots[i] = names, make([]*sim.WorstCase, len(names))
		for k, n := range names {
			jobs = append(jobs, job{analyse: func() error {
				sc, err := s.load()
				if err != nil {
					return err
				}
				w, err := reportWorstCase(sc, n, *worstPaths)
				if err != nil {
					return fmt.Errorf("%s: the worst case of %s: %v", s.sc.Name, n, err)
				}
				worstSlots[i][k] = w
				return nil
			}})
		}
	}
	for i, s := range scens {
		jobs = append(jobs, job{
			run:  func() (*sim.Result, error) { return runPoint(s.load, nil, nil, *caches, true, false) },
			done: func(r *sim.Result) { results[i] = r },
		})
	}
	var sweeps [][]*reports.Sweep // [path][method]
	if !*noSweeps && len(methods) > 0 {
		for _, path := range sweepPaths {
			var row []*reports.Sweep
			axis := reports.SweepAxis{Path: path, Values: sweepValues, Duration: true}
			for _, v := range sweepValues {
				sec, _, _ := parseNumber(v, true)
				axis.Seconds = append(axis.Seconds, sec)
			}
			for _, m := range methods {
				sw, err := reports.NewSweep(m.sc.Name, []reports.SweepAxis{axis})
				if err != nil {
					return err
				}
				for i := range sw.Points {
					jobs = append(jobs, job{
						run: func() (*sim.Result, error) {
							return runPoint(m.load, sw.Axes, sw.Points[i].Values, *sweepCaches, false, false)
						},
						done: func(r *sim.Result) { sw.Record(i, r) },
					})
				}
				row = append(row, sw)
			}
			sweeps = append(sweeps, row)
		}
	}
	var cmp *reports.Comparison
	if !*noCompare && len(methods) > 0 {
		var mnames, bnames []string
		for _, m := range methods {
			mnames = append(mnames, m.sc.Name)
		}
		for _, b := range reports.DefaultBehaviours {
			bnames = append(bnames, b.Name)
		}
		profiles := sim.ProfileNames()
		cmp = reports.NewComparison(mnames, bnames, profiles)
		i := 0
		for _, m := range methods {
			for _, b := range reports.DefaultBehaviours {
				for _, p := range profiles {
					row := i
					jobs = append(jobs, job{
						run: func() (*sim.Result, error) {
							sc, err := m.load()
							if err != nil {
								return nil, err
							}
							for _, kv := range append(append([]string(nil), b.Sets...), "resolvers.profile="+p) {
								k, v, _ := strings.Cut(kv, "=")
								if err := sc.Set(k, v); err != nil {
									return nil, errNotApplicable{err}
								}
							}
							res, err := sim.Run(sc, sim.Options{Caches: *compareCaches})
							if err != nil {
								return nil, fmt.Errorf("%s, %s, %s: %v", m.sc.Name, b.Name, p, err)
							}
							return res, nil
						},
						done: func(r *sim.Result) { cmp.Record(row, r) },
						fail: func(err error) bool {
							var na errNotApplicable
							if errors.As(err, &na) {
								cmp.Fail(row, na.err)
								return true
							}
							cmp.Fail(row, err)
							return false
						},
					})
					i++
				}
			}
		}
	}

	prog := newProgress(stderr, "simulating", len(jobs))
	errs := make([]error, len(jobs))
	var nruns atomic.Int64 // runs that produced a result
	err = parallel(ctx, len(jobs), prog, func(i int) error {
		if jobs[i].analyse != nil {
			errs[i] = jobs[i].analyse()
			return nil
		}
		res, err := jobs[i].run()
		if err != nil {
			if jobs[i].fail != nil && jobs[i].fail(err) {
				return nil
			}
			errs[i] = err
			return nil
		}
		nruns.Add(1)
		jobs[i].done(res)
		return nil
	})
	prog.finish()
	if err != nil {
		return err
	}
	for _, e := range errs {
		if e != nil {
			problems = append(problems, e.Error())
		}
	}
	// Each scenario's worst case goes with its result, complete or not
	// at all (a failed analysis is listed among the problems).
	for i, names := range worstNames {
		if results[i] == nil || names == nil {
			continue
		}
		wc := map[string]*sim.WorstCase{}
		for k, n := range names {
			if worstSlots[i][k] == nil {
				wc = nil
				break
			}
			wc[n] = worstSlots[i][k]
		}
		results[i].WorstCase = wc
	}

	// Figures and data.
	files := &fileSet{}
	files.add(reportMarker, []byte("This directory is a report written by dnssecsim report; the next report replaces it as a whole.\n"))
	rep := &reports.Report{Title: "dnssecsim report"}
	// Figures are drawn later, in parallel; attach puts a figure's SVG
	// into the page.
	type pendingFig struct {
		fig    *reports.Figure
		prefix string
		attach func(svg []byte)
	}
	var figs []pendingFig
	addFig := func(f *reports.Figure, prefix string, attach func([]byte)) reports.Embed {
		figs = append(figs, pendingFig{f, prefix, attach})
		e := reports.Embed{Title: f.Title}
		for _, format := range reports.Formats {
			e.Files = append(e.Files, reports.Link{Label: strings.ToUpper(format), Href: prefix + f.Name + "." + format})
		}
		return e
	}
	for i, s := range scens {
		res := results[i]
		if res == nil {
			continue
		}
		sum := reports.Summarize(res, s.sc.Description)
		rep.Summaries = append(rep.Summaries, sum)
		prefix := "scenarios/" + fileStem(res.Scenario) + "/"
		sec := reports.ScenarioSection{Summary: sum, Steps: res.Steps,
			Worst: reports.WorstLines(res.WorstCase, worstVerdict, func(w *sim.Witness) string {
				return fmt.Sprintf("dnssecsim run %s --set 'resolvers.cache=%s'", s.arg, w.Cache)
			})}
		td, err := reports.Timelines(res, *rows)
		if err != nil {
			return err
		}
		sd, err := reports.Share(res)
		if err != nil {
			return err
		}
		tf, err := td.Figure()
		if err != nil {
			return err
		}
		sf, err := sd.Figure()
		if err != nil {
			return err
		}
		si := len(rep.Scenarios)
		sec.Figures = []reports.Embed{
			addFig(tf, prefix, func(b []byte) { rep.Scenarios[si].Figures[0].SVG = b }),
			addFig(sf, prefix, func(b []byte) { rep.Scenarios[si].Figures[1].SVG = b }),
		}
		resJSON, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		files.add(prefix+"result.json", append(resJSON, '\n'))
		files.add(prefix+"timeline.csv", td.CSV())
		files.add(prefix+"timeline.json", td.JSON())
		files.add(prefix+"share.csv", sd.CSV())
		files.add(prefix+"share.json", sd.JSON())
		sec.Data = []reports.Link{
			{Label: "result.json (with every timeline; 'dnssecsim plot' redraws it)", Href: prefix + "result.json"},
			{Label: "timeline.csv", Href: prefix + "timeline.csv"}, {Label: "timeline.json", Href: prefix + "timeline.json"},
			{Label: "share.csv", Href: prefix + "share.csv"}, {Label: "share.json", Href: prefix + "share.json"},
		}
		rep.Scenarios = append(rep.Scenarios, sec)
	}
	for _, row := range sweeps {
		complete := row[:0:0]
		for _, sw := range row {
			if sweepComplete(sw) {
				complete = append(complete, sw)
			}
		}
		if len(complete) == 0 {
			continue
		}
		path := complete[0].Axes[0].Path
		f, err := reports.ExposureFigure(complete...)
		if err != nil {
			return err
		}
		base := "sweeps/" + strings.ReplaceAll(path, ".", "-")
		files.add(base+".csv", reports.SweepsCSV(complete...))
		js, err := json.MarshalIndent(complete, "", "  ")
		if err != nil {
			return err
		}
		files.add(base+".json", append(js, '\n'))
		wi := len(rep.Sweeps)
		rep.Sweeps = append(rep.Sweeps, reports.SweepSection{
			Path: path, Figure: addFig(f, "sweeps/", func(b []byte) { rep.Sweeps[wi].Figure.SVG = b }), Sweeps: complete,
			Data: []reports.Link{{Label: filepath.Base(base) + ".csv", Href: base + ".csv"}, {Label: filepath.Base(base) + ".json", Href: base + ".json"}},
		})
	}
	if cmp != nil {
		f, err := cmp.Figure()
		if err != nil {
			return err
		}
		files.add("comparison/comparison.csv", cmp.CSV())
		files.add("comparison/comparison.json", cmp.JSON())
		rep.Comparison = &reports.ComparisonSection{
			Comparison: cmp, Figure: addFig(f, "comparison/", func(b []byte) { rep.Comparison.Figure.SVG = b }),
			Data: []reports.Link{{Label: "comparison.csv", Href: "comparison/comparison.csv"}, {Label: "comparison.json", Href: "comparison/comparison.json"}},
		}
	}

	// Render every figure in every format, in parallel.
	type render struct {
		fig    int
		format string
	}
	var renders []render
	for i := range figs {
		for _, format := range reports.Formats {
			renders = append(renders, render{i, format})
		}
	}
	images := make([][]byte, len(renders))
	prog = newProgress(stderr, "drawing", len(renders))
	err = parallel(ctx, len(renders), prog, func(i int) error {
		b, err := figs[renders[i].fig].fig.Render(renders[i].format)
		images[i] = b
		return err
	})
	prog.finish()
	if err != nil {
		return err
	}
	for i, r := range renders {
		f := figs[r.fig]
		files.add(f.prefix+f.fig.Name+"."+r.format, images[i])
		if r.format == "svg" {
			f.attach(images[i])
		}
	}

	files.add("summary.csv", reports.SummaryCSV(rep.Summaries))
	sumJSON, err := json.MarshalIndent(rep.Summaries, "", "  ")
	if err != nil {
		return err
	}
	files.add("summary.json", append(sumJSON, '\n'))
	rep.Problems = problems
	rep.Intro = reportIntro(len(scens), int(nruns.Load()), *caches, *sweepCaches, *compareCaches, sweeps, cmp, builtins, worstIntro(*noWorst, *worstPaths))
	page, err := rep.HTML()
	if err != nil {
		return err
	}
	files.add("index.html", page)
	if err := replaceDir(dir, files); err != nil {
		return inputErr(err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d scenarios, %d runs, %d files, in %.1fs\n",
		filepath.Join(*out, "index.html"), len(rep.Scenarios), nruns.Load(), len(files.data), time.Since(start).Seconds())
	if len(problems) > 0 {
		return inputErr(fmt.Errorf("%d runs failed (listed at the top of the report): %s", len(problems), strings.Join(problems, "; ")))
	}
	return nil
}

// errNotApplicable marks a comparison combination a scenario does not
// allow.
type errNotApplicable struct{ err error }

func (e errNotApplicable) Error() string { return e.err.Error() }

// sweepComplete reports whether every point of a sweep has a result.
func sweepComplete(sw *reports.Sweep) bool {
	for _, p := range sw.Points {
		if p.Metrics == nil {
			return false
		}
	}
	return true
}

// reportIntro says what the report covers; worst says what the
// worst-case analysis does.
func reportIntro(nscen, nruns, caches, sweepCaches, compareCaches int, sweeps [][]*reports.Sweep, cmp *reports.Comparison, builtins bool, worst string) []string {
	pop := func(n int) string {
		if n == 0 {
			return "each scenario's own population"
		}
		return fmt.Sprintf("%d caches", n)
	}
	which := "every built-in scenario"
	if !builtins {
		which = "the scenarios given"
	}
	lines := []string{fmt.Sprintf("dnssecsim %s simulated %s (%d, with %s) in %d runs.", version, which, nscen, pop(caches), nruns), worst}
	if len(sweeps) > 0 {
		lines = append(lines, fmt.Sprintf("Sweeps: %s from %s to %s (%d values), with %s.",
			strings.Join(sweepPaths, " and "), sweepValues[0], sweepValues[len(sweepValues)-1], len(sweepValues), pop(sweepCaches)))
	}
	if cmp != nil {
		lines = append(lines, fmt.Sprintf("Comparison: %d methods × %d losing-side behaviours × %d resolver profiles, with %s.",
			len(cmp.Methods), len(cmp.Behaviours), len(cmp.Profiles), pop(compareCaches)))
	}
	lines = append(lines, "States: Secure (validated), Insecure (provably unsigned: no DNSSEC protection), Bogus (validation fails: the resolver answers SERVFAIL), Indeterminate (no validation), Lame (the servers the resolver is sent to do not serve the zone).")
	return lines
}

// worstIntro says what the worst-case analysis covers, or that there is
// none.
func worstIntro(none bool, paths int) string {
	if none {
		return "Worst case: not analysed (--no-worst-case), so this report proves nothing: every figure is of a sampled population, which shows what happens, not what cannot."
	}
	return fmt.Sprintf("Worst case: for each scenario, the analysis over every cache phase, query phase and server choice of each of its validating resolver profiles, a proof for the model (search budget %d cells per profile; a search that reaches it is marked not proven; one that has found a Bogus stretch stops after %d cells, and its longest stretch is then a lower bound). It alone says \"never\"; the simulated populations, the sweeps and the comparison are samples, for exposure figures.", paths, min(paths, reportRefinePaths))
}

// checkReportDir refuses to replace a directory that is not a report.
func checkReportDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if errors.Is(err, syscall.ENOTDIR) {
		for p := filepath.Dir(dir); p != filepath.Dir(p); p = filepath.Dir(p) {
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return fmt.Errorf("cannot write the report at %s: %s is not a directory", dir, p)
			}
		}
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s exists and is not a directory", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, reportMarker)); err == nil {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s exists and is not a dnssecsim report (no %s file); not replacing it: choose another --out", dir, reportMarker)
	}
	return nil
}

// replaceDir writes files into a new directory beside dir and puts it in
// dir's place: the old dir is renamed to a backup, the new one to dir,
// and the backup removed. On failure nothing of the new report is left
// and the old one is back in place.
func replaceDir(dir string, files *fileSet) (err error) {
	parent := filepath.Dir(dir)
	created, err := mkdirAll(parent)
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-*")
	if err != nil {
		if created != "" {
			os.RemoveAll(created)
		}
		return fmt.Errorf("cannot write the report beside %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
			if created != "" {
				os.RemoveAll(created)
			}
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := files.writeTo(tmp); err != nil {
		return err
	}
	backup := ""
	if _, err := os.Stat(dir); err == nil {
		backup = tmp + ".old"
		if err := os.Rename(dir, backup); err != nil {
			return fmt.Errorf("cannot replace %s: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if backup != "" {
			os.Rename(backup, dir)
		}
		return fmt.Errorf("cannot replace %s: %w", dir, err)
	}
	if backup != "" {
		os.RemoveAll(backup)
	}
	return nil
}
