package validator

import (
	"strings"

	"github.com/miekg/dns"
)

// denialSet holds the NSEC and NSEC3 records of one response that verified
// with the zone's keys, ready to prove that names or types do not exist.
type denialSet struct {
	zone    string
	nsec    []*dns.NSEC
	nsec3   []*dns.NSEC3
	sigs    []SigCheck
	failed  *rrsetCheck // the first denial RRset whose signatures failed
	ttl     uint32      // smallest validated TTL among the records used
	maxIter int
	hashes  map[string]string
	seen    bool // some NSEC or NSEC3 record was present, verified or not
}

// proofResult is the outcome of one denial-of-existence proof.
type proofResult struct {
	status Status
	reason string
	ede    EDE
	proof  *Proof
}

func (r proofResult) edeOrNil() *EDE {
	if r.ede == 0 {
		return nil
	}
	return edePtr(r.ede)
}

// denialSet verifies every NSEC, NSEC3 and SOA RRset in rrs with the keys of
// the secure zone zs.
func (w *walk) denialSet(zs *zoneState, rrs []dns.RR) *denialSet {
	d := &denialSet{zone: zs.servers.Zone, ttl: ^uint32(0), maxIter: w.maxIterations()}
	type key struct {
		owner string
		t     uint16
	}
	var order []key
	sets := map[key][]dns.RR{}
	for _, rr := range rrs {
		t := rr.Header().Rrtype
		if t != dns.TypeNSEC && t != dns.TypeNSEC3 && t != dns.TypeSOA {
			continue
		}
		if t != dns.TypeSOA {
			d.seen = true
		}
		k := key{lower(rr.Header().Name), t}
		if _, ok := sets[k]; !ok {
			order = append(order, k)
		}
		sets[k] = append(sets[k], rr)
	}
	for _, k := range order {
		set := sets[k]
		chk := w.verifyRRset(set, sigsFor(rrs, k.owner, k.t), d.zone, zs.keys)
		d.sigs = append(d.sigs, chk.sigs...)
		if !chk.ok {
			if d.failed == nil {
				c := chk
				d.failed = &c
			}
			continue
		}
		switch k.t {
		case dns.TypeSOA:
			soa := set[0].(*dns.SOA)
			d.ttl = min(d.ttl, chk.ttl, soa.Minttl)
		case dns.TypeNSEC:
			for _, rr := range set {
				d.nsec = append(d.nsec, rr.(*dns.NSEC))
			}
			d.ttl = min(d.ttl, chk.ttl)
		case dns.TypeNSEC3:
			for _, rr := range set {
				n := rr.(*dns.NSEC3)
				// An NSEC3 owner is one hash label directly below the zone apex.
				if !nameEqual(nameParent(n.Hdr.Name), d.zone) {
					continue
				}
				d.nsec3 = append(d.nsec3, n)
			}
			d.ttl = min(d.ttl, chk.ttl)
		}
	}
	if d.ttl == ^uint32(0) {
		d.ttl = 0
	}
	return d
}

// fail builds the Bogus result of a proof that did not hold, naming the
// most specific cause: a failed signature, no denial records at all, or
// records that do not prove what they must.
func (d *denialSet) fail(noProof, badProof string, proof *Proof) proofResult {
	switch {
	case d.failed != nil:
		return proofResult{status: Bogus, reason: ReasonDenialSigFailed + ": " + d.failed.reason, ede: d.failed.ede, proof: proof}
	case !d.seen:
		return proofResult{status: Bogus, reason: noProof, ede: EDENSECMissing, proof: proof}
	default:
		return proofResult{status: Bogus, reason: badProof, ede: EDEDNSSECBogus, proof: proof}
	}
}

func secure(p *Proof) proofResult { return proofResult{status: Secure, reason: ReasonSecure, proof: p} }

