package sim

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/duration"
	"github.com/dnssecsim/dnssecsim/scenarios"
)

// Options adjusts one run.
type Options struct {
	// Caches overrides the scenario's resolver count when positive.
	Caches int
	// Timelines keeps every cache's state intervals in the result.
	Timelines bool
	// Trace collects a text line per world change and per cache state change.
	Trace bool
}

// Sim is one run of a scenario.
type Sim struct {
	sc            *scenarios.Scenario
	opt           Options
	world         *World
	rng           *rand.Rand
	caches        []cache
	profiles      []Profile
	queryInterval time.Duration
	horizon       time.Duration
	events        eventHeap
	seq           uint64
	metrics       [numStates]Metric
	trace         []string
	processed     int64
}

// event is one entry of the event heap: a world change (prio 0) or a cache
// refresh (prio 1). Cache events carry the cache's token at scheduling time;
// a newer schedule makes older events stale.
type event struct {
	at    time.Duration
	prio  uint8
	seq   uint64
	cache int32
	token uint32
	world *worldChange
}

type eventHeap []event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	a, b := &h[i], &h[j]
	if a.at != b.at {
		return a.at < b.at
	}
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	return a.seq < b.seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

func (s *Sim) push(e event) {
	s.seq++
	e.seq = s.seq
	heap.Push(&s.events, e)
}

// worldChange is a set of actions applied at one instant.
type worldChange struct {
	step    string
	actions []scenarios.Action
	note    string // for automatic behaviour (hasty, passive deadline)
}

// Run simulates the scenario and returns its result.
func Run(sc *scenarios.Scenario, opt Options) (*Result, error) {
	s, err := newSim(sc, opt)
	if err != nil {
		return nil, err
	}
	if err := s.loop(); err != nil {
		return nil, err
	}
	return s.result(), nil
}

func newSim(sc *scenarios.Scenario, opt Options) (*Sim, error) {
	w, err := NewWorld(sc)
	if err != nil {
		return nil, err
	}
	s := &Sim{
		sc:      sc,
		opt:     opt,
		world:   w,
		rng:     rand.New(rand.NewPCG(uint64(sc.Seed), 0x646e737365637369)),
		horizon: sc.Horizon,
	}
	if sc.Resolvers.Query == "rate" {
		s.queryInterval = sc.Resolvers.QueryInterval
	}
	n := sc.Resolvers.Count
	if sc.Resolvers.CacheAge == "explicit" && len(sc.Resolvers.Ages) > 0 {
		n = len(sc.Resolvers.Ages)
	}
	if opt.Caches > 0 {
		n = opt.Caches
	}
	if n <= 0 {
		return nil, fmt.Errorf("sim: no resolver caches")
	}
	if err := s.population(n); err != nil {
		return nil, err
	}
	s.schedule()
	return s, nil
}

// population creates n caches with profiles assigned in proportion to the
// weights (deterministically, by largest remainder) and ages per the
// scenario's cache-age distribution, then fills each cache from the initial
// world as if its entries had been fetched age ago.
func (s *Sim) population(n int) error {
	sc := s.sc
	var total float64
	for _, pw := range sc.Resolvers.Profiles {
		total += pw.Weight
	}
	if total <= 0 {
		return fmt.Errorf("sim: resolver profile weights add up to zero")
	}
	// Interleave profiles so that every age band holds each profile.
	type share struct {
		p     Profile
		quota float64
		got   int
	}
	var shares []*share
	for _, pw := range sc.Resolvers.Profiles {
		p, err := LookupProfile(pw.Name)
		if err != nil {
			return err
		}
		shares = append(shares, &share{p: p, quota: pw.Weight / total})
		s.profiles = append(s.profiles, p)
	}
	s.caches = make([]cache, n)
	for i := range s.caches {
		// The profile furthest behind its quota gets the next cache.
		best := shares[0]
		for _, sh := range shares[1:] {
			if float64(sh.got+1)/sh.quota < float64(best.got+1)/best.quota {
				best = sh
			}
		}
		best.got++
		c := &s.caches[i]
		c.id = int32(i)
		c.prof = &best.p
		switch sc.Resolvers.CacheAge {
		case "random":
			for k := range c.phases {
				c.phases[k] = s.rng.Float64()
			}
		case "explicit":
			if len(sc.Resolvers.Ages) > 0 {
				c.age = sc.Resolvers.Ages[i%len(sc.Resolvers.Ages)]
			}
		default: // even
			// Each entry's phase is spread evenly over its own lifetime and
			// the entries of one cache are decorrelated: the delegation's
			// phase is i/n, the others follow the Halton sequence (bases 2,
			// 3, 5), which covers every combination of phases evenly. Real
			// caches refetch each entry on its own schedule, so after a
			// while their phases are unrelated.
			c.phases = [4]float64{float64(i) / float64(n), radicalInverse(i+1, 2), radicalInverse(i+1, 3), radicalInverse(i+1, 5)}
		}
		if s.queryInterval > 0 {
			// Clients ask at whole seconds, as resolvers count time.
			c.phase = time.Duration(s.rng.Int64N(max(int64(s.queryInterval/time.Second), 1))) * time.Second
		}
		if err := s.fill(c, sc.Resolvers.CacheAge == "explicit"); err != nil {
			return err
		}
	}
	return nil
}

