package sim

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/duration"
	"github.com/dnssecsim/dnssecsim/scenarios"
)

// The worst-case analysis decides, for one resolver profile, whether any
// cache at all (any phases of its four entries, any query phase, any
// choice of server) can answer Bogus or fail (Lame) during the procedure,
// and finds the longest such stretch with a witness cache that shows it.
//
// Why it is sound. A cache's run is a deterministic function of its
// initial entry expiries x = (x_ns, x_ds, x_key, x_answer), its query phase
// and the servers it picks. Every instant the run computes is some x_i plus
// a constant, or a fixed time (a step, the horizon): fetch times are
// expiries, and expiries are fetch times plus capped TTLs, hold-offs and
// retries (see instant). The resolver model looks at x only by comparing
// two instants, so every decision it makes is a constraint
// x_i - x_j <= c or x_i <= c: the tracker records each one, and each choice
// of server, as the run's path condition. All points x whose path condition
// is the same take the same decisions, so they have the same trajectory with
// every stretch starting and ending at x_i + c for the same i and c. The
// set of such points is a cell cut out by difference constraints, and the
// longest stretch in it is max(x_i - x_j) + c, read off the closed
// difference-bound matrix exactly; a point attaining it is the witness.
//
// The analysis enumerates every cell: it runs one point, then for each
// decision of its path (after the ones its parent fixed) it asks the
// matrix whether the opposite outcome is possible with the same decisions
// before it, and if so runs a point of that cell (and every other server at
// each choice). This visits every feasible path of the decision tree once,
// so every reachable trajectory is looked at. Two paths that reach an
// identical state (the same cache contents as offsets from the same
// phases, the same world generation and the same matrix) have identical
// futures, so the later one stops there and the earlier one's subtree
// answers for both; this keeps server choices from multiplying the paths.
//
// What it assumes. Phases are whole seconds (resolvers count time in
// seconds), and on the query grid with a query rate, where each whole-second
// query phase is analysed in turn; this is the domain the sampled
// populations draw from, so whatever a sample finds, the analysis finds.
// Caches are looked at up to the scenario's horizon. The analysis is of the
// model: each profile's fidelity to the resolver it names is a separate
// question (measured-transfers, TestMeasuredTransfers). A search that would
// exceed its budget stops and says the verdict is not proven (Complete
// false) rather than claiming "never".

// WorstCase is the verdict of the worst-case analysis for one profile.
type WorstCase struct {
	// Bogus and Lame say whether any cache can be in that state.
	Bogus bool `json:"bogus"`
	Lame  bool `json:"lame"`
	// MaxBogusSeconds and MaxLameSeconds are the longest unbroken stretch
	// any cache can spend in the state.
	MaxBogusSeconds float64 `json:"max_bogus_seconds"`
	MaxLameSeconds  float64 `json:"max_lame_seconds"`
	// Witness is a cache with the longest Bogus stretch (the longest Lame
	// one when no cache can be Bogus), or nil when neither can happen.
	Witness *Witness `json:"witness"`
	// Complete is true when every cell was examined; false means the
	// search budget ran out and "never" is not proven.
	Complete bool `json:"complete"`
	// Paths counts the cells examined.
	Paths int `json:"paths"`
}

// Witness is one cache, given entry by entry, that shows a failure.
type Witness struct {
	Profile string `json:"profile"`
	State   State  `json:"state"`
	// FetchedSeconds gives, for ns, ds, key and answer, when the entry was
	// fetched (seconds from the epoch, at or before 0).
	FetchedSeconds    map[string]float64 `json:"fetched_seconds"`
	Servers           []string           `json:"servers,omitempty"`
	QueryPhaseSeconds float64            `json:"query_phase_seconds,omitempty"`
	// FromSeconds and ToSeconds bound the longest stretch.
	FromSeconds float64 `json:"from_seconds"`
	ToSeconds   float64 `json:"to_seconds"`
	// Cause says which cached entry met which new data.
	Cause string `json:"cause"`
	// Cache is the witness in the scenario's text form, for
	// --set resolvers.cache=...
	Cache string `json:"cache"`
	// Trace is the one-cache replay's trace.
	Trace []string `json:"trace"`
}

