package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/dnssecsim/dnssecsim/sim"
)

// DefaultMaxRows is how many caches a timeline figure shows at most.
const DefaultMaxRows = 60

// TimelineData is the data behind a timeline figure: the caches it shows,
// with their stretches in each state. Times count from the transfer.
type TimelineData struct {
	Scenario string `json:"scenario"`
	// Caches is the size of the population, Shown how many rows the
	// figure has: every cache, or a sample evenly spread over the cache
	// ages of each resolver profile.
	Caches int `json:"caches"`
	Shown  int `json:"shown"`
	// LastChangeSeconds is the last time any cache (shown or not)
	// changed state.
	LastChangeSeconds float64 `json:"last_change_seconds"`
	// TransferSeconds is when the transfer happened, from the scenario's
	// epoch.
	TransferSeconds float64       `json:"transfer_seconds"`
	Steps           []StepMark    `json:"steps"`
	Rows            []TimelineRow `json:"rows"`
}

// TimelineRow is one cache.
type TimelineRow struct {
	Cache      int       `json:"cache"`
	Profile    string    `json:"profile"`
	AgeSeconds float64   `json:"age_seconds"`
	Stretches  []Stretch `json:"stretches"`
}

// Stretch is a time a cache spent in one state.
type Stretch struct {
	From  float64 `json:"from_seconds"`
	To    float64 `json:"to_seconds"`
	State string  `json:"state"`
}

// Timelines picks the rows of a timeline figure from r, which must hold
// timelines: caches grouped by resolver profile (in name order) and
// ordered by cache age, every cache when there are at most maxRows (0
// means DefaultMaxRows), else a sample of maxRows shared among the
// profiles in proportion to their caches and spread evenly over the ages
// of each.
func Timelines(r *sim.Result, maxRows int) (*TimelineData, error) {
	if len(r.Timelines) == 0 {
		return nil, ErrNoTimelines
	}
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	off := TransferSeconds(r)
	d := &TimelineData{
		Scenario:        r.Scenario,
		Caches:          len(r.Timelines),
		TransferSeconds: off,
		Steps:           StepMarks(r.Steps, off),
	}
	for _, tl := range sample(r.Timelines, maxRows) {
		row := TimelineRow{Cache: tl.Cache, Profile: tl.Profile, AgeSeconds: tl.AgeSeconds}
		for _, iv := range tl.Intervals {
			row.Stretches = append(row.Stretches, Stretch{From: iv.From - off, To: iv.To - off, State: iv.State.String()})
		}
		d.Rows = append(d.Rows, row)
	}
	d.Shown = len(d.Rows)
	d.LastChangeSeconds = lastChange(r) - off
	return d, nil
}

// sample orders timelines by profile and age and keeps at most n.
func sample(tls []sim.Timeline, n int) []sim.Timeline {
	groups := map[string][]sim.Timeline{}
	var names []string
	for _, tl := range tls {
		if _, ok := groups[tl.Profile]; !ok {
			names = append(names, tl.Profile)
		}
		groups[tl.Profile] = append(groups[tl.Profile], tl)
	}
	sort.Strings(names)
	for _, name := range names {
		g := groups[name]
		sort.SliceStable(g, func(i, j int) bool {
			if g[i].AgeSeconds != g[j].AgeSeconds {
				return g[i].AgeSeconds < g[j].AgeSeconds
			}
			return g[i].Cache < g[j].Cache
		})
	}
	quota := map[string]int{}
	if len(tls) <= n {
		for _, name := range names {
			quota[name] = len(groups[name])
		}
	} else {
		// Largest remainder, at least one row per profile when there is
		// room for one.
		type rem struct {
			name string
			frac float64
		}
		var rems []rem
		used := 0
		for _, name := range names {
			exact := float64(n) * float64(len(groups[name])) / float64(len(tls))
			q := int(exact)
			if q == 0 && n >= len(names) {
				q = 1
			}
			quota[name] = q
			used += q
			rems = append(rems, rem{name, exact - math.Floor(exact)})
		}
		sort.SliceStable(rems, func(i, j int) bool { return rems[i].frac > rems[j].frac })
		for i := 0; used < n && i < len(rems); i++ {
			if quota[rems[i].name] < len(groups[rems[i].name]) {
				quota[rems[i].name]++
				used++
			}
		}
	}
	var out []sim.Timeline
	for _, name := range names {
		g, q := groups[name], quota[name]
		switch {
		case q >= len(g):
			out = append(out, g...)
		case q == 1:
			out = append(out, g[0])
		default:
			for k := range q {
				out = append(out, g[int(math.Round(float64(k)*float64(len(g)-1)/float64(q-1)))])
			}
		}
	}
	return out
}

// CSV writes one line per stretch: cache, profile, age_seconds,
// from_seconds, to_seconds (from the transfer), state.
func (d *TimelineData) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"cache", "profile", "age_seconds", "from_seconds", "to_seconds", "state"})
	for _, r := range d.Rows {
		for _, s := range r.Stretches {
			w.Write([]string{strconv.Itoa(r.Cache), r.Profile, formatFloat(r.AgeSeconds, 3),
				formatFloat(s.From, 3), formatFloat(s.To, 3), s.State})
		}
	}
	w.Flush()
	return b.Bytes()
}

