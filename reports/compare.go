package reports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dnssecsim/dnssecsim/sim"
)

// Behaviour is a way the losing side behaves, as the settings that make it.
type Behaviour struct {
	Name string
	// Sets are PATH=VALUE settings, applied in order.
	Sets []string
}

// DefaultBehaviours are the losing-side behaviours a comparison covers:
// the guideline's premise that the losing side may do anything, from
// helping to deleting its keys or its zone at the transfer.
var DefaultBehaviours = []Behaviour{
	{"cooperative", []string{"losing.behaviour=cooperative"}},
	{"passive", []string{"losing.behaviour=passive", "losing.delete_after=0s"}},
	{"hasty, keys", []string{"losing.behaviour=hasty", "losing.hasty_action=delete-dnskeys", "losing.hasty_delay=0s"}},
	{"hasty, zone", []string{"losing.behaviour=hasty", "losing.hasty_action=delete-zone", "losing.hasty_delay=0s"}},
}

// Comparison holds one run per method (scenario), losing-side behaviour and
// resolver profile, each with every cache of the one profile.
type Comparison struct {
	Methods    []string        `json:"methods"`
	Behaviours []string        `json:"behaviours"`
	Profiles   []string        `json:"profiles"`
	Rows       []ComparisonRow `json:"rows"`
}

// ComparisonRow is one run of a comparison.
type ComparisonRow struct {
	Method    string                `json:"method"`
	Behaviour string                `json:"behaviour"`
	Profile   string                `json:"profile"`
	Caches    int                   `json:"caches"`
	Metrics   map[string]sim.Metric `json:"metrics,omitempty"`
	// Error says why the combination could not run (a behaviour the
	// scenario does not allow, say).
	Error string `json:"error,omitempty"`
}

// NewComparison returns the comparison's rows, methods varying slowest and
// profiles fastest, without results.
func NewComparison(methods, behaviours, profiles []string) *Comparison {
	c := &Comparison{
		Methods:    append([]string(nil), methods...),
		Behaviours: append([]string(nil), behaviours...),
		Profiles:   append([]string(nil), profiles...),
	}
	for _, m := range methods {
		for _, b := range behaviours {
			for _, p := range profiles {
				c.Rows = append(c.Rows, ComparisonRow{Method: m, Behaviour: b, Profile: p})
			}
		}
	}
	return c
}

// Record stores the result of row i. Goroutines may record different rows
// at the same time.
func (c *Comparison) Record(i int, r *sim.Result) {
	c.Rows[i].Metrics = r.Metrics
	c.Rows[i].Caches = caches(r)
}

// caches is the largest population of the comparison's runs.
func (c *Comparison) caches() int {
	n := 0
	for _, r := range c.Rows {
		n = max(n, r.Caches)
	}
	return n
}

// Fail records why row i could not run.
func (c *Comparison) Fail(i int, err error) { c.Rows[i].Error = err.Error() }

// row returns the row of a method, behaviour and profile.
func (c *Comparison) row(m, b, p int) *ComparisonRow {
	return &c.Rows[(m*len(c.Behaviours)+b)*len(c.Profiles)+p]
}

// CSV writes one line per run: method, behaviour, profile, caches, five
// columns per state (as in sweeps) and error.
func (c *Comparison) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := append([]string{"method", "behaviour", "profile", "caches"}, metricHeader()...)
	w.Write(append(head, "error"))
	for _, r := range c.Rows {
		rec := []string{r.Method, r.Behaviour, r.Profile, strconv.Itoa(r.Caches)}
		if r.Metrics != nil {
			rec = append(rec, metricRecord(r.Metrics)...)
		} else {
			rec = append(rec, make([]string, len(metricHeader()))...)
		}
		w.Write(append(rec, r.Error))
	}
	w.Flush()
	return b.Bytes()
}

// JSON encodes the comparison, indented.
func (c *Comparison) JSON() []byte { return mustJSON(c) }

// MeanSeconds is the mean time a cache of the row spent in st.
func (r *ComparisonRow) MeanSeconds(st sim.State) float64 {
	if r.Caches == 0 {
		return 0
	}
	return r.Metrics[st.String()].CacheSeconds / float64(r.Caches)
}

// failureStates are what the comparison figure stacks.
var failureStates = []sim.State{sim.Bogus, sim.Lame}