// WorstOptions bounds the analysis.
type WorstOptions struct {
	// MaxPaths bounds the cells examined per profile (default 400,000),
	// which bounds time; memory is bounded separately.
	MaxPaths int
	// Decide stops the search of a profile as soon as it has found a
	// Bogus stretch, or a Lame one longer than LameAllowed: enough to say
	// "not safe". Such a result has Complete false and its longest
	// stretches are lower bounds.
	Decide      bool
	LameAllowed time.Duration
}

// ErrNoValidating is returned by AnalyseWorstCase for a scenario whose
// profiles are all non-validating.
var ErrNoValidating = fmt.Errorf("sim: the worst-case analysis needs at least one validating resolver profile")

// WorstCaseProfiles lists the validating profiles of a scenario: those of
// its population and of its given caches, sorted.
func WorstCaseProfiles(sc *scenarios.Scenario) ([]string, error) {
	seen := map[string]bool{}
	var names []string
	addName := func(n string) error {
		if seen[n] {
			return nil
		}
		seen[n] = true
		p, err := LookupProfile(n)
		if err != nil {
			return err
		}
		if p.Validating {
			names = append(names, n)
		}
		return nil
	}
	for _, pw := range sc.Resolvers.Profiles {
		if err := addName(pw.Name); err != nil {
			return nil, err
		}
	}
	for _, c := range sc.Resolvers.Caches {
		if err := addName(c.Profile); err != nil {
			return nil, err
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, ErrNoValidating
	}
	return names, nil
}

// AnalyseWorstCase runs the worst-case analysis of sc for each named
// profile (all validating profiles of the scenario when names is empty).
func AnalyseWorstCase(sc *scenarios.Scenario, names []string, opt WorstOptions) (map[string]*WorstCase, error) {
	if len(names) == 0 {
		var err error
		if names, err = WorstCaseProfiles(sc); err != nil {
			return nil, err
		}
	}
	w, err := NewWorld(sc)
	if err != nil {
		return nil, err
	}
	profs := make([]Profile, len(names))
	for i, n := range names {
		p, err := LookupProfile(n)
		if err != nil {
			return nil, err
		}
		if !p.Validating {
			return nil, fmt.Errorf("sim: profile %s does not validate: it is never Bogus, and the worst-case analysis is for validating profiles", n)
		}
		profs[i] = p
	}
	// Profiles are independent: analyse them in parallel over the shared
	// read-only world.
	res := make([]*WorstCase, len(names))
	errs := make([]error, len(names))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(names) {
					return
				}
				res[i], errs[i] = analyse(w, profs[i], opt)
			}
		}()
	}
	wg.Wait()
	out := map[string]*WorstCase{}
	for i, n := range names {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[n] = res[i]
	}
	return out, nil
}

// job is a run to make: from the start or resumed from a snapshot of an
// earlier run, with a point, the server choices to make (by their index
// along the whole path), and the first decision of its path the run may
// flip (the ones before are its parent's).
type job struct {
	snap  *snapshot // a copy of its own: jobs must not keep whole runs alive
	x     [numBases]time.Duration
	picks []int // the choices before the flipped one (shared, read-only)
	alt   int   // the flipped choice, or -1
	bound int
}

// explorer holds one profile's search.
type explorer struct {
	w     *World
	pop   *population
	opt   WorstOptions
	grid  time.Duration
	phase time.Duration
	seen  map[[16]byte]uint64
	wc    *WorstCase
	best  [numStates]bestStretch
	// Buffers reused from run to run.
	bufPath  []branch
	bufDBMs  []dbm
	bufSnaps []snapshot
}

type bestStretch struct {
	found  bool
	secs   time.Duration
	x      [numBases]time.Duration
	period [numEntries]time.Duration
	st     stretch
	phase  time.Duration
	picks  []int
}

