package duration

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		// A single unit each.
		{"90s", 90 * time.Second},
		{"30m", 30 * time.Minute},
		{"36h", 36 * time.Hour},
		{"2d", 48 * time.Hour},
		{"1w", 7 * 24 * time.Hour},
		// Combinations, largest unit first.
		{"1d12h", 36 * time.Hour},
		{"1h30m", 90 * time.Minute},
		{"1w2d3h4m5s", (9*24+3)*time.Hour + 4*time.Minute + 5*time.Second},
		// Gaps between units are fine.
		{"1d5s", 24*time.Hour + 5*time.Second},
		// Plain integer seconds.
		{"3600", time.Hour},
		{"0", 0},
		{"0s", 0},
		// Leading zeros are digits like any other.
		{"007s", 7 * time.Second},
		// Upper-case units as in BIND zone files.
		{"1D12H", 36 * time.Hour},
		// A leading minus makes a negative duration.
		{"-1h30m", -90 * time.Minute},
		{"-3600", -time.Hour},
		// The largest TTL RFC 2181 allows, and beyond (Parse does not cap).
		{"2147483647", MaxTTL},
		{"2147483648s", MaxTTL + time.Second},
		// The largest number of seconds a time.Duration holds.
		{"9223372036", 9223372036 * time.Second},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Parse(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string // a substring of the error
	}{
		// Nothing at all.
		{"", "empty string"},
		// A sign with no number.
		{"-", "no number"},
		// A plus sign is not accepted.
		{"+1h", "expected a digit"},
		// Units out of order.
		{"30m1h", "out of order"},
		// A unit twice.
		{"1h1h", "out of order"},
		// A trailing number with no unit after a unit.
		{"1h30", "has no unit"},
		// A unit with no number.
		{"h", "expected a digit"},
		{"1hm", "expected a digit"},
		// Unknown units.
		{"1y", "expected a unit"},
		{"10ms", "expected a digit at offset 3"},
		{"1ns", "expected a unit"},
		// Fractions.
		{"1.5h", "expected a unit"},
		// Spaces.
		{"1h 30m", "expected a digit at offset 2"},
		{" 1h", "expected a digit"},
		// Too large for a time.Duration.
		{"9223372037", "out of range"},
		{"15250285w", "out of range"},
		{"15250284w7d", "out of range"},
		{"99999999999999999999", "out of range"},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tc.in, got, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %q, want it to contain %q", tc.in, err, tc.want)
		}
		if !strings.HasPrefix(err.Error(), "expected a duration") {
			t.Errorf("Parse(%q) error = %q, want it to say what was expected first", tc.in, err)
		}
		var se *SyntaxError
		if !errors.As(err, &se) || se.Input != tc.in || se.Reason == "" {
			t.Errorf("Parse(%q) error = %#v, want a *SyntaxError with the input and a reason", tc.in, err)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		// Zero.
		{0, "0s"},
		// Whole days, hours, minutes, seconds.
		{48 * time.Hour, "2d"},
		{time.Hour, "1h"},
		{time.Minute, "1m"},
		{90 * time.Second, "90s"},
		// 36h is shorter than 1d12h.
		{36 * time.Hour, "36h"},
		// 90m is shorter than 1h30m.
		{90 * time.Minute, "90m"},
		// A week: "1w" and "7d" tie; the larger unit wins.
		{7 * 24 * time.Hour, "1w"},
		{14 * 24 * time.Hour, "2w"},
		// 10d is shorter than 1w3d.
		{10 * 24 * time.Hour, "10d"},
		// A combination when no single unit fits.
		{24*time.Hour + time.Second, "1d1s"},
		// Shortest even when a greedy form reads more easily.
		{25*time.Hour + time.Minute, "1501m"},
		// 150s is shorter than 2m30s.
		{150 * time.Second, "150s"},
		// The largest TTL.
		{MaxTTL, "2147483647s"},
		// Negative durations.
		{-90 * time.Minute, "-90m"},
		// Fractions of a second fall back to time.Duration's form.
		{1500 * time.Millisecond, "1.5s"},
	}
	for _, tc := range tests {
		if got := Format(tc.in); got != tc.want {
			t.Errorf("Format(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTTL(t *testing.T) {
	tests := []struct {
		in      time.Duration
		want    uint32
		wantErr string
	}{
		// Zero is a valid TTL.
		{0, 0, ""},
		// An ordinary TTL.
		{time.Hour, 3600, ""},
		// The RFC 2181 §8 maximum.
		{MaxTTL, 1<<31 - 1, ""},
		// One second more.
		{MaxTTL + time.Second, 0, "RFC 2181"},
		// Negative.
		{-time.Second, 0, "negative"},
		// A fraction of a second.
		{1500 * time.Millisecond, 0, "whole seconds"},
	}
	for _, tc := range tests {
		got, err := TTL(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("TTL(%v) = %d, %v; want an error containing %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("TTL(%v) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
		if back := FromTTL(got); back != tc.in {
			t.Errorf("FromTTL(%d) = %v, want %v", got, back, tc.in)
		}
	}
}

func TestSeconds(t *testing.T) {
	if got := Seconds(90*time.Second + 900*time.Millisecond); got != 90 {
		t.Errorf("Seconds(90.9s) = %d, want 90", got)
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts is a
// whole number of seconds that Format writes back in a form Parse reads as
// the same duration, no longer than the input (modulo a redundant sign and
// leading zeros, which Format drops).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"90s", "36h", "2d", "1w", "1d12h", "1h30m", "3600", "0", "-1h", "1w2d3h4m5s", "1D", "9223372036", "30m1h", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if d%time.Second != 0 {
			t.Fatalf("Parse(%q) = %v, not whole seconds", s, d)
		}
		out := Format(d)
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Format(Parse(%q))) = Parse(%q): %v", s, out, err)
		}
		if back != d {
			t.Fatalf("Parse(%q) = %v, Format = %q, which parses as %v", s, d, out, back)
		}
		if strings.TrimLeft(strings.TrimPrefix(s, "-"), "0") != "" && !strings.Contains(s, "0") && len(out) > len(s)+1 {
			t.Fatalf("Format(Parse(%q)) = %q, longer than the input", s, out)
		}
	})
}

// TestSpan checks the human form: rounded to the second, no zero units at
// either end, zero units inside kept.
func TestSpan(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{400 * time.Millisecond, "0s"},
		{time.Minute, "1m"},
		{3*24*time.Hour + 59*time.Minute + 55*time.Second, "3d 0h 59m 55s"},
		{24*time.Hour - time.Second, "23h 59m 59s"},
		{25 * time.Hour, "1d 1h"},
	}
	for _, tc := range tests {
		if got := Span(tc.in); got != tc.want {
			t.Errorf("Span(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
