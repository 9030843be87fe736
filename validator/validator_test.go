package validator_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/signer"
	"github.com/dnssecsim/dnssecsim/validator"
)

// Every table below builds its own hierarchy per case (hier_test.go), may
// change the zone specs before signing (setup) and break the signed zones
// afterwards (post), validates one question at testNow (or now) and compares
// status, EDE and zone (and the reason when the case names one) with
// cmp.Diff.

// want is what a case expects of the verdict.
type want struct {
	Status validator.Status
	EDE    validator.EDE // 0: no EDE
	Zone   string
	Reason string // compared only when set
}

type vcase struct {
	name  string
	setup func(h *hier) // before signing
	post  func(h *hier) // after signing
	qname string
	qtype uint16
	now   time.Time // zero: testNow
	want  want
	check func(t *testing.T, h *hier, v *validator.Verdict) // further checks
}

func gotOf(v *validator.Verdict, withReason bool) want {
	g := want{Status: v.Status, Zone: v.Zone}
	if v.EDE != nil {
		g.EDE = *v.EDE
	}
	if withReason {
		g.Reason = v.Reason
	}
	return g
}

func runCases(t *testing.T, cases []vcase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := buildHier(t, tc.setup, tc.post)
			now := tc.now
			if now.IsZero() {
				now = testNow
			}
			qt := tc.qtype
			if qt == 0 {
				qt = dns.TypeA
			}
			v := h.validate(tc.qname, qt, now)
			if diff := cmp.Diff(tc.want, gotOf(v, tc.want.Reason != "")); diff != "" {
				t.Errorf("%s %s: verdict mismatch (-want +got):\n%s\nreason: %s", tc.qname, dns.TypeToString[qt], diff, v.Reason)
			}
			if tc.check != nil {
				tc.check(t, h, v)
			}
		})
	}
}

// Shorthands.
const (
	www      = "www.example.test."
	sSecure  = validator.Secure
	sBogus   = validator.Bogus
	sInsec   = validator.Insecure
	sIndeter = validator.Indeterminate
)

var secureExample = want{Status: sSecure, Zone: zExample, Reason: validator.ReasonSecure}

// secureOther is a Secure answer that ends in other.test.: the verdict of
// an alias chain names the zone of its final answer.
var secureOther = want{Status: sSecure, Zone: zOther, Reason: validator.ReasonSecure}

// algs signs every zone (but unsigned.test.) with the given algorithms.
func algs(a ...uint8) func(h *hier) {
	return func(h *hier) { h.all(func(s *zoneSpec) { s.Algs = a }) }
}

// nsec3 switches the given zones to NSEC3 with d.
func nsec3(d signer.Denial, zones ...string) func(h *hier) {
	d.NSEC3 = true
	return func(h *hier) {
		for _, z := range zones {
			h.spec(z).Denial = d
		}
	}
}

func both(fs ...func(h *hier)) func(h *hier) {
	return func(h *hier) {
		for _, f := range fs {
			f(h)
		}
	}
}

func wantRcode(rcode int) func(t *testing.T, h *hier, v *validator.Verdict) {
	return func(t *testing.T, _ *hier, v *validator.Verdict) {
		if v.Rcode != dns.RcodeToString[rcode] {
			t.Errorf("rcode %s, want %s", v.Rcode, dns.RcodeToString[rcode])
		}
	}
}

func wantTTL(ttl uint32) func(t *testing.T, h *hier, v *validator.Verdict) {
	return func(t *testing.T, _ *hier, v *validator.Verdict) {
		if v.TTL != ttl {
			t.Errorf("validated TTL %d, want %d", v.TTL, ttl)
		}
	}
}

// TestAlgorithms: every supported algorithm validates end to end.
func TestAlgorithms(t *testing.T) {
	cases := []vcase{
		// RFC 3110 RSA/SHA-1 (5) as a legacy algorithm validators still accept (RFC 8624 §3.1).
		{name: "alg5 RSASHA1", setup: algs(dns.RSASHA1), qname: www, want: secureExample},
		// RSASHA1-NSEC3-SHA1 (7, RFC 5155 §2): the same signatures under another number, with NSEC3.
		{name: "alg7 RSASHA1-NSEC3-SHA1", setup: both(algs(dns.RSASHA1NSEC3SHA1), nsec3(signer.Denial{}, zRoot, zTest, zExample)), qname: www, want: secureExample},
		// RSA/SHA-256 (8, RFC 5702 §3).
		{name: "alg8 RSASHA256", setup: algs(dns.RSASHA256), qname: www, want: secureExample},
		// RSA/SHA-512 (10, RFC 5702 §3).
		{name: "alg10 RSASHA512", setup: algs(dns.RSASHA512), qname: www, want: secureExample},
		// ECDSA P-256 (13, RFC 6605 §4).
		{name: "alg13 ECDSAP256SHA256", setup: algs(dns.ECDSAP256SHA256), qname: www, want: secureExample},
		// ECDSA P-384 (14, RFC 6605 §4).
		{name: "alg14 ECDSAP384SHA384", setup: algs(dns.ECDSAP384SHA384), qname: www, want: secureExample},
		// Ed25519 (15, RFC 8080 §4).
		{name: "alg15 ED25519", setup: algs(dns.ED25519), qname: www, want: secureExample},
		// Ed448 (16, RFC 8080 §4); the corpus expects Secure too.
		{name: "alg16 ED448", setup: algs(dns.ED448), qname: www, want: secureExample},
		// A single combined signing key per zone (RFC 6781 §3.1.2 CSK) changes nothing.
		{name: "alg15 CSK", setup: both(algs(dns.ED25519), func(h *hier) { h.all(func(s *zoneSpec) { s.CSK = true }) }), qname: www, want: secureExample},
		// Each zone picks its own algorithm; the chain crosses algorithms at every cut (RFC 4035 §5.2).
		{name: "mixed per zone", setup: func(h *hier) {
			h.spec(zRoot).Algs = []uint8{dns.RSASHA256}
			h.spec(zTest).Algs = []uint8{dns.ECDSAP384SHA384}
			h.spec(zExample).Algs = []uint8{dns.ED448}
			h.spec(zExample).CSK = true
		}, qname: www, want: secureExample},
	}
	runCases(t, cases)
}

// setDS makes the DS set of zone z with the given digest types (nil: the
// default SHA-256) and lets edit change it before the parent signs it.
func setDS(z string, digests []uint8, edit func(ds []*dns.DS) []*dns.DS) func(h *hier) {
	return func(h *hier) {
		if digests != nil {
			h.spec(z).Digests = digests
		}
		h.spec(z).EditDS = edit
	}
}

// byDigest applies f to the DS records of digest type d.
func byDigest(d uint8, f func(*dns.DS) *dns.DS) func(ds []*dns.DS) []*dns.DS {
	return func(ds []*dns.DS) []*dns.DS {
		for i, r := range ds {
			if r.DigestType == d {
				ds[i] = f(r)
			}
		}
		return ds
	}
}

// TestDSDigests: DS digest types and RFC 4509 §3.
func TestDSDigests(t *testing.T) {
	dsMismatch := want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zExample, Reason: validator.ReasonDSDigestMismatch}
	cases := []vcase{
		// SHA-1 alone (RFC 4034 §5.1.4).
		{name: "sha1 only", setup: setDS(zExample, []uint8{dns.SHA1}, nil), qname: www, want: secureExample},
		// SHA-256 alone (RFC 4509 §2).
		{name: "sha256 only", setup: setDS(zExample, []uint8{dns.SHA256}, nil), qname: www, want: secureExample},
		// SHA-384 alone (RFC 6605 §2).
		{name: "sha384 only", setup: setDS(zExample, []uint8{dns.SHA384}, nil), qname: www, want: secureExample},
		// Every digest type for every zone of the chain (RFC 4034 §5.1.4).
		{name: "sha1 everywhere", setup: func(h *hier) { h.all(func(s *zoneSpec) { s.Digests = []uint8{dns.SHA1} }) }, qname: www, want: secureExample},
		// ...and SHA-384 at every cut (RFC 6605 §2).
		{name: "sha384 everywhere", setup: func(h *hier) { h.all(func(s *zoneSpec) { s.Digests = []uint8{dns.SHA384} }) }, qname: www, want: secureExample},
		// RFC 4509 §3: with a SHA-256 DS present the SHA-1 DS is ignored,
		// so a wrong SHA-1 digest does no harm...
		{name: "sha1 wrong sha256 right", setup: setDS(zExample, []uint8{dns.SHA1, dns.SHA256}, byDigest(dns.SHA1, badDigest)), qname: www, want: secureExample},
		// ...and a right SHA-1 digest does not rescue a wrong SHA-256 one (RFC 4509 §3).
		{name: "sha1 right sha256 wrong", setup: setDS(zExample, []uint8{dns.SHA1, dns.SHA256}, byDigest(dns.SHA256, badDigest)), qname: www, want: dsMismatch},
		// Only SHA-1 is demoted (RFC 4509 §3); among the rest one matching DS
		// is enough (RFC 6840 §5.11, corpus case ds-sha384-bad-sha256-good).
		{name: "sha384 wrong sha256 right", setup: setDS(zExample, []uint8{dns.SHA256, dns.SHA384}, byDigest(dns.SHA384, badDigest)), qname: www, want: secureExample},
		// ...and the other way round (RFC 6840 §5.11).
		{name: "sha256 wrong sha384 right", setup: setDS(zExample, []uint8{dns.SHA256, dns.SHA384}, byDigest(dns.SHA256, badDigest)), qname: www, want: secureExample},
		// A SHA-1 DS next to a SHA-256 DS of an unsupported algorithm is
		// still used: only usable records count as "present" (RFC 4509 §3
		// read with RFC 6840 §5.2).
		{name: "sha1 plus sha256 of unknown alg", setup: setDS(zExample, []uint8{dns.SHA1}, func(ds []*dns.DS) []*dns.DS {
			x := dns.Copy(ds[0]).(*dns.DS)
			x.Algorithm, x.DigestType = 253, dns.SHA256
			x.Digest = "0000000000000000000000000000000000000000000000000000000000000000"
			return append(ds, x)
		}), qname: www, want: secureExample},
		// Both wrong: Bogus with EDE 9 (RFC 8914 §4.10).
		{name: "sha256 wrong alone", setup: setDS(zExample, []uint8{dns.SHA256}, byDigest(dns.SHA256, badDigest)), qname: www, want: dsMismatch},
	}
	runCases(t, cases)
}

