package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dnssecsim/dnssecsim/scenarios"
)

// TestCheck runs the check command on built-ins and on testdata scenarios
// and compares the exit status and the report.
func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		// want are substrings of standard output, in order.
		want []string
		// stderr is a substring of standard error ("" for none expected).
		stderr string
	}{
		{
			// A file whose expectations hold: one ok line, exit 0.
			name: "good file",
			args: []string{"testdata/check/good.yaml"},
			code: exitOK,
			want: []string{"ok   testdata/check/good.yaml  (3 expectations)", "1 scenarios: 1 ok, 0 failed, 0 unreadable"},
		},
		{
			// A deliberately wrong expectation: FAIL, the diff of what
			// missed with file:line, exit 4.
			name: "wrong expectation",
			args: []string{"testdata/check/wrong.yaml"},
			code: exitExpected,
			want: []string{
				"FAIL testdata/check/wrong.yaml  (2 of 3 expectations missed)",
				"  Bogus.cache_seconds: want > 0, got 0 (testdata/check/wrong.yaml:22)",
				"  Bogus.first_seconds: want == 0, got no value (no cache was in that state) (testdata/check/wrong.yaml:24)",
				"1 scenarios: 0 ok, 1 failed, 0 unreadable",
			},
		},
		{
			// A directory: its *.yaml files in name order; one failure
			// makes the exit status 4.
			name: "directory",
			args: []string{"testdata/check"},
			code: exitExpected,
			want: []string{"ok   testdata/check/good.yaml", "FAIL testdata/check/wrong.yaml", "2 scenarios: 1 ok, 1 failed"},
		},
		{
			// --verbose lists the expectations that hold too.
			name: "verbose",
			args: []string{"--verbose", "testdata/check/wrong.yaml"},
			code: exitExpected,
			want: []string{"  Bogus.cache_seconds: want > 0", "  ok: Insecure.caches: want == 20, got 20 (testdata/check/wrong.yaml:23)", "  Bogus.first_seconds: want == 0"},
		},
		{
			// A built-in by name.
			name: "built-in name",
			args: []string{"pattern-2"},
			code: exitOK,
			want: []string{"ok   pattern-2  (6 expectations)"},
		},
		{
			// An unreadable scenario is reported with its position; the
			// others still run; exit 1 wins over everything else.
			name: "unreadable file",
			args: []string{"testdata/check-broken", "testdata/check/wrong.yaml"},
			code: exitInput,
			want: []string{"ERR  testdata/check-broken/broken.yaml", "broken.yaml:4:18: parent.ds_ttl", "FAIL testdata/check/wrong.yaml", "0 ok, 1 failed, 1 unreadable"},
		},
		{
			// A path that does not exist.
			name: "missing file",
			args: []string{"testdata/check/none.yaml"},
			code: exitInput,
			want: []string{"ERR  testdata/check/none.yaml"},
		},
		{
			// A name that is neither a file nor a built-in.
			name: "unknown built-in",
			args: []string{"no-such-scenario"},
			code: exitInput,
			want: []string{"ERR  no-such-scenario", "no built-in scenario of that name"},
		},
		{
			// --jobs must be positive.
			name:   "bad jobs",
			args:   []string{"--jobs", "0"},
			code:   exitUsage,
			stderr: "--jobs 0: expected 1 or more",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"check"}, tc.args...), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			out := stdout.String()
			at := 0
			for _, w := range tc.want {
				i := strings.Index(out[at:], w)
				if i < 0 {
					t.Errorf("stdout lacks %q (in order)\nstdout:\n%s", w, out)
					break
				}
				at += i + len(w)
			}
			if tc.stderr != "" && !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr lacks %q\nstderr:\n%s", tc.stderr, stderr.String())
			}
		})
	}
}

// TestCheckBuiltins checks every built-in scenario: each must meet its own
// expect: block, and the report lists them in BuiltinNames order whatever
// the number of parallel jobs.
func TestCheckBuiltins(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates every built-in")
	}
	var outs []string
	for _, jobs := range []string{"1", "4"} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"check", "--jobs", jobs}, &stdout, &stderr)
		if code != exitOK {
			t.Fatalf("--jobs %s: exit %d\n%s%s", jobs, code, stdout.String(), stderr.String())
		}
		outs = append(outs, stdout.String())
	}
	if outs[0] != outs[1] {
		t.Errorf("output depends on --jobs:\n--jobs 1:\n%s\n--jobs 4:\n%s", outs[0], outs[1])
	}
	names := scenarios.BuiltinNames()
	lines := strings.Split(strings.TrimSpace(outs[0]), "\n")
	if len(lines) != len(names)+2 {
		t.Fatalf("%d lines for %d built-ins:\n%s", len(lines), len(names), outs[0])
	}
	for i, n := range names {
		if f := strings.Fields(lines[i]); len(f) < 2 || f[0] != "ok" || f[1] != n {
			t.Errorf("line %d = %q, want ok %s", i+1, lines[i], n)
		}
	}
	if want := fmt.Sprintf("%d scenarios: %d ok, 0 failed, 0 unreadable", len(names), len(names)); lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
	}
}
