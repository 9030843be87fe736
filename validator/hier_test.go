package validator_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/authority"
	"github.com/dnssecsim/dnssecsim/internal/signer"
	"github.com/dnssecsim/dnssecsim/validator"
)

// This file builds small signed hierarchies for the validator's tests:
//
//	.                     root, holds the trust anchor
//	test.                 TLD
//	example.test.         the zone most cases look at
//	other.test.           a second signed child (CNAME/DNAME targets)
//	unsigned.test.        an unsigned child (insecure delegation)
//	sub.example.test.     a grandchild (signed, with DS, unless changed)
//
// Every zone is described by a zoneSpec (algorithms, KSK+ZSK or CSK, NSEC or
// NSEC3, DS digest types in the parent, key seed); a case may change the
// specs before signing and break the signed zones afterwards with the
// helpers below (drop records, corrupt a signature, re-sign with another
// validity window, edit the DS set...). Keys come from fixed seeds, so every
// run signs the same data. Validation happens at testNow; signatures are
// valid from sigFrom to sigUntil, as in the oracle corpus.

var (
	testNow  = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	sigFrom  = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	sigUntil = time.Date(2035, 12, 31, 0, 0, 0, 0, time.UTC)
)

// The zones of the hierarchy.
const (
	zRoot     = "."
	zTest     = "test."
	zExample  = "example.test."
	zOther    = "other.test."
	zUnsigned = "unsigned.test."
	zSub      = "sub.example.test."
)

// zoneOrder lists the zones top-down; a zone's parent comes before it.
var zoneOrder = []string{zRoot, zTest, zExample, zOther, zUnsigned, zSub}

// glueIP is the address of each zone's name server (TEST-NET-1). Offline
// tests never use it; the network test maps it to a loopback port.
var glueIP = map[string]string{
	zRoot: "192.0.2.1", zTest: "192.0.2.2", zExample: "192.0.2.3",
	zOther: "192.0.2.4", zUnsigned: "192.0.2.5", zSub: "192.0.2.6",
}

// zoneData is the content of each zone besides SOA, NS, glue, delegations,
// DNSKEYs and the denial chain.
var zoneData = map[string][]string{
	zExample: {
		"www.example.test. 3600 IN A 192.0.2.10",
		"www.example.test. 3600 IN AAAA 2001:db8::10",
		`www.example.test. 3600 IN TXT "hello"`,
		// A wildcard (RFC 4592) one level down, so that answers from it
		// need a proof (RFC 4035 §5.3.4).
		"*.wild.example.test. 3600 IN A 192.0.2.20",
		`*.wild.example.test. 3600 IN TXT "wild"`,
		// host.ent makes ent.example.test. an empty non-terminal.
		"host.ent.example.test. 3600 IN A 192.0.2.30",
		"alias.example.test. 3600 IN CNAME www.example.test.",
		"to-other.example.test. 3600 IN CNAME www.other.test.",
		"to-unsigned.example.test. 3600 IN CNAME www.unsigned.test.",
		"loop1.example.test. 3600 IN CNAME loop2.example.test.",
		"loop2.example.test. 3600 IN CNAME loop1.example.test.",
		"xloop.example.test. 3600 IN CNAME xloop.other.test.",
		"dn.example.test. 3600 IN DNAME other.test.",
	},
	zOther: {
		"www.other.test. 3600 IN A 192.0.2.40",
		"xloop.other.test. 3600 IN CNAME xloop.example.test.",
	},
	zUnsigned: {
		"www.unsigned.test. 3600 IN A 192.0.2.50",
	},
	zSub: {
		"www.sub.example.test. 3600 IN A 192.0.2.60",
	},
}

