package plan

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dnssecsim/dnssecsim/scenarios"
)

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// TestClassify reproduces the guideline's case table (docs/guideline.md,
// "The case table") row by row: the situation's answers give the case
// number, the pattern and the state path.
func TestClassify(t *testing.T) {
	y, n, u := Yes, No, Unknown
	tests := []struct {
		comment string
		sit     Situation
		cas     int
		pattern int
		path    []string
	}{
		{"transfer, NS change, signed both sides, key exchange: method (1)", Situation{y, y, y, y, y}, 1, 1, []string{"Secure"}},
		{"transfer, NS change, signed both sides, no key exchange: method (2)", Situation{y, y, y, y, n}, 2, 2, []string{"Secure", "Insecure", "Secure"}},
		{"transfer, NS change, DNSSEC dropped: pattern 4", Situation{y, y, y, n, u}, 3, 4, []string{"Secure", "Insecure"}},
		{"transfer, NS change, DNSSEC started: pattern 3", Situation{y, y, n, y, u}, 4, 3, []string{"Insecure", "Secure"}},
		{"transfer, NS change, no DNSSEC: ordinary transfer", Situation{y, y, n, n, u}, 5, 0, []string{"Insecure"}},
		{"transfer, same servers, signed both sides: nothing changes", Situation{y, n, y, y, u}, 6, 5, []string{"Secure"}},
		{"transfer, same servers, the gaining registrar cannot relay DS", Situation{y, n, y, n, u}, 7, 4, []string{"Secure", "Insecure"}},
		{"transfer, same servers, the losing registrar could not relay DS", Situation{y, n, n, y, u}, 8, 3, []string{"Insecure", "Secure"}},
		{"transfer, same servers, no DNSSEC", Situation{y, n, n, n, u}, 9, 0, []string{"Insecure"}},
		{"operator change only, key exchange: method (1)", Situation{n, y, y, y, y}, 10, 1, []string{"Secure"}},
		{"operator change only, no key exchange: method (2)", Situation{n, y, y, y, n}, 11, 2, []string{"Secure", "Insecure", "Secure"}},
		{"operator change only, DNSSEC dropped", Situation{n, y, y, n, u}, 12, 4, []string{"Secure", "Insecure"}},
		{"operator change only, DNSSEC started", Situation{n, y, n, y, u}, 13, 3, []string{"Insecure", "Secure"}},
		{"operator change only, no DNSSEC", Situation{n, y, n, n, u}, 14, 0, []string{"Insecure"}},
		{"nothing moves: out of scope, whatever the DNSSEC answers", Situation{n, n, y, n, u}, 15, -1, nil},
		{"key exchange no is harmless where it does not apply", Situation{y, y, y, n, n}, 3, 4, []string{"Secure", "Insecure"}},
	}
	for _, tc := range tests {
		t.Run(tc.comment, func(t *testing.T) {
			c, err := Classify(tc.sit)
			if err != nil {
				t.Fatal(err)
			}
			if c.Number != tc.cas || c.Pattern != tc.pattern {
				t.Errorf("case %d pattern %d, want case %d pattern %d", c.Number, c.Pattern, tc.cas, tc.pattern)
			}
			if diff := cmp.Diff(tc.path, c.StatePath); diff != "" {
				t.Errorf("state path (-want +got):\n%s", diff)
			}
		})
	}
	if len(Cases()) != 15 {
		t.Errorf("Cases() has %d rows, want 15", len(Cases()))
	}
	for i, c := range Cases() {
		got, err := Classify(c.Situation)
		if err != nil || got.Number != i+1 {
			t.Errorf("row %d: Classify(its own situation) = case %d, %v", i+1, got.Number, err)
		}
	}
}

// TestClassifyErrors checks that contradictory and incomplete situations
// are explained.
func TestClassifyErrors(t *testing.T) {
	y, n, u := Yes, No, Unknown
	tests := []struct {
		comment string
		sit     Situation
		want    string
	}{
		{"a key exchange with a losing side that does not sign", Situation{y, y, n, y, y}, "--key-exchange yes contradicts --dnssec-before no"},
		{"a key exchange with a gaining side that does not sign", Situation{y, y, y, n, y}, "--key-exchange yes contradicts --dnssec-after no"},
		{"a key exchange with no second operator", Situation{y, n, y, y, y}, "--key-exchange yes contradicts --ns-change no"},
		{"a key exchange when nothing moves", Situation{n, n, u, u, y}, "--key-exchange yes contradicts --ns-change no"},
		{"the registrar question unanswered", Situation{u, y, y, y, n}, "--registrar-change is needed"},
		{"both move questions unanswered", Situation{u, u, y, y, n}, "--registrar-change and --ns-change are needed"},
		{"the DNSSEC questions unanswered", Situation{y, y, u, u, u}, "--dnssec-before and --dnssec-after are needed"},
		{"the key exchange question unanswered where it decides", Situation{y, y, y, y, u}, "--key-exchange is needed"},
	}
	for _, tc := range tests {
		t.Run(tc.comment, func(t *testing.T) {
			_, err := Classify(tc.sit)
			var se *SituationError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Classify(%+v) = %v, want a SituationError with %q", tc.sit, err, tc.want)
			}
		})
	}
}

