package reports

import (
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dnssecsim/dnssecsim/sim"
)

// Hatch is a pattern of thin parallel lines drawn over a fill.
type Hatch uint8

// The hatch patterns.
const (
	// NoHatch is a plain fill.
	NoHatch Hatch = iota
	// Diagonal draws lines rising to the right ("/").
	Diagonal
	// Cross draws lines rising and falling ("X").
	Cross
)

// StateStyle is how one state is filled.
type StateStyle struct {
	// Color fills the area.
	Color color.Color
	// Hatch is drawn over the fill in HatchColor.
	Hatch      Hatch
	HatchColor color.Color
}

// hatchSpacing is the distance between hatch lines along the X axis, and
// hatchWidth their width.
const (
	hatchSpacing = vg.Length(3.5)
	hatchWidth   = vg.Length(0.7)
)

// Styles returns the fill of each state, indexed by sim.State. The colours
// have CIE L* lightness Lame 18 < Bogus 38 < Secure 53 < Indeterminate 72 <
// Insecure 91, at least 15 apart, so a greyscale print keeps every state
// apart; Bogus and Lame are also hatched so that they stand out in any
// rendering. (Secure green and Bogus red also differ in lightness and
// hatching for readers who do not see red and green apart.)
func Styles() []StateStyle {
	return []StateStyle{
		sim.Secure:        {Color: rgb(0x00916F)},
		sim.Insecure:      {Color: rgb(0xFDE725)},
		sim.Bogus:         {Color: rgb(0xB2182B), Hatch: Diagonal, HatchColor: color.White},
		sim.Indeterminate: {Color: rgb(0xB0B0B0)},
		sim.Lame:          {Color: rgb(0x3B0F70), Hatch: Cross, HatchColor: color.White},
	}
}

// stateStyle returns the style of st, or a neutral grey for a state the
// palette does not know.
func stateStyle(styles []StateStyle, st sim.State) StateStyle {
	if int(st) < len(styles) {
		return styles[st]
	}
	return StateStyle{Color: color.Gray{0x80}}
}

func rgb(v uint32) color.RGBA {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// Lightness returns the CIE L* lightness (0 black to 100 white) of c, the
// grey level it prints as.
func Lightness(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	y := 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	if y <= 216.0/24389 {
		return y * 24389 / 27
	}
	return 116*math.Cbrt(y) - 16
}

// seriesColors are the Okabe-Ito colours (distinct for readers with
// colour-vision deficiencies) for lines and bars that are not states,
// without yellow, which is too light on white.
var seriesColors = []color.RGBA{
	rgb(0x0072B2), rgb(0xD55E00), rgb(0x009E73), rgb(0xCC79A7),
	rgb(0x56B4E9), rgb(0xE69F00), rgb(0x000000), rgb(0x999999),
}

// seriesDashes gives each series a dash pattern too, for greyscale.
var seriesDashes = [][]vg.Length{
	nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)}, {vg.Points(1), vg.Points(3)},
}

// seriesGlyphs gives each series a marker shape.
var seriesGlyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{},
	draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{},
}

func seriesColor(i int) color.Color      { return seriesColors[i%len(seriesColors)] }
func seriesDash(i int) []vg.Length       { return seriesDashes[i%len(seriesDashes)] }
func seriesGlyph(i int) draw.GlyphDrawer { return seriesGlyphs[i%len(seriesGlyphs)] }
func seriesStyle(i int) draw.LineStyle {
	return draw.LineStyle{Color: seriesColor(i), Width: vg.Points(1.5), Dashes: seriesDash(i)}
}
func seriesGlyphStyle(i int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: seriesColor(i), Radius: vg.Points(3), Shape: seriesGlyph(i)}
}

// sansFont is the only font: Liberation Sans has the metrics of Arial and
// Helvetica, so SVG viewers that lack it and fall back to those lay text
// out the same. (No bold: gonum/plot's PDF canvas registers a bold face
// under a name it then does not find.)
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Font sizes in points.
const (
	titleSize   = 14
	captionSize = 9.5
	labelSize   = 10
	tickSize    = 9
	noteSize    = 8.5
)

