package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
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
	// Trace collects a text line per world change and per cache state
	// change, with the cause of every Bogus and Lame stretch.
	Trace bool
	// Workers is how many caches are simulated at once (default: one per
	// core). Results are the same for any number.
	Workers int
}

// Run simulates the scenario and returns its result.
//
// Caches do not interact: each one's trajectory depends only on the
// world's generations and on its own phases and randomness (a PCG stream of
// its own, seeded from the scenario seed and its index). So caches are
// simulated independently, in parallel, over a read-only world, and their
// results are merged in cache order in fixed-size chunks, which makes every
// output independent of the number of workers.
func Run(sc *scenarios.Scenario, opt Options) (*Result, error) {
	w, err := NewWorld(sc)
	if err != nil {
		return nil, err
	}
	pop, err := newPopulation(sc, opt.Caches)
	if err != nil {
		return nil, err
	}
	n := pop.len()
	const chunk = 512
	chunks := make([]chunkResult, (n+chunk-1)/chunk)
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(chunks))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for wk := 0; wk < workers; wk++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ci := int(next.Add(1) - 1)
				if ci >= len(chunks) || errs[wk] != nil {
					return
				}
				cr := &chunks[ci]
				for i := ci * chunk; i < min(n, (ci+1)*chunk); i++ {
					r, err := newCacheRun(w, pop, i, &opt, nil)
					if err == nil {
						err = r.run()
					}
					if err != nil {
						errs[wk] = err
						return
					}
					cr.add(r, &opt)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return result(sc, w, pop, chunks, &opt), nil
}

// population says, for each cache index, its profile and how its entries
// were filled before the procedure starts.
type population struct {
	sc       *scenarios.Scenario
	profiles []Profile
	profOf   []uint8 // profile index of each cache
	given    [][numEntries]time.Duration
	servers  [][]int
}

func (p *population) len() int { return len(p.profOf) }

// newPopulation assigns profiles in proportion to the weights
// (deterministically, by largest remainder, interleaved so that every age
// band holds each profile), or takes the scenario's given caches.
func newPopulation(sc *scenarios.Scenario, override int) (*population, error) {
	p := &population{sc: sc}
	if len(sc.Resolvers.Caches) > 0 && override <= 0 {
		idx := map[string]int{}
		for i, cs := range sc.Resolvers.Caches {
			k, ok := idx[cs.Profile]
			if !ok {
				prof, err := LookupProfile(cs.Profile)
				if err != nil {
					return nil, sc.ErrorAt(fmt.Sprintf("resolvers.caches[%d].profile", i), "%v", err)
				}
				k = len(p.profiles)
				idx[cs.Profile] = k
				p.profiles = append(p.profiles, prof)
			}
			p.profOf = append(p.profOf, uint8(k))
			p.given = append(p.given, cs.Fetched)
			var ops []int
			for _, name := range cs.Servers {
				ops = append(ops, map[string]int{"losing": 0, "gaining": 1}[name])
			}
			p.servers = append(p.servers, ops)
		}
		return p, nil
	}
	n := sc.Resolvers.Count
	if sc.Resolvers.CacheAge == "explicit" && len(sc.Resolvers.Ages) > 0 {
		n = len(sc.Resolvers.Ages)
	}
	if override > 0 {
		n = override
	}
	if n <= 0 {
		return nil, fmt.Errorf("sim: no resolver caches")
	}
	var total float64
	for _, pw := range sc.Resolvers.Profiles {
		total += pw.Weight
	}
	if total <= 0 || len(sc.Resolvers.Profiles) > 255 {
		return nil, fmt.Errorf("sim: resolver profile weights add up to zero")
	}
	type share struct {
		quota float64
		got   int
	}
	shares := make([]share, len(sc.Resolvers.Profiles))
	for i, pw := range sc.Resolvers.Profiles {
		prof, err := LookupProfile(pw.Name)
		if err != nil {
			return nil, err
		}
		shares[i].quota = pw.Weight / total
		p.profiles = append(p.profiles, prof)
	}
	p.profOf = make([]uint8, n)
	for i := range p.profOf {
		// The profile furthest behind its quota gets the next cache.
		best := 0
		for k := 1; k < len(shares); k++ {
			if float64(shares[k].got+1)/shares[k].quota < float64(shares[best].got+1)/shares[best].quota {
				best = k
			}
		}
		shares[best].got++
		p.profOf[i] = uint8(best)
	}
	return p, nil
}

