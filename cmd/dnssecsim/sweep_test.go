package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dnssecsim/dnssecsim/reports"
	"github.com/dnssecsim/dnssecsim/sim"
)

// repMini is the small scenario the sweep, plot and report tests run.
const repMini = "testdata/report/pattern-2-mini.yaml"

func init() {
	// -update rewrites golden files; other tests of this package may
	// define the flag too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/*.golden")
	}
}

func repUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// repGolden compares got with testdata/report/NAME.golden, or rewrites it
// with -update.
func repGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "report", name+".golden")
	if repUpdate() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// repRun runs the command line in-process and returns its exit status and
// output.
func repRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// repFiles lists the files under dir, relative and sorted, hidden ones
// included.
func repFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// repCheckImage checks an image file by its extension: a PNG decodes, an
// SVG parses as XML, a PDF has its header. Pixels are not compared.
func repCheckImage(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 1000 {
		t.Errorf("%s: only %d bytes", path, len(data))
	}
	switch filepath.Ext(path) {
	case ".png":
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s does not decode: %v", path, err)
		} else if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 300 {
			t.Errorf("%s is only %dx%d pixels", path, b.Dx(), b.Dy())
		}
	case ".svg":
		dec := xml.NewDecoder(bytes.NewReader(data))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s does not parse as XML: %v", path, err)
				break
			}
		}
	case ".pdf":
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			t.Errorf("%s does not start with %%PDF-", path)
		}
	}
}

func TestParseVary(t *testing.T) {
	tests := []struct {
		spec   string
		values string // the values, space-separated; "" for an error
		code   int    // the error's exit status
		msg    string // a substring of the error
	}{
		// Durations, evenly spaced.
		{spec: "parent.ds_ttl=1h:5h:5", values: "1h 2h 3h 4h 5h"},
		// Logarithmic spacing, rounded to whole seconds.
		{spec: "parent.ds_ttl=5m:2d:3:log", values: "5m 2h 2d"},
		// A plain number for a duration setting is seconds.
		{spec: "parent.ns_ttl=60:180:3", values: "1m 2m 3m"},
		// A number that is not a duration.
		{spec: "resolvers.count=10:30:3", values: "10 20 30"},
		// One value.
		{spec: "parent.ds_ttl=1d:1d:1", values: "1d"},
		// A list, kept as written.
		{spec: "resolvers.profile=bind, unbound", values: "bind unbound"},
		{spec: "parent.ds_ttl=5m,1d", values: "5m 1d"},

		{spec: "parent.dns_ttl=1h:2h:2", code: exitUsage, msg: "--vary parent.dns_ttl: unknown path; valid paths: gaining.algorithm"},
		{spec: "parent.ds_ttl=2d:5m:3", code: exitUsage, msg: "FROM 2d is greater than TO 5m"},
		{spec: "parent.ds_ttl=5m:2d:0", code: exitUsage, msg: "STEPS is 0; expected the number of values, at least 1"},
		{spec: "parent.ds_ttl=5m:2d:x", code: exitUsage, msg: `STEPS "x"`},
		{spec: "parent.ds_ttl=5m:2d:1", code: exitUsage, msg: "STEPS 1 gives one value, but FROM 5m and TO 2d differ"},
		{spec: "parent.ds_ttl=5q:2d:3", code: exitUsage, msg: `FROM "5q"`},
		{spec: "parent.ds_ttl=0s:2d:3:log", code: exitUsage, msg: "needs FROM above 0"},
		{spec: "parent.ds_ttl=1s:3s:10", code: exitUsage, msg: "values repeat when rounded to whole seconds"},
		{spec: "parent.ds_ttl=5m:2d", code: exitUsage, msg: "expected FROM:TO:STEPS"},
		{spec: "parent.ds_ttl", code: exitUsage, msg: "expected PATH=FROM:TO:STEPS"},
		{spec: "parent.ds_ttl=1h,,2h", code: exitUsage, msg: "an empty value"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			a, err := parseVary(tc.spec)
			if tc.values == "" {
				ee, ok := err.(*exitError)
				if !ok || ee.code != tc.code || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("parseVary(%q) = %v, want exit %d with %q", tc.spec, err, tc.code, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(a.Values, " "); got != tc.values {
				t.Errorf("values %q, want %q", got, tc.values)
			}
		})
	}
}

// TestSweep runs a one-setting and a two-setting sweep of the mini
// scenario and checks the data (golden) and the plot files.
func TestSweep(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := repRun(t, "sweep", repMini, "--vary", "parent.ds_ttl=30m:2h:4", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr not empty (no progress bar when stderr is not a terminal): %q", stderr)
	}
	want := []string{"exposure-parent-ds_ttl.pdf", "exposure-parent-ds_ttl.png", "exposure-parent-ds_ttl.svg", "sweep.csv", "sweep.json"}
	if d := cmp.Diff(want, repFiles(t, dir)); d != "" {
		t.Errorf("files (-want +got):\n%s", d)
	}
	if !strings.Contains(out, "4 runs in ") {
		t.Errorf("stdout %q lacks the run count and time", out)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "sweep.csv"))
	repGolden(t, "sweep-mini.csv", csv)
	for _, f := range want[:3] {
		repCheckImage(t, filepath.Join(dir, f))
	}

	dir2 := t.TempDir()
	code, _, stderr = repRun(t, "sweep", repMini, "--vary", "parent.ds_ttl=30m,2h", "--vary", "resolvers.profile=bind,unbound",
		"--set", "parent.ns_ttl=2h", "--caches", "6", "--out", dir2)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	csv, _ = os.ReadFile(filepath.Join(dir2, "sweep.csv"))
	repGolden(t, "sweep-mini-two.csv", csv)
	repCheckImage(t, filepath.Join(dir2, "exposure-parent-ds_ttl-resolvers-profile.png"))
}

