package scenarios

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/duration"
)

// PathError is the error Set returns for a path it does not know.
type PathError struct {
	// Path is the path given to Set.
	Path string
	// Valid lists the paths Set knows (ValidPaths).
	Valid []string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("unknown setting %q; expected one of: %s", e.Path, strings.Join(e.Valid, ", "))
}

// setter parses a value and stores it; its error says what was expected.
type setter struct {
	form string // the expected form, for messages
	set  func(s *Scenario, v string) error
}

// ValidPaths returns the paths Set knows, sorted.
func ValidPaths() []string {
	ps := make([]string, 0, len(setters))
	for p := range setters {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// Set overrides one value by its dotted YAML path ("parent.ds_ttl",
// "losing.dnskey_ttl", "resolvers.count", "seed", ...; see ValidPaths),
// checks the scenario again and re-resolves the schedule, so that a changed
// TTL moves every step that waits for it. Values are written as in a file:
// durations as "2h" or "3600", booleans as true or false, lists (name
// servers, ages) comma-separated.
//
// Special paths: "resolvers.profile" = NAME makes every cache use profile
// NAME; "resolvers.profiles" = "NAME:WEIGHT,..." sets the whole population;
// "resolvers.ages" = "AGE,..." also sets cache_age to explicit and count to
// the number of ages; "resolvers.cache_age" other than explicit drops the
// ages; "resolvers.query_interval" also sets query to rate (above 0s) or
// continuous (0s); "horizon" = "auto" restores the default horizon.
//
// "resolvers.cache" = "PROFILE ns=T ds=T key=T answer=T servers=OP,...
// query_phase=D" (the text form of a CacheSpec, see ParseCacheSpec) makes
// the population exactly that one cache, and "resolvers.caches" =
// "CACHE; CACHE; ..." exactly those caches: cache_age becomes given, count
// the number of caches, the profiles the caches' (each weighted by its
// number of caches), and the ages are dropped. Setting resolvers.profile,
// resolvers.profiles, resolvers.count, resolvers.ages or
// resolvers.cache_age afterwards drops the caches: the population is
// sampled again, with their count and profiles unless the setting changes
// them, and cache_age even unless it is set.
//
// An unknown path gives a *PathError. A value that does not parse, or that
// leaves the scenario invalid, gives an error naming the path and the
// expected form; the scenario is then unchanged.
func (s *Scenario) Set(path, value string) error {
	st, ok := setters[path]
	if !ok {
		return &PathError{Path: path, Valid: ValidPaths()}
	}
	old := *s
	oldPos := s.pos
	fail := func(msg string) error {
		*s = old
		return fmt.Errorf("set %s=%s: %s", path, value, msg)
	}
	if err := st.set(s, strings.TrimSpace(value)); err != nil {
		return fail(fmt.Sprintf("%s: expected %s, %v", path, st.form, err))
	}
	// Positions in the file no longer describe what Set changed, nor the
	// fields the change replaces.
	s.pos = make(map[string]pos, len(oldPos))
	changed := append([]string{path}, replaces[path]...)
	for k, v := range oldPos {
		if !slices.ContainsFunc(changed, func(c string) bool { return within(k, c) }) {
			s.pos[k] = v
		}
	}
	if p := s.check(); p != nil {
		return fail(p.msg)
	}
	if p := s.schedule(); p != nil {
		return fail(p.msg)
	}
	return nil
}

// within reports whether path is c or a path inside it.
func within(path, c string) bool {
	return path == c || strings.HasPrefix(path, c+".") || strings.HasPrefix(path, c+"[")
}

// replaces lists, for a path whose setter changes other fields too, those
// fields.
var replaces = map[string][]string{
	"resolvers.cache":     {"resolvers.caches", "resolvers.count", "resolvers.profiles", "resolvers.cache_age", "resolvers.ages"},
	"resolvers.caches":    {"resolvers.count", "resolvers.profiles", "resolvers.cache_age", "resolvers.ages"},
	"resolvers.profile":   {"resolvers.profiles", "resolvers.caches"},
	"resolvers.profiles":  {"resolvers.caches"},
	"resolvers.count":     {"resolvers.caches"},
	"resolvers.ages":      {"resolvers.caches", "resolvers.cache_age", "resolvers.count"},
	"resolvers.cache_age": {"resolvers.caches"},
}

// Forms of values, for messages.
const (
	formTTL      = `a TTL such as "2h", "1d" or 3600 (seconds), from 0s to 2147483647s`
	formDuration = `a duration such as "90s", "1h30m" or "2d"`
	// formCache is the text form of a cache (ParseCacheSpec).
	formCache = `"PROFILE [ns=T] [ds=T] [key=T] [answer=T] [servers=OP,...] [query_phase=D]" with fetch times T of 0s or less, such as "unbound ns=-1h ds=-30m servers=gaining"`
	// sampled ends the forms of the setters that drop resolvers.caches.
	sampled = " (drops resolvers.caches: the population is sampled again)"
)

// parseDuration reads a non-negative duration for a setter; its errors
// start with "found".
func parseDuration(v string) (time.Duration, error) {
	d, err := duration.Parse(v)
	var se *duration.SyntaxError
	switch {
	case errors.As(err, &se) && v == "":
		return 0, errors.New("found nothing")
	case errors.As(err, &se):
		return 0, fmt.Errorf("found %q (%s)", v, se.Reason)
	case err != nil:
		return 0, fmt.Errorf("found %q (%v)", v, err)
	case d < 0:
		return 0, fmt.Errorf("found the negative %s", v)
	}
	return d, nil
}

func setTTL(field func(*Scenario) *time.Duration) setter {
	return setter{formTTL, func(s *Scenario, v string) error {
		d, err := parseDuration(v)
		if err != nil {
			return err
		}
		if d > duration.MaxTTL {
			return fmt.Errorf("found %s, more than 2^31-1 seconds (RFC 2181 §8)", v)
		}
		*field(s) = d
		return nil
	}}
}

func setDuration(field func(*Scenario) *time.Duration) setter {
	return setter{formDuration + " (0s or more)", func(s *Scenario, v string) error {
		d, err := parseDuration(v)
		if err != nil {
			return err
		}
		*field(s) = d
		return nil
	}}
}

func setEnum(list []string, field func(*Scenario) *string) setter {
	return setter{orList(list), func(s *Scenario, v string) error {
		if !contains(list, v) {
			return fmt.Errorf("found %q", v)
		}
		*field(s) = v
		return nil
	}}
}

func setAlgorithm(field func(*Scenario) *uint8) setter {
	return setter{"a DNSSEC algorithm number such as 13", func(s *Scenario, v string) error {
		n, err := strconv.ParseUint(v, 10, 8)
		if err != nil {
			return fmt.Errorf("found %q", v)
		}
		*field(s) = uint8(n)
		return nil
	}}
}

// setters maps each settable path to its setter.
var setters = map[string]setter{}

func init() {
	setters["seed"] = setter{"an integer", func(s *Scenario, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("found %q", v)
		}
		s.Seed = n
		return nil
	}}
	setters["horizon"] = setter{formDuration + " or auto", func(s *Scenario, v string) error {
		if v == "auto" {
			s.Horizon, s.autoHorizon = 0, true
			return nil
		}
		d, err := parseDuration(v)
		if err != nil {
			return err
		}
		if d == 0 {
			return fmt.Errorf("found %s; a horizon is after the epoch", v)
		}
		s.Horizon, s.autoHorizon = d, false
		return nil
	}}
	setters["transfer_step"] = setter{"the name of a step", func(s *Scenario, v string) error {
		s.TransferStep = v
		return nil
	}}
	setters["probe.name"] = setter{"a domain name at or below the child", func(s *Scenario, v string) error {
		s.Probe.Name = canonicalName(v)
		return nil
	}}
	setters["probe.type"] = setter{"a query type such as A or AAAA", func(s *Scenario, v string) error {
		t, err := parseType(v)
		if err != nil {
			return fmt.Errorf("found %q", v)
		}
		s.Probe.Type = t
		return nil
	}}

	setters["parent.ns_ttl"] = setTTL(func(s *Scenario) *time.Duration { return &s.Parent.NSTTL })
	setters["parent.ds_ttl"] = setTTL(func(s *Scenario) *time.Duration { return &s.Parent.DSTTL })
	setters["parent.negative_ttl"] = setTTL(func(s *Scenario) *time.Duration { return &s.Parent.NegativeTTL })
	setters["parent.processing_delay"] = setDuration(func(s *Scenario) *time.Duration { return &s.Parent.ProcessingDelay })
	setters["parent.denial"] = setEnum(denials, func(s *Scenario) *string { return &s.Parent.Denial })
	setters["parent.algorithm"] = setAlgorithm(func(s *Scenario) *uint8 { return &s.Parent.Algorithm })

	for _, name := range []string{ActorLosing, ActorGaining} {
		op := func(s *Scenario) *Operator {
			if name == ActorLosing {
				return &s.Losing
			}
			return &s.Gaining
		}
		setters[name+".signed"] = setter{"true or false", func(s *Scenario, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("found %q", v)
			}
			op(s).Signed = b
			return nil
		}}
		setters[name+".algorithm"] = setAlgorithm(func(s *Scenario) *uint8 { return &op(s).Algorithm })
		setters[name+".ns_ttl"] = setTTL(func(s *Scenario) *time.Duration { return &op(s).NSTTL })
		setters[name+".dnskey_ttl"] = setTTL(func(s *Scenario) *time.Duration { return &op(s).DNSKEYTTL })
		setters[name+".data_ttl"] = setTTL(func(s *Scenario) *time.Duration { return &op(s).DataTTL })
		setters[name+".nameservers"] = setter{"comma-separated name server names", func(s *Scenario, v string) error {
			var names []string
			for _, n := range strings.Split(v, ",") {
				if n = strings.TrimSpace(n); n != "" {
					names = append(names, canonicalName(n))
				}
			}
			op(s).Nameservers = names
			return nil
		}}
		setters[name+".behaviour"] = setter{orList(behaviours), func(s *Scenario, v string) error {
			if !contains(behaviours, v) {
				return fmt.Errorf("found %q", v)
			}
			o := op(s)
			o.Behaviour = v
			if v == "hasty" && o.HastyAction == "" {
				o.HastyAction = defaultHastyAction
			}
			return nil
		}}
		setters[name+".delete_after"] = setDuration(func(s *Scenario) *time.Duration { return &op(s).DeleteAfter })
		setters[name+".hasty_action"] = setEnum(hastyActs, func(s *Scenario) *string { return &op(s).HastyAction })
		setters[name+".hasty_delay"] = setDuration(func(s *Scenario) *time.Duration { return &op(s).HastyDelay })
	}

	// The population is sampled (count, profile, profiles, cache_age,
	// ages) or given cache by cache (cache, caches); setting a field of
	// one kind drops the other.
	setters["resolvers.count"] = setter{fmt.Sprintf("a number of caches from 1 to %d", maxCount) + sampled, func(s *Scenario, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxCount {
			return fmt.Errorf("found %q", v)
		}
		s.Resolvers.sample()
		s.Resolvers.Count = n
		return nil
	}}
	setters["resolvers.profile"] = setter{"a profile name" + sampled, func(s *Scenario, v string) error {
		if v == "" || strings.ContainsAny(v, ",:") {
			return fmt.Errorf("found %q", v)
		}
		s.Resolvers.sample()
		s.Resolvers.Profiles = []ProfileWeight{{Name: v, Weight: 1}}
		return nil
	}}
	setters["resolvers.profiles"] = setter{`comma-separated NAME:WEIGHT pairs such as "unbound:1,bind:1"` + sampled, func(s *Scenario, v string) error {
		var ps []ProfileWeight
		seen := map[string]bool{}
		for _, item := range strings.Split(v, ",") {
			name, w, ok := strings.Cut(strings.TrimSpace(item), ":")
			name = strings.TrimSpace(name)
			weight, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
			if !ok || name == "" || err != nil || !(weight > 0) || math.IsInf(weight, 0) {
				return fmt.Errorf("found %q", item)
			}
			if seen[name] {
				return fmt.Errorf("found %s twice", name)
			}
			seen[name] = true
			ps = append(ps, ProfileWeight{Name: name, Weight: weight})
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
		s.Resolvers.sample()
		s.Resolvers.Profiles = ps
		return nil
	}}
	setters["resolvers.cache_age"] = setter{orList(cacheAges) + sampled, func(s *Scenario, v string) error {
		if v == cacheAgeGiven {
			return fmt.Errorf("found %q (given comes with resolvers.cache or resolvers.caches)", v)
		}
		if !contains(cacheAges, v) {
			return fmt.Errorf("found %q", v)
		}
		s.Resolvers.sample()
		s.Resolvers.CacheAge = v
		if v != "explicit" {
			s.Resolvers.Ages = nil
		}
		return nil
	}}
	setters["resolvers.ages"] = setter{`comma-separated durations such as "0s,30m,1h"` + sampled, func(s *Scenario, v string) error {
		var ages []time.Duration
		for _, item := range strings.Split(v, ",") {
			d, err := parseDuration(strings.TrimSpace(item))
			if err != nil {
				return err
			}
			ages = append(ages, d)
		}
		s.Resolvers.sample()
		s.Resolvers.Ages, s.Resolvers.CacheAge, s.Resolvers.Count = ages, "explicit", len(ages)
		return nil
	}}
	setters["resolvers.cache"] = setter{"a cache " + formCache + " (the population becomes this one cache)", func(s *Scenario, v string) error {
		c, err := ParseCacheSpec(v)
		if err != nil {
			return fmt.Errorf("found %q (%v)", v, err)
		}
		s.Resolvers.give([]CacheSpec{c})
		return nil
	}}
	setters["resolvers.caches"] = setter{"caches separated by ';', each " + formCache + " (the population becomes these caches)", func(s *Scenario, v string) error {
		items := strings.Split(v, ";")
		if len(items) > maxCount {
			return fmt.Errorf("found %d caches, more than %d", len(items), maxCount)
		}
		caches := make([]CacheSpec, 0, len(items))
		all := 0
		for i, item := range items {
			c, err := ParseCacheSpec(item)
			if err != nil {
				return fmt.Errorf("found %q as cache %d (%v)", strings.TrimSpace(item), i+1, err)
			}
			if all += len(c.Servers); all > maxAllServers {
				return fmt.Errorf("found more than %d servers in all the caches together", maxAllServers)
			}
			caches = append(caches, c)
		}
		s.Resolvers.give(caches)
		return nil
	}}
	setters["resolvers.query"] = setter{orList(queryModels), func(s *Scenario, v string) error {
		if !contains(queryModels, v) {
			return fmt.Errorf("found %q", v)
		}
		s.Resolvers.Query = v
		if v == "continuous" {
			s.Resolvers.QueryInterval = 0
		}
		return nil
	}}
	setters["resolvers.query_interval"] = setter{formDuration + " (0s or more)", func(s *Scenario, v string) error {
		d, err := parseDuration(v)
		if err != nil {
			return err
		}
		s.Resolvers.QueryInterval, s.Resolvers.Query = d, "rate"
		if d == 0 {
			s.Resolvers.Query = "continuous"
		}
		return nil
	}}
}

// give makes caches the population: cache age given, the count and the
// profiles theirs, no ages.
func (r *Resolvers) give(caches []CacheSpec) {
	r.Caches, r.CacheAge, r.Count, r.Profiles, r.Ages = caches, cacheAgeGiven, len(caches), profilesOf(caches), nil
}

// sample drops the caches of a population given cache by cache, keeping
// their count and profiles, so that the population is sampled again with
// the default cache age.
func (r *Resolvers) sample() {
	if r.CacheAge == cacheAgeGiven {
		r.CacheAge = defaultCacheAge
	}
	r.Caches = nil
}

// ValidateProfiles checks that every resolver profile the scenario names is
// one of known, the simulator's profile names: the profile of each cache of
// resolvers.caches, each profile of the population, and the profile of each
// expectation about one profile's worst case (which need not be in the
// population: the worst case is a property of the profile and the
// procedure, so it survives --set resolvers.profile=...). The error points
// into the file when the profile came from it.
func (s *Scenario) ValidateProfiles(known []string) error {
	k := append([]string(nil), known...)
	sort.Strings(k)
	for i, c := range s.Resolvers.Caches {
		if !contains(known, c.Profile) {
			path := fmt.Sprintf("resolvers.caches[%d].profile", i)
			return s.exactErrorAt(problemf(path, "%s: expected a resolver profile (%s), found %q", path, strings.Join(k, ", "), c.Profile))
		}
	}
	var names []string
	for _, pw := range s.Resolvers.Profiles {
		if !contains(known, pw.Name) {
			return s.exactErrorAt(problemf("resolvers.profiles."+pw.Name, "resolvers.profiles: expected a resolver profile (%s), found %q", strings.Join(k, ", "), pw.Name))
		}
		names = append(names, pw.Name)
	}
	for _, e := range s.Expect {
		if e.Profile == "" || contains(known, e.Profile) {
			continue
		}
		msg := fmt.Sprintf("expect.%s: expected the worst case of a resolver profile (%s), found %q", e.key(), strings.Join(k, ", "), e.Profile)
		if e.Line > 0 {
			return &Error{File: s.File, Line: e.Line, Col: e.Col, Msg: msg}
		}
		return fmt.Errorf("scenario %s: %s", s.Name, msg)
	}
	return nil
}

// exactErrorAt turns a problem into an *Error at the position recorded for
// its very path, or a plain error naming the scenario when the file did not
// give that value (Set did).
func (s *Scenario) exactErrorAt(p *problem) error {
	if at, ok := s.pos[p.path]; ok {
		return &Error{File: s.File, Line: at.line, Col: at.col, Msg: p.msg}
	}
	return fmt.Errorf("scenario %s: %s", s.Name, p.msg)
}
