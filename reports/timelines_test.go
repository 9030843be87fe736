package reports

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dnssecsim/dnssecsim/sim"
)

// TestTimelinesGolden checks the data behind the timeline figure: every
// cache, and a sample of four (two per profile, the youngest and the
// oldest of each).
func TestTimelinesGolden(t *testing.T) {
	r := fixture()
	for _, tc := range []struct {
		name string
		rows int
	}{
		{"timeline-all", 0},
		{"timeline-sample", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Timelines(r, tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".csv", d.CSV())
			golden(t, tc.name+".json", d.JSON())
			f, err := d.Figure()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".caption", []byte(f.Title+"\n"+f.Caption+"\n"))
			renderAll(t, f)
		})
	}
}

// TestSample checks how rows are shared among profiles and spread over
// ages.
func TestSample(t *testing.T) {
	var tls []sim.Timeline
	for i := range 100 {
		p := "unbound"
		if i%4 == 0 {
			p = "bind" // a quarter of the population
		}
		tls = append(tls, sim.Timeline{Cache: i, Profile: p, AgeSeconds: float64(100 - i)})
	}
	tests := []struct {
		// n is the row budget; want the profile and age of each row.
		n    int
		want string
	}{
		// Every cache fits: all 100, bind first, youngest first.
		{n: 200, want: "bind:25 unbound:75"},
		// 8 rows: 2 bind, 6 unbound, the extremes of each included.
		{n: 8, want: "bind:2 unbound:6"},
		// One row for two profiles: the larger profile gets it (each
		// profile gets a row only when there is room for one each).
		{n: 1, want: "unbound:1"},
		// Two rows: one each.
		{n: 2, want: "bind:1 unbound:1"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			got := sample(tls, tc.n)
			counts := map[string]int{}
			var order []string
			for i, tl := range got {
				if counts[tl.Profile] == 0 {
					order = append(order, tl.Profile)
				}
				counts[tl.Profile]++
				if i > 0 && got[i-1].Profile == tl.Profile && got[i-1].AgeSeconds > tl.AgeSeconds {
					t.Errorf("row %d: age %g after %g: not ordered by age", i, tl.AgeSeconds, got[i-1].AgeSeconds)
				}
			}
			var parts []string
			for _, p := range order {
				parts = append(parts, fmt.Sprintf("%s:%d", p, counts[p]))
			}
			if s := strings.Join(parts, " "); s != tc.want {
				t.Errorf("sample(%d) = %s, want %s", tc.n, s, tc.want)
			}
			if tc.n == 8 {
				// The youngest and oldest unbound caches are in.
				var ages []float64
				for _, tl := range got {
					if tl.Profile == "unbound" {
						ages = append(ages, tl.AgeSeconds)
					}
				}
				if ages[0] != 1 || ages[len(ages)-1] != 99 {
					t.Errorf("unbound ages %v: want the youngest (1) and the oldest (99)", ages)
				}
			}
		})
	}
}

func TestNewTimelineErrors(t *testing.T) {
	tests := []struct {
		name string
		rows [][]sim.Interval
		want string
	}{
		{"no rows", nil, "no rows"},
		{"backwards", [][]sim.Interval{{iv(5, 4, sim.Secure)}}, "ends at 4 before it starts at 5"},
		{"unknown state", [][]sim.Interval{{iv(0, 1, sim.State(9))}}, "unknown state 9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewTimeline(tc.rows)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "reports: ") {
				t.Errorf("NewTimeline: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestNewTimelineCopies checks that the plotter keeps its own copy.
func TestNewTimelineCopies(t *testing.T) {
	rows := [][]sim.Interval{{iv(0, 10, sim.Secure)}}
	tl, err := NewTimeline(rows)
	if err != nil {
		t.Fatal(err)
	}
	rows[0][0].To = 99
	if xmin, xmax, ymin, ymax := tl.DataRange(); xmin != 0 || xmax != 10 || ymin != -0.5 || ymax != 0.5 {
		t.Errorf("DataRange = %g %g %g %g, want 0 10 -0.5 0.5", xmin, xmax, ymin, ymax)
	}
}

func TestTimelinesNeedTimelines(t *testing.T) {
	r := fixture()
	r.Timelines = nil
	if _, err := Timelines(r, 0); err != ErrNoTimelines {
		t.Errorf("Timelines without timelines: %v, want ErrNoTimelines", err)
	}
	if _, err := Share(r); err != ErrNoTimelines {
		t.Errorf("Share without timelines: %v, want ErrNoTimelines", err)
	}
}
