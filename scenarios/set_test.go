package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func loadPattern2(t *testing.T) *Scenario {
	t.Helper()
	s, err := Builtin("pattern-2")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSet sets every valid path once and reads the field back.
func TestSet(t *testing.T) {
	h, day := time.Hour, 24*time.Hour
	tests := []struct {
		path, value string
		get         func(s *Scenario) any
		want        any
	}{
		// Top level.
		{"seed", "42", func(s *Scenario) any { return s.Seed }, int64(42)},
		{"horizon", "20d", func(s *Scenario) any { return s.Horizon }, 20 * day},
		// "auto" brings back the default: the last step (5d) + 3 × 2d.
		{"horizon", "auto", func(s *Scenario) any { return s.Horizon }, 11 * day},
		{"transfer_step", "remove-old-ds", func(s *Scenario) any { return s.TransferStep }, "remove-old-ds"},
		{"probe.name", "Mail.Example.Test", func(s *Scenario) any { return s.Probe.Name }, "mail.example.test."},
		{"probe.type", "aaaa", func(s *Scenario) any { return s.Probe.Type }, uint16(28)},

		// Parent.
		{"parent.ns_ttl", "1d", func(s *Scenario) any { return s.Parent.NSTTL }, day},
		{"parent.ds_ttl", "7200", func(s *Scenario) any { return s.Parent.DSTTL }, 2 * h},
		{"parent.negative_ttl", "15m", func(s *Scenario) any { return s.Parent.NegativeTTL }, 15 * time.Minute},
		{"parent.processing_delay", "10m", func(s *Scenario) any { return s.Parent.ProcessingDelay }, 10 * time.Minute},
		{"parent.denial", "nsec3", func(s *Scenario) any { return s.Parent.Denial }, "nsec3"},
		{"parent.algorithm", "8", func(s *Scenario) any { return s.Parent.Algorithm }, uint8(8)},

		// Losing operator.
		{"losing.signed", "false", func(s *Scenario) any { return s.Losing.Signed }, false},
		{"losing.algorithm", "15", func(s *Scenario) any { return s.Losing.Algorithm }, uint8(15)},
		{"losing.ns_ttl", "2d", func(s *Scenario) any { return s.Losing.NSTTL }, 2 * day},
		{"losing.dnskey_ttl", "2d", func(s *Scenario) any { return s.Losing.DNSKEYTTL }, 2 * day},
		{"losing.data_ttl", "5m", func(s *Scenario) any { return s.Losing.DataTTL }, 5 * time.Minute},
		{"losing.nameservers", "a.example, B.example.", func(s *Scenario) any { return s.Losing.Nameservers }, []string{"a.example.", "b.example."}},
		// A hasty operator gets the default hasty action.
		{"losing.behaviour", "hasty", func(s *Scenario) any { return s.Losing.Behaviour + " " + s.Losing.HastyAction }, "hasty delete-dnskeys"},
		{"losing.delete_after", "30d", func(s *Scenario) any { return s.Losing.DeleteAfter }, 30 * day},
		{"losing.hasty_action", "delete-zone", func(s *Scenario) any { return s.Losing.HastyAction }, "delete-zone"},
		{"losing.hasty_delay", "1h", func(s *Scenario) any { return s.Losing.HastyDelay }, h},

		// Gaining operator.
		{"gaining.signed", "false", func(s *Scenario) any { return s.Gaining.Signed }, false},
		{"gaining.algorithm", "14", func(s *Scenario) any { return s.Gaining.Algorithm }, uint8(14)},
		{"gaining.ns_ttl", "3h", func(s *Scenario) any { return s.Gaining.NSTTL }, 3 * h},
		{"gaining.dnskey_ttl", "1d", func(s *Scenario) any { return s.Gaining.DNSKEYTTL }, day},
		{"gaining.data_ttl", "60", func(s *Scenario) any { return s.Gaining.DataTTL }, time.Minute},
		{"gaining.nameservers", "ns.gaining.example.", func(s *Scenario) any { return s.Gaining.Nameservers }, []string{"ns.gaining.example."}},
		{"gaining.behaviour", "passive", func(s *Scenario) any { return s.Gaining.Behaviour }, "passive"},
		{"gaining.delete_after", "0s", func(s *Scenario) any { return s.Gaining.DeleteAfter }, time.Duration(0)},
		{"gaining.hasty_action", "delete-dnskeys", func(s *Scenario) any { return s.Gaining.HastyAction }, "delete-dnskeys"},
		{"gaining.hasty_delay", "90s", func(s *Scenario) any { return s.Gaining.HastyDelay }, 90 * time.Second},

		// Resolvers.
		{"resolvers.count", "10", func(s *Scenario) any { return s.Resolvers.Count }, 10},
		// One profile for every cache.
		{"resolvers.profile", "unbound", func(s *Scenario) any { return s.Resolvers.Profiles }, []ProfileWeight{{"unbound", 1}}},
		// A whole population, sorted by name.
		{"resolvers.profiles", "unbound:3, bind:1.5", func(s *Scenario) any { return s.Resolvers.Profiles }, []ProfileWeight{{"bind", 1.5}, {"unbound", 3}}},
		{"resolvers.cache_age", "random", func(s *Scenario) any { return s.Resolvers.CacheAge }, "random"},
		// Ages make the ages explicit and set the count.
		{"resolvers.ages", "0s, 1h, 2h", func(s *Scenario) any {
			return []any{s.Resolvers.CacheAge, s.Resolvers.Count, s.Resolvers.Ages}
		}, []any{"explicit", 3, []time.Duration{0, h, 2 * h}}},
		// Continuous queries have no interval.
		{"resolvers.query", "continuous", func(s *Scenario) any { return s.Resolvers.Query }, "continuous"},
		// An interval makes queries come at a rate.
		{"resolvers.query_interval", "30s", func(s *Scenario) any { return s.Resolvers.Query + " " + s.Resolvers.QueryInterval.String() }, "rate 30s"},
		// One cache is the whole population, in place of the file's count,
		// profiles and cache age.
		{"resolvers.cache", "unbound ns=-1d ds=-1s servers=gaining", func(s *Scenario) any { return s.Resolvers }, Resolvers{
			Count: 1, Profiles: []ProfileWeight{{"unbound", 1}}, CacheAge: "given", Query: "continuous",
			Caches: []CacheSpec{{Profile: "unbound", Fetched: [4]time.Duration{-day, -time.Second, 0, 0}, Servers: []string{"gaining"}}},
		}},
		// Several, separated by ';', weigh their profiles by their number.
		{"resolvers.caches", "bind; unbound key=-30m ;bind answer=-5m", func(s *Scenario) any { return s.Resolvers }, Resolvers{
			Count: 3, Profiles: []ProfileWeight{{"bind", 2}, {"unbound", 1}}, CacheAge: "given", Query: "continuous",
			Caches: []CacheSpec{{Profile: "bind"}, {Profile: "unbound", Fetched: [4]time.Duration{EntryKey: -30 * time.Minute}}, {Profile: "bind", Fetched: [4]time.Duration{EntryAnswer: -5 * time.Minute}}},
		}},
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		covered[tc.path] = true
		t.Run(tc.path+"="+tc.value, func(t *testing.T) {
			s := loadPattern2(t)
			if err := s.Set(tc.path, tc.value); err != nil {
				t.Fatalf("Set: %v", err)
			}
			if diff := cmp.Diff(tc.want, tc.get(s)); diff != "" {
				t.Errorf("after Set (-want +got):\n%s", diff)
			}
		})
	}
	for _, p := range ValidPaths() {
		if !covered[p] {
			t.Errorf("ValidPaths() has %q, which TestSet does not cover", p)
		}
	}
}

// TestSetQueryRate sets a rate in the order a command line would.
func TestSetQueryRate(t *testing.T) {
	s := loadPattern2(t)
	// Rate with no interval is refused...
	if err := s.Set("resolvers.query", "rate"); err == nil || !strings.Contains(err.Error(), "query_interval") {
		t.Errorf("Set(query=rate) = %v, want an error naming query_interval", err)
	}
	// ... an interval switches to rate, and 0s back to continuous.
	if err := s.Set("resolvers.query_interval", "1m"); err != nil || s.Resolvers.Query != "rate" {
		t.Fatalf("Set(query_interval=1m) = %v, query %s", err, s.Resolvers.Query)
	}
	if err := s.Set("resolvers.query", "continuous"); err != nil || s.Resolvers.QueryInterval != 0 {
		t.Fatalf("Set(query=continuous) = %v, interval %v", err, s.Resolvers.QueryInterval)
	}
}

// TestSetUnknownPath checks the *PathError.
func TestSetUnknownPath(t *testing.T) {
	s := loadPattern2(t)
	err := s.Set("parent.dnskey_ttl", "1h")
	var pe *PathError
	if !errors.As(err, &pe) {
		t.Fatalf("Set(unknown) = %v (%T), want a *PathError", err, err)
	}
	if pe.Path != "parent.dnskey_ttl" || !cmp.Equal(pe.Valid, ValidPaths()) {
		t.Errorf("PathError = %+v", pe)
	}
	for _, p := range []string{"parent.ds_ttl", "losing.dnskey_ttl", "resolvers.count", "resolvers.profile", "seed", "horizon", "resolvers.cache_age"} {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not list %s", err, p)
		}
	}
}

