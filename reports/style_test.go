package reports

import (
	"sort"
	"testing"

	"github.com/dnssecsim/dnssecsim/sim"
)

// TestStylesGreyscale checks that the states stay apart in greyscale:
// lightness at least 12 apart, and the failures hatched.
func TestStylesGreyscale(t *testing.T) {
	st := Styles()
	if len(st) != len(sim.States()) {
		t.Fatalf("%d styles for %d states", len(st), len(sim.States()))
	}
	type lv struct {
		state sim.State
		l     float64
	}
	var ls []lv
	for _, s := range sim.States() {
		ls = append(ls, lv{s, Lightness(st[s].Color)})
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].l < ls[j].l })
	for i := 1; i < len(ls); i++ {
		if d := ls[i].l - ls[i-1].l; d < 12 {
			t.Errorf("%s (L* %.1f) and %s (L* %.1f) are only %.1f apart in lightness", ls[i-1].state, ls[i-1].l, ls[i].state, ls[i].l, d)
		}
	}
	for _, s := range []sim.State{sim.Bogus, sim.Lame} {
		if st[s].Hatch == NoHatch {
			t.Errorf("%s is not hatched", s)
		}
	}
	if st[sim.Bogus].Hatch == st[sim.Lame].Hatch {
		t.Error("Bogus and Lame share a hatch pattern")
	}
}

// TestHeatColor checks that the heat map's colours darken steadily.
func TestHeatColor(t *testing.T) {
	prev := 101.0
	for v := 0.0; v <= 1; v += 0.05 {
		l := Lightness(heatColor(v))
		if l >= prev {
			t.Errorf("heatColor(%.2f) has lightness %.1f, not darker than the step before (%.1f)", v, l, prev)
		}
		prev = l
	}
}
