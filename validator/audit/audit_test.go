package audit

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/signer"
	"github.com/dnssecsim/dnssecsim/validator"
)

const origin = "example.test."

var (
	inception  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	expiration = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	now        = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
)

// unsigned is the test zone: apex data, names with several types, an empty
// non-terminal (deep), a wildcard, a secure delegation (sub, with glue) and
// an insecure one (insecure, with glue and an empty non-terminal between
// the cut and the glue).
const unsigned = `
example.test.            3600 IN SOA ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300
example.test.            3600 IN NS  ns1.example.test.
example.test.            3600 IN MX  10 mail.example.test.
ns1.example.test.        3600 IN A   192.0.2.1
www.example.test.        3600 IN A   192.0.2.2
www.example.test.        3600 IN AAAA 2001:db8::2
mail.example.test.       3600 IN A   192.0.2.3
host.deep.example.test.  3600 IN TXT "below an empty non-terminal"
*.wild.example.test.     3600 IN TXT "wildcard"
sub.example.test.        3600 IN NS  ns.sub.example.test.
sub.example.test.        3600 IN DS  12345 13 2 0000000000000000000000000000000000000000000000000000000000000000
ns.sub.example.test.     3600 IN A   192.0.2.53
insecure.example.test.   3600 IN NS  ns.a.insecure.example.test.
ns.a.insecure.example.test. 3600 IN A 192.0.2.54
x.y.unsafe.example.test. 3600 IN NS  ns.elsewhere.test.
`