// nsec3Trouble sets aside the NSEC3 records the validator must not use and
// reports when that leaves the answer Insecure. Records with an unknown
// hash algorithm (RFC 5155 §8.1: "responses containing only such NSEC3 RRs
// will generally be considered bogus") or flags other than 0 and 1 (RFC
// 5155 §8.2) are ignored, so the proofs then fail. Records with too many iterations (RFC 9276 §3.2) make the answer
// Insecure when no usable record is left.
func (d *denialSet) nsec3Trouble() (proofResult, bool) {
	if len(d.nsec3) == 0 {
		return proofResult{}, false
	}
	usable := d.nsec3[:0:0]
	tooMany := false
	for _, n := range d.nsec3 {
		switch {
		case n.Hash != dns.SHA1:
		case n.Flags > 1:
			// Flags other than opt-out: ignored (RFC 5155 §8.2).
		case int(n.Iterations) > d.maxIter:
			tooMany = true
		default:
			usable = append(usable, n)
		}
	}
	if len(usable) > 0 {
		d.nsec3 = usable
		return proofResult{}, false
	}
	if tooMany {
		p := &Proof{Kind: "NSEC3", Records: nsec3Strings(d.nsec3)}
		return proofResult{status: Insecure, reason: ReasonInsecureIterations, ede: EDEUnsupportedNSEC3Iterations, proof: p}, true
	}
	// Only unknown hash algorithms or flags: ignore them all (RFC 5155
	// §8.1, §8.2).
	d.nsec3 = nil
	return proofResult{}, false
}

// --- NSEC (RFC 4035 §5.4) ---

func nsecHas(n *dns.NSEC, t uint16) bool {
	for _, x := range n.TypeBitMap {
		if x == t {
			return true
		}
	}
	return false
}

// nsecMatch returns the NSEC owned by name.
func (d *denialSet) nsecMatch(name string) *dns.NSEC {
	for _, n := range d.nsec {
		if nameEqual(n.Hdr.Name, name) {
			return n
		}
	}
	return nil
}

// nsecCover returns an NSEC that proves name does not exist: name lies
// strictly between its owner and next name, and the owner is not a
// delegation or DNAME above name, whose NSEC says nothing about names
// below it (RFC 6840 §4.1).
func (d *denialSet) nsecCover(name string) *dns.NSEC {
	for _, n := range d.nsec {
		if !nameCovers(n.Hdr.Name, n.NextDomain, name) {
			continue
		}
		if nameStrictlyBelow(name, n.Hdr.Name) &&
			((nsecHas(n, dns.TypeNS) && !nsecHas(n, dns.TypeSOA)) || nsecHas(n, dns.TypeDNAME)) {
			continue
		}
		return n
	}
	return nil
}

// nsecClosestEncloser derives the closest encloser of name from the NSEC
// that covers it: the longest ancestor name shares with the NSEC's owner or
// next name.
func nsecClosestEncloser(name string, n *dns.NSEC) string {
	a := nameCommonAncestor(name, n.Hdr.Name)
	b := nameCommonAncestor(name, n.NextDomain)
	if dns.CountLabel(b) > dns.CountLabel(a) {
		return lower(b)
	}
	return lower(a)
}

func nsecProof(recs ...*dns.NSEC) *Proof {
	p := &Proof{Kind: "NSEC"}
	for _, n := range recs {
		if n != nil {
			p.Records = append(p.Records, rrText(n))
		}
	}
	return p
}

// --- NSEC3 (RFC 5155 §8) ---

func nsec3Has(n *dns.NSEC3, t uint16) bool {
	for _, x := range n.TypeBitMap {
		if x == t {
			return true
		}
	}
	return false
}

func (d *denialSet) hash(name string, n *dns.NSEC3) string {
	key := lower(name) + "|" + n.Salt + "|" + string(rune(n.Iterations))
	if h, ok := d.hashes[key]; ok {
		return h
	}
	h := dns.HashName(nameCanonical(name), n.Hash, n.Iterations, n.Salt)
	if d.hashes == nil {
		d.hashes = map[string]string{}
	}
	d.hashes[key] = h
	return h
}

func nsec3OwnerHash(n *dns.NSEC3) string {
	label, _ := dns.NextLabel(n.Hdr.Name, 0)
	return strings.ToUpper(n.Hdr.Name[:max(label-1, 0)])
}

// nsec3Match returns the NSEC3 whose owner hash is the hash of name.
func (d *denialSet) nsec3Match(name string) *dns.NSEC3 {
	for _, n := range d.nsec3 {
		if nsec3OwnerHash(n) == d.hash(name, n) {
			return n
		}
	}
	return nil
}

// nsec3Cover returns the NSEC3 whose span covers the hash of name.
func (d *denialSet) nsec3Cover(name string) *dns.NSEC3 {
	for _, n := range d.nsec3 {
		h := d.hash(name, n)
		owner, next := nsec3OwnerHash(n), strings.ToUpper(n.NextDomain)
		switch {
		case owner < next:
			if owner < h && h < next {
				return n
			}
		default: // the last span wraps around
			if h > owner || h < next {
				return n
			}
		}
	}
	return nil
}

