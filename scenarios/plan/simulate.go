package plan

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/dnssecsim/dnssecsim/scenarios"
	"github.com/dnssecsim/dnssecsim/sim"
)

// Options adjusts Verify and Minimize.
type Options struct {
	// Caches is the number of caches per profile; 0 means the scenario's
	// count for Verify and MinimizeCaches for Minimize.
	Caches int
	// Profiles are the resolver profiles to simulate, each alone (default:
	// every built-in profile).
	Profiles []string
	// Jobs is how many simulations run at once (default GOMAXPROCS).
	Jobs int
}

// MinimizeCaches is the default population of each simulation of Minimize:
// enough caches with evenly spread ages to find the worst phase, few enough
// to run dozens of simulations in seconds.
const MinimizeCaches = 300

// ProfileResult is what one resolver profile saw of a simulated schedule.
type ProfileResult struct {
	Profile string `json:"profile"`
	Caches  int    `json:"caches"`
	// BogusCacheSeconds and BogusCaches: the headline; zero for a safe
	// schedule.
	BogusCacheSeconds float64 `json:"bogus_cache_seconds"`
	BogusCaches       int     `json:"bogus_caches"`
	// The Insecure exposure: the longest stretch one cache spent Insecure,
	// how many caches were ever Insecure, and the first and last instant
	// (seconds from the start) any cache was.
	InsecureMaxSeconds float64  `json:"insecure_max_seconds"`
	InsecureCaches     int      `json:"insecure_caches"`
	InsecureFirst      *float64 `json:"insecure_first_seconds"`
	InsecureLast       *float64 `json:"insecure_last_seconds"`
	// LameCaches counts caches that were sent to servers that no longer
	// serve the zone.
	LameCaches int `json:"lame_caches"`
}

// Bogus reports whether any cache of the profile went Bogus.
func (r ProfileResult) Bogus() bool { return r.BogusCaches > 0 || r.BogusCacheSeconds > 0 }

// Verify simulates the plan's schedule against each profile alone and
// returns what each saw, in the order of opt.Profiles (default: every
// built-in profile, sorted).
func (p *Plan) Verify(ctx context.Context, opt Options) ([]ProfileResult, error) {
	return p.simulate(ctx, nil, opt)
}

func (p *Plan) simulate(ctx context.Context, waits []time.Duration, opt Options) ([]ProfileResult, error) {
	sc, err := p.Scenario(waits)
	if err != nil {
		return nil, err
	}
	profiles := opt.Profiles
	if len(profiles) == 0 {
		profiles = sim.ProfileNames()
	}
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	out := make([]ProfileResult, len(profiles))
	errs := make([]error, len(profiles))
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, name := range profiles {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			c := *sc
			c.Resolvers.Profiles = []scenarios.ProfileWeight{{Name: name, Weight: 1}}
			if c.Resolvers.CacheAge == "given" {
				// One profile alone is a sampled population; caches given
				// one by one carry their own profiles.
				c.Resolvers.Caches, c.Resolvers.CacheAge = nil, "even"
			}
			res, err := sim.Run(&c, sim.Options{Caches: opt.Caches})
			if err != nil {
				errs[i] = fmt.Errorf("profile %s: %w", name, err)
				return
			}
			bogus, ins, lame := res.Metrics["Bogus"], res.Metrics["Insecure"], res.Metrics["Lame"]
			out[i] = ProfileResult{Profile: name, Caches: res.Stats.Caches,
				BogusCacheSeconds: bogus.CacheSeconds, BogusCaches: bogus.Caches,
				InsecureMaxSeconds: ins.MaxSeconds, InsecureCaches: ins.Caches,
				InsecureFirst: ins.First, InsecureLast: ins.Last, LameCaches: lame.Caches}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MinimizeResult is the outcome of Minimize.
type MinimizeResult struct {
	// Waits holds the shortest Bogus-free wait found for each step, in
	// step order (a step that changes nothing, or that already waits 0,
	// keeps its wait).
	Waits []time.Duration
	// Caches and Profiles describe each simulation.
	Caches   int
	Profiles []string
	// Runs counts the simulations (one per profile per schedule tried).
	Runs int
	// Unsafe lists the profiles for which the plan's own schedule is
	// Bogus; then no shorter wait is searched and Waits are the plan's.
	Unsafe []string
	// Results is what each profile saw of the schedule with Waits.
	Results []ProfileResult
}

// Minimize searches, step by step in time order, for the shortest wait
// that keeps every validating profile Bogus-free, and no more Lame than
// the planned schedule leaves it, by bisection between 0
// and the plan's wait with the waits of the steps after it as planned and
// those before it already shortened. The search stops when the bounds are
// within a minute (or 1/256 of the wait, if less). It assumes, as the
// bisection must, that a longer wait is never less safe.
func (p *Plan) Minimize(ctx context.Context, opt Options) (*MinimizeResult, error) {
	if opt.Caches <= 0 {
		opt.Caches = MinimizeCaches
	}
	if len(opt.Profiles) == 0 {
		for _, n := range sim.ProfileNames() {
			if prof, err := sim.LookupProfile(n); err == nil && prof.Validating {
				opt.Profiles = append(opt.Profiles, n)
			}
		}
	}
	r := &MinimizeResult{Caches: opt.Caches, Profiles: opt.Profiles}
	waits := make([]time.Duration, len(p.Steps))
	for i, st := range p.Steps {
		waits[i] = st.Wait
	}
	// lame holds, per profile, how many caches the planned schedule
	// leaves Lame: a shorter wait may not send more caches to servers that
	// no longer serve the zone (deleting the losing zone early is never
	// Bogus, but it is an outage).
	var lame map[string]int
	safe := func(w []time.Duration) (bool, []ProfileResult, error) {
		res, err := p.simulate(ctx, w, opt)
		r.Runs += len(opt.Profiles)
		if err != nil {
			return false, nil, err
		}
		for _, pr := range res {
			if pr.Bogus() || lame != nil && pr.LameCaches > lame[pr.Profile] {
				return false, res, nil
			}
		}
		return true, res, nil
	}
	ok, res, err := safe(waits)
	if err != nil {
		return nil, err
	}
	lame = map[string]int{}
	for _, pr := range res {
		lame[pr.Profile] = pr.LameCaches
	}
	if !ok {
		for _, pr := range res {
			if pr.Bogus() {
				r.Unsafe = append(r.Unsafe, pr.Profile)
			}
		}
		r.Waits, r.Results = waits, res
		return r, nil
	}
	for i, st := range p.Steps {
		if st.Wait <= 0 || len(st.Actions) == 0 {
			continue
		}
		tol := min(time.Minute, max(time.Second, st.Wait/256))
		lo, hi := time.Duration(0), st.Wait
		try := func(d time.Duration) (bool, error) {
			w := append([]time.Duration(nil), waits...)
			w[i] = d
			ok, _, err := safe(w)
			return ok, err
		}
		ok, err := try(0)
		if err != nil {
			return nil, err
		}
		if ok {
			hi = 0
		}
		for hi-lo > tol {
			mid := ((lo + hi) / 2).Truncate(time.Second)
			if mid <= lo {
				break
			}
			ok, err := try(mid)
			if err != nil {
				return nil, err
			}
			if ok {
				hi = mid
			} else {
				lo = mid
			}
		}
		waits[i] = hi
	}
	_, res, err = safe(waits)
	if err != nil {
		return nil, err
	}
	r.Waits, r.Results = waits, res
	return r, nil
}
