package reports

import (
	"strings"
	"testing"

	"github.com/dnssecsim/dnssecsim/sim"
)

// TestSummaryGolden checks the summary table and the sentence that says
// what each result means, for each kind of outcome.
func TestSummaryGolden(t *testing.T) {
	const h = 86400.0
	mk := func(name string, tls ...sim.Timeline) *sim.Result {
		r := &sim.Result{Scenario: name, Params: map[string]any{"horizon": h, "parent.ds_ttl": 3600.0, "parent.ns_ttl": 7200.0,
			"losing.ns_ttl": 3600.0, "gaining.ns_ttl": 3600.0}, Timelines: tls, Steps: []sim.StepTime{{Name: "transfer", AtSeconds: 600}}}
		r.Stats.Caches = len(tls)
		r.Metrics = metricsOf(tls)
		return r
	}
	one := func(ivs ...sim.Interval) sim.Timeline { return sim.Timeline{Profile: "unbound", Intervals: ivs} }
	with := func(r *sim.Result, wc map[string]*sim.WorstCase) *sim.Result { r.WorstCase = wc; return r }
	type wcs = map[string]*sim.WorstCase
	safe := wcs{"bind": wcNever(), "unbound": wcNever()}
	results := []*sim.Result{
		// The fixture: Bogus, Lame, Insecure, a non-validating cache;
		// no worst case.
		fixture(),
		// Method (2), whose sample shows no Bogus, but whose worst case
		// on one profile is a minute of Bogus.
		with(mk("pattern-2-good",
			one(iv(0, 1000, sim.Secure), iv(1000, 20000, sim.Insecure), iv(20000, h, sim.Secure)),
			one(iv(0, 2000, sim.Secure), iv(2000, 21000, sim.Insecure), iv(21000, h, sim.Secure))),
			wcs{"bind": wcNever(), "unbound": wcBogus(60)}),
		// The same, proven safe.
		with(mk("pattern-2-proven",
			one(iv(0, 1000, sim.Secure), iv(1000, 20000, sim.Insecure), iv(20000, h, sim.Secure))), safe),
		// Lame but never Bogus.
		with(mk("lame-only", one(iv(0, 600, sim.Secure), iv(600, 700, sim.Lame), iv(700, h, sim.Insecure)), one(iv(0, h, sim.Secure))),
			wcs{"unbound": wcLame()}),
		// Secure throughout, proven.
		with(mk("pattern-1-ideal", one(iv(0, h, sim.Secure)), one(iv(0, h, sim.Secure))), safe),
		// Secure throughout in the sample, but the search stopped short.
		with(mk("pattern-1-open", one(iv(0, h, sim.Secure)), one(iv(0, h, sim.Secure))), wcs{"bind": wcOpen(), "unbound": wcNever()}),
		// Nothing validates, so there is nothing to analyse.
		with(mk("no-validation", one(iv(0, h, sim.Indeterminate))), wcs{}),
		// Ends split between two states; not analysed.
		mk("pattern-4-split", one(iv(0, 5000, sim.Secure), iv(5000, h, sim.Insecure)), one(iv(0, h, sim.Secure))),
	}
	var ss []Summary
	var text []byte
	for _, r := range results {
		s := Summarize(r, "a test")
		ss = append(ss, s)
		text = append(text, s.Scenario+" ["+s.Verdict+"]: "+s.Meaning+"\n"...)
	}
	golden(t, "summary.csv", SummaryCSV(ss))
	golden(t, "summary-meaning.txt", text)
	// Never "never" or "no Bogus" from a sample: those words come with a
	// worst case that proves them.
	for _, s := range ss {
		proven := s.Worst.Analysed() && s.Worst.Bogus == Never
		for _, w := range []string{"never Bogus", "Never Bogus", "no Bogus", "No Bogus"} {
			if strings.Contains(s.Meaning, w) && !proven {
				t.Errorf("%s: %q says %q without a proof", s.Scenario, s.Meaning, w)
			}
		}
		if s.Verdict == "no failure" && !(proven && s.Worst.Lame == Never) {
			t.Errorf("%s: verdict %q without a proof", s.Scenario, s.Verdict)
		}
	}
}
