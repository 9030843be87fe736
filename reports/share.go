package reports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dnssecsim/dnssecsim/sim"
)

// ShareData is the data behind a population-share figure: how many caches
// are in each state, from each instant at which that changes until the
// next. Times count from the transfer.
type ShareData struct {
	Scenario        string       `json:"scenario"`
	Caches          int          `json:"caches"`
	TransferSeconds float64      `json:"transfer_seconds"`
	EndSeconds      float64      `json:"end_seconds"`
	Steps           []StepMark   `json:"steps"`
	States          []string     `json:"states"`
	Points          []SharePoint `json:"points"`
}

// SharePoint holds the number of caches in each state (in the order of
// ShareData.States) from AtSeconds until the next point.
type SharePoint struct {
	AtSeconds float64 `json:"at_seconds"`
	Counts    []int   `json:"counts"`
}

// Share counts the caches of r in each state over time; r must hold
// timelines.
func Share(r *sim.Result) (*ShareData, error) {
	if len(r.Timelines) == 0 {
		return nil, ErrNoTimelines
	}
	off := TransferSeconds(r)
	states := sim.States()
	type change struct {
		at    float64
		state sim.State
		delta int
	}
	var changes []change
	end := horizon(r)
	for _, tl := range r.Timelines {
		for _, iv := range tl.Intervals {
			if iv.To <= iv.From {
				continue
			}
			changes = append(changes, change{iv.From, iv.State, +1}, change{iv.To, iv.State, -1})
			end = math.Max(end, iv.To)
		}
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].at < changes[j].at })
	d := &ShareData{
		Scenario:        r.Scenario,
		Caches:          len(r.Timelines),
		TransferSeconds: off,
		EndSeconds:      end - off,
		Steps:           StepMarks(r.Steps, off),
		States:          stateNames(),
	}
	counts := make([]int, len(states))
	for i := 0; i < len(changes); {
		at := changes[i].at
		for ; i < len(changes) && changes[i].at == at; i++ {
			counts[changes[i].state] += changes[i].delta
		}
		if at >= end {
			break
		}
		if n := len(d.Points); n > 0 && equalInts(d.Points[n-1].Counts, counts) {
			continue
		}
		d.Points = append(d.Points, SharePoint{AtSeconds: at - off, Counts: append([]int(nil), counts...)})
	}
	return d, nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// CSV writes one line per point: at_seconds (from the transfer), then for
// each state the number of caches in it and their share of the population.
func (d *ShareData) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := []string{"at_seconds"}
	for _, s := range d.States {
		head = append(head, strings.ToLower(s)+"_caches")
	}
	for _, s := range d.States {
		head = append(head, strings.ToLower(s)+"_share")
	}
	w.Write(head)
	for _, p := range d.Points {
		rec := []string{formatFloat(p.AtSeconds, 3)}
		for _, n := range p.Counts {
			rec = append(rec, strconv.Itoa(n))
		}
		for _, n := range p.Counts {
			rec = append(rec, formatFloat(float64(n)/float64(max(d.Caches, 1)), 4))
		}
		w.Write(rec)
	}
	w.Flush()
	return b.Bytes()
}

// JSON encodes the data, indented.
func (d *ShareData) JSON() []byte { return mustJSON(d) }

// stackOrder is the order of the layers from the bottom: the failures
// first, so that their share reads straight off the axis.
var stackOrder = []sim.State{sim.Bogus, sim.Lame, sim.Insecure, sim.Indeterminate, sim.Secure}