// TestUnsupportedDS: a DS set a validator cannot use makes the zone
// Insecure, not Bogus (RFC 4035 §5.2, RFC 6840 §5.2).
func TestUnsupportedDS(t *testing.T) {
	setAlg := func(alg uint8) func(*dns.DS) *dns.DS {
		return func(d *dns.DS) *dns.DS { d.Algorithm = alg; return d }
	}
	setDigest := func(dt uint8) func(*dns.DS) *dns.DS {
		return func(d *dns.DS) *dns.DS { d.DigestType = dt; return d }
	}
	addCopy := func(f func(*dns.DS) *dns.DS) func([]*dns.DS) []*dns.DS {
		return func(ds []*dns.DS) []*dns.DS { return append(ds, f(dns.Copy(ds[0]).(*dns.DS))) }
	}
	insecAlg := want{Status: sInsec, EDE: validator.EDEUnsupportedDNSKEYAlgorithm, Zone: zExample, Reason: validator.ReasonInsecureAlgorithm}
	insecDigest := want{Status: sInsec, EDE: validator.EDEUnsupportedDSDigestType, Zone: zExample, Reason: validator.ReasonInsecureDigest}
	cases := []vcase{
		// Only algorithm 253 (private, RFC 4034 A.1): Insecure with EDE 1 (RFC 8914 §4.2).
		{name: "only alg 253", setup: setDS(zExample, nil, byDigest(dns.SHA256, setAlg(253))), qname: www, want: insecAlg},
		// Only algorithm 3 (DSA, not implemented) (RFC 8624 §3.1: DSA must not be validated).
		{name: "only alg 3", setup: setDS(zExample, nil, byDigest(dns.SHA256, setAlg(dns.DSA))), qname: www, want: insecAlg},
		// Only digest type 3 (GOST R 34.11-94, not implemented): EDE 2 (RFC 8914 §4.3).
		{name: "only digest 3", setup: setDS(zExample, nil, byDigest(dns.SHA256, setDigest(dns.GOST94))), qname: www, want: insecDigest},
		// Only an unassigned digest type (RFC 6840 §5.2, RFC 8914 §4.3).
		{name: "only digest 99", setup: setDS(zExample, nil, byDigest(dns.SHA256, setDigest(99))), qname: www, want: insecDigest},
		// Both kinds: the algorithm is the deeper problem, EDE 1 (RFC 8914 §4.2).
		{name: "alg 253 and digest 99", setup: setDS(zExample, nil, func(ds []*dns.DS) []*dns.DS {
			ds[0].Algorithm = 253
			x := dns.Copy(ds[0]).(*dns.DS)
			x.Algorithm, x.DigestType = dns.ECDSAP256SHA256, 99
			return append(ds, x)
		}), qname: www, want: insecAlg},
		// A usable DS next to unusable ones is used (RFC 6840 §5.2).
		{name: "alg 253 plus good", setup: setDS(zExample, nil, addCopy(setAlg(253))), qname: www, want: secureExample},
		// ...and next to an unknown digest type (RFC 6840 §5.2).
		{name: "digest 99 plus good", setup: setDS(zExample, nil, addCopy(setDigest(99))), qname: www, want: secureExample},
		// The unsupported-only DS one level up makes everything below Insecure (RFC 4035 §5.2).
		{name: "test. only alg 253", setup: setDS(zTest, nil, byDigest(dns.SHA256, setAlg(253))), qname: www,
			want: want{Status: sInsec, EDE: validator.EDEUnsupportedDNSKEYAlgorithm, Zone: zTest}},
		// A zone signed only with an algorithm the validator lacks is
		// unsupported in the same way when its DS names that algorithm: the
		// child is then treated as unsigned, whatever its signatures (RFC 4035 §5.2).
		{name: "unsupported alg, child data broken", setup: setDS(zExample, nil, byDigest(dns.SHA256, setAlg(253))),
			post: func(h *hier) { h.corruptSig(zExample, www, dns.TypeA, -1) }, qname: www, want: insecAlg},
	}
	runCases(t, cases)
}

// TestAnySingleValidPath: one good path through DS, keys and signatures is
// enough (RFC 6840 §5.11, §5.4, §5.12).
func TestAnySingleValidPath(t *testing.T) {
	twoZSKs := func(h *hier) {
		_, zsks := h.keys(zExample)
		h.spec(zExample).ZSKs = append(zsks, newKey(t, zExample, dns.ECDSAP256SHA256, 256, "main/zsk2"))
	}
	// sigResults checks the results of the answer's signature checks, in
	// the order the RRSIGs came.
	sigResults := func(results ...string) func(t *testing.T, h *hier, v *validator.Verdict) {
		return func(t *testing.T, _ *hier, v *validator.Verdict) {
			var got []string
			for _, c := range v.Steps[0].Sigs {
				got = append(got, c.Result)
			}
			if diff := cmp.Diff(results, got); diff != "" {
				t.Errorf("signature checks (-want +got):\n%s", diff)
			}
		}
	}
	cases := []vcase{
		// The DS set names an algorithm-8 key the zone does not publish,
		// plus the real KSK (corpus secure-ds-extra-alg-not-in-zone) (RFC 6840 §5.11).
		{name: "DS for unpublished key plus good DS", setup: func(h *hier) {
			ksks, _ := h.keys(zExample)
			ghost := newKey(t, zExample, dns.RSASHA256, 257, "ghost")
			h.spec(zExample).DSKeys = []*dns.DNSKEY{ghost.DNSKEY, ksks[0].DNSKEY}
		}, qname: www, want: secureExample},
		// A garbage DS (unknown key tag, same algorithm) next to the good one (RFC 4035 §5.2: any matching DS).
		{name: "garbage DS plus good DS", setup: setDS(zExample, nil, func(ds []*dns.DS) []*dns.DS {
			x := badDigest(ds[0])
			x.KeyTag++
			return append([]*dns.DS{x}, ds...)
		}), qname: www, want: secureExample},
		// Two RRSIGs over the answer, the first corrupted (RFC 6840 §5.4:
		// any valid signature, in whatever order).
		{name: "two RRSIGs first corrupted", setup: twoZSKs, post: func(h *hier) { h.corruptSig(zExample, www, dns.TypeA, 0) }, qname: www, want: secureExample,
			check: sigResults("signature does not verify", "valid")},
		// ...the second corrupted (RFC 6840 §5.4).
		{name: "two RRSIGs second corrupted", setup: twoZSKs, post: func(h *hier) { h.corruptSig(zExample, www, dns.TypeA, 1) }, qname: www, want: secureExample,
			check: sigResults("valid", "signature does not verify")},
		// ...both corrupted: nothing verifies, Bogus with EDE 6 (RFC 8914 §4.7).
		{name: "two RRSIGs both corrupted", setup: twoZSKs, post: func(h *hier) { h.corruptSig(zExample, www, dns.TypeA, -1) }, qname: www,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonAnswerSigFailed + ": signature does not verify"}},
		// Two algorithms in the zone, the algorithm-15 signatures all
		// removed: the algorithm-13 path validates (RFC 6840 §5.11).
		{name: "two algs, alg15 sigs missing", setup: func(h *hier) { h.spec(zExample).Algs = []uint8{dns.ECDSAP256SHA256, dns.ED25519} },
			post: func(h *hier) { dropSigsByAlg(h, zExample, dns.ED25519) }, qname: www, want: secureExample},
		// ...the algorithm-13 signatures removed instead (RFC 6840 §5.11).
		{name: "two algs, alg13 sigs missing", setup: func(h *hier) { h.spec(zExample).Algs = []uint8{dns.ECDSAP256SHA256, dns.ED25519} },
			post: func(h *hier) { dropSigsByAlg(h, zExample, dns.ECDSAP256SHA256) }, qname: www, want: secureExample},
		// The DS names only the algorithm-15 KSK; the answer is signed only
		// by the algorithm-13 ZSK of the authenticated DNSKEY set (RFC 4035 §5.3.1: any key of the authenticated set).
		{name: "DS alg15 only, answer alg13 only", setup: func(h *hier) {
			h.spec(zExample).Algs = []uint8{dns.ECDSAP256SHA256, dns.ED25519}
			ksks, _ := h.keys(zExample)
			h.spec(zExample).DSKeys = []*dns.DNSKEY{ksks[1].DNSKEY}
		}, post: func(h *hier) {
			h.dropSigs(zExample, www, dns.TypeA, func(s *dns.RRSIG) bool { return s.Algorithm == dns.ED25519 })
		}, qname: www, want: secureExample},
		// Two KSKs, the DNSKEY set signature of the first corrupted (RFC 6840 §5.4).
		{name: "two KSKs, one DNSKEY sig corrupted", setup: func(h *hier) {
			ksks, _ := h.keys(zExample)
			h.spec(zExample).KSKs = append(ksks, newKey(t, zExample, dns.ECDSAP256SHA256, 257, "main/ksk2"))
		}, post: func(h *hier) { h.corruptSig(zExample, zExample, dns.TypeDNSKEY, 0) }, qname: www, want: secureExample},
		// An extra RRSIG by a key that is not in the DNSKEY set is ignored
		// (RFC 6840 §5.12).
		{name: "extra RRSIG from unknown key", post: func(h *hier) {
			stranger := newKey(t, zExample, dns.ED25519, 256, "stranger")
			sig, err := signer.Sign(h.rrset(zExample, www, dns.TypeA), stranger, sigFrom, sigUntil)
			if err != nil {
				t.Fatal(err)
			}
			h.zones[zExample] = append([]dns.RR{sig}, h.zones[zExample]...)
		}, qname: www, want: secureExample},
		// An RRSIG of an algorithm the validator does not implement is
		// ignored (RFC 6840 §5.2).
		{name: "extra RRSIG of unknown algorithm", post: func(h *hier) {
			s := dns.Copy(h.sigs(zExample, www, dns.TypeA)[0]).(*dns.RRSIG)
			s.Algorithm = 253
			h.zones[zExample] = append([]dns.RR{s}, h.zones[zExample]...)
		}, qname: www, want: secureExample},
	}
	runCases(t, cases)
}

// forgeNXDOMAIN returns a Tamper function that turns example.test.'s
// responses for qname into NXDOMAIN, keeping their records.
func forgeNXDOMAIN(qname string) func(validator.Servers, string, uint16, *dns.Msg) {
	return func(at validator.Servers, q string, _ uint16, m *dns.Msg) {
		if at.Zone == zExample && q == qname {
			m.Rcode = dns.RcodeNameError
		}
	}
}