// JSON encodes the data, indented.
func (d *TimelineData) JSON() []byte { return mustJSON(d) }

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // only plain data types reach here
	}
	return append(b, '\n')
}

// Figure draws the timeline: one row per cache, grouped by profile and
// ordered by age (youngest at the top of each group), the steps as
// labelled dashed lines.
func (d *TimelineData) Figure() (*Figure, error) {
	var rows [][]sim.Interval
	var groups []rowGroup
	var ticks []plot.Tick
	prev := ""
	start := 0
	for i, r := range d.Rows {
		if i > 0 && r.Profile != prev {
			groups = append(groups, rowGroup{label: prev, ymin: float64(start), ymax: float64(len(rows) - 1)})
			rows = append(rows, nil) // a blank row between profiles
			start = len(rows)
		}
		prev = r.Profile
		var ivs []sim.Interval
		for _, s := range r.Stretches {
			st, err := ParseState(s.State)
			if err != nil {
				return nil, fmt.Errorf("reports: timeline of cache %d: %v", r.Cache, err)
			}
			ivs = append(ivs, sim.Interval{From: s.From, To: s.To, State: st})
		}
		rows = append(rows, ivs)
	}
	if len(d.Rows) > 0 {
		groups = append(groups, rowGroup{label: prev, ymin: float64(start), ymax: float64(len(rows) - 1)})
	}
	tl, err := NewTimeline(rows)
	if err != nil {
		return nil, err
	}
	// Label a few rows of each group with their age.
	for gi, g := range groups {
		n := int(g.ymax-g.ymin) + 1
		step := max(1, int(math.Ceil(float64(n)/5)))
		for y := int(g.ymin); y <= int(g.ymax); y++ {
			k := y - int(g.ymin)
			idx := y - gi // gi blank rows come before group gi
			label := ""
			if k%step == 0 {
				label = ShortSpan(d.Rows[idx].AgeSeconds)
			}
			ticks = append(ticks, plot.Tick{Value: float64(y), Label: label})
		}
	}
	if len(groups) == 1 {
		groups = nil // one profile: named in the caption instead
	}

	p := newPlot()
	p.Add(tl)
	_, end, _, _ := tl.DataRange()
	marks := d.Steps
	p.Add(NewStepLines(marks))
	failures := *tl
	failures.Draw = func(st sim.State) bool { return st == sim.Bogus || st == sim.Lame }
	p.Add(&failures) // over the step lines
	p.X.Label.Text = "time since the transfer"
	p.X.Tick.Marker = TimeTicks{MaxLabels: 12}
	p.Y.Label.Text = "cache age at the start"
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = vg.Points(2)
	p.Y.Padding = 0
	p.X.Min = math.Min(p.X.Min, 0)
	last := d.LastChangeSeconds
	view, hidden := viewEnd(marks, -d.TransferSeconds, last, p.X.Max)
	p.X.Max = view

	rowH := vg.Points(6)
	if len(rows) <= 20 {
		rowH = vg.Points(12)
	}
	f := &Figure{
		Name:   "timeline",
		Title:  d.Scenario + ": the state of each cache over time",
		Width:  vg.Points(720),
		Height: vg.Length(len(rows))*rowH + vg.Points(190),
		legend: stateLegend(Styles(), stateNames()),
		panels: []*plot.Plot{p},
		steps:  marks,
		groups: groups,
	}
	f.Caption = d.caption() + croppedNote(-d.TransferSeconds, last, view, end, hidden)
	return f, nil
}

func (d *TimelineData) caption() string {
	var s string
	profiles := map[string]bool{}
	for _, r := range d.Rows {
		profiles[r.Profile] = true
	}
	who := "caches"
	if len(profiles) == 1 {
		who = d.Rows[0].Profile + " caches"
	}
	if d.Shown < d.Caches {
		s = fmt.Sprintf("A sample of %d of the %d %s, spread evenly over the cache ages; one row per cache.", d.Shown, d.Caches, who)
	} else {
		s = fmt.Sprintf("All %d %s, one row per cache.", d.Caches, who)
	}
	if len(profiles) > 1 {
		s += " Rows are grouped by resolver profile and ordered by cache age (how long before the start the cache last fetched the zone's records)."
	} else {
		s += " Rows are ordered by cache age (how long before the start the cache last fetched the zone's records)."
	}
	s += " Dashed lines mark the steps of the procedure; Bogus and Lame stretches shorter than 1.5 pt are widened to stay visible and drawn over the step lines."
	return s
}

// stateNames lists the state names in report order.
func stateNames() []string {
	var names []string
	for _, st := range sim.States() {
		names = append(names, st.String())
	}
	return names
}

// lastChange is the last time, from the epoch, that any cache of r
// entered a new state.
func lastChange(r *sim.Result) float64 {
	var last float64
	for _, tl := range r.Timelines {
		if n := len(tl.Intervals); n > 0 {
			last = math.Max(last, tl.Intervals[n-1].From)
		}
	}
	return last
}
