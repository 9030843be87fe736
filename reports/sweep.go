package reports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dnssecsim/dnssecsim/sim"
)

// SweepAxis is one setting a sweep varies.
type SweepAxis struct {
	// Path is the setting's dotted path, as for `run --set`.
	Path string `json:"path"`
	// Values are the values given to the setting, as written.
	Values []string `json:"values"`
	// Seconds holds each value as a number, in seconds for a duration,
	// when every value is a number; nil otherwise, and the axis is drawn
	// as categories.
	Seconds []float64 `json:"seconds,omitempty"`
	// Duration says the values are durations.
	Duration bool `json:"duration,omitempty"`
}

// Sweep is a scenario run at every point of a grid of settings.
type Sweep struct {
	Scenario string `json:"scenario"`
	// Sets are the settings every run shares ("parent.ns_ttl=1d").
	Sets []string    `json:"sets,omitempty"`
	Axes []SweepAxis `json:"axes"`
	// Points are the grid's points, the last axis varying fastest.
	Points []SweepPoint `json:"points"`
}

// SweepPoint is one run of a sweep.
type SweepPoint struct {
	// Values holds the point's value on each axis.
	Values []string `json:"values"`
	// Caches is the run's population.
	Caches int `json:"caches"`
	// Metrics are the run's metrics per state; nil until recorded.
	Metrics map[string]sim.Metric `json:"metrics"`
	// Expected is the guideline's expectation of the longest Insecure
	// stretch at this point, when it gives one (GuidelineExpectation).
	Expected *float64 `json:"expected_insecure_seconds,omitempty"`
	// InsecureToEnd says some cache was still Insecure when the run
	// ended, so the longest Insecure stretch is cut off by the run.
	InsecureToEnd bool `json:"insecure_to_end,omitempty"`
	// Worst is the worst-case analysis at this point (sweep
	// --worst-case), nil when not made; its fields (worst_bogus,
	// worst_max_bogus_seconds, worst_lame, worst_max_lame_seconds,
	// worst_complete, worst_case) sit beside the point's in JSON.
	*Worst

	index []int
}

// NewSweep returns a sweep of scenario over the grid of axes, with its
// points in place and no results yet. It copies the axes and checks that
// each has values, a distinct path, and Seconds matching its Values.
func NewSweep(scenario string, axes []SweepAxis) (*Sweep, error) {
	if len(axes) == 0 {
		return nil, errors.New("reports: a sweep needs at least one axis")
	}
	s := &Sweep{Scenario: scenario}
	seen := map[string]bool{}
	total := 1
	for _, a := range axes {
		switch {
		case len(a.Values) == 0:
			return nil, fmt.Errorf("reports: sweep axis %s has no values", a.Path)
		case seen[a.Path]:
			return nil, fmt.Errorf("reports: sweep varies %s twice", a.Path)
		case a.Seconds != nil && len(a.Seconds) != len(a.Values):
			return nil, fmt.Errorf("reports: sweep axis %s has %d values and %d numbers", a.Path, len(a.Values), len(a.Seconds))
		}
		seen[a.Path] = true
		total *= len(a.Values)
		a.Values = append([]string(nil), a.Values...)
		if a.Seconds != nil {
			a.Seconds = append([]float64(nil), a.Seconds...)
		}
		s.Axes = append(s.Axes, a)
	}
	idx := make([]int, len(axes))
	for range total {
		p := SweepPoint{index: append([]int(nil), idx...)}
		for k, i := range idx {
			p.Values = append(p.Values, s.Axes[k].Values[i])
		}
		s.Points = append(s.Points, p)
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < len(s.Axes[k].Values) {
				break
			}
			idx[k] = 0
		}
	}
	return s, nil
}

// Record stores the result of point i. Goroutines may record different
// points at the same time.
func (s *Sweep) Record(i int, r *sim.Result) {
	p := &s.Points[i]
	p.Metrics = r.Metrics
	p.Caches = caches(r)
	if last := r.Metric(sim.Insecure).Last; last != nil && *last >= horizon(r)-0.5 {
		p.InsecureToEnd = true
	}
	if e, ok := GuidelineExpectation(s.Scenario, r.Params); ok {
		v := e.InsecureSeconds
		p.Expected = &v
	}
	p.Worst = NewWorst(r.WorstCase)
}

// caches returns the population of the sweep's runs, or, if they differ,
// the largest.
func (s *Sweep) caches() int {
	n := 0
	for _, p := range s.Points {
		n = max(n, p.Caches)
	}
	return n
}

