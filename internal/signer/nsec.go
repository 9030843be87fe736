package signer

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

// types returns the sorted types of the RRsets at n that a denial record
// for n lists, without NSEC, NSEC3 and RRSIG.
func (n *node) types() []uint16 {
	var ts []uint16
	for _, s := range n.sets {
		switch s.typ {
		case dns.TypeNSEC, dns.TypeNSEC3, dns.TypeRRSIG:
			continue
		}
		if n.cut && s.typ != dns.TypeNS && s.typ != dns.TypeDS {
			continue // not authoritative here (RFC 4035 §2.3)
		}
		ts = append(ts, s.typ)
	}
	slices.Sort(ts)
	return ts
}

// addNSEC builds the NSEC chain (RFC 4034 §4, RFC 4035 §2.3) over every name
// that is not below a delegation point; empty non-terminals have no node and
// so no NSEC.
func (z *zone) addNSEC(signers []signingKey) error {
	var chain []*node
	for _, n := range z.nodes {
		if !n.occluded {
			chain = append(chain, n)
		}
	}
	slices.SortFunc(chain, func(a, b *node) int { return compareNames(a.key, b.key) })
	for i, n := range chain {
		next := chain[(i+1)%len(chain)]
		bitmap := append(n.types(), dns.TypeRRSIG, dns.TypeNSEC)
		slices.Sort(bitmap)
		n.sets = append(n.sets, &rrset{
			typ: dns.TypeNSEC,
			rrs: []dns.RR{&dns.NSEC{
				Hdr:        dns.RR_Header{Name: n.name, Rrtype: dns.TypeNSEC, Class: z.class, Ttl: z.negTTL},
				NextDomain: next.name,
				TypeBitMap: bitmap,
			}},
			signers: signers,
		})
	}
	return nil
}

// nsec3Entry is one original owner name of the NSEC3 chain.
type nsec3Entry struct {
	name   string
	hash   [sha1.Size]byte
	bitmap []uint16
}

var b32 = base32.HexEncoding.WithPadding(base32.NoPadding)

// addNSEC3 adds the NSEC3PARAM RRset at the apex and builds the NSEC3 chain
// (RFC 5155 §7.1).
func (z *zone) addNSEC3(d Denial, signers []signingKey) error {
	saltHex := d.Salt
	if saltHex == "-" {
		saltHex = ""
	}
	salt, err := hex.DecodeString(saltHex)
	if err != nil || len(salt) > 255 {
		return fmt.Errorf("signer: bad NSEC3 salt %q", d.Salt)
	}
	saltHex = strings.ToUpper(saltHex)
	var flags uint8
	if d.OptOut {
		flags = 1
	}
	z.apex.sets = append(z.apex.sets, &rrset{
		typ: dns.TypeNSEC3PARAM,
		rrs: []dns.RR{&dns.NSEC3PARAM{
			Hdr:        dns.RR_Header{Name: z.origin, Rrtype: dns.TypeNSEC3PARAM, Class: z.class, Ttl: z.negTTL},
			Hash:       dns.SHA1,
			Flags:      0, // RFC 5155 §4.1.2
			Iterations: d.Iterations,
			SaltLength: uint8(len(salt)),
			Salt:       saltHex,
		}},
		signers: signers,
	})

	// The original owner names: every authoritative name and delegation
	// point, less insecure delegations under opt-out, plus the empty
	// non-terminals above them.
	var entries []*nsec3Entry
	seen := make(map[string]bool, len(z.nodes))
	for name, n := range z.nodes {
		if n.occluded {
			continue
		}
		var bitmap []uint16
		switch {
		case n.cut && n.set(dns.TypeDS) == nil:
			if d.OptOut {
				continue
			}
			bitmap = []uint16{dns.TypeNS}
		default:
			bitmap = append(n.types(), dns.TypeRRSIG)
			slices.Sort(bitmap)
		}
		entries = append(entries, &nsec3Entry{name: name, bitmap: bitmap})
		seen[name] = true
	}
	for _, e := range slices.Clone(entries) {
		for anc := range z.ancestors(e.name) {
			if seen[anc] {
				break // anc and all above it are done
			}
			if _, ok := z.nodes[anc]; ok {
				break // a name with data: it has its own entry
			}
			seen[anc] = true
			entries = append(entries, &nsec3Entry{name: anc, bitmap: []uint16{}})
		}
	}

	err = parallel(len(entries), func(i int) error {
		h, err := nsec3Hash(entries[i].name, salt, d.Iterations)
		entries[i].hash = h
		return err
	})
	if err != nil {
		return err
	}
	slices.SortFunc(entries, func(a, b *nsec3Entry) int { return bytes.Compare(a.hash[:], b.hash[:]) })
	for i, e := range entries {
		next := entries[(i+1)%len(entries)]
		if i > 0 && entries[i-1].hash == e.hash {
			return fmt.Errorf("signer: NSEC3 hash collision between %s and %s", entries[i-1].name, e.name)
		}
		owner := strings.ToLower(b32.EncodeToString(e.hash[:])) + "." + z.origin
		if z.origin == "." {
			owner = owner[:len(owner)-1]
		}
		if _, ok := z.nodes[owner]; ok {
			return fmt.Errorf("signer: zone already has a name %s, the NSEC3 owner for %s", owner, e.name)
		}
		n, err := z.node(owner)
		if err != nil {
			return err
		}
		n.sets = append(n.sets, &rrset{
			typ: dns.TypeNSEC3,
			rrs: []dns.RR{&dns.NSEC3{
				Hdr:        dns.RR_Header{Name: owner, Rrtype: dns.TypeNSEC3, Class: z.class, Ttl: z.negTTL},
				Hash:       dns.SHA1,
				Flags:      flags,
				Iterations: d.Iterations,
				SaltLength: uint8(len(salt)),
				Salt:       saltHex,
				HashLength: sha1.Size,
				NextDomain: b32.EncodeToString(next.hash[:]),
				TypeBitMap: e.bitmap,
			}},
			signers: signers,
		})
	}
	return nil
}

// nsec3Hash is the RFC 5155 §5 hash of name.
func nsec3Hash(name string, salt []byte, iterations uint16) ([sha1.Size]byte, error) {
	var out [sha1.Size]byte
	wire := make([]byte, 256, 256+len(salt))
	n, err := dns.PackDomainName(name, wire, 0, nil, false)
	if err != nil {
		return out, fmt.Errorf("signer: bad name %q: %w", name, err)
	}
	wire = wire[:n]
	lowerASCII(wire)
	out = sha1.Sum(append(wire, salt...))
	buf := make([]byte, 0, sha1.Size+len(salt))
	for range iterations {
		buf = append(append(buf[:0], out[:]...), salt...)
		out = sha1.Sum(buf)
	}
	return out, nil
}
