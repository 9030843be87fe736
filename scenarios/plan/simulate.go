package plan

import (
	"context"
	"fmt"
	"runtime"
	"sort"
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
	// Worst is the worst case over every cache phase: what the verdict
	// (safe or not) rests on. The numbers above are a sample.
	Worst *sim.WorstCase `json:"worst_case"`
}

// Bogus reports whether any sampled cache of the profile went Bogus.
func (r ProfileResult) Bogus() bool { return r.BogusCaches > 0 || r.BogusCacheSeconds > 0 }

// Verify simulates the plan's schedule against each profile alone and
// returns what each saw, with the worst case of each validating profile,
// in the order of opt.Profiles (default: every built-in profile, sorted).
func (p *Plan) Verify(ctx context.Context, opt Options) ([]ProfileResult, error) {
	res, err := p.simulate(ctx, nil, opt)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range res {
		if prof, err := sim.LookupProfile(r.Profile); err == nil && prof.Validating {
			names = append(names, r.Profile)
		}
	}
	if len(names) == 0 {
		return res, nil
	}
	wc, err := p.Check(nil, names, sim.WorstOptions{})
	if err != nil {
		return nil, err
	}
	for i := range res {
		res[i].Worst = wc[res[i].Profile]
	}
	return res, nil
}

// ValidatingProfiles lists the built-in profiles that validate.
func ValidatingProfiles() []string {
	var out []string
	for _, n := range sim.ProfileNames() {
		if prof, err := sim.LookupProfile(n); err == nil && prof.Validating {
			out = append(out, n)
		}
	}
	return out
}

// Check runs the worst-case analysis of the plan's schedule (with waits,
// when not nil) for each named profile (default: every validating one).
func (p *Plan) Check(waits []time.Duration, profiles []string, opt sim.WorstOptions) (map[string]*sim.WorstCase, error) {
	sc, err := p.Scenario(waits)
	if err != nil {
		return nil, err
	}
	if len(profiles) == 0 {
		profiles = ValidatingProfiles()
	}
	c := *sc
	c.Resolvers.Caches, c.Resolvers.CacheAge = nil, "even"
	c.Resolvers.Profiles = nil
	for _, n := range profiles {
		c.Resolvers.Profiles = append(c.Resolvers.Profiles, scenarios.ProfileWeight{Name: n, Weight: 1})
	}
	return sim.AnalyseWorstCase(&c, profiles, opt)
}

// Safe reports whether the worst case of every profile is proven free of
// Bogus and Lame; unsafe lists the others with why.
func Safe(wc map[string]*sim.WorstCase) (safe bool, unsafe []string) {
	for _, n := range sortedNames(wc) {
		w := wc[n]
		switch {
		case w.Bogus:
			unsafe = append(unsafe, n+" (Bogus possible)")
		case w.Lame:
			unsafe = append(unsafe, n+" (Lame possible)")
		case !w.Complete:
			unsafe = append(unsafe, n+" (not proven: search budget)")
		}
	}
	return len(unsafe) == 0, unsafe
}

func sortedNames(wc map[string]*sim.WorstCase) []string {
	var names []string
	for n := range wc {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
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
	// Waits holds the shortest wait the worst-case analysis proves safe
	// for each step, in step order (a step that changes nothing, or that
	// already waits 0, keeps its wait).
	Waits []time.Duration
	// Profiles are the profiles every schedule was checked against.
	Profiles []string
	// Runs counts the worst-case analyses (one per profile per schedule
	// tried).
	Runs int
	// Unsafe lists the profiles for which the plan's own schedule is not
	// proven safe; then no shorter wait is searched and Waits are the
	// plan's.
	Unsafe []string
	// Worst is the worst case of each profile with Waits.
	Worst map[string]*sim.WorstCase
	// Results is what a sampled population of each profile saw of the
	// schedule with Waits (the Insecure exposure).
	Results []ProfileResult
}

// Minimize searches, step by step in time order, for the shortest wait
// that the worst-case analysis proves keeps every validating profile free
// of Bogus, and no longer Lame than the planned schedule leaves it, by
// bisection between 0 and the plan's wait with the waits of the steps after
// it as planned and those before it already shortened. The search stops
// when the bounds are within a minute (or 1/256 of the wait, if less).
// Every schedule it keeps is proven safe; it assumes, as the bisection
// must, that a longer wait is never less safe, and a shorter wait it
// skipped may be safe too.
func (p *Plan) Minimize(ctx context.Context, opt Options) (*MinimizeResult, error) {
	if len(opt.Profiles) == 0 {
		opt.Profiles = ValidatingProfiles()
	}
	r := &MinimizeResult{Profiles: opt.Profiles}
	waits := make([]time.Duration, len(p.Steps))
	for i, st := range p.Steps {
		waits[i] = st.Wait
	}
	// lame holds, per profile, the longest Lame stretch the planned
	// schedule allows: a shorter wait may not make it longer (deleting the
	// losing zone early is never Bogus, but it is an outage).
	var lame map[string]float64
	safe := func(w []time.Duration) (bool, map[string]*sim.WorstCase, error) {
		if err := ctx.Err(); err != nil {
			return false, nil, err
		}
		ok := true
		wc := map[string]*sim.WorstCase{}
		for _, n := range opt.Profiles {
			// One profile at a time, each search stopped at its first
			// failure: an unsafe schedule costs little to reject.
			wo := sim.WorstOptions{}
			if lame != nil {
				wo.Decide, wo.LameAllowed = true, time.Duration(lame[n]*float64(time.Second))
			}
			one, err := p.Check(w, []string{n}, wo)
			r.Runs++
			if err != nil {
				return false, nil, err
			}
			pw := one[n]
			wc[n] = pw
			if pw.Bogus || !pw.Complete || lame != nil && pw.MaxLameSeconds > lame[n] {
				ok = false
				if lame != nil {
					break
				}
			}
		}
		return ok, wc, nil
	}
	ok, wc, err := safe(waits)
	if err != nil {
		return nil, err
	}
	lame = map[string]float64{}
	for n, pw := range wc {
		lame[n] = pw.MaxLameSeconds
	}
	if !ok {
		for _, n := range sortedNames(wc) {
			if wc[n].Bogus || !wc[n].Complete {
				r.Unsafe = append(r.Unsafe, n)
			}
		}
		r.Waits, r.Worst = waits, wc
		r.Results, err = p.simulate(ctx, waits, opt)
		return r, err
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
	if _, wc, err = safe(waits); err != nil {
		return nil, err
	}
	r.Waits, r.Worst = waits, wc
	r.Results, err = p.simulate(ctx, waits, opt)
	return r, err
}
