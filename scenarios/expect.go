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
// "Bogus.cache_seconds: 0" or "Insecure.max_seconds: <= 3d".
type Expectation struct {
	// Metric is STATE.METRIC, one of MetricNames.
	Metric string
	// Op is "==", "<=", "<", ">=" or ">".
	Op string
	// Value is the bound: seconds for the *_seconds metrics, a count for
	// caches.
	Value float64
	// Text is the value as written in the file.
	Text string
	// Line and Col are where the expectation's key is written.
	Line, Col int
}

// States are the states a cache can be in, in the order reports list them.
var states = []string{"Secure", "Insecure", "Bogus", "Indeterminate", "Lame"}

// metrics are the per-state metrics, in the order reports list them.
var metrics = []string{"cache_seconds", "max_seconds", "caches", "first_seconds", "last_seconds"}

// MetricNames returns the metric names an expectation may name: STATE.METRIC
// for each state (Secure, Insecure, Bogus, Indeterminate, Lame, in this
// order) and each metric:
//   - cache_seconds: total seconds all caches spent in the state;
//   - max_seconds: the longest unbroken stretch any cache spent in it;
//   - caches: how many caches were ever in it;
//   - first_seconds, last_seconds: the first and last instant (seconds from
//     the epoch) any cache was in it.
func MetricNames() []string {
	var names []string
	for _, st := range states {
		for _, m := range metrics {
			names = append(names, st+"."+m)
		}
	}
	return names
}

func isMetric(name string) bool {
	st, m, ok := strings.Cut(name, ".")
	if !ok {
		return false
	}
	return contains(states, st) && contains(metrics, m)
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
// expected, for example "Insecure.max_seconds: got 4d (345600 s), want <= 3d".
// A NaN value (a metric that has no value, such as first_seconds of a state
// no cache entered) meets no expectation.
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
	if !strings.HasPrefix(want, "<") && !strings.HasPrefix(want, ">") && !strings.HasPrefix(want, "=") {
		want = "== " + want
	}
	return ok, fmt.Sprintf("%s: got %s, want %s", e.Metric, formatMetric(e.Metric, got), want)
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

// String writes the expectation as "METRIC OP VALUE" with the value as
// written.
func (e Expectation) String() string {
	return fmt.Sprintf("%s: %s", e.Metric, e.Text)
}
