package reports

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dnssecsim/dnssecsim/sim"
)

// StepMark is one labelled instant on a time axis: one step of the
// procedure, or several that happen at the same time.
type StepMark struct {
	// Names are the steps at this instant, in procedure order.
	Names []string `json:"names"`
	// AtSeconds is the instant, on the plot's time axis.
	AtSeconds float64 `json:"at_seconds"`
}

// Label is the mark's text: the step names and the time, as in
// "switch-ns +1d".
func (m StepMark) Label() string {
	at := tickLabel(m.AtSeconds)
	if m.AtSeconds > -0.5 {
		at = "+" + at
	}
	return strings.Join(m.Names, ", ") + " " + at
}

// StepMarks groups steps by time, each shifted by -offset, in time order.
func StepMarks(steps []sim.StepTime, offset float64) []StepMark {
	var marks []StepMark
	idx := map[float64]int{}
	for _, st := range steps {
		at := st.AtSeconds - offset
		if i, ok := idx[at]; ok {
			marks[i].Names = append(marks[i].Names, st.Name)
			continue
		}
		idx[at] = len(marks)
		marks = append(marks, StepMark{Names: []string{st.Name}, AtSeconds: at})
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].AtSeconds < marks[j].AtSeconds })
	return marks
}

// StepLines draws a vertical line across the data area at each step.
type StepLines struct {
	// X holds the steps' positions on the X axis.
	X []float64
	// LineStyle is the style of the lines.
	draw.LineStyle
}

// NewStepLines returns lines at the marks' instants.
func NewStepLines(marks []StepMark) *StepLines {
	s := &StepLines{LineStyle: stepLineStyle}
	for _, m := range marks {
		s.X = append(s.X, m.AtSeconds)
	}
	return s
}

var stepLineStyle = draw.LineStyle{
	Color:  color.Gray{0x20},
	Width:  vg.Points(0.9),
	Dashes: []vg.Length{vg.Points(4), vg.Points(2)},
}

// Plot implements the plot.Plotter interface.
func (s *StepLines) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	for _, x := range s.X {
		px := trX(x)
		if !c.ContainsX(px) {
			continue
		}
		c.StrokeLine2(s.LineStyle, px, c.Min.Y, px, c.Max.Y)
	}
}

// DataRange implements the plot.DataRanger interface. The lines span the
// Y axis whatever its range, so they leave it alone.
func (s *StepLines) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, x := range s.X {
		xmin = math.Min(xmin, x)
		xmax = math.Max(xmax, x)
	}
	return xmin, xmax, math.Inf(1), math.Inf(-1)
}

// placedLabel is a step label laid out in the band above a plot: its line
// is at x, its text spans [x0, x1] in lane lane (0 nearest the plot).
type placedLabel struct {
	text   string
	x      vg.Length
	x0, x1 vg.Length
	lane   int
}

// labelGap is the least horizontal space between two labels in a lane, and
// labelPad the space between a step's line and its label.
const (
	labelGap = vg.Length(6)
	labelPad = vg.Length(2.5)
)

