package scenarios

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dnssecsim/dnssecsim/internal/duration"
)

// cmpScenario compares scenarios by their exported fields, and expressions
// by their canonical text.
var cmpScenario = cmp.Options{
	cmpopts.IgnoreUnexported(Scenario{}),
	cmp.Comparer(func(a, b *Expr) bool { return a.String() == b.String() }),
}

func mustExpr(t *testing.T, src string) *Expr {
	t.Helper()
	e, err := ParseExpr(src)
	if err != nil {
		t.Fatalf("ParseExpr(%q): %v", src, err)
	}
	return e
}

// TestLoadFull reads a file that sets every field and compares the whole
// result.
func TestLoadFull(t *testing.T) {
	path := filepath.Join("testdata", "full.yaml")
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	h := time.Hour
	day := 24 * h
	want := &Scenario{
		Name:        "pattern-2",
		Description: "DNSSEC to DNSSEC by going insecure: remove the old DS, switch NS, add the new DS.",
		Seed:        1,
		Child:       "example.test.",
		Parent:      Parent{Zone: "test.", NSTTL: 2 * day, DSTTL: day, NegativeTTL: h, Denial: "nsec", Algorithm: 13},
		Losing: Operator{
			Name: "losing", Signed: true, Algorithm: 13, NSTTL: 2 * day, DNSKEYTTL: h, DataTTL: h,
			Nameservers: []string{"ns1.losing.example.", "ns2.losing.example."},
			Behaviour:   "passive", DeleteAfter: 30 * day, HastyAction: "delete-dnskeys",
		},
		Gaining: Operator{
			Name: "gaining", Signed: true, Algorithm: 13, NSTTL: day, DNSKEYTTL: h, DataTTL: h,
			Nameservers: []string{"ns1.gaining.example.", "ns2.gaining.example."},
			Behaviour:   "cooperative",
		},
		Resolvers: Resolvers{
			Count:    1000,
			Profiles: []ProfileWeight{{"bind", 1}, {"unbound", 1}},
			CacheAge: "even",
			Query:    "continuous",
		},
		TransferStep: "transfer",
		Procedure: []Step{
			{Name: "transfer", Note: "registry moves authority to the gaining registrar (steps 1-5)"},
			{Name: "remove-old-ds", After: "transfer", Wait: mustExpr(t, "0s"),
				Actions: []Action{{"registry", "remove-ds", "losing"}}},
			{Name: "switch-ns", At: day + h, After: "remove-old-ds", Wait: mustExpr(t, "parent.ds_ttl + 1h"),
				Actions: []Action{{"registry", "remove-ns", "losing"}, {"registry", "add-ns", "gaining"}}},
			{Name: "add-new-ds", At: 3*day + 2*h, After: "switch-ns", Wait: mustExpr(t, "max(parent.ns_ttl, losing.ns_ttl) + 1h"),
				Actions: []Action{{"registry", "add-ds", "gaining"}}},
		},
		Probe:   Probe{Name: "www.example.test.", Type: 1},
		Horizon: 10 * day,
		Expect: []Expectation{
			{Metric: "Bogus.cache_seconds", Op: "==", Value: 0, Text: "0", Line: 66, Col: 3},
			{Metric: "Insecure.max_seconds", Op: "<=", Value: 3 * 86400, Text: "<= 3d", Line: 67, Col: 3},
			{Metric: "Insecure.caches", Op: ">", Value: 0, Text: "> 0", Line: 68, Col: 3},
		},
		File: path,
	}
	if diff := cmp.Diff(want, got, cmpScenario); diff != "" {
		t.Errorf("Load(%s) mismatch (-want +got):\n%s", path, diff)
	}
}

// minimal is the smallest valid scenario; defaults fill the rest.
const minimal = `child: example.test.
losing: {signed: true}
gaining: {signed: false}
procedure:
  - {name: transfer, at: 0s}
`

