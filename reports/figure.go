package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Formats are the image formats Figure.Render writes, which are also the
// file extensions.
var Formats = []string{"png", "svg", "pdf"}

// pngDPI is the resolution of PNG output: sharp on a high-density screen
// and in print at the figures' physical size.
const pngDPI = 144

// A Figure is one or more plots stacked vertically under a title, a
// caption and a legend, sharing their X axis. Time figures also carry the
// procedure's steps: dashed lines through every plot, and labels in lanes
// above the first.
type Figure struct {
	// Name is the figure's file name without extension ("timeline").
	Name string
	// Title is the figure's headline and Caption what it shows, wrapped
	// to the figure's width.
	Title, Caption string
	// Width and Height are the figure's size.
	Width, Height vg.Length

	legend []legendItem
	// panels are laid out in rows of cols (default 1) plots, in row
	// order; colTitles head the columns and rowTitles label the rows on
	// the right.
	panels    []*plot.Plot
	cols      int
	colTitles []string
	rowTitles []string
	// panelTitles head single panels, in panel order.
	panelTitles []string
	steps       []StepMark
	groups      []rowGroup
	// notes are drawn in the data area of a panel.
	notes []panelNote
}

// legendItem is one legend entry.
type legendItem struct {
	label string
	thumb plot.Thumbnailer
}

// rowGroup labels a run of rows (Y values) of the first panel in the band
// right of it, for example the caches of one resolver profile.
type rowGroup struct {
	label      string
	ymin, ymax float64
}

// panelNote is a text drawn at the top left of a panel's data area.
type panelNote struct {
	panel int
	text  string
}

const (
	margin    = vg.Length(10)
	thumbW    = vg.Length(22)
	thumbH    = vg.Length(9)
	panelGap  = vg.Length(14)
	bracketW  = vg.Length(5)
	legendGap = vg.Length(14)
)

// Render draws the figure in format (one of Formats).
func (f *Figure) Render(format string) (out []byte, err error) {
	var cw vg.CanvasWriterTo
	switch format {
	case "png":
		cw = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(pngDPI))}
	case "svg":
		cw = vgsvg.New(f.Width, f.Height)
	case "pdf":
		cw = vgpdf.New(f.Width, f.Height)
	default:
		return nil, fmt.Errorf("reports: unknown image format %q (expected png, svg or pdf)", format)
	}
	defer func() {
		// gonum/plot reports some bad input (a value of 0 on a log
		// axis) by panicking.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("reports: drawing %s: %v", f.Name, r)
		}
	}()
	f.Draw(draw.New(cw.(vg.CanvasSizer)))
	var buf bytes.Buffer
	if _, err := cw.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("reports: writing %s as %s: %w", f.Name, format, err)
	}
	if format == "svg" {
		return fixSVG(buf.Bytes()), nil
	}
	return buf.Bytes(), nil
}

// fixSVG gives the SVG's text fonts metric-compatible fallbacks, for
// viewers without Liberation Sans.
func fixSVG(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;"))
}