func parseRRs(t testing.TB, text string) []dns.RR {
	t.Helper()
	var out []dns.RR
	zp := dns.NewZoneParser(strings.NewReader(text), ".", "test")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		out = append(out, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// keys holds the signing keys of a test zone.
type keys struct {
	ksk, zsk []*signer.Key
}

func newKeys(t testing.TB, algs ...uint8) keys {
	t.Helper()
	var k keys
	for _, alg := range algs {
		ksk, err := signer.NewKey(origin, alg, 257, []byte("audit test"))
		if err != nil {
			t.Fatal(err)
		}
		zsk, err := signer.NewKey(origin, alg, 256, []byte("audit test"))
		if err != nil {
			t.Fatal(err)
		}
		k.ksk, k.zsk = append(k.ksk, ksk), append(k.zsk, zsk)
	}
	return k
}

// zone is a signed test zone that a test breaks on purpose.
type zone struct {
	t    testing.TB
	keys keys
	rrs  []dns.RR
}

func signed(t testing.TB, d signer.Denial, algs ...uint8) *zone {
	t.Helper()
	k := newKeys(t, algs...)
	rrs, err := signer.SignZone(origin, parseRRs(t, unsigned), signer.Options{
		KSKs: k.ksk, ZSKs: k.zsk, Inception: inception, Expiration: expiration, Denial: d,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &zone{t: t, keys: k, rrs: rrs}
}

func nsecZone(t testing.TB) *zone { return signed(t, signer.Denial{}, dns.ECDSAP256SHA256) }
func nsec3Zone(t testing.TB) *zone {
	return signed(t, signer.Denial{NSEC3: true}, dns.ECDSAP256SHA256)
}

// find returns the index of the first record at owner of type t that
// satisfies match (nil: any).
func (z *zone) find(owner string, t uint16, match func(dns.RR) bool) int {
	for i, rr := range z.rrs {
		h := rr.Header()
		if strings.EqualFold(h.Name, owner) && h.Rrtype == t && (match == nil || match(rr)) {
			return i
		}
	}
	z.t.Fatalf("no %s %s in the zone", owner, dns.TypeToString[t])
	return -1
}

// sigOver returns the index of the RRSIG at owner over type t by algorithm alg.
func (z *zone) sigOver(owner string, t uint16, alg uint8) int {
	return z.find(owner, dns.TypeRRSIG, func(rr dns.RR) bool {
		s := rr.(*dns.RRSIG)
		return s.TypeCovered == t && s.Algorithm == alg
	})
}

func (z *zone) remove(i int) { z.rrs = slices.Delete(z.rrs, i, i+1) }

// resign replaces the signatures over the RRset at owner/t with fresh ones
// by the ZSKs, valid from inc to exp.
func (z *zone) resign(owner string, t uint16, inc, exp time.Time) {
	var set []dns.RR
	var out []dns.RR
	for _, rr := range z.rrs {
		h := rr.Header()
		if strings.EqualFold(h.Name, owner) {
			if h.Rrtype == t {
				set = append(set, rr)
			}
			if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == t {
				continue
			}
		}
		out = append(out, rr)
	}
	signers := z.keys.zsk
	if t == dns.TypeDNSKEY {
		signers = z.keys.ksk
	}
	for _, k := range signers {
		sig, err := signer.Sign(set, k, inc, exp)
		if err != nil {
			z.t.Fatal(err)
		}
		out = append(out, sig)
	}
	z.rrs = out
}

// nsec3Owner is the hashed owner name of name in the test zone's chain.
func nsec3Owner(name string) string {
	return strings.ToLower(dns.HashName(name, dns.SHA1, 0, "")) + "." + origin
}

// want is an expected finding: owner and type exactly, reason as a
// substring.
type want struct{ owner, typ, reason string }

func matchFindings(t *testing.T, kind string, got []Finding, wants []want) {
	t.Helper()
	used := make([]bool, len(got))
	for _, w := range wants {
		found := false
		for i, f := range got {
			if !used[i] && f.Owner == w.owner && f.Type == w.typ && strings.Contains(f.Reason, w.reason) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing %s %s %s: ...%s...", kind, w.owner, w.typ, w.reason)
		}
	}
	for i, f := range got {
		if !used[i] {
			t.Errorf("unexpected %s: %s %s: %s", kind, f.Owner, f.Type, f.Reason)
		}
	}
}

func dsFor(t testing.TB, k *signer.Key) *dns.DS {
	t.Helper()
	ds := k.DNSKEY.ToDS(dns.SHA256)
	if ds == nil {
		t.Fatal("ToDS failed")
	}
	return ds
}

func TestVerify(t *testing.T) {
	www, mail := "www."+origin, "mail."+origin
	tests := []struct {
		name     string
		zone     func(t testing.TB) *zone
		opt      func(z *zone, o *Options)
		problems []want
		warnings []want
		denial   string
	}{
		{
			// A zone as the signer makes it, with NSEC, verifies cleanly.
			name:   "good NSEC zone",
			zone:   nsecZone,
			denial: DenialNSEC,
		},
		{
			// The same zone with an NSEC3 chain (no opt-out): every name
			// and empty non-terminal has its NSEC3.
			name:   "good NSEC3 zone",
			zone:   nsec3Zone,
			denial: DenialNSEC3,
		},
		{
			// NSEC3 with opt-out and a salt: the insecure delegations and
			// the empty non-terminals above only them have no NSEC3.
			name: "good NSEC3 opt-out zone",
			zone: func(t testing.TB) *zone {
				return signed(t, signer.Denial{NSEC3: true, OptOut: true, Salt: "ABCD", Iterations: 0}, dns.ECDSAP256SHA256)
			},
			denial: DenialNSEC3,
		},
		{
			// Two algorithms, each signing everything: verifies.
			name: "good two-algorithm zone",
			zone: func(t testing.TB) *zone {
				return signed(t, signer.Denial{}, dns.ECDSAP256SHA256, dns.ED25519)
			},
			denial: DenialNSEC,
		},
		{
			// A flipped bit in the signature of www A.
			name: "corrupted signature",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				s := z.rrs[z.sigOver(www, dns.TypeA, 13)].(*dns.RRSIG)
				b := []byte(s.Signature)
				b[10] ^= 1
				if b[10] == '+' || b[10] == '/' {
					b[10] = 'A'
				}
				s.Signature = string(b)
				return z
			},
			problems: []want{{www, "A", "signature does not verify"}},
			denial:   DenialNSEC,
		},
		{
			// www AAAA re-signed with a window that ended before now.
			name: "expired signature",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				z.resign(www, dns.TypeAAAA, inception, now.Add(-time.Hour))
				return z
			},
			problems: []want{{www, "AAAA", "signature expired (expired 2026-01-31T23:00:00Z)"}},
			denial:   DenialNSEC,
		},
		{
			// www AAAA re-signed with a window that starts tomorrow.
			name: "signature not yet valid",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				z.resign(www, dns.TypeAAAA, now.Add(24*time.Hour), expiration)
				return z
			},
			problems: []want{{www, "AAAA", "signature not yet valid"}},
			denial:   DenialNSEC,
		},
		{
			// The RRSIG over mail A removed.
			name: "missing RRSIG",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				z.remove(z.sigOver(mail, dns.TypeA, 13))
				return z
			},
			problems: []want{{mail, "A", "missing RRSIG"}},
			denial:   DenialNSEC,
		},
		{
			// DNSKEY RRset with algorithms 13 and 15; the algorithm 15
			// signature over www A removed (RFC 6840 §5.11).
			name: "missing algorithm",
			zone: func(t testing.TB) *zone {
				z := signed(t, signer.Denial{}, dns.ECDSAP256SHA256, dns.ED25519)
				z.remove(z.sigOver(www, dns.TypeA, dns.ED25519))
				return z
			},
			problems: []want{{www, "A", "no RRSIG by algorithm 15 (ED25519)"}},
			denial:   DenialNSEC,
		},
		{
			// The NSEC of www (and its RRSIG) removed: a hole in the chain.
			name: "NSEC chain broken: record removed",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				z.remove(z.find(www, dns.TypeNSEC, nil))
				z.remove(z.sigOver(www, dns.TypeNSEC, 13))
				return z
			},
			problems: []want{{www, "NSEC", "missing NSEC"}},
			denial:   DenialNSEC,
		},
		{
			// The NSEC of mail skips ns1 (re-signed, so only the chain is wrong).
			name: "NSEC next name wrong",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				n := z.rrs[z.find(mail, dns.TypeNSEC, nil)].(*dns.NSEC)
				n.NextDomain = "sub." + origin
				z.resign(mail, dns.TypeNSEC, inception, expiration)
				return z
			},
			problems: []want{{mail, "NSEC", "next name is sub.example.test., expected ns1.example.test."}},
			denial:   DenialNSEC,
		},
		{
			// The NSEC of www does not list AAAA (re-signed).
			name: "NSEC bitmap wrong",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				n := z.rrs[z.find(www, dns.TypeNSEC, nil)].(*dns.NSEC)
				n.TypeBitMap = []uint16{dns.TypeA, dns.TypeRRSIG, dns.TypeNSEC}
				z.resign(www, dns.TypeNSEC, inception, expiration)
				return z
			},
			problems: []want{{www, "NSEC", "type bitmap lists A RRSIG NSEC, expected A AAAA RRSIG NSEC"}},
			denial:   DenialNSEC,
		},
		{
			// At a delegation point the NSEC lists only NS and DS (and NSEC,
			// RRSIG): one that also lists A is wrong.
			name: "NSEC bitmap at a delegation lists glue",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				n := z.rrs[z.find("sub."+origin, dns.TypeNSEC, nil)].(*dns.NSEC)
				n.TypeBitMap = []uint16{dns.TypeA, dns.TypeNS, dns.TypeDS, dns.TypeRRSIG, dns.TypeNSEC}
				z.resign("sub."+origin, dns.TypeNSEC, inception, expiration)
				return z
			},
			problems: []want{{"sub." + origin, "NSEC", "type bitmap lists A NS DS RRSIG NSEC, expected NS DS RRSIG NSEC"}},
			denial:   DenialNSEC,
		},
		{
			// The NSEC3 of www removed: www has none and the previous NSEC3
			// points to a hash that is no longer there.
			name: "NSEC3 chain gap",
			zone: func(t testing.TB) *zone {
				z := nsec3Zone(t)
				i := z.find(nsec3Owner(www), dns.TypeNSEC3, nil)
				z.remove(i)
				z.remove(z.sigOver(nsec3Owner(www), dns.TypeNSEC3, 13))
				return z
			},
			problems: []want{
				{www, "NSEC3", "missing NSEC3 (hashed owner " + nsec3Owner(www) + ")"},
				{"*", "NSEC3", "next hashed owner is " + strings.TrimSuffix(nsec3Owner(www), "."+origin)},
			},
			denial: DenialNSEC3,
		},
		{
			// The NSEC3 of the empty non-terminal deep removed and the chain
			// relinked around it (re-signed): only the ENT lacks its NSEC3.
			name: "NSEC3 missing for empty non-terminal",
			zone: func(t testing.TB) *zone {
				z := nsec3Zone(t)
				unlink(z, "deep."+origin)
				return z
			},
			problems: []want{{"deep." + origin, "NSEC3", "missing NSEC3 for empty non-terminal"}},
			denial:   DenialNSEC3,
		},
		{
			// Opt-out chain where the NSEC3 covering the insecure
			// delegation lost its opt-out flag (re-signed).
			name: "opt-out inconsistency",
			zone: func(t testing.TB) *zone {
				z := signed(t, signer.Denial{NSEC3: true, OptOut: true}, dns.ECDSAP256SHA256)
				cover := coveringNSEC3(z, "insecure."+origin)
				cover.Flags = 0
				z.resign(cover.Hdr.Name, dns.TypeNSEC3, inception, expiration)
				return z
			},
			problems: []want{{"insecure." + origin, "NSEC3", "insecure delegation has no NSEC3"}},
			denial:   DenialNSEC3,
		},
		{
			// An NSEC3 bitmap that omits RRSIG at www (re-signed).
			name: "NSEC3 bitmap wrong",
			zone: func(t testing.TB) *zone {
				z := nsec3Zone(t)
				n := z.rrs[z.find(nsec3Owner(www), dns.TypeNSEC3, nil)].(*dns.NSEC3)
				n.TypeBitMap = []uint16{dns.TypeA, dns.TypeAAAA}
				z.resign(n.Hdr.Name, dns.TypeNSEC3, inception, expiration)
				return z
			},
			problems: []want{{www, "NSEC3", "lists A AAAA, expected A AAAA RRSIG"}},
			denial:   DenialNSEC3,
		},
		{
			// NSEC3PARAM with another salt than the chain.
			name: "NSEC3PARAM does not match the chain",
			zone: func(t testing.TB) *zone {
				z := nsec3Zone(t)
				p := z.rrs[z.find(origin, dns.TypeNSEC3PARAM, nil)].(*dns.NSEC3PARAM)
				p.Salt, p.SaltLength = "AB", 1
				z.resign(origin, dns.TypeNSEC3PARAM, inception, expiration)
				return z
			},
			problems: []want{
				{origin, "NSEC3PARAM", "use parameters (hash 1, iterations 0, salt -) that match no NSEC3PARAM"},
				{origin, "NSEC3", "no NSEC3 records for the chain (hash 1, iterations 0, salt AB)"},
			},
			denial: DenialNSEC3,
		},
		{
			// The NSEC TTL is not min(SOA TTL, MINIMUM) = 300 (re-signed).
			name: "NSEC TTL wrong",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				z.rrs[z.find(www, dns.TypeNSEC, nil)].Header().Ttl = 86400
				z.resign(www, dns.TypeNSEC, inception, expiration)
				return z
			},
			problems: []want{{www, "NSEC", "TTL 86400, expected 300"}},
			denial:   DenialNSEC,
		},
		{
			// A signature over glue below the sub delegation, and over the
			// delegation's NS RRset.
			name: "signatures below and at a zone cut",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				z.resign("ns.sub."+origin, dns.TypeA, inception, expiration)
				z.resign("sub."+origin, dns.TypeNS, inception, expiration)
				return z
			},
			problems: []want{
				{"sub." + origin, "NS", "RRSIG over non-authoritative data at a delegation point"},
				{"ns.sub." + origin, "A", "RRSIG below a zone cut"},
			},
			denial: DenialNSEC,
		},
		{
			// An NSEC below a zone cut.
			name: "NSEC below a zone cut",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				z.rrs = append(z.rrs, &dns.NSEC{
					Hdr:        dns.RR_Header{Name: "ns.sub." + origin, Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: 300},
					NextDomain: "www." + origin, TypeBitMap: []uint16{dns.TypeA, dns.TypeNSEC},
				})
				return z
			},
			problems: []want{{"ns.sub." + origin, "NSEC", "NSEC below a zone cut"}},
			denial:   DenialNSEC,
		},
		{
			// The anchor's DS names the KSK but its digest is wrong.
			name: "anchor DS not matching",
			zone: nsecZone,
			opt: func(z *zone, o *Options) {
				ds := dsFor(t, z.keys.ksk[0])
				ds.Digest = strings.Repeat("00", 32)
				o.Anchor = &validator.Anchor{Zone: origin, DS: []*dns.DS{ds}}
			},
			problems: []want{{origin, "DNSKEY", "digest does not match DNSKEY"}},
			denial:   DenialNSEC,
		},
		{
			// The anchor's DS names a key that is not in the zone.
			name: "anchor DS for an absent key",
			zone: nsecZone,
			opt: func(z *zone, o *Options) {
				other, err := signer.NewKey(origin, 13, 257, []byte("another seed"))
				if err != nil {
					t.Fatal(err)
				}
				o.Anchor = &validator.Anchor{Zone: origin, DS: []*dns.DS{dsFor(t, other)}}
			},
			problems: []want{{origin, "DNSKEY", "matches no DNSKEY"}},
			denial:   DenialNSEC,
		},
		{
			// The anchor's DS matches the ZSK, which does not sign the
			// DNSKEY RRset.
			name: "anchor DS for a key that does not sign the DNSKEY RRset",
			zone: nsecZone,
			opt: func(z *zone, o *Options) {
				o.Anchor = &validator.Anchor{Zone: origin, DS: []*dns.DS{dsFor(t, z.keys.zsk[0])}}
			},
			problems: []want{{origin, "DNSKEY", "which does not sign the DNSKEY RRset"}},
			denial:   DenialNSEC,
		},
		{
			// Anchors that match: a DS of the KSK, plus a stale DS of another
			// key of the same algorithm (only a warning).
			name: "anchor DS matching, with a stale DS",
			zone: nsecZone,
			opt: func(z *zone, o *Options) {
				other, err := signer.NewKey(origin, 13, 257, []byte("another seed"))
				if err != nil {
					t.Fatal(err)
				}
				o.Anchor = &validator.Anchor{Zone: origin, DS: []*dns.DS{dsFor(t, z.keys.ksk[0]), dsFor(t, other)}}
			},
			warnings: []want{{origin, "DNSKEY", "matches no DNSKEY"}},
			denial:   DenialNSEC,
		},
		{
			// A DNSKEY anchor: the KSK itself.
			name: "anchor DNSKEY matching",
			zone: nsecZone,
			opt: func(z *zone, o *Options) {
				o.Anchor = &validator.Anchor{Zone: origin, DNSKEY: []*dns.DNSKEY{z.keys.ksk[0].DNSKEY}}
			},
			denial: DenialNSEC,
		},
		{
			// An anchor for another zone.
			name: "anchor for another zone",
			zone: nsecZone,
			opt: func(z *zone, o *Options) {
				o.Anchor = &validator.Anchor{Zone: "other.test.", DNSKEY: []*dns.DNSKEY{z.keys.ksk[0].DNSKEY}}
			},
			problems: []want{{origin, "DNSKEY", "the trust anchor is for other.test."}},
			denial:   DenialNSEC,
		},
		{
			// Now two days before expiration with the default 7-day window:
			// every signature gives a warning, the zone still verifies.
			name: "signatures expiring within the warning window",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				z.resign(www, dns.TypeA, inception, now.Add(48*time.Hour))
				return z
			},
			opt:      func(z *zone, o *Options) { o.ExpiryWarning = 7 * 24 * time.Hour },
			warnings: []want{{www, "A", "expires at 2026-02-03T00:00:00Z, in 2d"}},
			denial:   DenialNSEC,
		},
		{
			// A signature by a key that is not in the DNSKEY RRset, next to a
			// valid one: a warning.
			name: "signature by an unknown key",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				other, err := signer.NewKey(origin, 13, 256, []byte("another seed"))
				if err != nil {
					t.Fatal(err)
				}
				sig, err := signer.Sign([]dns.RR{z.rrs[z.find(mail, dns.TypeA, nil)]}, other, inception, expiration)
				if err != nil {
					t.Fatal(err)
				}
				z.rrs = append(z.rrs, sig)
				return z
			},
			warnings: []want{{mail, "A", "no such key in the DNSKEY RRset"}},
			denial:   DenialNSEC,
		},
		{
			// No DNSKEY RRset at all.
			name: "no DNSKEY",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				var out []dns.RR
				for _, rr := range z.rrs {
					if rr.Header().Rrtype != dns.TypeDNSKEY {
						if s, ok := rr.(*dns.RRSIG); !ok || s.TypeCovered != dns.TypeDNSKEY {
							out = append(out, rr)
						}
					}
				}
				z.rrs = out
				n := z.rrs[z.find(origin, dns.TypeNSEC, nil)].(*dns.NSEC)
				n.TypeBitMap = slices.DeleteFunc(n.TypeBitMap, func(t uint16) bool { return t == dns.TypeDNSKEY })
				return z
			},
			problems: []want{{origin, "DNSKEY", "no DNSKEY RRset at the zone apex"}},
			warnings: nil,
			denial:   DenialNSEC,
		},
		{
			// No NSEC and no NSEC3 at all.
			name: "no denial records",
			zone: func(t testing.TB) *zone {
				z := nsecZone(t)
				z.rrs = slices.DeleteFunc(z.rrs, func(rr dns.RR) bool {
					s, ok := rr.(*dns.RRSIG)
					return rr.Header().Rrtype == dns.TypeNSEC || ok && s.TypeCovered == dns.TypeNSEC
				})
				return z
			},
			problems: []want{{origin, "NSEC", "no NSEC or NSEC3 records"}},
			denial:   DenialNone,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			z := tc.zone(t)
			opt := Options{Now: now}
			if tc.opt != nil {
				tc.opt(z, &opt)
			}
			r := Verify(origin, z.rrs, opt)
			for i := range tc.problems {
				if tc.problems[i].owner == "*" {
					tc.problems[i].owner = findOwner(r.Problems, tc.problems[i].reason)
				}
			}
			matchFindings(t, "problem", r.Problems, tc.problems)
			matchFindings(t, "warning", r.Warnings, tc.warnings)
			if r.OK != (len(tc.problems) == 0) {
				t.Errorf("OK = %v with %d problems", r.OK, len(r.Problems))
			}
			if r.Denial != tc.denial {
				t.Errorf("Denial = %q, want %q", r.Denial, tc.denial)
			}
			if r.Zone != origin || r.Records != len(z.rrs) {
				t.Errorf("Zone, Records = %q, %d; want %q, %d", r.Zone, r.Records, origin, len(z.rrs))
			}

			// The report does not depend on the record order or the
			// number of workers.
			shuffled := slices.Clone(z.rrs)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) {
				shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
			})
			opt.Workers = 3
			if diff := cmp.Diff(r, Verify(origin, shuffled, opt)); diff != "" {
				t.Errorf("shuffled records give another report (-sorted +shuffled):\n%s", diff)
			}
		})
	}
}

