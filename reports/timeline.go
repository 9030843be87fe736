package reports

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dnssecsim/dnssecsim/sim"
)

// A Timeline presents the states of caches over time: one row per cache,
// and in each row one bar per stretch of time the cache spent in a state,
// coloured by the state.
type Timeline struct {
	// Rows holds each row's stretches, in seconds. Row i is drawn at
	// Y = YMin + i; an inverted Y axis puts the first row at the top.
	Rows [][]sim.Interval

	// Height is the height of a bar as a fraction of the distance
	// between rows.
	Height float64

	// Styles fills each state, indexed by sim.State.
	Styles []StateStyle

	// MinWidth is the narrowest a stretch of Bogus or Lame is drawn, so
	// that a failure of a few seconds on an axis of days stays visible.
	// Other states are drawn to scale.
	MinWidth vg.Length

	// XOffset is subtracted from every time, for example to count from
	// the transfer rather than from the scenario's epoch.
	XOffset float64

	// Draw, when not nil, says which states to draw; a second Timeline
	// drawing only Bogus and Lame, added after other plotters, keeps the
	// failures on top of them.
	Draw func(sim.State) bool

	// YMin is the Y location of the first row.
	YMin float64
}

// NewTimeline returns a timeline with one row per element of rows. It
// copies the intervals and checks that each is finite, does not run
// backwards and has a known state.
func NewTimeline(rows [][]sim.Interval) (*Timeline, error) {
	if len(rows) == 0 {
		return nil, errors.New("reports: timeline has no rows")
	}
	cp := make([][]sim.Interval, len(rows))
	nstates := len(sim.States())
	for i, row := range rows {
		for j, iv := range row {
			switch {
			case math.IsNaN(iv.From) || math.IsNaN(iv.To) || math.IsInf(iv.From, 0) || math.IsInf(iv.To, 0):
				return nil, fmt.Errorf("reports: timeline row %d interval %d is not finite", i, j)
			case iv.To < iv.From:
				return nil, fmt.Errorf("reports: timeline row %d interval %d ends at %g before it starts at %g", i, j, iv.To, iv.From)
			case int(iv.State) >= nstates:
				return nil, fmt.Errorf("reports: timeline row %d interval %d has unknown state %d", i, j, iv.State)
			}
		}
		cp[i] = append([]sim.Interval(nil), row...)
	}
	return &Timeline{
		Rows:     cp,
		Height:   0.8,
		Styles:   Styles(),
		MinWidth: vg.Points(1.5),
	}, nil
}

// Plot implements the plot.Plotter interface.
func (t *Timeline) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i, row := range t.Rows {
		y := t.YMin + float64(i)
		y0, y1 := trY(y-t.Height/2), trY(y+t.Height/2)
		if y0 > y1 {
			y0, y1 = y1, y0
		}
		if y1 < c.Min.Y || y0 > c.Max.Y {
			continue
		}
		// Alarm states last, so that widening them hides the others'
		// edges rather than the other way round.
		for pass := 0; pass < 2; pass++ {
			for _, iv := range row {
				alarm := iv.State == sim.Bogus || iv.State == sim.Lame
				if alarm != (pass == 1) || (t.Draw != nil && !t.Draw(iv.State)) {
					continue
				}
				x0, x1 := trX(iv.From-t.XOffset), trX(iv.To-t.XOffset)
				if alarm && x1-x0 < t.MinWidth {
					mid := (x0 + x1) / 2
					x0, x1 = mid-t.MinWidth/2, mid+t.MinWidth/2
				}
				x0, x1 = max(x0, c.Min.X), min(x1, c.Max.X)
				if x1 <= x0 {
					continue
				}
				fillRect(c, stateStyle(t.Styles, iv.State), vg.Rectangle{
					Min: vg.Point{X: x0, Y: max(y0, c.Min.Y)},
					Max: vg.Point{X: x1, Y: min(y1, c.Max.Y)},
				})
			}
		}
	}
}

// DataRange implements the plot.DataRanger interface.
func (t *Timeline) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, row := range t.Rows {
		for _, iv := range row {
			xmin = math.Min(xmin, iv.From-t.XOffset)
			xmax = math.Max(xmax, iv.To-t.XOffset)
		}
	}
	return xmin, xmax, t.YMin - 0.5, t.YMin + float64(len(t.Rows)) - 0.5
}
