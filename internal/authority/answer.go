package authority

import (
	"github.com/miekg/dns"
)

// maxChain is how many CNAMEs inside the zone Answer follows.
const maxChain = 8

// builder collects one response.
type builder struct {
	m       *dns.Msg
	qtype   uint16
	visited []string // keys of the names looked up, against CNAME loops
	nsSeen  []*rrset // RRsets already in the authority section
}

// addAnswer appends copies of an RRset and its RRSIGs to the answer section,
// with owner as the owner name if it is not "" (wildcard synthesis).
func (b *builder) addAnswer(rs *rrset, owner string) {
	b.m.Answer = appendCopies(b.m.Answer, rs.rrs, owner)
	b.m.Answer = appendCopies(b.m.Answer, rs.sigs, owner)
}

// addAuth appends copies of an RRset and its RRSIGs to the authority section
// once; nil is ignored.
func (b *builder) addAuth(rs *rrset) {
	if rs == nil {
		return
	}
	for _, s := range b.nsSeen {
		if s == rs {
			return
		}
	}
	b.nsSeen = append(b.nsSeen, rs)
	b.m.Ns = appendCopies(b.m.Ns, rs.rrs, "")
	b.m.Ns = appendCopies(b.m.Ns, rs.sigs, "")
}

func appendCopies(dst, rrs []dns.RR, owner string) []dns.RR {
	for _, rr := range rrs {
		c := dns.Copy(rr)
		if owner != "" {
			c.Header().Name = owner
		}
		dst = append(dst, c)
	}
	return dst
}

// Answer returns the authoritative response to qname/qtype (class IN) with
// DO=1 semantics: RRSIGs, NSEC and NSEC3 records are included where they
// exist. The message has the question, the QR bit, the rcode and the AA bit
// (clear for referrals) set; the records are copies the caller may modify.
//
// A qname outside the zone gets REFUSED without AA, an unparsable one FORMERR.
// qtype ANY gets every RRset at the name. CNAMEs are followed inside the zone,
// up to 8; DNAMEs are answered with the synthesized CNAME, not followed.
func (z *Zone) Answer(qname string, qtype uint16) *dns.Msg {
	m := &dns.Msg{}
	m.Response = true
	m.Question = []dns.Question{{Name: dns.Fqdn(qname), Qtype: qtype, Qclass: dns.ClassINET}}
	wire, key, ok := packName(qname)
	if !ok {
		m.Rcode = dns.RcodeFormatError
		return m
	}
	if !isSubKey(z.apexKey, key) {
		m.Rcode = dns.RcodeRefused
		return m
	}
	m.Authoritative = true
	b := &builder{m: m, qtype: qtype}
	z.resolve(b, dns.Fqdn(qname), wire, key, 0)
	return m
}

// resolve looks up one name of the (possibly CNAME-chained) answer: name is its
// presentation form, wire its original-case wire form and key its key, depth
// the number of CNAMEs followed to get there.
func (z *Zone) resolve(b *builder, name string, wire []byte, key string, depth int) {
	b.visited = append(b.visited, key)
	offs := labelOffsets(key)
	below := len(offs) - 1 - z.apexLabels // labels of name below the apex
	nd := z.apex
	// Walk down from the apex (RFC 1034 section 4.3.2 step 3): key[offs[i]:]
	// is the ancestor of name with i labels removed.
	for i := below - 1; i >= 0; i-- {
		// A DNAME at a proper ancestor redirects the name (RFC 6672 section 3.2).
		if d := nd.get(dns.TypeDNAME); d != nil {
			z.dname(b, name, wire, nd, d)
			return
		}
		child := z.names[key[offs[i]:]]
		if child == nil {
			z.noSuchName(b, name, key, offs, i, nd, depth)
			return
		}
		// A zone cut: refer, except that the parent answers DS at the cut
		// (RFC 4035 section 3.1.4.1).
		if child.cut && !(i == 0 && b.qtype == dns.TypeDS) {
			if depth == 0 {
				z.referral(b, child, key, offs, i)
			}
			// A CNAME target below a cut ends the chain.
			return
		}
		nd = child
	}
	z.exact(b, key, offs, nd, depth)
}

