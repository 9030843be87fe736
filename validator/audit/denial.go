package audit

import (
	"bytes"
	"crypto/sha1"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// checkDenial finds which denial of existence the zone uses and checks its
// chain.
func (a *auditor) checkDenial() {
	hasNSEC, hasNSEC3 := false, false
	for _, n := range a.nodes {
		if n.outside || n.occluded {
			continue
		}
		hasNSEC = hasNSEC || n.set(dns.TypeNSEC) != nil
		hasNSEC3 = hasNSEC3 || n.set(dns.TypeNSEC3) != nil
	}
	if a.apex != nil && a.apex.set(dns.TypeNSEC3PARAM) != nil {
		hasNSEC3 = true
	}

	// The names of the zone: authoritative names and delegation points, not
	// the owners of NSEC3 records.
	var names []*node
	for _, n := range a.nodes {
		if !n.outside && !n.occluded && !n.nsec3Only && len(n.sets) > 0 {
			names = append(names, n)
		}
	}
	switch {
	case hasNSEC3:
		a.report.Denial = DenialNSEC3
		a.checkNSEC3(names)
		if hasNSEC {
			a.warning(a.originKey, a.origin, dns.TypeNSEC, "the zone has both NSEC and NSEC3 records; both chains are checked")
			a.checkNSEC(names)
		}
	case hasNSEC:
		a.report.Denial = DenialNSEC
		a.checkNSEC(names)
	default:
		a.report.Denial = DenialNone
		a.problem(a.originKey, a.origin, dns.TypeNSEC, "no NSEC or NSEC3 records: the zone cannot deny existence")
	}
}

// denialTTL checks the TTL of an NSEC or NSEC3 record: the lesser of the SOA
// TTL and MINIMUM (RFC 4034 §4, RFC 5155 §3, as updated by RFC 9077 §3.1).
func (a *auditor) denialTTL(n *node, t uint16, ttl uint32) {
	if a.soa == nil {
		return
	}
	want := min(a.soa.Minttl, a.soa.Hdr.Ttl)
	switch ttl {
	case want:
	case a.soa.Minttl:
		a.nodeWarning(n, t, fmt.Sprintf("TTL %d is the SOA MINIMUM; RFC 9077 asks for the lesser of the SOA TTL and MINIMUM, %d", ttl, want))
	default:
		a.nodeProblem(n, t, fmt.Sprintf("TTL %d, expected %d (the lesser of the SOA TTL and MINIMUM, RFC 9077)", ttl, want))
	}
}

// typeList prints types separated by spaces.
func typeList(ts []uint16) string {
	if len(ts) == 0 {
		return "no types"
	}
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = typeName(t)
	}
	return strings.Join(parts, " ")
}

// checkBitmap compares a type bitmap with the types it should list.
func (a *auditor) checkBitmap(n *node, owner, ownerKey string, t uint16, got, want []uint16, what string) {
	g := slices.Clone(got)
	slices.Sort(g)
	g = slices.Compact(g)
	if slices.Equal(g, want) {
		return
	}
	reason := fmt.Sprintf("type bitmap%s lists %s, expected %s", what, typeList(g), typeList(want))
	if n != nil {
		a.nodeProblem(n, t, reason)
	} else {
		a.problem(ownerKey, owner, t, reason)
	}
}

// nsecTypes is the NSEC type bitmap a name should have: the types present
// (at a delegation point only NS and DS) plus NSEC and RRSIG (RFC 4035 §2.3).
func nsecTypes(n *node) []uint16 {
	ts := []uint16{dns.TypeNSEC, dns.TypeRRSIG}
	for _, t := range n.types() {
		if n.cut && t != dns.TypeNS && t != dns.TypeDS {
			continue
		}
		if t != dns.TypeNSEC && t != dns.TypeNSEC3 {
			ts = append(ts, t)
		}
	}
	slices.Sort(ts)
	return ts
}