// cacheRun is the simulation of one cache through the world's generations.
type cacheRun struct {
	w       *World
	c       cache
	gen     int
	view    *worldVersion
	q       time.Duration // query interval (rate model), 0 for continuous
	horizon instant
	rng     *rand.Rand
	tr      *tracker // the worst-case analysis' recorder, or nil
	script  []int    // a given cache's servers
	choice  int
	seq     int64   // refresh counter
	now     instant // the refresh under way
	why     bool    // work out causes of failures
	trace   bool
	times   bool // keep intervals
	// merge, in the worst-case analysis, stops a run whose state another
	// path has reached.
	merge func(*cacheRun) bool

	metrics [numStates]Metric
	lines   []traceLine
	events  int64
}

// newCacheRun prepares cache i of pop and fills it from the initial world.
// With a tracker, the tracker's x gives the initial expiries (clamped into
// what the TTLs allow) and its script the choices.
func newCacheRun(w *World, pop *population, i int, opt *Options, tr *tracker) (*cacheRun, error) {
	sc := w.sc
	r := &cacheRun{w: w, view: &w.versions[0], horizon: fixed(sc.Horizon), tr: tr,
		why: opt.Trace || tr != nil, trace: opt.Trace, times: opt.Timelines}
	c := &r.c
	c.id = int32(i)
	c.prof = &pop.profiles[pop.profOf[i]]
	if sc.Resolvers.Query == "rate" {
		r.q = sc.Resolvers.QueryInterval
	}
	r.rng = rand.New(rand.NewPCG(uint64(sc.Seed), 0x646e737365637369^uint64(i)*0x9e3779b97f4a7c15))
	var phases [numEntries]float64
	switch {
	case tr != nil:
		c.phase = tr.phase
		r.script = nil
	case pop.given != nil:
		r.script = pop.servers[i]
		if r.script == nil {
			r.script = []int{}
		}
		c.phase = sc.Resolvers.Caches[i].QueryPhase
	case sc.Resolvers.CacheAge == "random":
		for k := range phases {
			phases[k] = r.rng.Float64()
		}
	case sc.Resolvers.CacheAge == "explicit":
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
		n := pop.len()
		phases = [numEntries]float64{float64(i) / float64(n), radicalInverse(i+1, 2), radicalInverse(i+1, 3), radicalInverse(i+1, 5)}
	}
	if r.q > 0 && tr == nil && pop.given == nil {
		// Clients ask at whole seconds, as resolvers count time.
		c.phase = time.Duration(r.rng.Int64N(max(int64(r.q/time.Second), 1))) * time.Second
	}
	// Fill the cache from the initial world as if fetched at 0, then move
	// each entry back to its own fetch time.
	c.state = Indeterminate
	for _, e := range c.entries() {
		e.gen = unsettle // nothing cached yet
	}
	r.refresh(fixed(0))
	for k, e := range c.entries() {
		var back time.Duration
		switch {
		case tr != nil:
		case pop.given != nil:
			back = -pop.given[i][k]
			if back >= e.period {
				return nil, sc.ErrorAt(fmt.Sprintf("resolvers.caches[%d].%s", i, entryNames[k]),
					"expected a fetch time after -%s (the %s entry of a %s cache lives %s), found -%s",
					duration.Format(e.period), entryNames[k], c.prof.Name, duration.Format(e.period), duration.Format(back))
			}
		case sc.Resolvers.CacheAge == "explicit":
			back = c.age % e.period
		default:
			back = time.Duration(phases[k] * float64(e.period)).Truncate(time.Second)
		}
		x := r.refreshTime(fixed(e.period - back)).at
		if tr != nil {
			x = tr.initial(k, e.period, r.q, c.phase)
		}
		e.expire = instant{at: x, base: uint8(1 + k)}
		e.fetched = e.expire.add(-e.period)
	}
	if tr == nil && pop.given == nil && sc.Resolvers.CacheAge != "explicit" {
		c.age = time.Duration(phases[0] * float64(c.ns.period)).Truncate(time.Second)
	}
	if pop.given != nil {
		c.age = -pop.given[i][entryNS]
	}
	c.keyDSAt = c.ds.fetched
	if c.hasGood {
		c.goodUntil = c.ans.expire
	}
	c.intervals = c.intervals[:0]
	c.since = fixed(0)
	c.entered = 1 << c.state
	r.metrics = [numStates]Metric{}
	r.lines = r.lines[:0]
	return r, nil
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

// run replays the world's changes against the cache up to the horizon. A
// cache whose every entry was fetched from the current generation cannot
// change state until the world changes again, so it has no events until
// then: cost grows with world changes, not with the horizon divided by the
// TTLs.
func (r *cacheRun) run() error {
	w := r.w
	gi := r.gen
	for !r.stopped() {
		if r.merge != nil {
			if r.merge(r) {
				r.tr.stopped = true
				break
			}
			r.tr.snaps = append(r.tr.snaps, snapshot{c: r.c, gen: r.gen, seq: r.seq, pathLen: r.tr.base + len(r.tr.path),
				dbm: r.tr.dbm, hash: r.tr.hash, npicks: r.tr.choices, x: r.tr.x, period: r.tr.period})
		}
		at, ok := r.nextExpiry()
		if gi < len(w.changes) && (!ok || r.tr.le(fixed(w.changes[gi]), at)) {
			r.changeWorld(gi + 1)
			gi++
			continue
		}
		if !ok || r.tr.lt(r.horizon, at) {
			break
		}
		r.events++
		r.refresh(at)
	}
	if !r.stopped() {
		r.closeInterval(r.horizon)
	}
	return nil
}

func (r *cacheRun) stopped() bool { return r.tr != nil && r.tr.stopped }

// nextExpiry is the earliest expiry of an entry that is not settled.
func (r *cacheRun) nextExpiry() (instant, bool) {
	var best instant
	ok := false
	for _, e := range r.c.entries() {
		if e.settled(r.gen) {
			continue
		}
		if !ok || r.tr.lt(e.expire, best) {
			best, ok = e.expire, true
		}
	}
	return best, ok
}

// changeWorld moves the cache into generation gen: entries settled in the
// old one are brought up to the change (each fetch before it returned the
// same data), then everything is unsettled and looked at when it expires.
func (r *cacheRun) changeWorld(gen int) {
	t := fixed(r.w.changes[gen-1])
	for _, e := range r.c.entries() {
		if e.gen == gen-1 {
			r.advance(e, t)
		}
	}
	r.gen = gen
	r.view = &r.w.versions[gen]
}

// advance moves a settled entry's expiry past every fetch before t, each of
// which returned the same data, keeping its phase.
func (r *cacheRun) advance(e *entry, t instant) {
	if e.period <= 0 || r.tr.le(t, e.expire) {
		return
	}
	gap := t.at - e.expire.at
	if t.base != e.expire.base && r.tr != nil && e.period == r.tr.grid && gap%e.period == 0 {
		// A period of one grid step: the first expiry at or after t is t
		// itself, whatever the phases, so no count of periods enters the
		// path condition.
		e.expire = t
		e.fetched = e.expire.add(-e.period)
		return
	}
	k := (gap + e.period - 1) / e.period
	if t.base != e.expire.base {
		// How many periods depends on the phases: a branch of its own.
		r.tr.advance(t, e.expire, e.period, int64(k))
	}
	e.expire = e.expire.add(k * e.period)
	e.fetched = e.expire.add(-e.period)
}

// setState records a state change of c at t.
func (r *cacheRun) setState(st State, t instant) {
	c := &r.c
	if st == c.state {
		return
	}
	r.closeInterval(t)
	if r.trace && t.at > 0 {
		line := fmt.Sprintf("cache %d (%s): %s -> %s", c.id, c.prof.Name, c.state, st)
		if (st == Bogus || st == Lame) && c.cause != "" {
			line += ": " + c.cause
		}
		r.lines = append(r.lines, traceLine{at: t.at, cache: c.id, text: "+" + traceTime(t.at) + " " + line})
	}
	c.state = st
	c.since = t
	c.entered |= 1 << st
}

// closeInterval ends c's current stretch at t and adds it to the metrics.
func (r *cacheRun) closeInterval(t instant) {
	c := &r.c
	if r.tr.lt(r.horizon, t) {
		t = r.horizon
	}
	if r.tr != nil && (c.state == Bogus || c.state == Lame) {
		r.tr.stretches = append(r.tr.stretches, stretch{state: c.state, from: c.since, to: t, cause: c.cause})
	}
	if t.at <= c.since.at {
		return
	}
	m := &r.metrics[c.state]
	secs := (t.at - c.since.at).Seconds()
	m.CacheSeconds += secs
	m.MaxSeconds = math.Max(m.MaxSeconds, secs)
	from, to := c.since.at.Seconds(), t.at.Seconds()
	if m.First == nil || from < *m.First {
		m.First = &from
	}
	if m.Last == nil || to > *m.Last {
		m.Last = &to
	}
	if r.times {
		c.intervals = append(c.intervals, Interval{From: from, To: to, State: c.state})
	}
	c.since = t
}

// chunkResult is what a run of consecutive caches adds up to.
type chunkResult struct {
	metrics   [numStates]Metric
	timelines []Timeline
	lines     []traceLine
	events    int64
}

func (cr *chunkResult) add(r *cacheRun, opt *Options) {
	c := &r.c
	for st := State(0); st < numStates; st++ {
		mergeMetric(&cr.metrics[st], &r.metrics[st])
		if c.entered&(1<<st) != 0 {
			cr.metrics[st].Caches++
		}
	}
	cr.events += r.events
	cr.lines = append(cr.lines, r.lines...)
	if opt.Timelines {
		cr.timelines = append(cr.timelines, Timeline{Cache: int(c.id), Profile: c.prof.Name,
			AgeSeconds: c.age.Seconds(), Intervals: c.intervals})
	}
}

// mergeMetric adds src into dst.
func mergeMetric(dst, src *Metric) {
	dst.CacheSeconds += src.CacheSeconds
	dst.MaxSeconds = math.Max(dst.MaxSeconds, src.MaxSeconds)
	dst.Caches += src.Caches
	if src.First != nil && (dst.First == nil || *src.First < *dst.First) {
		v := *src.First
		dst.First = &v
	}
	if src.Last != nil && (dst.Last == nil || *src.Last > *dst.Last) {
		v := *src.Last
		dst.Last = &v
	}
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
	WorstCase map[string]*WorstCase  `json:"worst_case,omitempty"`
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

func result(sc *scenarios.Scenario, w *World, pop *population, chunks []chunkResult, opt *Options) *Result {
	r := &Result{
		Scenario: sc.Name,
		Params:   params(sc),
		Metrics:  map[string]Metric{},
		Stats:    Stats{Caches: pop.len(), Events: int64(len(w.trace))},
		Profiles: map[string]ProfileInfo{},
	}
	r.Params["resolvers.count"] = pop.len()
	for _, st := range sc.Procedure {
		r.Steps = append(r.Steps, StepTime{Name: st.Name, AtSeconds: st.At.Seconds(), Note: st.Note})
	}
	var metrics [numStates]Metric
	lines := w.trace
	for i := range chunks {
		cr := &chunks[i]
		for st := range metrics {
			mergeMetric(&metrics[st], &cr.metrics[st])
		}
		r.Stats.Events += cr.events
		r.Timelines = append(r.Timelines, cr.timelines...)
		lines = append(lines, cr.lines...)
	}
	counts := make([]int, len(pop.profiles))
	for _, k := range pop.profOf {
		counts[k]++
	}
	for k, p := range pop.profiles {
		if counts[k] > 0 {
			r.Profiles[p.Name] = ProfileInfo{Profile: p, Caches: counts[k]}
		}
	}
	for st := State(0); st < numStates; st++ {
		r.Metrics[st.String()] = metrics[st]
	}
	if opt.Trace {
		sort.SliceStable(lines, func(i, j int) bool {
			if lines[i].at != lines[j].at {
				return lines[i].at < lines[j].at
			}
			return lines[i].cache < lines[j].cache
		})
		for _, l := range lines {
			if l.cache < 0 {
				r.Trace = append(r.Trace, "+"+traceTime(l.at)+" "+l.text)
			} else {
				r.Trace = append(r.Trace, l.text)
			}
		}
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
