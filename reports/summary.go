package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dnssecsim/dnssecsim/sim"
)

// Summary is one scenario's line in a report's summary table.
type Summary struct {
	Scenario    string                `json:"scenario"`
	Description string                `json:"description,omitempty"`
	Caches      int                   `json:"caches"`
	Metrics     map[string]sim.Metric `json:"metrics"`
	// TransferSeconds is when the transfer happened, from the epoch the
	// metrics count from; the other times here count from the transfer.
	TransferSeconds float64 `json:"transfer_seconds"`
	// Expected is the guideline's expectation for the scenario's
	// pattern, when it gives one.
	Expected *Expectation `json:"expected,omitempty"`
	// Final counts the caches in each state at the end of the run, and
	// SettledSeconds is the last time any cache changed state (from the
	// transfer); both need timelines.
	Final          map[string]int `json:"final,omitempty"`
	SettledSeconds *float64       `json:"settled_seconds,omitempty"`
	// Verdict is "Bogus" when any cache was Bogus, else "Lame" when any
	// could not resolve, else "no failure".
	Verdict string `json:"verdict"`
	// Meaning says what the numbers mean, in one sentence.
	Meaning string `json:"meaning"`
}

// Summarize sums up a result; description is the scenario's.
func Summarize(r *sim.Result, description string) Summary {
	s := Summary{
		Scenario:    r.Scenario,
		Description: description,
		Caches:      caches(r),
		Metrics:     r.Metrics,

		TransferSeconds: TransferSeconds(r),
	}
	if e, ok := GuidelineExpectation(r.Scenario, r.Params); ok {
		s.Expected = &e
	}
	if len(r.Timelines) > 0 {
		off := s.TransferSeconds
		s.Final = map[string]int{}
		var settled float64
		for _, tl := range r.Timelines {
			if n := len(tl.Intervals); n > 0 {
				s.Final[tl.Intervals[n-1].State.String()]++
				settled = math.Max(settled, tl.Intervals[n-1].From-off)
			}
		}
		s.SettledSeconds = &settled
	}
	switch {
	case r.Metric(sim.Bogus).Caches > 0:
		s.Verdict = "Bogus"
	case r.Metric(sim.Lame).Caches > 0:
		s.Verdict = "Lame"
	default:
		s.Verdict = "no failure"
	}
	s.Meaning = s.meaning()
	return s
}

func (s *Summary) metric(st sim.State) sim.Metric { return s.Metrics[st.String()] }

// meaning writes the one sentence: failures first (the guideline's
// criterion), then the Insecure price, then how the run ends.
func (s *Summary) meaning() string {
	n := s.Caches
	var parts []string
	b, l, ins, ind := s.metric(sim.Bogus), s.metric(sim.Lame), s.metric(sim.Insecure), s.metric(sim.Indeterminate)
	window := func(m sim.Metric) string {
		if m.First == nil || m.Last == nil {
			return ""
		}
		return fmt.Sprintf(", between %s and %s", signedShort(*m.First-s.TransferSeconds), signedShort(*m.Last-s.TransferSeconds))
	}
	switch {
	case b.Caches > 0:
		parts = append(parts, fmt.Sprintf("Unsafe: %s answered Bogus, for up to %s each%s (%s cache-hours in all)",
			share(b.Caches, n), ShortSpan(b.MaxSeconds), window(b), formatFloat(b.CacheSeconds/3600, 1)))
		if l.Caches > 0 {
			parts = append(parts, fmt.Sprintf("%s could not resolve the zone (Lame) for up to %s", share(l.Caches, n), ShortSpan(l.MaxSeconds)))
		}
	case l.Caches > 0:
		parts = append(parts, fmt.Sprintf("Never Bogus, but %s could not resolve the zone (Lame), for up to %s each%s",
			share(l.Caches, n), ShortSpan(l.MaxSeconds), window(l)))
	case ind.Caches == n && s.metric(sim.Secure).Caches == 0 && ins.Caches == 0:
		return "No cache validated the zone at any time: every answer was Indeterminate (no validation or no trust anchor), so DNSSEC neither protected nor broke it."
	default:
		parts = append(parts, "Never Bogus and never Lame")
	}
	if ins.Caches > 0 {
		who := share(ins.Caches, n) + " were"
		switch {
		case ins.Caches == n:
			who = "every cache was"
		case ins.Caches == 1:
			who = share(ins.Caches, n) + " was"
		}
		c := fmt.Sprintf("%s Insecure (unprotected by DNSSEC) at some point, for up to %s", who, ShortSpan(ins.MaxSeconds))
		if s.Expected != nil && s.Expected.InsecureSeconds > 0 {
			c += fmt.Sprintf(" (the guideline expects %s: %s)", ShortSpan(s.Expected.InsecureSeconds), s.Expected.Formula)
		}
		parts = append(parts, c)
	} else if s.metric(sim.Secure).Caches == n && b.Caches == 0 && l.Caches == 0 {
		return "Secure throughout: every cache validated the zone at every instant."
	}
	if end := s.ending(); end != "" {
		parts = append(parts, end)
	}
	return strings.Join(parts, "; ") + "."
}

// ending says how the run ends, when every cache ends in one state.
func (s *Summary) ending() string {
	if s.Final == nil || s.SettledSeconds == nil {
		return ""
	}
	for st, k := range s.Final {
		if k == s.Caches {
			if *s.SettledSeconds <= 0 {
				return ""
			}
			return fmt.Sprintf("from %s on, every cache is %s", signedShort(*s.SettledSeconds), st)
		}
	}
	var ends []string
	for _, st := range sim.States() {
		if k := s.Final[st.String()]; k > 0 {
			ends = append(ends, fmt.Sprintf("%d %s", k, st))
		}
	}
	return "the run ends with " + strings.Join(ends, ", ")
}

// share writes "960 of 1000 caches (96%)".
func share(k, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d caches", k)
	}
	if n == 1 {
		return "the one cache"
	}
	pct := 100 * float64(k) / float64(n)
	p := strconv.Itoa(int(math.Round(pct)))
	if pct < 1 {
		p = "<1"
	}
	return fmt.Sprintf("%d of %d caches (%s%%)", k, n, p)
}

// signedShort writes a time from the transfer with at most two units.
func signedShort(sec float64) string {
	if math.Abs(sec) < 0.5 {
		return "0"
	}
	if sec > 0 {
		return "+" + ShortSpan(sec)
	}
	return ShortSpan(sec)
}

// SummaryCSV writes one line per scenario: scenario, caches, verdict, five
// columns per state, expected_insecure_seconds, settled_seconds, meaning.
func SummaryCSV(ss []Summary) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := append([]string{"scenario", "caches", "verdict"}, metricHeader()...)
	w.Write(append(head, "expected_insecure_seconds", "settled_seconds", "meaning"))
	for _, s := range ss {
		rec := append([]string{s.Scenario, strconv.Itoa(s.Caches), s.Verdict}, metricRecord(s.Metrics)...)
		exp, set := "", ""
		if s.Expected != nil {
			exp = formatFloat(s.Expected.InsecureSeconds, 3)
		}
		if s.SettledSeconds != nil {
			set = formatFloat(*s.SettledSeconds, 3)
		}
		w.Write(append(rec, exp, set, s.Meaning))
	}
	w.Flush()
	return b.Bytes()
}