// nsec3ClosestEncloser runs the closest encloser proof for name (RFC 5155
// §8.3): the deepest ancestor with a matching NSEC3 that is neither a
// delegation nor a DNAME, and an NSEC3 covering the next closer name.
func (d *denialSet) nsec3ClosestEncloser(name string) (ce, nextCloser string, match, cover *dns.NSEC3) {
	n := dns.CountLabel(name)
	for labels := n; labels >= dns.CountLabel(d.zone); labels-- {
		candidate := lower(nameAncestorAt(name, labels))
		m := d.nsec3Match(candidate)
		if m == nil {
			continue
		}
		if nameStrictlyBelow(name, candidate) && ((nsec3Has(m, dns.TypeNS) && !nsec3Has(m, dns.TypeSOA)) || nsec3Has(m, dns.TypeDNAME)) {
			return "", "", nil, nil
		}
		if labels == n {
			return candidate, "", m, nil
		}
		nc := lower(nameAncestorAt(name, labels+1))
		return candidate, nc, m, d.nsec3Cover(nc)
	}
	return "", "", nil, nil
}

func nsec3Proof(ce string, recs ...*dns.NSEC3) *Proof {
	p := &Proof{Kind: "NSEC3", ClosestEncloser: ce}
	seen := map[*dns.NSEC3]bool{}
	for _, n := range recs {
		if n != nil && !seen[n] {
			seen[n] = true
			p.Records = append(p.Records, rrText(n))
			if n.Flags&1 == 1 {
				p.OptOut = true
			}
		}
	}
	return p
}

func nsec3Strings(recs []*dns.NSEC3) []string {
	out := make([]string, 0, len(recs))
	for _, n := range recs {
		out = append(out, rrText(n))
	}
	return out
}

func rrText(rr dns.RR) string {
	s := rr.String()
	return strings.Join(strings.Fields(s), " ")
}

// --- proofs ---

// proveNoDS proves that the delegation cut has no DS (RFC 4035 §5.2,
// RFC 5155 §8.9): an NSEC at the cut with NS and without DS and SOA, an
// NSEC3 matching the cut likewise, or an NSEC3 opt-out span covering it.
func (d *denialSet) proveNoDS(cut string) proofResult {
	if len(d.nsec) > 0 {
		if n := d.nsecMatch(cut); n != nil && nsecHas(n, dns.TypeNS) && !nsecHas(n, dns.TypeDS) && !nsecHas(n, dns.TypeSOA) {
			return proofResult{status: Insecure, reason: ReasonInsecureNoDS, proof: nsecProof(n)}
		}
	}
	if r, bad := d.nsec3Trouble(); bad {
		return r
	}
	if len(d.nsec3) > 0 {
		if m := d.nsec3Match(cut); m != nil {
			if nsec3Has(m, dns.TypeNS) && !nsec3Has(m, dns.TypeDS) && !nsec3Has(m, dns.TypeSOA) {
				return proofResult{status: Insecure, reason: ReasonInsecureNoDS, proof: nsec3Proof(cut, m)}
			}
		} else if ce, nc, m, c := d.nsec3ClosestEncloser(cut); ce != "" && nc != "" && c != nil && c.Flags&1 == 1 {
			return proofResult{status: Insecure, reason: ReasonInsecureOptOut, proof: nsec3Proof(ce, m, c)}
		}
	}
	if d.failed == nil && d.nsecMatch(cut) == nil && (len(d.nsec3) == 0 || d.nsec3Match(cut) == nil) {
		// Records came, but none at the cut: the NSEC (or NSEC3) that
		// would prove the delegation unsigned is missing (RFC 8914 §4.13).
		return proofResult{status: Bogus, reason: ReasonNoDSProof, ede: EDENSECMissing}
	}
	return d.fail(ReasonNoDSProof, ReasonNoDSProofFailed, nil)
}

// proveNameError proves that qname does not exist (RFC 4035 §5.4, RFC 5155
// §8.4): no such name, and no wildcard at its closest encloser.
func (d *denialSet) proveNameError(qname string) proofResult {
	if len(d.nsec) > 0 {
		// An NSEC whose next name is below qname shows that qname is an
		// empty non-terminal: it exists, and NXDOMAIN would deny the names
		// below it too (RFC 8020 §2), so it proves no name error (RFC 4035
		// §5.4; the NODATA proof below accepts it).
		if c := d.nsecCover(qname); c != nil && !nameStrictlyBelow(c.NextDomain, qname) {
			ce := nsecClosestEncloser(qname, c)
			wild := "*." + ce
			if ce == "." {
				wild = "*."
			}
			if wc := d.nsecCover(wild); wc != nil {
				return secure(nsecProof(c, wc))
			}
		}
	}
	if r, bad := d.nsec3Trouble(); bad {
		return r
	}
	if len(d.nsec3) > 0 {
		ce, nc, m, c := d.nsec3ClosestEncloser(qname)
		if ce != "" && nc != "" && c != nil {
			wc := d.nsec3Cover(wildcardOf(ce))
			if wc != nil {
				p := nsec3Proof(ce, m, c, wc)
				if c.Flags&1 == 1 {
					// An opt-out span may hide an unsigned delegation, so
					// the name's absence is not proven (RFC 5155 §9.2).
					return proofResult{status: Insecure, reason: ReasonInsecureOptOut, proof: p}
				}
				return secure(p)
			}
		}
	}
	return d.fail(ReasonNXDomainNoProof, ReasonNXDomainBadProof, nil)
}

