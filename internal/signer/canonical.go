package signer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// This file builds the data an RRSIG signs (RFC 4034 §3.1.8.1, §6.2, §6.3)
// and orders names canonically (RFC 4034 §6.1). It deliberately does not use
// the validator's code: signer and validator check each other.

// canonicalRR is one record of an RRset in canonical wire form.
type canonicalRR struct {
	rr   dns.RR
	wire []byte // owner | type | class | TTL | RDLENGTH | RDATA
	rdat int    // offset of RDATA in wire
}

// lowerASCII lower-cases A-Z in place. On a wire-format name this is exact:
// length octets are at most 63 and never in 'A'..'Z'.
func lowerASCII(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
}

// wireNameLen returns the length of the uncompressed wire-format name at the
// start of b.
func wireNameLen(b []byte) (int, error) {
	off := 0
	for off < len(b) {
		l := int(b[off])
		if l == 0 {
			return off + 1, nil
		}
		if l > 63 {
			return 0, fmt.Errorf("signer: compressed or bad name in wire data")
		}
		off += 1 + l
	}
	return 0, fmt.Errorf("signer: truncated name in wire data")
}

// lowerRdataNames returns rr, or a copy of it with the domain names in its
// RDATA lower-cased when its type is one of those RFC 4034 §6.2 item 3 lists
// (as corrected by RFC 6840 §5.1: not HINFO, and not NSEC or RRSIG; RFC 3597
// §7 adds none). This is the list BIND, Unbound and miekg/dns use.
func lowerRdataNames(rr dns.RR) dns.RR {
	lc := dns.CanonicalName
	switch x := rr.(type) {
	case *dns.NS:
		if x.Ns != lc(x.Ns) {
			c := *x
			c.Ns = lc(x.Ns)
			return &c
		}
	case *dns.MD:
		c := *x
		c.Md = lc(x.Md)
		return &c
	case *dns.MF:
		c := *x
		c.Mf = lc(x.Mf)
		return &c
	case *dns.CNAME:
		if x.Target != lc(x.Target) {
			c := *x
			c.Target = lc(x.Target)
			return &c
		}
	case *dns.SOA:
		c := *x
		c.Ns, c.Mbox = lc(x.Ns), lc(x.Mbox)
		return &c
	case *dns.MB:
		c := *x
		c.Mb = lc(x.Mb)
		return &c
	case *dns.MG:
		c := *x
		c.Mg = lc(x.Mg)
		return &c
	case *dns.MR:
		c := *x
		c.Mr = lc(x.Mr)
		return &c
	case *dns.PTR:
		c := *x
		c.Ptr = lc(x.Ptr)
		return &c
	case *dns.MINFO:
		c := *x
		c.Rmail, c.Email = lc(x.Rmail), lc(x.Email)
		return &c
	case *dns.MX:
		c := *x
		c.Mx = lc(x.Mx)
		return &c
	case *dns.RP:
		c := *x
		c.Mbox, c.Txt = lc(x.Mbox), lc(x.Txt)
		return &c
	case *dns.AFSDB:
		c := *x
		c.Hostname = lc(x.Hostname)
		return &c
	case *dns.RT:
		c := *x
		c.Host = lc(x.Host)
		return &c
	case *dns.SIG:
		c := *x
		c.SignerName = lc(x.SignerName)
		return &c
	case *dns.PX:
		c := *x
		c.Map822, c.Mapx400 = lc(x.Map822), lc(x.Mapx400)
		return &c
	case *dns.NAPTR:
		c := *x
		c.Replacement = lc(x.Replacement)
		return &c
	case *dns.KX:
		c := *x
		c.Exchanger = lc(x.Exchanger)
		return &c
	case *dns.SRV:
		c := *x
		c.Target = lc(x.Target)
		return &c
	case *dns.DNAME:
		c := *x
		c.Target = lc(x.Target)
		return &c
	}
	return rr
}