// findOwner returns the owner of the first finding whose reason contains s.
func findOwner(fs []Finding, s string) string {
	for _, f := range fs {
		if strings.Contains(f.Reason, s) {
			return f.Owner
		}
	}
	return "?"
}

// unlink removes the NSEC3 of name and its RRSIG and points the previous
// NSEC3 to the next one, re-signing it.
func unlink(z *zone, name string) {
	i := z.find(nsec3Owner(name), dns.TypeNSEC3, nil)
	gone := z.rrs[i].(*dns.NSEC3)
	z.remove(i)
	z.remove(z.sigOver(gone.Hdr.Name, dns.TypeNSEC3, 13))
	target := strings.ToUpper(strings.TrimSuffix(gone.Hdr.Name, "."+origin))
	for _, rr := range z.rrs {
		if n, ok := rr.(*dns.NSEC3); ok && strings.EqualFold(n.NextDomain, target) {
			n.NextDomain = gone.NextDomain
			z.resign(n.Hdr.Name, dns.TypeNSEC3, inception, expiration)
			return
		}
	}
	z.t.Fatalf("no NSEC3 points to %s", target)
}

// coveringNSEC3 returns the NSEC3 whose span covers the hash of name.
func coveringNSEC3(z *zone, name string) *dns.NSEC3 {
	for _, rr := range z.rrs {
		if n, ok := rr.(*dns.NSEC3); ok && n.Cover(name) {
			return n
		}
	}
	z.t.Fatalf("no NSEC3 covers %s", name)
	return nil
}