// stripDS returns a Tamper function that removes the DS RRset of zone z
// and its RRSIGs from test.'s responses.
func stripDS(z string) func(validator.Servers, string, uint16, *dns.Msg) {
	strip := func(rrs []dns.RR) []dns.RR {
		return slices.DeleteFunc(rrs, func(rr dns.RR) bool {
			if s, ok := rr.(*dns.RRSIG); ok {
				return s.TypeCovered == dns.TypeDS && s.Hdr.Name == z
			}
			return rr.Header().Rrtype == dns.TypeDS && rr.Header().Name == z
		})
	}
	return func(at validator.Servers, _ string, _ uint16, m *dns.Msg) {
		if at.Zone == zTest {
			m.Answer, m.Ns = strip(m.Answer), strip(m.Ns)
		}
	}
}

// nsec3Tamper returns a Tamper function that applies edit to every NSEC3
// in example.test.'s responses and re-signs them with the zone's ZSK, as a
// zone publishing such records would serve them.
func nsec3Tamper(h *hier, edit func(*dns.NSEC3)) func(validator.Servers, string, uint16, *dns.Msg) {
	_, zsks := h.keys(zExample)
	return func(at validator.Servers, _ string, _ uint16, m *dns.Msg) {
		if at.Zone != zExample {
			return
		}
		var out []dns.RR
		for _, rr := range m.Ns {
			if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == dns.TypeNSEC3 {
				continue
			}
			n, ok := rr.(*dns.NSEC3)
			if !ok {
				out = append(out, rr)
				continue
			}
			c := dns.Copy(n).(*dns.NSEC3)
			edit(c)
			sig, err := signer.Sign([]dns.RR{c}, zsks[0], sigFrom, sigUntil)
			if err != nil {
				panic(err)
			}
			out = append(out, c, sig)
		}
		m.Ns = out
	}
}

// dropSigsByAlg removes every RRSIG of algorithm alg from zone z.
func dropSigsByAlg(h *hier, z string, alg uint8) {
	h.filter(z, func(rr dns.RR) bool {
		s, ok := rr.(*dns.RRSIG)
		return !ok || s.Algorithm != alg
	})
}

