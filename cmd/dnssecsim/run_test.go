package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// exitCase is one command line, its exit status and a part of its stderr.
type exitCase struct {
	name   string
	args   []string
	code   int
	stderr string
}

func checkExits(t *testing.T, tests []exitCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr %q does not mention %q", stderr, tc.stderr)
			}
		})
	}
}

// TestRunExitCodes covers run's statuses: 0 for a result, 1 for input that
// cannot be read, 2 for bad usage (an unknown --set path lists the valid
// ones).
func TestRunExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: x\nchild: example.test.\nbogus_field: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []exitCase{
		// A built-in by name.
		{"builtin", []string{"run", "pattern-2", "--caches", "20"}, 0, ""},
		// No such file and no such built-in.
		{"missing", []string{"run", "no-such-scenario"}, 1, "no built-in scenario"},
		// A file with an unknown field: file:line:col.
		{"unknown field", []string{"run", bad}, 1, bad + ":3:1:"},
		// An unknown --set path is usage, with the valid paths listed.
		{"unknown set path", []string{"run", "pattern-2", "--set", "parent.nope=1"}, 2, "parent.ds_ttl"},
		// A bad --set value.
		{"bad set value", []string{"run", "pattern-2", "--set", "parent.ds_ttl=-5s"}, 2, "parent.ds_ttl"},
		// --set without '='.
		{"set without value", []string{"run", "pattern-2", "--set", "parent.ds_ttl"}, 2, "key=value"},
		// No scenario.
		{"no argument", []string{"run"}, 2, "expected one SCENARIO"},
		// An unknown flag.
		{"unknown flag", []string{"run", "pattern-2", "--frobnicate"}, 2, "frobnicate"},
		// An unknown format.
		{"bad format", []string{"run", "pattern-2", "--format", "xml"}, 2, "text or json"},
		// A given cache: a fetch time past what the entry's TTL allows (the
		// Unbound DS entry lives 1d), names the field.
		{"fetch time past the TTL", []string{"run", "pattern-2", "--set", "resolvers.cache=unbound ds=-2d"}, 1,
			"resolvers.caches[0].ds: expected a fetch time after -1d (the ds entry of a unbound cache lives 1d), found -2d"},
		// A given cache with an unknown profile.
		{"cache of an unknown profile", []string{"run", "pattern-2", "--set", "resolvers.cache=nope ds=-1h"}, 1, `resolvers.caches[0].profile: expected a resolver profile`},
		// A positive fetch time is bad usage of --set.
		{"fetch time in the future", []string{"run", "pattern-2", "--set", "resolvers.cache=unbound ds=1h"}, 2, "resolvers.cache"},
		// --worst-case needs a validating profile.
		{"worst case without validation", []string{"run", "pattern-2", "--set", "resolvers.profile=non-validating", "--worst-case"}, 1,
			"the worst-case analysis needs a validating resolver profile, found only non-validating"},
		// A witness replays: the cache the analysis gives for pattern-2.
		{"witness replay", []string{"run", "pattern-2", "--set", "resolvers.cache=unbound ds=-1s key=-2s answer=-3s"}, 0, ""},
	}
	checkExits(t, tests)
}

