package signer

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// Denial chooses the authenticated denial of existence of a signed zone.
type Denial struct {
	NSEC3      bool   // NSEC3 (RFC 5155) instead of NSEC (RFC 4034)
	Iterations uint16 // NSEC3 extra iterations (RFC 9276 recommends 0)
	Salt       string // NSEC3 salt in hex; "" or "-" for none
	OptOut     bool   // NSEC3 opt-out: insecure delegations get no NSEC3
}

// Options controls SignZone.
type Options struct {
	// KSKs sign the DNSKEY RRset, ZSKs sign every other RRset. A key in both
	// lists (a CSK) signs everything. If one list is empty the other signs
	// everything; both empty is an error. The DNSKEY RRset holds the
	// DNSKEYs of all these keys. Keys must be owned by the zone's origin.
	KSKs, ZSKs []*Key
	// ExtraDNSKEYs are published in the DNSKEY RRset but sign nothing: for
	// example another operator's ZSK in a multi-signer setup (RFC 8901) or a
	// pre-published key (RFC 6781 §4.1.1, §4.3.5).
	ExtraDNSKEYs []*dns.DNSKEY
	// Inception and Expiration bound the validity of every signature. Both
	// must be set. Nothing checks that Inception is before Expiration, so
	// tests can make signatures that are expired or not yet valid.
	Inception, Expiration time.Time
	// Denial chooses NSEC or NSEC3.
	Denial Denial
	// DNSKEYTTL is the TTL of the DNSKEY RRset; 0 means 3600.
	DNSKEYTTL uint32
}

// rrset is one RRset of the zone being signed.
type rrset struct {
	typ     uint16
	rrs     []dns.RR
	signers []signingKey
	sigs    []dns.RR
}

// node is one owner name of the zone being signed.
type node struct {
	name     string   // lower-cased presentation name
	key      []string // canonical ordering key, see nameKey
	sets     []*rrset
	cut      bool // a delegation point: not the apex, has NS
	occluded bool // strictly below a delegation point (glue and the like)
}

func (n *node) set(t uint16) *rrset {
	for _, s := range n.sets {
		if s.typ == t {
			return s
		}
	}
	return nil
}

func (n *node) add(rr dns.RR) {
	t := rr.Header().Rrtype
	if s := n.set(t); s != nil {
		s.rrs = append(s.rrs, rr)
		return
	}
	n.sets = append(n.sets, &rrset{typ: t, rrs: []dns.RR{rr}})
}

type signingKey struct {
	key *Key
	tag uint16
}

// zone is the working state of SignZone.
type zone struct {
	origin string
	class  uint16
	negTTL uint32 // TTL of NSEC, NSEC3 and NSEC3PARAM records
	nodes  map[string]*node
	apex   *node
}

func (z *zone) node(name string) (*node, error) {
	if n, ok := z.nodes[name]; ok {
		return n, nil
	}
	key, err := nameKey(name)
	if err != nil {
		return nil, err
	}
	n := &node{name: name, key: key}
	z.nodes[name] = n
	return n, nil
}

