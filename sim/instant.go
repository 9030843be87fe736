package sim

import (
	"math"
	"time"
)

// An instant is a simulated time together with the phase it was derived
// from. Every time a cache computes is either fixed (a step of the
// procedure, the horizon, the start) or the initial expiry of one of its
// four entries plus a constant: fetch times are expiries, expiries are fetch
// times plus TTLs, hold-offs or retries. Carrying that origin costs a byte
// and lets the worst-case analysis turn every comparison the resolver model
// makes into a linear constraint on the cache's phases (see worst.go).
type instant struct {
	at   time.Duration
	base uint8 // baseFixed, or 1+entry index for the entry's initial expiry
}

// baseFixed marks an instant that does not depend on the cache's phases.
const baseFixed = 0

// numBases counts the fixed base and the four entries' initial expiries.
const numBases = 5

func fixed(t time.Duration) instant { return instant{at: t} }

// add returns the instant d later, derived from the same phase.
func (i instant) add(d time.Duration) instant { return instant{at: i.at + d, base: i.base} }

// tracker records, for the worst-case analysis, every comparison of
// instants and every choice of server one cache's run makes: the path
// condition of that run. Nil in ordinary runs.
type tracker struct {
	// x holds each base's value in this run: x[baseFixed] is 0. The
	// phases are the variables k of a dbm: x[i] = phase + grid*k[i], grid
	// being the query interval (1 s for continuous queries: resolvers count
	// in whole seconds) and phase the cache's query phase.
	x      [numBases]time.Duration
	grid   time.Duration
	phase  time.Duration
	period [numEntries]time.Duration // each entry's lifetime at the start
	// dbm is the path condition so far; dbms[i] is the one before
	// path[i]; hash identifies the path so far.
	dbm  dbm
	dbms []dbm
	hash uint64
	// base is the position of path[0] in the whole path: a run resumed
	// from a snapshot records only what follows it. picks are the choices
	// made before base.
	base  int
	picks []int
	// snaps are the run's states at the top of each step, to resume from.
	snaps []snapshot
	// path is the sequence of branches taken.
	path []branch
	// script gives the operator to pick at each choice point, then alt
	// (when not -1) at the next one; past them the first serving operator
	// is picked.
	script  []int
	alt     int
	choices int
	stopped bool // the run reached a state another path explores
	// stretches are the Bogus and Lame stretches the run closed.
	stretches []stretch
}

// branch is one decision of a run: a constraint x[a] - x[b] <= c that held,
// or (mask != 0) the choice of operator pick among the serving operators in
// mask. Assumptions (the phases' domain) are never flipped.
type branch struct {
	a, b   uint8
	c      time.Duration
	mask   uint8
	pick   uint8
	assume bool
	// adv > 0 marks the count of periods an entry was advanced by: with
	// per the period, (adv-1)*per < x[a] - x[b] + c <= adv*per.
	adv int64
	per time.Duration
}

// stretch is one closed stretch of a failure state.
type stretch struct {
	state    State
	from, to instant
	cause    string
}

// snapshot is a run's state at the top of one step of its loop.
type snapshot struct {
	c       cache
	gen     int
	seq     int64
	pathLen int // absolute
	dbm     dbm
	hash    uint64
	npicks  int // choices made before it
	x       [numBases]time.Duration
	period  [numEntries]time.Duration
}

// shift moves every instant of c computed with the phases old onto the
// phases new: each keeps its offset from its base.
func (c *cache) shift(old, new *[numBases]time.Duration) {
	mv := func(i *instant) { i.at += new[i.base] - old[i.base] }
	for _, e := range c.entries() {
		mv(&e.expire)
		mv(&e.fetched)
	}
	mv(&c.keyDSAt)
	mv(&c.goodUntil)
	mv(&c.since)
}

// allPicks returns every choice of the run so far.
func (tr *tracker) allPicks() []int {
	out := append([]int{}, tr.picks...)
	for _, b := range tr.path {
		if b.mask != 0 {
			out = append(out, int(b.pick))
		}
	}
	return out
}

// off is i's offset from its base in this run.
func (tr *tracker) off(i instant) time.Duration { return i.at - tr.x[i.base] }

// le compares p <= q, recording the outcome as a constraint.
func (tr *tracker) le(p, q instant) bool {
	ok := p.at <= q.at
	if tr == nil || tr.stopped || (p.base == baseFixed && q.base == baseFixed) || p.base == q.base {
		return ok
	}
	// p <= q  <=>  x[p] - x[q] <= off(q) - off(p)
	// p > q   <=>  x[q] - x[p] <= off(p) - off(q) - 1
	if ok {
		tr.record(branch{a: p.base, b: q.base, c: tr.off(q) - tr.off(p)})
	} else {
		tr.record(branch{a: q.base, b: p.base, c: tr.off(p) - tr.off(q) - 1})
	}
	return ok
}

// lt compares p < q, recording the outcome.
func (tr *tracker) lt(p, q instant) bool { return !tr.le(q, p) }

