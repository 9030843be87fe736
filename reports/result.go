package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/dnssecsim/dnssecsim/sim"
)

// ParseState returns the state called name ("Secure", ...).
func ParseState(name string) (sim.State, error) {
	for _, st := range sim.States() {
		if st.String() == name {
			return st, nil
		}
	}
	return 0, fmt.Errorf("unknown state %q (expected Secure, Insecure, Bogus, Indeterminate or Lame)", name)
}

// resultJSON mirrors the JSON form of sim.Result, with states as names.
type resultJSON struct {
	Scenario  string                `json:"scenario"`
	Params    map[string]any        `json:"params"`
	Steps     []sim.StepTime        `json:"steps"`
	Metrics   map[string]sim.Metric `json:"metrics"`
	Timelines []struct {
		Cache      int     `json:"cache"`
		Profile    string  `json:"profile"`
		AgeSeconds float64 `json:"age_seconds"`
		Intervals  []struct {
			From  float64 `json:"from"`
			To    float64 `json:"to"`
			State string  `json:"state"`
		} `json:"intervals"`
	} `json:"timelines"`
}

// ErrNoTimelines is returned by ReadResult for a result saved without
// timelines.
var ErrNoTimelines = errors.New("the result has no timelines: save it with `dnssecsim run SCENARIO --format json --timelines`")

// ReadResult decodes a result saved by `dnssecsim run --format json
// --timelines`. It checks what the plots rely on: a scenario name, known
// states, intervals that do not run backwards, and timelines.
func ReadResult(data []byte) (*sim.Result, error) {
	var rj resultJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&rj); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := position(data, se.Offset-1) // Offset is just past the bad byte
			return nil, fmt.Errorf("line %d, column %d: %v", line, col, err)
		}
		return nil, fmt.Errorf("not a dnssecsim result: %v", err)
	}
	if rj.Scenario == "" || rj.Metrics == nil {
		return nil, errors.New("not a dnssecsim result: no scenario or metrics (expected the output of `dnssecsim run --format json`)")
	}
	if len(rj.Timelines) == 0 {
		return nil, ErrNoTimelines
	}
	r := &sim.Result{
		Scenario: rj.Scenario,
		Params:   rj.Params,
		Steps:    rj.Steps,
		Metrics:  rj.Metrics,
	}
	if r.Params == nil {
		r.Params = map[string]any{}
	}
	for i, tl := range rj.Timelines {
		t := sim.Timeline{Cache: tl.Cache, Profile: tl.Profile, AgeSeconds: tl.AgeSeconds}
		for j, iv := range tl.Intervals {
			st, err := ParseState(iv.State)
			if err != nil {
				return nil, fmt.Errorf("timelines[%d].intervals[%d]: %v", i, j, err)
			}
			if !(iv.To >= iv.From) || math.IsInf(iv.From, 0) || math.IsInf(iv.To, 0) {
				return nil, fmt.Errorf("timelines[%d].intervals[%d]: expected from <= to, found from %g, to %g", i, j, iv.From, iv.To)
			}
			t.Intervals = append(t.Intervals, sim.Interval{From: iv.From, To: iv.To, State: st})
		}
		r.Timelines = append(r.Timelines, t)
	}
	r.Stats.Caches = len(r.Timelines)
	return r, nil
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// TransferSeconds is the time of the result's transfer step from the
// scenario's epoch; plots count time from it. It is the step named by the
// "transfer_step" parameter when the result has one, else the step named
// "transfer", else 0 (the epoch).
func TransferSeconds(r *sim.Result) float64 {
	name := "transfer"
	if s, ok := r.Params["transfer_step"].(string); ok && s != "" {
		name = s
	}
	for _, st := range r.Steps {
		if st.Name == name {
			return st.AtSeconds
		}
	}
	return 0
}

// caches is the population size of r.
func caches(r *sim.Result) int {
	if r.Stats.Caches > 0 {
		return r.Stats.Caches
	}
	if n, ok := param(r.Params, "resolvers.count"); ok {
		return int(n)
	}
	return len(r.Timelines)
}

// horizon is the end of r's simulated time, from the epoch.
func horizon(r *sim.Result) float64 {
	if h, ok := param(r.Params, "horizon"); ok {
		return h
	}
	var h float64
	for _, tl := range r.Timelines {
		for _, iv := range tl.Intervals {
			h = math.Max(h, iv.To)
		}
	}
	return h
}

// param reads a numeric parameter, as a number of seconds for durations.
func param(p map[string]any, key string) (float64, bool) {
	switch v := p[key].(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

var patternRE = regexp.MustCompile(`^pattern-(\d+)(?:-|$)`)

// Pattern returns the guideline pattern a scenario name belongs to
// ("pattern-2" and "pattern-2-hasty" are pattern 2), or -1.
func Pattern(scenario string) int {
	m := patternRE.FindStringSubmatch(scenario)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// Expectation is what the guideline says the Insecure window of a pattern
// lasts, computed from a run's TTLs.
type Expectation struct {
	// InsecureSeconds is the longest any cache should be Insecure.
	InsecureSeconds float64
	// Formula says how it is computed.
	Formula string
}

// GuidelineExpectation returns the guideline's expectation for the
// pattern of scenario with the TTLs in params (a Result's Params), and
// false when the guideline gives none (pattern 4 ends Insecure, so its
// window never closes). The "old NS TTL" is the longer of the parent's
// delegation NS TTL and the losing operator's apex NS TTL, and the "new NS
// TTL" the longer of the parent's and the gaining operator's, which is
// how long the built-in scenarios wait.
//
//   - pattern 1 (key exchange): never Insecure;
//   - pattern 2: old DS TTL + old NS TTL + new NS TTL (steps 8, 10, 12);
//   - pattern 3: old NS TTL + new NS TTL (steps 7 and 9).
func GuidelineExpectation(scenario string, params map[string]any) (Expectation, bool) {
	ds, okDS := param(params, "parent.ds_ttl")
	pns, okP := param(params, "parent.ns_ttl")
	lns, _ := param(params, "losing.ns_ttl")
	gns, _ := param(params, "gaining.ns_ttl")
	oldNS, newNS := math.Max(pns, lns), math.Max(pns, gns)
	formula := guidelineFormula(Pattern(scenario))
	switch Pattern(scenario) {
	case 1:
		return Expectation{0, formula}, true
	case 2:
		if okDS && okP {
			return Expectation{ds + oldNS + newNS, formula}, true
		}
	case 3:
		if okP {
			return Expectation{oldNS + newNS, formula}, true
		}
	}
	return Expectation{}, false
}

// guidelineFormula says how GuidelineExpectation computes a pattern's
// Insecure window, or "" when it has none.
func guidelineFormula(pattern int) string {
	switch pattern {
	case 1:
		return "never Insecure (keys exchanged)"
	case 2:
		return "old DS TTL + old NS TTL + new NS TTL"
	case 3:
		return "old NS TTL + new NS TTL"
	}
	return ""
}
