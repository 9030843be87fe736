package authority

import (
	"crypto"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Test zones are built and signed here, independently of the package code:
// names are compared by labels in presentation form (the test zones use no
// escapes), NSEC3 hashes come from dns.HashName.

type mode int

const (
	unsigned mode = iota
	withNSEC
	withNSEC3
	withNSEC3OptOut
)

func (m mode) String() string {
	return [...]string{"unsigned", "nsec", "nsec3", "nsec3-optout"}[m]
}

const (
	testSalt  = "AABBCC"
	testIter  = 2
	sigTTL    = 3600
	inception = 1735689600 // 2025-01-01
	expirat   = 2082758400 // 2036-01-01
)

type signer struct {
	origin string
	key    *dns.DNSKEY
	priv   crypto.Signer
}

var signers = map[string]*signer{}

func newSigner(t testing.TB, origin string) *signer {
	t.Helper()
	if s := signers[origin]; s != nil {
		return s
	}
	key := &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: origin, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     257,
		Protocol:  3,
		Algorithm: dns.ECDSAP256SHA256,
	}
	priv, err := key.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	s := &signer{origin: origin, key: key, priv: priv.(crypto.Signer)}
	signers[origin] = s
	return s
}

func (s *signer) sign(t testing.TB, rrset []dns.RR) dns.RR {
	t.Helper()
	sig := &dns.RRSIG{
		Hdr:        dns.RR_Header{Ttl: rrset[0].Header().Ttl},
		Algorithm:  s.key.Algorithm,
		Expiration: expirat,
		Inception:  inception,
		KeyTag:     s.key.KeyTag(),
		SignerName: s.origin,
	}
	if err := sig.Sign(s.priv, rrset); err != nil {
		t.Fatal(err)
	}
	return sig
}

func mustRR(t testing.TB, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil || rr == nil {
		t.Fatalf("bad test record %q: %v", s, err)
	}
	return rr
}

// labelsOf returns the lowercased labels of a name, rightmost first.
func labelsOf(name string) []string {
	ls := dns.SplitDomainName(strings.ToLower(name))
	slices.Reverse(ls)
	return ls
}

// canonLess reports a < b in canonical order (RFC 4034 section 6.1), for names
// without escapes.
func canonLess(a, b string) bool {
	la, lb := labelsOf(a), labelsOf(b)
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return la[i] < lb[i]
		}
	}
	return len(la) < len(lb)
}

func sameName(a, b string) bool { return strings.EqualFold(dns.Fqdn(a), dns.Fqdn(b)) }

// buildZone returns the records of a zone made of recs (absolute names),
// signed and chained according to m. The apex gets a DNSKEY when signed and an
// NSEC3PARAM with NSEC3.
func buildZone(t testing.TB, origin string, recs []string, m mode) []dns.RR {
	t.Helper()
	var rrs []dns.RR
	for _, s := range recs {
		rrs = append(rrs, mustRR(t, s))
	}
	if m == unsigned {
		return rrs
	}
	sg := newSigner(t, origin)
	rrs = append(rrs, dns.Copy(sg.key))
	if m != withNSEC {
		rrs = append(rrs, &dns.NSEC3PARAM{
			Hdr:  dns.RR_Header{Name: origin, Rrtype: dns.TypeNSEC3PARAM, Class: dns.ClassINET},
			Hash: dns.SHA1, Iterations: testIter, SaltLength: uint8(len(testSalt) / 2), Salt: testSalt,
		})
	}

	// Names, types, cuts.
	type rset struct {
		name string
		typ  uint16
		rrs  []dns.RR
	}
	sets := map[string]*rset{} // lowercased name + "/" + type
	var order []string
	types := map[string]map[uint16]bool{}
	for _, rr := range rrs {
		h := rr.Header()
		n := strings.ToLower(h.Name)
		k := fmt.Sprintf("%s/%d", n, h.Rrtype)
		if sets[k] == nil {
			sets[k] = &rset{name: h.Name, typ: h.Rrtype}
			order = append(order, k)
		}
		sets[k].rrs = append(sets[k].rrs, rr)
		if types[n] == nil {
			types[n] = map[uint16]bool{}
		}
		types[n][h.Rrtype] = true
	}
	apex := strings.ToLower(origin)
	isCut := func(n string) bool { return n != apex && types[n][dns.TypeNS] }
	occluded := func(n string) bool {
		for p := n; p != apex; {
			i := strings.IndexByte(p, '.')
			p = p[i+1:]
			if p == "" {
				p = "."
			}
			if p != apex && isCut(p) {
				return true
			}
			if p == "." {
				break
			}
		}
		return false
	}
	var names []string // authoritative names, original case of the first record
	orig := map[string]string{}
	for _, rr := range rrs {
		n := strings.ToLower(rr.Header().Name)
		if _, ok := orig[n]; !ok && !occluded(n) {
			orig[n] = rr.Header().Name
			names = append(names, n)
		}
	}
	bitmap := func(n string, extra ...uint16) []uint16 {
		var bm []uint16
		for ty := range types[n] {
			if isCut(n) && ty != dns.TypeNS && ty != dns.TypeDS {
				continue
			}
			bm = append(bm, ty)
		}
		if !isCut(n) || types[n][dns.TypeDS] {
			bm = append(bm, dns.TypeRRSIG)
		}
		bm = append(bm, extra...)
		slices.Sort(bm)
		return bm
	}

	var chain []dns.RR
	switch m {
	case withNSEC:
		sorted := slices.Clone(names)
		sort.Slice(sorted, func(i, j int) bool { return canonLess(sorted[i], sorted[j]) })
		for i, n := range sorted {
			next := orig[sorted[(i+1)%len(sorted)]]
			chain = append(chain, &dns.NSEC{
				Hdr:        dns.RR_Header{Name: orig[n], Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: 300},
				NextDomain: next,
				TypeBitMap: bitmap(n, dns.TypeNSEC),
			})
		}
	case withNSEC3, withNSEC3OptOut:
		optOut := m == withNSEC3OptOut
		in := map[string]bool{}
		for _, n := range names {
			if optOut && isCut(n) && !types[n][dns.TypeDS] {
				continue
			}
			in[n] = true
			for p := n; p != apex; {
				p = strings.ToLower(dns.Fqdn(strings.Join(dns.SplitDomainName(p)[1:], ".")))
				in[p] = true // empty non-terminals
			}
		}
		type h struct{ hash, name string }
		var hs []h
		for n := range in {
			hs = append(hs, h{dns.HashName(n, dns.SHA1, testIter, testSalt), n})
		}
		sort.Slice(hs, func(i, j int) bool { return hs[i].hash < hs[j].hash })
		var flags uint8
		if optOut {
			flags = 1
		}
		for i, x := range hs {
			var bm []uint16
			if _, exists := types[x.name]; exists {
				bm = bitmap(x.name)
			}
			chain = append(chain, &dns.NSEC3{
				Hdr:        dns.RR_Header{Name: strings.ToLower(x.hash) + "." + origin, Rrtype: dns.TypeNSEC3, Class: dns.ClassINET, Ttl: 300},
				Hash:       dns.SHA1,
				Flags:      flags,
				Iterations: testIter,
				SaltLength: uint8(len(testSalt) / 2),
				Salt:       testSalt,
				HashLength: 20,
				NextDomain: hs[(i+1)%len(hs)].hash,
				TypeBitMap: bm,
			})
		}
	}

	// Sign the authoritative RRsets; at a cut, only DS.
	var out []dns.RR
	for _, k := range order {
		s := sets[k]
		n := strings.ToLower(s.name)
		out = append(out, s.rrs...)
		if occluded(n) || (isCut(n) && s.typ != dns.TypeDS) {
			continue
		}
		out = append(out, sg.sign(t, s.rrs))
	}
	for _, rr := range chain {
		out = append(out, rr, sg.sign(t, []dns.RR{rr}))
	}
	return out
}

