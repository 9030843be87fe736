package reports

import (
	"strings"
	"testing"

	"github.com/dnssecsim/dnssecsim/sim"
)

// fakeRun makes a result for a sweep point: Bogus time falls and the
// Insecure stretch grows with the DS TTL, and a "pattern-4" method stays
// Insecure to the end of the run.
func fakeRun(scenario string, ds float64) *sim.Result {
	const h = 10 * 86400
	ins := ds + 2*86400
	tl := []sim.Timeline{{Cache: 0, Profile: "unbound", Intervals: []sim.Interval{iv(0, 600, sim.Secure), iv(600, 600+ins, sim.Insecure), iv(600+ins, h, sim.Secure)}}}
	if ds < 3600 {
		tl = append(tl, sim.Timeline{Cache: 1, Profile: "unbound", Intervals: []sim.Interval{iv(0, 60, sim.Secure), iv(60, 60+3600-ds, sim.Bogus), iv(60+3600-ds, h, sim.Secure)}})
	}
	if strings.HasPrefix(scenario, "pattern-4") {
		tl = append(tl, sim.Timeline{Cache: 2, Profile: "unbound", Intervals: []sim.Interval{iv(0, ds, sim.Secure), iv(ds, h, sim.Insecure)}})
	}
	return &sim.Result{
		Scenario: scenario,
		Params: map[string]any{"horizon": float64(h), "parent.ds_ttl": ds, "parent.ns_ttl": 86400.0,
			"losing.ns_ttl": 86400.0, "gaining.ns_ttl": 86400.0, "resolvers.count": float64(len(tl))},
		Metrics: metricsOf(tl),
		Stats:   sim.Stats{Caches: 3},
	}
}

func dsAxis() SweepAxis {
	return SweepAxis{Path: "parent.ds_ttl", Values: []string{"5m", "30m", "2h", "1d"}, Seconds: []float64{300, 1800, 7200, 86400}, Duration: true}
}

func fakeSweep(t *testing.T, scenario string, axes ...SweepAxis) *Sweep {
	t.Helper()
	return fakeSweepWorst(t, scenario, false, axes...)
}

// fakeWorst is a worst case for a fake sweep point: Bogus possible for a
// minute on unbound up to a DS TTL of 2h (beyond the sample's Bogus, which
// stops below 1h), not proven at 1d, and never Bogus (proven) otherwise.
func fakeWorst(ds float64) map[string]*sim.WorstCase {
	switch {
	case ds <= 7200:
		return map[string]*sim.WorstCase{"bind": wcNever(), "unbound": wcBogus(60)}
	case ds >= 86400:
		return map[string]*sim.WorstCase{"bind": wcOpen(), "unbound": wcNever()}
	}
	return map[string]*sim.WorstCase{"bind": wcNever(), "unbound": wcNever()}
}

func fakeSweepWorst(t *testing.T, scenario string, worst bool, axes ...SweepAxis) *Sweep {
	t.Helper()
	s, err := NewSweep(scenario, axes)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range s.Points {
		ds := 3600.0
		for k, a := range axes {
			if a.Path == "parent.ds_ttl" {
				ds = a.Seconds[indexOf(a.Values, p.Values[k])]
			}
		}
		r := fakeRun(scenario, ds)
		if worst {
			r.WorstCase = fakeWorst(ds)
		}
		s.Record(i, r)
	}
	return s
}

// TestSweepGolden checks the data behind the exposure figures: one
// setting over three methods, and two settings for the heat map.
func TestSweepGolden(t *testing.T) {
	one := []*Sweep{fakeSweep(t, "pattern-1", dsAxis()), fakeSweep(t, "pattern-2", dsAxis()), fakeSweep(t, "pattern-4", dsAxis())}
	golden(t, "sweep-one.csv", SweepsCSV(one...))
	f, err := ExposureFigure(one...)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep-one.caption", []byte(f.Name+"\n"+f.Title+"\n"+f.Caption+"\n"))
	renderAll(t, f)

	two := fakeSweep(t, "pattern-2", dsAxis(), SweepAxis{Path: "resolvers.profile", Values: []string{"bind", "unbound"}})
	golden(t, "sweep-two.csv", two.CSV())
	golden(t, "sweep-two.json", two.JSON())
	h, err := HeatmapFigure(two)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep-two.caption", []byte(h.Name+"\n"+h.Title+"\n"+h.Caption+"\n"))
	renderAll(t, h)
}

