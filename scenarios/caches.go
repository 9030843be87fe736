package scenarios

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/dnssecsim/dnssecsim/internal/duration"
)

// cacheAgeGiven is the cache age of a population given cache by cache
// (Resolvers.Caches). Files do not write it: resolvers.caches implies it.
const cacheAgeGiven = "given"

// Bounds of a population given cache by cache, so that hostile input (a
// servers list shared through an alias by many caches) stays small.
const (
	// maxServers bounds the servers list of one cache.
	maxServers = 10_000
	// maxAllServers bounds the servers lists of all the caches together.
	maxAllServers = 100_000
)

// operators are the operators a cache may ask, in the order messages list
// them.
var operators = []string{ActorLosing, ActorGaining}

// fetchForm is what a fetch time is expected to be, for messages.
const fetchForm = "a fetch time at or before the epoch (0s or a negative duration such as -2h)"

// checkFetched checks one entry's fetch time; path names it in messages.
func checkFetched(path string, t time.Duration) *problem {
	switch {
	case t > 0:
		return problemf(path, "%s: expected %s, found %s", path, fetchForm, duration.Format(t))
	case t%time.Second != 0:
		return problemf(path, "%s: expected %s in whole seconds, found %s", path, fetchForm, t)
	}
	return nil
}

// badProfileName reports whether a cache's profile name cannot be written
// in the text form: empty, or holding a space, '=' or ';'.
func badProfileName(name string) bool {
	return name == "" || strings.ContainsAny(name, "=;") || strings.IndexFunc(name, unicode.IsSpace) >= 0
}

// profilesOf weighs each profile of the caches by its number of caches,
// sorted by name.
func profilesOf(caches []CacheSpec) []ProfileWeight {
	n := map[string]int{}
	for _, c := range caches {
		n[c.Profile]++
	}
	ps := make([]ProfileWeight, 0, len(n))
	for name, k := range n {
		ps = append(ps, ProfileWeight{Name: name, Weight: float64(k)})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	return ps
}

// String writes the cache in the text form ParseCacheSpec reads: the
// profile, then each entry fetched before the epoch as NAME=TIME, the
// servers as servers=OP,... and a query phase other than 0s as
// query_phase=D, each duration in the shortest form duration.Format
// writes, for example
// "unbound ns=-86399s ds=-1s key=-59m answer=-10m servers=gaining,losing".
func (c CacheSpec) String() string {
	var b strings.Builder
	b.WriteString(c.Profile)
	for i, t := range c.Fetched {
		if t != 0 {
			fmt.Fprintf(&b, " %s=%s", EntryNames[i], duration.Format(t))
		}
	}
	if len(c.Servers) > 0 {
		b.WriteString(" servers=" + strings.Join(c.Servers, ","))
	}
	if c.QueryPhase != 0 {
		b.WriteString(" query_phase=" + duration.Format(c.QueryPhase))
	}
	return b.String()
}

// cacheFields are the KEY=VALUE fields of a cache's text form, in the order
// String writes them.
var cacheFields = []string{"ns", "ds", "key", "answer", "servers", "query_phase"}

// ParseCacheSpec reads a cache in the text form String writes: fields
// separated by spaces, the first the profile name, then KEY=VALUE fields in
// any order, each at most once: ns, ds, key and answer (when the entry was
// fetched: 0s or a negative duration such as -2h), servers (comma-separated
// operators, each losing or gaining) and query_phase (a duration of 0s or
// more). Fields left out are 0s or empty. Errors say what was expected and
// what was found.
func ParseCacheSpec(text string) (CacheSpec, error) {
	words := strings.Fields(text)
	if len(words) == 0 {
		return CacheSpec{}, errors.New(`expected a cache such as "unbound ns=-1h ds=-30m servers=gaining", found nothing`)
	}
	var c CacheSpec
	c.Profile = words[0]
	if strings.Contains(c.Profile, "=") {
		return CacheSpec{}, fmt.Errorf("expected the cache's profile name first, found %q", c.Profile)
	}
	if badProfileName(c.Profile) {
		return CacheSpec{}, fmt.Errorf("expected a profile name without ';', found %q", c.Profile)
	}
	seen := map[string]bool{}
	for _, w := range words[1:] {
		key, value, ok := strings.Cut(w, "=")
		if !ok || !contains(cacheFields, key) {
			return CacheSpec{}, fmt.Errorf("expected KEY=VALUE with KEY one of %s, found %q", strings.Join(cacheFields, ", "), w)
		}
		if seen[key] {
			return CacheSpec{}, fmt.Errorf("expected each field once, found %s= twice", key)
		}
		seen[key] = true
		switch key {
		case "servers":
			items := strings.Split(value, ",")
			if len(items) > maxServers {
				return CacheSpec{}, fmt.Errorf("servers: expected at most %d servers, found %d", maxServers, len(items))
			}
			for _, op := range items {
				if !contains(operators, op) {
					return CacheSpec{}, fmt.Errorf("servers: expected comma-separated operators, each %s, found %q", orList(operators), op)
				}
			}
			c.Servers = items
		case "query_phase":
			d, err := parseDuration(value)
			if err != nil {
				return CacheSpec{}, fmt.Errorf("query_phase: expected a duration of 0s or more, %v", err)
			}
			c.QueryPhase = d
		default:
			i := 0
			for EntryNames[i] != key {
				i++
			}
			t, err := duration.Parse(value)
			var se *duration.SyntaxError
			switch {
			case errors.As(err, &se) && value == "":
				return CacheSpec{}, fmt.Errorf("%s: expected %s, found nothing", key, fetchForm)
			case errors.As(err, &se):
				return CacheSpec{}, fmt.Errorf("%s: expected %s, found %q (%s)", key, fetchForm, value, se.Reason)
			case err != nil:
				return CacheSpec{}, fmt.Errorf("%s: expected %s, found %q (%v)", key, fetchForm, value, err)
			}
			if p := checkFetched(key, t); p != nil {
				return CacheSpec{}, errors.New(p.msg)
			}
			c.Fetched[i] = t
		}
	}
	return c, nil
}