// TestDenial: NSEC and NSEC3 proofs of no DS, NXDOMAIN, NODATA and wildcards
// (RFC 4035 §5.4, RFC 5155 §8).
func TestDenial(t *testing.T) {
	n3 := signer.Denial{NSEC3: true}
	n3Salted := signer.Denial{NSEC3: true, Iterations: 5, Salt: "CAFE"}
	insecNoDS := want{Status: sInsec, Zone: zUnsigned, Reason: validator.ReasonInsecureNoDS}
	nx := "nosuch.example.test."
	wild := "foo.wild.example.test."
	cases := []vcase{
		// --- no DS ---
		// NSEC at the cut with NS and without DS (RFC 4035 §5.2).
		{name: "no DS NSEC", qname: "www.unsigned.test.", want: insecNoDS},
		// NSEC3 matching the cut likewise (RFC 5155 §8.9).
		{name: "no DS NSEC3", setup: nsec3(n3, zTest), qname: "www.unsigned.test.", want: insecNoDS},
		// ...with salt and extra iterations (RFC 5155 §5).
		{name: "no DS NSEC3 salted", setup: nsec3(n3Salted, zTest), qname: "www.unsigned.test.", want: insecNoDS},
		// NSEC3 opt-out: the insecure delegation has no NSEC3, the
		// opt-out span covering it proves it may be unsigned (RFC 5155 §8.9, §6).
		{name: "no DS NSEC3 opt-out", setup: both(nsec3(signer.Denial{OptOut: true}, zExample), func(h *hier) { h.spec(zSub).Unsigned = true }),
			qname: "www.sub.example.test.", want: want{Status: sInsec, Zone: zSub, Reason: validator.ReasonInsecureOptOut}},
		// ...and a signed child of an opt-out zone is still Secure through its DS (RFC 5155 §6).
		{name: "secure child of opt-out zone", setup: nsec3(signer.Denial{OptOut: true}, zExample),
			qname: "www.sub.example.test.", want: want{Status: sSecure, Zone: zSub, Reason: validator.ReasonSecure}},
		// A signed child whose parent proves there is no DS is Insecure:
		// the DS is what makes a zone secure (RFC 4035 §5.2).
		{name: "no DS, child signed", setup: func(h *hier) { h.spec(zExample).NoDS = true }, qname: www,
			want: want{Status: sInsec, Zone: zExample, Reason: validator.ReasonInsecureNoDS}},
		// DS stripping by an on-path attacker: the referral comes without
		// DS, so the validator asks test. for the DS itself and gets it (RFC 4035 §5.2).
		{name: "DS stripped from referral only", post: func(h *hier) {
			h.Tamper = func(at validator.Servers, q string, qt uint16, m *dns.Msg) {
				if q != zExample || qt != dns.TypeDS {
					stripDS(zExample)(at, q, qt, m)
				}
			}
		}, qname: www, want: secureExample},
		// ...and stripped from the DS answer too: no proof of no DS, Bogus
		// with EDE 12 as there is no NSEC at all (RFC 4035 §5.2, RFC 8914 §4.13).
		{name: "DS stripped everywhere", post: func(h *hier) { h.Tamper = stripDS(zExample) }, qname: www,
			want: want{Status: sBogus, EDE: validator.EDENSECMissing, Zone: zExample, Reason: validator.ReasonNoDSProof}},
		// The NSEC proving no DS removed: the parent then serves the NSEC
		// before it, which does not match the cut: Bogus (RFC 4035 §5.2,
		// protection against DS stripping), and the record that is
		// missing is the NSEC at the cut: EDE 12 (RFC 8914 §4.13).
		{name: "no DS, NSEC removed", post: func(h *hier) { h.dropAll(zTest, zUnsigned, dns.TypeNSEC) }, qname: "www.unsigned.test.",
			want: want{Status: sBogus, EDE: validator.EDENSECMissing, Zone: zUnsigned, Reason: validator.ReasonNoDSProof}},
		// No NSEC in the parent at all: EDE 12 NSEC Missing (RFC 8914 §4.13).
		{name: "no DS, no NSEC at all", post: func(h *hier) { h.dropType(zTest, dns.TypeNSEC) }, qname: "www.unsigned.test.",
			want: want{Status: sBogus, EDE: validator.EDENSECMissing, Zone: zUnsigned, Reason: validator.ReasonNoDSProof}},
		// The NSEC3 proving no DS removed (RFC 5155 §8.9): no NSEC3 matches
		// the cut and no opt-out span covers it: EDE 12.
		{name: "no DS, NSEC3 removed", setup: nsec3(n3, zTest), post: func(h *hier) { h.dropNSEC3(zTest, h.nsec3For(zTest, zUnsigned, true)) },
			qname: "www.unsigned.test.", want: want{Status: sBogus, EDE: validator.EDENSECMissing, Zone: zUnsigned, Reason: validator.ReasonNoDSProof}},
		// The proof is there but its signature is corrupted (RFC 4035 §5.4: denial records must verify).
		{name: "no DS, NSEC bad signature", post: func(h *hier) { h.corruptSig(zTest, zUnsigned, dns.TypeNSEC, -1) }, qname: "www.unsigned.test.",
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zUnsigned, Reason: validator.ReasonDenialSigFailed + ": " + validator.ReasonAnswerSigFailed + ": signature does not verify"}},
		// ...the NSEC3 proving no DS with a corrupted signature (RFC 4035 §5.3).
		{name: "no DS, NSEC3 bad signature", setup: nsec3(n3, zTest), post: func(h *hier) {
			h.corruptSig(zTest, h.nsec3For(zTest, zUnsigned, true).Hdr.Name, dns.TypeNSEC3, -1)
		}, qname: "www.unsigned.test.", want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zUnsigned}},
		// The no-DS NSEC re-signed with an expired window: EDE 7 (RFC 4035 §5.3.1, RFC 8914 §4.8).
		{name: "no DS, NSEC expired", post: func(h *hier) {
			_, zsks := h.keys(zTest)
			h.resign(zTest, zUnsigned, dns.TypeNSEC, zsks[0], time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC))
		}, qname: "www.unsigned.test.", want: want{Status: sBogus, EDE: validator.EDESignatureExpired, Zone: zUnsigned}},

		// --- NXDOMAIN ---
		// NSEC covering the name and NSEC covering the wildcard at the
		// closest encloser (RFC 4035 §5.4).
		{name: "NXDOMAIN NSEC", qname: nx, want: secureExample, check: wantRcode(dns.RcodeNameError)},
		// NSEC3 closest encloser, next closer and wildcard (RFC 5155 §8.4).
		{name: "NXDOMAIN NSEC3", setup: nsec3(n3, zExample), qname: nx, want: secureExample, check: wantRcode(dns.RcodeNameError)},
		// ...with salt and extra iterations (RFC 5155 §5).
		{name: "NXDOMAIN NSEC3 salted", setup: nsec3(n3Salted, zExample), qname: nx, want: secureExample},
		// A deeper nonexistent name below an existing one: the closest
		// encloser is www (RFC 5155 §8.3).
		{name: "NXDOMAIN NSEC3 below www", setup: nsec3(n3, zExample), qname: "a.b.www.example.test.", want: secureExample, check: wantRcode(dns.RcodeNameError)},
		// ...and with NSEC: the NSEC at www covers the name and *.www (RFC 4035 §5.4).
		{name: "NXDOMAIN NSEC below www", qname: "a.b.www.example.test.", want: secureExample, check: wantRcode(dns.RcodeNameError)},
		// Below the empty non-terminal ent.example.test.: the closest encloser is the ENT (RFC 5155 §8.3).
		{name: "NXDOMAIN NSEC3 below ENT", setup: nsec3(n3, zExample), qname: "x.ent.example.test.", want: secureExample},
		// ...and with NSEC, which has no record at the ENT (RFC 4035 §5.4).
		{name: "NXDOMAIN NSEC below ENT", qname: "x.ent.example.test.", want: secureExample},
		// NXDOMAIN with the NSEC covering the wildcard removed: the name's
		// absence is shown, not the wildcard's (RFC 4035 §5.4).
		{name: "NXDOMAIN NSEC wildcard cover removed", post: func(h *hier) { h.dropAll(zExample, zExample, dns.TypeNSEC) }, qname: nx,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonNXDomainBadProof}},
		// The same with NSEC3: the NSEC3 covering *.example.test. removed (RFC 5155 §8.4).
		{name: "NXDOMAIN NSEC3 wildcard cover removed", setup: nsec3(n3, zExample), post: func(h *hier) {
			wc := h.nsec3For(zExample, "*.example.test.", false)
			if wc.Cover(nx) || wc.Match(zExample) {
				t.Fatal("test hashes changed: the wildcard cover is also needed for another part of the proof")
			}
			h.dropNSEC3(zExample, wc)
		}, qname: nx, want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonNXDomainBadProof}},
		// The NSEC3 covering the next closer name removed (RFC 5155 §8.3).
		{name: "NXDOMAIN NSEC3 next closer cover removed", setup: nsec3(n3, zExample), post: func(h *hier) {
			h.dropNSEC3(zExample, h.nsec3For(zExample, nx, false))
		}, qname: nx, want: want{Status: sBogus, Zone: zExample, EDE: validator.EDEDNSSECBogus}},
		// The NSEC3 matching the closest encloser (here the empty
		// non-terminal) removed, as in the corpus case
		// bogus-nsec3-nxdomain-no-closest-encloser (RFC 5155 §8.3).
		{name: "NXDOMAIN NSEC3 closest encloser removed", setup: nsec3(n3, zExample), post: func(h *hier) {
			h.dropNSEC3(zExample, h.nsec3For(zExample, "ent.example.test.", true))
		}, qname: "x.ent.example.test.", want: want{Status: sBogus, Zone: zExample, EDE: validator.EDEDNSSECBogus}},
		// An attacker turns the NODATA answer for the empty non-terminal
		// ent.example.test. into NXDOMAIN, keeping the NSEC that covers
		// it: that NSEC's next name (host.ent) is below the name, so the
		// name exists and the name error is not proven (RFC 4035 §5.4,
		// RFC 8020 §2).
		{name: "NXDOMAIN forged for ENT NSEC", post: func(h *hier) { h.Tamper = forgeNXDOMAIN("ent.example.test.") }, qname: "ent.example.test.",
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonNXDomainBadProof}},
		// The same with NSEC3: the ENT has its own NSEC3, so there is no next closer name to cover (RFC 5155 §8.4).
		{name: "NXDOMAIN forged for ENT NSEC3", setup: nsec3(n3, zExample), post: func(h *hier) { h.Tamper = forgeNXDOMAIN("ent.example.test.") }, qname: "ent.example.test.",
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonNXDomainBadProof}},
		// NXDOMAIN forged for an existing name, with the NSEC of the name (RFC 4035 §5.4).
		{name: "NXDOMAIN forged for existing name", post: func(h *hier) { h.Tamper = forgeNXDOMAIN(www) }, qname: www, qtype: dns.TypeMX,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonNXDomainBadProof}},
		// No NSEC at all in the zone: EDE 12 (RFC 8914 §4.13).
		{name: "NXDOMAIN no NSEC at all", post: func(h *hier) { h.dropType(zExample, dns.TypeNSEC) }, qname: nx,
			want: want{Status: sBogus, EDE: validator.EDENSECMissing, Zone: zExample, Reason: validator.ReasonNXDomainNoProof}},
		// ...and without any NSEC3 (RFC 8914 §4.13).
		{name: "NXDOMAIN no NSEC3 at all", setup: nsec3(n3, zExample), post: func(h *hier) { h.dropType(zExample, dns.TypeNSEC3) }, qname: nx,
			want: want{Status: sBogus, EDE: validator.EDENSECMissing, Zone: zExample, Reason: validator.ReasonNXDomainNoProof}},
		// The covering NSEC's signature corrupted (RFC 4035 §5.3, §5.4).
		{name: "NXDOMAIN NSEC bad signature", post: func(h *hier) { h.corruptSig(zExample, "loop2.example.test.", dns.TypeNSEC, -1) }, qname: nx,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample}},
		// NXDOMAIN in an opt-out zone: the next closer name may be an
		// unsigned delegation, so the answer is not Secure (RFC 5155 §9.2).
		{name: "NXDOMAIN NSEC3 opt-out", setup: nsec3(signer.Denial{NSEC3: true, OptOut: true}, zExample), qname: nx,
			want: want{Status: sInsec, Zone: zExample, Reason: validator.ReasonInsecureOptOut}},
		// The NXDOMAIN validated TTL is capped by the SOA minimum (RFC 2308 §5, RFC 9077 §3).
		{name: "NXDOMAIN TTL", qname: nx, want: secureExample, check: wantTTL(300)},

		// --- NODATA ---
		// NSEC at the name without the type (RFC 4035 §5.4).
		{name: "NODATA NSEC", qname: www, qtype: dns.TypeMX, want: secureExample, check: wantRcode(dns.RcodeSuccess)},
		// NSEC3 matching the name without the type (RFC 5155 §8.5).
		{name: "NODATA NSEC3", setup: nsec3(n3, zExample), qname: www, qtype: dns.TypeMX, want: secureExample},
		// A DS query for an unsigned child is answered by the parent side of
		// the cut (RFC 4035 §3.1.4.1) with NODATA, proven by test.'s NSEC or
		// NSEC3 at the cut.
		{name: "NODATA DS at insecure cut NSEC", qname: zUnsigned, qtype: dns.TypeDS, want: want{Status: sSecure, Zone: zTest, Reason: validator.ReasonSecure}},
		// ...and with NSEC3 (RFC 5155 §8.6).
		{name: "NODATA DS at insecure cut NSEC3", setup: nsec3(n3, zTest), qname: zUnsigned, qtype: dns.TypeDS, want: want{Status: sSecure, Zone: zTest, Reason: validator.ReasonSecure}},
		// The AAAA RRset removed after signing: the NSEC at www still lists
		// AAAA, so the NODATA proof fails (RFC 4035 §5.4).
		{name: "NODATA NSEC bitmap has type", post: func(h *hier) { h.dropAll(zExample, www, dns.TypeAAAA) }, qname: www, qtype: dns.TypeAAAA,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonNoDataBadProof}},
		// ...and with NSEC3 (RFC 5155 §8.5).
		{name: "NODATA NSEC3 bitmap has type", setup: nsec3(n3, zExample), post: func(h *hier) { h.dropAll(zExample, www, dns.TypeAAAA) }, qname: www, qtype: dns.TypeAAAA,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonNoDataBadProof}},
		// A name with a CNAME has no other data: MX at the alias is answered
		// with the CNAME and then NODATA at the target (RFC 1034 §3.6.2).
		{name: "NODATA NSEC at alias resolves CNAME", qname: "alias.example.test.", qtype: dns.TypeMX, want: secureExample},
		// Empty non-terminal: no NSEC at ent.example.test., the NSEC before
		// it has a next name below it (RFC 4035 §3.1.3.2, §5.4).
		{name: "ENT NODATA NSEC", qname: "ent.example.test.", want: secureExample, check: wantRcode(dns.RcodeSuccess)},
		// NSEC3 has a record for the ENT with an empty bitmap (RFC 5155 §7.1, §8.5).
		{name: "ENT NODATA NSEC3", setup: nsec3(n3, zExample), qname: "ent.example.test.", want: secureExample, check: wantRcode(dns.RcodeSuccess)},
		// NODATA with no denial records: EDE 12 (RFC 8914 §4.13).
		{name: "NODATA no NSEC at all", post: func(h *hier) { h.dropType(zExample, dns.TypeNSEC) }, qname: www, qtype: dns.TypeMX,
			want: want{Status: sBogus, EDE: validator.EDENSECMissing, Zone: zExample, Reason: validator.ReasonNoDataNoProof}},

		// --- wildcards ---
		// Answer synthesised from *.wild.example.test.: the RRSIG labels
		// field shows the expansion, the NSEC covering the name proves no
		// closer match (RFC 4035 §5.3.4).
		{name: "wildcard answer NSEC", qname: wild, want: secureExample},
		// NSEC3: the next closer name is covered (RFC 5155 §8.8).
		{name: "wildcard answer NSEC3", setup: nsec3(n3, zExample), qname: wild, want: secureExample},
		// Two labels below the wildcard owner's parent (RFC 4035 §5.3.4).
		{name: "wildcard answer two labels deep NSEC", qname: "a.b.wild.example.test.", want: secureExample},
		// ...and with NSEC3 (RFC 5155 §8.8).
		{name: "wildcard answer two labels deep NSEC3", setup: nsec3(n3, zExample), qname: "a.b.wild.example.test.", want: secureExample},
		// The wildcard's own name asked for literally is not an expansion:
		// Labels does not count the "*" label (RFC 4034 §3.1.3).
		{name: "wildcard owner asked literally", qname: "*.wild.example.test.", want: secureExample},
		// ...and with NSEC3 (RFC 4034 §3.1.3).
		{name: "wildcard owner asked literally NSEC3", setup: nsec3(n3, zExample), qname: "*.wild.example.test.", want: secureExample},
		// The proof removed: Bogus (RFC 4035 §5.3.4).
		{name: "wildcard answer NSEC proof removed", post: func(h *hier) { h.dropAll(zExample, "*.wild.example.test.", dns.TypeNSEC) }, qname: wild,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonWildcardNoProof}},
		// ...the NSEC3 covering the next closer name removed (RFC 5155 §8.8).
		{name: "wildcard answer NSEC3 proof removed", setup: nsec3(n3, zExample), post: func(h *hier) { h.dropNSEC3(zExample, h.nsec3For(zExample, wild, false)) },
			qname: wild, want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonWildcardNoProof}},
		// The whole chain removed: EDE 12 (RFC 8914 §4.13).
		{name: "wildcard answer no NSEC at all", post: func(h *hier) { h.dropType(zExample, dns.TypeNSEC) }, qname: wild,
			want: want{Status: sBogus, EDE: validator.EDENSECMissing, Zone: zExample, Reason: validator.ReasonWildcardNoProof}},
		// Replay: real.wild.example.test. exists (so no NSEC can deny it);
		// its TXT is replaced by the wildcard's data with the wildcard's
		// RRSIG, which verifies as an expansion (labels 3 < 4). Without a
		// proof that the name does not exist it must not be Secure (RFC 4035
		// §5.3.4); here there is no denial record at all: EDE 12.
		{name: "wildcard RRSIG replayed at existing name", setup: func(h *hier) {
			h.spec(zExample).Records = []string{`real.wild.example.test. 3600 IN TXT "real"`}
		}, post: func(h *hier) {
			h.dropAll(zExample, "real.wild.example.test.", dns.TypeTXT)
			h.add(zExample, `real.wild.example.test. 3600 IN TXT "wild"`)
			s := dns.Copy(h.sigs(zExample, "*.wild.example.test.", dns.TypeTXT)[0]).(*dns.RRSIG)
			s.Hdr.Name = "real.wild.example.test."
			h.zones[zExample] = append(h.zones[zExample], s)
		}, qname: "real.wild.example.test.", qtype: dns.TypeTXT,
			want: want{Status: sBogus, EDE: validator.EDENSECMissing, Zone: zExample, Reason: validator.ReasonWildcardNoProof}},
		// The same replay with the attacker adding the genuine NSEC closest
		// to the name (owner *.wild, next real.wild): it ends at the name
		// and does not cover it, so the proof fails: EDE 6 (RFC 4035 §5.3.4).
		{name: "wildcard RRSIG replayed with unrelated NSEC", setup: func(h *hier) {
			h.spec(zExample).Records = []string{`real.wild.example.test. 3600 IN TXT "real"`}
		}, post: func(h *hier) {
			nsec := h.rrset(zExample, "*.wild.example.test.", dns.TypeNSEC)
			if nsec[0].(*dns.NSEC).NextDomain != "real.wild.example.test." {
				t.Fatalf("unexpected NSEC %v", nsec[0])
			}
			proof := append(nsec, h.sigs(zExample, "*.wild.example.test.", dns.TypeNSEC)[0])
			h.Tamper = func(_ validator.Servers, qname string, _ uint16, m *dns.Msg) {
				if qname == "real.wild.example.test." {
					m.Ns = append(m.Ns, proof...)
				}
			}
			h.dropAll(zExample, "real.wild.example.test.", dns.TypeTXT)
			h.add(zExample, `real.wild.example.test. 3600 IN TXT "wild"`)
			s := dns.Copy(h.sigs(zExample, "*.wild.example.test.", dns.TypeTXT)[0]).(*dns.RRSIG)
			s.Hdr.Name = "real.wild.example.test."
			h.zones[zExample] = append(h.zones[zExample], s)
		}, qname: "real.wild.example.test.", qtype: dns.TypeTXT,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonWildcardNoProof}},
		// Wildcard NODATA: no such name, and the wildcard has no MX (RFC 4035 §5.4, RFC 5155 §8.7).
		{name: "wildcard NODATA NSEC", qname: wild, qtype: dns.TypeMX, want: secureExample},
		// ...and with NSEC3 (RFC 5155 §8.7).
		{name: "wildcard NODATA NSEC3", setup: nsec3(n3, zExample), qname: wild, qtype: dns.TypeMX, want: secureExample},

		// --- NSEC3 hash algorithm ---
		// Every NSEC3 served with hash algorithm 2 (unassigned) and
		// validly signed: a validator MUST ignore them, so nothing proves
		// the name error and the answer is Bogus (RFC 5155 §8.1).
		{name: "NSEC3 unknown hash algorithm", setup: nsec3(n3, zExample), post: func(h *hier) { h.Tamper = nsec3Tamper(h, func(n *dns.NSEC3) { n.Hash = 2 }) }, qname: nx,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonNXDomainBadProof}},
		// The same records re-signed unchanged: the tampering itself
		// changes nothing (RFC 5155 §8.1).
		{name: "NSEC3 re-signed unchanged", setup: nsec3(n3, zExample), post: func(h *hier) { h.Tamper = nsec3Tamper(h, func(*dns.NSEC3) {}) }, qname: nx,
			want: secureExample},
		// Every NSEC3 with an unknown flag (2): ignored, so no proof
		// (RFC 5155 §8.2: only flags 0 and 1 are usable).
		{name: "NSEC3 unknown flag", setup: nsec3(n3, zExample), post: func(h *hier) { h.Tamper = nsec3Tamper(h, func(n *dns.NSEC3) { n.Flags = 2 }) }, qname: nx,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonNXDomainBadProof}},
		// Opt-out plus an unknown flag (3) is not read as opt-out: the
		// records are ignored and the NXDOMAIN is Bogus rather than
		// Insecure (RFC 5155 §8.2).
		{name: "NSEC3 opt-out with unknown flag", setup: nsec3(signer.Denial{OptOut: true}, zExample), post: func(h *hier) { h.Tamper = nsec3Tamper(h, func(n *dns.NSEC3) { n.Flags = 3 }) }, qname: nx,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonNXDomainBadProof}},

		// --- NSEC3 iterations (RFC 9276 §3.2) ---
		// Above the limit of 150: Insecure with EDE 27.
		{name: "NSEC3 151 iterations NXDOMAIN", setup: nsec3(signer.Denial{Iterations: 151}, zExample), qname: nx,
			want: want{Status: sInsec, EDE: validator.EDEUnsupportedNSEC3Iterations, Zone: zExample, Reason: validator.ReasonInsecureIterations}},
		// Exactly 150 is still validated (RFC 9276 §3.2).
		{name: "NSEC3 150 iterations NXDOMAIN", setup: nsec3(signer.Denial{Iterations: 150}, zExample), qname: nx, want: secureExample},
		// The proof of no DS with too many iterations: Insecure as well (RFC 9276 §3.2).
		{name: "NSEC3 200 iterations no DS", setup: nsec3(signer.Denial{Iterations: 200}, zTest), qname: "www.unsigned.test.",
			want: want{Status: sInsec, EDE: validator.EDEUnsupportedNSEC3Iterations, Zone: zUnsigned, Reason: validator.ReasonInsecureIterations}},
		// Positive answers do not look at the iterations (RFC 9276 §3.2 concerns denial only).
		{name: "NSEC3 200 iterations positive", setup: nsec3(signer.Denial{Iterations: 200}, zExample), qname: www, want: secureExample},
		// Validator.MaxNSEC3Iterations lowers the limit (RFC 9276 §3.2 leaves the limit to the validator).
		{name: "NSEC3 limit lowered", setup: both(nsec3(signer.Denial{Iterations: 11}, zExample), func(h *hier) { h.MaxIter = 10 }), qname: nx,
			want: want{Status: sInsec, EDE: validator.EDEUnsupportedNSEC3Iterations, Zone: zExample, Reason: validator.ReasonInsecureIterations}},
	}
	runCases(t, cases)
}