// TestSweepWorstGolden checks the worst-case columns and marks of sweeps
// with --worst-case: a point whose sampled Bogus is 0 but whose worst case
// is Bogus is flagged in the data and in both kinds of plot.
func TestSweepWorstGolden(t *testing.T) {
	one := []*Sweep{fakeSweepWorst(t, "pattern-2", true, dsAxis()), fakeSweep(t, "pattern-4", dsAxis())}
	golden(t, "sweep-worst-one.csv", SweepsCSV(one...))
	golden(t, "sweep-worst-one.json", one[0].JSON())
	f, err := ExposureFigure(one...)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep-worst-one.caption", []byte(f.Caption+"\n"))
	svg := renderAll(t, f)["svg"]
	var legend []string
	for _, l := range f.legend {
		legend = append(legend, l.label)
	}
	if g := strings.Join(legend, "|"); !strings.Contains(g, "worst case: Bogus possible|worst case: not proven") {
		t.Errorf("legend %s lacks the worst-case marks", g)
	}
	if len(svg) == 0 {
		t.Error("no SVG")
	}

	two := fakeSweepWorst(t, "pattern-2", true, dsAxis(), SweepAxis{Path: "resolvers.profile", Values: []string{"bind", "unbound"}})
	golden(t, "sweep-worst-two.csv", two.CSV())
	h, err := HeatmapFigure(two)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep-worst-two.caption", []byte(h.Caption+"\n"))
	out := renderAll(t, h)
	// The marked cells carry the worst case's longest stretch.
	if n := strings.Count(string(out["svg"]), ">worst 1m<"); n != 6 {
		t.Errorf("%d cells say \"worst 1m\", want 6 (three DS TTLs by two profiles)", n)
	}
	if n := strings.Count(string(out["svg"]), ">worst ?<"); n != 2 {
		t.Errorf("%d cells say \"worst ?\", want 2", n)
	}
}

func TestNewSweepErrors(t *testing.T) {
	tests := []struct {
		name string
		axes []SweepAxis
		want string
	}{
		{"no axes", nil, "at least one axis"},
		{"no values", []SweepAxis{{Path: "parent.ds_ttl"}}, "has no values"},
		{"twice", []SweepAxis{dsAxis(), dsAxis()}, "varies parent.ds_ttl twice"},
		{"numbers", []SweepAxis{{Path: "parent.ds_ttl", Values: []string{"1h"}, Seconds: []float64{1, 2}}}, "1 values and 2 numbers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSweep("x", tc.axes)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewSweep: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestSweepGrid checks the order of a grid's points: the last axis
// varies fastest.
func TestSweepGrid(t *testing.T) {
	s, err := NewSweep("x", []SweepAxis{{Path: "a", Values: []string{"1", "2"}}, {Path: "b", Values: []string{"x", "y", "z"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range s.Points {
		got = append(got, strings.Join(p.Values, ""))
	}
	if g := strings.Join(got, " "); g != "1x 1y 1z 2x 2y 2z" {
		t.Errorf("points %s, want 1x 1y 1z 2x 2y 2z", g)
	}
}

func TestExposureFigureErrors(t *testing.T) {
	if _, err := ExposureFigure(); err == nil {
		t.Error("ExposureFigure(): no error")
	}
	s, _ := NewSweep("pattern-2", []SweepAxis{dsAxis()})
	if _, err := ExposureFigure(s); err == nil || !strings.Contains(err.Error(), "without a result") {
		t.Errorf("ExposureFigure of an unrun sweep: %v, want an error about a point without a result", err)
	}
	two := fakeSweep(t, "pattern-2", dsAxis(), SweepAxis{Path: "resolvers.profile", Values: []string{"bind"}})
	if _, err := ExposureFigure(two); err == nil {
		t.Error("ExposureFigure of a two-setting sweep: no error")
	}
	if _, err := HeatmapFigure(fakeSweep(t, "pattern-2", dsAxis())); err == nil {
		t.Error("HeatmapFigure of a one-setting sweep: no error")
	}
}

// TestGuidelineExpectation checks the reference lines.
func TestGuidelineExpectation(t *testing.T) {
	p := map[string]any{"parent.ds_ttl": 3600.0, "parent.ns_ttl": 7200.0, "losing.ns_ttl": 86400.0, "gaining.ns_ttl": 60.0}
	tests := []struct {
		scenario string
		ok       bool
		want     float64
	}{
		{"pattern-1", true, 0},
		// DS 1h + old NS max(2h, 1d) + new NS max(2h, 1m).
		{"pattern-2", true, 3600 + 86400 + 7200},
		{"pattern-2-early-ds", true, 3600 + 86400 + 7200},
		{"pattern-3", true, 86400 + 7200},
		{"pattern-4", false, 0},
		{"pattern-20", false, 0},
		{"operator-change-1", false, 0},
	}
	for _, tc := range tests {
		e, ok := GuidelineExpectation(tc.scenario, p)
		if ok != tc.ok || e.InsecureSeconds != tc.want {
			t.Errorf("GuidelineExpectation(%s) = %g, %v; want %g, %v", tc.scenario, e.InsecureSeconds, ok, tc.want, tc.ok)
		}
	}
}