// proveNoData proves that qname exists without an RRset of type qtype
// (RFC 4035 §5.4, RFC 5155 §8.5-8.7), including empty non-terminals and
// wildcard no-data answers.
func (d *denialSet) proveNoData(qname string, qtype uint16) proofResult {
	lacks := func(has func(uint16) bool) bool {
		if has(qtype) || has(dns.TypeCNAME) {
			return false
		}
		// A DS answer must come from the parent side of the cut: an NSEC
		// with SOA is the child's apex (RFC 4035 §5.4 applied to DS).
		if qtype == dns.TypeDS && has(dns.TypeSOA) && qname != "." {
			return false
		}
		// For other types, the parent's delegation NSEC (NS, no SOA)
		// speaks only for the DS.
		if qtype != dns.TypeDS && has(dns.TypeNS) && !has(dns.TypeSOA) {
			return false
		}
		return true
	}
	if len(d.nsec) > 0 {
		if n := d.nsecMatch(qname); n != nil {
			if lacks(func(t uint16) bool { return nsecHas(n, t) }) {
				return secure(nsecProof(n))
			}
		} else if c := d.nsecCover(qname); c != nil {
			// Empty non-terminal: the next name is below qname.
			if nameStrictlyBelow(c.NextDomain, qname) {
				return secure(nsecProof(c))
			}
			ce := nsecClosestEncloser(qname, c)
			if w := d.nsecMatch(wildcardOf(ce)); w != nil && lacks(func(t uint16) bool { return nsecHas(w, t) }) {
				p := nsecProof(c, w)
				p.ClosestEncloser = ce
				return secure(p)
			}
		}
	}
	if r, bad := d.nsec3Trouble(); bad {
		return r
	}
	if len(d.nsec3) > 0 {
		if m := d.nsec3Match(qname); m != nil {
			if lacks(func(t uint16) bool { return nsec3Has(m, t) }) {
				return secure(nsec3Proof(qname, m))
			}
		} else if ce, nc, m, c := d.nsec3ClosestEncloser(qname); ce != "" && nc != "" && c != nil {
			if qtype == dns.TypeDS && c.Flags&1 == 1 {
				return proofResult{status: Insecure, reason: ReasonInsecureOptOut, proof: nsec3Proof(ce, m, c)}
			}
			if w := d.nsec3Match(wildcardOf(ce)); w != nil && lacks(func(t uint16) bool { return nsec3Has(w, t) }) {
				return secure(nsec3Proof(ce, m, c, w))
			}
		}
	}
	return d.fail(ReasonNoDataNoProof, ReasonNoDataBadProof, nil)
}

// proveWildcardAnswer proves that an answer synthesised from a wildcard was
// due: qname does not exist, and no name between it and the wildcard's
// closest encloser (the ancestor with labels labels) does (RFC 4035 §5.3.4,
// RFC 5155 §8.8).
func (d *denialSet) proveWildcardAnswer(qname string, labels int) proofResult {
	if len(d.nsec) > 0 {
		if c := d.nsecCover(qname); c != nil && dns.CountLabel(nsecClosestEncloser(qname, c)) <= labels {
			return secure(nsecProof(c))
		}
	}
	if r, bad := d.nsec3Trouble(); bad {
		return r
	}
	if len(d.nsec3) > 0 {
		nc := lower(nameAncestorAt(qname, labels+1))
		if c := d.nsec3Cover(nc); c != nil {
			return secure(nsec3Proof(lower(nameAncestorAt(qname, labels)), c))
		}
	}
	return d.fail(ReasonWildcardNoProof, ReasonWildcardNoProof, nil)
}

func wildcardOf(ce string) string {
	if ce == "." {
		return "*."
	}
	return "*." + ce
}