// TestDefaults checks every default on the minimal scenario.
func TestDefaults(t *testing.T) {
	got, err := Parse([]byte(minimal), "dir/min.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := time.Hour
	day := 24 * h
	want := &Scenario{
		Name:   "min",
		Seed:   1,
		Child:  "example.test.",
		Parent: Parent{Zone: "test.", NSTTL: 2 * day, DSTTL: day, NegativeTTL: h, Denial: "nsec", Algorithm: 13},
		Losing: Operator{Name: "losing", Signed: true, Algorithm: 13, NSTTL: day, DNSKEYTTL: h, DataTTL: h,
			Nameservers: []string{"ns1.losing.example.", "ns2.losing.example."}, Behaviour: "passive"},
		Gaining: Operator{Name: "gaining", Algorithm: 13, NSTTL: day, DNSKEYTTL: h, DataTTL: h,
			Nameservers: []string{"ns1.gaining.example.", "ns2.gaining.example."}, Behaviour: "cooperative"},
		Resolvers:    Resolvers{Count: 1000, Profiles: []ProfileWeight{{"bind", 1}, {"unbound", 1}}, CacheAge: "even", Query: "continuous"},
		TransferStep: "transfer",
		Procedure:    []Step{{Name: "transfer"}},
		Probe:        Probe{Name: "www.example.test.", Type: 1},
		// The last step (0s) plus 3 × the largest TTL (2d).
		Horizon: 6 * day,
		File:    "dir/min.yaml",
	}
	if diff := cmp.Diff(want, got, cmpScenario); diff != "" {
		t.Errorf("Parse(minimal) mismatch (-want +got):\n%s", diff)
	}
}

// TestParseValid covers accepted spellings that the full file does not use.
func TestParseValid(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, s *Scenario)
	}{
		{
			// Names are made absolute and lower-case.
			name: "names",
			yaml: strings.Replace(minimal, "child: example.test.", "child: Example.TEST\nprobe: {name: Mail.example.test, type: aaaa}", 1),
			check: func(t *testing.T, s *Scenario) {
				if s.Child != "example.test." || s.Probe.Name != "mail.example.test." || s.Probe.Type != 28 || s.Parent.Zone != "test." {
					t.Errorf("got child %q probe %q type %d zone %q", s.Child, s.Probe.Name, s.Probe.Type, s.Parent.Zone)
				}
			},
		},
		{
			// Durations as integers are seconds.
			name: "integer durations",
			yaml: minimal + "parent: {ds_ttl: 3600, ns_ttl: 0}\n",
			check: func(t *testing.T, s *Scenario) {
				if s.Parent.DSTTL != time.Hour || s.Parent.NSTTL != 0 {
					t.Errorf("got ds_ttl %v ns_ttl %v", s.Parent.DSTTL, s.Parent.NSTTL)
				}
			},
		},
		{
			// The largest TTL RFC 2181 allows.
			name: "largest TTL",
			yaml: minimal + "parent: {ds_ttl: 2147483647}\n",
			check: func(t *testing.T, s *Scenario) {
				if s.Parent.DSTTL != duration.MaxTTL {
					t.Errorf("got ds_ttl %v", s.Parent.DSTTL)
				}
			},
		},
		{
			// Explicit ages set the count; a hasty operator gets the
			// default action.
			name: "explicit ages and hasty",
			yaml: `child: example.test.
losing: {signed: true, behaviour: hasty}
gaining: {signed: true}
resolvers: {cache_age: explicit, ages: [0s, 30m, 3600]}
procedure:
  - {name: t, at: 1h}
`,
			check: func(t *testing.T, s *Scenario) {
				want := []time.Duration{0, 30 * time.Minute, time.Hour}
				if s.Resolvers.Count != 3 || !cmp.Equal(s.Resolvers.Ages, want) || s.Losing.HastyAction != "delete-dnskeys" {
					t.Errorf("got count %d ages %v hasty action %q", s.Resolvers.Count, s.Resolvers.Ages, s.Losing.HastyAction)
				}
			},
		},
		{
			// Steps may wait for steps listed after them; an after: with no
			// wait: waits 0s; a step with no actions list has none.
			name: "forward reference",
			yaml: `child: example.test.
losing: {signed: true}
gaining: {signed: true}
procedure:
  - {name: b, after: a, wait: 2 * parent.ds_ttl}
  - {name: c, after: b}
  - {name: a, at: 1h}
`,
			check: func(t *testing.T, s *Scenario) {
				var got []time.Duration
				for _, st := range s.Procedure {
					got = append(got, st.At)
				}
				want := []time.Duration{49 * time.Hour, 49 * time.Hour, time.Hour}
				if !cmp.Equal(got, want) || s.TransferStep != "b" {
					t.Errorf("got times %v transfer step %q, want %v and b", got, s.TransferStep, want)
				}
			},
		},
		{
			// Self actions get the actor as operator; scan-cds defaults to
			// the gaining operator; notify may name nobody.
			name: "implied operators",
			yaml: `child: example.test.
losing: {signed: true}
gaining: {signed: true}
procedure:
  - name: t
    at: 0s
    actions:
      - {actor: gaining, action: publish-cds}
      - {actor: losing, action: delete-zone, operator: losing}
      - {actor: registry, action: scan-cds}
      - {actor: losing, action: notify}
      - {actor: losing, action: publish-key, operator: gaining}
`,
			check: func(t *testing.T, s *Scenario) {
				want := []Action{{"gaining", "publish-cds", "gaining"}, {"losing", "delete-zone", "losing"}, {"registry", "scan-cds", "gaining"}, {"losing", "notify", ""}, {"losing", "publish-key", "gaining"}}
				if diff := cmp.Diff(want, s.Procedure[0].Actions); diff != "" {
					t.Errorf("actions (-want +got):\n%s", diff)
				}
			},
		},
		{
			// Anchors and aliases are followed.
			name: "aliases",
			yaml: `child: example.test.
losing: &op {signed: true, dnskey_ttl: 2h}
gaining: *op
procedure:
  - {name: t, at: 0s}
`,
			check: func(t *testing.T, s *Scenario) {
				if s.Gaining.DNSKEYTTL != 2*time.Hour || s.Gaining.Name != "gaining" {
					t.Errorf("gaining = %+v", s.Gaining)
				}
			},
		},
		{
			// Expectations: numbers, durations, every operator.
			name: "expectations",
			yaml: minimal + `expect:
  Lame.first_seconds: 1.5
  Secure.last_seconds: "== 1h"
  Bogus.max_seconds: ">=90s"
  Indeterminate.caches: "< 10"
  Insecure.cache_seconds: 3600
`,
			check: func(t *testing.T, s *Scenario) {
				type ev struct {
					Metric, Op string
					Value      float64
				}
				var got []ev
				for _, e := range s.Expect {
					got = append(got, ev{e.Metric, e.Op, e.Value})
				}
				want := []ev{{"Lame.first_seconds", "==", 1.5}, {"Secure.last_seconds", "==", 3600}, {"Bogus.max_seconds", ">=", 90}, {"Indeterminate.caches", "<", 10}, {"Insecure.cache_seconds", "==", 3600}}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("expectations (-want +got):\n%s", diff)
				}
			},
		},
		{
			// Caches given one by one are the population: the count and
			// the profiles are theirs, the cache age given; entries left
			// out were fetched at the epoch.
			name: "given caches",
			yaml: minimal + `resolvers:
  caches:
    - {profile: unbound, ns: -23h59m59s, ds: -1s, key: -59m, answer: -10m, servers: [gaining, losing]}
    - {profile: bind}
    - profile: unbound
      ns: -3600
      ds: 0
      servers: []
`,
			check: func(t *testing.T, s *Scenario) {
				want := Resolvers{
					Count:    3,
					Profiles: []ProfileWeight{{"bind", 1}, {"unbound", 2}},
					CacheAge: "given",
					Query:    "continuous",
					Caches: []CacheSpec{
						{Profile: "unbound", Fetched: [4]time.Duration{-(24*time.Hour - time.Second), -time.Second, -59 * time.Minute, -10 * time.Minute}, Servers: []string{"gaining", "losing"}},
						{Profile: "bind"},
						{Profile: "unbound", Fetched: [4]time.Duration{EntryNS: -time.Hour}},
					},
				}
				if diff := cmp.Diff(want, s.Resolvers); diff != "" {
					t.Errorf("resolvers (-want +got):\n%s", diff)
				}
			},
		},
		{
			// With query rate each cache may have its query phase, below
			// the interval.
			name: "given caches with query phases",
			yaml: minimal + `resolvers:
  query: rate
  query_interval: 1m
  caches:
    - {profile: bind, query_phase: 59s}
    - {profile: bind, query_phase: 0}
    - {profile: bind}
`,
			check: func(t *testing.T, s *Scenario) {
				var got []time.Duration
				for _, c := range s.Resolvers.Caches {
					got = append(got, c.QueryPhase)
				}
				if want := []time.Duration{59 * time.Second, 0, 0}; !cmp.Equal(got, want) || s.Resolvers.Count != 3 {
					t.Errorf("got phases %v count %d, want %v and 3", got, s.Resolvers.Count, want)
				}
			},
		},
		{
			// The worst case: verdicts and bounds, for every validating
			// profile or for one.
			name: "worst-case expectations",
			yaml: minimal + `expect:
  worst.Bogus: never
  worst.Lame: possible
  worst.Bogus.max_seconds: "<= 1m"
  worst.bind.Bogus: never
  worst.unbound.Lame.max_seconds: "<= 61s"
  worst.unbound.Bogus.max_seconds: 0
  Bogus.caches: 0
`,
			check: func(t *testing.T, s *Scenario) {
				want := []Expectation{
					{Metric: "worst.Bogus.max_seconds", Op: "==", Value: 0, Text: "never", Line: 7, Col: 3},
					{Metric: "worst.Lame.max_seconds", Op: ">", Value: 0, Text: "possible", Line: 8, Col: 3},
					{Metric: "worst.Bogus.max_seconds", Op: "<=", Value: 60, Text: "<= 1m", Line: 9, Col: 3},
					{Metric: "worst.Bogus.max_seconds", Profile: "bind", Op: "==", Value: 0, Text: "never", Line: 10, Col: 3},
					{Metric: "worst.Lame.max_seconds", Profile: "unbound", Op: "<=", Value: 61, Text: "<= 61s", Line: 11, Col: 3},
					{Metric: "worst.Bogus.max_seconds", Profile: "unbound", Op: "==", Value: 0, Text: "0", Line: 12, Col: 3},
					{Metric: "Bogus.caches", Op: "==", Value: 0, Text: "0", Line: 13, Col: 3},
				}
				if diff := cmp.Diff(want, s.Expect); diff != "" {
					t.Errorf("expectations (-want +got):\n%s", diff)
				}
				// String writes each as the file does.
				var got []string
				for _, e := range s.Expect {
					got = append(got, e.String())
				}
				wantText := []string{"worst.Bogus: never", "worst.Lame: possible", "worst.Bogus.max_seconds: <= 1m", "worst.bind.Bogus: never", "worst.unbound.Lame.max_seconds: <= 61s", "worst.unbound.Bogus.max_seconds: 0", "Bogus.caches: 0"}
				if diff := cmp.Diff(wantText, got); diff != "" {
					t.Errorf("String (-want +got):\n%s", diff)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse([]byte(tc.yaml), "t.yaml")
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s)
		})
	}
}

// caches is the minimal scenario with the given caches, one a line from
// line 8, each written from column 7.
func caches(items ...string) string {
	y := minimal + "resolvers:\n  caches:\n"
	for _, it := range items {
		y += "    - " + it + "\n"
	}
	return y
}

