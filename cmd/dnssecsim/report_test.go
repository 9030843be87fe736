package main

import (
	"bytes"
	"context"
	"html"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReport writes a report of the mini scenario, checks its files and
// the data behind its summary (golden), then writes it again over itself.
func TestReport(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "report")
	code, stdout, stderr := repRun(t, "report", "--out", out, repMini)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !regexp.MustCompile(`^wrote .*index.html: 1 scenarios, \d+ runs, \d+ files, in \d+\.\ds\n$`).MatchString(stdout) {
		t.Errorf("stdout %q: want the summary line with the elapsed time", stdout)
	}
	files := repFiles(t, out)
	for _, want := range []string{
		".dnssecsim-report", "index.html", "summary.csv", "summary.json",
		"scenarios/pattern-2-mini/result.json", "scenarios/pattern-2-mini/timeline.csv", "scenarios/pattern-2-mini/timeline.png",
		"scenarios/pattern-2-mini/share.svg", "scenarios/pattern-2-mini/share.pdf",
		"sweeps/parent-ds_ttl.csv", "sweeps/exposure-parent-ds_ttl.png", "sweeps/parent-ns_ttl.json", "sweeps/exposure-parent-ns_ttl.pdf",
		"comparison/comparison.csv", "comparison/comparison.png", "comparison/comparison.svg",
	} {
		if !slices.Contains(files, want) {
			t.Errorf("the report lacks %s", want)
		}
	}
	for _, f := range files {
		switch filepath.Ext(f) {
		case ".png", ".svg", ".pdf":
			repCheckImage(t, filepath.Join(out, f))
		}
	}
	sum, _ := os.ReadFile(filepath.Join(out, "summary.csv"))
	repGolden(t, "report-summary.csv", sum)
	page, _ := os.ReadFile(filepath.Join(out, "index.html"))
	if n := bytes.Count(page, []byte("<svg ")); n != 5 {
		t.Errorf("index.html has %d inline figures, want 5 (timeline, share, two sweeps, comparison)", n)
	}

	// Again, over the first: the new report replaces it and nothing else
	// is left beside it.
	os.WriteFile(filepath.Join(out, "stale.txt"), []byte("from an older report"), 0o644)
	if code, _, stderr := repRun(t, "report", "--out", out, "--no-sweeps", "--no-comparison", "--no-worst-case", repMini); code != exitOK {
		t.Fatalf("second report: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "stale.txt")); err == nil {
		t.Error("the second report kept a file of the first")
	}
	if _, err := os.Stat(filepath.Join(out, "sweeps")); err == nil {
		t.Error("the second report (--no-sweeps) kept the first's sweeps")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("beside the report: %v, want only report", names)
	}
}

func TestReportBadInput(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	precious := filepath.Join(base, "precious")
	os.MkdirAll(precious, 0o755)
	os.WriteFile(filepath.Join(precious, "notes.txt"), []byte("keep me"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"not a report", []string{"--out", precious, repMini}, exitInput, "is not a dnssecsim report"},
		{"a file", []string{"--out", file, repMini}, exitInput, "exists and is not a directory"},
		{"unwritable", []string{"--out", filepath.Join(file, "sub", "report"), repMini}, exitInput, "is not a directory"},
		{"unknown scenario", []string{"--out", filepath.Join(base, "r"), "no-such-scenario"}, exitInput, "no such file, and no built-in scenario"},
		{"twice", []string{"--out", filepath.Join(base, "r"), repMini, repMini}, exitUsage, "given twice"},
		{"negative caches", []string{"--out", filepath.Join(base, "r"), "--caches", "-1", repMini}, exitUsage, "--caches -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := repFiles(t, base)
			code, _, stderr := repRun(t, append([]string{"report"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d with %q", code, stderr, tc.code, tc.msg)
			}
			if d := cmp.Diff(before, repFiles(t, base)); d != "" {
				t.Errorf("files changed (-before +after):\n%s", d)
			}
			if entries, _ := os.ReadDir(base); len(entries) != 2 {
				t.Errorf("%d entries in %s, want 2 (nothing left behind)", len(entries), base)
			}
		})
	}
}

// chromiumPath finds a headless-capable Chromium, or "".
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// chromium runs a headless Chromium on url with extra arguments, without
// network access or a profile, and returns its standard output.
func chromium(t *testing.T, bin, url string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), url)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, errb.String())
	}
	return out.Bytes()
}