func textStyle(f font.Font, size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(f, size),
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot returns a plot in the reports' fonts, without title or legend
// (figures draw those outside the plot, where they hide no data).
func newPlot() *plot.Plot {
	p := plot.New()
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, labelSize)
		a.Tick.Label.Font = font.From(sansFont, tickSize)
		a.Label.Padding = vg.Points(4)
		a.Tick.Length = vg.Points(5)
		a.Padding = vg.Points(2)
	}
	p.Legend.TextStyle.Font = font.From(sansFont, noteSize)
	return p
}

// fillRect fills r with sty, hatch included.
func fillRect(c draw.Canvas, sty StateStyle, r vg.Rectangle) {
	if r.Max.X <= r.Min.X || r.Max.Y <= r.Min.Y {
		return
	}
	c.FillPolygon(sty.Color, []vg.Point{r.Min, {X: r.Min.X, Y: r.Max.Y}, r.Max, {X: r.Max.X, Y: r.Min.Y}})
	hatchRects(c, sty, r)
}

// hatchRects draws sty's hatch over the rectangles rs. The lines sit on
// one grid for the whole canvas, so the hatches of adjacent rectangles
// join up, and they are drawn as such: one line where several
// rectangles side by side would each have had a piece of it.
func hatchRects(c draw.Canvas, sty StateStyle, rs ...vg.Rectangle) {
	if sty.Hatch == NoHatch {
		return
	}
	ls := draw.LineStyle{Color: sty.HatchColor, Width: hatchWidth}
	if ls.Color == nil {
		ls.Color = color.Black
	}
	// Segments of line k run over [x0, x1]: rising lines y = x - k·s,
	// falling ones y = -x + k·s.
	type seg struct{ x0, x1 vg.Length }
	rising, falling := map[int][]seg{}, map[int][]seg{}
	for _, r := range rs {
		if r.Max.X <= r.Min.X || r.Max.Y <= r.Min.Y {
			continue
		}
		for k := int(math.Ceil(float64((r.Min.X - r.Max.Y) / hatchSpacing))); vg.Length(k)*hatchSpacing <= r.Max.X-r.Min.Y; k++ {
			off := vg.Length(k) * hatchSpacing
			x0, x1 := max(r.Min.X, r.Min.Y+off), min(r.Max.X, r.Max.Y+off)
			if x1 > x0 {
				rising[k] = append(rising[k], seg{x0, x1})
			}
		}
		if sty.Hatch != Cross {
			continue
		}
		for k := int(math.Ceil(float64((r.Min.X + r.Min.Y) / hatchSpacing))); vg.Length(k)*hatchSpacing <= r.Max.X+r.Max.Y; k++ {
			off := vg.Length(k) * hatchSpacing
			x0, x1 := max(r.Min.X, off-r.Max.Y), min(r.Max.X, off-r.Min.Y)
			if x1 > x0 {
				falling[k] = append(falling[k], seg{x0, x1})
			}
		}
	}
	var lines [][]vg.Point
	emit := func(m map[int][]seg, y func(k int, x vg.Length) vg.Length) {
		keys := make([]int, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		for _, k := range keys {
			segs := m[k]
			sort.Slice(segs, func(i, j int) bool { return segs[i].x0 < segs[j].x0 })
			cur := segs[0]
			flush := func() {
				lines = append(lines, []vg.Point{{X: cur.x0, Y: y(k, cur.x0)}, {X: cur.x1, Y: y(k, cur.x1)}})
			}
			for _, sg := range segs[1:] {
				if sg.x0 <= cur.x1+0.01 {
					cur.x1 = max(cur.x1, sg.x1)
					continue
				}
				flush()
				cur = sg
			}
			flush()
		}
	}
	emit(rising, func(k int, x vg.Length) vg.Length { return x - vg.Length(k)*hatchSpacing })
	emit(falling, func(k int, x vg.Length) vg.Length { return vg.Length(k)*hatchSpacing - x })
	if len(lines) > 0 {
		c.StrokeLines(ls, lines...)
	}
}

// stateThumb draws a state's legend swatch.
type stateThumb struct{ StateStyle }

// Thumbnail implements the plot.Thumbnailer interface.
func (t stateThumb) Thumbnail(c *draw.Canvas) {
	fillRect(*c, t.StateStyle, c.Rectangle)
	c.StrokeLines(draw.LineStyle{Color: color.Gray{0x40}, Width: vg.Points(0.4)}, []vg.Point{
		c.Min, {X: c.Min.X, Y: c.Max.Y}, c.Max, {X: c.Max.X, Y: c.Min.Y}, c.Min})
}
