package authority

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/miekg/dns"
)

// rrset is the records of one type at one name and the RRSIGs covering them.
// Either may be empty: RRSIGs whose RRset is missing are kept, but never sent.
type rrset struct {
	t    uint16
	rrs  []dns.RR
	sigs []dns.RR
}

// node is one name of the zone tree: it has records, or is an empty
// non-terminal (no records, but descendants).
type node struct {
	key  string
	sets []*rrset // a few per name: a slice beats a map
	cut  bool     // not the apex, has NS: a delegation point
	done bool     // ancestors made (construction only)
}

// get returns the records of a type at the node, nil if there are none.
func (n *node) get(t uint16) *rrset {
	if rs := n.find(t); rs != nil && len(rs.rrs) > 0 {
		return rs
	}
	return nil
}

// find returns the RRset of a type at the node, empty or not, or nil.
func (n *node) find(t uint16) *rrset {
	for _, rs := range n.sets {
		if rs.t == t {
			return rs
		}
	}
	return nil
}

// sorted returns the node's RRsets (including those with only RRSIGs) by
// increasing type.
func (n *node) sorted() []*rrset {
	sets := slices.Clone(n.sets)
	slices.SortFunc(sets, func(a, b *rrset) int { return int(a.t) - int(b.t) })
	return sets
}

// allSets returns the node's non-empty RRsets by increasing type.
func (n *node) allSets() []*rrset {
	var sets []*rrset
	for _, rs := range n.sorted() {
		if len(rs.rrs) > 0 {
			sets = append(sets, rs)
		}
	}
	return sets
}

// nsecEntry is a name owning an NSEC RRset, with its canonical-order key.
type nsecEntry struct {
	canon string
	set   *rrset
}

// nsec3Entry is one NSEC3 owner of the zone's chain.
type nsec3Entry struct {
	hash string // upper-case base32hex, the owner's first label
	set  *rrset
}

type denial int

const (
	denialNone denial = iota
	denialNSEC
	denialNSEC3
)

// Zone is one zone's data indexed for answering. Construct it once with
// NewZone; then it is read-only and Answer is safe for concurrent use.
type Zone struct {
	origin     string // absolute, as given to NewZone
	apexKey    string
	apexLabels int
	apex       *node
	names      map[string]*node // key -> node, for every name and empty non-terminal

	negSOA *rrset // the apex SOA and its RRSIGs for negative answers

	denial denial
	nsec   []nsecEntry   // NSEC owners in canonical order
	nsec3  []*nsec3Entry // NSEC3 owners of the chain in hash order
	n3     *nsec3Params
}