// radicalInverse is the van der Corput radical inverse of i in base b: the
// digits of i mirrored behind the point, a number in [0, 1).
func radicalInverse(i, b int) float64 {
	f, r := 1.0, 0.0
	for ; i > 0; i /= b {
		f /= float64(b)
		r += f * float64(i%b)
	}
	return r
}

// fill loads a cache from the initial world. With explicit ages every
// entry was fetched age ago; otherwise each entry was fetched its own phase
// (a fraction of its lifetime) ago. A cache's reported age is that of its
// delegation.
func (s *Sim) fill(c *cache, explicit bool) error {
	c.state = Indeterminate
	if err := s.refresh(c, 0); err != nil {
		return err
	}
	if !explicit {
		c.age = time.Duration(c.phases[0] * float64(c.ns.period)).Truncate(time.Second)
	}
	for k, e := range c.entries() {
		if e.period <= 0 {
			continue
		}
		back := c.age % e.period
		if !explicit {
			back = time.Duration(c.phases[k] * float64(e.period)).Truncate(time.Second)
		}
		e.expire -= back
		if e.expire <= 0 {
			e.expire += e.period
		}
		e.expire = s.refreshTime(c, e.expire)
	}
	c.intervals = c.intervals[:0]
	c.since = 0
	c.entered = 1 << c.state
	return nil
}

// schedule queues the procedure's world changes, including the automatic
// ones of passive and hasty operators.
func (s *Sim) schedule() {
	sc := s.sc
	var transfer time.Duration
	for _, st := range sc.Procedure {
		if st.Name == sc.TransferStep {
			transfer = st.At
		}
		var reg, other []scenarios.Action
		for _, a := range st.Actions {
			if a.Actor == "registry" {
				reg = append(reg, a)
			} else {
				other = append(other, a)
			}
		}
		if len(other) > 0 || len(reg) == 0 {
			s.push(event{at: st.At, world: &worldChange{step: st.Name, actions: other}})
		}
		if len(reg) > 0 {
			s.push(event{at: st.At + sc.Parent.ProcessingDelay, world: &worldChange{step: st.Name, actions: reg}})
		}
	}
	for _, op := range []scenarios.Operator{sc.Losing, sc.Gaining} {
		switch op.Behaviour {
		case "hasty":
			s.push(event{at: transfer + op.HastyDelay, world: &worldChange{
				step: sc.TransferStep, note: "hasty",
				actions: []scenarios.Action{{Actor: op.Name, Action: op.HastyAction}}}})
		case "passive":
			if op.DeleteAfter > 0 {
				s.push(event{at: transfer + op.DeleteAfter, world: &worldChange{
					step: sc.TransferStep, note: "deadline",
					actions: []scenarios.Action{{Actor: op.Name, Action: "delete-zone"}}}})
			}
		}
	}
}

// loop processes events in order up to the horizon.
func (s *Sim) loop() error {
	for s.events.Len() > 0 && s.events[0].at <= s.horizon {
		if err := s.step(); err != nil {
			return err
		}
	}
	for i := range s.caches {
		s.closeInterval(&s.caches[i], s.horizon)
	}
	return nil
}