// zoneSpec says how one zone of the hierarchy is built and signed.
type zoneSpec struct {
	Name string
	// Algs lists the signing algorithms: one KSK and one ZSK each (one CSK
	// each with CSK). Default 13.
	Algs []uint8
	CSK  bool
	// Seed is the key seed; different seeds give different keys (an "old"
	// and a "new" operator).
	Seed string
	// Unsigned leaves the zone unsigned; its parent then has no DS for it.
	Unsigned bool
	// Denial picks NSEC or NSEC3 (iterations, salt, opt-out).
	Denial signer.Denial
	// Digests are the DS digest types the parent publishes (default {2}).
	Digests []uint8
	// NoDS keeps the parent from publishing a DS for this (signed) zone.
	NoDS bool
	// DSKeys, when set, are the keys the parent's DS set is made from
	// instead of this zone's KSKs.
	DSKeys []*dns.DNSKEY
	// EditDS has the last word on the DS set before the parent signs it.
	EditDS func(ds []*dns.DS) []*dns.DS
	// KSKs and ZSKs are made from Algs, CSK and Seed at build time unless a
	// setup function set them (see (*hier).keys).
	KSKs, ZSKs []*signer.Key
	// ExtraDNSKEYs are published in the DNSKEY set but sign nothing.
	ExtraDNSKEYs []*dns.DNSKEY
	// Records is extra zone data (absolute owner names).
	Records []string
	// Inception and Expiration override the hierarchy's signature window.
	Inception, Expiration time.Time
}

// hier is one hierarchy: its specs, then (after build) its signed zones.
type hier struct {
	t     testing.TB
	specs map[string]*zoneSpec
	// Inception and Expiration are the signature window of every zone.
	Inception, Expiration time.Time
	// AnchorKind is "ds" (default: DS digest 2 of the root KSKs), "dnskey"
	// (the root KSK DNSKEYs), "none", "unrelated" (a DS anchor for a zone
	// outside the hierarchy) or "test" (DS anchor for test.).
	AnchorKind string
	// AnchorFunc, when set, makes the anchor instead of AnchorKind.
	AnchorFunc func(h *hier) *validator.Anchor
	// MaxIter is passed to Validator.MaxNSEC3Iterations.
	MaxIter int
	// Tamper, when set, edits every response on its way to the validator
	// (an on-path attacker).
	Tamper func(at validator.Servers, qname string, qtype uint16, m *dns.Msg)

	zones map[string][]dns.RR // signed (or unsigned) records by zone
	built bool
}

// newHier returns the default hierarchy spec: every zone signed with
// algorithm 13, KSK+ZSK, NSEC, DS digest 2; unsigned.test. unsigned.
func newHier(t testing.TB) *hier {
	h := &hier{t: t, specs: map[string]*zoneSpec{}, Inception: sigFrom, Expiration: sigUntil, AnchorKind: "ds"}
	for _, z := range zoneOrder {
		h.specs[z] = &zoneSpec{Name: z, Algs: []uint8{dns.ECDSAP256SHA256}, Seed: "main", Digests: []uint8{dns.SHA256}}
	}
	h.specs[zUnsigned].Unsigned = true
	return h
}

// spec returns the spec of zone z.
func (h *hier) spec(z string) *zoneSpec {
	s := h.specs[z]
	if s == nil {
		h.t.Fatalf("no zone %s in the hierarchy", z)
	}
	return s
}

// all applies f to every zone's spec.
func (h *hier) all(f func(s *zoneSpec)) {
	for _, z := range zoneOrder {
		f(h.specs[z])
	}
}

// newKey derives a key for zone z; the seed names its role.
func newKey(t testing.TB, z string, alg uint8, flags uint16, seed string) *signer.Key {
	t.Helper()
	k, err := signer.NewKey(z, alg, flags, []byte(seed))
	if err != nil {
		t.Fatalf("NewKey(%s, %d, %d): %v", z, alg, flags, err)
	}
	return k
}

// keys makes the keys of zone z from its spec if not made yet and returns
// them. Setup functions call it to get at keys before signing.
func (h *hier) keys(z string) (ksks, zsks []*signer.Key) {
	s := h.spec(z)
	if s.KSKs == nil && s.ZSKs == nil {
		for _, alg := range s.Algs {
			if s.CSK {
				k := newKey(h.t, z, alg, 257, s.Seed+"/csk")
				s.KSKs, s.ZSKs = append(s.KSKs, k), append(s.ZSKs, k)
				continue
			}
			s.KSKs = append(s.KSKs, newKey(h.t, z, alg, 257, s.Seed+"/ksk"))
			s.ZSKs = append(s.ZSKs, newKey(h.t, z, alg, 256, s.Seed+"/zsk"))
		}
	}
	return s.KSKs, s.ZSKs
}

// withFlags returns a copy of k whose DNSKEY has other flags (same key
// material, so a different key tag): a revoked key, a key without the
// ZONE bit.
func withFlags(k *signer.Key, flags uint16) *signer.Key {
	d := dns.Copy(k.DNSKEY).(*dns.DNSKEY)
	d.Flags = flags
	return &signer.Key{DNSKEY: d, Private: k.Private}
}