// metricColumns are the per-state columns of sweep and comparison CSVs.
var metricColumns = []string{"cache_seconds", "max_seconds", "caches", "first_seconds", "last_seconds"}

func metricHeader() []string {
	var h []string
	for _, st := range sim.States() {
		for _, c := range metricColumns {
			h = append(h, strings.ToLower(st.String())+"_"+c)
		}
	}
	return h
}

func metricRecord(ms map[string]sim.Metric) []string {
	var rec []string
	opt := func(v *float64) string {
		if v == nil {
			return ""
		}
		return formatFloat(*v, 3)
	}
	for _, st := range sim.States() {
		m := ms[st.String()]
		rec = append(rec, formatFloat(m.CacheSeconds, 3), formatFloat(m.MaxSeconds, 3), strconv.Itoa(m.Caches), opt(m.First), opt(m.Last))
	}
	return rec
}

// SweepsCSV writes the points of one or more sweeps over the same axes:
// scenario, one column per axis path, caches, five columns per state
// (cache_seconds, max_seconds, caches, first_seconds, last_seconds; empty
// first and last for a state no cache entered) and
// expected_insecure_seconds (empty where the guideline gives none). When
// some point has a worst-case analysis, the worst-case columns follow:
// worst_bogus and worst_lame (true: some cache can be in the state; false:
// none can, proven; unproven: the search stopped at its budget without
// finding one), worst_max_bogus_seconds and worst_max_lame_seconds (the
// longest stretch, a lower bound when worst_complete is false) and
// worst_complete, over the point's validating profiles; then the same five
// for each profile, named COLUMN[PROFILE] (worst_bogus[unbound], ...).
// Cells are empty where a point, or a profile at a point, was not
// analysed.
func SweepsCSV(sweeps ...*Sweep) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if len(sweeps) == 0 {
		return nil
	}
	head := []string{"scenario"}
	for _, a := range sweeps[0].Axes {
		head = append(head, a.Path)
	}
	head = append(head, "caches")
	head = append(head, metricHeader()...)
	head = append(head, "expected_insecure_seconds")
	var worsts []*Worst
	for _, s := range sweeps {
		for _, p := range s.Points {
			if p.Worst != nil {
				worsts = append(worsts, p.Worst)
			}
		}
	}
	profiles := worstProfiles(worsts)
	if len(worsts) > 0 {
		head = append(head, worstHeader(profiles)...)
	}
	w.Write(head)
	for _, s := range sweeps {
		for _, p := range s.Points {
			rec := append([]string{s.Scenario}, p.Values...)
			rec = append(rec, strconv.Itoa(p.Caches))
			rec = append(rec, metricRecord(p.Metrics)...)
			exp := ""
			if p.Expected != nil {
				exp = formatFloat(*p.Expected, 3)
			}
			rec = append(rec, exp)
			if len(worsts) > 0 {
				rec = append(rec, worstRecord(p.Worst, profiles)...)
			}
			w.Write(rec)
		}
	}
	w.Flush()
	return b.Bytes()
}

// CSV writes the sweep's points (see SweepsCSV).
func (s *Sweep) CSV() []byte { return SweepsCSV(s) }

// JSON encodes the sweep, indented.
func (s *Sweep) JSON() []byte { return mustJSON(s) }

// axisPositions returns where an axis's values sit on a plot axis: their
// numbers, or 0, 1, 2 ... for categories.
func (a SweepAxis) positions() []float64 {
	if a.Seconds != nil {
		return a.Seconds
	}
	pos := make([]float64, len(a.Values))
	for i := range pos {
		pos[i] = float64(i)
	}
	return pos
}

