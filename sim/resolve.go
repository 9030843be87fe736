package sim

import (
	"math/bits"
	"time"

	"github.com/dnssecsim/dnssecsim/validator"
)

// This file is the resolver model: how one cache refreshes its entries and
// what answer it gives. With the continuous query model every expired entry
// is fetched again at once; with a query rate, at the first client query
// after it expired.

// refreshTime rounds t up to the cache's client query grid.
func (s *Sim) refreshTime(c *cache, t time.Duration) time.Duration {
	q := s.queryInterval
	if q <= 0 {
		return t
	}
	if t <= c.phase {
		return c.phase
	}
	return c.phase + (t-c.phase+q-1)/q*q
}

// set records a fetch at t of an item that lives for ttl.
func (s *Sim) set(c *cache, e *entry, t, ttl time.Duration, gen int) {
	e.expire = s.refreshTime(c, t+ttl)
	e.period = e.expire - t
	e.fetched = t
	e.gen = gen
}

// pickServer chooses one serving operator among those the cached NS set
// names, with the simulation's seeded RNG (a real resolver's server choice
// is also effectively random). ok is false when none serves the zone.
// spread reports that the set spans several operators, whose answers may
// differ from fetch to fetch.
func (s *Sim) pickServer(c *cache) (op int, ok, spread bool, err error) {
	var serving []int
	for m := c.nsMask; m != 0; m &= m - 1 {
		i := bits.TrailingZeros8(m)
		yes, err := s.world.serves(i)
		if err != nil {
			return 0, false, false, err
		}
		if yes {
			serving = append(serving, i)
		}
	}
	switch len(serving) {
	case 0:
		return 0, false, bits.OnesCount8(c.nsMask) > 1, nil
	case 1:
		return serving[0], true, bits.OnesCount8(c.nsMask) > 1, nil
	}
	return serving[s.rng.IntN(len(serving))], true, true, nil
}

func mask(ops []int) uint8 {
	var m uint8
	for _, o := range ops {
		m |= 1 << o
	}
	return m
}

// fetchNS asks the parent for the delegation.
func (s *Sim) fetchNS(c *cache, t time.Duration) {
	ref := s.world.currentReferral()
	c.nsMask = mask(ref.nsOps)
	c.nsChild = false
	s.set(c, &c.ns, t, c.prof.capTTL(ref.nsTTL), s.world.gen)
}

// fetchDS asks the parent for the DS set (or the proof that there is none).
func (s *Sim) fetchDS(c *cache, t time.Duration) {
	ref := s.world.currentReferral()
	c.dsVer = ref.ver
	ttl := c.prof.capTTL(ref.dsTTL)
	if !ref.hasDS {
		ttl = c.prof.capNegative(ref.dsTTL)
	}
	s.set(c, &c.ds, t, ttl, s.world.gen)
}

// learnChildNS applies the child's apex NS set after a fetch from op, as the
// profile's ns_mode says.
func (s *Sim) learnChildNS(c *cache, op int, t time.Duration) {
	p := c.prof
	if !p.ChildNSFromAnswers || p.NSMode == "parent" {
		return
	}
	o := s.world.ops[op]
	m := mask(o.apexNSes)
	if m == 0 {
		return
	}
	switch p.NSMode {
	case "child_clamped":
		// The child's set replaces the referral's but may not outlive it.
		c.nsMask = m
	case "child":
		ttl := p.capTTL(o.cfg.NSTTL)
		if !c.nsChild {
			c.nsChild = true
			c.nsMask = m
			s.set(c, &c.ns, t, ttl, s.world.gen)
		} else {
			c.nsMask = m
			if exp := s.refreshTime(c, t+ttl); exp < c.ns.expire {
				c.ns.period -= c.ns.expire - exp
				c.ns.expire = exp
			}
		}
	}
	// The NS entry is fetched again from the parent: it is settled only if
	// the parent's delegation names the same servers as the child's set.
	if m != mask(s.world.currentReferral().nsOps) && c.ns.gen != never {
		c.ns.gen = unsettle
	}
}

// lame handles a cache whose servers all refused: resolvers fall back to
// the parent's delegation (Unbound's parent-side NS, BIND's re-fetch after a
// lame delegation), so the NS entry is asked for again at the next retry
// rather than when its TTL runs out (measured-transfers.md: Lame ended
// within a parent NS TTL of the NS switch, not an NS TTL after it).
func (s *Sim) lame(c *cache, t time.Duration) {
	retry := s.refreshTime(c, t+c.prof.LameRetry)
	if retry < c.ns.expire {
		c.ns.period -= c.ns.expire - retry
		c.ns.expire = retry
	}
}