// layoutLabels places labels (at device x positions) in lanes so that no
// two texts overlap and no leader line, which runs from the plot up to its
// label, crosses another label.
//
// A label starts just right of its line, or ends just left of it when it
// would pass xmax. A label whose text covers another label's line must sit
// in a higher lane than that label, so that the other leader stops below
// it; when two labels cover each other's lines, the one on the right of
// its line moves to the left of it. Lanes then follow those constraints,
// lowest first, with labels whose texts would overlap in separate lanes.
func layoutLabels(texts []string, xs []vg.Length, sty text.Style, xmin, xmax vg.Length) []placedLabel {
	n := len(texts)
	ls := make([]placedLabel, n)
	widths := make([]vg.Length, n)
	left := make([]bool, n)
	for i := range ls {
		widths[i] = sty.Width(texts[i])
		left[i] = xs[i]+labelPad+widths[i] > xmax && xs[i]-labelPad-widths[i] >= xmin
	}
	place := func(i int) {
		l := placedLabel{text: texts[i], x: xs[i]}
		if left[i] {
			l.x1 = xs[i] - labelPad
			l.x0 = l.x1 - widths[i]
		} else {
			l.x0 = xs[i] + labelPad
			l.x1 = l.x0 + widths[i]
		}
		ls[i] = l
	}
	covers := func(a, b int) bool { // a's text covers b's line
		return a != b && ls[b].x >= ls[a].x0-labelGap/2 && ls[b].x <= ls[a].x1+labelGap/2
	}
	for i := range ls {
		place(i)
	}
	// Undo mutual covering by moving labels left of their lines.
	for range n {
		changed := false
		for a := range n {
			for b := range n {
				if covers(a, b) && covers(b, a) {
					// Move the right-placed one of the pair whose line is
					// further left; its text then ends at its line.
					m := a
					if left[a] || (!left[b] && xs[b] < xs[a]) {
						m = b
					}
					if !left[m] && xs[m]-labelPad-widths[m] >= xmin {
						left[m] = true
						place(m)
						changed = true
					}
				}
			}
		}
		if !changed {
			break
		}
	}
	// Lanes in dependency order: a label goes above every label whose line
	// it covers. Ready labels go rightmost first.
	placed := make([]bool, n)
	for i := range ls {
		ls[i].lane = -1
	}
	for range n {
		next := -1
		for i := range n {
			if placed[i] {
				continue
			}
			ready := true
			for j := range n {
				if !placed[j] && covers(i, j) && !covers(j, i) {
					ready = false
					break
				}
			}
			if ready && (next < 0 || xs[i] > xs[next]) {
				next = i
			}
		}
		if next < 0 { // a cycle left: take the rightmost label
			for i := range n {
				if !placed[i] && (next < 0 || xs[i] > xs[next]) {
					next = i
				}
			}
		}
		lowest := 0
		for j := range n {
			if placed[j] && covers(next, j) {
				lowest = max(lowest, ls[j].lane+1)
			}
		}
		free := func(lane int, leaders bool) bool {
			for j := range n {
				if !placed[j] {
					continue
				}
				if ls[j].lane == lane && ls[j].x0 < ls[next].x1+labelGap && ls[next].x0 < ls[j].x1+labelGap {
					return false
				}
				if leaders && ls[j].lane < lane && covers(j, next) {
					return false // our leader would cross it
				}
			}
			return true
		}
		lane := lowest
		for lane <= lowest+n && !free(lane, true) {
			lane++
		}
		if lane > lowest+n { // no lane avoids every crossing: accept one
			for lane = lowest; !free(lane, false); lane++ {
			}
		}
		ls[next].lane = lane
		placed[next] = true
	}
	return ls
}

// laneCount is the number of lanes the labels use.
func laneCount(ls []placedLabel) int {
	n := 0
	for _, l := range ls {
		n = max(n, l.lane+1)
	}
	return n
}

// viewEnd is where a time axis that starts at start ends: a tenth after
// the last change of state, or after the last step if that comes later but
// not more than twice as far from the start; when nothing changes, after
// the last step. It never passes end, the end of the run. It also returns
// the steps beyond the view, for the caption.
func viewEnd(marks []StepMark, start, lastChange, end float64) (float64, []StepMark) {
	last := lastChange
	if lastChange <= start {
		for _, m := range marks {
			last = math.Max(last, m.AtSeconds)
		}
	} else {
		for _, m := range marks { // in time order
			if m.AtSeconds > last && m.AtSeconds-start <= 2*(last-start) {
				last = m.AtSeconds
			}
		}
	}
	if last <= start {
		return end, nil
	}
	// Pad by a tenth, to a whole hour from the start.
	v := math.Min(end, start+math.Ceil((last-start)*1.1/3600-1e-9)*3600)
	var hidden []StepMark
	for _, m := range marks {
		if m.AtSeconds > v {
			hidden = append(hidden, m)
		}
	}
	return v, hidden
}

// croppedNote says when a time axis, from start to view, stops before the
// end of the run, and which steps it leaves out.
func croppedNote(start, lastChange, view, end float64, hidden []StepMark) string {
	if view >= end {
		return ""
	}
	var s string
	if lastChange <= start {
		s = fmt.Sprintf(" No cache changes state during the run, which goes on to %s.", signedShort(end))
	} else {
		s = fmt.Sprintf(" No cache changes state after %s; the run goes on to %s.", signedShort(lastChange), signedShort(end))
	}
	if len(hidden) > 0 {
		var names []string
		for _, m := range hidden {
			names = append(names, m.Label())
		}
		s += " Later steps, not shown: " + strings.Join(names, "; ") + "."
	}
	return s
}

// signedSpan writes a time relative to the transfer: "+1d 2h", "-3h", "0".
func signedSpan(sec float64) string {
	if math.Abs(sec) < 0.5 {
		return "0"
	}
	if sec > 0 {
		return "+" + FormatSpan(sec)
	}
	return FormatSpan(sec)
}