// TestAliases: CNAME chains and DNAME redirection inside and across zones.
func TestAliases(t *testing.T) {
	cases := []vcase{
		// A CNAME within the zone, then its target: both RRsets validate (RFC 4035 §5.3).
		{name: "CNAME within zone", qname: "alias.example.test.", want: secureExample,
			check: func(t *testing.T, _ *hier, v *validator.Verdict) {
				if len(v.Answer) != 2 || v.Answer[0].Header().Rrtype != dns.TypeCNAME || v.Answer[1].Header().Rrtype != dns.TypeA {
					t.Errorf("answer %v, want the CNAME then the A", v.Answer)
				}
			}},
		// Asking for the CNAME itself stops there (RFC 1034 §4.3.2 step 3a).
		{name: "CNAME asked for", qname: "alias.example.test.", qtype: dns.TypeCNAME, want: secureExample},
		// secure -> secure across zones; the verdict names the zone of the
		// final answer (RFC 4035 §5).
		{name: "CNAME secure to secure", qname: "to-other.example.test.", want: secureOther},
		// secure -> insecure: the weakest link decides (RFC 4035 §5, RFC 4033 §5).
		{name: "CNAME secure to insecure", qname: "to-unsigned.example.test.", want: want{Status: sInsec, Zone: zUnsigned, Reason: validator.ReasonInsecureNoDS}},
		// secure -> bogus: the target's signature is corrupted (RFC 4035 §5.5).
		{name: "CNAME secure to bogus", post: func(h *hier) { h.corruptSig(zOther, "www.other.test.", dns.TypeA, -1) }, qname: "to-other.example.test.",
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zOther}},
		// secure -> NXDOMAIN proven in the other zone (RFC 4035 §5.4).
		{name: "CNAME to nonexistent name", setup: func(h *hier) {
			h.spec(zExample).Records = []string{"dangling.example.test. 3600 IN CNAME nothing.other.test."}
		}, qname: "dangling.example.test.", want: secureOther, check: wantRcode(dns.RcodeNameError)},
		// The CNAME's own signature corrupted (RFC 4035 §5.3).
		{name: "CNAME bad signature", post: func(h *hier) { h.corruptSig(zExample, "alias.example.test.", dns.TypeCNAME, -1) }, qname: "alias.example.test.",
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample}},
		// A CNAME in an unsigned zone pointing into a signed one: Insecure (RFC 4035 §4.3).
		{name: "CNAME insecure to secure", setup: func(h *hier) {
			h.spec(zUnsigned).Records = []string{"alias.unsigned.test. 3600 IN CNAME www.example.test."}
		}, qname: "alias.unsigned.test.", want: want{Status: sInsec, Zone: zUnsigned, Reason: validator.ReasonInsecureNoDS}},
		// A CNAME loop inside one zone ends in a verdict, not a hang (RFC 1034 §3.6.2).
		{name: "CNAME loop in zone", qname: "loop1.example.test.", want: want{Status: sBogus, Zone: zExample, Reason: validator.ReasonLoop}},
		// A loop across two zones (RFC 1034 §3.6.2).
		{name: "CNAME loop across zones", qname: "xloop.example.test.", want: want{Status: sBogus, Zone: zExample, Reason: validator.ReasonLoop}},
		// DNAME to another signed zone: the DNAME is validated, the
		// synthesised CNAME is unsigned and not needed (RFC 6672 §5.3.1).
		{name: "DNAME secure to secure", qname: "www.dn.example.test.", want: secureOther,
			check: func(t *testing.T, _ *hier, v *validator.Verdict) {
				if len(v.Answer) != 2 || v.Answer[0].Header().Rrtype != dns.TypeDNAME || v.Answer[1].Header().Name != "www.other.test." {
					t.Errorf("answer %v, want the DNAME then www.other.test. A", v.Answer)
				}
			}},
		// The synthesised CNAME asked for itself (RFC 6672 §5.3.1).
		{name: "DNAME query for CNAME", qname: "www.dn.example.test.", qtype: dns.TypeCNAME, want: secureExample},
		// DNAME into the unsigned zone: Insecure (RFC 4035 §4.3).
		{name: "DNAME secure to insecure", setup: func(h *hier) {
			h.spec(zExample).Records = []string{"dn2.example.test. 3600 IN DNAME unsigned.test."}
		}, qname: "www.dn2.example.test.", want: want{Status: sInsec, Zone: zUnsigned, Reason: validator.ReasonInsecureNoDS}},
		// The DNAME signature corrupted: Bogus (RFC 6672 §5.3.1).
		{name: "DNAME bad signature", post: func(h *hier) { h.corruptSig(zExample, "dn.example.test.", dns.TypeDNAME, -1) }, qname: "www.dn.example.test.",
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample}},
		// The DNAME unsigned (RFC 8914 §4.11).
		{name: "DNAME unsigned", post: func(h *hier) { h.dropSigs(zExample, "dn.example.test.", dns.TypeDNAME, nil) }, qname: "www.dn.example.test.",
			want: want{Status: sBogus, EDE: validator.EDERRSIGsMissing, Zone: zExample}},
		// The DNAME owner itself is an ordinary name (RFC 6672 §2.3).
		{name: "DNAME owner asked", qname: "dn.example.test.", qtype: dns.TypeDNAME, want: secureExample},
	}
	runCases(t, cases)
}

