package reports

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadResultRoundTrip reads back what `run --format json --timelines`
// writes: the JSON encoding of a sim.Result.
func TestReadResultRoundTrip(t *testing.T) {
	want := fixture()
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadResult(data)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want.Timelines, got.Timelines); d != "" {
		t.Errorf("timelines (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want.Metrics, got.Metrics); d != "" {
		t.Errorf("metrics (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want.Steps, got.Steps); d != "" {
		t.Errorf("steps (-want +got):\n%s", d)
	}
	if got.Stats.Caches != 6 || TransferSeconds(got) != 3600 {
		t.Errorf("caches %d, transfer %g; want 6, 3600", got.Stats.Caches, TransferSeconds(got))
	}
}

func TestReadResultErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"syntax", "{\n  \"scenario\": \"x\",\n  oops\n}", "line 3, column 3"},
		{"not a result", `{"foo": 1}`, "not a dnssecsim result"},
		{"no timelines", `{"scenario": "x", "metrics": {}}`, "no timelines"},
		{"unknown state", `{"scenario": "x", "metrics": {}, "timelines": [{"intervals": [{"from": 0, "to": 1, "state": "Happy"}]}]}`,
			`timelines[0].intervals[0]: unknown state "Happy"`},
		{"backwards", `{"scenario": "x", "metrics": {}, "timelines": [{"intervals": [{"from": 5, "to": 1, "state": "Secure"}]}]}`,
			"expected from <= to"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadResult([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadResult: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestPattern(t *testing.T) {
	for name, want := range map[string]int{"pattern-2": 2, "pattern-2-early-ds": 2, "pattern-12": 12, "patterns-2": -1, "pattern-x": -1, "operator-change-1": -1} {
		if got := Pattern(name); got != want {
			t.Errorf("Pattern(%q) = %d, want %d", name, got, want)
		}
	}
}
