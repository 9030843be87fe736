package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// planJSONOut is the part of plan's JSON the tests read.
type planJSONOut struct {
	Case      int      `json:"case"`
	Pattern   *int     `json:"pattern"`
	StatePath []string `json:"state_path"`
	Start     string   `json:"start"`
	Steps     []struct {
		Name        string   `json:"name"`
		Actor       string   `json:"actor"`
		At          string   `json:"at"`
		WaitSeconds float64  `json:"wait_seconds"`
		Reason      string   `json:"reason"`
		Actions     []string `json:"actions"`
	} `json:"steps"`
	Verify []struct {
		Profile     string `json:"profile"`
		BogusCaches int    `json:"bogus_caches"`
	} `json:"verify"`
	Safe      *bool `json:"safe"`
	WorstCase map[string]struct {
		Bogus    bool `json:"bogus"`
		Complete bool `json:"complete"`
	} `json:"worst_case"`
	MethodOne map[string]struct {
		Bogus    bool `json:"bogus"`
		Complete bool `json:"complete"`
	} `json:"worst_case_method_1"`
	Minimize *struct {
		Profiles []string `json:"profiles"`
		Steps    []struct {
			Name     string  `json:"name"`
			Plan     float64 `json:"plan_wait_seconds"`
			Shortest float64 `json:"shortest_wait_seconds"`
		} `json:"steps"`
	} `json:"minimize"`
}

func runPlanJSON(t *testing.T, args ...string) planJSONOut {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append([]string{"plan", "--format", "json"}, args...)
	if code := run(context.Background(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
	}
	var out planJSONOut
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, stdout.String())
	}
	return out
}

// situationArgs writes a case-table row as flags; "-" leaves a flag out.
func situationArgs(row string) []string {
	flags := []string{"--registrar-change", "--ns-change", "--dnssec-before", "--dnssec-after", "--key-exchange"}
	var args []string
	for i, a := range strings.Fields(row) {
		if a != "-" {
			args = append(args, flags[i], a)
		}
	}
	return args
}

// TestPlanCaseTable reproduces the fifteen rows of the guideline's case
// table through the command: case, pattern and state path.
func TestPlanCaseTable(t *testing.T) {
	tests := []struct {
		comment string
		row     string // registrar-change ns-change dnssec-before dnssec-after key-exchange
		cas     int
		pattern int // -1: null
		path    []string
	}{
		{"1: transfer with key exchange, method (1)", "yes yes yes yes yes", 1, 1, []string{"Secure"}},
		{"2: transfer without key exchange, method (2)", "yes yes yes yes no", 2, 2, []string{"Secure", "Insecure", "Secure"}},
		{"3: transfer dropping DNSSEC", "yes yes yes no -", 3, 4, []string{"Secure", "Insecure"}},
		{"4: transfer starting DNSSEC", "yes yes no yes -", 4, 3, []string{"Insecure", "Secure"}},
		{"5: ordinary transfer", "yes yes no no -", 5, 0, []string{"Insecure"}},
		{"6: registrar change only, signed", "yes no yes yes -", 6, 5, []string{"Secure"}},
		{"7: registrar change to one that does not relay DS", "yes no yes no -", 7, 4, []string{"Secure", "Insecure"}},
		{"8: registrar change to one that relays DS", "yes no no yes -", 8, 3, []string{"Insecure", "Secure"}},
		{"9: registrar change only, unsigned", "yes no no no -", 9, 0, []string{"Insecure"}},
		{"10: operator change with key exchange", "no yes yes yes yes", 10, 1, []string{"Secure"}},
		{"11: operator change without key exchange", "no yes yes yes no", 11, 2, []string{"Secure", "Insecure", "Secure"}},
		{"12: operator change dropping DNSSEC", "no yes yes no -", 12, 4, []string{"Secure", "Insecure"}},
		{"13: operator change starting DNSSEC", "no yes no yes -", 13, 3, []string{"Insecure", "Secure"}},
		{"14: ordinary operator change", "no yes no no -", 14, 0, []string{"Insecure"}},
		{"15: nothing moves", "no no - - -", 15, -1, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.comment, func(t *testing.T) {
			out := runPlanJSON(t, append(situationArgs(tc.row), "--start", "2026-12-01T00:00:00Z")...)
			if out.Case != tc.cas {
				t.Errorf("case %d, want %d", out.Case, tc.cas)
			}
			switch {
			case tc.pattern < 0 && out.Pattern != nil:
				t.Errorf("pattern %d, want null", *out.Pattern)
			case tc.pattern >= 0 && (out.Pattern == nil || *out.Pattern != tc.pattern):
				t.Errorf("pattern %v, want %d", out.Pattern, tc.pattern)
			}
			if diff := cmp.Diff(tc.path, out.StatePath); diff != "" {
				t.Errorf("state path (-want +got):\n%s", diff)
			}
			if tc.cas != 15 && (len(out.Steps) == 0 || out.Steps[0].At != "2026-12-01T00:00:00Z") {
				t.Errorf("steps %+v, want a first step at the start", out.Steps)
			}
		})
	}
}