// TestSetBadValue checks that a bad value names the path and the expected
// form, and leaves the scenario as it was.
func TestSetBadValue(t *testing.T) {
	tests := []struct {
		path, value string
		want        string // substring of the error
	}{
		// Not a duration.
		{"parent.ds_ttl", "soon", `set parent.ds_ttl=soon: parent.ds_ttl: expected a TTL such as "2h", "1d" or 3600 (seconds), from 0s to 2147483647s, found "soon" (expected a digit at offset 0, found 's')`},
		// A negative TTL.
		{"losing.dnskey_ttl", "-1h", "losing.dnskey_ttl: expected a TTL such as \"2h\", \"1d\" or 3600 (seconds), from 0s to 2147483647s, found the negative -1h"},
		// A TTL past RFC 2181's limit.
		{"gaining.ns_ttl", "2147483648", "found 2147483648, more than 2^31-1 seconds (RFC 2181 §8)"},
		// A negative delay.
		{"parent.processing_delay", "-5m", "found the negative -5m"},
		// Not a number.
		{"resolvers.count", "lots", `resolvers.count: expected a number of caches from 1 to 10000000 (drops resolvers.caches: the population is sampled again), found "lots"`},
		{"resolvers.count", "0", "resolvers.count"},
		{"seed", "x", "seed: expected an integer"},
		// Not in the set.
		{"parent.denial", "nsec5", `parent.denial: expected nsec or nsec3, found "nsec5"`},
		{"losing.behaviour", "lazy", "losing.behaviour: expected cooperative, passive or hasty"},
		{"resolvers.cache_age", "old", "resolvers.cache_age: expected even, random or explicit"},
		{"resolvers.query", "sometimes", "resolvers.query: expected continuous or rate"},
		{"losing.hasty_action", "shout", "losing.hasty_action: expected delete-dnskeys or delete-zone"},
		{"losing.signed", "maybe", "losing.signed: expected true or false"},
		// An algorithm the signer does not know.
		{"losing.algorithm", "3", "losing.algorithm: expected a DNSSEC algorithm the signer supports"},
		{"parent.algorithm", "256", "parent.algorithm: expected a DNSSEC algorithm number"},
		// Explicit ages with none given.
		{"resolvers.cache_age", "explicit", "resolvers.ages: expected one age per cache"},
		{"resolvers.ages", "1h,,2h", "resolvers.ages: expected comma-separated durations"},
		{"resolvers.profiles", "unbound=1", `resolvers.profiles: expected comma-separated NAME:WEIGHT pairs`},
		{"resolvers.profiles", "bind:1,bind:2", "found bind twice"},
		{"resolvers.profile", "", "resolvers.profile: expected a profile name"},
		{"resolvers.query_interval", "-1s", "found the negative"},
		// A horizon before the last step.
		{"horizon", "1d", "horizon: expected a time at or after the last step (all-secure at 5d), found 1d"},
		{"horizon", "0s", "a horizon is after the epoch"},
		// A step that does not exist.
		{"transfer_step", "move", `transfer_step: expected the name of a step (transfer, remove-old-ds, switch-ns, add-new-ds, all-secure), found "move"`},
		// A probe outside the child.
		{"probe.name", "www.example.org.", "probe.name: expected a name at or below the child"},
		{"probe.type", "NOPE", "probe.type: expected a query type"},
		// Bad name servers.
		{"losing.nameservers", "", "losing.nameservers: expected at least one name server name"},
		// Caches in their text form.
		{"resolvers.cache", "unbound ds=5m", `resolvers.cache: expected a cache "PROFILE [ns=T] [ds=T] [key=T] [answer=T] [servers=OP,...] [query_phase=D]" with fetch times T of 0s or less, such as "unbound ns=-1h ds=-30m servers=gaining" (the population becomes this one cache), found "unbound ds=5m" (ds: expected a fetch time at or before the epoch (0s or a negative duration such as -2h), found 5m)`},
		{"resolvers.cache", "", `found "" (expected a cache such as "unbound ns=-1h ds=-30m servers=gaining", found nothing)`},
		{"resolvers.cache", "bind; unbound", `found "bind; unbound" (expected a profile name without ';', found "bind;")`},
		{"resolvers.caches", "bind; ", `resolvers.caches: expected caches separated by ';', each "PROFILE [ns=T]`},
		{"resolvers.caches", "bind; ", `found "" as cache 2 (expected a cache such as "unbound ns=-1h ds=-30m servers=gaining", found nothing)`},
		{"resolvers.caches", "bind;unbound dss=-1s", `found "unbound dss=-1s" as cache 2 (expected KEY=VALUE with KEY one of ns, ds, key, answer, servers, query_phase, found "dss=-1s")`},
		// What the scenario does not allow: a query phase with continuous
		// queries.
		{"resolvers.cache", "bind query_phase=5s", "set resolvers.cache=bind query_phase=5s: resolvers.caches[0].query_phase: expected 0s or nothing with query continuous (the phase is for query rate), found 5s"},
		// given comes with the caches.
		{"resolvers.cache_age", "given", `resolvers.cache_age: expected even, random or explicit (drops resolvers.caches: the population is sampled again), found "given" (given comes with resolvers.cache or resolvers.caches)`},
	}
	for _, tc := range tests {
		t.Run(tc.path+"="+tc.value, func(t *testing.T) {
			s := loadPattern2(t)
			before := loadPattern2(t)
			err := s.Set(tc.path, tc.value)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Set(%s, %q) = %v, want an error containing %q", tc.path, tc.value, err, tc.want)
			}
			if diff := cmp.Diff(before, s, cmpScenario); diff != "" {
				t.Errorf("a failed Set changed the scenario (-before +after):\n%s", diff)
			}
		})
	}
}