// NewZone indexes the records of the zone at origin. It is an error if there is
// no SOA record at origin or if a record is outside the zone. Identical records
// are merged. The records are not modified and must not be modified later.
//
// NSEC3 records and the RRSIGs covering them are kept apart from the name
// tree, as their owner names do not exist as far as queries go (RFC 5155
// section 7.2.8). The NSEC3 chain used in answers is the one with the
// parameters of the apex NSEC3PARAM or, without one, of the first NSEC3
// record. Answers use NSEC3 if the zone has an NSEC3PARAM at the apex and
// NSEC3 records of its chain, otherwise NSEC if it has NSEC records, otherwise
// NSEC3 if it has NSEC3 records, otherwise no proofs.
func NewZone(origin string, rrs []dns.RR) (*Zone, error) {
	apexKey, ok := nameKey(origin)
	if !ok {
		return nil, fmt.Errorf("zone %q: bad origin name", origin)
	}
	z := &Zone{
		origin:     dns.Fqdn(origin),
		apexKey:    apexKey,
		apexLabels: countLabels(apexKey),
		names:      make(map[string]*node, len(rrs)/3+1),
	}
	z.apex = z.node(apexKey)

	type n3rr struct {
		key string
		rr  dns.RR
	}
	var n3rrs []n3rr
	var (
		buf       [256]byte
		lastName  string
		lastKey   string
		lastValid bool
	)
	for _, rr := range rrs {
		if rr == nil {
			continue
		}
		h := rr.Header()
		// Records usually come grouped by owner: pack each owner once.
		if !lastValid || h.Name != lastName {
			n, err := dns.PackDomainName(dns.Fqdn(h.Name), buf[:], 0, nil, false)
			if err != nil {
				return nil, fmt.Errorf("zone %s: bad owner name %q: %v", z.origin, h.Name, err)
			}
			lastName, lastKey, lastValid = h.Name, lowerKey(buf[:n]), true
			if !isSubKey(apexKey, lastKey) {
				return nil, fmt.Errorf("zone %s: record outside the zone: %s", z.origin, rr)
			}
		}
		key := lastKey
		t := h.Rrtype
		sig, isSig := rr.(*dns.RRSIG)
		if isSig {
			t = sig.TypeCovered
		}
		if t == dns.TypeNSEC3 {
			n3rrs = append(n3rrs, n3rr{key, rr})
			continue
		}
		z.node(key).add(t, rr, isSig)
	}
	soa := z.apex.get(dns.TypeSOA)
	if soa == nil {
		return nil, fmt.Errorf("zone %s: no SOA record at the origin", z.origin)
	}
	z.negSOA = negativeSOA(soa)

	// Empty non-terminals: every ancestor of a name, down from the apex, exists.
	for key, nd := range z.names {
		for !nd.done && key != apexKey {
			nd.done = true
			key = parentKey(key)
			nd = z.node(key)
		}
	}

	// Delegation points and the NSEC chain.
	for key, nd := range z.names {
		if nd != z.apex && nd.get(dns.TypeNS) != nil {
			nd.cut = true
		}
		if rs := nd.get(dns.TypeNSEC); rs != nil {
			z.nsec = append(z.nsec, nsecEntry{canonKey(key), rs})
		}
	}
	slices.SortFunc(z.nsec, func(a, b nsecEntry) int { return strings.Compare(a.canon, b.canon) })

	// The NSEC3 chain.
	hasParam := false
	if rs := z.apex.get(dns.TypeNSEC3PARAM); rs != nil {
		for _, rr := range rs.rrs {
			p := rr.(*dns.NSEC3PARAM)
			if n3, ok := newNSEC3Params(p.Hash, p.Iterations, p.Salt); ok {
				z.n3, hasParam = n3, true
				break
			}
		}
	}
	if z.n3 == nil {
		for _, r := range n3rrs {
			if rr, ok := r.rr.(*dns.NSEC3); ok {
				if n3, ok := newNSEC3Params(rr.Hash, rr.Iterations, rr.Salt); ok {
					z.n3 = n3
					break
				}
			}
		}
	}
	if z.n3 != nil {
		byHash := map[string]*nsec3Entry{}
		for _, r := range n3rrs {
			if parentKey(r.key) != apexKey || r.key == apexKey {
				continue // not in the chain: an NSEC3 owner is one label below the apex
			}
			hash := hashLabel(r.key)
			e := byHash[hash]
			if e == nil {
				e = &nsec3Entry{hash: hash, set: &rrset{}}
				byHash[hash] = e
			}
			switch rr := r.rr.(type) {
			case *dns.NSEC3:
				if z.n3.same(rr) {
					e.set.rrs = appendUnique(e.set.rrs, rr)
				}
			default:
				e.set.sigs = appendUnique(e.set.sigs, rr)
			}
		}
		for _, e := range byHash {
			if len(e.set.rrs) > 0 {
				z.nsec3 = append(z.nsec3, e)
			}
		}
		slices.SortFunc(z.nsec3, func(a, b *nsec3Entry) int { return strings.Compare(a.hash, b.hash) })
	}

	switch {
	case hasParam && len(z.nsec3) > 0:
		z.denial = denialNSEC3
	case len(z.nsec) > 0:
		z.denial = denialNSEC
	case len(z.nsec3) > 0:
		z.denial = denialNSEC3
	}
	return z, nil
}