// TestSignatureWindows: validity periods with serial arithmetic and the
// validated TTL.
func TestSignatureWindows(t *testing.T) {
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	resignWWW := func(inc, exp time.Time) func(h *hier) {
		return func(h *hier) {
			_, zsks := h.keys(zExample)
			h.resign(zExample, www, dns.TypeA, zsks[0], inc, exp)
		}
	}
	// A window straddling the 2106 wrap of the 32-bit time fields.
	wrap := func(h *hier) { h.Inception, h.Expiration = date(2106, 1, 1), date(2106, 6, 1) }
	cases := []vcase{
		// Expired: EDE 7 (RFC 4035 §5.3.1, RFC 8914 §4.8).
		{name: "expired", post: resignWWW(date(2024, 1, 1), date(2024, 12, 31)), qname: www,
			want: want{Status: sBogus, EDE: validator.EDESignatureExpired, Zone: zExample, Reason: validator.ReasonAnswerSigFailed + ": signature expired"}},
		// Not yet valid: EDE 8 (RFC 8914 §4.9).
		{name: "not yet valid", post: resignWWW(date(2034, 1, 1), date(2035, 12, 31)), qname: www,
			want: want{Status: sBogus, EDE: validator.EDESignatureNotYetValid, Zone: zExample, Reason: validator.ReasonAnswerSigFailed + ": signature not yet valid"}},
		// The expiration instant itself is still valid (RFC 4035 §5.3.1: now <= expiration).
		{name: "at expiration", post: resignWWW(date(2025, 1, 1), testNow), qname: www, want: secureExample},
		// Everything expired: the chain breaks at the anchor zone (RFC 4035 §5.3.1).
		{name: "whole hierarchy expired", qname: www, now: date(2036, 6, 1),
			want: want{Status: sBogus, EDE: validator.EDESignatureExpired, Zone: zRoot, Reason: validator.ReasonKeysSigFailed}},
		// Serial arithmetic (RFC 4034 §3.1.5, RFC 1982): inception 2106-01-01,
		// expiration 2106-06-01 (which wraps to a small number); validated
		// after the wrap, the window still holds.
		{name: "2106 wrap, after wrap", setup: wrap, qname: www, now: date(2106, 3, 1), want: secureExample},
		// ...and before the wrap (RFC 1982 §3.2).
		{name: "2106 wrap, before wrap", setup: wrap, qname: www, now: date(2106, 1, 15), want: secureExample},
		// ...after the expiration (RFC 1982 §3.2).
		{name: "2106 wrap, expired", setup: wrap, qname: www, now: date(2106, 7, 1),
			want: want{Status: sBogus, EDE: validator.EDESignatureExpired, Zone: zRoot}},
		// ...before the inception (RFC 1982 §3.2).
		{name: "2106 wrap, not yet valid", setup: wrap, qname: www, now: date(2105, 12, 1),
			want: want{Status: sBogus, EDE: validator.EDESignatureNotYetValid, Zone: zRoot}},
		// Validated TTL (RFC 4035 §5.3.3): the RRset TTL when nothing else is smaller.
		{name: "TTL plain", qname: www, want: secureExample, check: wantTTL(3600)},
		// Capped by the original TTL: the RRset was signed with TTL 300, then
		// served with TTL 3600 (the RRSIG TTL raised as well) (RFC 4035 §5.3.3).
		{name: "TTL capped by original TTL", post: func(h *hier) {
			_, zsks := h.keys(zExample)
			set := h.rrset(zExample, www, dns.TypeA)
			for _, rr := range set {
				rr.Header().Ttl = 300
			}
			sig := h.resign(zExample, www, dns.TypeA, zsks[0], sigFrom, sigUntil)
			for _, rr := range set {
				rr.Header().Ttl = 3600
			}
			sig.Hdr.Ttl = 3600
		}, qname: www, want: secureExample, check: wantTTL(300)},
		// Capped by the time left before the signature expires (RFC 4035 §5.3.3).
		{name: "TTL capped by expiration", post: resignWWW(sigFrom, testNow.Add(100*time.Second)), qname: www, want: secureExample, check: wantTTL(100)},
		// Capped by the RRSIG's own TTL (RFC 4035 §5.3.3).
		{name: "TTL capped by RRSIG TTL", post: func(h *hier) { h.sigs(zExample, www, dns.TypeA)[0].Hdr.Ttl = 60 }, qname: www, want: secureExample, check: wantTTL(60)},
		// Bogus answers have TTL 0: the RFC 4035 §5.3.3 TTL is for accepted
		// RRsets only.
		{name: "TTL of bogus", post: resignWWW(date(2024, 1, 1), date(2024, 12, 31)), qname: www,
			want: want{Status: sBogus, EDE: validator.EDESignatureExpired, Zone: zExample}, check: wantTTL(0)},
	}
	runCases(t, cases)
}