// TestSetKeepsCount checks that a count that contradicts explicit ages is
// refused.
func TestSetKeepsCount(t *testing.T) {
	s := loadPattern2(t)
	if err := s.Set("resolvers.ages", "1h,2h"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("resolvers.count", "5"); err == nil || !strings.Contains(err.Error(), "expected the number of ages (2)") {
		t.Errorf("Set(count=5) with 2 ages = %v", err)
	}
	// Going back to even ages keeps the count and drops the ages.
	if err := s.Set("resolvers.cache_age", "even"); err != nil || s.Resolvers.Ages != nil || s.Resolvers.Count != 2 {
		t.Errorf("Set(cache_age=even) = %v; ages %v count %d", err, s.Resolvers.Ages, s.Resolvers.Count)
	}
}

// TestSetMovesSchedule checks that changing a TTL moves every step that
// waits for it, and only those.
func TestSetMovesSchedule(t *testing.T) {
	day := 24 * time.Hour
	times := func(s *Scenario) []time.Duration {
		var ts []time.Duration
		for _, st := range s.Procedure {
			ts = append(ts, st.At)
		}
		return ts
	}
	tests := []struct {
		path, value string
		want        []time.Duration // transfer, remove-old-ds, switch-ns, add-new-ds, all-secure
		horizon     time.Duration
	}{
		// The baseline: DS 1d, NS max(2d, 1d), then max(2d, 1d).
		{"seed", "1", []time.Duration{0, 0, day, 3 * day, 5 * day}, 11 * day},
		// A longer DS TTL moves switch-ns and everything after it.
		{"parent.ds_ttl", "2d", []time.Duration{0, 0, 2 * day, 4 * day, 6 * day}, 12 * day},
		// A longer child apex NS TTL wins the max of add-new-ds only.
		{"losing.ns_ttl", "3d", []time.Duration{0, 0, day, 4 * day, 6 * day}, 15 * day},
		// A shorter delegation NS TTL shortens both NS waits.
		{"parent.ns_ttl", "12h", []time.Duration{0, 0, day, 2 * day, 3 * day}, 6 * day},
		// A TTL no wait names moves nothing but the default horizon.
		{"losing.dnskey_ttl", "4d", []time.Duration{0, 0, day, 3 * day, 5 * day}, 17 * day},
	}
	for _, tc := range tests {
		t.Run(tc.path+"="+tc.value, func(t *testing.T) {
			s := loadPattern2(t)
			if err := s.Set(tc.path, tc.value); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, times(s)); diff != "" {
				t.Errorf("step times (-want +got):\n%s", diff)
			}
			if s.Horizon != tc.horizon {
				t.Errorf("horizon = %v, want %v", s.Horizon, tc.horizon)
			}
		})
	}

	// An explicit horizon stays put while the steps move, until a step
	// would pass it.
	s := loadPattern2(t)
	if err := s.Set("horizon", "8d"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("parent.ds_ttl", "2d"); err != nil || s.Horizon != 8*day {
		t.Errorf("Set(ds_ttl=2d) = %v, horizon %v; want nil, 8d", err, s.Horizon)
	}
	const want = "set parent.ds_ttl=5d: horizon: expected a time at or after the last step (all-secure at 9d), found 8d"
	if err := s.Set("parent.ds_ttl", "5d"); err == nil || err.Error() != want {
		t.Errorf("Set(ds_ttl=5d) = %v, want %s", err, want)
	}
}

// TestSetCaches checks that setting a sampled population's fields after
// caches drops the caches, keeping their count and profiles unless the
// setting changes them.
func TestSetCaches(t *testing.T) {
	h := time.Hour
	given := []CacheSpec{{Profile: "bind", Fetched: [4]time.Duration{EntryDS: -h}}, {Profile: "unbound"}}
	derived := []ProfileWeight{{"bind", 1}, {"unbound", 1}}
	tests := []struct {
		path, value string
		want        Resolvers
	}{
		{"resolvers.profile", "knot", Resolvers{Count: 2, Profiles: []ProfileWeight{{"knot", 1}}, CacheAge: "even", Query: "continuous"}},
		{"resolvers.profiles", "knot:2", Resolvers{Count: 2, Profiles: []ProfileWeight{{"knot", 2}}, CacheAge: "even", Query: "continuous"}},
		{"resolvers.count", "5", Resolvers{Count: 5, Profiles: derived, CacheAge: "even", Query: "continuous"}},
		{"resolvers.ages", "1h,2h,3h", Resolvers{Count: 3, Profiles: derived, CacheAge: "explicit", Ages: []time.Duration{h, 2 * h, 3 * h}, Query: "continuous"}},
		{"resolvers.cache_age", "random", Resolvers{Count: 2, Profiles: derived, CacheAge: "random", Query: "continuous"}},
		// Other settings keep the caches.
		{"resolvers.query_interval", "1m", Resolvers{Count: 2, Profiles: derived, CacheAge: "given", Query: "rate", QueryInterval: time.Minute, Caches: given}},
		{"parent.ds_ttl", "2h", Resolvers{Count: 2, Profiles: derived, CacheAge: "given", Query: "continuous", Caches: given}},
		// Caches replace caches.
		{"resolvers.cache", "knot", Resolvers{Count: 1, Profiles: []ProfileWeight{{"knot", 1}}, CacheAge: "given", Query: "continuous", Caches: []CacheSpec{{Profile: "knot"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.path+"="+tc.value, func(t *testing.T) {
			s := loadPattern2(t)
			if err := s.Set("resolvers.caches", "bind ds=-1h; unbound"); err != nil {
				t.Fatal(err)
			}
			if err := s.Set(tc.path, tc.value); err != nil {
				t.Fatalf("Set: %v", err)
			}
			if diff := cmp.Diff(tc.want, s.Resolvers); diff != "" {
				t.Errorf("after Set (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSetCachesOverFile checks that caches set over a file's count,
// profiles, cache age and ages replace them (the file's positions no longer
// count as fields given with the caches), and that a file's caches can be
// written in the text form and set back.
func TestSetCachesOverFile(t *testing.T) {
	s, err := Parse([]byte(minimal+"resolvers: {count: 5, profiles: {bind: 1}, cache_age: explicit, ages: [1h, 1h, 1h, 1h, 1h]}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("resolvers.caches", "bind ds=-1s;bind"); err != nil {
		t.Fatalf("Set(caches) over a file's population: %v", err)
	}
	if err := s.Set("parent.ds_ttl", "2h"); err != nil {
		t.Fatalf("Set(parent.ds_ttl) after the caches: %v", err)
	}

	s, err = Parse([]byte(caches(
		"{profile: unbound, ns: -23h59m59s, ds: -1s, key: -59m, answer: -10m, servers: [gaining, losing]}",
		"{profile: bind}",
	)), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, c := range s.Resolvers.Caches {
		texts = append(texts, c.String())
	}
	// duration.Format writes the shortest form: 86399s rather than 23h59m59s.
	want := []string{"unbound ns=-86399s ds=-1s key=-59m answer=-10m servers=gaining,losing", "bind"}
	if diff := cmp.Diff(want, texts); diff != "" {
		t.Fatalf("String (-want +got):\n%s", diff)
	}
	before := s.Resolvers
	if err := s.Set("resolvers.caches", strings.Join(texts, "; ")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, s.Resolvers); diff != "" {
		t.Errorf("caches set back from their text (-file +set):\n%s", diff)
	}
}

// TestParseCacheSpec reads caches in their text form and writes them back.
func TestParseCacheSpec(t *testing.T) {
	h, m, sec := time.Hour, time.Minute, time.Second
	tests := []struct {
		text string
		want CacheSpec
		back string // String of the result
	}{
		{"unbound ns=-23h59m59s ds=-1s key=-59m answer=-10m servers=gaining,losing",
			CacheSpec{Profile: "unbound", Fetched: [4]time.Duration{-24*h + sec, -sec, -59 * m, -10 * m}, Servers: []string{"gaining", "losing"}},
			"unbound ns=-86399s ds=-1s key=-59m answer=-10m servers=gaining,losing"},
		// Only the profile: every entry fetched at the epoch.
		{"bind", CacheSpec{Profile: "bind"}, "bind"},
		// Any order, any spacing, any spelling of a duration; 0s is left
		// out of the text.
		{"  bind \t query_phase=30 ds=-3600  ns=0s ", CacheSpec{Profile: "bind", Fetched: [4]time.Duration{EntryDS: -h}, QueryPhase: 30 * sec}, "bind ds=-1h query_phase=30s"},
		{"knot answer=-1D12H servers=losing", CacheSpec{Profile: "knot", Fetched: [4]time.Duration{EntryAnswer: -36 * h}, Servers: []string{"losing"}}, "knot answer=-36h servers=losing"},
		{"x ns=-0 query_phase=0s", CacheSpec{Profile: "x"}, "x"},
	}
	for _, tc := range tests {
		got, err := ParseCacheSpec(tc.text)
		if err != nil {
			t.Errorf("ParseCacheSpec(%q): %v", tc.text, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseCacheSpec(%q) (-want +got):\n%s", tc.text, diff)
		}
		if s := got.String(); s != tc.back {
			t.Errorf("ParseCacheSpec(%q).String() = %q, want %q", tc.text, s, tc.back)
		}
		again, err := ParseCacheSpec(got.String())
		if err != nil || !cmp.Equal(again, got) {
			t.Errorf("ParseCacheSpec(%q) = %+v, %v; want %+v again", got.String(), again, err, got)
		}
	}
}

// TestCacheSpecString writes caches built in code.
func TestCacheSpecString(t *testing.T) {
	tests := []struct {
		c    CacheSpec
		want string
	}{
		{CacheSpec{Profile: "bind"}, "bind"},
		{CacheSpec{Profile: "bind", Fetched: [4]time.Duration{EntryDS: -time.Second}, QueryPhase: 90 * time.Second}, "bind ds=-1s query_phase=90s"},
		{CacheSpec{Profile: "unbound", Fetched: [4]time.Duration{EntryKey: -time.Hour, EntryNS: -2 * time.Hour}, Servers: []string{"losing"}}, "unbound ns=-2h key=-1h servers=losing"},
	}
	for _, tc := range tests {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.c, got, tc.want)
		}
	}
}

// TestParseCacheSpecErrors checks that each error says what was expected
// and what was found.
func TestParseCacheSpecErrors(t *testing.T) {
	const fetch = "expected a fetch time at or before the epoch (0s or a negative duration such as -2h)"
	tests := []struct {
		text, want string
	}{
		{"", `expected a cache such as "unbound ns=-1h ds=-30m servers=gaining", found nothing`},
		{" \t ", `expected a cache such as "unbound ns=-1h ds=-30m servers=gaining", found nothing`},
		{"ds=-1s", `expected the cache's profile name first, found "ds=-1s"`},
		{"a;b", `expected a profile name without ';', found "a;b"`},
		{"bind ds", `expected KEY=VALUE with KEY one of ns, ds, key, answer, servers, query_phase, found "ds"`},
		{"bind age=1h", `expected KEY=VALUE with KEY one of ns, ds, key, answer, servers, query_phase, found "age=1h"`},
		{"bind ds=-1s ds=-2s", "expected each field once, found ds= twice"},
		{"bind ds=5m", "ds: " + fetch + ", found 5m"},
		{"bind ns=300", "ns: " + fetch + ", found 5m"},
		{"bind key=soon", "key: " + fetch + `, found "soon" (expected a digit at offset 0, found 's')`},
		{"bind answer=", "answer: " + fetch + ", found nothing"},
		{"bind ns=-1h30m1h", "ns: " + fetch + `, found "-1h30m1h" (unit 'h' at offset 6 is out of order or repeated: write units from the largest to the smallest (w, d, h, m, s), each at most once)`},
		{"bind servers=losing,third", `servers: expected comma-separated operators, each losing or gaining, found "third"`},
		{"bind servers=", `servers: expected comma-separated operators, each losing or gaining, found ""`},
		{"bind servers=" + strings.Repeat("losing,", 10000) + "gaining", "servers: expected at most 10000 servers, found 10001"},
		{"bind query_phase=-1s", "query_phase: expected a duration of 0s or more, found the negative -1s"},
		{"bind query_phase=x", `query_phase: expected a duration of 0s or more, found "x" (expected a digit at offset 0, found 'x')`},
	}
	for _, tc := range tests {
		_, err := ParseCacheSpec(tc.text)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseCacheSpec(%.40q) = %v, want %s", tc.text, err, tc.want)
		}
	}
}