// canonicalRRset returns the records of rrset in canonical form with TTL ttl,
// sorted by RDATA and without duplicates (RFC 4034 §6.2, §6.3). The records
// themselves are not modified.
func canonicalRRset(rrset []dns.RR, ttl uint32) ([]canonicalRR, error) {
	out := make([]canonicalRR, 0, len(rrset))
	for _, rr := range rrset {
		c := lowerRdataNames(rr)
		wire := make([]byte, dns.Len(c)+1)
		n, err := dns.PackRR(c, wire, 0, nil, false)
		if err != nil {
			return nil, fmt.Errorf("signer: packing %s: %w", rr.Header().Name, err)
		}
		wire = wire[:n]
		nl, err := wireNameLen(wire)
		if err != nil {
			return nil, err
		}
		if nl+10 > len(wire) {
			return nil, fmt.Errorf("signer: short record %s", rr.Header().Name)
		}
		lowerASCII(wire[:nl])
		binary.BigEndian.PutUint32(wire[nl+4:], ttl)
		out = append(out, canonicalRR{rr: rr, wire: wire, rdat: nl + 10})
	}
	slices.SortStableFunc(out, func(a, b canonicalRR) int {
		return bytes.Compare(a.wire[a.rdat:], b.wire[b.rdat:])
	})
	return slices.CompactFunc(out, func(a, b canonicalRR) bool {
		return bytes.Equal(a.wire[a.rdat:], b.wire[b.rdat:])
	}), nil
}

// signedData returns RRSIG RDATA without the signature || canonical RRset
// (RFC 4034 §3.1.8.1). The owner names of rrs must not need wildcard
// reconstruction (true when signing: owner label count >= sig.Labels).
func signedData(sig *dns.RRSIG, rrs []canonicalRR) ([]byte, error) {
	size := 18 + 255
	for _, c := range rrs {
		size += len(c.wire)
	}
	buf := make([]byte, 18, size)
	binary.BigEndian.PutUint16(buf[0:], sig.TypeCovered)
	buf[2] = sig.Algorithm
	buf[3] = sig.Labels
	binary.BigEndian.PutUint32(buf[4:], sig.OrigTtl)
	binary.BigEndian.PutUint32(buf[8:], sig.Expiration)
	binary.BigEndian.PutUint32(buf[12:], sig.Inception)
	binary.BigEndian.PutUint16(buf[16:], sig.KeyTag)
	name := make([]byte, 256)
	n, err := dns.PackDomainName(dns.CanonicalName(sig.SignerName), name, 0, nil, false)
	if err != nil {
		return nil, fmt.Errorf("signer: signer name %q: %w", sig.SignerName, err)
	}
	lowerASCII(name[:n])
	buf = append(buf, name[:n]...)
	for _, c := range rrs {
		buf = append(buf, c.wire...)
	}
	return buf, nil
}

// rrsigLabels is the RRSIG Labels value for owner: its label count, not
// counting a leading "*" label (RFC 4034 §3.1.3).
func rrsigLabels(owner string) uint8 {
	n := dns.CountLabel(owner)
	if owner == "*." || strings.HasPrefix(owner, "*.") {
		n--
	}
	return uint8(n)
}

// nameKey returns the raw labels of name, lower-cased, from the root down:
// the key of RFC 4034 §6.1 canonical ordering (see compareNames).
func nameKey(name string) ([]string, error) {
	wire := make([]byte, 256)
	n, err := dns.PackDomainName(dns.Fqdn(name), wire, 0, nil, false)
	if err != nil {
		return nil, fmt.Errorf("signer: bad name %q: %w", name, err)
	}
	wire = wire[:n]
	lowerASCII(wire)
	var labels []string
	for off := 0; wire[off] != 0; off += 1 + int(wire[off]) {
		labels = append(labels, string(wire[off+1:off+1+int(wire[off])]))
	}
	slices.Reverse(labels)
	return labels, nil
}

// compareNames orders two name keys canonically (RFC 4034 §6.1): label by
// label from the root, each label as an unsigned octet string, a name sorting
// before the names below it.
func compareNames(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}
