package reports

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// TestShareGolden checks the data behind the share figure: counts per
// state at each change, from the transfer.
func TestShareGolden(t *testing.T) {
	d, err := Share(fixture())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "share.csv", d.CSV())
	for i, p := range d.Points {
		sum := 0
		for _, n := range p.Counts {
			sum += n
		}
		if sum != d.Caches {
			t.Errorf("point %d at %g: counts add up to %d, want %d", i, p.AtSeconds, sum, d.Caches)
		}
		if i > 0 && equalInts(d.Points[i-1].Counts, p.Counts) {
			t.Errorf("point %d repeats the counts of point %d", i, i-1)
		}
	}
	f, err := d.Figure()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "share.caption", []byte(f.Title+"\n"+f.Caption+"\n"))
	renderAll(t, f)
}

func TestNewStackedAreaErrors(t *testing.T) {
	tests := []struct {
		name   string
		x      []float64
		end    float64
		layers [][]float64
		want   string
	}{
		{"empty", nil, 1, nil, "no data"},
		{"not increasing", []float64{0, 0}, 1, [][]float64{{1, 1}}, "does not increase"},
		{"end before", []float64{0, 5}, 4, [][]float64{{1, 1}}, "before its last breakpoint"},
		{"short layer", []float64{0, 5}, 6, [][]float64{{1}}, "1 values for 2 breakpoints"},
		{"negative", []float64{0, 5}, 6, [][]float64{{1, -1}}, "non-negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewStackedArea(tc.x, tc.end, tc.layers)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewStackedArea: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestResample checks that merging steps narrower than minStep keeps each
// layer's area.
func TestResample(t *testing.T) {
	x := []float64{0, 1, 2, 3, 100}
	a, err := NewStackedArea(x, 200, [][]float64{{0, 1, 0, 1, 0}, {1, 0, 1, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	// 0.2 points per unit of time: the first three steps are narrower
	// than minStep.
	xs, layers := a.resample(func(v float64) vg.Length { return vg.Length(v * 0.2) })
	area := func(k int) float64 {
		var s float64
		for i := range layers[k] {
			s += layers[k][i] * float64(xs[i+1]-xs[i]) / 0.2
		}
		return s
	}
	if got := area(0); math.Abs(got-98) > 1e-9 {
		t.Errorf("layer 0 area %g, want 98", got)
	}
	if got := area(1); math.Abs(got-102) > 1e-9 {
		t.Errorf("layer 1 area %g, want 102", got)
	}
	if len(xs) >= len(x)+1 {
		t.Errorf("resample kept %d edges of %d: nothing merged", len(xs), len(x)+1)
	}
}