// TestParseErrors checks that each kind of error is reported at the right
// place, as "FILE:LINE:COL: what was expected".
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // the exact prefix of the error, then a substring
		msg  string
	}{
		// YAML syntax: the parser's position.
		{"syntax", "child: [example.test.\n", "t.yaml:1:8: ", "expected valid YAML"},
		// A key twice in one mapping.
		{"duplicate key", minimal + "child: other.test.\n", "t.yaml:6:1: ", `already defined`},
		// A plain scalar may not hold ": ".
		{"colon in plain scalar", "description: a: b\n", "t.yaml:1:14: ", "expected valid YAML"},
		// Nothing at all.
		{"empty", "", "t.yaml:1:1: ", "empty document"},
		{"comment only", "# nothing\n", "t.yaml:1:1: ", "empty document"},
		// Two documents.
		{"two documents", minimal + "---\nseed: 2\n", "t.yaml:7:1: ", "one YAML document"},
		// Nesting deep enough to slow the YAML parser down, refused first.
		{"deep flow", minimal + "expect: " + strings.Repeat("[", 20) + "\n", "t.yaml:6:25: ", "expected lists and mappings nested at most 16 deep"},
		{"deep block lists", minimal + strings.Repeat("- ", 20) + "x\n", "t.yaml:6:33: ", "expected lists nested at most 16 deep"},
		// Brackets in quotes and comments do not count.
		{"brackets in strings", minimal + "description: '" + strings.Repeat("[", 20) + "' # " + strings.Repeat("{", 20) + "\ncolour: 1\n", "t.yaml:7:1: ", "unknown field"},
		// The document is not a mapping.
		{"top list", "- a\n", "t.yaml:1:1: ", "scenario: expected a mapping, found a list"},

		// Unknown fields at each level, at the key.
		{"unknown top field", minimal + "colour: red\n", "t.yaml:6:1: ", `found the unknown field "colour"`},
		{"unknown parent field", minimal + "parent:\n  zone: test.\n  ds-ttl: 1h\n", "t.yaml:8:3: ", `parent: expected one of the fields algorithm, denial, ds_ttl,`},
		{"unknown operator field", strings.Replace(minimal, "{signed: true}", "{signed: true, dnskeyttl: 1h}", 1), "t.yaml:2:24: ", `losing: expected one of the fields`},
		{"unknown resolvers field", minimal + "resolvers: {counts: 5}\n", "t.yaml:6:13: ", `"counts"`},
		{"unknown step field", strings.Replace(minimal, "at: 0s}", "at: 0s, wiat: 1h}", 1), "t.yaml:5:30: ", `procedure[0]: expected one of the fields actions, after, at, name, note, wait, found the unknown field "wiat"`},
		{"unknown action field", minimal + "  - {name: b, at: 0s, actions: [{actor: registry, action: add-ds, operator: gaining, when: now}]}\n", "t.yaml:6:86: ", `procedure[1].actions[0]: expected one of the fields action, actor, operator`},
		{"unknown probe field", minimal + "probe: {name: www.example.test., qtype: A}\n", "t.yaml:6:34: ", `"qtype"`},
		{"merge key", minimal + "parent:\n  <<: {zone: test.}\n", "t.yaml:7:3: ", "merge key"},

		// Wrong types, at the value.
		{"count string", minimal + "resolvers:\n  count: many\n", "t.yaml:7:10: ", `resolvers.count: expected a number of caches, found the string "many"`},
		{"count float", minimal + "resolvers:\n  count: 10.5\n", "t.yaml:7:10: ", `found the number 10.5`},
		{"signed yes", strings.Replace(minimal, "{signed: true}", "{signed: yes}", 1), "t.yaml:2:18: ", `losing.signed: expected true or false, found the string "yes"`},
		{"parent scalar", minimal + "parent: 5\n", "t.yaml:6:9: ", "parent: expected a mapping, found the integer 5"},
		{"procedure mapping", strings.Replace(minimal, "procedure:\n  - {name: transfer, at: 0s}\n", "procedure: {name: transfer}\n", 1), "t.yaml:4:12: ", "procedure: expected a list, found a mapping"},
		{"ttl float", minimal + "parent:\n  ns_ttl: 1.5\n", "t.yaml:7:11: ", `parent.ns_ttl: expected a duration such as "90s", "1h30m", "2d" or 3600 (seconds), found the number 1.5`},
		{"ttl boolean", minimal + "parent:\n  ns_ttl: true\n", "t.yaml:7:11: ", `found the boolean true`},
		{"ttl null", minimal + "parent:\n  ns_ttl:\n", "t.yaml:7:3: ", `found nothing (null)`},
		{"nameserver integer", strings.Replace(minimal, "{signed: true}", "{signed: true, nameservers: [1]}", 1), "t.yaml:2:38: ", "losing.nameservers[0]: expected a name server name such as ns1.example., found the integer 1"},
		{"algorithm too large", minimal + "parent: {algorithm: 300}\n", "t.yaml:6:21: ", "parent.algorithm: expected a DNSSEC algorithm number such as 13 (0 to 255), found 300"},
		{"weight string", minimal + "resolvers: {profiles: {bind: heavy}}\n", "t.yaml:6:30: ", `resolvers.profiles.bind: expected a weight (a positive number), found the string "heavy"`},
		{"expect list", minimal + "expect: [Bogus.caches]\n", "t.yaml:6:9: ", "expect: expected a mapping of metric to value"},
		{"tag", minimal + "seed: !!str 5\n", "t.yaml:6:7: ", "tags such as !!str are not supported"},

		// Negative TTLs and TTLs past 2^31-1 s (RFC 2181 §8), at the value.
		{"negative ttl", minimal + "parent:\n  ds_ttl: -1h\n", "t.yaml:7:11: ", "parent.ds_ttl: expected a TTL between 0s and 2147483647s (RFC 2181 §8), found the negative -1h"},
		{"negative integer ttl", minimal + "gaining_x: 1\n", "t.yaml:6:1: ", "unknown field"},
		{"negative operator ttl", strings.Replace(minimal, "{signed: true}", "{signed: true, dnskey_ttl: -5}", 1), "t.yaml:2:36: ", "losing.dnskey_ttl: expected a TTL between 0s and 2147483647s (RFC 2181 §8), found the negative -5s"},
		{"ttl too large", minimal + "parent:\n  ns_ttl: 2147483648\n", "t.yaml:7:11: ", "parent.ns_ttl: expected a TTL between 0s and 2147483647s (RFC 2181 §8), found 2147483648s"},
		{"ttl too large in weeks", strings.Replace(minimal, "{signed: false}", "{signed: false, data_ttl: 3551w}", 1), "t.yaml:3:36: ", "gaining.data_ttl: expected a TTL between 0s and 2147483647s"},
		{"negative delay", minimal + "parent: {processing_delay: -1s}\n", "t.yaml:6:28: ", "parent.processing_delay: expected a duration of 0s or more, found -1s"},

		// Bad durations, at the value.
		{"bad ttl", minimal + "parent:\n  dnskey: 1\n", "t.yaml:7:3: ", "unknown field"},
		{"bad duration", strings.Replace(minimal, "{signed: true}", "{signed: true, dnskey_ttl: 1x}", 1), "t.yaml:2:36: ", `losing.dnskey_ttl: expected a duration such as "90s", "1h30m", "2d" or "3600", found "1x"`},
		{"bad at", strings.Replace(minimal, "at: 0s", "at: soon", 1), "t.yaml:5:26: ", `procedure[0].at: expected a duration`},
		{"units out of order", minimal + "horizon: 30m1h\n", "t.yaml:6:10: ", "out of order"},
		{"bad age", minimal + "resolvers: {cache_age: explicit, ages: [1h, 1y]}\n", "t.yaml:6:45: ", "resolvers.ages[1]: expected a duration"},

		// Bad waits, at the offending token when the wait is on one line.
		{"wait unknown path", minimal + "  - {name: b, after: transfer, wait: parent.ds_ttl + parent.dnskey_ttl}\n", "t.yaml:6:54: ", `procedure[1].wait: expected a duration, max(...), min(...) or a TTL path (gaining.data_ttl,`},
		{"wait dangling plus", minimal + "  - name: b\n    after: transfer\n    wait: 1h +\n", "t.yaml:8:15: ", "expected a duration, a TTL path, max(...) or min(...), found the end of the expression"},
		{"wait quoted", minimal + "  - name: b\n    after: transfer\n    wait: \"max(parent.ns_ttl, 1h\"\n", "t.yaml:8:33: ", "expected ',', ')' or '+' in max(...), found the end of the expression"},
		{"wait bad literal", minimal + "  - name: b\n    after: transfer\n    wait: 2 * 1q\n", "t.yaml:8:15: ", `expected a duration such as "90s", "1h30m", "2d" or "3600", found "1q"`},
		{"wait minus", minimal + "  - name: b\n    after: transfer\n    wait: 2d - 1h\n", "t.yaml:8:14: ", "waits only add"},
		{"wait on absolute step", strings.Replace(minimal, "at: 0s}", "at: 0s, wait: 1h}", 1), "t.yaml:5:36: ", "procedure[0].wait: expected after: with wait:"},
		{"wait list", minimal + "  - {name: b, after: transfer, wait: [1h]}\n", "t.yaml:6:38: ", "procedure[1].wait: expected a wait such as"},

		// Step references: an after: naming no step, at the after: value.
		{"after unknown", minimal + "  - name: b\n    after: trasnfer\n", "t.yaml:7:12: ", `procedure[1].after: expected the name of a step (transfer, b), found "trasnfer"`},
		// A cycle among step times, at the after: of its first step.
		{"cycle", minimal + "  - {name: a, after: b, wait: 1h}\n  - {name: b, after: c}\n  - {name: c, after: a}\n", "t.yaml:6:22: ", "procedure[1].after: expected steps that do not wait for each other in a circle, found the cycle a → b → c → a"},
		// A step that waits for itself.
		{"self cycle", minimal + "  - {name: a, after: a}\n", "t.yaml:6:22: ", "found the cycle a → a"},
		// A cycle reached from a step outside it.
		{"cycle behind a step", minimal + "  - {name: x, after: a}\n  - {name: a, after: b}\n  - {name: b, after: a}\n", "t.yaml:7:22: ", "found the cycle a → b → a"},
		// Both at: and after:, at the after:.
		{"at and after", minimal + "  - {name: b, at: 1h, after: transfer}\n", "t.yaml:6:30: ", "procedure[1]: expected exactly one of at: and after:, found both"},
		// Neither, at the step.
		{"no time", minimal + "  - name: b\n    note: when?\n", "t.yaml:6:5: ", "procedure[1]: expected exactly one of at:"},
		// Two steps with one name, at the second name.
		{"duplicate step", minimal + "  - {name: transfer, at: 1h}\n", "t.yaml:6:12: ", `procedure[1].name: expected a name no other step has, found "transfer", the name of procedure[0]`},
		// A step with no name.
		{"nameless step", minimal + "  - {at: 1h}\n", "t.yaml:6:5: ", "procedure[1]: expected the field name"},
		// transfer_step naming no step.
		{"transfer step unknown", minimal + "transfer_step: move\n", "t.yaml:6:16: ", `transfer_step: expected the name of a step (transfer), found "move"`},
		// An empty procedure.
		{"no steps", strings.Replace(minimal, "procedure:\n  - {name: transfer, at: 0s}\n", "procedure: []\n", 1), "t.yaml:4:12: ", "procedure: expected at least one step"},
		// A horizon at the epoch.
		{"zero horizon", minimal + "horizon: 0s\n", "t.yaml:6:10: ", "horizon: expected a duration above 0s, found 0s"},
		// An explicit horizon before the last step.
		{"horizon too early", minimal + "  - {name: b, after: transfer, wait: 2d}\nhorizon: 1d\n", "t.yaml:7:10: ", "horizon: expected a time at or after the last step (b at 2d), found 1d"},
		// Waits too long to represent.
		{"wait overflow", minimal + "  - {name: b, after: transfer, wait: 9223372036854775807 * 1w}\n", "t.yaml:6:38: ", "procedure[1].wait: expected a step time under about 292 years"},

		// Unknown actors, actions and operators, at the value.
		{"unknown actor", minimal + "  - {name: b, at: 0s, actions: [{actor: registrar, action: add-ds, operator: gaining}]}\n", "t.yaml:6:41: ", `procedure[1].actions[0].actor: expected one of gaining, losing, registry, found "registrar"`},
		{"unknown action", minimal + "  - {name: b, at: 0s, actions: [{actor: registry, action: publish-key, operator: gaining}]}\n", "t.yaml:6:59: ", `procedure[1].actions[0].action: expected an action of registry: one of add-ds, add-ns, remove-ds, remove-ns, scan-cds, found "publish-key"`},
		{"unknown operator action", minimal + "  - {name: b, at: 0s, actions: [{actor: losing, action: remove-ds, operator: losing}]}\n", "t.yaml:6:57: ", `expected an action of losing: one of add-ns, delete-dnskeys, delete-zone, notify, publish-cds, publish-key, remove-ns, sign, unsign, withdraw-key, found "remove-ds"`},
		{"unknown operator", minimal + "  - {name: b, at: 0s, actions: [{actor: registry, action: add-ds, operator: third}]}\n", "t.yaml:6:77: ", `procedure[1].actions[0].operator: expected losing or gaining, found "third"`},
		{"missing operator", minimal + "  - name: b\n    at: 0s\n    actions:\n      - {actor: registry, action: remove-ds}\n", "t.yaml:9:9: ", "procedure[1].actions[0]: expected an operator (losing or gaining) for registry remove-ds: whose DS it is"},
		{"self action for another", minimal + "  - {name: b, at: 0s, actions: [{actor: losing, action: sign, operator: gaining}]}\n", "t.yaml:6:73: ", "procedure[1].actions[0].operator: losing sign acts on the losing operator's own zone"},
		{"action without actor", minimal + "  - {name: b, at: 0s, actions: [{action: sign}]}\n", "t.yaml:6:33: ", "procedure[1].actions[0]: expected the field actor"},

		// Expect keys naming no metric, at the key; bad values, at the value.
		{"unknown metric", minimal + "expect:\n  Bogus.seconds: 0\n", "t.yaml:7:3: ", `expect: expected a metric STATE.NAME with STATE one of Secure, Insecure, Bogus, Indeterminate, Lame and NAME one of cache_seconds, max_seconds, caches, first_seconds, last_seconds, or a worst case worst.STATE or worst.STATE.max_seconds (worst.PROFILE.STATE... for one profile) with STATE Bogus or Lame, found "Bogus.seconds"`},
		{"lower-case state", minimal + "expect:\n  bogus.caches: 0\n", "t.yaml:7:3: ", `found "bogus.caches"`},
		{"bad expect value", minimal + "expect:\n  Insecure.max_seconds: \"<= soon\"\n", "t.yaml:7:25: ", `expect: Insecure.max_seconds: expected an optional operator (==, <=, <, >=, >) and a non-negative number of seconds or a duration such as "<= 3d", found "<= soon"`},
		{"duration for count", minimal + "expect:\n  Insecure.caches: \"> 1h\"\n", "t.yaml:7:20: ", "a whole number of caches"},
		{"negative expect", minimal + "expect:\n  Bogus.cache_seconds: -1\n", "t.yaml:7:24: ", "non-negative"},
		{"boolean expect", minimal + "expect:\n  Bogus.cache_seconds: false\n", "t.yaml:7:24: ", "expect.Bogus.cache_seconds: expected a number or a string"},

		// Required fields, at the enclosing mapping.
		{"no child", strings.Replace(minimal, "child: example.test.\n", "seed: 3\n", 1), "t.yaml:1:1: ", "scenario: expected the field child"},
		{"no signed", strings.Replace(minimal, "gaining: {signed: false}", "gaining:\n  ns_ttl: 1h", 1), "t.yaml:4:3: ", "gaining: expected the field signed"},
		{"no gaining", strings.Replace(minimal, "gaining: {signed: false}\n", "", 1), "t.yaml:1:1: ", "scenario: expected the field gaining"},

		// Values outside their sets, at the value.
		{"behaviour", strings.Replace(minimal, "{signed: true}", "{signed: true, behaviour: lazy}", 1), "t.yaml:2:35: ", `losing.behaviour: expected cooperative, passive or hasty, found "lazy"`},
		{"hasty action", strings.Replace(minimal, "{signed: true}", "{signed: true, behaviour: hasty, hasty_action: shout}", 1), "t.yaml:2:56: ", `losing.hasty_action: expected delete-dnskeys or delete-zone, found "shout"`},
		{"denial", minimal + "parent: {denial: nsec5}\n", "t.yaml:6:18: ", `parent.denial: expected nsec or nsec3, found "nsec5"`},
		{"algorithm", minimal + "parent: {algorithm: 3}\n", "t.yaml:6:21: ", "parent.algorithm: expected a DNSSEC algorithm the signer supports (5, 7, 8, 10, 13, 14, 15 or 16), found 3"},
		{"nsec3 with algorithm 5", minimal + "parent: {algorithm: 5, denial: nsec3}\n", "t.yaml:6:21: ", "RFC 5155"},
		{"cache age", minimal + "resolvers: {cache_age: old}\n", "t.yaml:6:24: ", `resolvers.cache_age: expected even, random or explicit, found "old"`},
		{"explicit without ages", minimal + "resolvers: {cache_age: explicit}\n", "t.yaml:6:12: ", "resolvers.ages: expected one age per cache"},
		{"ages without explicit", minimal + "resolvers: {ages: [1h]}\n", "t.yaml:6:19: ", "resolvers.ages: expected no ages with cache_age even"},
		{"count against ages", minimal + "resolvers: {count: 5, cache_age: explicit, ages: [1h]}\n", "t.yaml:6:20: ", "resolvers.count: expected the number of ages (1) with cache_age explicit, found 5"},
		{"zero count", minimal + "resolvers: {count: 0}\n", "t.yaml:6:20: ", "resolvers.count: expected a number of caches from 1 to"},
		{"rate without interval", minimal + "resolvers: {query: rate}\n", "t.yaml:6:12: ", "resolvers.query_interval: expected a mean time between queries above 0s"},
		{"interval without rate", minimal + "resolvers: {query_interval: 5s}\n", "t.yaml:6:29: ", "resolvers.query_interval: expected 0s or nothing with query continuous"},
		{"zero weight", minimal + "resolvers: {profiles: {bind: 0}}\n", "t.yaml:6:24: ", "resolvers.profiles.bind: expected a positive weight, found 0"},
		{"no profiles", minimal + "resolvers: {profiles: {}}\n", "t.yaml:6:23: ", "resolvers.profiles: expected at least one profile"},
		{"probe outside child", minimal + "probe: {name: www.example.org.}\n", "t.yaml:6:15: ", "probe.name: expected a name at or below the child example.test., found www.example.org."},
		{"probe type", minimal + "probe: {type: BOGUS}\n", "t.yaml:6:15: ", `probe.type: expected a query type such as A, AAAA, TXT or TYPE65, found "BOGUS"`},
		{"parent not above child", minimal + "parent: {zone: example.test.}\n", "t.yaml:6:16: ", "parent.zone: expected a zone above the child example.test., found example.test."},
		{"bad child", strings.Replace(minimal, "child: example.test.", "child: \"exa mple..test\"", 1), "t.yaml:1:8: ", `child: expected a domain name such as example.test., found`},
		{"root child", strings.Replace(minimal, "child: example.test.", "child: .", 1), "t.yaml:1:8: ", `child: expected a domain name below the root`},
		{"duplicate name server", strings.Replace(minimal, "{signed: true}", "{signed: true, nameservers: [ns.a., NS.A.]}", 1), "t.yaml:2:45: ", "losing.nameservers[1]: expected each name server once, found ns.a. twice"},
		{"no name servers", strings.Replace(minimal, "{signed: true}", "{signed: true, nameservers: []}", 1), "t.yaml:2:37: ", "losing.nameservers: expected at least one name server name"},

		// Given caches: fetch times after the epoch and bad durations, at
		// the value.
		{"fetch after the epoch", caches("{profile: bind, ds: 5m}"), "t.yaml:8:27: ", "resolvers.caches[0].ds: expected a fetch time at or before the epoch (0s or a negative duration such as -2h), found 5m"},
		{"fetch in seconds after the epoch", caches("{profile: bind, ns: 300}"), "t.yaml:8:27: ", "resolvers.caches[0].ns: expected a fetch time at or before the epoch (0s or a negative duration such as -2h), found 5m"},
		{"fetch of a later cache", caches("{profile: bind}", "{profile: unbound, answer: 1m}"), "t.yaml:9:34: ", "resolvers.caches[1].answer: expected a fetch time at or before the epoch (0s or a negative duration such as -2h), found 1m"},
		{"fetch not a duration", caches("{profile: bind, key: soon}"), "t.yaml:8:28: ", `resolvers.caches[0].key: expected a fetch time at or before the epoch (0s or a negative duration such as -2h), found "soon" (expected a digit at offset 0, found 's')`},
		{"fetch boolean", caches("{profile: bind, answer: true}"), "t.yaml:8:31: ", "resolvers.caches[0].answer: expected a fetch time at or before the epoch (0s or a negative duration such as -2h), found the boolean true"},
		// The fields of a cache.
		{"unknown cache field", caches("{profile: bind, dss: -1s}"), "t.yaml:8:23: ", `resolvers.caches[0]: expected one of the fields answer, ds, key, ns, profile, query_phase, servers, found the unknown field "dss"`},
		{"cache without profile", caches("{ds: -1s}"), "t.yaml:8:7: ", "resolvers.caches[0]: expected the field profile (a resolver profile name such as unbound), found none"},
		{"block cache without profile", caches("ds: -1s\n      ns: -1s"), "t.yaml:8:7: ", "resolvers.caches[0]: expected the field profile"},
		{"profile integer", caches("{profile: 5}"), "t.yaml:8:17: ", "resolvers.caches[0].profile: expected a resolver profile name such as unbound, found the integer 5"},
		{"profile empty", caches(`{profile: ""}`), "t.yaml:8:17: ", "resolvers.caches[0].profile: expected a profile name, found an empty one"},
		{"profile with a space", caches(`{profile: "un bound"}`), "t.yaml:8:17: ", `resolvers.caches[0].profile: expected a profile name (without spaces, '=' or ';'), found "un bound"`},
		{"caches mapping", minimal + "resolvers:\n  caches: {profile: bind}\n", "t.yaml:7:11: ", "resolvers.caches: expected a list, found a mapping"},
		{"cache scalar", caches("bind"), "t.yaml:8:7: ", `resolvers.caches[0]: expected a mapping, found the string "bind"`},
		{"no caches", minimal + "resolvers: {caches: []}\n", "t.yaml:6:21: ", "resolvers.caches: expected at least one cache such as {profile: unbound, ds: -1h}, found none"},
		{"null caches", minimal + "resolvers:\n  caches:\n", "t.yaml:7:3: ", "resolvers.caches: expected at least one cache"},
		// Servers.
		{"unknown server", caches("{profile: bind, servers: [gaining, third]}"), "t.yaml:8:42: ", `resolvers.caches[0].servers[1]: expected losing or gaining, found "third"`},
		{"servers scalar", caches("{profile: bind, servers: gaining}"), "t.yaml:8:32: ", `resolvers.caches[0].servers: expected a list, found the string "gaining"`},
		{"server integer", caches("{profile: bind, servers: [1]}"), "t.yaml:8:33: ", "resolvers.caches[0].servers[0]: expected losing or gaining, found the integer 1"},
		{"too many servers", caches("{profile: bind, servers: [" + strings.Repeat("losing, ", 10000) + "gaining]}"), "t.yaml:8:80033: ", "resolvers.caches[0].servers: expected at most 10000 servers, found more"},
		// One servers list shared by many caches through an alias, at the
		// first server of the list.
		{"too many servers in all", caches(append([]string{"{profile: bind, servers: &s [" + strings.Repeat("losing, ", 9999) + "gaining]}"}, slicesRepeat("{profile: bind, servers: *s}", 10)...)...), "t.yaml:8:36: ", "resolvers.caches[10].servers: expected at most 100000 servers in all the caches together, found more"},
		// Fields the caches replace, at the field, the first in file order.
		{"count with caches", minimal + "resolvers: {count: 5, caches: [{profile: bind}]}\n", "t.yaml:6:20: ", "resolvers.count: expected no count with resolvers.caches (the caches are the population), found 5"},
		{"profiles with caches", minimal + "resolvers: {caches: [{profile: bind}], profiles: {bind: 1}}\n", "t.yaml:6:50: ", "resolvers.profiles: expected no profiles with resolvers.caches (the caches are the population), found {bind: 1}"},
		{"cache age with caches", minimal + "resolvers: {cache_age: even, caches: [{profile: bind}]}\n", "t.yaml:6:24: ", `resolvers.cache_age: expected no cache_age with resolvers.caches (the caches are the population), found "even"`},
		{"ages with caches", minimal + "resolvers: {caches: [{profile: bind}], ages: [1h]}\n", "t.yaml:6:46: ", "resolvers.ages: expected no ages with resolvers.caches (the caches are the population), found [1h]"},
		{"first of several with caches", minimal + "resolvers: {ages: [1h, 2h], count: 2, caches: [{profile: bind}]}\n", "t.yaml:6:19: ", "resolvers.ages: expected no ages with resolvers.caches (the caches are the population), found [1h, 2h]"},
		{"cache age given without caches", minimal + "resolvers: {cache_age: given}\n", "t.yaml:6:24: ", `resolvers.cache_age: expected even, random or explicit (given is for the caches of resolvers.caches, and there are none), found "given"`},
		// Query phases.
		{"negative query phase", caches("{profile: bind, query_phase: -1s}"), "t.yaml:8:36: ", "resolvers.caches[0].query_phase: expected a duration of 0s or more, found -1s"},
		{"query phase with continuous", caches("{profile: bind, query_phase: 5s}"), "t.yaml:8:36: ", "resolvers.caches[0].query_phase: expected 0s or nothing with query continuous (the phase is for query rate), found 5s"},
		{"query phase past the interval", minimal + "resolvers:\n  query: rate\n  query_interval: 1m\n  caches:\n    - {profile: bind, query_phase: 1m}\n", "t.yaml:10:36: ", "resolvers.caches[0].query_phase: expected a phase below resolvers.query_interval (1m) with query rate, found 1m"},
		{"query phase not a duration", caches("{profile: bind, query_phase: soon}"), "t.yaml:8:36: ", "resolvers.caches[0].query_phase: expected a duration"},

		// Worst-case expectations: keys at the key, values at the value.
		{"worst unbounded state", minimal + "expect:\n  worst.Insecure: never\n", "t.yaml:7:3: ", `expect: expected a worst case worst.STATE or worst.STATE.max_seconds, or worst.PROFILE.STATE or worst.PROFILE.STATE.max_seconds for one profile, with STATE Bogus or Lame, found "worst.Insecure"`},
		{"worst run metric", minimal + "expect:\n  worst.bind.Bogus.caches: 0\n", "t.yaml:7:3: ", `with STATE Bogus or Lame, found "worst.bind.Bogus.caches"`},
		{"worst alone", minimal + "expect:\n  worst: never\n", "t.yaml:7:3: ", `expect: expected a worst case worst.STATE`},
		{"worst bound as verdict", minimal + "expect:\n  worst.Bogus: \"<= 1m\"\n", "t.yaml:7:16: ", `expect.worst.Bogus: expected never or possible (a bound on the longest stretch is written worst.Bogus.max_seconds: "<= 1m"), found the string "<= 1m"`},
		{"worst number as verdict", minimal + "expect:\n  worst.bind.Lame: 0\n", "t.yaml:7:20: ", `expect.worst.bind.Lame: expected never or possible (a bound on the longest stretch is written worst.bind.Lame.max_seconds: "<= 1m"), found the integer 0`},
		{"worst verdict as bound", minimal + "expect:\n  worst.Bogus.max_seconds: never\n", "t.yaml:7:28: ", `expect: worst.Bogus.max_seconds: expected an optional operator (==, <=, <, >=, >) and a non-negative number of seconds or a duration such as "<= 3d", found "never"`},
		{"worst bad bound", minimal + "expect:\n  worst.unbound.Lame.max_seconds: \"< soon\"\n", "t.yaml:7:35: ", `expect: worst.unbound.Lame.max_seconds: expected an optional operator`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse([]byte(tc.yaml), "t.yaml")
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want an error %q...%q", s, tc.want, tc.msg)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %T %q is not an *Error", err, err)
			}
			got := err.Error()
			if !strings.HasPrefix(got, tc.want) || !strings.Contains(got, tc.msg) {
				t.Errorf("error:\n  %s\nwant the prefix %q and the text %q", got, tc.want, tc.msg)
			}
		})
	}
}

