package audit

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/validator"
)

// sigStatus is the outcome of checking one RRSIG.
type sigStatus uint8

const (
	sigUnchecked sigStatus = iota
	sigValid               // verified with key
	sigFailed              // every candidate key failed; result says why
	sigNoKey               // no DNSKEY with the RRSIG's key tag and algorithm
	sigBadSigner           // signer name is not the zone apex
)

// sigCheck is one RRSIG and, once a worker has checked it, the outcome.
type sigCheck struct {
	sig    *dns.RRSIG
	status sigStatus
	result validator.SigResult // for sigFailed: the most telling failure
	key    *dns.DNSKEY         // for sigValid: the key that verified it
}

// rrset is the records of one type at one owner name and the RRSIGs that
// cover that type.
type rrset struct {
	typ  uint16
	rrs  []dns.RR
	sigs []sigCheck
}

// node is the records of one owner name.
type node struct {
	name string   // owner name as first seen
	key  string   // canonical key (see nameKey)
	ok   bool     // name is well formed
	seq  int      // input order of the run
	recs []dns.RR // records in input order

	sets    []rrset    // non-RRSIG RRsets by increasing type
	orphans []sigCheck // RRSIGs covering a type absent here
	nsig    int        // RRSIGs in sets

	// Set by the auditor.
	apex, cut, occluded, outside, nsec3Only bool
}

// set returns the RRset of type t, or nil.
func (n *node) set(t uint16) *rrset {
	for i := range n.sets {
		if n.sets[i].typ == t {
			return &n.sets[i]
		}
	}
	return nil
}

// prepare computes the key and groups the records into RRsets.
func (n *node) prepare() {
	n.key, n.ok = nameKey(n.name)
	nsigs := 0
	for _, rr := range n.recs {
		t := rr.Header().Rrtype
		if t == dns.TypeRRSIG {
			nsigs++
			continue
		}
		if s := n.set(t); s != nil {
			s.rrs = append(s.rrs, rr)
			continue
		}
		n.sets = append(n.sets, rrset{typ: t, rrs: []dns.RR{rr}})
	}
	if nsigs > 0 {
		for _, rr := range n.recs {
			sig, ok := rr.(*dns.RRSIG)
			if !ok {
				continue
			}
			if s := n.set(sig.TypeCovered); s != nil {
				s.sigs = append(s.sigs, sigCheck{sig: sig})
				n.nsig++
			} else {
				n.orphans = append(n.orphans, sigCheck{sig: sig})
			}
		}
	}
	if len(n.sets) > 1 {
		slices.SortFunc(n.sets, func(a, b rrset) int { return int(a.typ) - int(b.typ) })
	}
}

// resetSigs forgets the outcomes of earlier checks.
func (n *node) resetSigs() {
	for i := range n.sets {
		for j := range n.sets[i].sigs {
			sc := &n.sets[i].sigs[j]
			sc.status, sc.result, sc.key = sigUnchecked, 0, nil
		}
	}
}

// types returns the types of the RRsets at n, sorted.
func (n *node) types() []uint16 {
	ts := make([]uint16, len(n.sets))
	for i := range n.sets {
		ts[i] = n.sets[i].typ
	}
	return ts
}

// keyIndex finds the DNSKEYs of the zone by key tag and algorithm.
type keyIndex struct {
	origin string
	now    time.Time
	byTag  map[uint32][]*dns.DNSKEY // key tag << 8 | algorithm
	keys   []*dns.DNSKEY
}

// newKeyIndex indexes the DNSKEYs at apex (which may be nil).
func newKeyIndex(origin string, apex *node, now time.Time) *keyIndex {
	ix := &keyIndex{origin: origin, now: now, byTag: map[uint32][]*dns.DNSKEY{}}
	if apex == nil {
		return ix
	}
	if s := apex.set(dns.TypeDNSKEY); s != nil {
		for _, rr := range s.rrs {
			k, ok := rr.(*dns.DNSKEY)
			if !ok {
				continue
			}
			id := uint32(k.KeyTag())<<8 | uint32(k.Algorithm)
			ix.byTag[id] = append(ix.byTag[id], k)
			ix.keys = append(ix.keys, k)
		}
	}
	return ix
}

// failureRank orders failures from least to most telling, so that with
// several candidate keys (a key tag collision) the report names the most
// specific reason.
func failureRank(r validator.SigResult) int {
	switch r {
	case validator.SigKeyMismatch:
		return 0
	case validator.SigBadRRset:
		return 1
	case validator.SigUnsupportedAlgorithm, validator.SigBadKey:
		return 2
	case validator.SigNoZoneBit, validator.SigRevokedKey:
		return 3
	}
	return 4 // window and cryptographic failures
}

// verifyNode checks every RRSIG that covers an RRset at n.
func (ix *keyIndex) verifyNode(n *node) {
	for i := range n.sets {
		s := &n.sets[i]
		for j := range s.sigs {
			ix.verify(&s.sigs[j], s.rrs)
		}
	}
}

func (ix *keyIndex) verify(sc *sigCheck, rrs []dns.RR) {
	sig := sc.sig
	if !strings.EqualFold(sig.SignerName, ix.origin) {
		sc.status = sigBadSigner
		return
	}
	cands := ix.byTag[uint32(sig.KeyTag)<<8|uint32(sig.Algorithm)]
	if len(cands) == 0 {
		sc.status = sigNoKey
		return
	}
	sc.status = sigFailed
	for i, k := range cands {
		r := validator.VerifySig(sig, k, rrs, ix.now)
		if r == validator.SigValid {
			sc.status, sc.key = sigValid, k
			return
		}
		if i == 0 || failureRank(r) > failureRank(sc.result) {
			sc.result = r
		}
	}
}

// batch is a unit of work for the pool.
type batch struct {
	nodes []*node
	keys  *keyIndex
}

// pool runs batches on a fixed set of worker goroutines.
type pool struct {
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*batch
	closed  bool
	aborted bool
	pending sync.WaitGroup // submitted batches not yet done
	workers sync.WaitGroup
}

func newPool(workers int) *pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &pool{}
	p.cond = sync.NewCond(&p.mu)
	for range workers {
		p.workers.Go(p.work)
	}
	return p
}

func (p *pool) work() {
	for {
		p.mu.Lock()
		for len(p.queue) == 0 && !p.closed {
			p.cond.Wait()
		}
		if len(p.queue) == 0 {
			p.mu.Unlock()
			return
		}
		b := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		aborted := p.aborted
		p.mu.Unlock()
		if !aborted {
			for _, n := range b.nodes {
				b.keys.verifyNode(n)
			}
		}
		p.pending.Done()
	}
}

func (p *pool) submit(b *batch) {
	p.pending.Add(1)
	p.mu.Lock()
	p.queue = append(p.queue, b)
	p.mu.Unlock()
	p.cond.Signal()
}

// wait blocks until every submitted batch is done.
func (p *pool) wait() { p.pending.Wait() }

// close waits for the submitted batches and stops the workers.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cond.Broadcast()
	p.workers.Wait()
}

// abort drops the queued batches and stops the workers.
func (p *pool) abort() {
	p.mu.Lock()
	p.aborted = true
	p.mu.Unlock()
	p.close()
}
