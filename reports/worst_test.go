package reports

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dnssecsim/dnssecsim/sim"
)

// wcNever, wcBogus, wcLame and wcOpen are one profile's worst cases:
// proven safe, Bogus for a minute, Lame for 100 s, and a search that
// stopped short without finding either.
func wcNever() *sim.WorstCase { return &sim.WorstCase{Complete: true, Paths: 10} }
func wcBogus(secs float64) *sim.WorstCase {
	return &sim.WorstCase{Bogus: true, MaxBogusSeconds: secs, Complete: true, Paths: 20,
		Witness: &sim.Witness{Profile: "unbound", State: sim.Bogus, FromSeconds: 90000, ToSeconds: 90000 + secs,
			Cause: "answer signed by a key not in the DNSKEY set", Cache: "unbound ds=-1s key=-2s answer=-3s"}}
}
func wcLame() *sim.WorstCase {
	return &sim.WorstCase{Lame: true, MaxLameSeconds: 100, Complete: true, Paths: 30,
		Witness: &sim.Witness{Profile: "unbound", State: sim.Lame, FromSeconds: 600, ToSeconds: 700, Cause: "the servers do not serve the zone", Cache: "unbound ns=-5s"}}
}
func wcOpen() *sim.WorstCase { return &sim.WorstCase{Paths: 100000} }

// TestWorst checks how the profiles' verdicts sum up, and the words.
func TestWorst(t *testing.T) {
	tests := []struct {
		name       string
		wc         map[string]*sim.WorstCase
		bogus      Possibility
		lame       Possibility
		complete   bool
		maxBogus   float64
		text       string
		csvProfile string // the worst_bogus[bind] cell
	}{
		{"not analysed", nil, NotAnalysed, NotAnalysed, false, 0, "not analysed", ""},
		{"no validating profile", map[string]*sim.WorstCase{}, NotAnalysed, NotAnalysed, false, 0, "not analysed: no validating resolver profile", ""},
		{"never", map[string]*sim.WorstCase{"bind": wcNever(), "unbound": wcNever()}, Never, Never, true, 0,
			"never Bogus (proven for every validating profile: bind, unbound); never Lame (proven)", "false"},
		{"one profile Bogus", map[string]*sim.WorstCase{"bind": wcNever(), "unbound": wcBogus(60), "child-centric": wcBogus(60)}, Possible, Never, true, 60,
			"Bogus possible for child-centric (1m), unbound (1m); never for bind; never Lame (proven)", "false"},
		{"unproven", map[string]*sim.WorstCase{"bind": wcOpen(), "unbound": wcNever()}, Unproven, Unproven, false, 0,
			"Bogus not ruled out for bind (the search stopped at its budget); never for unbound; Lame not ruled out for bind (the search stopped at its budget); never for unbound", "unproven"},
		// A witness settles it even where another search stopped short.
		{"Bogus and unproven", map[string]*sim.WorstCase{"bind": wcOpen(), "unbound": wcBogus(120)}, Possible, Unproven, false, 120,
			"Bogus possible for unbound (2m); not ruled out for bind (the search stopped at its budget); Lame not ruled out for bind (the search stopped at its budget); never for unbound", "unproven"},
		{"Bogus found, search incomplete", map[string]*sim.WorstCase{"bind": {Bogus: true, MaxBogusSeconds: 3600, Paths: 5}}, Possible, Unproven, false, 3600,
			"Bogus possible for bind (at least 1h: search incomplete); Lame not ruled out for bind (the search stopped at its budget)", "true"},
		{"Lame", map[string]*sim.WorstCase{"unbound": wcLame()}, Never, Possible, true, 0,
			"never Bogus (proven for every validating profile: unbound); Lame possible for unbound (1m 40s)", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWorst(tc.wc)
			if (w == nil) != (tc.wc == nil) {
				t.Fatalf("NewWorst(%v) = %v", tc.wc, w)
			}
			var b, l Possibility
			var c bool
			var mb float64
			if w != nil {
				b, l, c, mb = w.Bogus, w.Lame, w.Complete, w.MaxBogusSeconds
			}
			if b != tc.bogus || l != tc.lame || c != tc.complete || mb != tc.maxBogus {
				t.Errorf("Bogus %v, Lame %v, complete %v, max Bogus %g; want %v, %v, %v, %g", b, l, c, mb, tc.bogus, tc.lame, tc.complete, tc.maxBogus)
			}
			if got := w.Text(); got != tc.text {
				t.Errorf("Text:\n got %q\nwant %q", got, tc.text)
			}
			profiles := []string{"bind"}
			rec := worstRecord(w, profiles)
			head := worstHeader(profiles)
			if len(rec) != len(head) {
				t.Fatalf("%d cells for %d columns", len(rec), len(head))
			}
			if head[5] != "worst_bogus[bind]" || rec[5] != tc.csvProfile {
				t.Errorf("%s = %q, want %q", head[5], rec[5], tc.csvProfile)
			}
			if rec[0] != tc.bogus.String() {
				t.Errorf("worst_bogus = %q, want %q", rec[0], tc.bogus.String())
			}
		})
	}
}

// TestPossibilityJSON checks that the verdicts read back as written:
// true, false, "unproven", null.
func TestPossibilityJSON(t *testing.T) {
	for _, p := range []Possibility{NotAnalysed, Never, Possible, Unproven} {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back Possibility
		if err := json.Unmarshal(b, &back); err != nil || back != p {
			t.Errorf("%v: %s reads back as %v, %v", p, b, back, err)
		}
	}
	b, _ := json.Marshal(struct{ P Possibility }{Unproven})
	if string(b) != `{"P":"unproven"}` {
		t.Errorf("Unproven marshals as %s", b)
	}
	var p Possibility
	if err := json.Unmarshal([]byte(`"maybe"`), &p); err == nil || !strings.Contains(err.Error(), "true, false or") {
		t.Errorf("unmarshal of \"maybe\": %v", err)
	}
}

// TestWorstLines checks the per-profile lines of a scenario's section.
func TestWorstLines(t *testing.T) {
	wc := map[string]*sim.WorstCase{"unbound": wcBogus(60), "bind": wcNever(), "knot": wcOpen()}
	lines := WorstLines(wc, func(c *sim.WorstCase) string { return "v" }, func(w *sim.Witness) string { return "run --set 'resolvers.cache=" + w.Cache + "'" })
	var got []string
	for _, l := range lines {
		got = append(got, l.Profile+":"+l.Class+":"+l.Replay)
	}
	want := "bind:ok: knot:open: unbound:bogus:run --set 'resolvers.cache=unbound ds=-1s key=-2s answer=-3s'"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("lines\n got %s\nwant %s", g, want)
	}
}