// TestLoadMissingFile checks that Load reports a missing file as such.
func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want an os.ErrNotExist", err)
	}
}

// TestParseTooLarge checks the size limit.
func TestParseTooLarge(t *testing.T) {
	_, err := Parse(make([]byte, maxFileSize+1), "big.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "big.yaml:1:1: expected a scenario file of at most") {
		t.Errorf("Parse(too large) = %v", err)
	}
}

// TestBuiltins checks that every built-in scenario loads, names itself after
// its file, uses only known profiles and carries a header comment citing its
// source.
func TestBuiltins(t *testing.T) {
	names := BuiltinNames()
	if !contains(names, "pattern-2") {
		t.Fatalf("BuiltinNames() = %v, want pattern-2 among them", names)
	}
	for _, name := range names {
		s, err := Builtin(name)
		if err != nil {
			t.Errorf("Builtin(%q): %v", name, err)
			continue
		}
		if s.Name != name || s.File != "builtin:"+name {
			t.Errorf("Builtin(%q): name %q, file %q", name, s.Name, s.File)
		}
		if err := s.ValidateProfiles([]string{"bind", "knot", "powerdns", "unbound"}); err != nil {
			t.Errorf("Builtin(%q): %v", name, err)
		}
		data, _ := builtinFS.ReadFile("builtin/" + name + ".yaml")
		if !strings.HasPrefix(string(data), "# "+name+": ") || !strings.Contains(string(data), "Source:") {
			t.Errorf("builtin/%s.yaml: want a header comment \"# %s: ...\" citing its source", name, name)
		}
	}
	if _, err := Builtin("no-such"); err == nil || !strings.Contains(err.Error(), "pattern-2") {
		t.Errorf("Builtin(no-such) = %v, want an error listing the built-ins", err)
	}
}