// TestKeys: flags, missing keys and key signatures (RFC 4034 §2.1.1,
// RFC 4035 §5.2, RFC 5011 §2.1).
func TestKeys(t *testing.T) {
	cases := []vcase{
		// The DS matches a key whose ZONE bit is clear: that key must not
		// verify anything (RFC 4034 §2.1.1); EDE 11 (RFC 8914 §4.12).
		{name: "DS matches key without ZONE bit", setup: func(h *hier) {
			ksks, _ := h.keys(zExample)
			h.spec(zExample).KSKs = []*signer.Key{withFlags(ksks[0], dns.SEP)}
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDENoZoneKeyBitSet, Zone: zExample}},
		// The answer signed only by a key without the ZONE bit: EDE 11 (RFC 4034 §2.1.1, RFC 8914 §4.12).
		{name: "answer signed by key without ZONE bit", setup: func(h *hier) {
			_, zsks := h.keys(zExample)
			h.spec(zExample).ZSKs = []*signer.Key{withFlags(zsks[0], 0)}
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDENoZoneKeyBitSet, Zone: zExample, Reason: validator.ReasonAnswerSigFailed + ": key has no ZONE bit"}},
		// The only KSK is published revoked (RFC 5011 §2.1) while the DS
		// still names it unrevoked: the flags are part of the key tag and
		// digest, so no DS matches.
		{name: "KSK revoked, DS for unrevoked", setup: func(h *hier) {
			ksks, _ := h.keys(zExample)
			h.spec(zExample).DSKeys = []*dns.DNSKEY{ksks[0].DNSKEY}
			h.spec(zExample).KSKs = []*signer.Key{withFlags(ksks[0], 257|dns.REVOKE)}
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zExample, Reason: validator.ReasonDSNoKey}},
		// The DS names the revoked key itself: a revoked key is never used
		// to validate (RFC 5011 §2.1).
		{name: "KSK revoked, DS for revoked", setup: func(h *hier) {
			ksks, _ := h.keys(zExample)
			h.spec(zExample).KSKs = []*signer.Key{withFlags(ksks[0], 257|dns.REVOKE)}
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zExample, Reason: validator.ReasonDSNoKey}},
		// The answer signed only by a revoked key: a revoked key verifies
		// nothing but its own DNSKEY self-signature (RFC 5011 §2.1); EDE 6.
		{name: "answer signed by revoked key", setup: func(h *hier) {
			_, zsks := h.keys(zExample)
			h.spec(zExample).ZSKs = []*signer.Key{withFlags(zsks[0], dns.ZONE|dns.REVOKE)}
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonAnswerSigFailed + ": key is revoked"}},
		// Two KSKs, the DS names only the one published revoked: the other
		// KSK signs the DNSKEY set but no DS vouches for it (RFC 5011 §2.1,
		// RFC 4035 §5.2).
		{name: "DS names only the revoked KSK", setup: func(h *hier) {
			ksks, _ := h.keys(zExample)
			revoked := withFlags(newKey(t, zExample, dns.ECDSAP256SHA256, 257, "old"), 257|dns.REVOKE)
			h.spec(zExample).KSKs = append(ksks, revoked)
			h.spec(zExample).DSKeys = []*dns.DNSKEY{revoked.DNSKEY}
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zExample, Reason: validator.ReasonDSNoKey}},
		// A revoked second KSK next to a good one does no harm (RFC 5011 §2.1, RFC 6840 §5.11).
		{name: "second KSK revoked", setup: func(h *hier) {
			ksks, _ := h.keys(zExample)
			h.spec(zExample).KSKs = append(ksks, withFlags(newKey(t, zExample, dns.ECDSAP256SHA256, 257, "old"), 257|dns.REVOKE))
		}, qname: www, want: secureExample},
		// The SEP bit is a hint for operators that validators must ignore
		// (RFC 4034 §2.1.1, RFC 3757 §3.2): a KSK without SEP works...
		{name: "KSK without SEP bit", setup: func(h *hier) {
			ksks, _ := h.keys(zExample)
			h.spec(zExample).KSKs = []*signer.Key{withFlags(ksks[0], dns.ZONE)}
		}, qname: www, want: secureExample},
		// ...and so does a ZSK with SEP (RFC 4034 §2.1.1).
		{name: "ZSK with SEP bit", setup: func(h *hier) {
			_, zsks := h.keys(zExample)
			h.spec(zExample).ZSKs = []*signer.Key{withFlags(zsks[0], dns.ZONE|dns.SEP)}
		}, qname: www, want: secureExample},
		// The DNSKEY set missing while the parent has a DS: EDE 9 (RFC 8914 §4.10).
		{name: "DNSKEY set missing", post: func(h *hier) { h.dropAll(zExample, zExample, dns.TypeDNSKEY) }, qname: www,
			want: want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zExample, Reason: validator.ReasonDNSKEYMissing}},
		// The DS digest does not match the KSK: EDE 9 (RFC 4035 §5.2, RFC 8914 §4.10).
		{name: "DS digest mismatch", setup: setDS(zExample, nil, byDigest(dns.SHA256, badDigest)), qname: www,
			want: want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zExample, Reason: validator.ReasonDSDigestMismatch}},
		// The DNSKEY set signed only by the ZSK, which no DS names (RFC 4035
		// §5.2): EDE 10 (RFC 8914 §4.11), as Unbound says (corpus bogus-ds-key-not-signing).
		{name: "DNSKEY set signed only by ZSK", post: func(h *hier) {
			ksks, _ := h.keys(zExample)
			tag := ksks[0].DNSKEY.KeyTag()
			h.dropSigs(zExample, zExample, dns.TypeDNSKEY, func(s *dns.RRSIG) bool { return s.KeyTag == tag })
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDERRSIGsMissing, Zone: zExample, Reason: validator.ReasonKeysUnsigned}},
		// The KSK's signature over the DNSKEY set corrupted (RFC 4035 §5.2, RFC 8914 §4.7).
		{name: "DNSKEY set signature corrupted", post: func(h *hier) {
			ksks, _ := h.keys(zExample)
			tag := ksks[0].DNSKEY.KeyTag()
			for _, s := range h.sigs(zExample, zExample, dns.TypeDNSKEY) {
				if s.KeyTag == tag {
					flipSig(s)
				}
			}
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonKeysSigFailed}},
		// The answer has no RRSIG: EDE 10 (RFC 4035 §5.3, RFC 8914 §4.11).
		{name: "answer without RRSIG", post: func(h *hier) { h.dropSigs(zExample, www, dns.TypeA, nil) }, qname: www,
			want: want{Status: sBogus, EDE: validator.EDERRSIGsMissing, Zone: zExample, Reason: validator.ReasonAnswerUnsigned}},
		// The answer signed by a key that is not in the DNSKEY set: EDE 9 (RFC 4035 §5.3.1, RFC 8914 §4.10).
		{name: "answer signed by unknown key", post: func(h *hier) {
			h.resign(zExample, www, dns.TypeA, newKey(t, zExample, dns.ECDSAP256SHA256, 256, "stranger"), sigFrom, sigUntil)
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zExample, Reason: validator.ReasonAnswerUnknownKey}},
		// The answer signed by the parent's key: the signer must be the
		// zone (RFC 4035 §5.3.1), so it counts as unsigned.
		{name: "answer signed by parent", post: func(h *hier) {
			_, zsks := h.keys(zTest)
			set := h.rrset(zExample, www, dns.TypeA)
			sig, err := signer.Sign(set, zsks[0], sigFrom, sigUntil)
			if err != nil {
				t.Fatal(err)
			}
			h.dropSigs(zExample, www, dns.TypeA, nil)
			h.zones[zExample] = append(h.zones[zExample], sig)
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDERRSIGsMissing, Zone: zExample}},
		// The DS set's signature (made by test.) corrupted (RFC 4035 §5.2, RFC 8914 §4.7).
		{name: "DS set signature corrupted", post: func(h *hier) { h.corruptSig(zTest, zExample, dns.TypeDS, -1) }, qname: www,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample, Reason: validator.ReasonDSSigFailed}},
		// The DS set unsigned (RFC 4035 §5.2, RFC 8914 §4.11).
		{name: "DS set unsigned", post: func(h *hier) { h.dropSigs(zTest, zExample, dns.TypeDS, nil) }, qname: www,
			want: want{Status: sBogus, EDE: validator.EDERRSIGsMissing, Zone: zExample, Reason: validator.ReasonDSUnsigned}},
		// The DNSKEY RRSIG expired (RFC 4035 §5.3.1, RFC 8914 §4.8).
		{name: "DNSKEY set signature expired", post: func(h *hier) {
			ksks, _ := h.keys(zExample)
			h.resign(zExample, zExample, dns.TypeDNSKEY, ksks[0], time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC))
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDESignatureExpired, Zone: zExample, Reason: validator.ReasonKeysSigFailed}},
	}
	runCases(t, cases)
}

// TestAnchors: the trust anchor decides where validation starts (RFC 4033
// §3.1, §5; RFC 4035 §4.4).
func TestAnchors(t *testing.T) {
	anchorKind := func(k string) func(h *hier) { return func(h *hier) { h.AnchorKind = k } }
	anchorFunc := func(f func(h *hier) *validator.Anchor) func(h *hier) { return func(h *hier) { h.AnchorFunc = f } }
	rootKSK := func(h *hier) *signer.Key { k, _ := h.keys(zRoot); return k[0] }
	cases := []vcase{
		// DS anchor for the root (RFC 4035 §4.4).
		{name: "DS anchor", qname: www, want: secureExample},
		// DNSKEY anchor for the root, as in the corpus case
		// secure-anchor-dnskey (RFC 4035 §4.4).
		{name: "DNSKEY anchor", setup: anchorKind("dnskey"), qname: www, want: secureExample},
		// No anchor: Indeterminate (RFC 4033 §5), no EDE, the walk starts at the root.
		{name: "no anchor", setup: anchorKind("none"), qname: www, want: want{Status: sIndeter, Zone: zRoot, Reason: validator.ReasonNoAnchor}},
		// Even broken data is only Indeterminate without an anchor (RFC 4035 §4.3).
		{name: "no anchor, broken data", setup: anchorKind("none"), post: func(h *hier) { h.corruptSig(zExample, www, dns.TypeA, -1) }, qname: www,
			want: want{Status: sIndeter, Zone: zRoot, Reason: validator.ReasonNoAnchor}},
		// An anchor for a zone that does not cover the name: Indeterminate (RFC 4035 §4.3).
		{name: "unrelated anchor", setup: anchorKind("unrelated"), qname: www, want: want{Status: sIndeter, Zone: zRoot, Reason: validator.ReasonNoAnchor}},
		// An anchor at test. (not the root) validates the names below it (RFC 4035 §4.4).
		{name: "anchor at test.", setup: anchorKind("test"), qname: www, want: secureExample},
		// ...even if the root is broken (RFC 4035 §4.4: the walk starts at the anchor).
		{name: "anchor at test., root broken", setup: anchorKind("test"), post: func(h *hier) { h.corruptSig(zRoot, zRoot, dns.TypeDNSKEY, -1) }, qname: www, want: secureExample},
		// ...and names below it that are insecure stay Insecure (RFC 4035 §5.2).
		{name: "anchor at test., insecure child", setup: anchorKind("test"), qname: "www.unsigned.test.", want: want{Status: sInsec, Zone: zUnsigned, Reason: validator.ReasonInsecureNoDS}},
		// The root itself, outside the anchor at test.: Indeterminate (RFC 4035 §4.3).
		{name: "anchor at test., root name", setup: anchorKind("test"), qname: ".", qtype: dns.TypeSOA, want: want{Status: sIndeter, Zone: zRoot, Reason: validator.ReasonNoAnchor}},
		// A DS anchor with a wrong digest: EDE 9 (RFC 8914 §4.10).
		{name: "DS anchor digest mismatch", setup: anchorFunc(func(h *hier) *validator.Anchor {
			return &validator.Anchor{Zone: zRoot, DS: []*dns.DS{badDigest(rootKSK(h).DNSKEY.ToDS(dns.SHA256))}}
		}), qname: www, want: want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zRoot, Reason: validator.ReasonDSDigestMismatch}},
		// A DNSKEY anchor the zone does not publish: EDE 9 (RFC 4035 §5.2, RFC 8914 §4.10).
		{name: "DNSKEY anchor not published", setup: anchorFunc(func(h *hier) *validator.Anchor {
			return &validator.Anchor{Zone: zRoot, DNSKEY: []*dns.DNSKEY{newKey(t, zRoot, dns.ECDSAP256SHA256, 257, "stranger").DNSKEY}}
		}), qname: www, want: want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zRoot, Reason: validator.ReasonAnchorNoKey}},
		// The anchor names the key with REVOKE set while the zone publishes it
		// without: a DNSKEY anchor is the exact key, flags included (RFC 5011 §2.1).
		{name: "DNSKEY anchor with other flags", setup: anchorFunc(func(h *hier) *validator.Anchor {
			return &validator.Anchor{Zone: zRoot, DNSKEY: []*dns.DNSKEY{withFlags(rootKSK(h), 257|dns.REVOKE).DNSKEY}}
		}), qname: www, want: want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zRoot, Reason: validator.ReasonAnchorNoKey}},
		// The root publishes its KSK revoked (RFC 5011 §2.1): the DNSKEY
		// anchor no longer matches a usable key.
		{name: "DNSKEY anchor revoked in zone", setup: func(h *hier) {
			ksk := rootKSK(h)
			h.AnchorFunc = func(h *hier) *validator.Anchor {
				return &validator.Anchor{Zone: zRoot, DNSKEY: []*dns.DNSKEY{ksk.DNSKEY}}
			}
			h.spec(zRoot).KSKs = []*signer.Key{withFlags(ksk, 257|dns.REVOKE)}
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zRoot, Reason: validator.ReasonAnchorNoKey}},
		// An anchor of only unsupported algorithms: Insecure, EDE 1 (RFC 4035
		// §5.2 and RFC 6840 §5.2 applied to the anchor's DS).
		{name: "DS anchor unsupported algorithm", setup: anchorFunc(func(h *hier) *validator.Anchor {
			ds := rootKSK(h).DNSKEY.ToDS(dns.SHA256)
			ds.Algorithm = 253
			return &validator.Anchor{Zone: zRoot, DS: []*dns.DS{ds}}
		}), qname: www, want: want{Status: sInsec, EDE: validator.EDEUnsupportedDNSKEYAlgorithm, Zone: zRoot, Reason: validator.ReasonInsecureAnchor}},
		// Two DS anchors, one wrong: one match is enough (RFC 6840 §5.11).
		{name: "DS anchor one of two good", setup: anchorFunc(func(h *hier) *validator.Anchor {
			good := rootKSK(h).DNSKEY.ToDS(dns.SHA256)
			return &validator.Anchor{Zone: zRoot, DS: []*dns.DS{badDigest(good), good}}
		}), qname: www, want: secureExample},
		// DS and DNSKEY anchors together, the DS wrong: the DNSKEY anchor
		// carries the chain (RFC 4035 §4.4: any configured anchor).
		{name: "DS wrong, DNSKEY anchor right", setup: anchorFunc(func(h *hier) *validator.Anchor {
			return &validator.Anchor{Zone: zRoot, DS: []*dns.DS{badDigest(rootKSK(h).DNSKEY.ToDS(dns.SHA256))}, DNSKEY: []*dns.DNSKEY{rootKSK(h).DNSKEY}}
		}), qname: www, want: secureExample},
		// A DS anchor (SHA-384) for example.test.: the walk starts there,
		// so a broken DS set in test. does not matter (RFC 4035 §4.4).
		{name: "DS anchor for example.test.", setup: anchorFunc(func(h *hier) *validator.Anchor {
			ksks, _ := h.keys(zExample)
			return &validator.Anchor{Zone: zExample, DS: []*dns.DS{ksks[0].DNSKEY.ToDS(dns.SHA384)}}
		}), post: func(h *hier) { h.dropSigs(zTest, zExample, dns.TypeDS, nil) }, qname: www, want: secureExample},
		// The root's DNSKEY set unsigned: Bogus at the root with EDE 10 (RFC 4035 §5.2, RFC 8914 §4.11).
		{name: "root DNSKEY unsigned", post: func(h *hier) { h.dropSigs(zRoot, zRoot, dns.TypeDNSKEY, nil) }, qname: www,
			want: want{Status: sBogus, EDE: validator.EDERRSIGsMissing, Zone: zRoot, Reason: validator.ReasonKeysUnsigned}},
	}
	runCases(t, cases)
}