// parentOf returns the closest enclosing zone of z in the hierarchy.
func parentOf(z string) string {
	if z == zRoot {
		return ""
	}
	for p := z; ; {
		off, end := dns.NextLabel(p, 0)
		if end {
			return zRoot
		}
		p = p[off:]
		if slices.Contains(zoneOrder, p) {
			return p
		}
	}
}

func mustRR(t testing.TB, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil || rr == nil {
		t.Fatalf("bad test record %q: %v", s, err)
	}
	return rr
}

// dsSet returns the DS records the parent of z publishes.
func (h *hier) dsSet(z string) []*dns.DS {
	s := h.spec(z)
	if s.Unsigned || s.NoDS {
		return nil
	}
	keys := s.DSKeys
	if keys == nil {
		ksks, _ := h.keys(z)
		for _, k := range ksks {
			keys = append(keys, k.DNSKEY)
		}
	}
	var ds []*dns.DS
	for _, k := range keys {
		for _, d := range s.Digests {
			r := k.ToDS(d)
			if r == nil {
				h.t.Fatalf("ToDS(%d) failed for %s", d, z)
			}
			r.Hdr.Ttl = 3600
			ds = append(ds, r)
		}
	}
	if s.EditDS != nil {
		ds = s.EditDS(ds)
	}
	return ds
}

// records returns the unsigned content of zone z, delegations included.
func (h *hier) records(z string) []dns.RR {
	var rrs []dns.RR
	add := func(format string, a ...any) { rrs = append(rrs, mustRR(h.t, fmt.Sprintf(format, a...))) }
	if z == zRoot {
		add(". 86400 IN SOA a.root-servers.net. hostmaster.root-servers.net. 1 7200 3600 1209600 300")
		add(". 86400 IN NS a.root-servers.net.")
	} else {
		add("%s 3600 IN SOA ns1.%s hostmaster.%s 1 7200 3600 1209600 300", z, z, z)
		add("%s 3600 IN NS ns1.%s", z, z)
		add("ns1.%s 3600 IN A %s", z, glueIP[z])
	}
	for _, child := range zoneOrder {
		if parentOf(child) != z {
			continue
		}
		add("%s 3600 IN NS ns1.%s", child, child)
		add("ns1.%s 3600 IN A %s", child, glueIP[child])
		for _, ds := range h.dsSet(child) {
			rrs = append(rrs, ds)
		}
	}
	for _, r := range zoneData[z] {
		add("%s", r)
	}
	for _, r := range h.spec(z).Records {
		add("%s", r)
	}
	return rrs
}

// build signs every zone. It may be called once.
func (h *hier) build() *hier {
	h.t.Helper()
	if h.built {
		h.t.Fatal("hier built twice")
	}
	h.built = true
	h.zones = map[string][]dns.RR{}
	for _, z := range zoneOrder {
		s := h.spec(z)
		rrs := h.records(z)
		if s.Unsigned {
			h.zones[z] = rrs
			continue
		}
		ksks, zsks := h.keys(z)
		inc, exp := h.Inception, h.Expiration
		if !s.Inception.IsZero() {
			inc = s.Inception
		}
		if !s.Expiration.IsZero() {
			exp = s.Expiration
		}
		signed, err := signer.SignZone(z, rrs, signer.Options{
			KSKs: ksks, ZSKs: zsks, ExtraDNSKEYs: s.ExtraDNSKEYs,
			Inception: inc, Expiration: exp, Denial: s.Denial,
		})
		if err != nil {
			h.t.Fatalf("signing %s: %v", z, err)
		}
		h.zones[z] = signed
	}
	return h
}

