package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"

	"github.com/dnssecsim/dnssecsim/reports"
	"github.com/dnssecsim/dnssecsim/sim"
)

const plotUsage = `plot RESULT.json [--out DIR] [--rows N]

Redraws the timeline and population-share plots of a result saved with
'dnssecsim run SCENARIO --format json --timelines --out RESULT.json'. It
writes SCENARIO-timeline and SCENARIO-share, each as PNG, SVG and PDF with
the data behind it as CSV and JSON, into DIR (default: the current
directory); either every file is written or none.`

func runPlot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("plot", plotUsage, stdout)
	out := fs.String("out", ".", "write the files into `DIR` (created if missing)")
	rows := fs.Int("rows", reports.DefaultMaxRows, "show at most `N` caches in the timeline, a sample evenly spread over the cache ages")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("expected one RESULT.json (saved by 'dnssecsim run --format json --timelines'), got %d arguments", fs.NArg())
	}
	if *rows < 1 {
		return usageErr("--rows %d: expected at least 1", *rows)
	}
	path := fs.Arg(0)
	data, err := os.ReadFile(path)
	if err != nil {
		return inputErr(err)
	}
	res, err := reports.ReadResult(data)
	if err != nil {
		return inputErr(fmt.Errorf("%s: %w", path, err))
	}
	files, err := resultFiles(ctx, res, fileStem(res.Scenario)+"-", *rows)
	if err != nil {
		return err
	}
	if err := files.writeTo(*out); err != nil {
		return inputErr(err)
	}
	for _, name := range files.names() {
		fmt.Fprintln(stdout, filepath.Join(*out, name))
	}
	return nil
}

// resultFiles renders the timeline and share figures of a result with
// timelines, and their data, named prefix+"timeline.png" and so on.
func resultFiles(ctx context.Context, res *sim.Result, prefix string, rows int) (*fileSet, error) {
	td, err := reports.Timelines(res, rows)
	if err != nil {
		return nil, inputErr(err)
	}
	sd, err := reports.Share(res)
	if err != nil {
		return nil, inputErr(err)
	}
	tf, err := td.Figure()
	if err != nil {
		return nil, err
	}
	sf, err := sd.Figure()
	if err != nil {
		return nil, err
	}
	files := &fileSet{}
	files.add(prefix+"timeline.csv", td.CSV())
	files.add(prefix+"timeline.json", td.JSON())
	files.add(prefix+"share.csv", sd.CSV())
	files.add(prefix+"share.json", sd.JSON())
	if err := renderFigures(ctx, files, prefix, tf, sf); err != nil {
		return nil, err
	}
	return files, nil
}

// renderFigures renders each figure in every format, in parallel, into
// files as prefix+NAME.FORMAT.
func renderFigures(ctx context.Context, files *fileSet, prefix string, figs ...*reports.Figure) error {
	type job struct {
		fig    *reports.Figure
		format string
	}
	var jobs []job
	for _, f := range figs {
		for _, format := range reports.Formats {
			jobs = append(jobs, job{f, format})
		}
	}
	out := make([][]byte, len(jobs))
	err := parallel(ctx, len(jobs), nil, func(i int) error {
		b, err := jobs[i].fig.Render(jobs[i].format)
		out[i] = b
		return err
	})
	if err != nil {
		return err
	}
	for i, j := range jobs {
		files.add(prefix+j.fig.Name+"."+j.format, out[i])
	}
	return nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileStem makes a scenario name safe as part of a file name.
func fileStem(name string) string {
	s := strings.Trim(unsafeName.ReplaceAllString(name, "_"), "._")
	if s == "" {
		s = "result"
	}
	return s
}

// fileSet is a set of files to write into one directory, all or none.
type fileSet struct {
	data map[string][]byte
}

func (s *fileSet) add(name string, data []byte) {
	if s.data == nil {
		s.data = map[string][]byte{}
	}
	s.data[name] = data
}

// names lists the file names, sorted.
func (s *fileSet) names() []string {
	var ns []string
	for n := range s.data {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// writeTo writes every file into dir, creating dir (and its parents) when
// missing. Each file goes to a temporary name first; only when all are
// written are they renamed into place, so that a failure leaves neither
// partial files nor a directory that was not there before.
func (s *fileSet) writeTo(dir string) (err error) {
	created, err := mkdirAll(dir)
	if err != nil {
		return fmt.Errorf("cannot create output directory %s: %w", dir, err)
	}
	var temps []string
	defer func() {
		if err == nil {
			return
		}
		for _, t := range temps {
			os.Remove(t)
		}
		if created != "" {
			os.RemoveAll(created)
		}
	}()
	names := s.names()
	// A directory in a file's place would stop its rename half way.
	for _, name := range names {
		path := filepath.Join(dir, name)
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			return fmt.Errorf("cannot write %s: a directory is in the way", path)
		}
	}
	for _, name := range names {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("cannot write %s: %w", path, err)
		}
		f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
		if err != nil {
			return fmt.Errorf("cannot write %s: %w", path, err)
		}
		temps = append(temps, f.Name())
		_, werr := f.Write(s.data[name])
		if werr == nil {
			werr = f.Chmod(0o644)
		}
		if werr == nil {
			werr = f.Sync()
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("cannot write %s: %w", path, werr)
		}
	}
	for i, name := range names {
		if err := os.Rename(temps[i], filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("cannot write %s: %w", filepath.Join(dir, name), err)
		}
	}
	temps = nil
	return nil
}

// mkdirAll creates dir and any missing parents, and returns the topmost
// directory it created ("" when dir existed), for removal on failure.
func mkdirAll(dir string) (created string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	top := ""
	for p := abs; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return "", fmt.Errorf("%s is not a directory", p)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return "", err
		}
		top = p
		if filepath.Dir(p) == p {
			break
		}
	}
	if top == "" {
		return "", nil
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		os.RemoveAll(top)
		return "", err
	}
	return top, nil
}