// TestRunJSON checks the result's JSON shape: every state has a metric,
// never-entered states have null first/last, steps carry their times, and
// --timelines adds one timeline per cache.
func TestRunJSON(t *testing.T) {
	code, out, stderr := runCLI("run", "pattern-2", "--caches", "30", "--format", "json", "--timelines")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r struct {
		Scenario string                     `json:"scenario"`
		Params   map[string]any             `json:"params"`
		Steps    []map[string]any           `json:"steps"`
		Metrics  map[string]map[string]*any `json:"metrics"`
		Timeline []struct {
			Cache     int              `json:"cache"`
			Profile   string           `json:"profile"`
			Intervals []map[string]any `json:"intervals"`
		} `json:"timelines"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Scenario != "pattern-2" || r.Params["parent.ds_ttl"] != 86400.0 {
		t.Errorf("scenario %q, parent.ds_ttl %v", r.Scenario, r.Params["parent.ds_ttl"])
	}
	for _, st := range []string{"Secure", "Insecure", "Bogus", "Indeterminate", "Lame"} {
		m, ok := r.Metrics[st]
		if !ok {
			t.Errorf("no metric for %s", st)
			continue
		}
		for _, k := range []string{"cache_seconds", "max_seconds", "caches", "first_seconds", "last_seconds"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s has no %s", st, k)
			}
		}
	}
	if r.Metrics["Lame"]["first_seconds"] != nil {
		t.Errorf("Lame first_seconds %v, want null", *r.Metrics["Lame"]["first_seconds"])
	}
	if len(r.Steps) != 5 || r.Steps[2]["name"] != "switch-ns" || r.Steps[2]["at_seconds"] != 86400.0 {
		t.Errorf("steps %v", r.Steps)
	}
	if len(r.Timeline) != 30 || len(r.Timeline[0].Intervals) == 0 {
		t.Errorf("%d timelines", len(r.Timeline))
	}
}

// TestRunOutputs: --out and --trace write whole files, and two runs with
// the same seed write identical bytes.
func TestRunOutputs(t *testing.T) {
	dir := t.TempDir()
	var outs, traces [2][]byte
	for i := range outs {
		out, trace := filepath.Join(dir, "out.json"), filepath.Join(dir, "trace.txt")
		code, stdout, stderr := runCLI("run", "pattern-2", "--caches", "50", "--seed", "7", "--format", "json",
			"--out", out, "--trace", trace)
		if code != 0 || stdout != "" {
			t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, stderr)
		}
		var err error
		if outs[i], err = os.ReadFile(out); err != nil {
			t.Fatal(err)
		}
		if traces[i], err = os.ReadFile(trace); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0], outs[1]) || !bytes.Equal(traces[0], traces[1]) {
		t.Error("two runs with the same seed differ")
	}
	if !bytes.Contains(traces[0], []byte("registry: DS removed (losing)")) {
		t.Errorf("trace lacks the DS removal:\n%.300s", traces[0])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left in the output directory: %v", entries)
	}
	// An output into a missing directory fails without leaving anything.
	code, _, _ := runCLI("run", "pattern-2", "--caches", "5", "--out", filepath.Join(dir, "no", "out.json"))
	if code != 1 {
		t.Errorf("exit %d writing into a missing directory, want 1", code)
	}
}

// TestValidateExitCodes covers validate's bad input: each is one line naming
// the file and position where there is one, exit 1; usage errors exit 2.
func TestValidateExitCodes(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	bad := filepath.Join(dir, "bad")
	for _, d := range []string{empty, bad} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bad, "x.zone"), []byte("example. 3600 IN SOA a. b. 1 2 3 4 5\nwww.example. IN A notanip\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	anchorA := filepath.Join(dir, "anchor.txt")
	if err := os.WriteFile(anchorA, []byte(". 3600 IN A 192.0.2.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(oracleDir, "secure-alg13-csk")
	tests := []exitCase{
		{"empty directory", []string{"validate", "--zones", empty, "www.example.test"}, 1, "no *.zone files"},
		{"malformed zone", []string{"validate", "--zones", bad, "www.example"}, 1, "x.zone:2:"},
		{"anchor of another type", []string{"validate", "--zones", good, "--anchor", anchorA, "www.example.test"}, 1, "anchor.txt:1:1: expected a DS or DNSKEY record"},
		{"unknown qtype", []string{"validate", "--zones", good, "www.example.test", "BLAH"}, 1, "unknown query type"},
		{"bad time", []string{"validate", "--zones", good, "--at", "yesterday", "www.example.test"}, 1, "cannot parse time"},
		{"no zone data", []string{"validate", "www.example.test"}, 2, "--zones"},
		{"too many arguments", []string{"validate", "--zones", good, "a", "A", "extra"}, 2, "QNAME [QTYPE]"},
		{"meta type", []string{"validate", "--zones", good, "--anchor", filepath.Join(good, "anchor.ds"), "--at", "2026-11-24T00:00:00Z", "www.example.test", "ANY"}, 1, "cannot validate"},
	}
	checkExits(t, tests)
}

// TestVersionAndHelp: --version and every command's --help exit 0.
func TestVersionAndHelp(t *testing.T) {
	if code, out, _ := runCLI("--version"); code != 0 || !strings.HasPrefix(out, "dnssecsim ") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	for _, c := range commands() {
		code, out, stderr := runCLI(c.name, "--help")
		if code != 0 || !strings.Contains(out, "Usage: dnssecsim "+c.name) {
			t.Errorf("%s --help: exit %d, stdout %.80q, stderr %q", c.name, code, out, stderr)
		}
	}
}

// TestRunWorstCaseJSON checks --worst-case: per profile of the population,
// the verdict, the longest stretch and a witness that replays, and a line
// per profile in the text output. pattern-2 as built in is the case a
// sample of 1,000 caches misses: Unbound can be Bogus for a minute.
func TestRunWorstCaseJSON(t *testing.T) {
	code, out, stderr := runCLI("run", "pattern-2", "--caches", "30", "--format", "json", "--worst-case")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r struct {
		Metrics   map[string]struct{ Caches int } `json:"metrics"`
		WorstCase map[string]struct {
			Bogus           bool    `json:"bogus"`
			Lame            bool    `json:"lame"`
			MaxBogusSeconds float64 `json:"max_bogus_seconds"`
			MaxLameSeconds  float64 `json:"max_lame_seconds"`
			Complete        bool    `json:"complete"`
			Witness         *struct {
				Profile        string             `json:"profile"`
				State          string             `json:"state"`
				FetchedSeconds map[string]float64 `json:"fetched_seconds"`
				Cache          string             `json:"cache"`
				Cause          string             `json:"cause"`
			} `json:"witness"`
		} `json:"worst_case"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.WorstCase) != 2 {
		t.Fatalf("worst case for %d profiles, want unbound and bind", len(r.WorstCase))
	}
	u, b := r.WorstCase["unbound"], r.WorstCase["bind"]
	if !u.Bogus || u.MaxBogusSeconds != 60 || !u.Complete || u.Witness == nil || u.Witness.State != "Bogus" || len(u.Witness.FetchedSeconds) != 4 {
		t.Errorf("unbound: %+v", u)
	}
	if b.Bogus || b.Lame || !b.Complete || b.Witness != nil {
		t.Errorf("bind: %+v", b)
	}
	// The witness replays as a one-cache run with the same Bogus minute.
	code, out, stderr = runCLI("run", "pattern-2", "--format", "json", "--set", "resolvers.cache="+u.Witness.Cache)
	if code != 0 {
		t.Fatalf("replay: exit %d: %s", code, stderr)
	}
	var rep struct {
		Metrics map[string]struct {
			Caches     int     `json:"caches"`
			MaxSeconds float64 `json:"max_seconds"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if m := rep.Metrics["Bogus"]; m.Caches != 1 || m.MaxSeconds != 60 {
		t.Errorf("replay of %s: Bogus %+v, want 1 cache for 60 s", u.Witness.Cache, m)
	}
	code, out, _ = runCLI("run", "pattern-2", "--caches", "30", "--worst-case")
	for _, w := range []string{"sampled population of 30 caches", "bind               never Bogus; never Lame", "unbound            Bogus possible, up to 1m",
		"replay: dnssecsim run pattern-2 --set 'resolvers.cache=unbound"} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("text output lacks %q:\n%s", w, out)
		}
	}
}