// Figure draws the comparison as small multiples: a row of panels per
// behaviour, a column per method, and in each panel one bar per resolver
// profile: the mean time a cache spent Bogus, with Lame stacked on top. All
// panels share one scale.
func (c *Comparison) Figure() (*Figure, error) {
	if len(c.Rows) == 0 {
		return nil, errors.New("reports: empty comparison")
	}
	var top float64
	for i := range c.Rows {
		var sum float64
		for _, st := range failureStates {
			sum += c.Rows[i].MeanSeconds(st)
		}
		top = math.Max(top, sum)
	}
	if top == 0 {
		top = 3600
	}
	yt := TimeTicks{MaxLabels: 4}
	styles := Styles()
	var panels []*plot.Plot
	nb, nm := len(c.Behaviours), len(c.Methods)
	for b := range nb {
		for m := range nm {
			bars := &stackedBars{Width: 0.7, Styles: []StateStyle{styles[sim.Bogus], styles[sim.Lame]}}
			bars.Layers = make([][]float64, len(failureStates))
			for p := range c.Profiles {
				r := c.row(m, b, p)
				bars.Missing = append(bars.Missing, r.Metrics == nil)
				for k, st := range failureStates {
					bars.Layers[k] = append(bars.Layers[k], r.MeanSeconds(st))
				}
			}
			pl := newPlot()
			pl.Add(bars)
			pl.Y.Min, pl.Y.Max = 0, top*1.05
			pl.X.Min, pl.X.Max = -0.6, float64(len(c.Profiles))-0.4
			var xt plot.ConstantTicks
			for p, name := range c.Profiles {
				t := plot.Tick{Value: float64(p)}
				if b == nb-1 {
					// Rotated, the label ends at the axis; the
					// spaces keep it off the axis line.
					t.Label = name + "  "
				}
				xt = append(xt, t)
			}
			pl.X.Tick.Marker = xt
			pl.X.Tick.Length = 0 // the bars mark their places
			pl.X.Tick.Label.Rotation = math.Pi / 2
			pl.X.Tick.Label.XAlign = draw.XRight
			pl.X.Tick.Label.YAlign = draw.YCenter
			if m == 0 {
				pl.Y.Tick.Marker = yt
			} else {
				pl.Y.Tick.Marker = unlabelled{yt}
			}
			panels = append(panels, pl)
		}
	}
	f := &Figure{
		Name:  "comparison",
		Title: "Failures by method, losing-side behaviour and resolver profile",
		Caption: fmt.Sprintf("Each bar is one run with a sampled population of %d caches, all of one resolver profile: the mean time a cache spent Bogus, with Lame (cannot resolve) on top; a bar of height zero is a run whose sampled caches had no failure (a sample, not a proof that none can), a cross a combination that cannot run. Columns are methods, rows are what the losing side does at the transfer. Insecure and Indeterminate time is in the table.",
			c.caches()),
		Width:     vg.Points(max(720, 150+float64(nm*len(c.Profiles))*22)),
		Height:    vg.Length(nb)*vg.Points(105) + vg.Points(230),
		legend:    stateLegend([]StateStyle{styles[sim.Bogus], styles[sim.Lame]}, []string{"Bogus", "Lame"}),
		panels:    panels,
		cols:      nm,
		colTitles: c.Methods,
		rowTitles: c.Behaviours,
	}
	return f, nil
}

// unlabelled keeps a ticker's marks and drops their labels.
type unlabelled struct{ plot.Ticker }

// Ticks implements the plot.Ticker interface.
func (u unlabelled) Ticks(min, max float64) []plot.Tick {
	ts := u.Ticker.Ticks(min, max)
	for i := range ts {
		ts[i].Label = ""
	}
	return ts
}

// stackedBars draws bar i at X = i with Layers[k][i] stacked from k = 0 up,
// a dark base line so that a zero bar still shows, and a cross for a
// missing bar.
type stackedBars struct {
	Layers  [][]float64
	Styles  []StateStyle
	Missing []bool
	// Width is the width of a bar in X units.
	Width float64
}

// Plot implements the plot.Plotter interface.
func (s *stackedBars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	base := draw.LineStyle{Color: color.Gray{0x20}, Width: vg.Points(1.2)}
	for i := range s.Missing {
		x0, x1 := trX(float64(i)-s.Width/2), trX(float64(i)+s.Width/2)
		if s.Missing[i] {
			gs := draw.GlyphStyle{Color: color.Gray{0x60}, Radius: vg.Points(3), Shape: draw.CrossGlyph{}}
			c.DrawGlyph(gs, vg.Point{X: (x0 + x1) / 2, Y: trY(0) + 4})
			continue
		}
		var bottom float64
		for k, l := range s.Layers {
			v := l[i]
			if v <= 0 {
				continue
			}
			fillRect(c, s.Styles[k], vg.Rectangle{
				Min: vg.Point{X: x0, Y: trY(bottom)},
				Max: vg.Point{X: x1, Y: min(trY(bottom+v), c.Max.Y)},
			})
			bottom += v
		}
		c.StrokeLine2(base, x0, trY(0), x1, trY(0))
	}
}

// DataRange implements the plot.DataRanger interface.
func (s *stackedBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	for i := range s.Missing {
		var sum float64
		for _, l := range s.Layers {
			sum += l[i]
		}
		ymax = math.Max(ymax, sum)
	}
	return -0.5, float64(len(s.Missing)) - 0.5, 0, ymax
}