// fetchKey builds the key entry: the DS set decides, and with a DS the
// DNSKEY set is fetched from a server and authenticated against it.
func (s *Sim) fetchKey(c *cache, t time.Duration) error {
	p := c.prof
	w := s.world
	if !p.Validating {
		c.keyKind = keyNone
		s.set(c, &c.key, t, p.capTTL(max(w.sc.Losing.DNSKEYTTL, time.Hour)), w.gen)
		return nil
	}
	ref := w.referrals[c.dsVer]
	gen := w.gen
	switch {
	case ref.check.Status == validator.Bogus:
		c.keyKind, c.keyID = keyBogus, keyID{kind: keyBogus, dsVer: c.dsVer}
		s.set(c, &c.key, t, p.BogusKeyTTL, gen)
		return nil
	case !ref.hasDS:
		// The null key entry is made from the cached proof of no DS and
		// lives as long as that proof is still cached.
		c.keyKind, c.keyID = keyInsecure, keyID{kind: keyInsecure, dsVer: c.dsVer}
		c.key = entry{expire: c.ds.expire, period: c.ds.period, fetched: t, gen: gen}
		return nil
	}
	op, ok, spread, err := s.pickServer(c)
	if err != nil {
		return err
	}
	if spread {
		gen = never
	}
	if !ok {
		c.keyKind, c.keyID = keyLame, keyID{kind: keyLame}
		s.set(c, &c.key, t, p.LameRetry, gen)
		s.lame(c, t)
		return nil
	}
	d, err := w.keyEntry(op, c.dsVer)
	if err != nil {
		return err
	}
	s.learnChildNS(c, op, t)
	c.keyData = d
	switch d.check.Status {
	case validator.Secure:
		c.keyKind = keySecure
		c.keyID = keyID{kind: keySecure, op: op, opVer: w.ops[op].ver, dsVer: c.dsVer}
		s.set(c, &c.key, t, p.capTTL(d.ttl), gen)
	case validator.Insecure: // only unsupported algorithms or digests in the DS set
		c.keyKind, c.keyID = keyInsecure, keyID{kind: keyInsecure, dsVer: c.dsVer}
		s.set(c, &c.key, t, p.capTTL(ref.dsTTL), gen)
	default:
		c.keyKind, c.keyID = keyBogus, keyID{kind: keyBogus, op: op, opVer: w.ops[op].ver, dsVer: c.dsVer}
		s.set(c, &c.key, t, p.BogusKeyTTL, gen)
	}
	return nil
}