// TestReportInChromium renders a report in headless Chromium: the page
// loads, every figure is in the document with its drawing, and a
// screenshot shows the figures' colours.
func TestReportInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a report in a browser")
	}
	bin := chromiumPath()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not installed: .ci/run must install the Debian package chromium")
		}
		t.Skip("chromium not installed (Debian package chromium)")
	}
	out := filepath.Join(t.TempDir(), "report")
	code, _, stderr := repRun(t, "report", "--out", out, "--sweep-caches", "100", "--compare-caches", "100", "pattern-2", repMini)
	if code != exitOK {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	index, err := filepath.Abs(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	url := "file://" + index

	dom := string(chromium(t, bin, url, "--dump-dom"))
	if !strings.Contains(dom, "<title>dnssecsim report</title>") {
		t.Fatalf("the page did not load: %.300s", dom)
	}
	// 2 scenarios × (timeline, share) + 2 sweeps + the comparison.
	svgs := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(dom, -1)
	if len(svgs) != 7 {
		t.Errorf("%d figures in the document, want 7", len(svgs))
	}
	for i, s := range svgs {
		if strings.Count(s, "<path") < 20 || strings.Count(s, "<text") < 10 {
			t.Errorf("figure %d has %d paths and %d texts: not drawn", i, strings.Count(s, "<path"), strings.Count(s, "<text"))
		}
	}
	for _, id := range []string{`id="summary"`, `id="sc-pattern-2"`, `id="sc-pattern-2-mini"`, `id="sweep-parent-ds_ttl"`, `id="sweep-parent-ns_ttl"`, `id="comparison"`} {
		if !strings.Contains(dom, id) {
			t.Errorf("the page lacks the section %s", id)
		}
	}
	if strings.Contains(dom, "Some runs failed") {
		t.Error("the report lists failed runs")
	}

	// A screenshot tall enough for the summary and the first figures:
	// the Secure green and the Insecure yellow of the plots must show.
	shot := filepath.Join(t.TempDir(), "shot.png")
	chromium(t, bin, url, "--window-size=1200,3600", "--screenshot="+shot, "--hide-scrollbars")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	near := func(r, g, b uint32, want [3]uint32) bool {
		d := func(a, b uint32) uint32 {
			if a > b {
				return a - b
			}
			return b - a
		}
		return d(r>>8, want[0])+d(g>>8, want[1])+d(b>>8, want[2]) < 30
	}
	var secure, insecure int
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y += 2 {
		for x := bd.Min.X; x < bd.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, g, b, [3]uint32{0x00, 0x91, 0x6F}) {
				secure++
			}
			if near(r, g, b, [3]uint32{0xFD, 0xE7, 0x25}) {
				insecure++
			}
		}
	}
	if secure < 1000 || insecure < 1000 {
		t.Errorf("the screenshot shows %d Secure and %d Insecure sample pixels: the figures did not render", secure, insecure)
	}
}

// BenchmarkReport times the default report: every built-in scenario, the
// standard sweeps and the comparison (the target is 60 s wall on two cores;
// the report command also prints its own elapsed time).
func BenchmarkReport(b *testing.B) {
	for b.Loop() {
		out := filepath.Join(b.TempDir(), "report")
		var errb bytes.Buffer
		if code := run(context.Background(), []string{"report", "--out", out}, io.Discard, &errb); code != exitOK {
			b.Fatalf("report: exit %d: %s", code, errb.String())
		}
	}
}

// TestReportWorstCase checks the worst case in the report: the summary's
// verdict and columns, and each scenario's table with the witness's
// replay command. pattern-2 as built in is Bogus for a minute on Unbound
// in the worst case, which its sample does not show; pattern-3 is proven
// safe, unless the search budget is too small to prove it.
func TestReportWorstCase(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		verdict string
		cells   map[string]string // summary.csv columns
		page    []string          // in index.html, unescaped
	}{
		{"Bogus possible", []string{"pattern-2"}, "Bogus possible",
			map[string]string{"bogus_caches": "0", "worst_bogus": "true", "worst_complete": "true",
				"worst_bogus[unbound]": "true", "worst_max_bogus_seconds[unbound]": "60", "worst_bogus[bind]": "false", "worst_lame[bind]": "false"},
			[]string{"Bogus possible for unbound (1m); never for bind", "never Lame (proven)",
				"Bogus possible, up to 1m; never Lame", "answer signed by a key not in the DNSKEY set",
				"replay: <code>dnssecsim run pattern-2 --set 'resolvers.cache=unbound ds=-1s key=-2s answer=-3s'</code>"}},
		{"proven", []string{"pattern-3"}, "no failure",
			map[string]string{"worst_bogus": "false", "worst_lame": "false", "worst_complete": "true", "worst_max_bogus_seconds": "0"},
			[]string{"never Bogus (proven for every validating profile: bind, unbound)", "never Bogus; never Lame"}},
		{"budget too small", []string{"--worst-paths", "10", "pattern-3"}, "not proven",
			map[string]string{"worst_bogus": "unproven", "worst_lame": "unproven", "worst_complete": "false"},
			[]string{"Bogus not ruled out for bind, unbound (the search stopped at its budget)", "NOT PROVEN", "search budget 10 cells per profile"}},
		{"not analysed", []string{"--no-worst-case", "pattern-2"}, "not analysed",
			map[string]string{"worst_bogus": ""},
			[]string{"Worst case: not analysed (--no-worst-case)", "Worst case not analysed, so nothing here is proven"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report")
			args := append([]string{"report", "--out", out, "--no-sweeps", "--no-comparison", "--caches", "100"}, tc.args...)
			if code, _, stderr := repRun(t, args...); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			rows := readCSV(t, filepath.Join(out, "summary.csv"))
			row := map[string]string{}
			for k, h := range rows[0] {
				row[h] = rows[1][k]
			}
			if row["verdict"] != tc.verdict {
				t.Errorf("verdict %q, want %q", row["verdict"], tc.verdict)
			}
			for col, want := range tc.cells {
				if got, ok := row[col]; got != want || (!ok && want != "") {
					t.Errorf("%s = %q, want %q", col, got, want)
				}
			}
			// Never "never Bogus" or "no Bogus" from the sample.
			if m := row["meaning"]; row["worst_bogus"] != "false" && regexp.MustCompile(`(?i)never Bogus|no Bogus`).MatchString(m) {
				t.Errorf("the meaning says never/no Bogus without a proof: %s", m)
			}
			if !strings.Contains(row["meaning"], "sampled population of 100 caches") {
				t.Errorf("the meaning does not label the sample: %s", row["meaning"])
			}
			data, _ := os.ReadFile(filepath.Join(out, "index.html"))
			page := html.UnescapeString(string(data))
			for _, want := range tc.page {
				if !strings.Contains(page, want) {
					t.Errorf("index.html lacks %q", want)
				}
			}
		})
	}
}