// negativeSOA returns copies of the SOA RRset and its RRSIGs with the TTL of
// the SOA for negative answers: the smaller of its TTL and MINIMUM field (RFC
// 2308 section 3), as NSD and BIND send it. Signatures still verify: they cover
// the original TTL.
func negativeSOA(soa *rrset) *rrset {
	s := soa.rrs[0].(*dns.SOA)
	ttl := min(s.Hdr.Ttl, s.Minttl)
	neg := &rrset{t: dns.TypeSOA}
	for _, rr := range soa.rrs {
		c := dns.Copy(rr)
		c.Header().Ttl = ttl
		neg.rrs = append(neg.rrs, c)
	}
	for _, rr := range soa.sigs {
		c := dns.Copy(rr)
		c.Header().Ttl = ttl
		neg.sigs = append(neg.sigs, c)
	}
	return neg
}

// Origin returns the zone's origin, absolute, as given to NewZone.
func (z *Zone) Origin() string { return z.origin }

// node returns the node of a key, making it if needed (construction only).
func (z *Zone) node(key string) *node {
	nd := z.names[key]
	if nd == nil {
		nd = &node{key: key}
		z.names[key] = nd
	}
	return nd
}

func (n *node) add(t uint16, rr dns.RR, isSig bool) {
	rs := n.find(t)
	if rs == nil {
		rs = &rrset{t: t}
		n.sets = append(n.sets, rs)
	}
	if isSig {
		rs.sigs = appendUnique(rs.sigs, rr)
	} else {
		rs.rrs = appendUnique(rs.rrs, rr)
	}
}

// appendUnique appends rr unless an identical record is already there.
func appendUnique(rrs []dns.RR, rr dns.RR) []dns.RR {
	for _, r := range rrs {
		if dns.IsDuplicate(r, rr) {
			return rrs
		}
	}
	return append(rrs, rr)
}

// nsecFor returns the NSEC RRset at key or, if there is none there, the one
// of the closest name before key in canonical order, wrapping around to the
// last one (like NSD's find_covering_nsec): the NSEC proving that an empty
// non-terminal or a nonexistent name has no data. nil without NSEC records.
func (z *Zone) nsecFor(key string) *rrset {
	if nd := z.names[key]; nd != nil {
		if rs := nd.get(dns.TypeNSEC); rs != nil {
			return rs
		}
	}
	if len(z.nsec) == 0 {
		return nil
	}
	c := canonKey(key)
	i := sort.Search(len(z.nsec), func(i int) bool { return z.nsec[i].canon > c })
	if i == 0 {
		i = len(z.nsec)
	}
	return z.nsec[i-1].set
}

// nsec3Match returns the NSEC3 RRset whose hash is that of key, or nil.
func (z *Zone) nsec3Match(key string) *rrset {
	if len(z.nsec3) == 0 {
		return nil
	}
	h := z.n3.hash(key)
	i := sort.Search(len(z.nsec3), func(i int) bool { return z.nsec3[i].hash >= h })
	if i < len(z.nsec3) && z.nsec3[i].hash == h {
		return z.nsec3[i].set
	}
	return nil
}

// nsec3Cover returns the NSEC3 RRset of the closest hash before that of key,
// wrapping around to the last one: the NSEC3 covering key in a complete chain.
// nil without NSEC3 records.
func (z *Zone) nsec3Cover(key string) *rrset {
	if len(z.nsec3) == 0 {
		return nil
	}
	h := z.n3.hash(key)
	i := sort.Search(len(z.nsec3), func(i int) bool { return z.nsec3[i].hash >= h })
	if i == 0 {
		i = len(z.nsec3)
	}
	return z.nsec3[i-1].set
}
