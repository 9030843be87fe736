package reports

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/dnssecsim/dnssecsim/sim"
)

func TestStepMarks(t *testing.T) {
	marks := StepMarks([]sim.StepTime{{Name: "b", AtSeconds: 100}, {Name: "a", AtSeconds: 10}, {Name: "c", AtSeconds: 100}}, 10)
	var got []string
	for _, m := range marks {
		got = append(got, m.Label())
	}
	if g := strings.Join(got, "; "); g != "a +0; b, c +1m 30s" {
		t.Errorf("labels %q, want %q", g, "a +0; b, c +1m 30s")
	}
}

// TestLayoutLabels checks the lanes of step labels: on random sets of
// steps, no two labels in a lane overlap, no leader crosses a label, and
// every label stays within the area. Cases from real scenarios are
// checked for their lane count too.
func TestLayoutLabels(t *testing.T) {
	sty := textStyle(sansFont, noteSize)
	const xmin, xmax = vg.Length(50), vg.Length(700)
	check := func(t *testing.T, ls []placedLabel) {
		t.Helper()
		for i, a := range ls {
			if a.x0 < xmin-0.01 || a.x1 > xmax+0.01 {
				t.Errorf("label %q spans %.1f-%.1f, outside %v-%v", a.text, a.x0, a.x1, xmin, xmax)
			}
			for j, b := range ls {
				if i == j {
					continue
				}
				if a.lane == b.lane && a.x0 < b.x1 && b.x0 < a.x1 {
					t.Errorf("labels %q and %q overlap in lane %d", a.text, b.text, a.lane)
				}
				if b.lane > a.lane && b.x > a.x0 && b.x < a.x1 {
					t.Errorf("the leader of %q (lane %d) crosses %q (lane %d)", b.text, b.lane, a.text, a.lane)
				}
			}
		}
	}
	// The steps of the multi-signer and cds-automated scenarios, whose
	// labels near the right edge first went wrong.
	cases := []struct {
		name  string
		xs    []vg.Length
		texts []string
		lanes int
	}{
		{"right edge", []vg.Length{50, 54, 150, 330, 510, 620},
			[]string{"import-zsks +0", "add-gaining-ds +1h", "add-gaining-ns +1d 1h", "remove-losing-ns +3d 1h", "remove-losing-ds +5d 1h", "remove-losing-zsk +6d 2h"}, 2},
		{"staircase", []vg.Length{50, 110, 170, 230, 290, 350, 410, 520, 630},
			[]string{"transfer, remove-old-ds +0", "scan-1 +12h", "switch-ns +1d", "scan-2 +1d 12h", "scan-3 +2d 12h", "publish-cds +3d", "scan-4 +3d 12h", "scan-5 +4d 12h", "scan-6 +5d 12h"}, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ls := layoutLabels(tc.texts, tc.xs, sty, xmin, xmax)
			check(t, ls)
			if n := laneCount(ls); n > tc.lanes {
				t.Errorf("%d lanes, want at most %d", n, tc.lanes)
			}
		})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for k := range 200 {
		n := 1 + rng.IntN(8)
		var xs []vg.Length
		var texts []string
		for i := range n {
			xs = append(xs, xmin+vg.Length(rng.Float64())*(xmax-xmin))
			texts = append(texts, fmt.Sprintf("step-%d %s", i, strings.Repeat("x", rng.IntN(20))))
		}
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			ls := layoutLabels(texts, xs, sty, xmin, xmax)
			check(t, ls)
			if n := laneCount(ls); n > len(texts) {
				t.Errorf("%d lanes for %d labels", n, len(texts))
			}
		})
	}
}

// TestViewEnd checks where time axes stop.
func TestViewEnd(t *testing.T) {
	mk := func(ats ...float64) []StepMark {
		var ms []StepMark
		for i, a := range ats {
			ms = append(ms, StepMark{Names: []string{fmt.Sprint("s", i)}, AtSeconds: a})
		}
		return ms
	}
	const h = 3600.0
	tests := []struct {
		name             string
		marks            []StepMark
		start, last, end float64
		want             float64
		hidden           int
	}{
		// The last step, at less than twice the last change, is in view.
		{"step in view", mk(0, 24*h, 120*h), 0, 73 * h, 264 * h, 132 * h, 0},
		// A marker step far after the last change is left out.
		{"step left out", mk(0, h, 2*h, 26*h), 0, 4 * h, 170 * h, 5 * h, 1},
		// Nothing changes: every step is in view.
		{"no change", mk(0, 24*h, 146*h), 0, 0, 290 * h, 161 * h, 0},
		// Changes go on to the end of the run.
		{"to the end", mk(0, h), 0, 99 * h, 100 * h, 100 * h, 0},
		// The run starts before the transfer.
		{"before the transfer", mk(-48*h, 0, 72*h), -48 * h, 74 * h, 168 * h, 87 * h, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, hidden := viewEnd(tc.marks, tc.start, tc.last, tc.end)
			if got != tc.want || len(hidden) != tc.hidden {
				t.Errorf("viewEnd = %s, %d hidden; want %s, %d", FormatSpan(got), len(hidden), FormatSpan(tc.want), tc.hidden)
			}
		})
	}
}
