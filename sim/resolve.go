package sim

import (
	"fmt"
	"math/bits"
	"strings"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/duration"
	"github.com/dnssecsim/dnssecsim/validator"
)

// This file is the resolver model: how one cache refreshes its entries and
// what answer it gives. With the continuous query model every expired entry
// is fetched again at once; with a query rate, at the first client query
// after it expired. Every comparison of two instants goes through the run's
// tracker, so that the worst-case analysis sees the whole path condition.

// refreshTime rounds t up to the cache's client query grid. With a query
// rate every instant a cache computes from its phases lies on its grid plus
// a constant, so the rounding adds a constant and keeps t's base.
func (r *cacheRun) refreshTime(t instant) instant {
	q := r.q
	if q <= 0 {
		return t
	}
	p := r.c.phase
	if t.at <= p {
		return instant{at: p, base: t.base}
	}
	return instant{at: p + (t.at-p+q-1)/q*q, base: t.base}
}

// set records a fetch at t of an item that lives for ttl.
func (r *cacheRun) set(e *entry, t instant, ttl time.Duration, gen int) {
	e.expire = r.refreshTime(t.add(ttl))
	e.period = e.expire.at - t.at
	e.fetched = t
	e.seq = r.seq
	e.gen = gen
}

// snap returns the version of op's zone that resolvers get now.
func (r *cacheRun) snap(op int) *opSnap { return r.w.ops[op].snaps[r.view.opVer[op]] }

// referral returns what the parent says now.
func (r *cacheRun) referral() *referral { return r.w.referrals[r.view.parentVer] }

// pickServer chooses one serving operator among those the cached NS set
// names: with the cache's own seeded RNG (a real resolver's server choice
// is effectively random), from a given cache's list, or as the worst-case
// analysis directs. ok is false when none serves the zone. spread reports
// that the set spans several operators, whose answers may differ from
// fetch to fetch.
//
// Operators that would give equivalent data for this fetch (the same
// verdicts and TTLs, the same apex NS set) are not a choice: the first is
// asked and the fetch counts as settled, since asking any of them again
// gives the same result.
func (r *cacheRun) pickServer(forKey bool) (op int, ok, spread bool) {
	c := &r.c
	var buf [8]int
	serving := buf[:0]
	for m := c.nsMask; m != 0; m &= m - 1 {
		i := bits.TrailingZeros8(m)
		if r.snap(i).zone != nil {
			serving = append(serving, i)
		}
	}
	spread = bits.OnesCount8(c.nsMask) > 1
	switch len(serving) {
	case 0:
		return 0, false, spread
	case 1:
		return serving[0], true, spread
	}
	if r.equivalent(serving, forKey) {
		return serving[0], true, false
	}
	return r.choose(serving), true, true
}

// equivalent reports whether every operator in serving would answer this
// fetch alike.
func (r *cacheRun) equivalent(serving []int, forKey bool) bool {
	c := &r.c
	type sig struct {
		apex       uint8
		nsTTL      time.Duration
		dataTTL    time.Duration
		answer     answerData
		keys, ansK string
	}
	var first sig
	for i, op := range serving {
		o := r.w.ops[op]
		ver := r.view.opVer[op]
		s := sig{apex: mask(r.snap(op).apexNSes), nsTTL: o.cfg.NSTTL}
		if forKey {
			s.keys = r.w.keyClass(op, ver, c.dsVer)
		} else {
			s.dataTTL = o.cfg.DataTTL
			if c.prof.Validating {
				if c.keyKind == keySecure {
					a := r.w.answerFrom(op, ver, c.keyID, c.keyData.keys)
					s.answer.ttl = a.ttl
					s.ansK = verdictText(a.check, 0)
				}
				s.keys = r.w.keyClass(op, ver, c.dsVer)
			}
		}
		if i == 0 {
			first = s
		} else if s.apex != first.apex || s.nsTTL != first.nsTTL || s.dataTTL != first.dataTTL ||
			s.answer.ttl != first.answer.ttl || s.ansK != first.ansK || s.keys != first.keys {
			return false
		}
	}
	return true
}