func analyse(w *World, p Profile, opt WorstOptions) (*WorstCase, error) {
	if opt.MaxPaths <= 0 {
		opt.MaxPaths = 400_000
	}
	sc := w.sc
	e := &explorer{w: w, pop: &population{sc: sc, profiles: []Profile{p}, profOf: []uint8{0}}, opt: opt,
		wc: &WorstCase{Complete: true}}
	e.grid = time.Second
	phases := []time.Duration{0}
	if sc.Resolvers.Query == "rate" {
		q := sc.Resolvers.QueryInterval
		if q%time.Second != 0 || q > time.Hour {
			return nil, fmt.Errorf("sim: the worst-case analysis needs a query interval of whole seconds up to 1h, found %s", duration.Format(q))
		}
		e.grid = q
		phases = phases[:0]
		for ph := time.Duration(0); ph < q; ph += time.Second {
			phases = append(phases, ph)
		}
	}
	for _, ph := range phases {
		e.phase = ph
		e.seen = map[[16]byte]uint64{}
		if err := e.explore(); err != nil {
			return nil, err
		}
		if !e.wc.Complete {
			break
		}
	}
	for _, st := range []State{Bogus, Lame} {
		b := &e.best[st]
		if !b.found {
			continue
		}
		if st == Bogus {
			e.wc.Bogus, e.wc.MaxBogusSeconds = true, b.secs.Seconds()
		} else {
			e.wc.Lame, e.wc.MaxLameSeconds = true, b.secs.Seconds()
		}
	}
	for _, st := range []State{Bogus, Lame} {
		if b := &e.best[st]; b.found {
			wit, err := e.witness(p, st, b)
			if err != nil {
				return nil, err
			}
			e.wc.Witness = wit
			break
		}
	}
	return e.wc, nil
}

// explore enumerates the cells for the current query phase.
func (e *explorer) explore() error {
	var start [numBases]time.Duration
	for i := 1; i < numBases; i++ {
		start[i] = time.Duration(1 << 62) // clamped to each entry's lifetime
	}
	stack := []job{{x: start, alt: -1}}
	opts := &Options{}
	queued := e.wc.Paths + 1
	push := func(j job) bool {
		if queued >= e.opt.MaxPaths || len(stack) >= maxStack {
			e.wc.Complete = false
			return false
		}
		queued++
		stack = append(stack, j)
		return true
	}
	for len(stack) > 0 {
		j := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		e.wc.Paths++
		tr := &tracker{x: j.x, grid: e.grid, phase: e.phase, script: j.picks, alt: j.alt, dbm: newDBM(),
			path: e.bufPath[:0], dbms: e.bufDBMs[:0], snaps: e.bufSnaps[:0]}
		var r *cacheRun
		if j.snap == nil {
			var err error
			if r, err = newCacheRun(e.w, e.pop, 0, opts, tr); err != nil {
				return err
			}
		} else {
			r = e.resume(j.snap, tr)
		}
		r.merge = e.merge
		if err := r.run(); err != nil {
			return err
		}
		e.score(tr)
		e.bufPath, e.bufDBMs, e.bufSnaps = tr.path, tr.dbms, tr.snaps
		if e.opt.Decide && (e.best[Bogus].found || e.best[Lame].found && e.best[Lame].secs > e.opt.LameAllowed) {
			e.wc.Complete = false
			return nil
		}
		// Flip each decision from the bound on.
		picks := tr.allPicks()
		npick := len(tr.picks)
		pickAt := make([]int, len(tr.path))
		for i, b := range tr.path {
			pickAt[i] = npick
			if b.mask != 0 {
				npick++
			}
		}
		si := len(tr.snaps) - 1
		var snapCopy *snapshot
		snapCopyAt := -1
		for li := len(tr.path) - 1; li >= 0 && tr.base+li >= j.bound; li-- {
			b := tr.path[li]
			if b.assume {
				continue
			}
			abs := tr.base + li
			for si >= 0 && tr.snaps[si].pathLen > abs {
				si--
			}
			var snap *snapshot
			if si >= 0 {
				if snapCopy == nil || snapCopyAt != si {
					s := tr.snaps[si]
					snapCopy, snapCopyAt = &s, si
				}
				snap = snapCopy
			}
			prefix := picks[:pickAt[li]]
			if b.mask != 0 {
				for m := b.mask; m != 0; m &= m - 1 {
					op := bits.TrailingZeros8(m)
					if op == int(b.pick) {
						continue
					}
					if !push(job{snap: snap, x: tr.x, picks: prefix, alt: op, bound: abs + 1}) {
						return nil
					}
				}
				continue
			}
			if b.adv > 0 {
				// Every other count of periods the path so far allows.
				d := tr.dbms[li]
				lo, okLo := tr.maxDiff(&d, b.b, b.a) // -(min of x[a] - x[b])
				hi, okHi := tr.maxDiff(&d, b.a, b.b)
				if !okLo || !okHi {
					e.wc.Complete = false
					continue
				}
				kLo := max(1, ceilDiv(int64(-lo+b.c), int64(b.per)))
				kHi := ceilDiv(int64(hi+b.c), int64(b.per))
				if kHi-kLo > maxAdvanceFanout {
					e.wc.Complete = false
					kHi = kLo + maxAdvanceFanout
				}
				for k := kLo; k <= kHi; k++ {
					if k == b.adv {
						continue
					}
					dk := d
					if !tr.addAdvance(&dk, b, k) {
						continue
					}
					if !push(job{snap: snap, x: tr.point(dk.solution()), picks: prefix, alt: -1, bound: abs + 1}) {
						return nil
					}
				}
				continue
			}
			d := tr.dbms[li]
			// Not (x[a] - x[b] <= c) is x[b] - x[a] <= -c - 1.
			ni, nj, nc := tr.grid1(branch{a: b.b, b: b.a, c: -b.c - 1})
			if !d.add(ni, nj, nc) {
				continue
			}
			if !push(job{snap: snap, x: tr.point(d.solution()), picks: prefix, alt: -1, bound: abs + 1}) {
				return nil
			}
		}
	}
	return nil
}