// checkNSEC checks the NSEC chain over names (sorted canonically): one NSEC
// per name, each pointing to the next name, the last to the apex, with the
// right bitmap and TTL.
func (a *auditor) checkNSEC(names []*node) {
	for i, n := range names {
		next := names[(i+1)%len(names)]
		s := n.set(dns.TypeNSEC)
		if s == nil {
			a.nodeProblem(n, dns.TypeNSEC, "missing NSEC")
			continue
		}
		if len(s.rrs) > 1 {
			a.nodeProblem(n, dns.TypeNSEC, fmt.Sprintf("%d NSEC records at one name", len(s.rrs)))
		}
		nsec, ok := s.rrs[0].(*dns.NSEC)
		if !ok {
			continue
		}
		if k, ok := nameKey(nsec.NextDomain); !ok || k != next.key {
			a.nodeProblem(n, dns.TypeNSEC, fmt.Sprintf("next name is %s, expected %s", nsec.NextDomain, next.name))
		}
		a.checkBitmap(n, "", "", dns.TypeNSEC, nsec.TypeBitMap, nsecTypes(n), "")
		a.denialTTL(n, dns.TypeNSEC, nsec.Hdr.Ttl)
	}
}

var b32 = base32.HexEncoding.WithPadding(base32.NoPadding)

// nsec3Params are the parameters that define an NSEC3 chain.
type nsec3Params struct {
	hash       uint8
	iterations uint16
	salt       string // uppercase hex, "" for none
}

func normSalt(s string) string {
	if s == "-" {
		return ""
	}
	return strings.ToUpper(s)
}

func (p nsec3Params) String() string {
	salt := p.salt
	if salt == "" {
		salt = "-"
	}
	return fmt.Sprintf("hash %d, iterations %d, salt %s", p.hash, p.iterations, salt)
}

// nsec3Entry is one NSEC3 record of a chain.
type nsec3Entry struct {
	hash [sha1.Size]byte
	node *node
	rec  *dns.NSEC3
	used bool
}

// ent is an empty non-terminal: a name with no records but with
// descendants that have some. needed is false when all those descendants
// are insecure delegations, so that opt-out may leave it out
// (RFC 5155 §7.1).
type ent struct {
	key    string
	needed bool
}

// emptyNonTerminals returns the empty non-terminals above names (sorted
// canonically, starting at the apex). In canonical order the ancestors of a
// name that are not ancestors of the previous name sort between the two, so
// they exist only if they are that previous name itself.
func (a *auditor) emptyNonTerminals(names []*node) []*ent {
	var (
		ents  []*ent
		stack []*ent // open empty non-terminals: ancestors of the current name
		prev  string
	)
	for i, n := range names {
		if i == 0 || !keyBelow(n.key, a.originKey) {
			prev = n.key
			continue
		}
		for len(stack) > 0 && !keyBelow(n.key, stack[len(stack)-1].key) {
			stack = stack[:len(stack)-1]
		}
		var fresh []*ent
		for anc := keyParent(n.key); keyBelow(anc, a.originKey) && !keyAtOrBelow(prev, anc); anc = keyParent(anc) {
			fresh = append(fresh, &ent{key: anc})
		}
		for j := len(fresh) - 1; j >= 0; j-- {
			ents = append(ents, fresh[j])
			stack = append(stack, fresh[j])
		}
		if !(n.cut && n.set(dns.TypeDS) == nil) {
			for j := len(stack) - 1; j >= 0 && !stack[j].needed; j-- {
				stack[j].needed = true
			}
		}
		prev = n.key
	}
	return ents
}

// nsec3Hash is the RFC 5155 §5 hash of a wire-format name.
func nsec3Hash(wire, salt []byte, iterations uint16) [sha1.Size]byte {
	buf := make([]byte, 0, len(wire)+len(salt))
	h := sha1.Sum(append(append(buf, wire...), salt...))
	for range iterations {
		buf = append(append(buf[:0], h[:]...), salt...)
		h = sha1.Sum(buf)
	}
	return h
}

func hashName(h [sha1.Size]byte) string {
	return strings.ToLower(b32.EncodeToString(h[:]))
}

// nsec3Types is the NSEC3 type bitmap a name should have (RFC 5155 §7.1):
// the types present plus RRSIG when the name has signed data; at a
// delegation point NS, and DS and RRSIG when there is a DS.
func nsec3Types(n *node) []uint16 {
	if n.cut {
		if n.set(dns.TypeDS) != nil {
			return []uint16{dns.TypeNS, dns.TypeDS, dns.TypeRRSIG}
		}
		return []uint16{dns.TypeNS}
	}
	var ts []uint16
	for _, t := range n.types() {
		if t != dns.TypeNSEC3 {
			ts = append(ts, t)
		}
	}
	if len(ts) > 0 {
		ts = append(ts, dns.TypeRRSIG)
	}
	slices.Sort(ts)
	return ts
}