// choose picks among several serving operators.
func (r *cacheRun) choose(serving []int) int {
	switch {
	case r.tr != nil:
		return r.tr.choose(serving)
	case r.script != nil:
		want := -1
		if r.choice < len(r.script) {
			want = r.script[r.choice]
		}
		r.choice++
		return pickServing(want, serving)
	}
	return serving[r.rng.IntN(len(serving))]
}

func mask(ops []int) uint8 {
	var m uint8
	for _, o := range ops {
		m |= 1 << o
	}
	return m
}

// fetchNS asks the parent for the delegation.
func (r *cacheRun) fetchNS(t instant) {
	c := &r.c
	ref := r.referral()
	c.nsMask = mask(ref.nsOps)
	c.nsChild = false
	r.set(&c.ns, t, c.prof.capTTL(ref.nsTTL), r.gen)
}

// fetchDS asks the parent for the DS set (or the proof that there is none).
func (r *cacheRun) fetchDS(t instant) {
	c := &r.c
	ref := r.referral()
	c.dsVer = ref.ver
	ttl := c.prof.capTTL(ref.dsTTL)
	if !ref.hasDS {
		ttl = c.prof.capNegative(ref.dsTTL)
	}
	r.set(&c.ds, t, ttl, r.gen)
}

// learnChildNS applies the child's apex NS set after a fetch from op, as the
// profile's ns_mode says.
func (r *cacheRun) learnChildNS(op int, t instant) {
	c := &r.c
	p := c.prof
	if !p.ChildNSFromAnswers || p.NSMode == "parent" {
		return
	}
	m := mask(r.snap(op).apexNSes)
	if m == 0 {
		return
	}
	switch p.NSMode {
	case "child_clamped":
		// The child's set replaces the referral's but may not outlive it.
		c.nsMask = m
	case "child":
		ttl := p.capTTL(r.w.ops[op].cfg.NSTTL)
		if !c.nsChild {
			c.nsChild = true
			c.nsMask = m
			r.set(&c.ns, t, ttl, r.gen)
		} else {
			// Refreshes may shorten the entry, never extend it.
			c.nsMask = m
			r.current(&c.ns, t)
			if exp := r.refreshTime(t.add(ttl)); r.tr.lt(exp, c.ns.expire) {
				c.ns.expire = exp
			}
		}
	}
	// The NS entry is fetched again from the parent: it is settled only if
	// the parent's delegation names the same servers as the child's set.
	if m != mask(r.referral().nsOps) && c.ns.gen != never {
		r.current(&c.ns, t)
		c.ns.gen = unsettle
	}
}

// lame handles a cache whose servers all refused: resolvers fall back to
// the parent's delegation (Unbound's parent-side NS, BIND's re-fetch after a
// lame delegation), so the NS entry is asked for again every retry rather
// than when its TTL runs out (measured-transfers: Lame ended within a
// parent NS TTL of the NS switch, not an NS TTL after it).
func (r *cacheRun) lame(t instant) {
	c := &r.c
	retry := r.refreshTime(t.add(c.prof.LameRetry))
	r.current(&c.ns, t)
	if r.tr.lt(retry, c.ns.expire) {
		c.ns.expire = retry
		c.ns.period = retry.at - t.at
	}
}

