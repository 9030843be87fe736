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
	// Verdict is "Bogus" when a sampled cache was Bogus, else "Bogus
	// possible" when the worst case finds that a cache can be, else
	// "Lame" and "Lame possible" likewise; else "no failure" when the
	// worst case proves that no cache of any validating profile can be
	// Bogus or Lame, "not proven" when its search stopped short, and "not
	// analysed" without a worst-case analysis. Only the worst case says
	// "no failure": a sample cannot.
	Verdict string `json:"verdict"`
	// Meaning says what the numbers mean, in one sentence.
	Meaning string `json:"meaning"`
	// Worst is the worst-case analysis of the scenario's validating
	// profiles (the result's WorstCase), nil when not made; its fields sit
	// beside the summary's in JSON. WorstText says it in a line.
	*Worst
	WorstText string `json:"worst_case_text"`
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
	s.Worst = NewWorst(r.WorstCase)
	s.WorstText = s.Worst.Text()
	s.Verdict = verdict(r.Metric(sim.Bogus).Caches, r.Metric(sim.Lame).Caches, s.Worst)
	s.Meaning = s.meaning()
	return s
}

// verdict reads a scenario's verdict from its sampled Bogus and Lame
// caches and its worst case (see Summary.Verdict).
func verdict(bogus, lame int, w *Worst) string {
	wb, wl := NotAnalysed, NotAnalysed
	if w.Analysed() {
		wb, wl = w.Bogus, w.Lame
	}
	switch {
	case bogus > 0:
		return "Bogus"
	case wb == Possible:
		return "Bogus possible"
	case lame > 0:
		return "Lame"
	case wl == Possible:
		return "Lame possible"
	case wb == NotAnalysed:
		return "not analysed"
	case wb == Unproven || wl == Unproven:
		return "not proven"
	}
	return "no failure"
}

// VerdictClass is the style class of a verdict: bogus, lame, ok (proven)
// or open (not proven, or not analysed).
func VerdictClass(v string) string {
	switch {
	case strings.HasPrefix(v, "Bogus"):
		return "bogus"
	case strings.HasPrefix(v, "Lame"):
		return "lame"
	case v == "no failure":
		return "ok"
	}
	return "open"
}

func (s *Summary) metric(st sim.State) sim.Metric { return s.Metrics[st.String()] }

// meaning writes the one sentence: the worst case first (the only
// source of "never"), then what the sampled population shows: its
// failures, the Insecure price and how the run ends.
func (s *Summary) meaning() string {
	n := s.Caches
	b, l, ins, ind := s.metric(sim.Bogus), s.metric(sim.Lame), s.metric(sim.Insecure), s.metric(sim.Indeterminate)
	window := func(m sim.Metric) string {
		if m.First == nil || m.Last == nil {
			return ""
		}
		return fmt.Sprintf(", between %s and %s", signedShort(*m.First-s.TransferSeconds), signedShort(*m.Last-s.TransferSeconds))
	}
	lead := s.worstLead()
	var parts []string
	switch {
	case b.Caches > 0:
		parts = append(parts, fmt.Sprintf("%s answered Bogus, for up to %s each%s (%s cache-hours in all)",
			share(b.Caches, n), ShortSpan(b.MaxSeconds), window(b), formatFloat(b.CacheSeconds/3600, 1)))
	case s.Worst.Analysed() && s.Worst.Bogus == Possible:
		parts = append(parts, "none of them answered Bogus, as a sample can miss what the worst case finds")
	case (!s.Worst.Analysed() || s.Worst.Bogus == Unproven) && ind.Caches < n:
		parts = append(parts, fmt.Sprintf("0 of %d answered Bogus (a sample: it shows what happens, not what cannot)", n))
	}
	if l.Caches > 0 {
		parts = append(parts, fmt.Sprintf("%s could not resolve the zone (Lame), for up to %s each%s", share(l.Caches, n), ShortSpan(l.MaxSeconds), window(l)))
	}
	switch {
	case ind.Caches == n && s.metric(sim.Secure).Caches == 0 && ins.Caches == 0 && b.Caches == 0 && l.Caches == 0:
		parts = append(parts[:0], "none validated the zone at any time: every answer was Indeterminate (no validation or no trust anchor)")
	case ins.Caches > 0:
		who := share(ins.Caches, n) + " were"
		switch {
		case n == 1:
			who = "the one cache was"
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
	case s.metric(sim.Secure).Caches == n && b.Caches == 0 && l.Caches == 0:
		parts = append(parts, "every cache was Secure at every instant")
		if n == 1 {
			parts[len(parts)-1] = "the one cache was Secure at every instant"
		}
	}
	if end := s.ending(); end != "" {
		parts = append(parts, end)
	}
	if len(parts) == 0 {
		var seen []string
		for _, st := range sim.States() {
			if s.metric(st).Caches > 0 {
				seen = append(seen, st.String())
			}
		}
		parts = append(parts, "the states seen were "+strings.Join(seen, ", "))
	}
	sample := fmt.Sprintf("sampled population of %d caches: ", n)
	if n == 1 {
		sample = "sampled population of one cache: "
	}
	return lead + "; " + sample + strings.Join(parts, "; ") + "."
}

// worstLead says what the worst case is, or that there is none.
func (s *Summary) worstLead() string {
	w := s.Worst
	switch {
	case w == nil:
		return "Worst case not analysed, so nothing here is proven"
	case len(w.Profiles) == 0:
		return "No validating resolver profile, so there is no worst case to analyse"
	}
	lead := "Worst case over every cache phase: "
	switch {
	case w.Bogus == Possible:
		lead = "Unsafe in the worst case over every cache phase: "
	case w.Bogus == Never && w.Lame == Never:
		lead = "Safe in the worst case over every cache phase: "
	}
	return lead + w.Text()
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
// columns per state, expected_insecure_seconds, settled_seconds, meaning;
// then, when some scenario has a worst-case analysis, the worst-case
// columns of SweepsCSV and worst_case_text.
func SummaryCSV(ss []Summary) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := append([]string{"scenario", "caches", "verdict"}, metricHeader()...)
	head = append(head, "expected_insecure_seconds", "settled_seconds", "meaning")
	var worsts []*Worst
	for _, s := range ss {
		if s.Worst != nil {
			worsts = append(worsts, s.Worst)
		}
	}
	profiles := worstProfiles(worsts)
	if len(worsts) > 0 {
		head = append(append(head, worstHeader(profiles)...), "worst_case_text")
	}
	w.Write(head)
	for _, s := range ss {
		rec := append([]string{s.Scenario, strconv.Itoa(s.Caches), s.Verdict}, metricRecord(s.Metrics)...)
		exp, set := "", ""
		if s.Expected != nil {
			exp = formatFloat(s.Expected.InsecureSeconds, 3)
		}
		if s.SettledSeconds != nil {
			set = formatFloat(*s.SettledSeconds, 3)
		}
		rec = append(rec, exp, set, s.Meaning)
		if len(worsts) > 0 {
			rec = append(append(rec, worstRecord(s.Worst, profiles)...), s.WorstText)
		}
		w.Write(rec)
	}
	w.Flush()
	return b.Bytes()
}