// TestPlanSchedule checks the dated schedule of case 2: times from --start,
// waits from the TTLs (changed by --set), and the reasons.
func TestPlanSchedule(t *testing.T) {
	row := situationArgs("yes yes yes yes no")
	type step struct {
		Name, Actor, At string
		Wait            float64
	}
	tests := []struct {
		comment string
		args    []string
		want    []step
		reasons map[string]string // step name -> substring of its reason
	}{
		{
			// The built-in's .com-like TTLs: DS 1d, NS 2d, negative 1h.
			comment: "default TTLs",
			args:    []string{"--start", "2026-12-01T00:00:00Z"},
			want: []step{
				{"transfer", "registry", "2026-12-01T00:00:00Z", 0},
				{"remove-old-ds", "gaining registrar", "2026-12-01T00:00:00Z", 0},
				{"switch-ns", "gaining registrar", "2026-12-02T01:00:00Z", 90000},
				{"add-new-ds", "gaining registrar", "2026-12-04T01:00:00Z", 172800},
				{"all-secure", "-", "2026-12-04T03:00:00Z", 7200},
			},
			reasons: map[string]string{
				"switch-ns":  "wait parent DS TTL + losing DNSKEY TTL 25h",
				"add-new-ds": "wait old NS TTL 2d",
				"all-secure": "wait parent negative TTL 1h + gaining data TTL 1h",
			},
		},
		{
			// --set moves the waits: key caches wait the DS TTL plus the
			// DNSKEY TTL; child-centric caches the losing apex NS TTL plus
			// an answer TTL.
			comment: "TTLs set",
			args:    []string{"--start", "20261201120000", "--set", "parent.ds_ttl=2h", "--set", "losing.dnskey_ttl=6h", "--set", "parent.ns_ttl=1d"},
			want: []step{
				{"transfer", "registry", "2026-12-01T12:00:00Z", 0},
				{"remove-old-ds", "gaining registrar", "2026-12-01T12:00:00Z", 0},
				{"switch-ns", "gaining registrar", "2026-12-01T20:00:00Z", 28800},
				{"add-new-ds", "gaining registrar", "2026-12-02T21:00:00Z", 90000},
				{"all-secure", "-", "2026-12-02T23:00:00Z", 7200},
			},
			reasons: map[string]string{"switch-ns": "wait parent DS TTL + losing DNSKEY TTL 8h", "add-new-ds": "wait losing apex NS TTL + losing data TTL 25h"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.comment, func(t *testing.T) {
			out := runPlanJSON(t, append(row, tc.args...)...)
			var got []step
			for _, st := range out.Steps {
				got = append(got, step{st.Name, st.Actor, st.At, st.WaitSeconds})
				if w, ok := tc.reasons[st.Name]; ok && !strings.Contains(st.Reason, w) {
					t.Errorf("%s: reason %q lacks %q", st.Name, st.Reason, w)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPlanDefaultStart checks that without --start the plan starts at the
// command's clock.
func TestPlanDefaultStart(t *testing.T) {
	defer func(f func() time.Time) { planNow = f }(planNow)
	planNow = func() time.Time { return time.Date(2027, 3, 4, 5, 6, 7, 8, time.FixedZone("JST", 9*3600)) }
	out := runPlanJSON(t, situationArgs("yes yes no yes -")...)
	if out.Start != "2027-03-03T20:06:07Z" || out.Steps[0].At != out.Start {
		t.Errorf("start %s, first step at %s; want 2027-03-03T20:06:07Z", out.Start, out.Steps[0].At)
	}
}

// TestPlanVerifyMinimize runs --verify and --minimize on case 2.
func TestPlanVerifyMinimize(t *testing.T) {
	out := runPlanJSON(t, append(situationArgs("yes yes yes yes no"), "--start", "2026-12-01T00:00:00Z", "--verify", "--minimize", "--caches", "50")...)
	if len(out.Verify) != 8 {
		t.Errorf("verify has %d profiles, want every validating profile", len(out.Verify))
	}
	for _, v := range out.Verify {
		if v.BogusCaches != 0 {
			t.Errorf("verify: %s has %d Bogus caches", v.Profile, v.BogusCaches)
		}
	}
	if out.Safe == nil || !*out.Safe || len(out.WorstCase) != 8 {
		t.Errorf("safe %v, worst case for %d profiles: want proven safe for all 8", out.Safe, len(out.WorstCase))
	}
	if out.Minimize == nil || len(out.Minimize.Profiles) != 8 || len(out.Minimize.Steps) != len(out.Steps) {
		t.Fatalf("minimize = %+v", out.Minimize)
	}
	for _, st := range out.Minimize.Steps {
		if st.Shortest > st.Plan {
			t.Errorf("%s: shortest %gs > plan %gs", st.Name, st.Shortest, st.Plan)
		}
	}
	// The text form names every profile and the comparison table.
	var stdout, stderr bytes.Buffer
	args := append([]string{"plan"}, append(situationArgs("yes yes yes yes no"), "--start", "2026-12-01T00:00:00Z", "--verify", "--minimize", "--caches", "50")...)
	if code := run(context.Background(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, w := range []string{"case 2: pattern 2", "state path: Secure → Insecure → Secure", "2026-12-02 01:00:00Z  +1d 1h    switch-ns",
		"verify:", "unbound", "SAFE: this schedule is proven free of Bogus and Lame", "shortest Bogus-free", "switch-ns       1d (old DS TTL)"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("text output lacks %q:\n%s", w, stdout.String())
		}
	}
}

// TestPlanBadInput checks that contradictions and bad flags are explained
// and exit 2.
func TestPlanBadInput(t *testing.T) {
	tests := []struct {
		comment string
		args    []string
		want    string
	}{
		{"a key exchange with a losing side that does not sign",
			situationArgs("yes yes no yes yes"), "--key-exchange yes contradicts --dnssec-before no: a key exchange needs keys on both sides, and the losing side does not sign"},
		{"a key exchange without a second operator",
			situationArgs("yes no yes yes yes"), "--key-exchange yes contradicts --ns-change no"},
		{"the key exchange question unanswered where it decides",
			situationArgs("yes yes yes yes -"), "--key-exchange is needed"},
		{"a DNSSEC question unanswered",
			situationArgs("yes yes yes - -"), "--dnssec-after is needed"},
		{"an answer that is not yes or no",
			[]string{"--registrar-change", "maybe", "--ns-change", "yes"}, `--registrar-change: expected yes or no, found "maybe"`},
		{"an unknown --set path",
			append(situationArgs("yes yes yes yes no"), "--set", "parent.nope=1h"), "--set parent.nope: unknown path"},
		{"an unknown resolver profile",
			append(situationArgs("yes yes yes yes no"), "--set", "resolvers.profile=nope"), `found "nope"`},
		{"a bad start time",
			append(situationArgs("yes yes yes yes no"), "--start", "tomorrow"), "--start: cannot parse time"},
		{"nothing to simulate in case 15",
			append(situationArgs("no no - - -"), "--verify"), "case 15 has no schedule to simulate"},
		{"a positional argument",
			append(situationArgs("yes yes yes yes no"), "pattern-2"), `unexpected argument "pattern-2"`},
	}
	for _, tc := range tests {
		t.Run(tc.comment, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"plan"}, tc.args...), &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr.String())
			}
		})
	}
}

// TestPlanProvenSafe: for TTLs where a sampled verification used to find
// Bogus with the old waits, the planner's schedule is either proven safe
// for every validating profile, or plan exits 5 naming the profiles it
// could not prove and offering method (1), proven safe for the same TTLs.
func TestPlanProvenSafe(t *testing.T) {
	tests := []struct {
		comment string
		sets    []string
		proven  bool
	}{
		// Short DS TTL, long DNSKEY TTL: a sample found 385 powerdns and
		// 212 child-centric caches Bogus with the old waits. Now no
		// profile can fail, but four searches stop at their budget.
		{"DS 2h, DNSKEY 2d, NS 1d, negative 15m",
			[]string{"--set", "parent.ns_ttl=1d", "--set", "parent.ds_ttl=2h", "--set", "parent.negative_ttl=15m", "--set", "losing.dnskey_ttl=2d"}, false},
		// A DNSKEY TTL shorter than the DS TTL: the old max(DS, DNSKEY)
		// wait left 70 Unbound caches Bogus.
		{"DNSKEY 16h", []string{"--set", "losing.dnskey_ttl=16h"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.comment, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"plan", "--format", "json"}, append(situationArgs("yes yes yes yes no"), append([]string{"--start", "2026-12-01T00:00:00Z"}, tc.sets...)...)...)
			code := run(context.Background(), args, &stdout, &stderr)
			var out planJSONOut
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("exit %d, bad JSON: %v\n%s%s", code, err, stdout.String(), stderr.String())
			}
			if len(out.WorstCase) != 8 {
				t.Errorf("worst case of %d profiles, want every validating one (8)", len(out.WorstCase))
			}
			for name, w := range out.WorstCase {
				if w.Bogus {
					t.Errorf("%s: Bogus with the planner's waits", name)
				}
			}
			if tc.proven {
				if code != exitOK || out.Safe == nil || !*out.Safe {
					t.Fatalf("exit %d, safe %v: want proven safe", code, out.Safe)
				}
				return
			}
			if code != exitUnsafe || out.Safe == nil || *out.Safe {
				t.Fatalf("exit %d, safe %v: want exit %d, not proven", code, out.Safe, exitUnsafe)
			}
			if len(out.MethodOne) != 8 {
				t.Fatalf("method (1) checked for %d profiles, want 8", len(out.MethodOne))
			}
			for name, w := range out.MethodOne {
				if w.Bogus || !w.Complete {
					t.Errorf("method (1), %s: not proven safe: %+v", name, w)
				}
			}
		})
	}
}

// TestPlanUnsafeExits5: a schedule that cannot be safe (the losing side
// deletes its keys at the transfer) is reported with the failing profile
// and a witness, and exits 5.
func TestPlanUnsafeExits5(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := append([]string{"plan"}, append(situationArgs("yes yes yes yes no"), "--start", "2026-12-01T00:00:00Z",
		"--set", "losing.behaviour=hasty", "--profiles", "powerdns")...)
	if code := run(context.Background(), args, &stdout, &stderr); code != exitUnsafe {
		t.Fatalf("exit %d, want %d: %s\n%s", code, exitUnsafe, stderr.String(), stdout.String())
	}
	for _, w := range []string{"NOT SAFE for powerdns (Bogus possible)", "powerdns: a cache with powerdns", "Waiting longer does not help powerdns", "Method (1) with a key exchange (case 1)"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, stdout.String())
		}
	}
}