// step processes the next event.
func (s *Sim) step() error {
	e := heap.Pop(&s.events).(event)
	if e.world != nil {
		s.processed++
		return s.applyWorld(e.at, e.world)
	}
	c := &s.caches[e.cache]
	if e.token != c.token {
		return nil // superseded by a later schedule
	}
	s.processed++
	s.advanceSettled(c, e.at)
	if err := s.refresh(c, e.at); err != nil {
		return err
	}
	s.next(c)
	return nil
}

// advanceSettled moves the settled entries of c past the fetches before t
// that could not have changed them.
func (s *Sim) advanceSettled(c *cache, t time.Duration) {
	g := s.world.gen
	for _, e := range c.entries() {
		if e.settled(g) {
			e.advance(t)
		}
	}
}

// next schedules c's next refresh: the earliest expiry of an entry that is
// not settled. A cache whose entries are all settled waits for the world.
func (s *Sim) next(c *cache) {
	g := s.world.gen
	at := time.Duration(math.MaxInt64)
	for _, e := range c.entries() {
		if !e.settled(g) && e.expire < at {
			at = e.expire
		}
	}
	c.token++
	if at == time.Duration(math.MaxInt64) || at > s.horizon {
		return
	}
	s.push(event{at: at, prio: 1, cache: c.id, token: c.token})
}

// applyWorld carries out a world change and wakes every cache.
func (s *Sim) applyWorld(t time.Duration, wc *worldChange) error {
	changed, err := s.world.apply(t, wc, s.tracef)
	if err != nil {
		return err
	}
	if !changed {
		return nil
	}
	for i := range s.caches {
		c := &s.caches[i]
		// Bring settled entries up to t under the old generation, then
		// everything becomes unsettled and is looked at when it expires.
		for _, e := range c.entries() {
			if e.gen == s.world.gen-1 {
				e.advance(t)
			}
		}
		s.next(c)
	}
	return nil
}

// setState records a state change of c at t.
func (s *Sim) setState(c *cache, st State, t time.Duration) {
	if st == c.state {
		return
	}
	s.closeInterval(c, t)
	if s.opt.Trace && t > 0 {
		s.tracef(t, "cache %d (%s): %s -> %s", c.id, c.prof.Name, c.state, st)
	}
	c.state = st
	c.since = t
	c.entered |= 1 << st
}

// closeInterval ends c's current stretch at t and adds it to the metrics.
func (s *Sim) closeInterval(c *cache, t time.Duration) {
	if t > s.horizon {
		t = s.horizon
	}
	if t <= c.since {
		return
	}
	m := &s.metrics[c.state]
	secs := (t - c.since).Seconds()
	m.CacheSeconds += secs
	m.MaxSeconds = math.Max(m.MaxSeconds, secs)
	from, to := c.since.Seconds(), t.Seconds()
	if m.First == nil || from < *m.First {
		m.First = &from
	}
	if m.Last == nil || to > *m.Last {
		m.Last = &to
	}
	if s.opt.Timelines {
		c.intervals = append(c.intervals, Interval{From: from, To: to, State: c.state})
	}
	c.since = t
}

func (s *Sim) tracef(t time.Duration, format string, a ...any) {
	if !s.opt.Trace {
		return
	}
	s.trace = append(s.trace, "+"+traceTime(t)+" "+fmt.Sprintf(format, a...))
}