// TestSweepBadInput checks that bad input gives a clear message and exit
// status and leaves no file behind.
func TestSweepBadInput(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	inTheWay := filepath.Join(base, "in-the-way")
	os.MkdirAll(filepath.Join(inTheWay, "sweep.csv"), 0o755)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
		// dir is where no file may appear.
		dir string
	}{
		{"unknown path", []string{"--vary", "parent.dns_ttl=1h:2h:2"}, exitUsage, "unknown path", ""},
		{"from after to", []string{"--vary", "parent.ds_ttl=2d:5m:3"}, exitUsage, "FROM 2d is greater than TO 5m", ""},
		{"zero steps", []string{"--vary", "parent.ds_ttl=5m:2d:0"}, exitUsage, "STEPS is 0", ""},
		{"no vary", nil, exitUsage, "expected at least one --vary", ""},
		{"varied twice", []string{"--vary", "parent.ds_ttl=1h,2h", "--vary", "parent.ds_ttl=3h,4h"}, exitUsage, "varied twice", ""},
		{"vary and set", []string{"--vary", "parent.ds_ttl=1h,2h", "--set", "parent.ds_ttl=3h"}, exitUsage, "also fixed by --set", ""},
		{"bad value", []string{"--vary", "resolvers.cache_age=even,sometimes"}, exitUsage, "--vary resolvers.cache_age=sometimes", ""},
		{"unwritable", []string{"--vary", "parent.ds_ttl=1h,2h", "--out", filepath.Join(file, "out")}, exitInput, "is not a directory", base},
		{"directory in the way", []string{"--vary", "parent.ds_ttl=1h,2h", "--out", inTheWay}, exitInput, "a directory is in the way", inTheWay},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"sweep", repMini}, tc.args...)
			if !slices.Contains(tc.args, "--out") {
				args = append(args, "--out", out)
			}
			var before []string
			if tc.dir != "" {
				before = repFiles(t, tc.dir)
			}
			code, _, stderr := repRun(t, args...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d with %q", code, stderr, tc.code, tc.msg)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was created", out)
			}
			if tc.dir != "" {
				if d := cmp.Diff(before, repFiles(t, tc.dir)); d != "" {
					t.Errorf("files in %s changed (-before +after):\n%s", tc.dir, d)
				}
			}
		})
	}
}

// TestProgress checks the bar's drawing, and that there is none when
// standard error is not a terminal.
func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	if p := newProgress(&buf, "sweep", 10); p != nil {
		t.Error("a progress bar on a buffer, which is not a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if p := newProgress(f, "sweep", 10); p != nil {
		t.Error("a progress bar on a regular file")
	}
	var nilBar *progress
	nilBar.add(1) // a nil bar draws nothing and does not panic
	nilBar.finish()

	p := &progress{w: &buf, label: "sweep", total: 4}
	for range 4 {
		p.add(1)
	}
	p.finish()
	out := buf.String()
	if !strings.Contains(out, "\rsweep [##############################] 4/4 ") || !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("progress output %q: want a full bar at 4/4, then the line erased", out)
	}
}