// anchor returns the trust anchor AnchorKind asks for.
func (h *hier) anchor() *validator.Anchor {
	ds := func(z string) []*dns.DS {
		ksks, _ := h.keys(z)
		var out []*dns.DS
		for _, k := range ksks {
			out = append(out, k.DNSKEY.ToDS(dns.SHA256))
		}
		return out
	}
	if h.AnchorFunc != nil {
		return h.AnchorFunc(h)
	}
	switch h.AnchorKind {
	case "", "ds":
		return &validator.Anchor{Zone: zRoot, DS: ds(zRoot)}
	case "dnskey":
		ksks, _ := h.keys(zRoot)
		a := &validator.Anchor{Zone: zRoot}
		for _, k := range ksks {
			a.DNSKEY = append(a.DNSKEY, k.DNSKEY)
		}
		return a
	case "none":
		return nil
	case "unrelated":
		k := newKey(h.t, "elsewhere.invalid.", dns.ED25519, 257, "unrelated")
		return &validator.Anchor{Zone: "elsewhere.invalid.", DS: []*dns.DS{k.DNSKEY.ToDS(dns.SHA256)}}
	case "test":
		return &validator.Anchor{Zone: zTest, DS: ds(zTest)}
	}
	h.t.Fatalf("unknown anchor kind %q", h.AnchorKind)
	return nil
}

// set indexes the zones for answering.
func (h *hier) set() *authority.Set {
	h.t.Helper()
	var zs []*authority.Zone
	for _, z := range zoneOrder {
		az, err := authority.NewZone(z, h.zones[z])
		if err != nil {
			h.t.Fatalf("zone %s: %v", z, err)
		}
		zs = append(zs, az)
	}
	return authority.NewSet(zs...)
}

// validator returns a Validator over the zones, offline.
func (h *hier) validator() *validator.Validator {
	var src validator.Source = validator.ZoneSource{Zones: h.set()}
	if h.Tamper != nil {
		src = tamperSource{src, h.Tamper}
	}
	return &validator.Validator{Source: src, Anchor: h.anchor(), MaxNSEC3Iterations: h.MaxIter}
}

// tamperSource lets a test edit the responses of another Source.
type tamperSource struct {
	src  validator.Source
	edit func(at validator.Servers, qname string, qtype uint16, m *dns.Msg)
}

func (s tamperSource) Query(ctx context.Context, at validator.Servers, qname string, qtype uint16) (*dns.Msg, error) {
	m, err := s.src.Query(ctx, at, qname, qtype)
	if err == nil {
		s.edit(at, qname, qtype, m)
	}
	return m, err
}

// validate validates qname/qtype at now over the zones.
func (h *hier) validate(qname string, qtype uint16, now time.Time) *validator.Verdict {
	h.t.Helper()
	v, err := h.validator().Validate(context.Background(), qname, qtype, now)
	if err != nil {
		h.t.Fatalf("Validate(%s %s): %v", qname, dns.TypeToString[qtype], err)
	}
	return v
}

// --- breaking things after signing ---

// filter keeps the records of zone z for which keep is true.
func (h *hier) filter(z string, keep func(rr dns.RR) bool) {
	h.zones[z] = slices.DeleteFunc(h.zones[z], func(rr dns.RR) bool { return !keep(rr) })
}

func isSigOver(rr dns.RR, owner string, covered uint16) (*dns.RRSIG, bool) {
	s, ok := rr.(*dns.RRSIG)
	if !ok || s.TypeCovered != covered || !strings.EqualFold(s.Hdr.Name, owner) {
		return nil, false
	}
	return s, true
}

// dropRRset removes the RRset owner/t from zone z, keeping its RRSIGs.
func (h *hier) dropRRset(z, owner string, t uint16) {
	n := len(h.zones[z])
	h.filter(z, func(rr dns.RR) bool {
		return !(rr.Header().Rrtype == t && strings.EqualFold(rr.Header().Name, owner))
	})
	if len(h.zones[z]) == n {
		h.t.Fatalf("dropRRset: no %s %s in %s", owner, dns.TypeToString[t], z)
	}
}

// dropSigs removes the RRSIGs over owner/covered in zone z for which match
// is true (all of them if match is nil).
func (h *hier) dropSigs(z, owner string, covered uint16, match func(*dns.RRSIG) bool) {
	n := len(h.zones[z])
	h.filter(z, func(rr dns.RR) bool {
		s, ok := isSigOver(rr, owner, covered)
		return !ok || (match != nil && !match(s))
	})
	if len(h.zones[z]) == n {
		h.t.Fatalf("dropSigs: no RRSIG over %s %s in %s", owner, dns.TypeToString[covered], z)
	}
}

// dropAll removes the RRset owner/t and its RRSIGs.
func (h *hier) dropAll(z, owner string, t uint16) {
	h.dropRRset(z, owner, t)
	h.dropSigs(z, owner, t, nil)
}