// builtinPlan makes the plan of case n from its built-in with sets applied.
func builtinPlan(t *testing.T, n int, sets ...string) *Plan {
	t.Helper()
	c := Cases()[n-1]
	sc, err := scenarios.Builtin(c.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range sets {
		k, v, _ := strings.Cut(kv, "=")
		if err := sc.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	p, err := Make(c, sc)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func waits(p *Plan) []time.Duration {
	var w []time.Duration
	for _, st := range p.Steps {
		w = append(w, st.Wait)
	}
	return w
}

// TestMakeWaits checks the waits of pattern 2 as the TTLs and the
// population's caps change them.
func TestMakeWaits(t *testing.T) {
	tests := []struct {
		comment string
		sets    []string
		// waits of transfer, remove-old-ds, switch-ns, add-new-ds, all-secure
		want   []time.Duration
		reason string // a substring of the switch-ns or add-new-ds reason
	}{
		// The switch waits the DS TTL plus the DNSKEY TTL for key caches
		// (Unbound and BIND): a key entry rebuilt from a DS fetched just
		// before its removal lives a DNSKEY TTL past that DS. All-secure
		// comes one negative TTL plus one answer TTL after the new DS.
		{"the built-in's .com-like TTLs: DS 1d, NS 2d, negative 1h",
			nil, []time.Duration{0, 0, day + hour, 2 * day, 2 * hour}, "wait parent DS TTL + losing DNSKEY TTL 25h"},
		{"a DNSKEY TTL longer than the DS TTL lengthens the DS wait (key caches)",
			[]string{"losing.dnskey_ttl=2d"}, []time.Duration{0, 0, 3 * day, 2 * day, 2 * hour}, "wait parent DS TTL + losing DNSKEY TTL 3d"},
		{"Unbound alone caps that DNSKEY TTL, and the NS TTL, at 1d",
			[]string{"losing.dnskey_ttl=2d", "resolvers.profile=unbound"}, []time.Duration{0, 0, 2 * day, day, 2 * hour}, "kept at most 2d by the resolvers"},
		{"a child-centric resolver keeps the losing apex NS set for its own TTL",
			[]string{"losing.ns_ttl=3d", "resolvers.profiles=bind:1,child-centric:1"}, []time.Duration{0, 0, day + hour, 3*day + hour, 2 * hour}, "wait losing apex NS TTL + losing data TTL 73h"},
		{"a TTL past every cap is waited for only as long as it is kept",
			[]string{"parent.ns_ttl=10d"}, []time.Duration{0, 0, day + hour, 7 * day, 2 * hour}, "kept at most 1w by the resolvers (max cache TTL: bind 1w, unbound 1d)"},
		{"a negative TTL past the caps: bind keeps the no-DS proof at most 3h",
			[]string{"parent.negative_ttl=1d"}, []time.Duration{0, 0, day + hour, 2 * day, 4 * hour}, ""},
		{"the minimum TTL of Knot lengthens a zero TTL; its 1d cap shortens the NS wait, and it keeps the losing apex NS set",
			[]string{"parent.ds_ttl=0s", "resolvers.profiles=knot:1"}, []time.Duration{0, 0, 5 * time.Second, day + hour, 2 * hour}, "kept at least 5s"},
	}
	for _, tc := range tests {
		t.Run(tc.comment, func(t *testing.T) {
			p := builtinPlan(t, 2, tc.sets...)
			if diff := cmp.Diff(tc.want, waits(p)); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if r := p.Steps[2].Reason + " | " + p.Steps[3].Reason; !strings.Contains(r, tc.reason) {
				t.Errorf("reasons %q lack %q", r, tc.reason)
			}
			var at time.Duration
			for _, st := range p.Steps {
				at += st.Wait
				if st.At != at {
					t.Errorf("step %s at %v, want %v", st.Name, st.At, at)
				}
			}
		})
	}
}

// TestPlanMatchesBuiltin checks that, with the built-in TTLs, the plan of
// each case whose built-in carries the same procedure has the built-in's
// steps: the same actions at the same times (steps without actions are
// markers and may differ).
func TestPlanMatchesBuiltin(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 10, 11, 12, 13} {
		c := Cases()[n-1]
		t.Run(c.Scenario, func(t *testing.T) {
			p := builtinPlan(t, n)
			sc, err := scenarios.Builtin(c.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			type step struct {
				Name    string
				At      time.Duration
				Actions []string
			}
			collect := func(steps []scenarios.Step) []step {
				var out []step
				for _, st := range steps {
					if len(st.Actions) == 0 {
						continue
					}
					s := step{Name: st.Name, At: st.At}
					for _, a := range st.Actions {
						s.Actions = append(s.Actions, a.String())
					}
					out = append(out, s)
				}
				return out
			}
			ps, err := p.Scenario(nil)
			if err != nil {
				t.Fatal(err)
			}
			// The built-ins of method (2) switch the NS after the DS TTL, as
			// the guideline says; the plan also waits out the losing DNSKEY
			// TTL, which the worst-case analysis shows Unbound needs.
			for i, st := range sc.Procedure {
				if st.Name == "switch-ns" && st.After == "remove-old-ds" {
					e, err := scenarios.ParseExpr("parent.ds_ttl + losing.dnskey_ttl")
					if err != nil {
						t.Fatal(err)
					}
					sc.Procedure[i].Wait = e
					if err := sc.Schedule(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if diff := cmp.Diff(collect(sc.Procedure), collect(ps.Procedure)); diff != "" {
				t.Errorf("plan vs built-in %s (-built-in +plan):\n%s", c.Scenario, diff)
			}
		})
	}
}

// TestCase15 checks that nothing is planned when nothing moves.
func TestCase15(t *testing.T) {
	p, err := Make(Cases()[14], nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 0 || p.Case.HasPattern() {
		t.Errorf("case 15: %d steps, pattern %d", len(p.Steps), p.Case.Pattern)
	}
	if _, err := p.Scenario(nil); err == nil {
		t.Error("case 15 has a scenario to simulate")
	}
}

// TestVerify simulates every case's plan against every profile: each plan
// is Bogus-free with the built-in TTLs.
func TestVerify(t *testing.T) {
	for n := 1; n <= 14; n++ {
		c := Cases()[n-1]
		t.Run(fmt.Sprintf("case%02d-%s", n, c.Scenario), func(t *testing.T) {
			t.Parallel()
			p := builtinPlan(t, n)
			res, err := p.Verify(context.Background(), Options{Caches: 60, Jobs: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) < 9 {
				t.Errorf("%d profiles verified, want every built-in profile", len(res))
			}
			for _, r := range res {
				if r.Bogus() {
					t.Errorf("case %d: profile %s: %d caches Bogus", n, r.Profile, r.BogusCaches)
				}
				if r.Caches != 60 {
					t.Errorf("profile %s: %d caches, want 60", r.Profile, r.Caches)
				}
			}
		})
	}
}

// TestMinimize checks the search: the shortest waits are no longer than
// the plan's and Bogus-free, and a plan that is already Bogus is reported
// instead of searched.
func TestMinimize(t *testing.T) {
	ctx := context.Background()
	t.Run("pattern 2 shortens and stays Bogus-free", func(t *testing.T) {
		p := builtinPlan(t, 2)
		m, err := p.Minimize(ctx, Options{Caches: 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Unsafe) > 0 {
			t.Fatalf("the plan is Bogus for %v", m.Unsafe)
		}
		for i, st := range p.Steps {
			if m.Waits[i] > st.Wait {
				t.Errorf("%s: shortest %v longer than the plan's %v", st.Name, m.Waits[i], st.Wait)
			}
			if len(st.Actions) == 0 && m.Waits[i] != st.Wait {
				t.Errorf("%s has no action, yet its wait changed", st.Name)
			}
		}
		for name, w := range m.Worst {
			if w.Bogus || !w.Complete {
				t.Errorf("profile %s not proven Bogus-free with the shortest waits: %+v", name, w)
			}
		}
		if m.Runs == 0 || len(m.Worst) != len(ValidatingProfiles()) {
			t.Errorf("runs %d, worst case of %d profiles", m.Runs, len(m.Worst))
		}
	})
	t.Run("a Bogus plan is reported, not searched", func(t *testing.T) {
		// Unbound with a 2d DNSKEY TTL and a 1h DS wait (the built-in
		// pattern-2-unbound-keycache): the plan waits for the key cache, so
		// cut that wait to make it Bogus.
		p := builtinPlan(t, 2, "parent.ds_ttl=1h", "parent.ns_ttl=1h", "losing.ns_ttl=1h", "losing.dnskey_ttl=2d")
		p.Steps[2].Wait = time.Hour
		m, err := p.Minimize(ctx, Options{Caches: 60, Profiles: []string{"bind", "unbound"}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"unbound"}, m.Unsafe); diff != "" {
			t.Errorf("unsafe (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(waits(p), m.Waits); diff != "" {
			t.Errorf("waits changed (-plan +got):\n%s", diff)
		}
	})
}
