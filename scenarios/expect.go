package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/duration"
)

// Expectation is one claim about a run's metrics, such as
// "Bogus.cache_seconds: 0" or "Insecure.max_seconds: <= 3d", or about the
// worst case, such as "worst.Bogus: never" or
// "worst.unbound.Lame.max_seconds: <= 1m".
type Expectation struct {
	// Metric is one of MetricNames: STATE.METRIC, or worst.STATE.max_seconds
	// for a claim about the worst case (worst.STATE: never and possible
	// are worst.STATE.max_seconds == 0 and > 0).
	Metric string
	// Profile is, for a claim about the worst case, the resolver profile
	// it is about (worst.PROFILE.STATE in the file); empty means the
	// maximum over every validating profile of the scenario.
	Profile string
	// Op is "==", "<=", "<", ">=" or ">".
	Op string
	// Value is the bound: seconds for the *_seconds metrics, a count for
	// caches.
	Value float64
	// Text is the value as written in the file ("0", "<= 3d", or never or
	// possible for worst.STATE).
	Text string
	// Line and Col are where the expectation's key is written.
	Line, Col int
}

// States are the states a cache can be in, in the order reports list them.
var states = []string{"Secure", "Insecure", "Bogus", "Indeterminate", "Lame"}

// metrics are the per-state metrics, in the order reports list them.
var metrics = []string{"cache_seconds", "max_seconds", "caches", "first_seconds", "last_seconds"}

// worstStates are the states the worst-case analysis bounds, in the order
// reports list them.
var worstStates = []string{"Bogus", "Lame"}

// The worst-case forms of expectations.
const (
	worstPrefix     = "worst."
	worstMetric     = "max_seconds"
	verdictNever    = "never"
	verdictPossible = "possible"
)

// MetricNames returns the metric names an expectation may name. First
// STATE.METRIC for each state (Secure, Insecure, Bogus, Indeterminate, Lame,
// in this order) and each metric of a run:
//   - cache_seconds: total seconds all caches spent in the state;
//   - max_seconds: the longest unbroken stretch any cache spent in it;
//   - caches: how many caches were ever in it;
//   - first_seconds, last_seconds: the first and last instant (seconds from
//     the epoch) any cache was in it.
//
// Then worst.STATE.max_seconds for Bogus and Lame, from the worst-case
// analysis, which tries every phase of a cache of each validating profile:
// the longest unbroken stretch in the state that any phase leads to, 0 when
// none does. An expectation may name it for one profile,
// worst.PROFILE.STATE.max_seconds (Expectation.Profile), and write the
// claims == 0 and > 0 as worst.STATE: never and worst.STATE: possible
// (worst.PROFILE.STATE for one profile).
func MetricNames() []string {
	var names []string
	for _, st := range states {
		for _, m := range metrics {
			names = append(names, st+"."+m)
		}
	}
	for _, st := range worstStates {
		names = append(names, worstPrefix+st+"."+worstMetric)
	}
	return names
}

func isMetric(name string) bool {
	if rest, ok := strings.CutPrefix(name, worstPrefix); ok {
		st, m, ok := strings.Cut(rest, ".")
		return ok && contains(worstStates, st) && m == worstMetric
	}
	st, m, ok := strings.Cut(name, ".")
	if !ok {
		return false
	}
	return contains(states, st) && contains(metrics, m)
}

// metricKey reads an expectation's key as a file writes it: STATE.METRIC,
// or for the worst case worst.STATE or worst.STATE.max_seconds, optionally
// with a profile after worst. It returns the profile (empty for none), the
// metric (one of MetricNames), and whether the key is a verdict,
// worst.[PROFILE.]STATE, whose value is never or possible.
func metricKey(key string) (profile, metric string, verdict, ok bool) {
	rest, worst := strings.CutPrefix(key, worstPrefix)
	if !worst {
		return "", key, false, isMetric(key)
	}
	parts := strings.Split(rest, ".")
	if len(parts) == 2 && contains(worstStates, parts[0]) && parts[1] == worstMetric {
		// worst.STATE.max_seconds, which a profile called STATE would
		// make ambiguous.
		return "", worstPrefix + parts[0] + "." + worstMetric, false, true
	}
	if len(parts) >= 2 && len(parts) <= 3 && parts[0] != "" {
		// A profile first.
		profile, parts = parts[0], parts[1:]
	}
	switch {
	case len(parts) == 1 && contains(worstStates, parts[0]):
		return profile, worstPrefix + parts[0] + "." + worstMetric, true, true
	case len(parts) == 2 && contains(worstStates, parts[0]) && parts[1] == worstMetric:
		return profile, worstPrefix + parts[0] + "." + worstMetric, false, true
	}
	return "", "", false, false
}