// dropType removes every record of type t and every RRSIG over type t
// from zone z.
func (h *hier) dropType(z string, t uint16) {
	h.filter(z, func(rr dns.RR) bool {
		if s, ok := rr.(*dns.RRSIG); ok {
			return s.TypeCovered != t
		}
		return rr.Header().Rrtype != t
	})
}

// sigs returns the RRSIGs over owner/covered in zone z, in zone order.
func (h *hier) sigs(z, owner string, covered uint16) []*dns.RRSIG {
	var out []*dns.RRSIG
	for _, rr := range h.zones[z] {
		if s, ok := isSigOver(rr, owner, covered); ok {
			out = append(out, s)
		}
	}
	return out
}

// rrset returns the records owner/t of zone z.
func (h *hier) rrset(z, owner string, t uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range h.zones[z] {
		if rr.Header().Rrtype == t && strings.EqualFold(rr.Header().Name, owner) {
			out = append(out, rr)
		}
	}
	return out
}

// flipSig corrupts one byte in the middle of a signature.
func flipSig(s *dns.RRSIG) {
	b, err := base64.StdEncoding.DecodeString(s.Signature)
	if err != nil || len(b) == 0 {
		panic("flipSig: bad signature")
	}
	b[len(b)/2] ^= 0x5a
	s.Signature = base64.StdEncoding.EncodeToString(b)
}

// corruptSig corrupts the i-th RRSIG over owner/covered in zone z (every
// one of them if i < 0).
func (h *hier) corruptSig(z, owner string, covered uint16, i int) {
	sigs := h.sigs(z, owner, covered)
	if len(sigs) == 0 || i >= len(sigs) {
		h.t.Fatalf("corruptSig: no RRSIG %d over %s %s in %s", i, owner, dns.TypeToString[covered], z)
	}
	for j, s := range sigs {
		if i < 0 || i == j {
			flipSig(s)
		}
	}
}

// resign replaces the RRSIGs over owner/t in zone z with one made by key
// for the window [inc, exp].
func (h *hier) resign(z, owner string, t uint16, key *signer.Key, inc, exp time.Time) *dns.RRSIG {
	set := h.rrset(z, owner, t)
	if len(set) == 0 {
		h.t.Fatalf("resign: no %s %s in %s", owner, dns.TypeToString[t], z)
	}
	sig, err := signer.Sign(set, key, inc, exp)
	if err != nil {
		h.t.Fatalf("resign: %v", err)
	}
	h.dropSigs(z, owner, t, nil)
	h.zones[z] = append(h.zones[z], sig)
	return sig
}

// add parses records into zone z.
func (h *hier) add(z string, lines ...string) {
	for _, l := range lines {
		h.zones[z] = append(h.zones[z], mustRR(h.t, l))
	}
}

// nsec3Owner returns the NSEC3 record of zone z that matches name (match)
// or covers it (!match).
func (h *hier) nsec3For(z, name string, match bool) *dns.NSEC3 {
	for _, rr := range h.zones[z] {
		n, ok := rr.(*dns.NSEC3)
		if !ok {
			continue
		}
		if (match && n.Match(name)) || (!match && n.Cover(name)) {
			return n
		}
	}
	h.t.Fatalf("no NSEC3 in %s %s %s", z, map[bool]string{true: "matching", false: "covering"}[match], name)
	return nil
}

// dropNSEC3 removes one NSEC3 record and its RRSIGs.
func (h *hier) dropNSEC3(z string, n *dns.NSEC3) {
	owner := n.Hdr.Name
	h.dropAll(z, owner, dns.TypeNSEC3)
}

// dsDigest returns a copy of ds with its digest changed (the last hex digit).
func badDigest(ds *dns.DS) *dns.DS {
	c := dns.Copy(ds).(*dns.DS)
	last := c.Digest[len(c.Digest)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	c.Digest = c.Digest[:len(c.Digest)-1] + string(repl)
	return c
}

// buildHier builds the standard hierarchy, with setup changing its spec
// before signing and post breaking it after (either may be nil).
func buildHier(t *testing.T, setup, post func(*hier)) *hier {
	t.Helper()
	h := newHier(t)
	if setup != nil {
		setup(h)
	}
	h.build()
	if post != nil {
		post(h)
	}
	return h
}