// fetchKey builds the key entry: the DS set decides, and with a DS the
// DNSKEY set is fetched from a server and authenticated against it.
func (r *cacheRun) fetchKey(t instant) {
	c := &r.c
	p := c.prof
	w := r.w
	c.keyDSAt = c.ds.fetched
	if !p.Validating {
		c.keyKind = keyNone
		r.set(&c.key, t, p.capTTL(max(w.sc.Losing.DNSKEYTTL, time.Hour)), r.gen)
		return
	}
	ref := w.referrals[c.dsVer]
	gen := r.gen
	switch {
	case ref.check.Status == validator.Bogus:
		c.keyKind, c.keyID = keyBogus, keyID{kind: keyBogus, dsVer: c.dsVer}
		c.keyWhy = "the DS set of parent version " + fmt.Sprint(c.dsVer) + " does not validate: " + string(ref.check.Reason)
		r.set(&c.key, t, p.BogusKeyTTL, gen)
		return
	case !ref.hasDS:
		// The null key entry is made from the cached proof of no DS and
		// lives as long as that proof is still cached.
		c.keyKind, c.keyID = keyInsecure, keyID{kind: keyInsecure, dsVer: c.dsVer}
		r.current(&c.ds, t)
		c.key = entry{expire: c.ds.expire, period: c.ds.period, fetched: t, seq: r.seq, gen: gen}
		return
	}
	op, ok, spread := r.pickServer(true)
	if spread {
		gen = never
	}
	if !ok {
		c.keyKind, c.keyID = keyLame, keyID{kind: keyLame}
		r.set(&c.key, t, p.LameRetry, gen)
		r.lame(t)
		return
	}
	d := w.keyEntry(op, r.view.opVer[op], c.dsVer)
	r.learnChildNS(op, t)
	c.keyData = d
	opVer := r.view.opVer[op]
	switch d.check.Status {
	case validator.Secure:
		c.keyKind = keySecure
		c.keyID = keyID{kind: keySecure, op: op, opVer: opVer, dsVer: c.dsVer}
		r.set(&c.key, t, p.capTTL(d.ttl), gen)
	case validator.Insecure: // only unsupported algorithms or digests in the DS set
		c.keyKind, c.keyID = keyInsecure, keyID{kind: keyInsecure, dsVer: c.dsVer}
		r.set(&c.key, t, p.capTTL(ref.dsTTL), gen)
	default:
		c.keyKind, c.keyID = keyBogus, keyID{kind: keyBogus, op: op, opVer: opVer, dsVer: c.dsVer}
		if r.why {
			c.keyWhy = fmt.Sprintf("the %s DNSKEY set (zone version %d) does not match the cached DS set (parent version %d, fetched at %s): %s",
				w.ops[op].name, opVer, c.dsVer, r.at(c.ds.fetched), d.check.Reason)
		}
		r.set(&c.key, t, p.BogusKeyTTL, gen)
	}
}

// at formats an instant for causes: "+1d 23h 59m 59s" or "-2h".
func (r *cacheRun) at(i instant) string {
	if i.at < 0 {
		return "-" + duration.Span(-i.at)
	}
	return "+" + duration.Span(i.at)
}

// lastFetch is when a settled entry was last fetched again (with the same
// data) before now: its expiry is brought up to date only where it is
// read. For causes only: it enters no path condition.
func (r *cacheRun) lastFetch(e *entry) instant {
	f := e.fetched
	if e.settled(r.gen) && e.period > 0 && r.now.at > f.at {
		f.at += (r.now.at - f.at - 1) / e.period * e.period
	}
	return f
}

// keyText describes the cached key entry, for causes.
func (r *cacheRun) keyText() string {
	c := &r.c
	switch c.keyKind {
	case keySecure:
		return fmt.Sprintf("the %s DNSKEY set (zone version %d) validated at %s with the DS set of parent version %d fetched at %s",
			r.w.ops[c.keyID.op].name, c.keyID.opVer, r.at(r.lastFetch(&c.key)), c.keyID.dsVer, r.at(c.keyDSAt))
	case keyInsecure:
		return fmt.Sprintf("a proof of no DS (parent version %d) fetched at %s", c.keyID.dsVer, r.at(c.keyDSAt))
	case keyBogus:
		return "a failed key entry (" + c.keyWhy + ")"
	}
	return "no key entry"
}

