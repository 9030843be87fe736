package duration

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Units of a duration string.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

// MaxTTL is the largest TTL RFC 2181 §8 allows: 2^31-1 seconds.
const MaxTTL = (1<<31 - 1) * time.Second

// units in the order a combination must list them.
var units = []struct {
	sym byte
	d   time.Duration
}{
	{'w', Week},
	{'d', Day},
	{'h', time.Hour},
	{'m', time.Minute},
	{'s', time.Second},
}

// maxSeconds is the largest number of seconds a time.Duration holds.
const maxSeconds = math.MaxInt64 / int64(time.Second)

// Parse reads a duration: a plain integer number of seconds ("3600"), or one
// or more NUMBER UNIT pairs with units w, d, h, m, s from the largest to the
// smallest, each at most once ("90s", "36h", "2d", "1w", "1d12h", "1h30m").
// A leading '-' makes the duration negative; callers that need a
// non-negative value (every TTL and wait) check the sign themselves so that
// they can say so. Spaces, fractions and other units are errors.
//
// Errors are *SyntaxError values.
func Parse(s string) (time.Duration, error) {
	if s == "" {
		return 0, &SyntaxError{Input: s, Reason: "empty"}
	}
	body, neg := s, false
	if body[0] == '-' {
		body, neg = body[1:], true
	}
	secs, err := parseSeconds(body)
	if err != nil {
		return 0, &SyntaxError{Input: s, Reason: err.Error()}
	}
	if neg {
		secs = -secs
	}
	return time.Duration(secs) * time.Second, nil
}

// SyntaxError is the error Parse returns.
type SyntaxError struct {
	// Input is the text given to Parse.
	Input string
	// Reason says what is wrong with it, for example "unit 'h' at offset 4
	// is out of order ...".
	Reason string
}

func (e *SyntaxError) Error() string {
	const want = `expected a duration such as "90s", "1h30m", "2d" or "3600"`
	if e.Input == "" {
		return want + ", found an empty string"
	}
	return fmt.Sprintf("%s, found %q: %s", want, e.Input, e.Reason)
}

// parseSeconds reads an unsigned duration and returns it in seconds.
func parseSeconds(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("no number")
	}
	var total int64
	next := 0 // index in units of the largest unit still allowed
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i {
			return 0, fmt.Errorf("expected a digit at offset %d, found %q", i, s[i])
		}
		n, err := strconv.ParseInt(s[i:j], 10, 64)
		if err != nil || n > maxSeconds {
			return 0, errors.New("out of range")
		}
		if j == len(s) {
			if i == 0 {
				// Plain integer seconds.
				return n, nil
			}
			return 0, fmt.Errorf("number %s at offset %d has no unit", s[i:j], i)
		}
		sym := s[j] | 0x20 // lower case
		u := -1
		for k := next; k < len(units); k++ {
			if units[k].sym == sym {
				u = k
				break
			}
		}
		if u < 0 {
			if strings.IndexByte("wdhms", sym) >= 0 && s[j] < 0x80 {
				return 0, fmt.Errorf("unit %q at offset %d is out of order or repeated: write units from the largest to the smallest (w, d, h, m, s), each at most once", s[j], j)
			}
			return 0, fmt.Errorf("expected a unit w, d, h, m or s at offset %d, found %q", j, s[j])
		}
		per := int64(units[u].d / time.Second)
		if n > (maxSeconds-total)/per {
			return 0, errors.New("out of range")
		}
		total += n * per
		next = u + 1
		i = j + 1
	}
	return total, nil
}

// Format writes d in its shortest form: the shortest string Parse reads back
// as d ("2d", "36h", "90m", "90s", "1d1s", "0s"). Among forms of equal length
// it prefers fewer parts, then larger units ("1w" rather than "7d"). A
// negative d gets a leading '-'. A d that is not a whole number of seconds
// cannot be written in this syntax; Format returns time.Duration's own form
// for it ("1.5s").
func Format(d time.Duration) string {
	if d%time.Second != 0 {
		return d.String()
	}
	if d < 0 {
		return "-" + Format(-d)
	}
	if d == 0 {
		return "0s"
	}
	secs := int64(d / time.Second)
	best := ""
	bestParts := 0
	// Each candidate writes the largest part in unit units[top] (possibly
	// with a number larger than the next unit up would allow) and the rest
	// greedily in smaller units.
	for top := range units {
		var b strings.Builder
		parts := 0
		rest := secs
		for k := top; k < len(units); k++ {
			per := int64(units[k].d / time.Second)
			n := rest / per
			rest -= n * per
			if n == 0 {
				continue
			}
			b.WriteString(strconv.FormatInt(n, 10))
			b.WriteByte(units[k].sym)
			parts++
		}
		if rest != 0 || parts == 0 {
			continue
		}
		c := b.String()
		if best == "" || len(c) < len(best) || (len(c) == len(best) && parts < bestParts) {
			best, bestParts = c, parts
		}
	}
	return best
}

// TTL converts d to a TTL in seconds. It rejects a negative d, one longer
// than 2^31-1 seconds (RFC 2181 §8) and one that is not a whole number of
// seconds.
func TTL(d time.Duration) (uint32, error) {
	switch {
	case d < 0:
		return 0, fmt.Errorf("expected a TTL between 0s and %ds (RFC 2181 §8), found the negative %s", int64(MaxTTL/time.Second), Format(d))
	case d > MaxTTL:
		return 0, fmt.Errorf("expected a TTL between 0s and %ds (RFC 2181 §8), found %s (%ds)", int64(MaxTTL/time.Second), Format(d), int64(d/time.Second))
	case d%time.Second != 0:
		return 0, fmt.Errorf("expected a TTL in whole seconds, found %s", d)
	}
	return uint32(d / time.Second), nil
}

// FromTTL converts a TTL in seconds to a duration.
func FromTTL(ttl uint32) time.Duration {
	return time.Duration(ttl) * time.Second
}

// Seconds returns d in whole seconds, rounded towards zero.
func Seconds(d time.Duration) int64 {
	return int64(d / time.Second)
}

// Span formats a non-negative duration for people, in days, hours, minutes
// and seconds rounded to the second ("1d 23h 59m 59s", "3d 1h"), without
// zero units at either end.
func Span(d time.Duration) string {
	t := int64((d + time.Second/2) / time.Second)
	if t == 0 {
		return "0s"
	}
	n := [4]int64{t / 86400, t % 86400 / 3600, t % 3600 / 60, t % 60}
	units := [4]string{"d", "h", "m", "s"}
	first, last := 0, 3
	for n[first] == 0 {
		first++
	}
	for n[last] == 0 {
		last--
	}
	var out []string
	for i := first; i <= last; i++ {
		out = append(out, strconv.FormatInt(n[i], 10)+units[i])
	}
	return strings.Join(out, " ")
}