// ExposureFigure plots, for sweeps of several methods over one setting,
// the Bogus cache-hours (top) and the longest Insecure stretch (bottom)
// against the setting, one line per method, with the guideline's
// expectation as a dashed line where it gives one. Each sweep must have one
// axis, the same path in all.
func ExposureFigure(sweeps ...*Sweep) (*Figure, error) {
	if len(sweeps) == 0 {
		return nil, errors.New("reports: no sweeps to plot")
	}
	axis := sweeps[0].Axes[0]
	for _, s := range sweeps {
		if len(s.Axes) != 1 || s.Axes[0].Path != axis.Path {
			return nil, fmt.Errorf("reports: an exposure figure needs sweeps of the one setting %s; %s varies %d settings", axis.Path, s.Scenario, len(s.Axes))
		}
		for _, p := range s.Points {
			if p.Metrics == nil {
				return nil, fmt.Errorf("reports: sweep of %s has a point (%s) without a result", s.Scenario, strings.Join(p.Values, ", "))
			}
		}
	}
	bogus, insecure := newPlot(), newPlot()
	var legend []legendItem
	var refNote, open []string
	anyBogus := false
	// The worst case's marks: rings around the values where a cache can
	// be Bogus (possible) or where the search stopped short (unproven).
	var possible, unproven plotter.XYs
	analysed, allAnalysed := false, true
	logX := true
	for _, s := range sweeps {
		xs := s.Axes[0].positions()
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, x := range xs {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
		if s.Axes[0].Seconds == nil || lo <= 0 || hi/lo < 20 {
			logX = false
		}
	}
	for i, s := range sweeps {
		xs := s.Axes[0].positions()
		bxy := make(plotter.XYs, len(s.Points))
		ixy := make(plotter.XYs, len(s.Points))
		var exy plotter.XYs
		isOpen := false
		for j, p := range s.Points {
			isOpen = isOpen || p.InsecureToEnd
			b := p.Metrics[sim.Bogus.String()].CacheSeconds / 3600
			anyBogus = anyBogus || b > 0
			bxy[j] = plotter.XY{X: xs[j], Y: b}
			ixy[j] = plotter.XY{X: xs[j], Y: p.Metrics[sim.Insecure.String()].MaxSeconds}
			if p.Worst.Analysed() {
				analysed = true
				switch p.Worst.Bogus {
				case Possible:
					possible = append(possible, bxy[j])
				case Unproven:
					unproven = append(unproven, bxy[j])
				}
			} else {
				allAnalysed = false
			}
			if p.Expected != nil && *p.Expected > 0 {
				exy = append(exy, plotter.XY{X: xs[j], Y: *p.Expected})
			}
		}
		if isOpen {
			open = append(open, s.Scenario)
		}
		ls, gs := seriesStyle(i), seriesGlyphStyle(i)
		ls.Dashes = nil
		for _, pl := range []struct {
			p   *plot.Plot
			xys plotter.XYs
		}{{bogus, bxy}, {insecure, ixy}} {
			l, sc, err := plotter.NewLinePoints(pl.xys)
			if err != nil {
				return nil, fmt.Errorf("reports: sweep of %s: %v", s.Scenario, err)
			}
			l.LineStyle, sc.GlyphStyle = ls, gs
			pl.p.Add(l, sc)
		}
		legend = append(legend, legendItem{label: s.Scenario, thumb: lineThumb{line: ls, glyph: &gs}})
		if len(exy) > 0 {
			l, err := plotter.NewLine(exy)
			if err != nil {
				return nil, err
			}
			rs := draw.LineStyle{Color: seriesColor(i), Width: vg.Points(1.1), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
			l.LineStyle = rs
			insecure.Add(l)
			legend = append(legend, legendItem{label: s.Scenario + ": guideline", thumb: lineThumb{line: rs}})
			refNote = append(refNote, fmt.Sprintf("%s: %s", s.Scenario, guidelineFormula(Pattern(s.Scenario))))
		}
	}
	for _, m := range []struct {
		xys   plotter.XYs
		shape worstRing
		label string
	}{{possible, worstRing{}, "worst case: Bogus possible"}, {unproven, worstRing{dashed: true}, "worst case: not proven"}} {
		if len(m.xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(m.xys)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = worstGlyphStyle(m.shape)
		bogus.Add(sc)
		gs := sc.GlyphStyle
		legend = append(legend, legendItem{label: m.label, thumb: glyphThumb{gs}})
	}
	for _, p := range []*plot.Plot{bogus, insecure} {
		if logX {
			p.X.Scale = plot.LogScale{}
		}
		p.X.Tick.Marker = valueTicks(axis)
		p.X.Label.Text = axis.Path
	}
	bogus.X.Label.Text = ""
	bogus.Y.Label.Text = "Bogus cache-hours"
	bogus.Y.Min = 0
	if !anyBogus {
		bogus.Y.Max = 1
	}
	bogus.Y.Tick.Marker = plainTicks{}
	insecure.Y.Label.Text = "longest Insecure stretch"
	insecure.Y.Min = 0
	insecure.Y.Tick.Marker = TimeTicks{MaxLabels: 6}

	f := &Figure{
		Name:   "exposure-" + fileSafe(axis.Path),
		Title:  "Exposure as " + axis.Path + " varies",
		Width:  vg.Points(720),
		Height: vg.Points(560),
		legend: legend,
		panels: []*plot.Plot{bogus, insecure},
	}
	var caps []string
	caps = append(caps, fmt.Sprintf("Top: the time caches spent Bogus, summed over the sampled population of %d caches of each run (0 is the guideline's claim for every method). Bottom: the longest time any one sampled cache stayed Insecure.", sweeps[0].caches()))
	if len(refNote) > 0 {
		caps = append(caps, "Dashed: the guideline's expectation for the Insecure window, "+strings.Join(refNote, "; ")+".")
	}
	if len(open) > 0 {
		caps = append(caps, fmt.Sprintf("For %s some caches are still Insecure when the run ends (the zone ends unsigned, or never gets a DS back), so that stretch is as long as the run, not the procedure.", strings.Join(open, " and ")))
	}
	if logX {
		caps = append(caps, axis.Path+" is on a logarithmic scale.")
	}
	if analysed {
		c := "Rings: the worst-case analysis over every cache phase of each validating profile, which the sample is not:"
		switch {
		case len(possible) > 0:
			c += " a solid ring marks a value where some cache can be Bogus, even where the sampled Bogus is 0"
			if len(unproven) > 0 {
				c += ", a dashed ring one where the search stopped at its budget without proving either"
			}
			c += "; values without a ring are never Bogus (proven)."
		case len(unproven) > 0:
			c += " a dashed ring marks a value where the search stopped at its budget without proving either; values without a ring are never Bogus (proven)."
		default:
			c = "The worst-case analysis over every cache phase of each validating profile proves that no cache can be Bogus at any value analysed."
		}
		if !allAnalysed {
			c += " Values not analysed carry no ring either way."
		}
		caps = append(caps, c)
	}
	f.Caption = strings.Join(caps, " ")
	if !anyBogus {
		note := "no sampled cache was Bogus at any value"
		if len(possible) > 0 {
			note += "; ringed: Bogus possible in the worst case"
		}
		f.notes = append(f.notes, panelNote{panel: 0, text: note})
	}
	return f, nil
}

// worstColor marks the worst case's verdicts: the Bogus state's red.
var worstColor = rgb(0xB2182B)

// worstRing is the marker of a sweep value where the worst case says a
// cache can be Bogus: a thick ring around the point, dashed where the
// search stopped short of a proof.
type worstRing struct{ dashed bool }

// DrawGlyph implements the draw.GlyphDrawer interface.
func (r worstRing) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	ls := draw.LineStyle{Color: sty.Color, Width: vg.Points(1.8)}
	if r.dashed {
		ls.Dashes = []vg.Length{vg.Points(2.5), vg.Points(2)}
	}
	c.SetLineStyle(ls)
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.Stroke(p)
}

func worstGlyphStyle(r worstRing) draw.GlyphStyle {
	return draw.GlyphStyle{Color: worstColor, Radius: vg.Points(7), Shape: r}
}

// glyphThumb draws a legend swatch of a marker alone.
type glyphThumb struct{ glyph draw.GlyphStyle }

// Thumbnail implements the plot.Thumbnailer interface.
func (t glyphThumb) Thumbnail(c *draw.Canvas) {
	g := t.glyph
	g.Radius = min(g.Radius, (c.Max.Y-c.Min.Y)/2+1)
	c.DrawGlyphNoClip(g, c.Center())
}

// fileSafe turns a setting path into part of a file name.
func fileSafe(s string) string {
	return strings.NewReplacer(".", "-", "/", "-", " ", "-").Replace(s)
}

// valueTicks labels an axis at each swept value (at most about a dozen).
func valueTicks(a SweepAxis) plot.Ticker {
	pos := a.positions()
	step := max(1, (len(pos)+11)/12)
	var ts plot.ConstantTicks
	for i, x := range pos {
		t := plot.Tick{Value: x}
		if i%step == 0 {
			t.Label = a.Values[i]
			if a.Duration {
				t.Label = ShortSpan(x)
			}
		}
		ts = append(ts, t)
	}
	return ts
}

// plainTicks label a numeric axis at about five round values (1, 2, 2.5
// or 5 times a power of ten apart), with unlabelled ticks between.
type plainTicks struct{}

// Ticks implements the plot.Ticker interface.
func (plainTicks) Ticks(min, max float64) []plot.Tick {
	span := max - min
	if !(span > 0) {
		return []plot.Tick{{Value: min, Label: formatFloat(min, 3)}}
	}
	mag := math.Pow(10, math.Floor(math.Log10(span/5)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if span/(m*mag) <= 6 {
			step = m * mag
			break
		}
	}
	var ts []plot.Tick
	minor := step / 2
	for v := math.Ceil(min/minor) * minor; v <= max+minor*1e-9; v += minor {
		t := plot.Tick{Value: v}
		if math.Abs(math.Remainder(v, step)) < minor*1e-6 {
			t.Label = formatFloat(v, 6)
		}
		ts = append(ts, t)
	}
	return ts
}

// HeatmapFigure plots a sweep of two settings as two grids of cells, the
// first axis across and the second up: Bogus cache-hours (top) and the
// longest Insecure stretch (bottom), darker for more, each cell labelled
// with its value.
func HeatmapFigure(s *Sweep) (*Figure, error) {
	if len(s.Axes) != 2 {
		return nil, fmt.Errorf("reports: a heat map needs a sweep of two settings, %s varies %d", s.Scenario, len(s.Axes))
	}
	ax, ay := s.Axes[0], s.Axes[1]
	nx, ny := len(ax.Values), len(ay.Values)
	bog := make([][]float64, nx)
	ins := make([][]float64, nx)
	marks := make([][]*Worst, nx)
	for i := range bog {
		bog[i] = make([]float64, ny)
		ins[i] = make([]float64, ny)
		marks[i] = make([]*Worst, ny)
	}
	var possible, unproven, analysed, all int
	for _, p := range s.Points {
		if p.Metrics == nil {
			return nil, fmt.Errorf("reports: sweep of %s has a point (%s) without a result", s.Scenario, strings.Join(p.Values, ", "))
		}
		bog[p.index[0]][p.index[1]] = p.Metrics[sim.Bogus.String()].CacheSeconds / 3600
		ins[p.index[0]][p.index[1]] = p.Metrics[sim.Insecure.String()].MaxSeconds
		all++
		if p.Worst.Analysed() {
			marks[p.index[0]][p.index[1]] = p.Worst
			analysed++
			switch p.Worst.Bogus {
			case Possible:
				possible++
			case Unproven:
				unproven++
			}
		}
	}
	mk := func(z [][]float64, label func(float64) string, marks [][]*Worst) *plot.Plot {
		p := newPlot()
		p.Add(&cellGrid{Z: z, Label: label, Worst: marks})
		p.X.Label.Text = ax.Path
		p.Y.Label.Text = ay.Path
		p.X.Tick.Marker = categoryTicks(ax)
		p.Y.Tick.Marker = categoryTicks(ay)
		p.X.Padding, p.Y.Padding = 0, 0
		return p
	}
	bp := mk(bog, func(v float64) string {
		if v > 0 && v < 0.05 {
			return "<0.1" // some Bogus, too little to show as 0.0
		}
		return formatFloat(v, 1)
	}, marks)
	ip := mk(ins, ShortSpan, nil)
	cell := vg.Points(34)
	h := vg.Length(2*ny)*cell + vg.Points(250)
	caption := fmt.Sprintf("Each cell is one run with a sampled population of %d caches. Darker cells mean more exposure; a white cell is zero.",
		s.caches())
	if analysed > 0 {
		c := " Outlines (top): the worst-case analysis over every cache phase of each validating profile, which the sample is not."
		switch {
		case possible > 0 || unproven > 0:
			if possible > 0 {
				c += " A solid outline marks a cell where some cache can be Bogus, even where the sampled Bogus is 0, with the longest stretch it can have under the number"
				if unproven > 0 {
					c += "; a dashed outline one where the search stopped at its budget without proving either"
				}
			} else {
				c += " A dashed outline marks a cell where the search stopped at its budget without proving either"
			}
			c += "; cells without an outline are never Bogus (proven)."
		default:
			c = " The worst-case analysis over every cache phase of each validating profile proves that no cache can be Bogus in any cell analysed."
		}
		if analysed < all {
			c += " Cells not analysed carry no outline either way."
		}
		caption += c
	}
	return &Figure{
		Name:        "exposure-" + fileSafe(ax.Path) + "-" + fileSafe(ay.Path),
		Title:       fmt.Sprintf("%s: exposure as %s and %s vary", s.Scenario, ax.Path, ay.Path),
		Caption:     caption,
		panelTitles: []string{"Bogus cache-hours, summed over the sampled caches", "Longest time one sampled cache stayed Insecure"},
		Width:       vg.Points(max(520, 90+float64(nx)*64)),
		Height:      h,
		panels:      []*plot.Plot{bp, ip},
	}, nil
}

// categoryTicks labels positions 0, 1, ... with an axis's values.
func categoryTicks(a SweepAxis) plot.Ticker {
	var ts plot.ConstantTicks
	for i, v := range a.Values {
		if a.Duration && a.Seconds != nil {
			v = ShortSpan(a.Seconds[i])
		}
		ts = append(ts, plot.Tick{Value: float64(i), Label: v})
	}
	return ts
}

// heatStops run from white through yellow and orange to dark red: their
// lightness falls all the way, so greyscale keeps the order.
var heatStops = []color.RGBA{rgb(0xFFFFFF), rgb(0xFFEDA0), rgb(0xFEB24C), rgb(0xF03B20), rgb(0x800026)}

// heatColor maps v in [0, 1] onto heatStops.
func heatColor(v float64) color.RGBA {
	v = math.Max(0, math.Min(1, v))
	f := v * float64(len(heatStops)-1)
	i := min(int(f), len(heatStops)-2)
	t := f - float64(i)
	a, b := heatStops[i], heatStops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + t*(float64(y)-float64(x)))) }
	return color.RGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
}