// traceTime formats an offset from the epoch in hours and minutes.
func traceTime(t time.Duration) string {
	h := t / time.Hour
	m := (t % time.Hour) / time.Minute
	sec := (t % time.Minute) / time.Second
	if sec != 0 {
		return fmt.Sprintf("%dh%02dm%02ds", h, m, sec)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}

// Metric summarises one state over the population.
type Metric struct {
	// CacheSeconds is the total time caches spent in the state.
	CacheSeconds float64 `json:"cache_seconds"`
	// MaxSeconds is the longest unbroken stretch any cache spent in it.
	MaxSeconds float64 `json:"max_seconds"`
	// Caches is how many caches were ever in it.
	Caches int `json:"caches"`
	// First and Last are the first and last instants any cache was in it.
	First *float64 `json:"first_seconds"`
	Last  *float64 `json:"last_seconds"`
}

// Result is the outcome of one run.
type Result struct {
	Scenario  string                 `json:"scenario"`
	Params    map[string]any         `json:"params"`
	Steps     []StepTime             `json:"steps"`
	Metrics   map[string]Metric      `json:"metrics"`
	Timelines []Timeline             `json:"timelines,omitempty"`
	Stats     Stats                  `json:"-"`
	Trace     []string               `json:"-"`
	Profiles  map[string]ProfileInfo `json:"-"`
}

// ProfileInfo describes a profile used in the run.
type ProfileInfo struct {
	Profile
	Caches int
}

// StepTime is when a step of the procedure happened.
type StepTime struct {
	Name      string  `json:"name"`
	AtSeconds float64 `json:"at_seconds"`
	Note      string  `json:"note,omitempty"`
}

// Timeline is one cache's states over time.
type Timeline struct {
	Cache      int        `json:"cache"`
	Profile    string     `json:"profile"`
	AgeSeconds float64    `json:"age_seconds"`
	Intervals  []Interval `json:"intervals"`
}

// Stats counts the work of a run.
type Stats struct {
	Caches int
	Events int64
}

// Metric returns the metric of state st.
func (r *Result) Metric(st State) Metric { return r.Metrics[st.String()] }

func (s *Sim) result() *Result {
	sc := s.sc
	r := &Result{
		Scenario: sc.Name,
		Params:   params(sc),
		Metrics:  map[string]Metric{},
		Trace:    s.trace,
		Stats:    Stats{Caches: len(s.caches), Events: s.processed},
		Profiles: map[string]ProfileInfo{},
	}
	r.Params["resolvers.count"] = len(s.caches)
	for _, st := range sc.Procedure {
		r.Steps = append(r.Steps, StepTime{Name: st.Name, AtSeconds: st.At.Seconds(), Note: st.Note})
	}
	for i := range s.caches {
		c := &s.caches[i]
		for st := State(0); st < numStates; st++ {
			if c.entered&(1<<st) != 0 {
				s.metrics[st].Caches++
			}
		}
		pi := r.Profiles[c.prof.Name]
		pi.Profile = *c.prof
		pi.Caches++
		r.Profiles[c.prof.Name] = pi
		if s.opt.Timelines {
			r.Timelines = append(r.Timelines, Timeline{Cache: int(c.id), Profile: c.prof.Name,
				AgeSeconds: c.age.Seconds(), Intervals: c.intervals})
		}
	}
	for st := State(0); st < numStates; st++ {
		r.Metrics[st.String()] = s.metrics[st]
	}
	return r
}

// params lists the scenario values a result depends on, by their --set path.
func params(sc *scenarios.Scenario) map[string]any {
	secs := func(d time.Duration) float64 { return d.Seconds() }
	p := map[string]any{
		"seed":                    sc.Seed,
		"transfer_step":           sc.TransferStep,
		"child":                   sc.Child,
		"horizon":                 secs(sc.Horizon),
		"parent.ns_ttl":           secs(sc.Parent.NSTTL),
		"parent.ds_ttl":           secs(sc.Parent.DSTTL),
		"parent.negative_ttl":     secs(sc.Parent.NegativeTTL),
		"parent.denial":           sc.Parent.Denial,
		"losing.ns_ttl":           secs(sc.Losing.NSTTL),
		"losing.dnskey_ttl":       secs(sc.Losing.DNSKEYTTL),
		"losing.data_ttl":         secs(sc.Losing.DataTTL),
		"losing.behaviour":        sc.Losing.Behaviour,
		"gaining.ns_ttl":          secs(sc.Gaining.NSTTL),
		"gaining.dnskey_ttl":      secs(sc.Gaining.DNSKEYTTL),
		"gaining.data_ttl":        secs(sc.Gaining.DataTTL),
		"resolvers.cache_age":     sc.Resolvers.CacheAge,
		"resolvers.query":         sc.Resolvers.Query,
		"parent.processing_delay": secs(sc.Parent.ProcessingDelay),
	}
	var prof []string
	for _, pw := range sc.Resolvers.Profiles {
		prof = append(prof, fmt.Sprintf("%s:%g", pw.Name, pw.Weight))
	}
	sort.Strings(prof)
	p["resolvers.profiles"] = strings.Join(prof, ",")
	return p
}

// Duration formats seconds the way scenario files write durations.
func Duration(seconds float64) string {
	return duration.Format(time.Duration(seconds * float64(time.Second)))
}
