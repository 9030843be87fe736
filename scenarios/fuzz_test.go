package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

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
		if err := s.Set("resolvers.count", "1"); err != nil && s.Resolvers.CacheAge != "explicit" {
			t.Fatalf("Set(resolvers.count=1): %v", err)
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