// fetchAnswer resolves the probe with the cache's entries and returns the
// state of the answer; it caches the answer for as long as it lives.
func (r *cacheRun) fetchAnswer(t instant) State {
	c := &r.c
	p := c.prof
	w := r.w
	op, ok, spread := r.pickServer(false)
	gen := r.gen
	if spread {
		gen = never
	}
	if !ok {
		r.set(&c.ans, t, p.LameRetry, gen)
		r.lame(t)
		if r.why {
			c.cause = "no server of the cached NS set (" + r.opNames(c.nsMask) + ", fetched at " + r.at(c.ns.fetched) + ") serves the zone"
		}
		return Lame
	}
	c.ansOp = op
	r.learnChildNS(op, t)
	data := w.ops[op].cfg.DataTTL
	if !p.Validating {
		r.set(&c.ans, t, p.capTTL(data), gen)
		return Indeterminate
	}
	if p.KeyCache == "ds_rechecked" {
		// The DS is read on every validation: once it is gone (or proven
		// absent), answers are Insecure whatever key is still cached.
		ref := w.referrals[c.dsVer]
		if ref.check.Status == validator.Bogus {
			r.set(&c.ans, t, p.BogusTTL, gen)
			if r.why {
				c.cause = fmt.Sprintf("the cached DS set (parent version %d, fetched at %s) does not validate: %s", c.dsVer, r.at(c.ds.fetched), ref.check.Reason)
			}
			return Bogus
		}
		if !ref.hasDS {
			r.set(&c.ans, t, p.capTTL(data), gen)
			return Insecure
		}
		if c.keyKind == keySecure && c.keyID.dsVer != c.dsVer {
			// A new DS set: the keys must be proven against it again.
			r.fetchKey(t)
		}
	}
	switch c.keyKind {
	case keyInsecure:
		r.set(&c.ans, t, p.capTTL(data), gen)
		return Insecure
	case keyBogus:
		r.set(&c.ans, t, p.BogusTTL, gen)
		if r.why {
			c.cause = "the key entry is " + r.keyText()
		}
		return Bogus
	case keyLame:
		r.set(&c.ans, t, p.LameRetry, gen)
		if r.why {
			c.cause = "no server of the cached NS set (" + r.opNames(c.nsMask) + ") gave a DNSKEY set"
		}
		return Lame
	}
	opVer := r.view.opVer[op]
	a := w.answerFrom(op, opVer, c.keyID, c.keyData.keys)
	if a.check.Status == validator.Secure {
		r.set(&c.ans, t, p.capTTL(a.ttl), gen)
		return Secure
	}
	unknownKey := a.check.EDE != nil && (*a.check.EDE == validator.EDEDNSKEYMissing || *a.check.EDE == validator.EDERRSIGsMissing)
	if r.why {
		c.cause = fmt.Sprintf("the answer from the %s operator (zone version %d) does not validate with the cached key entry, %s: %s",
			w.ops[op].name, opVer, r.keyText(), a.check.Reason)
	}
	if unknownKey && p.UnknownKey == "reprove" {
		// BIND: a signature from a key outside the cached set (or none at
		// all) sends the validator back up the chain: the DS is fetched
		// again and the keys re-proven from the server that answered.
		r.fetchDS(t)
		r.fetchKey(t)
		gen = r.gen
		if spread {
			gen = never
		}
		switch c.keyKind {
		case keyInsecure:
			r.set(&c.ans, t, p.capTTL(data), gen)
			return Insecure
		case keySecure:
			a = w.answerFrom(op, r.view.opVer[op], c.keyID, c.keyData.keys)
			if a.check.Status == validator.Secure {
				r.set(&c.ans, t, p.capTTL(a.ttl), gen)
				return Secure
			}
		case keyLame:
			r.set(&c.ans, t, p.LameRetry, gen)
			return Lame
		}
		if r.why && c.keyKind == keyBogus {
			c.cause += "; re-proving the chain failed too: " + c.keyWhy
		}
	}
	if unknownKey {
		// Unbound: the answer's signatures come from keys outside the
		// cached set, so the key entry is replaced by a bad one for
		// BOGUS_KEY_TTL; the chain is built again from the DS after it
		// (measured: Bogus about 61 s, then Insecure).
		// The bad entry comes from the old keys, not from the world as it
		// is: fetching again after it expires gives something else.
		c.keyKind, c.keyID = keyBogus, keyID{kind: keyBogus, op: op, opVer: r.view.opVer[op], dsVer: c.dsVer}
		c.keyWhy = "held after signatures from an unknown key"
		r.set(&c.key, t, p.BogusKeyTTL, unsettle)
	}
	r.set(&c.ans, t, p.BogusTTL, gen)
	return Bogus
}