// Draw draws the figure on c.
func (f *Figure) Draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())

	left, right := c.Min.X+margin, c.Max.X-margin
	top := c.Max.Y - margin

	// Title and caption.
	ts := textStyle(sansFont, titleSize)
	ts.YAlign = draw.YTop
	if f.Title != "" {
		for _, line := range wrapText(f.Title, ts, right-left) {
			c.FillText(ts, vg.Point{X: left, Y: top}, line)
			top -= ts.Height(line) + 1
		}
		top -= 3
	}
	cs := textStyle(sansFont, captionSize)
	cs.YAlign = draw.YTop
	cs.Color = color.Gray{0x30}
	if f.Caption != "" {
		for _, line := range wrapText(f.Caption, cs, right-left) {
			c.FillText(cs, vg.Point{X: left, Y: top}, line)
			top -= cs.Height(line) + 1.5
		}
		top -= 4
	}
	top = f.drawLegend(c, left, right, top)

	// Plots, with room for the step labels above and the row groups
	// on the right.
	area := c
	area.Min = vg.Point{X: left, Y: c.Min.Y + margin/2}
	area.Max = vg.Point{X: right, Y: top}
	gs := textStyle(sansFont, noteSize)
	if len(f.groups) > 0 {
		var w vg.Length
		for _, g := range f.groups {
			w = max(w, gs.Width(g.label))
		}
		area.Max.X -= w + bracketW + 6
	}
	rs := textStyle(sansFont, captionSize)
	if len(f.rowTitles) > 0 {
		var w vg.Length
		for _, t := range f.rowTitles {
			w = max(w, rs.Width(t))
		}
		area.Max.X -= w + 8
	}
	if len(f.colTitles) > 0 || len(f.panelTitles) > 0 {
		area.Max.Y -= rs.Height("Xg") + 4
	}
	if len(f.panels) == 0 {
		return
	}
	ls := textStyle(sansFont, noteSize)
	canvases := f.layout(area)
	var labels []placedLabel
	if len(f.steps) > 0 {
		labels = f.placeLabels(canvases[0], ls)
		lane := ls.Height("Xg") + 2
		area.Max.Y -= vg.Length(laneCount(labels))*lane + 4
		canvases = f.layout(area)
	}
	for i, p := range f.panels {
		if p != nil {
			p.Draw(canvases[i])
		}
	}
	dc := f.panels[0].DataCanvas(canvases[0])
	cols := max(f.cols, 1)
	for j, t := range f.colTitles {
		if j >= len(f.panels) {
			break
		}
		pdc := f.panels[j].DataCanvas(canvases[j])
		ts := rs
		ts.XAlign = draw.XCenter
		c.FillText(ts, vg.Point{X: (pdc.Min.X + pdc.Max.X) / 2, Y: pdc.Max.Y + 4 + rs.FontExtents().Descent}, t)
	}
	for i, t := range f.panelTitles {
		if i >= len(f.panels) || t == "" {
			continue
		}
		pdc := f.panels[i].DataCanvas(canvases[i])
		ts := rs
		c.FillText(ts, vg.Point{X: pdc.Min.X, Y: pdc.Max.Y + 4 + rs.FontExtents().Descent}, t)
	}
	for i, t := range f.rowTitles {
		k := i*cols + cols - 1
		if k >= len(f.panels) {
			break
		}
		pdc := f.panels[k].DataCanvas(canvases[k])
		ts := rs
		ts.YAlign = draw.YCenter
		c.FillText(ts, vg.Point{X: canvases[k].Max.X + 8, Y: (pdc.Min.Y + pdc.Max.Y) / 2}, t)
	}
	if len(labels) > 0 {
		f.drawLabels(c, dc, labels, ls)
	}
	if len(f.groups) > 0 {
		f.drawGroups(c, dc, gs)
	}
	for _, n := range f.notes {
		ndc := f.panels[n.panel].DataCanvas(canvases[n.panel])
		ns := textStyle(sansFont, noteSize)
		ns.YAlign = draw.YTop
		ns.Color = color.Gray{0x30}
		c.FillText(ns, vg.Point{X: ndc.Min.X + 6, Y: ndc.Max.Y - 4}, n.text)
	}
}