// TestPattern2 checks the built-in pattern 2 against the guideline: the
// steps, their actions and times with .com-like TTLs.
func TestPattern2(t *testing.T) {
	s, err := Builtin("pattern-2")
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	type row struct {
		name    string
		at      time.Duration
		actions []Action
	}
	var got []row
	for _, st := range s.Procedure {
		got = append(got, row{st.Name, st.At, st.Actions})
	}
	want := []row{
		{"transfer", 0, nil},
		// Step 6: the old DS goes at once.
		{"remove-old-ds", 0, []Action{{"registry", "remove-ds", "losing"}}},
		// Step 9: after the old DS TTL (1d).
		{"switch-ns", day, []Action{{"registry", "remove-ns", "losing"}, {"registry", "add-ns", "gaining"}}},
		// Step 11: after the old NS TTL (the delegation's 2d).
		{"add-new-ds", 3 * day, []Action{{"registry", "add-ds", "gaining"}, {"gaining", "notify", "losing"}}},
		// Step 12: after the new NS TTL.
		{"all-secure", 5 * day, nil},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(row{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("schedule (-want +got):\n%s", diff)
	}
	if s.Horizon != 11*day {
		t.Errorf("horizon = %s, want 11d (5d + 3 × 2d)", duration.Format(s.Horizon))
	}
	var exp []string
	for _, e := range s.Expect {
		exp = append(exp, e.String())
	}
	if diff := cmp.Diff([]string{"worst.unbound.Bogus: possible", "worst.unbound.Bogus.max_seconds: <= 1m", "worst.bind.Bogus: never", "Insecure.caches: 1000", "Insecure.last_seconds: <= 3d2h", "Insecure.max_seconds: <= 3d2h"}, exp); diff != "" {
		t.Errorf("expectations (-want +got):\n%s", diff)
	}
	if s.Losing.Behaviour != "passive" || s.Resolvers.Count != 1000 || s.Resolvers.CacheAge != "even" {
		t.Errorf("losing %s, count %d, cache_age %s", s.Losing.Behaviour, s.Resolvers.Count, s.Resolvers.CacheAge)
	}
}

// TestValidateProfiles checks profile names against the simulator's list.
func TestValidateProfiles(t *testing.T) {
	s, err := Parse([]byte(minimal+"resolvers:\n  profiles: {unbound: 3, knott: 1}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	known := []string{"unbound", "bind", "knot"}
	err = s.ValidateProfiles(known)
	want := `t.yaml:7:26: resolvers.profiles: expected a resolver profile (bind, knot, unbound), found "knott"`
	if err == nil || err.Error() != want {
		t.Errorf("ValidateProfiles = %v, want %s", err, want)
	}
	// A profile set with Set has no position.
	if err := s.Set("resolvers.profile", "bnid"); err != nil {
		t.Fatal(err)
	}
	err = s.ValidateProfiles(known)
	want = `scenario t: resolvers.profiles: expected a resolver profile (bind, knot, unbound), found "bnid"`
	if err == nil || err.Error() != want {
		t.Errorf("ValidateProfiles = %v, want %s", err, want)
	}
	if err := s.Set("resolvers.profile", "bind"); err != nil {
		t.Fatal(err)
	}
	if err := s.ValidateProfiles(known); err != nil {
		t.Errorf("ValidateProfiles = %v, want nil", err)
	}
}

// TestMetricNames checks the metric list: the 25 metrics of a run, then the
// worst case's.
func TestMetricNames(t *testing.T) {
	names := MetricNames()
	if len(names) != 27 || names[0] != "Secure.cache_seconds" || names[24] != "Lame.last_seconds" || names[25] != "worst.Bogus.max_seconds" || names[26] != "worst.Lame.max_seconds" {
		t.Errorf("MetricNames() = %v", names)
	}
	for _, n := range names {
		if !isMetric(n) {
			t.Errorf("isMetric(%q) = false", n)
		}
	}
	// Keys that are not metric names: the verdict form, a profile, a run
	// metric the worst case does not have, a state it does not bound.
	for _, n := range []string{"worst.Bogus", "worst.bind.Bogus.max_seconds", "worst.Bogus.caches", "worst.Insecure.max_seconds", "worst.Bogus.max_seconds.x", "Bogus", "Bogus.max_seconds.x"} {
		if isMetric(n) {
			t.Errorf("isMetric(%q) = true", n)
		}
	}
}

// TestCheck checks comparisons and messages.
func TestCheck(t *testing.T) {
	tests := []struct {
		metric, text string
		got          float64
		ok           bool
		msg          string
	}{
		// A plain number means ==.
		{"Bogus.cache_seconds", "0", 0, true, "Bogus.cache_seconds: got 0s, want == 0"},
		{"Bogus.cache_seconds", "0", 120, false, "Bogus.cache_seconds: got 2m (120 s), want == 0"},
		// Durations compare as seconds.
		{"Insecure.max_seconds", "<= 3d", 3 * 86400, true, "Insecure.max_seconds: got 3d (259200 s), want <= 3d"},
		{"Insecure.max_seconds", "<= 3d", 3*86400 + 1, false, "Insecure.max_seconds: got 3d1s (259201 s), want <= 3d"},
		{"Insecure.max_seconds", "< 3d", 3 * 86400, false, "want < 3d"},
		{"Secure.first_seconds", ">= 1h", 3600, true, "want >= 1h"},
		{"Secure.first_seconds", "== 1h", 3600.5, false, "got 3600.5 s, want == 1h"},
		// Counts are written as integers.
		{"Insecure.caches", "> 0", 1000, true, "Insecure.caches: got 1000, want > 0"},
		{"Insecure.caches", "> 0", 0, false, "Insecure.caches: got 0, want > 0"},
		// No value meets nothing.
		{"Lame.first_seconds", ">= 0", math.NaN(), false, "got no value"},
	}
	for _, tc := range tests {
		op, v, err := parseExpectValue(tc.metric, tc.text)
		if err != nil {
			t.Fatalf("parseExpectValue(%q, %q): %v", tc.metric, tc.text, err)
		}
		e := Expectation{Metric: tc.metric, Op: op, Value: v, Text: tc.text}
		ok, msg := e.Check(tc.got)
		if ok != tc.ok || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s %q Check(%v) = %v, %q; want %v and %q", tc.metric, tc.text, tc.got, ok, msg, tc.ok, tc.msg)
		}
	}
}

// slicesRepeat returns n copies of s.
func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// TestValidateProfilesCaches checks the profiles of given caches and of
// worst-case expectations about one profile.
func TestValidateProfilesCaches(t *testing.T) {
	known := []string{"unbound", "bind", "knot"}
	tests := []struct {
		name string
		yaml string
		set  [][2]string // Set calls before ValidateProfiles
		want string      // the error; empty for none
	}{
		// A cache's profile, at the profile.
		{"cache profile", caches("{profile: bind}", "{profile: bnid}"), nil, `t.yaml:9:17: resolvers.caches[1].profile: expected a resolver profile (bind, knot, unbound), found "bnid"`},
		// One set with Set has no position.
		{"set cache profile", minimal, [][2]string{{"resolvers.cache", "bnid ds=-1s"}}, `scenario t: resolvers.caches[0].profile: expected a resolver profile (bind, knot, unbound), found "bnid"`},
		{"known cache profiles", caches("{profile: bind}", "{profile: knot}"), nil, ""},
		// A worst case about one profile names one of the population's, at
		// the expectation's key.
		// A worst case is a property of a profile and the procedure: it
		// may name a profile outside the population, but not an unknown one.
		{"worst profile not in the population", minimal + "expect:\n  Bogus.caches: 0\n  worst.knot.Bogus: never\n", nil, ""},
		{"worst profile unknown", minimal + "expect:\n  Bogus.caches: 0\n  worst.nope.Bogus: never\n", nil, `t.yaml:8:3: expect.worst.nope.Bogus: expected the worst case of a resolver profile (bind, knot, unbound), found "nope"`},
		{"worst profile not in the caches", caches("{profile: unbound}") + "expect:\n  worst.bind.Lame.max_seconds: 0\n", nil, ""},
		{"worst profile in the population", minimal + "expect:\n  worst.bind.Bogus: never\n  worst.Lame: never\n", nil, ""},
		// Setting the population can leave an expectation's profile out.
		{"worst profile set out", minimal + "expect:\n  worst.bind.Bogus: never\n", [][2]string{{"resolvers.profile", "knot"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse([]byte(tc.yaml), "t.yaml")
			if err != nil {
				t.Fatal(err)
			}
			for _, kv := range tc.set {
				if err := s.Set(kv[0], kv[1]); err != nil {
					t.Fatal(err)
				}
			}
			err = s.ValidateProfiles(known)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("ValidateProfiles = %v, want nil", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Errorf("ValidateProfiles = %v, want %s", err, tc.want)
			}
		})
	}
}

// TestErrorAt checks errors the simulator reports at a field.
func TestErrorAt(t *testing.T) {
	s, err := Parse([]byte(caches("{profile: bind}", "{profile: unbound, ds: -2d}")), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string
	}{
		// A value the file gives, at the value.
		{"resolvers.caches[1].ds", "t.yaml:9:30: resolvers.caches[1].ds: expected a fetch time within 1d before the epoch, found -2d"},
		// One it leaves out, at the nearest value around it that it gives.
		{"resolvers.caches[0].ds", "t.yaml:8:7: resolvers.caches[0].ds: expected a fetch time within 1d before the epoch, found -2d"},
		{"parent.ds_ttl", "t.yaml:1:1: parent.ds_ttl: expected a fetch time within 1d before the epoch, found -2d"},
		// The whole scenario.
		{"", "t.yaml:1:1: scenario: expected a fetch time within 1d before the epoch, found -2d"},
	}
	for _, tc := range tests {
		err := s.ErrorAt(tc.path, "expected a fetch time within %s before the epoch, found %s", "1d", "-2d")
		var e *Error
		if !errors.As(err, &e) || err.Error() != tc.want {
			t.Errorf("ErrorAt(%q) = %v (%T), want the *Error %s", tc.path, err, err, tc.want)
		}
	}
	// A scenario built in code has no positions.
	code := &Scenario{Name: "code"}
	err = code.ErrorAt("resolvers.caches[0].ds", "expected %s", "less")
	var e *Error
	if errors.As(err, &e) || err == nil || err.Error() != "scenario code: resolvers.caches[0].ds: expected less" {
		t.Errorf("ErrorAt without positions = %v (%T)", err, err)
	}
}

// TestCheckCaches checks a population given cache by cache in a Scenario
// changed in code: the fields the caches replace must agree with them.
func TestCheckCaches(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *Resolvers)
		want   string // the problem; empty for none
	}{
		{"as decoded", func(r *Resolvers) {}, ""},
		{"another cache", func(r *Resolvers) {
			r.Caches = append(r.Caches, CacheSpec{Profile: "bind"})
			r.Count, r.Profiles = 3, []ProfileWeight{{"bind", 2}, {"unbound", 1}}
		}, ""},
		{"cache age", func(r *Resolvers) { r.CacheAge = "even" }, `resolvers.cache_age: expected given with resolvers.caches (the caches are the population), found "even"`},
		{"count", func(r *Resolvers) { r.Count = 1000 }, "resolvers.count: expected the number of caches in resolvers.caches (2), found 1000"},
		{"ages", func(r *Resolvers) { r.Ages = []time.Duration{time.Hour} }, "resolvers.ages: expected no ages with resolvers.caches (the caches are the population), found [1h]"},
		{"profiles", func(r *Resolvers) { r.Profiles = []ProfileWeight{{"bind", 2}, {"unbound", 1}} }, "resolvers.profiles: expected {bind: 1, unbound: 1} (the profiles of resolvers.caches, each weighted by its number of caches), found {bind: 2, unbound: 1}"},
		{"fractional fetch time", func(r *Resolvers) { r.Caches[0].Fetched[EntryKey] = -1500 * time.Millisecond }, "resolvers.caches[0].key: expected a fetch time at or before the epoch (0s or a negative duration such as -2h) in whole seconds, found -1.5s"},
		{"fractional phase", func(r *Resolvers) {
			r.Query, r.QueryInterval = "rate", time.Minute
			r.Caches[1].QueryPhase = 1500 * time.Millisecond
		}, "resolvers.caches[1].query_phase: expected a phase in whole seconds, found 1.5s"},
		{"too many servers", func(r *Resolvers) { r.Caches[0].Servers = slicesRepeat("losing", 10001) }, "resolvers.caches[0].servers: expected at most 10000 servers, found 10001"},
		{"no caches", func(r *Resolvers) { r.Caches = nil }, `resolvers.cache_age: expected even, random or explicit (given is for the caches of resolvers.caches, and there are none), found "given"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse([]byte(caches("{profile: bind}", "{profile: unbound, ds: -1h}")), "t.yaml")
			if err != nil {
				t.Fatal(err)
			}
			s.pos = nil // as built in code
			tc.change(&s.Resolvers)
			p := s.check()
			switch {
			case tc.want == "" && p != nil:
				t.Errorf("check = %v, want nil", p)
			case tc.want != "" && (p == nil || p.msg != tc.want):
				t.Errorf("check = %v, want %s", p, tc.want)
			}
		})
	}
}

// TestCheckWorst checks the comparisons and messages of worst-case
// expectations read from a file.
func TestCheckWorst(t *testing.T) {
	tests := []struct {
		line string // the expectation as written
		got  float64
		ok   bool
		msg  string
	}{
		{"worst.Bogus: never", 0, true, "worst.Bogus: got never, want never"},
		{"worst.Bogus: never", 61, false, "worst.Bogus: got 61s, want never"},
		{"worst.Bogus: never", 3601, false, "worst.Bogus: got 1h1s (3601 s), want never"},
		{"worst.Lame: possible", 3600, true, "worst.Lame: got 1h (3600 s), want possible"},
		{"worst.Lame: possible", 0, false, "worst.Lame: got never, want possible"},
		{"worst.bind.Bogus: never", 1, false, "worst.bind.Bogus: got 1s, want never"},
		{"worst.Bogus.max_seconds: \"<= 1m\"", 60, true, "worst.Bogus.max_seconds: got 1m (60 s), want <= 1m"},
		{"worst.Bogus.max_seconds: \"<= 1m\"", 0, true, "worst.Bogus.max_seconds: got 0s, want <= 1m"},
		{"worst.unbound.Bogus.max_seconds: \"<= 61s\"", 62, false, "worst.unbound.Bogus.max_seconds: got 62s, want <= 61s"},
		{"worst.unbound.Lame.max_seconds: 0", 0, true, "worst.unbound.Lame.max_seconds: got 0s, want == 0"},
		{"worst.Lame: never", math.NaN(), false, "worst.Lame: got no value, want never"},
	}
	for _, tc := range tests {
		s, err := Parse([]byte(minimal+"expect:\n  "+tc.line+"\n"), "t.yaml")
		if err != nil {
			t.Fatalf("%s: %v", tc.line, err)
		}
		e := s.Expect[0]
		if !e.Worst() {
			t.Errorf("%s: Worst() = false", tc.line)
		}
		ok, msg := e.Check(tc.got)
		if ok != tc.ok || msg != tc.msg {
			t.Errorf("%s: Check(%v) = %v, %q; want %v and %q", tc.line, tc.got, ok, msg, tc.ok, tc.msg)
		}
	}
	if (Expectation{Metric: "Bogus.max_seconds"}).Worst() {
		t.Error("Bogus.max_seconds: Worst() = true")
	}
}

// TestMetricKey checks how expectation keys are read.
func TestMetricKey(t *testing.T) {
	type key struct {
		Profile, Metric string
		Verdict, OK     bool
	}
	tests := []struct {
		key  string
		want key
	}{
		{"Bogus.cache_seconds", key{"", "Bogus.cache_seconds", false, true}},
		{"worst.Bogus", key{"", "worst.Bogus.max_seconds", true, true}},
		{"worst.Lame.max_seconds", key{"", "worst.Lame.max_seconds", false, true}},
		{"worst.bind.Bogus", key{"bind", "worst.Bogus.max_seconds", true, true}},
		{"worst.unbound.Lame.max_seconds", key{"unbound", "worst.Lame.max_seconds", false, true}},
		// A profile may share a state's name; STATE.max_seconds is read as
		// the bound for every profile.
		{"worst.Lame.Bogus", key{"Lame", "worst.Bogus.max_seconds", true, true}},
		// Not keys.
		{"worst", key{"", "worst", false, false}},
		{"worst.", key{}},
		{"worst.bind", key{}},
		{"worst..Bogus", key{}},
		{"worst.a.b.Bogus", key{}},
		{"worst.Bogus.caches", key{}},
		{"worst.Insecure", key{}},
		{"worst.bind.Bogus.max_seconds.x", key{}},
		{"Bogus.seconds", key{"", "Bogus.seconds", false, false}},
	}
	for _, tc := range tests {
		var got key
		got.Profile, got.Metric, got.Verdict, got.OK = metricKey(tc.key)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("metricKey(%q) (-want +got):\n%s", tc.key, diff)
		}
	}
}