// checkNSEC3 checks the NSEC3 chain of each NSEC3PARAM (or, without one, of
// the first NSEC3 record) over names and the empty non-terminals.
func (a *auditor) checkNSEC3(names []*node) {
	var all []*nsec3Entry
	for _, n := range a.nodes {
		if n.outside || n.occluded {
			continue
		}
		if s := n.set(dns.TypeNSEC3); s != nil {
			for _, rr := range s.rrs {
				if rec, ok := rr.(*dns.NSEC3); ok {
					all = append(all, &nsec3Entry{node: n, rec: rec})
				}
			}
		}
	}
	var params []nsec3Params
	if a.apex != nil {
		if s := a.apex.set(dns.TypeNSEC3PARAM); s != nil {
			for _, rr := range s.rrs {
				p, ok := rr.(*dns.NSEC3PARAM)
				if !ok {
					continue
				}
				if p.Flags != 0 {
					a.nodeWarning(a.apex, dns.TypeNSEC3PARAM, fmt.Sprintf("flags %d, expected 0 (RFC 5155 §4.1.2)", p.Flags))
				}
				np := nsec3Params{p.Hash, p.Iterations, normSalt(p.Salt)}
				if !slices.Contains(params, np) {
					params = append(params, np)
				}
			}
		}
	}
	if len(params) == 0 {
		a.problem(a.originKey, a.origin, dns.TypeNSEC3PARAM, "no NSEC3PARAM at the zone apex")
		if len(all) == 0 {
			return
		}
		r := all[0].rec
		params = append(params, nsec3Params{r.Hash, r.Iterations, normSalt(r.Salt)})
	}

	// NSEC3 records of no chain.
	stray := map[nsec3Params]int{}
	for _, e := range all {
		p := nsec3Params{e.rec.Hash, e.rec.Iterations, normSalt(e.rec.Salt)}
		if !slices.Contains(params, p) {
			stray[p]++
		}
	}
	for p, count := range stray {
		a.problem(a.originKey, a.origin, dns.TypeNSEC3PARAM, fmt.Sprintf("%d NSEC3 records use parameters (%s) that match no NSEC3PARAM", count, p))
	}

	ents := a.emptyNonTerminals(names)
	for _, p := range params {
		var chain []*nsec3Entry
		for _, e := range all {
			if (nsec3Params{e.rec.Hash, e.rec.Iterations, normSalt(e.rec.Salt)}) == p {
				chain = append(chain, e)
			}
		}
		a.checkNSEC3Chain(p, chain, names, ents)
	}
}