// TestTransfer: the states of a DNS operator transfer, as in the corpus
// transfer-* cases (RFC 6781 §4.3.5, RFC 8901).
func TestTransfer(t *testing.T) {
	// The old operator's keys.
	oldKeys := func(h *hier) (ksk, zsk *signer.Key) {
		return newKey(t, zExample, dns.ECDSAP256SHA256, 257, "old/ksk"), newKey(t, zExample, dns.ECDSAP256SHA256, 256, "old/zsk")
	}
	newKeys := func(h *hier) (ksk, zsk *signer.Key) {
		return newKey(t, zExample, dns.ED25519, 257, "new/ksk"), newKey(t, zExample, dns.ED25519, 256, "new/zsk")
	}
	// state: which keys sign the child, which KSKs the parent's DS names.
	state := func(signNew, dsOld, dsNew bool) func(h *hier) {
		return func(h *hier) {
			s := h.spec(zExample)
			ok, oz := oldKeys(h)
			nk, nz := newKeys(h)
			if signNew {
				s.KSKs, s.ZSKs = []*signer.Key{nk}, []*signer.Key{nz}
			} else {
				s.KSKs, s.ZSKs = []*signer.Key{ok}, []*signer.Key{oz}
			}
			s.DSKeys = []*dns.DNSKEY{}
			if dsOld {
				s.DSKeys = append(s.DSKeys, ok.DNSKEY)
			}
			if dsNew {
				s.DSKeys = append(s.DSKeys, nk.DNSKEY)
			}
			if !dsOld && !dsNew {
				s.NoDS = true
			}
		}
	}
	dsNoKey := want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zExample, Reason: validator.ReasonDSNoKey}
	cases := []vcase{
		// Before the transfer: old keys, old DS (RFC 4035 §5.2).
		{name: "old key old DS", setup: state(false, true, false), qname: www, want: secureExample},
		// The new operator serves its keys, the parent still has the old DS: Bogus, EDE 9 (RFC 4035 §5.2, RFC 8914 §4.10).
		{name: "new key old DS", setup: state(true, true, false), qname: www, want: dsNoKey},
		// The parent holds no DS (NSEC proof) while the child is signed: Insecure (RFC 4035 §5.2).
		{name: "no DS signed child", setup: state(true, false, false), qname: www, want: want{Status: sInsec, Zone: zExample, Reason: validator.ReasonInsecureNoDS}},
		// Both DS, the new keys served: Secure (RFC 6781 §4.3.5.1 double-DS).
		{name: "both DS new key", setup: state(true, true, true), qname: www, want: secureExample},
		// Both DS, the old keys still served: Secure (RFC 6781 §4.3.5.1).
		{name: "both DS old key", setup: state(false, true, true), qname: www, want: secureExample},
		// Only the new DS while the child still serves the old keys: Bogus (RFC 4035 §5.2).
		{name: "new DS old key", setup: state(false, false, true), qname: www, want: dsNoKey},
		// Multi-signer (RFC 8901 §2.1.1): the old KSK signs a DNSKEY set
		// holding both ZSKs; the answer is signed by the new ZSK only.
		{name: "multi-signer new ZSK", setup: func(h *hier) {
			s := h.spec(zExample)
			ok, oz := oldKeys(h)
			_, nz := newKeys(h)
			s.KSKs, s.ZSKs, s.ExtraDNSKEYs = []*signer.Key{ok}, []*signer.Key{nz}, []*dns.DNSKEY{oz.DNSKEY}
			s.DSKeys = []*dns.DNSKEY{ok.DNSKEY}
		}, qname: www, want: secureExample},
		// Multi-signer with the new ZSK missing from the DNSKEY set: Bogus, EDE 9 (RFC 4035 §5.3.1, RFC 8901 §2.1.1).
		{name: "multi-signer new ZSK not published", setup: func(h *hier) {
			s := h.spec(zExample)
			ok, oz := oldKeys(h)
			s.KSKs, s.ZSKs = []*signer.Key{ok}, []*signer.Key{oz}
			s.DSKeys = []*dns.DNSKEY{ok.DNSKEY}
		}, post: func(h *hier) {
			_, nz := newKeys(h)
			h.resign(zExample, www, dns.TypeA, nz, sigFrom, sigUntil)
		}, qname: www, want: want{Status: sBogus, EDE: validator.EDEDNSKEYMissing, Zone: zExample, Reason: validator.ReasonAnswerUnknownKey}},
	}
	runCases(t, cases)
}

// TestChain checks the chain of trust reported for a Secure answer: one
// Link per zone, with the DS records, what they matched, the DNSKEY set and
// the signature checks.
func TestChain(t *testing.T) {
	h := newHier(t).build()
	v := h.validate(www, dns.TypeA, testNow)
	if v.Status != validator.Secure {
		t.Fatalf("status %s (%s)", v.Status, v.Reason)
	}
	tag := func(k *signer.Key) uint16 { return k.DNSKEY.KeyTag() }
	ptr := func(x uint16) *uint16 { return &x }
	link := func(z string, anchor bool, parent string) *validator.Link {
		ksks, zsks := h.keys(z)
		ksk, zsk := ksks[0], zsks[0]
		l := &validator.Link{
			Zone: z, Status: sSecure, Reason: "DNSKEY set authenticated", Anchor: anchor,
			DS: []validator.DSCheck{{KeyTag: tag(ksk), Algorithm: 13, DigestType: 2, Result: "DS matches key", MatchedKey: ptr(tag(ksk))}},
			DNSKEY: []validator.KeyInfo{
				{KeyTag: tag(ksk), Algorithm: 13, Flags: 257, Trusted: true},
				{KeyTag: tag(zsk), Algorithm: 13, Flags: 256},
			},
			DNSKEYSigs: []validator.SigCheck{{Owner: z, Type: "DNSKEY", Signer: z, KeyTag: tag(ksk), Algorithm: 13, Result: "valid"}},
		}
		if parent != "" {
			_, pz := h.keys(parent)
			l.DSSigs = []validator.SigCheck{{Owner: z, Type: "DS", Signer: parent, KeyTag: tag(pz[0]), Algorithm: 13, Result: "valid"}}
		}
		return l
	}
	want := []*validator.Link{link(zRoot, true, ""), link(zTest, false, zRoot), link(zExample, false, zTest)}
	sortKeys := cmp.Transformer("sortKeys", func(in []validator.KeyInfo) []validator.KeyInfo {
		out := slices.Clone(in)
		slices.SortFunc(out, func(a, b validator.KeyInfo) int { return int(a.KeyTag) - int(b.KeyTag) })
		return out
	})
	if diff := cmp.Diff(want, v.Chain, sortKeys); diff != "" {
		t.Errorf("chain mismatch (-want +got):\n%s", diff)
	}
	// The answer step: www A verified by the example.test. ZSK.
	_, zsks := h.keys(zExample)
	wantSteps := []*validator.Step{{
		What: "answer", Owner: www, Type: "A", Zone: zExample, Status: sSecure, Reason: validator.ReasonSecure,
		Sigs: []validator.SigCheck{{Owner: www, Type: "A", Signer: zExample, KeyTag: tag(zsks[0]), Algorithm: 13, Result: "valid"}},
	}}
	if diff := cmp.Diff(wantSteps, v.Steps); diff != "" {
		t.Errorf("steps mismatch (-want +got):\n%s", diff)
	}
	if v.QName != www || v.QType != "A" || v.Rcode != "NOERROR" || len(v.Answer) != 1 {
		t.Errorf("verdict header: qname %s qtype %s rcode %s answer %v", v.QName, v.QType, v.Rcode, v.Answer)
	}
}

// TestChainInsecure checks the link of a delegation proven unsigned.
func TestChainInsecure(t *testing.T) {
	h := newHier(t).build()
	v := h.validate("www.unsigned.test.", dns.TypeA, testNow)
	if len(v.Chain) != 3 {
		t.Fatalf("chain has %d links, want 3", len(v.Chain))
	}
	l := v.Chain[2]
	if l.Zone != zUnsigned || l.Status != sInsec || l.NoDS == nil || l.NoDS.Kind != "NSEC" || len(l.NoDS.Records) != 1 || len(l.DNSKEY) != 0 {
		t.Errorf("insecure link: %+v (no DS proof %+v)", l, l.NoDS)
	}
}