// exact answers for a name that exists (nd).
func (z *Zone) exact(b *builder, key string, offs []int, nd *node, depth int) {
	qtype := b.qtype
	switch qtype {
	case dns.TypeANY:
		if sets := nd.allSets(); len(sets) > 0 {
			for _, rs := range sets {
				b.addAnswer(rs, "")
			}
			return
		}
	case dns.TypeRRSIG:
		n := len(b.m.Answer)
		for _, rs := range nd.sorted() {
			b.m.Answer = appendCopies(b.m.Answer, rs.sigs, "")
		}
		if len(b.m.Answer) > n {
			return
		}
	default:
		if rs := nd.get(qtype); rs != nil {
			b.addAnswer(rs, "")
			return
		}
	}
	if cn := nd.get(dns.TypeCNAME); cn != nil && qtype != dns.TypeCNAME {
		b.addAnswer(cn, "")
		z.follow(b, cn, depth)
		return
	}
	z.nodata(b, key, offs)
}

// follow continues the answer at the target of a CNAME if it is in the zone.
func (z *Zone) follow(b *builder, cn *rrset, depth int) {
	c, ok := cn.rrs[0].(*dns.CNAME)
	if !ok || depth+1 > maxChain {
		return
	}
	wire, key, ok := packName(c.Target)
	if !ok || !isSubKey(z.apexKey, key) {
		return
	}
	for _, v := range b.visited {
		if v == key {
			return // a loop
		}
	}
	z.resolve(b, dns.Fqdn(c.Target), wire, key, depth+1)
}

// addSOA adds the apex SOA RRset and its RRSIGs to the authority section of a
// negative answer, with the negative caching TTL (see negativeSOA).
func (z *Zone) addSOA(b *builder) {
	b.addAuth(z.negSOA)
}

// nodata answers for a name that exists but has no data of the type: SOA and
// the NSEC at the name (or the one covering an empty non-terminal), or the
// NSEC3 matching it (RFC 5155 section 7.2.3); without a matching NSEC3 (a DS
// query for an opt-out delegation, RFC 5155 section 7.2.4), the closest
// provable encloser proof.
func (z *Zone) nodata(b *builder, key string, offs []int) {
	z.addSOA(b)
	switch z.denial {
	case denialNSEC:
		b.addAuth(z.nsecFor(key))
	case denialNSEC3:
		if rs := z.nsec3Match(key); rs != nil {
			b.addAuth(rs)
		} else {
			z.closestEncloserProof(b, key, offs, 0, false)
		}
	}
}

// closestEncloserProof adds the NSEC3 records matching the closest provable
// encloser of key and covering the next closer name (RFC 5155 section 7.2.1),
// and the one covering the wildcard at the closest encloser if wildcard is set.
// The search for the encloser starts at key[offs[from]:] and goes up.
func (z *Zone) closestEncloserProof(b *builder, key string, offs []int, from int, wildcard bool) {
	top := len(offs) - 1 - z.apexLabels // index of the apex
	for i := from; i <= top; i++ {
		ce := key[offs[i]:]
		rs := z.nsec3Match(ce)
		if rs == nil {
			continue
		}
		b.addAuth(rs)
		if i > 0 {
			b.addAuth(z.nsec3Cover(key[offs[i-1]:]))
		}
		if wildcard {
			b.addAuth(z.nsec3Cover(wildcardKey(ce)))
		}
		return
	}
}

// noSuchName answers for a name that does not exist: key[offs[i]:] is the
// first ancestor (or the name itself) that does not exist, the next closer
// name, and ce its parent, the closest encloser. A wildcard at the closest
// encloser is expanded (RFC 4592 section 3.3.1); otherwise NXDOMAIN.
func (z *Zone) noSuchName(b *builder, name, key string, offs []int, i int, ce *node, depth int) {
	wkey := wildcardKey(ce.key)
	if w := z.names[wkey]; w != nil {
		z.wildcard(b, name, key, offs, i, ce, w, depth)
		return
	}
	b.m.Rcode = dns.RcodeNameError
	z.addSOA(b)
	switch z.denial {
	case denialNSEC:
		// RFC 4035 section 3.1.3.2: the NSEC covering the name and the one
		// covering the wildcard at the closest encloser.
		b.addAuth(z.nsecFor(key))
		b.addAuth(z.nsecFor(wkey))
	case denialNSEC3:
		// RFC 5155 section 7.2.2.
		z.closestEncloserProof(b, key, offs, i+1, true)
	}
}

