package reports

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

var spanUnits = [...]struct {
	sym  string
	secs int64
}{{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}

// FormatSpan writes a number of seconds as days, hours, minutes and
// seconds, rounded to the second and without zero units: "3d 59m 32s",
// "2m 53s", "0s", "-1d".
func FormatSpan(sec float64) string {
	return formatSpan(sec, len(spanUnits))
}

// ShortSpan writes a number of seconds with at most two units, rounded to
// the smaller one: "3d 1h", "4h 48m", "2m 53s".
func ShortSpan(sec float64) string {
	return formatSpan(sec, 2)
}

func formatSpan(sec float64, parts int) string {
	if math.IsNaN(sec) || math.IsInf(sec, 0) {
		return "-"
	}
	neg := sec < 0
	t := int64(math.Round(math.Abs(sec)))
	if t == 0 {
		return "0s"
	}
	// The largest unit that fits, then round to the smallest unit shown.
	first := 0
	for spanUnits[first].secs > t {
		first++
	}
	last := min(first+parts-1, len(spanUnits)-1)
	unit := spanUnits[last].secs
	t = (t + unit/2) / unit * unit
	var out []string
	for i := 0; i <= last; i++ {
		n := t / spanUnits[i].secs
		t -= n * spanUnits[i].secs
		if n != 0 {
			out = append(out, strconv.FormatInt(n, 10)+spanUnits[i].sym)
		}
	}
	s := strings.Join(out, " ")
	if neg {
		s = "-" + s
	}
	return s
}

// niceSteps are the tick spacings a time axis uses, in seconds.
var niceSteps = []float64{
	1, 2, 5, 10, 15, 30,
	60, 2 * 60, 5 * 60, 10 * 60, 15 * 60, 30 * 60,
	3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
	86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 56 * 86400, 364 * 86400,
}

// TimeTicks marks a time axis in seconds at round days, hours or minutes,
// labelled "1d", "1d 12h", "6h", "-2h"; unlabelled minor ticks divide
// each step.
type TimeTicks struct {
	// MaxLabels is the largest number of labelled ticks (default 10).
	MaxLabels int
}

// Ticks implements the plot.Ticker interface.
func (t TimeTicks) Ticks(min, max float64) []plot.Tick {
	n := t.MaxLabels
	if n <= 0 {
		n = 10
	}
	span := max - min
	if !(span > 0) {
		return []plot.Tick{{Value: min, Label: ShortSpan(min)}}
	}
	major := niceSteps[len(niceSteps)-1]
	for _, s := range niceSteps {
		if span/s <= float64(n) {
			major = s
			break
		}
	}
	minor := major
	for _, s := range niceSteps {
		if s >= major {
			break
		}
		if r := major / s; r == math.Trunc(r) && span/s <= float64(3*n) {
			minor = s
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(min/minor) * minor; v <= max+minor*1e-9; v += minor {
		if math.Abs(math.Remainder(v, major)) < minor*1e-6 {
			ticks = append(ticks, plot.Tick{Value: v, Label: tickLabel(v)})
		} else {
			ticks = append(ticks, plot.Tick{Value: v})
		}
	}
	return ticks
}

// tickLabel writes a tick value: "0" for zero, else a short span.
func tickLabel(v float64) string {
	if math.Abs(v) < 0.5 {
		return "0"
	}
	return FormatSpan(v)
}

// formatFloat writes v with at most prec decimals and no trailing zeros.
func formatFloat(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
