package sim

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dnssecsim/dnssecsim/scenarios"
)

// measured loads the time-scaled pattern-2 replay of measured-transfers.md
// with the given overrides.
func measured(t testing.TB, sets ...string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Load("testdata/measured.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return withSets(t, sc, sets...)
}

// withSets applies PATH=VALUE overrides to sc.
func withSets(t testing.TB, sc *scenarios.Scenario, sets ...string) *scenarios.Scenario {
	t.Helper()
	for _, kv := range sets {
		k, v, _ := strings.Cut(kv, "=")
		if err := sc.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	return sc
}

func run(t testing.TB, sc *scenarios.Scenario, opt Options) *Result {
	t.Helper()
	r, err := Run(sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestHandWorkedIntervals checks the exact state intervals of two caches of
// pattern 2 (measured.yaml: parent NS 40 s, DS 20 s, negative 10 s; child
// DNSKEY 30 s, data 10 s; DS removed at 15 s, NS switched at 37 s, new DS
// at 79 s) under two profiles. Every entry is fetched again the moment it
// expires; a cache of age a fetched each entry at -a, so an entry of TTL L
// first expires at L - (a mod L).
func TestHandWorkedIntervals(t *testing.T) {
	tests := []struct {
		profile string
		age     string
		want    []Interval
	}{
		// parent-centric, age 0: NS expires 40, DS 20, DNSKEY 30, answer 10.
		// At 20 the DS is fetched again: gone (proof cached 10 s), and the
		// DS is read on each validation, so the answer fetched at 20 is
		// Insecure. At 40 the NS is fetched again and points at the
		// gaining operator. At 80 (the first fetch after 79) the new DS
		// arrives, the gaining DNSKEY set validates against it: Secure.
		{"parent-centric", "0s", []Interval{{0, 20, Secure}, {20, 80, Insecure}, {80, 300, Secure}}},
		// parent-centric, age 10: answer 10, DS 10, DNSKEY 20, NS 30. The
		// DS fetched at 10 is still the old one (the removal is at 15);
		// it expires at 30, when the answer turns Insecure. The NS moves at
		// 70, the new DS is seen at 80.
		{"parent-centric", "10s", []Interval{{0, 30, Secure}, {30, 80, Insecure}, {80, 300, Secure}}},
		// unbound, age 0: the DS is gone at 20, but the validated DNSKEY set
		// is used until it expires at 30 without looking at the DS again:
		// Secure until the answer fetched at 30 finds a null key entry.
		{"unbound", "0s", []Interval{{0, 30, Secure}, {30, 80, Insecure}, {80, 300, Secure}}},
		// unbound, age 10: the DNSKEY set is fetched again at 20 with the
		// old DS still cached (expires 30), so it lives until 50: the
		// answers of the losing operator stay Secure until then.
		{"unbound", "10s", []Interval{{0, 50, Secure}, {50, 80, Insecure}, {80, 300, Secure}}},
	}
	for _, tc := range tests {
		t.Run(tc.profile+"/"+tc.age, func(t *testing.T) {
			sc := measured(t, "resolvers.profile="+tc.profile, "resolvers.ages="+tc.age)
			r := run(t, sc, Options{Timelines: true})
			if len(r.Timelines) != 1 {
				t.Fatalf("%d timelines, want 1", len(r.Timelines))
			}
			if d := cmp.Diff(tc.want, r.Timelines[0].Intervals); d != "" {
				t.Errorf("intervals (-want +got):\n%s", d)
			}
		})
	}
}

// profileStates returns, per profile, how many caches ever entered st and
// the longest time one of them spent in it.
func profileStates(r *Result, st State) map[string][2]float64 {
	out := map[string][2]float64{}
	for _, tl := range r.Timelines {
		entered, total := 0.0, 0.0
		for _, iv := range tl.Intervals {
			if iv.State == st {
				entered = 1
				total += iv.To - iv.From
			}
		}
		v := out[tl.Profile]
		v[0] += entered
		v[1] = max(v[1], total)
		out[tl.Profile] = v
	}
	return out
}

// TestMeasuredTransfers replays the variants of measured-transfers.md and
// checks that the profiles reproduce what real Unbound and BIND did.
func TestMeasuredTransfers(t *testing.T) {
	t.Run("baseline", func(t *testing.T) {
		// No cache goes Bogus; every cache is Insecure for a while.
		r := run(t, measured(t), Options{Timelines: true})
		if m := r.Metric(Bogus); m.CacheSeconds != 0 {
			t.Errorf("Bogus %v cache-seconds, want 0", m.CacheSeconds)
		}
		if m := r.Metric(Insecure); m.Caches != 8 {
			t.Errorf("%d caches Insecure, want all 8", m.Caches)
		}
	})
	t.Run("long DNSKEY TTL", func(t *testing.T) {
		// DNSKEY TTL 90 s, longer than the DS and NS waits: Unbound keeps
		// the losing keys and answers Bogus for the gaining operator's
		// signatures (EDE 9, then its cached Bogus answer for 60 s); BIND
		// re-proves the chain, finds no DS and answers Insecure.
		r := run(t, measured(t, "losing.dnskey_ttl=90s", "gaining.dnskey_ttl=90s"), Options{Timelines: true})
		bogus := profileStates(r, Bogus)
		if bogus["unbound"][0] == 0 {
			t.Errorf("no Unbound cache Bogus")
		}
		if bogus["unbound"][1] < 60 {
			t.Errorf("Unbound Bogus at most %v s, want at least val-bogus-ttl 60 s", bogus["unbound"][1])
		}
		if bogus["bind"][0] != 0 {
			t.Errorf("%v BIND caches Bogus, want none", bogus["bind"][0])
		}
	})
	t.Run("early DS", func(t *testing.T) {
		// The gaining DS is registered 5 s after the NS switch: caches
		// still on the losing servers fetch the new DS and find no key
		// for it. Bogus for both resolvers.
		sc := measured(t)
		e, err := scenarios.ParseExpr("5s")
		if err != nil {
			t.Fatal(err)
		}
		sc.Procedure[2].Wait = e
		if err := sc.Schedule(); err != nil {
			t.Fatal(err)
		}
		r := run(t, sc, Options{Timelines: true})
		bogus := profileStates(r, Bogus)
		if bogus["unbound"][0] == 0 || bogus["bind"][0] == 0 {
			t.Errorf("Bogus caches per profile %v, want some of each", bogus)
		}
	})
	t.Run("hasty losing, keys", func(t *testing.T) {
		// The losing operator deletes its DNSKEYs at the DS removal:
		// caches still holding the old DS find no key for it.
		r := run(t, measured(t, "losing.behaviour=hasty", "losing.hasty_action=delete-dnskeys"), Options{})
		if m := r.Metric(Bogus); m.Caches == 0 {
			t.Error("no cache Bogus")
		}
	})
	t.Run("hasty losing, zone", func(t *testing.T) {
		// The losing operator deletes the zone: failures (Lame), not Bogus,
		// until the caches reach the gaining servers, then Insecure.
		r := run(t, measured(t, "losing.behaviour=hasty", "losing.hasty_action=delete-zone"), Options{})
		if m := r.Metric(Bogus); m.Caches != 0 {
			t.Errorf("%d caches Bogus, want none", m.Caches)
		}
		if m := r.Metric(Lame); m.Caches != 8 {
			t.Errorf("%d caches Lame, want all 8", m.Caches)
		}
		if m := r.Metric(Lame); *m.Last > 37+40 {
			t.Errorf("Lame until %v s, after the NS switch plus a parent NS TTL", *m.Last)
		}
	})
}

// TestDeterminism: the same scenario and seed give byte-identical JSON and
// trace, with random cache ages too.
func TestDeterminism(t *testing.T) {
	for _, age := range []string{"even", "random"} {
		t.Run(age, func(t *testing.T) {
			var outs [2][]byte
			var traces [2]string
			for i := range outs {
				sc, err := scenarios.Builtin("pattern-2")
				if err != nil {
					t.Fatal(err)
				}
				if err := sc.Set("resolvers.cache_age", age); err != nil {
					t.Fatal(err)
				}
				r := run(t, sc, Options{Caches: 300, Timelines: true, Trace: true})
				outs[i], _ = json.Marshal(r)
				traces[i] = strings.Join(r.Trace, "\n")
			}
			if !bytes.Equal(outs[0], outs[1]) {
				t.Error("JSON differs between two runs")
			}
			if traces[0] != traces[1] {
				t.Error("trace differs between two runs")
			}
		})
	}
}

// randomTTLs sets pattern-2's TTLs to random values (seconds to days).
func randomTTLs(t *testing.T, rng *rand.Rand, sc *scenarios.Scenario) {
	t.Helper()
	pick := func(lo, hi time.Duration) string {
		return fmt.Sprintf("%ds", int64(lo/time.Second)+rng.Int64N(int64((hi-lo)/time.Second)))
	}
	for path, v := range map[string]string{
		"parent.ns_ttl":       pick(time.Minute, 2*day),
		"parent.ds_ttl":       pick(time.Minute, 2*day),
		"parent.negative_ttl": pick(time.Minute, 3*time.Hour),
		"losing.ns_ttl":       pick(time.Minute, 2*day),
		"losing.dnskey_ttl":   pick(time.Minute, 2*day),
		"losing.data_ttl":     pick(time.Minute, 6*time.Hour),
		"gaining.ns_ttl":      pick(time.Minute, 2*day),
		"gaining.dnskey_ttl":  pick(time.Minute, 2*day),
		"gaining.data_ttl":    pick(time.Minute, 6*time.Hour),
	} {
		if err := sc.Set(path, v); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPattern2Properties checks the guideline's claims over many random TTL
// combinations and cache ages, for the resolver the guideline assumes
// (parent-centric, the DS re-read when it expires).
func TestPattern2Properties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	n := 40
	if testing.Short() {
		n = 8
	}
	for i := range n {
		sc, err := scenarios.Builtin("pattern-2")
		if err != nil {
			t.Fatal(err)
		}
		randomTTLs(t, rng, sc)
		for _, kv := range []string{"resolvers.profile=parent-centric", "resolvers.cache_age=random", fmt.Sprintf("seed=%d", i)} {
			k, v, _ := strings.Cut(kv, "=")
			if err := sc.Set(k, v); err != nil {
				t.Fatal(err)
			}
		}
		r := run(t, sc, Options{Caches: 150})
		if m := r.Metric(Bogus); m.CacheSeconds != 0 {
			t.Errorf("case %d %v: Bogus %v cache-seconds with the guideline's waits", i, r.Params, m.CacheSeconds)
		}

		// The new DS before the old NS TTL has passed (here: 1 s after the
		// NS switch) is Bogus for caches still on the losing servers,
		// provided a cache still holds the losing NS set by then.
		e, _ := scenarios.ParseExpr("1s")
		sc.Procedure[3].Wait = e
		if err := sc.Schedule(); err != nil {
			t.Fatal(err)
		}
		if sc.Parent.NSTTL > 10*time.Minute {
			r := run(t, sc, Options{Caches: 150})
			if m := r.Metric(Bogus); m.CacheSeconds == 0 {
				t.Errorf("case %d %v: early DS gave no Bogus", i, r.Params)
			}
		}
	}
}

// TestInsecureGrowsWithDSTTL: the longest Insecure stretch grows with the
// parent's DS TTL (the wait before the NS switch is the DS TTL). Below the
// negative TTL the stretch is set by the refetch of the no-DS proof instead.
func TestInsecureGrowsWithDSTTL(t *testing.T) {
	prev := -1.0
	for _, ds := range []string{"1h", "6h", "1d", "2d"} {
		sc, err := scenarios.Builtin("pattern-2")
		if err != nil {
			t.Fatal(err)
		}
		for _, kv := range []string{"parent.ds_ttl=" + ds, "resolvers.profile=parent-centric"} {
			k, v, _ := strings.Cut(kv, "=")
			if err := sc.Set(k, v); err != nil {
				t.Fatal(err)
			}
		}
		r := run(t, sc, Options{Caches: 200})
		got := r.Metric(Insecure).MaxSeconds
		if got <= prev {
			t.Errorf("DS TTL %s: longest Insecure %v s, not more than %v s with a shorter DS TTL", ds, got, prev)
		}
		prev = got
	}
}

// TestStaysFlatWithHorizon: doubling the horizon adds no events once the
// world has stopped changing.
func TestStaysFlatWithHorizon(t *testing.T) {
	var events [2]int64
	for i, h := range []string{"20d", "40d"} {
		sc, err := scenarios.Builtin("pattern-2")
		if err != nil {
			t.Fatal(err)
		}
		if err := sc.Set("horizon", h); err != nil {
			t.Fatal(err)
		}
		events[i] = run(t, sc, Options{Caches: 500}).Stats.Events
	}
	if events[1] != events[0] {
		t.Errorf("events %d with a 20d horizon, %d with 40d: want equal", events[0], events[1])
	}
}

// TestServeStale: a resolver that serves stale data (RFC 8767) answers with
// its last good answer while the losing operator's deleted zone makes every
// fresh resolution fail, so it never reports Lame.
func TestServeStale(t *testing.T) {
	for _, tc := range []struct {
		profile  string
		wantLame bool
	}{
		{"unbound", true},            // serve-expired is off by default
		{"public-cloudflare", false}, // serves stale
	} {
		r := run(t, measured(t, "losing.behaviour=hasty", "losing.hasty_action=delete-zone", "resolvers.profile="+tc.profile), Options{})
		if got := r.Metric(Lame).Caches > 0; got != tc.wantLame {
			t.Errorf("%s: Lame caches %d, want Lame %v", tc.profile, r.Metric(Lame).Caches, tc.wantLame)
		}
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

// TestTraceGolden pins the event trace of the measured replay: every world
// change and every cache state change, in order.
func TestTraceGolden(t *testing.T) {
	r := run(t, measured(t), Options{Trace: true})
	got := strings.Join(r.Trace, "\n") + "\n"
	const golden = "testdata/measured.trace.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("trace (-want +got):\n%s", d)
	}
}

// TestQueryRate: with a client query rate, a cache changes state only when
// a client asks, so every change of one cache falls on its own query grid
// (one residue modulo the query interval).
func TestQueryRate(t *testing.T) {
	sc, err := scenarios.Builtin("pattern-2")
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Set("resolvers.query_interval", "10m"); err != nil {
		t.Fatal(err)
	}
	r := run(t, sc, Options{Caches: 50, Timelines: true})
	const q = 600.0
	for _, tl := range r.Timelines {
		residue := -1.0
		for _, iv := range tl.Intervals[1:] {
			got := math.Mod(iv.From, q)
			if residue < 0 {
				residue = got
			} else if math.Abs(got-residue) > 1e-6 {
				t.Fatalf("cache %d changes state at %v s, off its query grid (residue %v, want %v)", tl.Cache, iv.From, got, residue)
			}
		}
	}
	if m := r.Metric(Insecure); m.Caches != 50 {
		t.Errorf("%d caches Insecure, want all 50", m.Caches)
	}
}