// wildcard answers from the wildcard w at the closest encloser ce for a name
// that does not exist (RFC 4035 section 3.1.3.3, RFC 5155 sections 7.2.5 and
// 7.2.6).
func (z *Zone) wildcard(b *builder, name, key string, offs []int, i int, ce, w *node, depth int) {
	nextCloser := key[offs[i]:]
	proof := func() {
		switch z.denial {
		case denialNSEC:
			b.addAuth(z.nsecFor(key))
		case denialNSEC3:
			b.addAuth(z.nsec3Cover(nextCloser))
		}
	}
	qtype := b.qtype
	var sets []*rrset
	if qtype == dns.TypeANY {
		sets = w.allSets()
	} else if rs := w.get(qtype); rs != nil {
		sets = append(sets, rs)
	}
	if len(sets) > 0 {
		for _, rs := range sets {
			b.addAnswer(rs, name)
		}
		proof()
		return
	}
	if cn := w.get(dns.TypeCNAME); cn != nil && qtype != dns.TypeCNAME {
		b.addAnswer(cn, name)
		proof()
		z.follow(b, cn, depth)
		return
	}
	// Wildcard NODATA.
	z.addSOA(b)
	switch z.denial {
	case denialNSEC:
		b.addAuth(z.nsecFor(key))
		b.addAuth(z.nsecFor(w.key))
	case denialNSEC3:
		b.addAuth(z.nsec3Match(ce.key))
		b.addAuth(z.nsec3Cover(nextCloser))
		b.addAuth(z.nsec3Match(w.key))
	}
}

// referral answers for a name at or below the zone cut at cut, which is
// key[offs[i]:] (RFC 4035 section 3.1.4): not authoritative, the NS RRset,
// the DS RRset or the proof that there is none, and glue.
func (z *Zone) referral(b *builder, cut *node, key string, offs []int, i int) {
	b.m.Authoritative = false
	ns := cut.get(dns.TypeNS)
	b.m.Ns = appendCopies(b.m.Ns, ns.rrs, "")
	if ds := cut.get(dns.TypeDS); ds != nil {
		b.addAuth(ds)
	} else {
		switch z.denial {
		case denialNSEC:
			b.addAuth(cut.get(dns.TypeNSEC))
		case denialNSEC3:
			if rs := z.nsec3Match(cut.key); rs != nil {
				b.addAuth(rs)
			} else {
				// Opt-out: RFC 5155 section 7.2.7.
				z.closestEncloserProof(b, key, offs, i, false)
			}
		}
	}
	// Glue: addresses of name servers inside this zone.
	var done []string
	for _, rr := range ns.rrs {
		target := rr.(*dns.NS).Ns
		tkey, ok := nameKey(target)
		if !ok || !isSubKey(z.apexKey, tkey) {
			continue
		}
		dup := false
		for _, d := range done {
			dup = dup || d == tkey
		}
		if dup {
			continue
		}
		done = append(done, tkey)
		nd := z.names[tkey]
		if nd == nil {
			continue
		}
		for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
			if rs := nd.get(t); rs != nil {
				b.m.Extra = appendCopies(b.m.Extra, rs.rrs, "")
				b.m.Extra = appendCopies(b.m.Extra, rs.sigs, "")
			}
		}
	}
}

// dname answers for a name below the DNAME at owner (RFC 6672 section 3.2):
// the DNAME RRset and a CNAME synthesized from it, unsigned, with the DNAME's
// TTL. YXDOMAIN if the new name would be too long.
func (z *Zone) dname(b *builder, name string, wire []byte, owner *node, d *rrset) {
	b.addAnswer(d, "")
	dn, ok := d.rrs[0].(*dns.DNAME)
	if !ok {
		return
	}
	twire, _, ok := packName(dn.Target)
	if !ok {
		return
	}
	prefix := wire[:len(wire)-len(owner.key)]
	if len(prefix)+len(twire) > 255 {
		b.m.Rcode = dns.RcodeYXDomain
		return
	}
	newWire := append(append([]byte(nil), prefix...), twire...)
	target, _, err := dns.UnpackDomainName(newWire, 0)
	if err != nil {
		return
	}
	b.m.Answer = append(b.m.Answer, &dns.CNAME{
		Hdr:    dns.RR_Header{Name: name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: dn.Hdr.Ttl},
		Target: target,
	})
}