// SignZone signs the zone origin made of rrs and returns a new record list:
// the input records (copied, duplicates dropped), the DNSKEY RRset, the NSEC
// or NSEC3 chain (with an NSEC3PARAM at the apex) and the RRSIGs. It follows
// RFC 4035 §2:
//
//   - The apex and all authoritative RRsets are signed.
//   - At a delegation point (a non-apex name with NS) only the DS and NSEC
//     RRsets are signed; the NS RRset and any other data there are not.
//   - Names below a delegation point (glue) get no NSEC, no NSEC3 and no
//     signature.
//   - NSEC bitmaps list the types present plus NSEC and RRSIG; at a
//     delegation point only NS, DS (if present), NSEC and RRSIG.
//   - Empty non-terminals get no NSEC (RFC 4035 §2.3) but get an NSEC3 with
//     an empty bitmap (RFC 5155 §7.1).
//   - NSEC3 bitmaps list the types present at the original name plus RRSIG
//     when something there is signed: an insecure delegation has only NS, a
//     secure one NS, DS and RRSIG.
//   - With NSEC3 opt-out, insecure delegations (NS without DS) and the empty
//     non-terminals that exist only because of them get no NSEC3, and every
//     NSEC3 has the opt-out flag; the NSEC3PARAM flags stay 0.
//   - NSEC, NSEC3 and NSEC3PARAM TTLs are min(SOA MINIMUM, SOA TTL)
//     (RFC 4034 §4, RFC 5155 §3, RFC 9077).
//
// The zone must contain exactly one SOA, at origin, and only names at or
// below origin, all of the SOA's class. RRSIG, NSEC, NSEC3 and NSEC3PARAM
// records in rrs are dropped (the zone is signed afresh); DNSKEYs at the apex
// are kept and join the DNSKEY RRset like ExtraDNSKEYs.
//
// The output is in canonical order (RFC 4034 §6.1) of owner names, then by
// type; the records of an RRset are in canonical RDATA order, RRSIGs sit at
// the place of type RRSIG ordered by covered type and then by key order (KSKs,
// then ZSKs, as given). The same inputs give byte-identical output on every
// run (see the package documentation on ECDSA). RRsets are signed in parallel
// on GOMAXPROCS goroutines.
func SignZone(origin string, rrs []dns.RR, opt Options) ([]dns.RR, error) {
	if _, ok := dns.IsDomainName(origin); !ok || origin == "" {
		return nil, fmt.Errorf("signer: bad origin %q", origin)
	}
	origin = dns.CanonicalName(origin)
	if opt.Inception.IsZero() || opt.Expiration.IsZero() {
		return nil, errors.New("signer: Options.Inception and Options.Expiration must be set")
	}
	ksks, zsks, err := zoneKeys(origin, opt)
	if err != nil {
		return nil, err
	}
	z := &zone{origin: origin, nodes: make(map[string]*node, len(rrs)/2+1)}
	if z.apex, err = z.node(origin); err != nil {
		return nil, err
	}
	if err := z.load(rrs, opt); err != nil {
		return nil, err
	}
	z.classify()

	// Who signs what (RFC 4035 §2.2).
	for _, n := range z.nodes {
		for _, s := range n.sets {
			switch {
			case n.occluded:
			case n.cut && s.typ != dns.TypeDS && s.typ != dns.TypeNSEC:
			case n == z.apex && s.typ == dns.TypeDNSKEY:
				s.signers = ksks
			default:
				s.signers = zsks
			}
		}
	}
	if opt.Denial.NSEC3 {
		err = z.addNSEC3(opt.Denial, zsks)
	} else {
		err = z.addNSEC(zsks)
	}
	if err != nil {
		return nil, err
	}

	// Order names and types; then canonicalise and sign every RRset.
	nodes := make([]*node, 0, len(z.nodes))
	for _, n := range z.nodes {
		nodes = append(nodes, n)
		slices.SortFunc(n.sets, func(a, b *rrset) int { return cmp.Compare(a.typ, b.typ) })
	}
	slices.SortFunc(nodes, func(a, b *node) int { return compareNames(a.key, b.key) })
	var sets []*rrset
	for _, n := range nodes {
		sets = append(sets, n.sets...)
	}
	inception, expiration := uint32(opt.Inception.Unix()), uint32(opt.Expiration.Unix())
	err = parallel(len(sets), func(i int) error {
		s := sets[i]
		h := s.rrs[0].Header()
		crrs, err := canonicalRRset(s.rrs, h.Ttl)
		if err != nil {
			return err
		}
		s.rrs = s.rrs[:0]
		for _, c := range crrs {
			s.rrs = append(s.rrs, c.rr)
		}
		for _, k := range s.signers {
			sig, err := signCanonical(s.rrs[0].Header(), crrs, k.key, k.tag, inception, expiration)
			if err != nil {
				return err
			}
			s.sigs = append(s.sigs, sig)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	total := 0
	for _, s := range sets {
		total += len(s.rrs) + len(s.sigs)
	}
	out := make([]dns.RR, 0, total)
	for _, n := range nodes {
		i := 0
		for ; i < len(n.sets) && n.sets[i].typ < dns.TypeRRSIG; i++ {
			out = append(out, n.sets[i].rrs...)
		}
		for _, s := range n.sets {
			out = append(out, s.sigs...)
		}
		for ; i < len(n.sets); i++ {
			out = append(out, n.sets[i].rrs...)
		}
	}
	return out, nil
}

// zoneKeys checks the keys of opt and returns who signs the DNSKEY RRset
// and who signs the rest.
func zoneKeys(origin string, opt Options) (ksks, zsks []signingKey, err error) {
	conv := func(keys []*Key) ([]signingKey, error) {
		var out []signingKey
		for _, k := range keys {
			if err := checkKey(k); err != nil {
				return nil, err
			}
			if dns.CanonicalName(k.DNSKEY.Hdr.Name) != origin {
				return nil, fmt.Errorf("signer: key %d belongs to %s, not %s", k.DNSKEY.KeyTag(), k.DNSKEY.Hdr.Name, origin)
			}
			if slices.ContainsFunc(out, func(s signingKey) bool { return s.key == k }) {
				continue
			}
			out = append(out, signingKey{key: k, tag: k.DNSKEY.KeyTag()})
		}
		return out, nil
	}
	if ksks, err = conv(opt.KSKs); err != nil {
		return nil, nil, err
	}
	if zsks, err = conv(opt.ZSKs); err != nil {
		return nil, nil, err
	}
	switch {
	case len(ksks) == 0 && len(zsks) == 0:
		return nil, nil, errors.New("signer: no signing keys")
	case len(ksks) == 0:
		ksks = zsks
	case len(zsks) == 0:
		zsks = ksks
	}
	return ksks, zsks, nil
}

// load copies the records into the zone and builds the DNSKEY RRset.
func (z *zone) load(rrs []dns.RR, opt Options) error {
	var soa *dns.SOA
	for _, rr := range rrs {
		if rr == nil {
			continue
		}
		h := rr.Header()
		switch h.Rrtype {
		case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3, dns.TypeNSEC3PARAM:
			continue
		}
		name := dns.CanonicalName(h.Name)
		if !dns.IsSubDomain(z.origin, name) {
			return fmt.Errorf("signer: %s %s is not in zone %s", h.Name, dns.Type(h.Rrtype), z.origin)
		}
		if s, ok := rr.(*dns.SOA); ok {
			if name != z.origin {
				return fmt.Errorf("signer: SOA at %s, not at the origin %s", h.Name, z.origin)
			}
			if soa != nil {
				return fmt.Errorf("signer: more than one SOA at %s", z.origin)
			}
			soa = s
		}
		n, err := z.node(name)
		if err != nil {
			return err
		}
		n.add(dns.Copy(rr))
	}
	if soa == nil {
		return fmt.Errorf("signer: no SOA at %s", z.origin)
	}
	z.class = soa.Hdr.Class
	z.negTTL = min(soa.Minttl, soa.Hdr.Ttl)
	for _, n := range z.nodes {
		for _, s := range n.sets {
			for _, rr := range s.rrs {
				if rr.Header().Class != z.class {
					return fmt.Errorf("signer: %s %s has class %s, the SOA has %s", rr.Header().Name,
						dns.Type(s.typ), dns.Class(rr.Header().Class), dns.Class(z.class))
				}
			}
		}
	}

	// The DNSKEY RRset: keys, extra keys, and DNSKEYs already in the zone.
	ttl := opt.DNSKEYTTL
	if ttl == 0 {
		ttl = DefaultDNSKEYTTL
	}
	var dnskeys []*dns.DNSKEY
	for _, k := range slices.Concat(opt.KSKs, opt.ZSKs) {
		dnskeys = append(dnskeys, k.DNSKEY)
	}
	for _, k := range opt.ExtraDNSKEYs {
		if k == nil {
			continue
		}
		if dns.CanonicalName(k.Hdr.Name) != z.origin {
			return fmt.Errorf("signer: extra DNSKEY %d belongs to %s, not %s", k.KeyTag(), k.Hdr.Name, z.origin)
		}
		dnskeys = append(dnskeys, k)
	}
	for _, k := range dnskeys {
		c := dns.Copy(k).(*dns.DNSKEY)
		c.Hdr.Name, c.Hdr.Class, c.Hdr.Rrtype = z.origin, z.class, dns.TypeDNSKEY
		z.apex.add(c)
	}
	if s := z.apex.set(dns.TypeDNSKEY); s != nil {
		for _, rr := range s.rrs {
			rr.Header().Ttl = ttl
		}
	}
	return nil
}

// classify marks delegation points and the names below them.
func (z *zone) classify() {
	for name, n := range z.nodes {
		if n == z.apex {
			continue
		}
		for anc := range z.ancestors(name) {
			if a, ok := z.nodes[anc]; ok && a.set(dns.TypeNS) != nil {
				n.occluded = true
				break
			}
		}
		n.cut = !n.occluded && n.set(dns.TypeNS) != nil
	}
}

// ancestors yields the proper ancestors of name strictly below the origin,
// nearest first. name must be at or below the origin.
func (z *zone) ancestors(name string) iter.Seq[string] {
	return func(yield func(string) bool) {
		if name == z.origin {
			return
		}
		idx := dns.Split(name)
		for _, i := range idx[1:] {
			anc := name[i:]
			if anc == z.origin || !yield(anc) {
				return
			}
		}
	}
}

// parallel calls fn(0) ... fn(n-1) on up to GOMAXPROCS goroutines and
// returns the error of the lowest index that failed.
func parallel(n int, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), (n+63)/64)
	if workers <= 1 {
		for i := range n {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	const batch = 64
	var (
		next     atomic.Int64
		mu       sync.Mutex
		firstErr error
		errIndex = n
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(batch)) - batch
				if start >= n {
					return
				}
				for i := start; i < min(start+batch, n); i++ {
					if err := fn(i); err != nil {
						mu.Lock()
						if i < errIndex {
							firstErr, errIndex = err, i
						}
						mu.Unlock()
						break
					}
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}