// describe renders a record as "owner TYPE", RRSIGs as "owner RRSIG/TYPE".
func describe(rr dns.RR) string {
	if s, ok := rr.(*dns.RRSIG); ok {
		return rr.Header().Name + " RRSIG/" + dns.TypeToString[s.TypeCovered]
	}
	return rr.Header().Name + " " + dns.TypeToString[rr.Header().Rrtype]
}

func describeAll(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		out = append(out, describe(rr))
	}
	return out
}

// isProof reports whether rr is an NSEC or NSEC3 or an RRSIG covering one.
func isProof(rr dns.RR) bool {
	switch r := rr.(type) {
	case *dns.NSEC, *dns.NSEC3:
		return true
	case *dns.RRSIG:
		return r.TypeCovered == dns.TypeNSEC || r.TypeCovered == dns.TypeNSEC3
	}
	return false
}

// sameMultiset compares two lists of strings ignoring order.
func sameMultiset(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// nsecCovers reports whether an NSEC proves that name does not exist.
func nsecCovers(n *dns.NSEC, name string) bool {
	owner, next := n.Hdr.Name, n.NextDomain
	if canonLess(owner, next) {
		return canonLess(owner, name) && canonLess(name, next)
	}
	// The last NSEC: next is the apex.
	return canonLess(owner, name) && dns.IsSubDomain(next, name)
}

// checkProof reports whether rr satisfies "match:NAME" or "cover:NAME".
func checkProof(rr dns.RR, spec string) bool {
	kind, name, _ := strings.Cut(spec, ":")
	switch r := rr.(type) {
	case *dns.NSEC:
		if kind == "match" {
			return sameName(r.Hdr.Name, name)
		}
		return nsecCovers(r, name)
	case *dns.NSEC3:
		if kind == "match" {
			return r.Match(name)
		}
		return r.Cover(name)
	}
	return false
}

// verifySigs checks every RRSIG of a message against key, over the records of
// the same section with its owner and covered type.
func verifySigs(t *testing.T, m *dns.Msg, key *dns.DNSKEY) {
	t.Helper()
	when := time.Unix(1800000000, 0)
	for _, sec := range [][]dns.RR{m.Answer, m.Ns, m.Extra} {
		for _, rr := range sec {
			sig, ok := rr.(*dns.RRSIG)
			if !ok {
				continue
			}
			var set []dns.RR
			for _, r := range sec {
				if r.Header().Rrtype == sig.TypeCovered && sameName(r.Header().Name, sig.Hdr.Name) {
					set = append(set, r)
				}
			}
			if len(set) == 0 {
				t.Errorf("RRSIG without its RRset: %v", sig)
				continue
			}
			if err := sig.Verify(key, set); err != nil {
				t.Errorf("RRSIG %v does not verify: %v", sig, err)
			}
			if !sig.ValidityPeriod(when) {
				t.Errorf("RRSIG %v not valid", sig)
			}
		}
	}
}

// noDuplicates checks that no record appears twice in a message.
func noDuplicates(t *testing.T, m *dns.Msg) {
	t.Helper()
	var all []dns.RR
	all = append(all, m.Answer...)
	all = append(all, m.Ns...)
	all = append(all, m.Extra...)
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			if dns.IsDuplicate(all[i], all[j]) {
				t.Errorf("duplicate record %v", all[i])
			}
		}
	}
}