// TestParallel checks that every index runs once and that the first
// error stops the pool.
func TestParallel(t *testing.T) {
	var mu sync.Mutex
	seen := map[int]int{}
	err := parallel(context.Background(), 50, nil, func(i int) error {
		mu.Lock()
		seen[i]++
		mu.Unlock()
		return nil
	})
	if err != nil || len(seen) != 50 {
		t.Fatalf("parallel: %v, %d indexes run, want nil and 50", err, len(seen))
	}
	for i, n := range seen {
		if n != 1 {
			t.Errorf("index %d ran %d times", i, n)
		}
	}
	boom := errors.New("boom")
	var ran atomic.Int32
	err = parallel(context.Background(), 1000, nil, func(i int) error {
		ran.Add(1)
		if i == 3 {
			return boom
		}
		return nil
	})
	if err != boom {
		t.Errorf("parallel: %v, want boom", err)
	}
	if n := ran.Load(); n == 1000 {
		t.Errorf("all %d calls ran after an error", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := parallel(ctx, 10, nil, func(int) error { return nil }); err != context.Canceled {
		t.Errorf("parallel after cancel: %v, want context.Canceled", err)
	}
}

// TestSweepWorstCase runs small sweeps of pattern-2 with --worst-case on
// one profile each and checks the worst-case columns: as built in (DS TTL
// 1d, DNSKEY TTL 1h, the NS switch after the DS TTL), and with a DS TTL of
// 1h, a cache on the Unbound profile can be Bogus for a minute, which the
// sample may miss; one on BIND never can (proven).
func TestSweepWorstCase(t *testing.T) {
	tests := []struct {
		profile string
		bogus   string // worst_bogus at both points
		max     string // worst_max_bogus_seconds
		mark    string // the summary's mark
	}{
		{"unbound", "true", "60", "!"},
		{"bind", "false", "0", " "},
	}
	for _, tc := range tests {
		t.Run(tc.profile, func(t *testing.T) {
			dir := t.TempDir()
			code, out, stderr := repRun(t, "sweep", "pattern-2", "--vary", "parent.ds_ttl=1h,1d", "--set", "resolvers.profile="+tc.profile,
				"--worst-case", "--caches", "50", "--out", dir)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			rows := readCSV(t, filepath.Join(dir, "sweep.csv"))
			head := rows[0]
			// The columns of a sweep without --worst-case stay first and
			// in place.
			code, _, stderr = repRun(t, "sweep", "pattern-2", "--vary", "parent.ds_ttl=1h,1d", "--set", "resolvers.profile="+tc.profile,
				"--caches", "50", "--out", filepath.Join(dir, "plain"))
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			plain := readCSV(t, filepath.Join(dir, "plain", "sweep.csv"))[0]
			if d := cmp.Diff(plain, head[:len(plain)]); d != "" {
				t.Errorf("the existing columns moved (-without +with --worst-case):\n%s", d)
			}
			p := tc.profile
			wantHead := []string{"worst_bogus", "worst_max_bogus_seconds", "worst_lame", "worst_max_lame_seconds", "worst_complete",
				"worst_bogus[" + p + "]", "worst_max_bogus_seconds[" + p + "]", "worst_lame[" + p + "]", "worst_max_lame_seconds[" + p + "]", "worst_complete[" + p + "]"}
			if d := cmp.Diff(wantHead, head[len(plain):]); d != "" {
				t.Fatalf("worst-case columns (-want +got):\n%s", d)
			}
			want := []string{tc.bogus, tc.max, "false", "0", "true", tc.bogus, tc.max, "false", "0", "true"}
			for _, r := range rows[1:] {
				if d := cmp.Diff(want, r[len(plain):]); d != "" {
					t.Errorf("%s=%s: worst-case cells (-want +got):\n%s", head[1], r[1], d)
				}
			}

			// sweep.json: true and false as JSON booleans, with each
			// profile's analysis.
			var js struct {
				Points []struct {
					Values    []string                   `json:"values"`
					Bogus     any                        `json:"worst_bogus"`
					MaxBogus  float64                    `json:"worst_max_bogus_seconds"`
					WorstCase map[string]json.RawMessage `json:"worst_case"`
				} `json:"points"`
			}
			data, _ := os.ReadFile(filepath.Join(dir, "sweep.json"))
			if err := json.Unmarshal(data, &js); err != nil {
				t.Fatal(err)
			}
			for _, pt := range js.Points {
				if fmt.Sprint(pt.Bogus) != tc.bogus || fmt.Sprint(pt.MaxBogus) != tc.max || pt.WorstCase[p] == nil {
					t.Errorf("sweep.json at %v: worst_bogus %v, max %v, worst_case %v; want %s, %s and the %s analysis", pt.Values, pt.Bogus, pt.MaxBogus, pt.WorstCase, tc.bogus, tc.max, p)
				}
			}

			// The summary marks each point; the plot rings them.
			for _, v := range []string{"1h", "1d"} {
				if !strings.Contains(out, "\n  "+tc.mark+" parent.ds_ttl="+v+" ") {
					t.Errorf("stdout does not mark parent.ds_ttl=%s with %q:\n%s", v, tc.mark, out)
				}
			}
			svg, _ := os.ReadFile(filepath.Join(dir, "exposure-parent-ds_ttl.svg"))
			if ringed := bytes.Contains(svg, []byte("worst case: Bogus possible")); ringed != (tc.bogus == "true") {
				t.Errorf("the plot's legend has the worst-case ring: %v, want %v", ringed, tc.bogus == "true")
			}
		})
	}
}

// TestSweepWorstCaseNoValidating checks that a grid without a validating
// profile is refused before anything runs, and that points without one
// in a grid that has others are reported as not analysed.
func TestSweepWorstCaseNoValidating(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := repRun(t, "sweep", "pattern-2", "--vary", "parent.ds_ttl=1h,1d", "--set", "resolvers.profile=non-validating", "--worst-case", "--out", out)
	if code != exitUsage || !strings.Contains(stderr, "no point of the grid has a validating resolver profile") {
		t.Errorf("exit %d, stderr %q; want a usage error", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was created", out)
	}
	code, stdout, stderr := repRun(t, "sweep", repMini, "--vary", "resolvers.profile=non-validating,bind", "--set", "parent.ds_ttl=30m",
		"--worst-case", "--caches", "4", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := readCSV(t, filepath.Join(out, "sweep.csv"))
	col := slices.Index(rows[0], "worst_bogus")
	if col < 0 || rows[1][1] != "non-validating" || rows[1][col] != "" || rows[2][col] == "" {
		t.Errorf("worst_bogus: %q for non-validating, %q for bind; want empty and a verdict", rows[1][col], rows[2][col])
	}
	if !strings.Contains(stdout, "  - resolvers.profile=non-validating  not analysed: no validating resolver profile") {
		t.Errorf("stdout does not mark the point without a validating profile:\n%s", stdout)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("%s: %d rows, %v", path, len(rows), err)
	}
	return rows
}

// TestFormatSweepWorst checks the worst-case summary of a large grid: only
// the points where Bogus is possible (!) or not proven (?) are listed,
// with the counts of all.
func TestFormatSweepWorst(t *testing.T) {
	var vals []string
	for i := range 45 {
		vals = append(vals, fmt.Sprint(i))
	}
	sw, err := reports.NewSweep("x", []reports.SweepAxis{{Path: "resolvers.count", Values: vals}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range sw.Points {
		wc := map[string]*sim.WorstCase{"bind": {Complete: true}}
		switch i {
		case 3:
			wc["bind"] = &sim.WorstCase{Bogus: true, MaxBogusSeconds: 60, Complete: true}
		case 7:
			wc["bind"] = &sim.WorstCase{}
		case 9:
			wc = map[string]*sim.WorstCase{}
		}
		sw.Record(i, &sim.Result{Metrics: map[string]sim.Metric{"Bogus": {}}, Stats: sim.Stats{Caches: 10}, WorstCase: wc})
	}
	got := formatSweepWorst(sw)
	for _, want := range []string{
		"\n  ! resolvers.count=3  Bogus possible for bind (1m); never Lame (proven)  [sampled: 0 of 10 caches Bogus, which the sample missed]\n",
		"\n  ? resolvers.count=7  Bogus not ruled out for bind",
		"\nBogus possible (!) at 1 of 45 points (1 where the sample saw no Bogus); not proven (?) at 1; never Bogus (proven) at 42; not analysed (-, no validating profile) at 1.\n",
		"(43 points never Bogus or not analysed are not listed; sweep.csv has every point.)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "resolvers.count="); n != 2 {
		t.Errorf("%d points listed, want 2:\n%s", n, got)
	}
}