// fetchAnswer resolves the probe with the cache's entries and returns the
// state of the answer and how long it is cached.
func (s *Sim) fetchAnswer(c *cache, t time.Duration) (State, error) {
	p := c.prof
	w := s.world
	op, ok, spread, err := s.pickServer(c)
	if err != nil {
		return 0, err
	}
	gen := w.gen
	if spread {
		gen = never
	}
	if !ok {
		s.set(c, &c.ans, t, p.LameRetry, gen)
		s.lame(c, t)
		return Lame, nil
	}
	s.learnChildNS(c, op, t)
	data := w.ops[op].cfg.DataTTL
	if !p.Validating {
		s.set(c, &c.ans, t, p.capTTL(data), gen)
		return Indeterminate, nil
	}
	if p.KeyCache == "ds_rechecked" {
		// The DS is read on every validation: once it is gone (or proven
		// absent), answers are Insecure whatever key is still cached.
		ref := w.referrals[c.dsVer]
		if ref.check.Status == validator.Bogus {
			s.set(c, &c.ans, t, p.BogusTTL, gen)
			return Bogus, nil
		}
		if !ref.hasDS {
			s.set(c, &c.ans, t, p.capTTL(data), gen)
			return Insecure, nil
		}
		if c.keyKind == keySecure && c.keyID.dsVer != c.dsVer {
			// A new DS set: the keys must be proven against it again.
			if err := s.fetchKey(c, t); err != nil {
				return 0, err
			}
		}
	}
	switch c.keyKind {
	case keyInsecure:
		s.set(c, &c.ans, t, p.capTTL(data), gen)
		return Insecure, nil
	case keyBogus:
		s.set(c, &c.ans, t, p.BogusTTL, gen)
		return Bogus, nil
	case keyLame:
		s.set(c, &c.ans, t, p.LameRetry, gen)
		return Lame, nil
	}
	a := w.answerFrom(op, c.keyID, c.keyData.keys)
	if a.check.Status == validator.Secure {
		s.set(c, &c.ans, t, p.capTTL(a.ttl), gen)
		return Secure, nil
	}
	unknownKey := a.check.EDE != nil && (*a.check.EDE == validator.EDEDNSKEYMissing || *a.check.EDE == validator.EDERRSIGsMissing)
	if unknownKey && p.UnknownKey == "reprove" {
		// BIND: a signature from a key outside the cached set (or none at
		// all) sends the validator back up the chain: the DS is fetched
		// again and the keys re-proven from the server that answered.
		s.fetchDS(c, t)
		if err := s.fetchKey(c, t); err != nil {
			return 0, err
		}
		gen = w.gen
		if spread {
			gen = never
		}
		switch c.keyKind {
		case keyInsecure:
			s.set(c, &c.ans, t, p.capTTL(data), gen)
			return Insecure, nil
		case keySecure:
			a = w.answerFrom(op, c.keyID, c.keyData.keys)
			if a.check.Status == validator.Secure {
				s.set(c, &c.ans, t, p.capTTL(a.ttl), gen)
				return Secure, nil
			}
		case keyLame:
			s.set(c, &c.ans, t, p.LameRetry, gen)
			return Lame, nil
		}
	}
	if unknownKey {
		// Unbound: the answer's signatures come from keys outside the
		// cached set, so the key entry is replaced by a bad one for
		// BOGUS_KEY_TTL; the chain is built again from the DS after it
		// (measured: Bogus about 61 s, then Insecure).
		// The bad entry comes from the old keys, not from the world as it
		// is: fetching again after it expires gives something else.
		c.keyKind, c.keyID = keyBogus, keyID{kind: keyBogus, op: op, opVer: w.ops[op].ver, dsVer: c.dsVer}
		s.set(c, &c.key, t, p.BogusKeyTTL, unsettle)
	}
	s.set(c, &c.ans, t, p.BogusTTL, gen)
	return Bogus, nil
}

// refresh fetches again, at t, every entry of c that has expired, in the
// order a resolver needs them, and records the new state. When an entry's
// content changes, the entries built from it before t are marked unsettled,
// so that they are fetched again when they expire.
func (s *Sim) refresh(c *cache, t time.Duration) error {
	nsMask, dsKey, kk, kid := c.nsMask, s.world.referrals[c.dsVer].dsKey, c.keyKind, c.keyID
	if c.ns.expire <= t {
		s.fetchNS(c, t)
	}
	if c.ds.expire <= t {
		s.fetchDS(c, t)
	}
	if c.key.expire <= t {
		if err := s.fetchKey(c, t); err != nil {
			return err
		}
	}
	if c.ans.expire <= t {
		st, err := s.fetchAnswer(c, t)
		if err != nil {
			return err
		}
		st = s.serveStale(c, st, t)
		s.setState(c, st, t)
	}
	if c.nsMask != nsMask || s.world.referrals[c.dsVer].dsKey != dsKey {
		c.key.unsettle(t)
		c.ans.unsettle(t)
	}
	if c.keyKind != kk || c.keyID != kid {
		c.ans.unsettle(t)
	}
	return nil
}

// serveStale applies RFC 8767: a resolver that serves stale data answers
// with its last good answer (keeping its status, never a Bogus one) when a
// fresh resolution fails or comes out Bogus, for up to the stale window
// past that answer's expiry, retrying every stale reply TTL.
func (s *Sim) serveStale(c *cache, st State, t time.Duration) State {
	p := c.prof
	if st == Secure || st == Insecure || st == Indeterminate {
		c.good, c.goodUntil = st, c.ans.expire
		return st
	}
	if !p.ServeStale || c.goodUntil == 0 || t > c.goodUntil+p.StaleWindow {
		return st
	}
	retry := max(p.StaleReplyTTL, time.Second)
	if exp := s.refreshTime(c, t+retry); exp < c.ans.expire {
		c.ans.expire, c.ans.period = exp, exp-t
	}
	return c.good
}