// resume continues a run from a snapshot with the point and choices of tr.
func (e *explorer) resume(s *snapshot, tr *tracker) *cacheRun {
	w := e.w
	r := &cacheRun{w: w, gen: s.gen, view: &w.versions[s.gen], horizon: fixed(w.sc.Horizon), tr: tr, why: true, seq: s.seq}
	if w.sc.Resolvers.Query == "rate" {
		r.q = w.sc.Resolvers.QueryInterval
	}
	r.c = s.c
	r.c.intervals = nil
	r.c.shift(&s.x, &tr.x)
	tr.dbm, tr.hash, tr.base, tr.period = s.dbm, s.hash, s.pathLen, s.period
	tr.choices = s.npicks
	tr.picks = tr.script[:s.npicks]
	return r
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// score takes the longest Bogus and Lame stretches of a run's cell.
func (e *explorer) score(tr *tracker) {
	for _, s := range tr.stretches {
		m, ok := tr.maxDiff(&tr.dbm, s.to.base, s.from.base)
		if !ok {
			continue
		}
		secs := m + tr.off(s.to) - tr.off(s.from)
		if secs <= 0 {
			continue
		}
		b := &e.best[s.state]
		if b.found && secs <= b.secs {
			continue
		}
		// The witness: a point of the cell where the stretch is longest.
		d := tr.dbm
		i, j, c := tr.grid1(branch{a: s.from.base, b: s.to.base, c: -m})
		if s.from.base != s.to.base && !d.add(i, j, c) {
			continue
		}
		*b = bestStretch{found: true, secs: secs, x: tr.point(d.solution()), period: tr.period, st: s, phase: tr.phase, picks: tr.allPicks()}
	}
}

// merge stops a run that reached a state another path has already
// reached with the same constraints.
func (e *explorer) merge(r *cacheRun) bool {
	tr := r.tr
	// Two 64-bit lanes of a word-wise mix (splitmix64's finaliser): a
	// 128-bit identity for the state.
	var h1, h2 uint64 = 0x9e3779b97f4a7c15, 0xd1b54a32d192ed03
	put := func(v int64) {
		h1 = mix64(h1 ^ uint64(v))
		h2 = mix64(h2 + uint64(v)*0xff51afd7ed558ccd)
	}
	ins := func(i instant) { put(int64(i.base)); put(int64(tr.off(i))) }
	c := &r.c
	put(int64(r.gen))
	for _, en := range c.entries() {
		if en.settled(r.gen) && en.period > 0 {
			// A settled entry is brought up to each event by whole
			// periods (advance), so only its phase matters.
			put(int64(en.expire.base))
			put(floorMod(int64(tr.off(en.expire)), int64(en.period)))
			put(-1)
		} else {
			ins(en.expire)
			put(int64(en.gen))
		}
		put(int64(en.period))
	}
	put(int64(c.nsMask))
	put(int64(c.dsVer))
	put(int64(c.keyKind))
	put(int64(c.keyID.op))
	put(int64(c.keyID.opVer))
	put(int64(c.keyID.dsVer))
	flags := int64(c.state) | int64(c.good)<<8
	if c.nsChild {
		flags |= 1 << 16
	}
	if c.hasGood {
		flags |= 1 << 17
		ins(c.goodUntil)
	}
	put(flags)
	ins(c.since)
	for i := range tr.dbm {
		for j := range tr.dbm[i] {
			put(tr.dbm[i][j])
		}
	}
	var key [16]byte
	binary.LittleEndian.PutUint64(key[:8], h1)
	binary.LittleEndian.PutUint64(key[8:], h2)
	if prev, ok := e.seen[key]; ok {
		return prev != tr.hash
	}
	if len(tr.path) > maxRunBranches {
		// A run this long (a failure retried every second for days) is
		// cut off: the verdict is then not proven.
		e.wc.Complete = false
		return true
	}
	if len(e.seen) < maxSeen {
		e.seen[key] = tr.hash
	}
	return false
}

// Memory bounds of one profile's search: states remembered for merging
// (fewer only means less merging), and decisions in one run.
const (
	maxSeen        = 1_000_000
	maxRunBranches = 100_000
	maxStack       = 100_000
	// maxAdvanceFanout bounds the counts of periods one advance is split
	// into (a short hold-off advanced over days).
	maxAdvanceFanout = 100_000
)

// witness replays the longest stretch of state st as a one-cache run of
// the scenario and checks that it shows the same stretch.
func (e *explorer) witness(p Profile, st State, b *bestStretch) (*Witness, error) {
	sc := e.w.sc
	spec := scenarios.CacheSpec{Profile: p.Name, QueryPhase: b.phase}
	wit := &Witness{Profile: p.Name, State: st, FetchedSeconds: map[string]float64{}, QueryPhaseSeconds: b.phase.Seconds()}
	for k := 0; k < numEntries; k++ {
		f := b.x[1+k] - b.period[k]
		spec.Fetched[k] = f
		wit.FetchedSeconds[entryNames[k]] = f.Seconds()
	}
	for _, op := range b.picks {
		spec.Servers = append(spec.Servers, e.w.ops[op].name)
	}
	wit.Servers = spec.Servers
	wit.Cache = spec.String()
	// Replay it as the scenario's only cache.
	replay := *sc
	replay.Resolvers.Caches = []scenarios.CacheSpec{spec}
	res, err := Run(&replay, Options{Timelines: true, Trace: true, Workers: 1})
	if err != nil {
		return nil, fmt.Errorf("sim: replaying the worst-case witness %s: %w", wit.Cache, err)
	}
	wit.Trace = res.Trace
	var longest Interval
	for _, iv := range res.Timelines[0].Intervals {
		if iv.State == st && iv.To-iv.From > longest.To-longest.From {
			longest = iv
		}
	}
	wit.FromSeconds, wit.ToSeconds = longest.From, longest.To
	if got := time.Duration((longest.To - longest.From) * float64(time.Second)); got != b.secs {
		return nil, fmt.Errorf("sim: the worst-case witness %s replays with a longest %s stretch of %s, not the %s the analysis found",
			wit.Cache, st, duration.Format(got), duration.Format(b.secs))
	}
	wit.Cause = b.st.cause
	return wit, nil
}