func (tr *tracker) record(b branch) {
	tr.dbms = append(tr.dbms, tr.dbm)
	tr.path = append(tr.path, b)
	switch {
	case b.adv > 0:
		tr.addAdvance(&tr.dbm, b, b.adv) // holds: the run's own point satisfies it
	case b.mask == 0:
		i, j, c := tr.grid1(b)
		tr.dbm.add(i, j, c) // holds: the run's own point satisfies it
	}
	tr.hash = (tr.hash ^ uint64(b.a) ^ uint64(b.b)<<8 ^ uint64(b.mask)<<16 ^ uint64(b.pick)<<24 ^ uint64(b.c)<<32 ^ uint64(b.c)>>32) * 0x100000001b3
	tr.hash = (tr.hash ^ uint64(b.adv)) * 0x100000001b3
}

// addAdvance adds to d that an entry advances by k periods in branch b:
// (k-1)*per < x[a] - x[b] + c <= k*per. It reports false when d does not
// allow it.
func (tr *tracker) addAdvance(d *dbm, b branch, k int64) bool {
	hiC := time.Duration(k)*b.per - b.c       // x[a] - x[b] <= k*per - c
	loC := b.c - time.Duration(k-1)*b.per - 1 // x[b] - x[a] <= c - (k-1)*per - 1
	i, j, c := tr.grid1(branch{a: b.a, b: b.b, c: hiC})
	if !d.add(i, j, c) {
		return false
	}
	i, j, c = tr.grid1(branch{a: b.b, b: b.a, c: loC})
	return d.add(i, j, c)
}

// advance records that an entry expiring at e, advanced by whole periods
// per to the first expiry at or after t, moved by k periods.
func (tr *tracker) advance(t, e instant, per time.Duration, k int64) {
	if tr == nil || tr.stopped {
		return
	}
	// t - e = x[t] - x[e] + off(t) - off(e).
	tr.record(branch{a: t.base, b: e.base, c: tr.off(t) - tr.off(e), adv: k, per: per})
}

// grid1 turns the constraint x[a] - x[b] <= c of b into k[i] - k[j] <= c'
// on the grid variables, exactly (floor division).
func (tr *tracker) grid1(b branch) (i, j int, c int64) {
	cc := b.c
	switch {
	case b.a != baseFixed && b.b == baseFixed:
		cc -= tr.phase
	case b.a == baseFixed && b.b != baseFixed:
		cc += tr.phase
	}
	return int(b.a), int(b.b), floorDiv(int64(cc), int64(tr.grid))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// maxDiff is the largest value x[a] - x[b] takes in d, or ok false when it
// is unbounded.
func (tr *tracker) maxDiff(d *dbm, a, b uint8) (time.Duration, bool) {
	v := d[a][b]
	if v >= unbounded {
		return 0, false
	}
	out := time.Duration(v) * tr.grid
	if a != baseFixed {
		out += tr.phase
	}
	if b != baseFixed {
		out -= tr.phase
	}
	return out, true
}

// point converts a dbm solution back to the phases' values.
func (tr *tracker) point(k [numBases]int64) [numBases]time.Duration {
	var x [numBases]time.Duration
	for i := 1; i < numBases; i++ {
		if k[i] >= unbounded/2 {
			x[i] = time.Duration(math.MaxInt64 / 4) // unconstrained: initial clamps it
			continue
		}
		x[i] = tr.phase + time.Duration(k[i])*tr.grid
	}
	return x
}

// initial is entry k's initial expiry in this run: the tracker's value
// clamped to what the entry's lifetime allows (a grid point in (0, period]),
// recorded as an assumption.
func (tr *tracker) initial(k int, period, q, phase time.Duration) time.Duration {
	tr.period[k] = period
	lo := floorDiv(int64(-phase), int64(tr.grid)) + 1 // smallest k with phase + grid*k > 0
	hi := floorDiv(int64(period-phase), int64(tr.grid))
	kv := floorDiv(int64(tr.x[1+k]-phase), int64(tr.grid))
	kv = min(max(kv, lo), hi)
	x := phase + time.Duration(kv)*tr.grid
	tr.x[1+k] = x
	tr.dbms = append(tr.dbms, tr.dbm)
	tr.path = append(tr.path, branch{a: uint8(1 + k), b: baseFixed, c: period, assume: true})
	tr.dbm.add(1+k, 0, hi)
	tr.dbms = append(tr.dbms, tr.dbm)
	tr.path = append(tr.path, branch{a: baseFixed, b: uint8(1 + k), c: -period, assume: true})
	tr.dbm.add(0, 1+k, -lo)
	return x
}

// choose picks one of the serving operators (at least two) and records the
// choice.
func (tr *tracker) choose(serving []int) int {
	mask := uint8(0)
	for _, op := range serving {
		mask |= 1 << op
	}
	want := -1
	switch {
	case tr.choices < len(tr.script):
		want = tr.script[tr.choices]
	case tr.choices == len(tr.script):
		want = tr.alt
	}
	pick := pickServing(want, serving)
	tr.choices++
	if !tr.stopped {
		tr.record(branch{mask: mask, pick: uint8(pick)})
	}
	return pick
}

// pickServing picks operator want when it serves, else the first serving
// one: how a scripted cache (a witness, a given cache) chooses.
func pickServing(want int, serving []int) int {
	for _, op := range serving {
		if op == want {
			return op
		}
	}
	return serving[0]
}