// layout splits area among the panels, aligned so that their data areas
// share their left and right edges.
func (f *Figure) layout(area draw.Canvas) []draw.Canvas {
	cols := max(f.cols, 1)
	rows := (len(f.panels) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for i := range plots {
		plots[i] = make([]*plot.Plot, cols)
		for j := range cols {
			if k := i*cols + j; k < len(f.panels) {
				plots[i][j] = f.panels[k]
			}
		}
	}
	padY := panelGap
	if len(f.panelTitles) > 0 {
		padY += textStyle(sansFont, captionSize).Height("Xg") + 4
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadY: padY, PadX: panelGap}
	aligned := plot.Align(plots, tiles, area)
	var out []draw.Canvas
	for i := range aligned {
		out = append(out, aligned[i]...)
	}
	return out[:len(f.panels)]
}

// placeLabels lays out the step labels over the first panel.
func (f *Figure) placeLabels(pc draw.Canvas, sty text.Style) []placedLabel {
	p := f.panels[0]
	dc := p.DataCanvas(pc)
	trX, _ := p.Transforms(&dc)
	var texts []string
	var xs []vg.Length
	for _, m := range f.steps {
		x := trX(m.AtSeconds)
		if x < dc.Min.X-0.5 || x > dc.Max.X+0.5 {
			continue
		}
		texts = append(texts, m.Label())
		xs = append(xs, x)
	}
	return layoutLabels(texts, xs, sty, dc.Min.X, pc.Max.X)
}

// drawLabels draws the step labels above the data area dc, each with a
// leader line from the plot up to its text.
func (f *Figure) drawLabels(c draw.Canvas, dc draw.Canvas, labels []placedLabel, sty text.Style) {
	lane := sty.Height("Xg") + 2
	base := dc.Max.Y + 4
	desc := sty.FontExtents().Descent
	leader := stepLineStyle
	leader.Dashes = nil
	leader.Width = vg.Points(0.6)
	for _, l := range labels {
		y := base + vg.Length(l.lane)*lane
		c.StrokeLine2(leader, l.x, dc.Max.Y, l.x, y+lane/2)
		c.FillText(sty, vg.Point{X: l.x0, Y: y + desc}, l.text)
	}
}

// drawGroups draws a bracket and a label right of the data area for each
// row group.
func (f *Figure) drawGroups(c draw.Canvas, dc draw.Canvas, sty text.Style) {
	_, trY := f.panels[0].Transforms(&dc)
	sty.YAlign = draw.YCenter
	ls := draw.LineStyle{Color: color.Gray{0x40}, Width: vg.Points(0.8)}
	x := dc.Max.X + 3
	for _, g := range f.groups {
		y0, y1 := trY(g.ymin-0.4), trY(g.ymax+0.4)
		c.StrokeLines(ls, []vg.Point{{X: x, Y: y0}, {X: x + bracketW, Y: y0}, {X: x + bracketW, Y: y1}, {X: x, Y: y1}})
		c.FillText(sty, vg.Point{X: x + bracketW + 3, Y: (y0 + y1) / 2}, g.label)
	}
}

// drawLegend draws the legend entries in rows from top and returns the Y
// below them.
func (f *Figure) drawLegend(c draw.Canvas, left, right, top vg.Length) vg.Length {
	if len(f.legend) == 0 {
		return top
	}
	sty := textStyle(sansFont, captionSize)
	sty.YAlign = draw.YCenter
	rowH := max(thumbH, sty.Height("Xg")) + 4
	x, y := left, top-rowH/2
	for _, it := range f.legend {
		w := thumbW + 4 + sty.Width(it.label)
		if x > left && x+w > right {
			x, y = left, y-rowH
		}
		tc := c
		tc.Rectangle = vg.Rectangle{Min: vg.Point{X: x, Y: y - thumbH/2}, Max: vg.Point{X: x + thumbW, Y: y + thumbH/2}}
		it.thumb.Thumbnail(&tc)
		c.FillText(sty, vg.Point{X: x + thumbW + 4, Y: y}, it.label)
		x += w + legendGap
	}
	return y - rowH/2 - 4
}

// stateLegend lists the states with their swatches.
func stateLegend(styles []StateStyle, states []string) []legendItem {
	var items []legendItem
	for i, name := range states {
		items = append(items, legendItem{label: name, thumb: stateThumb{styles[i]}})
	}
	return items
}

// wrapText breaks s into lines no wider than width, at spaces.
func wrapText(s string, sty text.Style, width vg.Length) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		line := ""
		for _, w := range words {
			try := w
			if line != "" {
				try = line + " " + w
			}
			if line != "" && sty.Width(try) > width {
				lines = append(lines, line)
				line = w
				continue
			}
			line = try
		}
		lines = append(lines, line)
	}
	return lines
}

// lineThumb draws a legend swatch for a line series: a line and a marker.
type lineThumb struct {
	line  draw.LineStyle
	glyph *draw.GlyphStyle
}

// Thumbnail implements the plot.Thumbnailer interface.
func (t lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(t.line, c.Min.X, y, c.Max.X, y)
	if t.glyph != nil {
		c.DrawGlyphNoClip(*t.glyph, c.Center())
	}
}