// Figure draws the shares as stacked areas, failures at the bottom.
func (d *ShareData) Figure() (*Figure, error) {
	if len(d.Points) == 0 {
		return nil, errors.New("reports: no share data to draw")
	}
	n := float64(max(d.Caches, 1))
	xs := make([]float64, len(d.Points))
	for i, p := range d.Points {
		xs[i] = p.AtSeconds
	}
	var layers [][]float64
	styles := Styles()
	var layerStyles []StateStyle
	for _, st := range stackOrder {
		idx := indexOf(d.States, st.String())
		if idx < 0 {
			continue
		}
		l := make([]float64, len(d.Points))
		for i, p := range d.Points {
			l[i] = float64(p.Counts[idx]) / n
		}
		layers = append(layers, l)
		layerStyles = append(layerStyles, styles[st])
	}
	area, err := NewStackedArea(xs, d.EndSeconds, layers)
	if err != nil {
		return nil, err
	}
	area.Styles = layerStyles

	p := newPlot()
	p.Add(area)
	p.Add(NewStepLines(d.Steps))
	p.X.Label.Text = "time since the transfer"
	p.X.Tick.Marker = TimeTicks{MaxLabels: 12}
	p.Y.Label.Text = "share of caches"
	p.Y.Min, p.Y.Max = 0, 1
	p.Y.Tick.Marker = percentTicks{}
	p.X.Min = math.Min(p.X.Min, 0)
	last := d.Points[len(d.Points)-1].AtSeconds
	first := d.Points[0].AtSeconds
	view, hidden := viewEnd(d.Steps, first, last, d.EndSeconds)
	p.X.Max = view

	return &Figure{
		Name:  "share",
		Title: d.Scenario + ": share of caches in each state",
		Caption: fmt.Sprintf("The fraction of all %d caches in each state over time, stacked: Bogus at the bottom, then Lame, Insecure, Indeterminate and Secure on top. Dashed lines mark the steps of the procedure.",
			d.Caches) + croppedNote(first, last, view, d.EndSeconds, hidden),
		Width:  vg.Points(720),
		Height: vg.Points(400),
		legend: stateLegend(styles, stateNames()),
		panels: []*plot.Plot{p},
		steps:  d.Steps,
	}, nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// percentTicks marks a 0-1 axis every 25 %.
type percentTicks struct{}

// Ticks implements the plot.Ticker interface.
func (percentTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for v := 0.0; v <= 1.0001; v += 0.125 {
		if v < min-1e-9 || v > max+1e-9 {
			continue
		}
		t := plot.Tick{Value: v}
		if math.Mod(v, 0.25) < 1e-9 {
			t.Label = strconv.Itoa(int(math.Round(v*100))) + "%"
		}
		ts = append(ts, t)
	}
	return ts
}

// A StackedArea presents layers stacked on each other as step functions of
// X: layer k holds Layers[k][i] from X[i] until X[i+1] (the last value
// until XEnd), drawn on top of layers 0 to k-1.
type StackedArea struct {
	X      []float64
	XEnd   float64
	Layers [][]float64

	// Styles fills each layer.
	Styles []StateStyle
}

// NewStackedArea returns a stacked area over the breakpoints x, which
// must increase, ending at end. It copies its input and checks that every
// value is finite and not negative.
func NewStackedArea(x []float64, end float64, layers [][]float64) (*StackedArea, error) {
	if len(x) == 0 || len(layers) == 0 {
		return nil, errors.New("reports: stacked area has no data")
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || (i > 0 && x[i] <= x[i-1]) {
			return nil, fmt.Errorf("reports: stacked area breakpoint %d (%g) is not finite or does not increase", i, x[i])
		}
	}
	if !(end >= x[len(x)-1]) || math.IsInf(end, 0) {
		return nil, fmt.Errorf("reports: stacked area ends at %g, before its last breakpoint %g", end, x[len(x)-1])
	}
	a := &StackedArea{X: append([]float64(nil), x...), XEnd: end}
	for k, l := range layers {
		if len(l) != len(x) {
			return nil, fmt.Errorf("reports: stacked area layer %d has %d values for %d breakpoints", k, len(l), len(x))
		}
		for i, v := range l {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, fmt.Errorf("reports: stacked area layer %d value %d (%g) is not a finite, non-negative number", k, i, v)
			}
		}
		a.Layers = append(a.Layers, append([]float64(nil), l...))
	}
	a.Styles = Styles()
	return a, nil
}

// Plot implements the plot.Plotter interface.
func (a *StackedArea) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	xs, layers := a.resample(trX)
	n := len(xs) - 1
	lower := make([]float64, n)
	for k, l := range layers {
		sty := stateStyle(a.Styles, sim.State(k))
		if k < len(a.Styles) {
			sty = a.Styles[k]
		}
		upper := make([]float64, n)
		for i := range n {
			upper[i] = lower[i] + l[i]
		}
		pts := make([]vg.Point, 0, 4*n)
		for i := range n {
			pts = append(pts, vg.Point{X: xs[i], Y: trY(upper[i])}, vg.Point{X: xs[i+1], Y: trY(upper[i])})
		}
		for i := n - 1; i >= 0; i-- {
			pts = append(pts, vg.Point{X: xs[i+1], Y: trY(lower[i])}, vg.Point{X: xs[i], Y: trY(lower[i])})
		}
		c.FillPolygon(sty.Color, c.ClipPolygonXY(pts))
		if sty.Hatch != NoHatch {
			var rs []vg.Rectangle
			for i := range n {
				if upper[i] > lower[i] {
					rs = append(rs, vg.Rectangle{
						Min: vg.Point{X: max(xs[i], c.Min.X), Y: max(trY(lower[i]), c.Min.Y)},
						Max: vg.Point{X: min(xs[i+1], c.Max.X), Y: min(trY(upper[i]), c.Max.Y)},
					})
				}
			}
			hatchRects(c, sty, rs...)
		}
		lower = upper
	}
}

// minStep is the narrowest step drawn, in points: breakpoints closer
// than this on the canvas are merged, each layer taking its time-weighted
// mean over the merged steps, which keeps its area. This keeps vector
// output small when thousands of caches change state within a few points.
const minStep = vg.Length(0.5)

// resample returns the step edges on the canvas (one more than the steps)
// and each layer's value on each step.
func (a *StackedArea) resample(trX func(float64) vg.Length) ([]vg.Length, [][]float64) {
	n := len(a.X)
	end := func(i int) float64 {
		if i+1 < n {
			return a.X[i+1]
		}
		return a.XEnd
	}
	xs := []vg.Length{trX(a.X[0])}
	layers := make([][]float64, len(a.Layers))
	sums := make([]float64, len(a.Layers))
	var span float64
	for i := range n {
		w := end(i) - a.X[i]
		for k, l := range a.Layers {
			sums[k] += l[i] * w
		}
		span += w
		x := trX(end(i))
		if x-xs[len(xs)-1] < minStep && i+1 < n {
			continue
		}
		for k := range a.Layers {
			v := a.Layers[k][i]
			if span > 0 {
				v = sums[k] / span
			}
			layers[k] = append(layers[k], v)
			sums[k] = 0
		}
		span = 0
		xs = append(xs, x)
	}
	return xs, layers
}

// DataRange implements the plot.DataRanger interface.
func (a *StackedArea) DataRange() (xmin, xmax, ymin, ymax float64) {
	for i := range a.X {
		var sum float64
		for _, l := range a.Layers {
			sum += l[i]
		}
		ymax = math.Max(ymax, sum)
	}
	return a.X[0], a.XEnd, 0, ymax
}