// TestVerifyCountsAndOrder checks the counts of a good zone, that findings
// come sorted canonically, and that a run of records split in two (the
// owner's records not together) is still verified.
func TestVerifyCountsAndOrder(t *testing.T) {
	z := nsecZone(t)
	r := Verify(origin, z.rrs, Options{Now: now})
	sigs, sets := 0, map[string]bool{}
	for _, rr := range z.rrs {
		if rr.Header().Rrtype == dns.TypeRRSIG {
			sigs++
			continue
		}
		sets[dns.CanonicalName(rr.Header().Name)+"/"+dns.TypeToString[rr.Header().Rrtype]] = true
	}
	if r.Signatures != sigs || r.Verified != sigs || r.RRsets != len(sets) {
		t.Errorf("Signatures, Verified, RRsets = %d, %d, %d; want %d, %d, %d", r.Signatures, r.Verified, r.RRsets, sigs, sigs, len(sets))
	}
	if !slices.Equal(r.Algorithms, []int{13}) {
		t.Errorf("Algorithms = %v", r.Algorithms)
	}

	// Break every A signature: the problems come in canonical name order.
	for _, rr := range z.rrs {
		if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == dns.TypeA {
			s.Expiration = uint32(inception.Unix()) + 1 // invalidates the signature too; expiry is checked first
		}
	}
	// Move the apex to the end: the key set is then learned last.
	moved := slices.Clone(z.rrs)
	var apex []dns.RR
	moved = slices.DeleteFunc(moved, func(rr dns.RR) bool {
		if rr.Header().Name == origin {
			apex = append(apex, rr)
			return true
		}
		return false
	})
	moved = append(moved, apex...)
	for _, rrs := range [][]dns.RR{z.rrs, moved} {
		r = Verify(origin, rrs, Options{Now: now, Workers: 2})
		var owners []string
		for _, p := range r.Problems {
			owners = append(owners, p.Owner)
		}
		want := []string{"mail.example.test.", "ns1.example.test.", "www.example.test."}
		if !slices.Equal(owners, want) {
			t.Errorf("problem owners = %v, want %v", owners, want)
		}
	}
}