// cellGrid draws Z[i][j] as a cell at (i, j), coloured from white (zero)
// to dark red (the largest value) and labelled in black or white,
// whichever reads better on the cell.
type cellGrid struct {
	Z     [][]float64
	Label func(float64) string
	// Worst, when not nil, holds each cell's worst-case analysis (nil
	// where none): a cell where a cache can be Bogus gets a solid outline
	// and the longest stretch under its label, one where the search
	// stopped short a dashed outline and "worst: ?".
	Worst [][]*Worst
}

// Plot implements the plot.Plotter interface.
func (g *cellGrid) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	var hi float64
	for _, col := range g.Z {
		for _, v := range col {
			hi = math.Max(hi, v)
		}
	}
	sty := textStyle(sansFont, noteSize)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	for i, col := range g.Z {
		for j, v := range col {
			r := vg.Rectangle{
				Min: vg.Point{X: trX(float64(i) - 0.5), Y: trY(float64(j) - 0.5)},
				Max: vg.Point{X: trX(float64(i) + 0.5), Y: trY(float64(j) + 0.5)},
			}
			fill := color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
			if hi > 0 && v > 0 {
				fill = heatColor(0.15 + 0.85*v/hi)
			}
			fillRect(c, StateStyle{Color: fill}, r)
			c.StrokeLines(draw.LineStyle{Color: color.Gray{0xd0}, Width: vg.Points(0.4)},
				[]vg.Point{r.Min, {X: r.Min.X, Y: r.Max.Y}, r.Max, {X: r.Max.X, Y: r.Min.Y}, r.Min})
			sty.Color = color.Black
			if Lightness(fill) < 50 {
				sty.Color = color.White
			}
			mid := vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}
			var w *Worst
			if i < len(g.Worst) && j < len(g.Worst[i]) {
				w = g.Worst[i][j]
			}
			if w == nil || (w.Bogus != Possible && w.Bogus != Unproven) {
				c.FillText(sty, mid, g.Label(v))
				continue
			}
			ls := draw.LineStyle{Color: sty.Color, Width: vg.Points(2)}
			second := "worst " + ShortSpan(w.MaxBogusSeconds)
			if w.Bogus == Unproven {
				ls.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
				second = "worst ?"
			}
			in := vg.Points(2.5)
			c.StrokeLines(ls, []vg.Point{{X: r.Min.X + in, Y: r.Min.Y + in}, {X: r.Min.X + in, Y: r.Max.Y - in},
				{X: r.Max.X - in, Y: r.Max.Y - in}, {X: r.Max.X - in, Y: r.Min.Y + in}, {X: r.Min.X + in, Y: r.Min.Y + in}})
			lh := sty.Height("Xg")
			c.FillText(sty, vg.Point{X: mid.X, Y: mid.Y + lh*0.6}, g.Label(v))
			c.FillText(sty, vg.Point{X: mid.X, Y: mid.Y - lh*0.6}, second)
		}
	}
}

// DataRange implements the plot.DataRanger interface.
func (g *cellGrid) DataRange() (xmin, xmax, ymin, ymax float64) {
	ny := 0
	for _, col := range g.Z {
		ny = max(ny, len(col))
	}
	return -0.5, float64(len(g.Z)) - 0.5, -0.5, float64(ny) - 0.5
}