// opNames lists the operators in mask.
func (r *cacheRun) opNames(m uint8) string {
	var names []string
	for ; m != 0; m &= m - 1 {
		names = append(names, r.w.ops[bits.TrailingZeros8(m)].name)
	}
	return strings.Join(names, " and ")
}

// refresh fetches again, at t, every entry of c that has expired, in the
// order a resolver needs them, and records the new state. When an entry's
// content changes, the entries built from it before t are marked unsettled,
// so that they are fetched again when they expire.
func (r *cacheRun) refresh(t instant) {
	c := &r.c
	r.seq++
	r.now = t
	nsMask, dsKey, kk, kid := c.nsMask, r.w.referrals[c.dsVer].dsKey, c.keyKind, c.keyID
	// A settled entry is not fetched again: that would return what it
	// holds. Its expiry is brought up to date only where it is read
	// (current), so that its phase enters the path condition only there.
	if r.due(&c.ns, t) {
		r.fetchNS(t)
	}
	if r.due(&c.ds, t) {
		r.fetchDS(t)
	}
	if r.due(&c.key, t) {
		r.fetchKey(t)
	}
	if r.due(&c.ans, t) {
		st := r.fetchAnswer(t)
		st = r.serveStale(st, t)
		r.setState(st, t)
	}
	if c.nsMask != nsMask || r.w.referrals[c.dsVer].dsKey != dsKey {
		r.unsettle(&c.key, t)
		r.unsettle(&c.ans, t)
	}
	if c.keyKind != kk || c.keyID != kid {
		r.unsettle(&c.ans, t)
	}
}

// due reports whether e, not settled, has expired by t.
func (r *cacheRun) due(e *entry, t instant) bool {
	return !e.settled(r.gen) && r.tr.le(e.expire, t)
}

// current brings a settled entry's expiry up to t: each fetch before it
// returned the same data.
func (r *cacheRun) current(e *entry, t instant) {
	if e.settled(r.gen) {
		r.advance(e, t)
	}
}

// unsettle marks e, unless this refresh fetched it (from the new inputs), as
// built from inputs that have changed since.
func (r *cacheRun) unsettle(e *entry, t instant) {
	if e.seq != r.seq && e.gen != never {
		r.current(e, t)
		e.gen = unsettle
	}
}

// serveStale applies RFC 8767: a resolver that serves stale data answers
// with its last good answer (keeping its status, never a Bogus one) when a
// fresh resolution fails or comes out Bogus, for up to the stale window
// past that answer's expiry, retrying every stale reply TTL.
func (r *cacheRun) serveStale(st State, t instant) State {
	c := &r.c
	p := c.prof
	if st == Secure || st == Insecure || st == Indeterminate {
		c.good, c.goodUntil, c.hasGood = st, c.ans.expire, true
		return st
	}
	if !p.ServeStale || !c.hasGood || r.tr.lt(c.goodUntil.add(p.StaleWindow), t) {
		return st
	}
	retry := max(p.StaleReplyTTL, time.Second)
	if exp := r.refreshTime(t.add(retry)); r.tr.lt(exp, c.ans.expire) {
		c.ans.expire, c.ans.period = exp, exp.at-t.at
	}
	return c.good
}