// TestVerifyOriginFromSOA: with origin "", the SOA owner is the origin;
// without an SOA the report says so.
func TestVerifyOriginFromSOA(t *testing.T) {
	z := nsecZone(t)
	if r := Verify("", z.rrs, Options{Now: now}); !r.OK || r.Zone != origin {
		t.Errorf("Verify(\"\") = OK %v, Zone %q; problems %v", r.OK, r.Zone, r.Problems)
	}
	noSOA := slices.DeleteFunc(slices.Clone(z.rrs), func(rr dns.RR) bool { return rr.Header().Rrtype == dns.TypeSOA })
	r := Verify("", noSOA, Options{Now: now})
	if r.OK || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Reason, "no SOA") {
		t.Errorf("no SOA: %+v", r)
	}
}

// TestVerifyNoApex: records for another part of the name space only, with
// the origin given: the apex is missing, nothing panics.
func TestVerifyNoApex(t *testing.T) {
	z := nsecZone(t)
	r := Verify("www."+origin, z.rrs, Options{Now: now})
	if r.OK {
		t.Fatal("zone without apex verifies")
	}
	apex := slices.DeleteFunc(slices.Clone(r.Problems), func(f Finding) bool { return !strings.Contains(f.Reason, "at the zone apex") })
	matchFindings(t, "problem", apex, []want{
		{"www." + origin, "SOA", "no SOA record at the zone apex"},
		{"www." + origin, "NS", "no NS RRset at the zone apex"},
		{"www." + origin, "DNSKEY", "no DNSKEY RRset at the zone apex"},
	})
}