// isVerdict reports whether text is a worst-case verdict, never or possible.
func isVerdict(text string) bool {
	t := strings.TrimSpace(text)
	return t == verdictNever || t == verdictPossible
}

// Worst reports whether the expectation is about the worst case
// (worst.STATE..., Metric worst.STATE.max_seconds) rather than a run.
func (e Expectation) Worst() bool { return strings.HasPrefix(e.Metric, worstPrefix) }

// verdict reports whether the expectation is written worst.STATE: never or
// possible.
func (e Expectation) verdict() bool { return e.Worst() && isVerdict(e.Text) }

// key is the expectation's key as a file writes it.
func (e Expectation) key() string {
	if !e.Worst() {
		return e.Metric
	}
	k := e.Metric
	if e.verdict() {
		k = strings.TrimSuffix(k, "."+worstMetric)
	}
	if e.Profile != "" {
		k = worstPrefix + e.Profile + "." + strings.TrimPrefix(k, worstPrefix)
	}
	return k
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isCount reports whether a metric is a count rather than seconds.
func isCount(metric string) bool { return strings.HasSuffix(metric, ".caches") }

var ops = []string{"==", "<=", ">=", "<", ">"} // two-character operators first

// parseExpectValue reads an expectation's value written as a string: an
// optional operator, then a number or (for a seconds metric) a duration.
func parseExpectValue(metric, text string) (op string, v float64, err error) {
	rest := strings.TrimSpace(text)
	op = "=="
	for _, o := range ops {
		if r, ok := strings.CutPrefix(rest, o); ok {
			op, rest = o, strings.TrimSpace(r)
			break
		}
	}
	v, err = parseExpectNumber(metric, rest)
	if err != nil {
		return "", 0, fmt.Errorf("%s: %v, found %q", metric, err, text)
	}
	return op, v, nil
}

// parseExpectNumber reads the number part of an expectation.
func parseExpectNumber(metric, s string) (float64, error) {
	if isCount(metric) {
		n, err := strconv.ParseUint(s, 10, 53)
		if err != nil {
			return 0, fmt.Errorf("expected an optional operator (==, <=, <, >=, >) and a whole number of caches such as \"> 0\"")
		}
		return float64(n), nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && f >= 0 && s != "" && (s[0] >= '0' && s[0] <= '9' || s[0] == '.') {
		return f, nil
	}
	if d, err := duration.Parse(s); err == nil && d >= 0 {
		return d.Seconds(), nil
	}
	return 0, fmt.Errorf("expected an optional operator (==, <=, <, >=, >) and a non-negative number of seconds or a duration such as \"<= 3d\"")
}

// Check compares the expectation with a measured value. It returns whether
// the value meets it and a message saying what was measured and what was
// expected, for example "Insecure.max_seconds: got 4d (345600 s), want <= 3d"
// or "worst.bind.Bogus: got 1h1s (3601 s), want never". A NaN value (a metric
// that has no value, such as first_seconds of a state no cache entered)
// meets no expectation.
func (e Expectation) Check(got float64) (bool, string) {
	var ok bool
	switch e.Op {
	case "==":
		ok = got == e.Value
	case "<=":
		ok = got <= e.Value
	case "<":
		ok = got < e.Value
	case ">=":
		ok = got >= e.Value
	case ">":
		ok = got > e.Value
	}
	want := strings.TrimSpace(e.Text)
	gotText := formatMetric(e.Metric, got)
	switch {
	case e.verdict():
		if got == 0 {
			gotText = verdictNever
		}
	case !strings.HasPrefix(want, "<") && !strings.HasPrefix(want, ">") && !strings.HasPrefix(want, "="):
		want = "== " + want
	}
	return ok, fmt.Sprintf("%s: got %s, want %s", e.key(), gotText, want)
}

// formatMetric writes a measured value: a count as an integer, seconds with
// their duration form.
func formatMetric(metric string, v float64) string {
	if math.IsNaN(v) {
		return "no value"
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if isCount(metric) {
		return s
	}
	if v == math.Trunc(v) && math.Abs(v) < float64(math.MaxInt64/int64(time.Second)) {
		f := duration.Format(time.Duration(v) * time.Second)
		if f == s+"s" {
			return f
		}
		return fmt.Sprintf("%s (%s s)", f, s)
	}
	return s + " s"
}

// String writes the expectation as a file does, "KEY: VALUE" with the value
// as written: "Insecure.max_seconds: <= 3d", "worst.Bogus: never",
// "worst.unbound.Lame.max_seconds: <= 1m".
func (e Expectation) String() string {
	return fmt.Sprintf("%s: %s", e.key(), e.Text)
}