// checkNSEC3Chain checks one NSEC3 chain.
func (a *auditor) checkNSEC3Chain(p nsec3Params, chain []*nsec3Entry, names []*node, ents []*ent) {
	apexKey, apexName := a.originKey, a.origin
	if p.hash != dns.SHA1 {
		a.problem(apexKey, apexName, dns.TypeNSEC3PARAM, fmt.Sprintf("NSEC3 hash algorithm %d is unknown: chain (%s) not checked", p.hash, p))
		return
	}
	if p.iterations > 0 {
		a.warning(apexKey, apexName, dns.TypeNSEC3PARAM, fmt.Sprintf("NSEC3 iterations %d: RFC 9276 §3.1 says 0", p.iterations))
	}
	salt, err := hex.DecodeString(p.salt)
	if err != nil {
		a.problem(apexKey, apexName, dns.TypeNSEC3PARAM, fmt.Sprintf("NSEC3 salt %q is not hex", p.salt))
		return
	}

	// The records: owner one label below the apex, a hash for a label.
	entries := chain[:0:0]
	for _, e := range chain {
		n, rec := e.node, e.rec
		if keyParent(n.key) != apexKey {
			a.nodeProblem(n, dns.TypeNSEC3, "NSEC3 owner is not one label below the zone apex")
			continue
		}
		labels := keyLabelsOf(n.key)
		raw, err := b32.DecodeString(strings.ToUpper(string(labels[len(labels)-1])))
		if err != nil || len(raw) != sha1.Size {
			a.nodeProblem(n, dns.TypeNSEC3, "NSEC3 owner label is not a base32hex SHA-1 hash")
			continue
		}
		copy(e.hash[:], raw)
		if rec.Flags&^1 != 0 {
			a.nodeProblem(n, dns.TypeNSEC3, fmt.Sprintf("unknown NSEC3 flags %d: validators ignore this record (RFC 5155 §8.2)", rec.Flags))
		}
		a.denialTTL(n, dns.TypeNSEC3, rec.Hdr.Ttl)
		entries = append(entries, e)
	}
	slices.SortStableFunc(entries, func(x, y *nsec3Entry) int { return bytes.Compare(x.hash[:], y.hash[:]) })
	uniq := entries[:0]
	for i, e := range entries {
		if i > 0 && e.hash == entries[i-1].hash {
			if i == 1 || entries[i-2].hash != e.hash {
				a.nodeProblem(e.node, dns.TypeNSEC3, "several NSEC3 records at one hashed owner")
			}
			continue
		}
		uniq = append(uniq, e)
	}
	entries = uniq
	if len(entries) == 0 {
		a.problem(apexKey, apexName, dns.TypeNSEC3, fmt.Sprintf("no NSEC3 records for the chain (%s)", p))
		return
	}

	// The chain is closed and ordered.
	for i, e := range entries {
		want := entries[(i+1)%len(entries)].hash
		raw, err := b32.DecodeString(strings.ToUpper(e.rec.NextDomain))
		if err != nil || len(raw) != sha1.Size || !bytes.Equal(raw, want[:]) {
			a.nodeProblem(e.node, dns.TypeNSEC3, fmt.Sprintf("next hashed owner is %s, expected %s",
				strings.ToLower(e.rec.NextDomain), hashName(want)))
		}
	}

	find := func(h [sha1.Size]byte) (int, bool) {
		return slices.BinarySearchFunc(entries, h, func(e *nsec3Entry, h [sha1.Size]byte) int {
			return bytes.Compare(e.hash[:], h[:])
		})
	}
	// covering returns the record whose span covers h.
	covering := func(i int) *nsec3Entry {
		if i == 0 {
			return entries[len(entries)-1]
		}
		return entries[i-1]
	}
	var wire []byte
	check := func(key string, n *node, optional bool, what string) {
		wire = keyWire(wire[:0], key)
		h := nsec3Hash(wire, salt, p.iterations)
		owner := hashName(h) + "." + a.origin
		i, found := find(h)
		var name string
		if n != nil {
			name = n.name
		} else {
			name = keyName(key)
		}
		if !found {
			switch {
			case optional && covering(i).rec.Flags&1 == 1:
			case optional:
				a.problem(key, name, dns.TypeNSEC3, fmt.Sprintf("%s has no NSEC3 (hashed owner %s) and the covering NSEC3 %s lacks the opt-out flag",
					what, owner, covering(i).node.name))
			case n == nil:
				a.problem(key, name, dns.TypeNSEC3, fmt.Sprintf("missing NSEC3 for empty non-terminal (hashed owner %s)", owner))
			default:
				a.problem(key, name, dns.TypeNSEC3, fmt.Sprintf("missing NSEC3 (hashed owner %s)", owner))
			}
			return
		}
		e := entries[i]
		e.used = true
		var want []uint16
		if n != nil {
			want = nsec3Types(n)
		}
		a.checkBitmap(nil, name, key, dns.TypeNSEC3, e.rec.TypeBitMap, want, " of NSEC3 "+e.node.name)
	}
	for _, n := range names {
		switch {
		case n.cut && n.set(dns.TypeDS) == nil:
			check(n.key, n, true, "insecure delegation")
		default:
			check(n.key, n, false, "name")
		}
	}
	for _, e := range ents {
		check(e.key, nil, !e.needed, "empty non-terminal")
	}
	for _, e := range entries {
		if !e.used {
			a.nodeProblem(e.node, dns.TypeNSEC3, "NSEC3 matches no name in the zone")
		}
	}
}
