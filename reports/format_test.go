package reports

import (
	"fmt"
	"strings"
	"testing"
)

func TestFormatSpan(t *testing.T) {
	tests := []struct {
		sec         float64
		full, short string
	}{
		{0, "0s", "0s"},
		{0.4, "0s", "0s"},
		{59, "59s", "59s"},
		{173, "2m 53s", "2m 53s"},
		{3600, "1h", "1h"},
		{3 * 86400, "3d", "3d"},
		// Zero units in the middle are left out.
		{3*86400 + 59*60 + 32, "3d 59m 32s", "3d 1h"},
		// Rounding up to the next unit.
		{86400 - 10, "23h 59m 50s", "1d"},
		{-3600, "-1h", "-1h"},
		{-(86400 + 1800), "-1d 30m", "-1d 1h"},
	}
	for _, tc := range tests {
		if got := FormatSpan(tc.sec); got != tc.full {
			t.Errorf("FormatSpan(%g) = %q, want %q", tc.sec, got, tc.full)
		}
		if got := ShortSpan(tc.sec); got != tc.short {
			t.Errorf("ShortSpan(%g) = %q, want %q", tc.sec, got, tc.short)
		}
	}
}

// TestTimeTicks checks the labelled ticks of time axes of a few lengths.
func TestTimeTicks(t *testing.T) {
	tests := []struct {
		min, max float64
		n        int
		want     string
	}{
		// 11 days, at most 12 labels: a label a day.
		{0, 11 * 86400, 12, "0 1d 2d 3d 4d 5d 6d 7d 8d 9d 10d 11d"},
		// From two days before the transfer.
		{-2 * 86400, 3 * 86400, 12, "-2d -1d 12h -1d -12h 0 12h 1d 1d 12h 2d 2d 12h 3d"},
		// Five hours: an hour each.
		{0, 5 * 3600, 6, "0 1h 2h 3h 4h 5h"},
		// Ten minutes.
		{0, 600, 6, "0 2m 4m 6m 8m 10m"},
	}
	for _, tc := range tests {
		var labels []string
		minors := 0
		for _, tk := range (TimeTicks{MaxLabels: tc.n}).Ticks(tc.min, tc.max) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			} else {
				minors++
			}
		}
		if got := strings.Join(labels, " "); got != tc.want {
			t.Errorf("TimeTicks(%g, %g) labels %q, want %q", tc.min, tc.max, got, tc.want)
		}
		if minors > 3*tc.n {
			t.Errorf("TimeTicks(%g, %g): %d minor ticks, more than %d", tc.min, tc.max, minors, 3*tc.n)
		}
	}
}

func ExampleFormatSpan() {
	fmt.Println(FormatSpan(3*86400 + 59*60 + 32))
	fmt.Println(ShortSpan(3*86400 + 59*60 + 32))
	// Output:
	// 3d 59m 32s
	// 3d 1h
}

func TestPlainTicks(t *testing.T) {
	tests := []struct {
		min, max float64
		want     string
	}{
		{0, 2.6, "0 0.5 1 1.5 2 2.5"},
		{0, 12000, "0 2000 4000 6000 8000 10000 12000"},
		{0, 1, "0 0.2 0.4 0.6 0.8 1"},
	}
	for _, tc := range tests {
		var labels []string
		for _, tk := range (plainTicks{}).Ticks(tc.min, tc.max) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.want {
			t.Errorf("plainTicks(%g, %g) = %q, want %q", tc.min, tc.max, got, tc.want)
		}
	}
}
