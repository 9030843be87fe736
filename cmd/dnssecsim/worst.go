package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/dnssecsim/dnssecsim/scenarios"
	"github.com/dnssecsim/dnssecsim/sim"
)

// analyseWorstCase runs the worst-case analysis for the scenario's
// validating profiles; a scenario with none is bad input.
func analyseWorstCase(sc *scenarios.Scenario) (map[string]*sim.WorstCase, error) {
	wc, err := sim.AnalyseWorstCase(sc, nil, sim.WorstOptions{})
	if errors.Is(err, sim.ErrNoValidating) {
		var names []string
		for _, pw := range sc.Resolvers.Profiles {
			names = append(names, pw.Name)
		}
		return nil, inputErr(fmt.Errorf("%s: resolvers.profiles: the worst-case analysis needs a validating resolver profile, found only %s", sc.File, strings.Join(names, ", ")))
	}
	if err != nil {
		return nil, inputErr(err)
	}
	return wc, nil
}

// worstVerdict says in a few words what the worst case of one profile is.
func worstVerdict(w *sim.WorstCase) string {
	parts := []string{
		stateVerdict("Bogus", w.Bogus, w.MaxBogusSeconds, w.Complete),
		stateVerdict("Lame", w.Lame, w.MaxLameSeconds, w.Complete),
	}
	s := strings.Join(parts, "; ")
	if !w.Complete {
		s += fmt.Sprintf(" (NOT PROVEN: the search stopped after %d cells)", w.Paths)
	}
	return s
}

// stateVerdict says whether a state is possible and for how long at most.
func stateVerdict(state string, possible bool, maxSeconds float64, complete bool) string {
	switch {
	case possible:
		return state + " possible, up to " + span(maxSeconds)
	case complete:
		return "never " + state
	}
	return state + " not ruled out"
}

// formatWorstCase renders the worst-case verdicts, a line per profile, then
// each witness with the command that replays it and its trace.
func formatWorstCase(b *strings.Builder, scenario string, wc map[string]*sim.WorstCase) {
	names := make([]string, 0, len(wc))
	for n := range wc {
		names = append(names, n)
	}
	sort.Strings(names)
	b.WriteString("\nworst case over every cache phase and server choice (proven for the model):\n")
	for _, n := range names {
		fmt.Fprintf(b, "  %-18s %s  [%d cells]\n", n, worstVerdict(wc[n]), wc[n].Paths)
	}
	for _, n := range names {
		wit := wc[n].Witness
		if wit == nil {
			continue
		}
		fmt.Fprintf(b, "\n%s witness: %s %s from +%s to +%s\n", n, wit.State, span(wit.ToSeconds-wit.FromSeconds), span(wit.FromSeconds), span(wit.ToSeconds))
		fmt.Fprintf(b, "  why:    %s\n", wit.Cause)
		fmt.Fprintf(b, "  replay: dnssecsim run %s --set 'resolvers.cache=%s' --trace FILE\n", scenario, wit.Cache)
		for _, l := range wit.Trace {
			if strings.Contains(l, " cache ") {
				fmt.Fprintf(b, "    %s\n", l)
			}
		}
	}
}
