package audit

import (
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/validator"
)

// Options controls an audit.
type Options struct {
	// Now is the time signatures are checked at. It must be set: the
	// package never reads the clock.
	Now time.Time
	// Anchor, when not nil, must authenticate the zone's DNSKEY RRset: for
	// each algorithm among its usable DS records (or DNSKEYs), one of them
	// must match a DNSKEY that validly signs the DNSKEY RRset.
	Anchor *validator.Anchor
	// ExpiryWarning: a valid signature that expires within this duration of
	// Now gives a warning. Zero or negative disables the warnings.
	ExpiryWarning time.Duration
	// Workers is the number of goroutines verifying signatures; zero or
	// negative means runtime.GOMAXPROCS(0).
	Workers int
}

// Finding is one problem or warning: the owner name and type it concerns and
// a reason in words.
type Finding struct {
	Owner  string `json:"owner"`
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

// Report is the result of an audit. Its JSON form is the --format json
// output of dnssecsim verify-zone.
type Report struct {
	// Zone is the origin audited (the SOA owner when it was learned from the
	// records).
	Zone string `json:"zone"`
	// Records counts the records given, RRsets the RRsets other than RRSIG
	// (one per owner name and type), Signatures the RRSIG records and
	// Verified the RRSIGs that verified with a DNSKEY of the zone at Now.
	Records    int `json:"records"`
	RRsets     int `json:"rrsets"`
	Signatures int `json:"signatures"`
	Verified   int `json:"verified"`
	// Algorithms lists, in increasing order, the algorithms of the usable
	// keys of the DNSKEY RRset (ZONE flag set, not revoked, supported): each
	// must sign every authoritative RRset.
	Algorithms []int `json:"algorithms"`
	// Denial is "NSEC", "NSEC3" or "none".
	Denial string `json:"denial"`
	// Problems make the zone fail the audit; Warnings do not. Both are
	// sorted by owner name in canonical order, then type, then reason.
	Problems []Finding `json:"problems"`
	Warnings []Finding `json:"warnings"`
	// OK is true when there are no problems.
	OK bool `json:"ok"`
}

// Denial kinds reported in Report.Denial.
const (
	DenialNSEC  = "NSEC"
	DenialNSEC3 = "NSEC3"
	DenialNone  = "none"
)

// Verify audits the zone origin made of rrs (a signed zone: the records of a
// master file, in any order). origin "" means the owner of the first SOA
// record. Verify does not modify the records; it may be called concurrently.
func Verify(origin string, rrs []dns.RR, opt Options) *Report {
	s := NewStream(origin, opt)
	for _, rr := range rrs {
		s.Add(rr)
	}
	return s.Finish()
}

// Stream audits a zone whose records arrive one at a time, typically from a
// zone file parser. Records of one owner name that arrive together (as
// every signer writes them) form a unit of work: once the zone apex and its
// DNSKEY RRset have been seen, the signatures of each such unit are verified
// on the worker goroutines while later records are still arriving. Records
// in any other order are accepted too; their signatures are then verified in
// Finish.
//
// A Stream is used by one goroutine: Add, then Finish or Abort once.
type Stream struct {
	opt       Options
	origin    string // "" until known
	originKey string
	nrec      int

	// The current run: consecutive records with one owner name. Their
	// records live in chunk[runStart:].
	cur      *node
	chunk    []dns.RR
	runStart int

	nodes []*node // completed runs, in input order

	// Speculative verification: the apex run whose DNSKEYs the workers
	// use, the index of those keys, runs that waited for them and the batch
	// being filled.
	specApex  *node
	keys      *keyIndex
	pending   []*node
	batch     []*node
	batchSigs int
	pool      *pool
	done      bool
}

// NewStream starts an audit of zone origin ("" for the owner of the first
// SOA record added).
func NewStream(origin string, opt Options) *Stream {
	s := &Stream{opt: opt}
	if origin != "" {
		s.setOrigin(dns.Fqdn(origin))
	}
	return s
}

func (s *Stream) setOrigin(origin string) {
	if k, ok := nameKey(origin); ok {
		s.origin, s.originKey = origin, k
	}
}

// chunkSize is the number of records per backing array of runs.
const chunkSize = 8192

// Add adds one record. nil records are ignored.
func (s *Stream) Add(rr dns.RR) {
	if rr == nil || s.done {
		return
	}
	s.nrec++
	name := rr.Header().Name
	if s.cur == nil || !strings.EqualFold(s.cur.name, name) {
		s.endRun()
		s.cur = &node{name: name, seq: len(s.nodes)}
		s.runStart = len(s.chunk)
	}
	if len(s.chunk) == cap(s.chunk) {
		// Start a new backing array, moving the current run into it.
		run := s.chunk[s.runStart:]
		c := make([]dns.RR, len(run), max(chunkSize, 2*len(run)+1))
		copy(c, run)
		s.chunk, s.runStart = c, 0
	}
	s.chunk = append(s.chunk, rr)
}

// endRun completes the current run: groups its records, learns the origin
// and the key set from the apex, and hands the run to the workers.
func (s *Stream) endRun() {
	n := s.cur
	if n == nil {
		return
	}
	s.cur = nil
	n.recs = s.chunk[s.runStart:len(s.chunk):len(s.chunk)]
	n.prepare()
	s.nodes = append(s.nodes, n)
	if s.origin == "" && n.set(dns.TypeSOA) != nil {
		s.setOrigin(n.name)
	}
	if s.keys == nil && s.origin != "" && n.ok && n.key == s.originKey {
		s.keys = newKeyIndex(s.origin, n, s.opt.Now)
		s.specApex = n
		for _, p := range s.pending {
			s.enqueue(p)
		}
		s.pending = nil
	}
	if s.keys == nil {
		s.pending = append(s.pending, n)
		return
	}
	s.enqueue(n)
}

// batchTarget is the number of signatures per batch of work: large enough
// to make queueing cheap, small enough to balance the last batches.
const batchTarget = 48

func (s *Stream) enqueue(n *node) {
	if n.nsig == 0 {
		return
	}
	s.batch = append(s.batch, n)
	s.batchSigs += n.nsig
	if s.batchSigs >= batchTarget {
		s.flush()
	}
}

func (s *Stream) flush() {
	if len(s.batch) == 0 {
		return
	}
	if s.pool == nil {
		s.pool = newPool(s.opt.Workers)
	}
	s.pool.submit(&batch{nodes: s.batch, keys: s.keys})
	s.batch, s.batchSigs = nil, 0
}

// Abort stops the audit without a report and releases the workers.
func (s *Stream) Abort() {
	if s.done {
		return
	}
	s.done = true
	if s.pool != nil {
		s.pool.abort()
	}
}

// Finish completes the audit and returns the report.
func (s *Stream) Finish() *Report {
	if s.done {
		return nil
	}
	s.endRun()
	s.flush()
	s.done = true
	a := &auditor{
		origin:    s.origin,
		originKey: s.originKey,
		opt:       s.opt,
		nodes:     s.nodes,
		report:    &Report{Zone: s.origin, Records: s.nrec},
	}
	if s.origin == "" {
		if s.pool != nil {
			s.pool.close()
		}
		a.problem("", ".", dns.TypeSOA, "no SOA record: the zone apex is unknown")
		return a.finish()
	}
	a.sortNodes()
	a.findApex()

	// Re-verify what the workers could not have verified right: merged
	// owner names, and everything when the final DNSKEY RRset is not the
	// one the workers used.
	var redo []*node
	keys := s.keys
	if keys == nil || a.apex != s.specApex {
		if s.pool != nil {
			s.pool.wait() // no worker may still write results
		}
		keys = newKeyIndex(s.origin, a.apex, s.opt.Now)
		for _, n := range a.nodes {
			n.resetSigs()
			redo = append(redo, n)
		}
	} else {
		redo = a.merged
	}
	s.keys = keys
	for _, n := range redo {
		s.enqueue(n)
	}
	s.flush()

	// Structure and denial checks run while the workers verify.
	a.checkStructure()
	if s.pool != nil {
		s.pool.close()
	}
	a.keys = keys
	a.checkSignatures()
	a.checkKeys()
	return a.finish()
}
