package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlot saves a run of the mini scenario and redraws it.
func TestPlot(t *testing.T) {
	dir := t.TempDir()
	res := filepath.Join(dir, "result.json")
	if code, _, stderr := repRun(t, "run", repMini, "--format", "json", "--timelines", "--out", res); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "plots")
	code, stdout, stderr := repRun(t, "plot", res, "--out", out, "--rows", "8")
	if code != exitOK {
		t.Fatalf("plot: exit %d: %s", code, stderr)
	}
	var want []string
	for _, fig := range []string{"share", "timeline"} {
		for _, ext := range []string{"csv", "json", "pdf", "png", "svg"} {
			want = append(want, "pattern-2-mini-"+fig+"."+ext)
		}
	}
	if d := cmp.Diff(want, repFiles(t, out)); d != "" {
		t.Errorf("files (-want +got):\n%s", d)
	}
	if n := strings.Count(stdout, "\n"); n != len(want) {
		t.Errorf("stdout lists %d files, want %d:\n%s", n, len(want), stdout)
	}
	for _, f := range want {
		switch filepath.Ext(f) {
		case ".png", ".svg", ".pdf":
			repCheckImage(t, filepath.Join(out, f))
		case ".csv":
			data, _ := os.ReadFile(filepath.Join(out, f))
			repGolden(t, "plot-"+strings.TrimSuffix(f, ".csv")+".csv", data)
		}
	}
}

func TestPlotBadInput(t *testing.T) {
	dir := t.TempDir()
	noTL := filepath.Join(dir, "no-timelines.json")
	if code, _, stderr := repRun(t, "run", repMini, "--format", "json", "--out", noTL); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{\n  \"scenario\": \"x\"\n  \"metrics\": {}\n}\n"), 0o644)
	withTL := filepath.Join(dir, "ok.json")
	if code, _, stderr := repRun(t, "run", repMini, "--format", "json", "--timelines", "--out", withTL); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	file := filepath.Join(dir, "a-file")
	os.WriteFile(file, nil, 0o644)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing file", []string{filepath.Join(dir, "nope.json")}, exitInput, "no such file"},
		{"bad JSON", []string{bad}, exitInput, "bad.json: line 3, column 3"},
		{"no timelines", []string{noTL}, exitInput, "--timelines"},
		{"two files", []string{bad, bad}, exitUsage, "expected one RESULT.json"},
		{"no rows", []string{withTL, "--rows", "0"}, exitUsage, "--rows 0"},
		{"unwritable", []string{withTL, "--out", filepath.Join(file, "x")}, exitInput, "not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := repFiles(t, dir)
			code, _, stderr := repRun(t, append([]string{"plot"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d with %q", code, stderr, tc.code, tc.msg)
			}
			if d := cmp.Diff(before, repFiles(t, dir)); d != "" {
				t.Errorf("files changed (-before +after):\n%s", d)
			}
		})
	}
}
