package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dnssecsim/dnssecsim/internal/duration"
)

var errPrefix = regexp.MustCompile(`^f\.yaml:[1-9][0-9]*:[1-9][0-9]*: \S`)

// FuzzParse checks that Parse never panics, that every error is an *Error
// with a position, and that a scenario it accepts is consistent: steps
// inside the horizon, a schedule that resolves again to the same times, and
// Set accepting the values the scenario already has.
func FuzzParse(f *testing.F) {
	for _, name := range BuiltinNames() {
		data, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	full, err := os.ReadFile(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + "  - {name: a, after: b, wait: max(1h, 2 * (parent.ds_ttl + 1m))}\n  - {name: b, after: transfer}\n"))
	f.Add([]byte(minimal + "resolvers: {cache_age: explicit, ages: [1h, 2h]}\nexpect: {Bogus.caches: \"< 3\"}\n"))
	f.Add([]byte(minimal + "resolvers:\n  caches:\n    - {profile: unbound, ns: -1d, ds: -1s, key: -59m, answer: -10m, servers: [gaining, losing]}\n    - {profile: bind}\n"))
	f.Add([]byte(minimal + "resolvers: {query: rate, query_interval: 1m, caches: [{profile: bind, query_phase: 30s}]}\nexpect: {worst.Bogus: never, worst.bind.Lame.max_seconds: \"<= 1m\"}\n"))
	f.Add([]byte("a: &x [1]\nb: *x\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, "f.yaml")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			if !errPrefix.MatchString(err.Error()) {
				t.Fatalf("error without a position: %q", err)
			}
			return
		}
		for _, st := range s.Procedure {
			if st.At < 0 || st.At > s.Horizon {
				t.Fatalf("step %s at %v outside [0, horizon %v]", st.Name, st.At, s.Horizon)
			}
		}
		var times []int64
		for _, st := range s.Procedure {
			times = append(times, int64(st.At))
		}
		if err := s.Schedule(); err != nil {
			t.Fatalf("Schedule after Parse: %v", err)
		}
		for i, st := range s.Procedure {
			if int64(st.At) != times[i] {
				t.Fatalf("Schedule moved %s from %v to %v", st.Name, times[i], st.At)
			}
		}
		if err := s.Set("parent.ds_ttl", duration.Format(s.Parent.DSTTL)); err != nil {
			t.Fatalf("Set(parent.ds_ttl) to its own value: %v", err)
		}
		if len(s.Resolvers.Caches) > 0 {
			var texts []string
			for _, c := range s.Resolvers.Caches {
				texts = append(texts, c.String())
			}
			if err := s.Set("resolvers.caches", strings.Join(texts, ";")); err != nil {
				t.Fatalf("Set(resolvers.caches) to their own text: %v", err)
			}
		}
		if err := s.Set("resolvers.count", "1"); err != nil && s.Resolvers.CacheAge != "explicit" {
			t.Fatalf("Set(resolvers.count=1): %v", err)
		}
	})
}

// FuzzParseCacheSpec checks that ParseCacheSpec never panics and that what
// it accepts writes back to text that reads as the same cache.
func FuzzParseCacheSpec(f *testing.F) {
	for _, s := range []string{"unbound ns=-23h59m59s ds=-1s key=-59m answer=-10m servers=gaining,losing", "bind", " bind  query_phase=30 ds=-3600 ", "knot answer=-1D12H servers=losing,losing", "x ns=-0", "bind ds=5m", "bind servers=", "a;b", "ds=-1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCacheSpec(text)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseCacheSpec(%q): an empty error", text)
			}
			return
		}
		back, err := ParseCacheSpec(c.String())
		if err != nil {
			t.Fatalf("ParseCacheSpec(%q).String() = %q, which does not parse: %v", text, c.String(), err)
		}
		if !cmp.Equal(back, c) || back.String() != c.String() {
			t.Fatalf("%q → %+v → %q → %+v", text, c, c.String(), back)
		}
		if strings.Contains(c.String(), ";") {
			t.Fatalf("ParseCacheSpec(%q).String() = %q holds the separator of resolvers.caches", text, c.String())
		}
	})
}

// FuzzParseExpr checks that ParseExpr never panics and that the canonical
// form of what it accepts reads back as the same expression.
func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{"0s", "parent.ds_ttl + 1h", "max(parent.ns_ttl, losing.ns_ttl) + 1h", "2 * (1h + min(1m, 2m))", "((1h))", "3 * 2 * 1d12h", "9223372036854775807 * 1w"} {
		f.Add(s)
	}
	sc := &Scenario{}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := ParseExpr(src)
		if err != nil {
			var ee *ExprError
			if !errors.As(err, &ee) || ee.Offset < 0 || ee.Offset > len(src) {
				t.Fatalf("ParseExpr(%q): bad error %v", src, err)
			}
			return
		}
		back, err := ParseExpr(e.String())
		if err != nil {
			t.Fatalf("ParseExpr(%q).String() = %q, which does not parse: %v", src, e.String(), err)
		}
		if back.String() != e.String() || back.Eval(sc) != e.Eval(sc) {
			t.Fatalf("%q → %q → %q", src, e.String(), back.String())
		}
	})
}