// TestStreamAbort: an aborted stream releases its workers and Finish then
// gives nothing.
func TestStreamAbort(t *testing.T) {
	z := nsecZone(t)
	s := NewStream(origin, Options{Now: now})
	for _, rr := range z.rrs {
		s.Add(rr)
	}
	s.Abort()
	if r := s.Finish(); r != nil {
		t.Errorf("Finish after Abort = %+v", r)
	}
}

func TestNameKey(t *testing.T) {
	// Canonical order of RFC 4034 §6.1.
	names := []string{
		"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.",
		"zABC.a.EXAMPLE.", "z.example.", `\001.z.example.`, "*.z.example.", `\200.z.example.`,
	}
	var keys []string
	for _, n := range names {
		k, ok := nameKey(n)
		if !ok {
			t.Fatalf("nameKey(%q) not ok", n)
		}
		keys = append(keys, k)
	}
	if !slices.IsSorted(keys) {
		t.Errorf("keys not in canonical order: %q", keys)
	}
	for _, bad := range []string{"a..b.", `a\0`, `a\999.`, strings.Repeat("a", 64) + "."} {
		if _, ok := nameKey(bad); ok {
			t.Errorf("nameKey(%q) ok", bad)
		}
	}
	for _, n := range []string{".", "example.", `a\.b.example.`, `\000\001.x.`} {
		k, _ := nameKey(n)
		if got := keyName(k); !strings.EqualFold(got, n) {
			t.Errorf("keyName(nameKey(%q)) = %q", n, got)
		}
		buf := make([]byte, 256)
		l, err := dns.PackDomainName(n, buf, 0, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := keyWire(nil, k); string(got) != strings.ToLower(string(buf[:l])) {
			t.Errorf("keyWire(%q) = %q, want %q", n, got, buf[:l])
		}
	}
	if k, _ := nameKey("www.Example."); keyParent(k) != mustKey("example.") || keyLabels(k) != 2 {
		t.Errorf("keyParent / keyLabels wrong for %q", k)
	}
}

func mustKey(n string) string {
	k, ok := nameKey(n)
	if !ok {
		panic(n)
	}
	return k
}

func TestFormatDuration(t *testing.T) {
	if got := formatDuration(49*time.Hour + 30*time.Minute); got != "2d1h30m" {
		t.Errorf("formatDuration = %q", got)
	}
}
