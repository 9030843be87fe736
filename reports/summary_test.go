package reports

import (
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
	results := []*sim.Result{
		// The fixture: Bogus, Lame, Insecure, a non-validating cache.
		fixture(),
		// Method (2) done right: Insecure for a while, then Secure.
		mk("pattern-2-good",
			one(iv(0, 1000, sim.Secure), iv(1000, 20000, sim.Insecure), iv(20000, h, sim.Secure)),
			one(iv(0, 2000, sim.Secure), iv(2000, 21000, sim.Insecure), iv(21000, h, sim.Secure))),
		// Lame but never Bogus.
		mk("lame-only", one(iv(0, 600, sim.Secure), iv(600, 700, sim.Lame), iv(700, h, sim.Insecure)), one(iv(0, h, sim.Secure))),
		// Secure throughout.
		mk("pattern-1-ideal", one(iv(0, h, sim.Secure)), one(iv(0, h, sim.Secure))),
		// Nothing validates.
		mk("no-validation", one(iv(0, h, sim.Indeterminate))),
		// Ends split between two states.
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
}
