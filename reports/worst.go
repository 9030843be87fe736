package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dnssecsim/dnssecsim/sim"
)

// Possibility is what the worst-case analysis (sim.AnalyseWorstCase) says
// about one state: the only source of "never" in a report. A sampled
// population can show that a state happens, never that it cannot.
type Possibility int

const (
	// NotAnalysed: no worst-case analysis was made.
	NotAnalysed Possibility = iota
	// Never: the analysis covered every cell and no cache can be in the
	// state (proven for the model).
	Never
	// Possible: the analysis found a cache that is in the state.
	Possible
	// Unproven: the search stopped at its budget before it found the
	// state or covered every cell, so "never" is not proven.
	Unproven
)

// possibility reads the verdict on one state of one profile.
func possibility(found, complete bool) Possibility {
	switch {
	case found:
		return Possible
	case complete:
		return Never
	}
	return Unproven
}

// String returns the value the CSV files hold: "true" (possible), "false"
// (never, proven), "unproven", or "" (not analysed).
func (p Possibility) String() string {
	switch p {
	case Never:
		return "false"
	case Possible:
		return "true"
	case Unproven:
		return "unproven"
	}
	return ""
}

// MarshalJSON writes true, false, "unproven" or null.
func (p Possibility) MarshalJSON() ([]byte, error) {
	switch p {
	case Never, Possible:
		return []byte(p.String()), nil
	case Unproven:
		return []byte(`"unproven"`), nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Possibility) UnmarshalJSON(b []byte) error {
	switch strings.TrimSpace(string(b)) {
	case "true":
		*p = Possible
	case "false":
		*p = Never
	case `"unproven"`:
		*p = Unproven
	case "null":
		*p = NotAnalysed
	default:
		return fmt.Errorf("reports: a worst-case verdict is true, false or \"unproven\", found %s", b)
	}
	return nil
}

// Worst sums up the worst-case analysis of one run over the validating
// profiles it covered. In JSON its fields sit beside those of the sweep
// point or summary that holds it.
type Worst struct {
	// Bogus and Lame are Possible when some profile's cache can be in the
	// state, else Unproven when some profile's search stopped at its
	// budget, else Never.
	Bogus Possibility `json:"worst_bogus"`
	// MaxBogusSeconds and MaxLameSeconds are the longest stretch over the
	// profiles (a lower bound when Complete is false).
	MaxBogusSeconds float64     `json:"worst_max_bogus_seconds"`
	Lame            Possibility `json:"worst_lame"`
	MaxLameSeconds  float64     `json:"worst_max_lame_seconds"`
	// Complete says every profile's search covered every cell.
	Complete bool `json:"worst_complete"`
	// Profiles holds each profile's analysis, witness included; empty
	// when the run has no validating profile to analyse.
	Profiles map[string]*sim.WorstCase `json:"worst_case"`
}

// NewWorst sums up a run's worst-case analysis: nil for nil (not
// analysed); an empty map is a run with no validating profile.
func NewWorst(wc map[string]*sim.WorstCase) *Worst {
	if wc == nil {
		return nil
	}
	w := &Worst{Profiles: wc}
	if len(wc) == 0 {
		return w
	}
	var bogus, lame, incomplete bool
	for _, c := range wc {
		bogus = bogus || c.Bogus
		lame = lame || c.Lame
		incomplete = incomplete || !c.Complete
		w.MaxBogusSeconds = max(w.MaxBogusSeconds, c.MaxBogusSeconds)
		w.MaxLameSeconds = max(w.MaxLameSeconds, c.MaxLameSeconds)
	}
	// A witness settles the question even where another profile's
	// search stopped short.
	w.Complete = !incomplete
	w.Bogus, w.Lame = possibility(bogus, w.Complete), possibility(lame, w.Complete)
	return w
}

// Analysed says the analysis ran over at least one profile.
func (w *Worst) Analysed() bool { return w != nil && len(w.Profiles) > 0 }

// names returns the profiles analysed, sorted.
func (w *Worst) names() []string {
	if w == nil {
		return nil
	}
	names := make([]string, 0, len(w.Profiles))
	for n := range w.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Text says in a line what the worst case is, per state and profile:
// "Bogus possible for unbound (1m); never for bind; never Lame (proven)".
func (w *Worst) Text() string {
	if !w.Analysed() {
		return w.BogusText()
	}
	return w.BogusText() + "; " + w.LameText()
}

// BogusText is the Bogus half of Text.
func (w *Worst) BogusText() string { return w.clause(sim.Bogus) }

// LameText is the Lame half of Text.
func (w *Worst) LameText() string { return w.clause(sim.Lame) }

func (w *Worst) clause(st sim.State) string {
	switch {
	case w == nil:
		return "not analysed"
	case len(w.Profiles) == 0:
		return "not analysed: no validating resolver profile"
	}
	var possible, never, unproven []string
	for _, n := range w.names() {
		c := w.Profiles[n]
		found, secs := c.Bogus, c.MaxBogusSeconds
		if st == sim.Lame {
			found, secs = c.Lame, c.MaxLameSeconds
		}
		switch possibility(found, c.Complete) {
		case Possible:
			if c.Complete {
				possible = append(possible, fmt.Sprintf("%s (%s)", n, ShortSpan(secs)))
			} else {
				possible = append(possible, fmt.Sprintf("%s (at least %s: search incomplete)", n, ShortSpan(secs)))
			}
		case Never:
			never = append(never, n)
		default:
			unproven = append(unproven, n)
		}
	}
	if len(possible) == 0 && len(unproven) == 0 {
		if st == sim.Lame {
			return "never Lame (proven)"
		}
		return fmt.Sprintf("never %s (proven for every validating profile: %s)", st, strings.Join(never, ", "))
	}
	var parts []string
	if len(possible) > 0 {
		parts = append(parts, fmt.Sprintf("%s possible for %s", st, strings.Join(possible, ", ")))
	}
	if len(unproven) > 0 {
		lead := "not ruled out for "
		if len(possible) == 0 {
			lead = st.String() + " " + lead
		}
		parts = append(parts, lead+strings.Join(unproven, ", ")+" (the search stopped at its budget)")
	}
	if len(never) > 0 {
		parts = append(parts, "never for "+strings.Join(never, ", "))
	}
	return strings.Join(parts, "; ")
}

// worstColumns are the worst-case columns of sweep and summary CSVs, once
// for the run and once per profile (NAME[PROFILE]).
var worstColumns = []string{"worst_bogus", "worst_max_bogus_seconds", "worst_lame", "worst_max_lame_seconds", "worst_complete"}

// worstProfiles returns the profiles any of ws analysed, sorted.
func worstProfiles(ws []*Worst) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range ws {
		for _, n := range w.names() {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

func worstHeader(profiles []string) []string {
	h := append([]string(nil), worstColumns...)
	for _, p := range profiles {
		for _, c := range worstColumns {
			h = append(h, c+"["+p+"]")
		}
	}
	return h
}

// worstRecord writes w's cells: empty where there is no analysis (the
// run, or the profile, was not analysed).
func worstRecord(w *Worst, profiles []string) []string {
	cells := func(b Possibility, bs float64, l Possibility, ls float64, complete bool) []string {
		return []string{b.String(), formatFloat(bs, 3), l.String(), formatFloat(ls, 3), fmt.Sprint(complete)}
	}
	empty := make([]string, len(worstColumns))
	var rec []string
	if w.Analysed() {
		rec = cells(w.Bogus, w.MaxBogusSeconds, w.Lame, w.MaxLameSeconds, w.Complete)
	} else {
		rec = append(rec, empty...)
	}
	for _, p := range profiles {
		var c *sim.WorstCase
		if w != nil {
			c = w.Profiles[p]
		}
		if c == nil {
			rec = append(rec, empty...)
			continue
		}
		rec = append(rec, cells(possibility(c.Bogus, c.Complete), c.MaxBogusSeconds, possibility(c.Lame, c.Complete), c.MaxLameSeconds, c.Complete)...)
	}
	return rec
}
