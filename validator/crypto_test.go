package validator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/miekg/dns"
)

// cryptoTestNow is the reference "now" of the signature tests.
var cryptoTestNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// cryptoTestAlgs are the algorithms exercised by the per-algorithm tests.
var cryptoTestAlgs = []uint8{
	dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512,
	dns.ECDSAP256SHA256, dns.ECDSAP384SHA384, dns.ED25519, dns.ED448,
}

// cryptoTestPriv is the private half of a generated test key.
type cryptoTestPriv struct {
	alg    uint8
	pub    string        // base64 public key
	signer crypto.Signer // RSA, ECDSA, Ed25519
	ed448  ed448.PrivateKey
}

var (
	cryptoTestPrivMu sync.Mutex
	cryptoTestPrivs  = map[uint8]*cryptoTestPriv{}
)

// cryptoTestPrivFor returns the (lazily generated, shared) key for alg.
func cryptoTestPrivFor(tb testing.TB, alg uint8) *cryptoTestPriv {
	tb.Helper()
	cryptoTestPrivMu.Lock()
	defer cryptoTestPrivMu.Unlock()
	if p := cryptoTestPrivs[alg]; p != nil {
		return p
	}
	p := &cryptoTestPriv{alg: alg}
	if alg == dns.ED448 {
		pub, priv, err := ed448.GenerateKey(rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		p.pub = base64.StdEncoding.EncodeToString(pub)
		p.ed448 = priv
	} else {
		bits := map[uint8]int{
			dns.RSASHA1: 1024, dns.RSASHA1NSEC3SHA1: 1024, dns.RSASHA256: 2048, dns.RSASHA512: 1024,
			dns.ECDSAP256SHA256: 256, dns.ECDSAP384SHA384: 384, dns.ED25519: 256,
		}[alg]
		k := &dns.DNSKEY{Algorithm: alg, Protocol: 3, Flags: 257}
		priv, err := k.Generate(bits)
		if err != nil {
			tb.Fatalf("generate alg %d: %v", alg, err)
		}
		p.pub = k.PublicKey
		p.signer = priv.(crypto.Signer)
	}
	cryptoTestPrivs[alg] = p
	return p
}

// dnskey returns a DNSKEY for the private key with the given owner and flags.
func (p *cryptoTestPriv) dnskey(owner string, flags uint16) *dns.DNSKEY {
	return &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: owner, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     flags,
		Protocol:  3,
		Algorithm: p.alg,
		PublicKey: p.pub,
	}
}

// cryptoTestSigTemplate returns an RRSIG with the key fields and a window
// around cryptoTestNow filled in; the rest is set when signing.
func cryptoTestSigTemplate(key *dns.DNSKEY) *dns.RRSIG {
	return &dns.RRSIG{
		Hdr:        dns.RR_Header{Rrtype: dns.TypeRRSIG, Class: dns.ClassINET, Ttl: 3600},
		Algorithm:  key.Algorithm,
		KeyTag:     key.KeyTag(),
		SignerName: key.Hdr.Name,
		Inception:  uint32(cryptoTestNow.Add(-time.Hour).Unix()),
		Expiration: uint32(cryptoTestNow.Add(30 * 24 * time.Hour).Unix()),
	}
}

// cryptoTestFillSig fills the RRset-derived fields the way miekg's Sign does.
func cryptoTestFillSig(sig *dns.RRSIG, rrset []dns.RR) {
	h0 := rrset[0].Header()
	sig.Hdr.Name = h0.Name
	sig.Hdr.Class = h0.Class
	if sig.OrigTtl == 0 {
		sig.OrigTtl = h0.Ttl
	}
	sig.TypeCovered = h0.Rrtype
	sig.Labels = uint8(dns.CountLabel(h0.Name))
	if strings.HasPrefix(h0.Name, "*") {
		sig.Labels--
	}
}

// signMiekg signs with miekg/dns (not for Ed448).
func (p *cryptoTestPriv) signMiekg(tb testing.TB, sig *dns.RRSIG, rrset []dns.RR) {
	tb.Helper()
	if err := sig.Sign(p.signer, rrset); err != nil {
		tb.Fatalf("miekg Sign alg %d: %v", p.alg, err)
	}
}

// signOwn signs SignedData(sig, rrset) with the key, independently of miekg.
func (p *cryptoTestPriv) signOwn(tb testing.TB, sig *dns.RRSIG, rrset []dns.RR) {
	tb.Helper()
	cryptoTestFillSig(sig, rrset)
	data, err := SignedData(sig, rrset)
	if err != nil {
		tb.Fatalf("SignedData: %v", err)
	}
	var out []byte
	switch p.alg {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1:
		h := sha1.Sum(data)
		out, err = rsa.SignPKCS1v15(nil, p.signer.(*rsa.PrivateKey), crypto.SHA1, h[:])
	case dns.RSASHA256:
		h := sha256.Sum256(data)
		out, err = rsa.SignPKCS1v15(nil, p.signer.(*rsa.PrivateKey), crypto.SHA256, h[:])
	case dns.RSASHA512:
		h := sha512.Sum512(data)
		out, err = rsa.SignPKCS1v15(nil, p.signer.(*rsa.PrivateKey), crypto.SHA512, h[:])
	case dns.ECDSAP256SHA256, dns.ECDSAP384SHA384:
		var h []byte
		size := 32
		if p.alg == dns.ECDSAP256SHA256 {
			s := sha256.Sum256(data)
			h = s[:]
		} else {
			s := sha512.Sum384(data)
			h, size = s[:], 48
		}
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, p.signer.(*ecdsa.PrivateKey), h)
		if err == nil {
			out = make([]byte, 2*size)
			r.FillBytes(out[:size])
			s.FillBytes(out[size:])
		}
	case dns.ED25519:
		out = ed25519.Sign(p.signer.(ed25519.PrivateKey), data)
	case dns.ED448:
		out = ed448.Sign(p.ed448, data, "")
	default:
		tb.Fatalf("signOwn: alg %d", p.alg)
	}
	if err != nil {
		tb.Fatalf("sign alg %d: %v", p.alg, err)
	}
	sig.Signature = base64.StdEncoding.EncodeToString(out)
}

// sign uses miekg where it can (cross-checking SignedData), signOwn otherwise.
func (p *cryptoTestPriv) sign(tb testing.TB, sig *dns.RRSIG, rrset []dns.RR) {
	tb.Helper()
	if p.alg == dns.ED448 {
		p.signOwn(tb, sig, rrset)
		return
	}
	p.signMiekg(tb, sig, rrset)
}

// cryptoTestRRs parses presentation-format records.
func cryptoTestRRs(tb testing.TB, lines ...string) []dns.RR {
	tb.Helper()
	out := make([]dns.RR, 0, len(lines))
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			tb.Fatalf("NewRR(%q): %v", l, err)
		}
		out = append(out, rr)
	}
	return out
}

func cryptoTestA(tb testing.TB) []dns.RR {
	return cryptoTestRRs(tb,
		"www.example. 3600 IN A 192.0.2.1",
		"www.example. 3600 IN A 192.0.2.2",
	)
}

// cryptoTestCorrupt flips one bit of signature octet i (negative: from the end).
func cryptoTestCorrupt(sig *dns.RRSIG, i int) {
	b, _ := base64.StdEncoding.DecodeString(sig.Signature)
	if i < 0 {
		i += len(b)
	}
	b[i] ^= 0x01
	sig.Signature = base64.StdEncoding.EncodeToString(b)
}

// TestVerifySigAlgorithms: for every supported algorithm, signatures made by
// miekg/dns and by SignedData verify, and every form of tampering fails.
func TestVerifySigAlgorithms(t *testing.T) {
	for _, alg := range cryptoTestAlgs {
		t.Run(dns.AlgorithmToString[alg], func(t *testing.T) {
			p := cryptoTestPrivFor(t, alg)
			key := p.dnskey("example.", 257)

			type tc struct {
				name   string
				own    bool                                          // sign via SignedData instead of miekg
				mutate func(sig *dns.RRSIG, rrset []dns.RR) []dns.RR // applied after signing
				want   SigResult
			}
			cases := []tc{
				// A signature made by miekg/dns verifies (Ed448: made via SignedData).
				{name: "valid", want: SigValid},
				// A signature made over SignedData verifies.
				{name: "valid own signer", own: true, want: SigValid},
				// One flipped bit in the first signature byte.
				{name: "corrupt first byte", mutate: func(sig *dns.RRSIG, rr []dns.RR) []dns.RR {
					cryptoTestCorrupt(sig, 0)
					return rr
				}, want: SigCryptoFailure},
				// One flipped bit in the last signature byte.
				{name: "corrupt last byte", mutate: func(sig *dns.RRSIG, rr []dns.RR) []dns.RR {
					cryptoTestCorrupt(sig, -1)
					return rr
				}, want: SigCryptoFailure},
				// The signature is truncated.
				{name: "truncated signature", mutate: func(sig *dns.RRSIG, rr []dns.RR) []dns.RR {
					b, _ := base64.StdEncoding.DecodeString(sig.Signature)
					sig.Signature = base64.StdEncoding.EncodeToString(b[:len(b)-1])
					return rr
				}, want: SigCryptoFailure},
				// The signature field is not base64.
				{name: "signature not base64", mutate: func(sig *dns.RRSIG, rr []dns.RR) []dns.RR {
					sig.Signature = "!!!"
					return rr
				}, want: SigCryptoFailure},
				// The RRset data changed after signing.
				{name: "changed rdata", mutate: func(sig *dns.RRSIG, rr []dns.RR) []dns.RR {
					c := dns.Copy(rr[0]).(*dns.A)
					c.A = net.ParseIP("192.0.2.99")
					return []dns.RR{c, rr[1]}
				}, want: SigCryptoFailure},
				// A record was removed from the RRset.
				{name: "record removed", mutate: func(sig *dns.RRSIG, rr []dns.RR) []dns.RR {
					return rr[:1]
				}, want: SigCryptoFailure},
				// A signed RRSIG field (original TTL) changed.
				{name: "changed orig ttl", mutate: func(sig *dns.RRSIG, rr []dns.RR) []dns.RR {
					sig.OrigTtl++
					return rr
				}, want: SigCryptoFailure},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					rrset := cryptoTestA(t)
					sig := cryptoTestSigTemplate(key)
					if c.own {
						p.signOwn(t, sig, rrset)
					} else {
						p.sign(t, sig, rrset)
					}
					if c.mutate != nil {
						rrset = c.mutate(sig, rrset)
					}
					if got := VerifySig(sig, key, rrset, cryptoTestNow); got != c.want {
						t.Errorf("VerifySig = %v, want %v", got, c.want)
					}
				})
			}
		})
	}
}

// TestVerifySigCrossMiekg: signatures made over SignedData verify with
// miekg's RRSIG.Verify, and miekg's signatures verify with VerifySig, for a
// variety of RRsets (so SignedData matches miekg's canonical form).
func TestVerifySigCrossMiekg(t *testing.T) {
	sets := map[string][]string{
		"A": {"www.example. 300 IN A 192.0.2.1"},
		// (miekg's IsRRset compares owners case-sensitively, so the
		// owners share their mixed case here.)
		"NS mixed case": {
			"Example. 300 IN NS NS1.Example.",
			"Example. 300 IN NS ns2.EXAMPLE.",
		},
		"MX":   {"example. 300 IN MX 10 Mail.Example.", "example. 300 IN MX 5 b.example."},
		"SOA":  {"example. 300 IN SOA NS1.example. HostMaster.Example. 1 7200 3600 1209600 300"},
		"SRV":  {"_sip._tcp.example. 300 IN SRV 0 5 5060 SIP.Example."},
		"NSEC": {"a.example. 300 IN NSEC B.Example. A RRSIG NSEC"},
		"TXT":  {"example. 300 IN TXT \"Hello\" \"World\"", "example. 300 IN TXT \"a\""},
		"duplicates": {
			"www.example. 300 IN A 192.0.2.1",
			"www.example. 300 IN A 192.0.2.1",
			"www.example. 300 IN A 192.0.2.0",
		},
		"wildcard owner": {"*.example. 300 IN A 192.0.2.7"},
		"AAAA unsorted": {
			"example. 300 IN AAAA 2001:db8::2",
			"example. 300 IN AAAA 2001:db8::1",
			"example. 300 IN AAAA 2001:db8::10",
		},
	}
	for _, alg := range cryptoTestAlgs {
		if alg == dns.ED448 {
			continue // miekg/dns does not implement Ed448
		}
		p := cryptoTestPrivFor(t, alg)
		key := p.dnskey("example.", 257)
		for name, lines := range sets {
			t.Run(dns.AlgorithmToString[alg]+"/"+name, func(t *testing.T) {
				// Own signature, verified by miekg.
				rrset := cryptoTestRRs(t, lines...)
				sig := cryptoTestSigTemplate(key)
				p.signOwn(t, sig, rrset)
				if err := sig.Verify(key, rrset); err != nil {
					t.Errorf("miekg Verify of own signature: %v", err)
				}
				if got := VerifySig(sig, key, rrset, cryptoTestNow); got != SigValid {
					t.Errorf("VerifySig of own signature = %v", got)
				}
				// miekg signature, verified here.
				sig = cryptoTestSigTemplate(key)
				p.signMiekg(t, sig, rrset)
				if got := VerifySig(sig, key, rrset, cryptoTestNow); got != SigValid {
					t.Errorf("VerifySig of miekg signature = %v", got)
				}
			})
		}
	}
}

// TestSignedDataMatchesMiekgBytes: Ed25519 is deterministic, so identical
// signatures from miekg and from SignedData prove byte-identical signed data.
func TestSignedDataMatchesMiekgBytes(t *testing.T) {
	p := cryptoTestPrivFor(t, dns.ED25519)
	key := p.dnskey("example.", 257)
	sets := [][]string{
		{"WWW.Example. 300 IN CNAME Target.EXAMPLE."},
		{"example. 300 IN NS b.example.", "example. 300 IN NS A.example.", "example. 300 IN NS a.example."},
		{"example. 300 IN HINFO \"Intel\" \"Linux\""},
		{"a.b.example. 300 IN NSEC C.example. A AAAA RRSIG NSEC"},
		{"example. 300 IN NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" Foo.Example."},
		{"example. 300 IN TXT \"ab\"", "example. 300 IN TXT \"a\"", "example. 300 IN TXT \"b\""},
		{"*.example. 300 IN MX 10 MAIL.example."},
	}
	for _, lines := range sets {
		t.Run(lines[0], func(t *testing.T) {
			rrset := cryptoTestRRs(t, lines...)
			a := cryptoTestSigTemplate(key)
			p.signMiekg(t, a, rrset)
			b := cryptoTestSigTemplate(key)
			p.signOwn(t, b, rrset)
			if a.Signature != b.Signature {
				t.Errorf("signed data differs from miekg's")
			}
		})
	}
}

// TestVerifySigFaults covers each SigResult and the order of the checks,
// using an ECDSA P-256 key.
func TestVerifySigFaults(t *testing.T) {
	p := cryptoTestPrivFor(t, dns.ECDSAP256SHA256)
	type env struct {
		sig   *dns.RRSIG
		key   *dns.DNSKEY
		rrset []dns.RR
		now   time.Time
	}
	// build signs the A RRset with a key of the given flags and returns the env.
	build := func(t *testing.T, flags uint16) *env {
		key := p.dnskey("example.", flags)
		rrset := cryptoTestA(t)
		sig := cryptoTestSigTemplate(key)
		p.signMiekg(t, sig, rrset)
		return &env{sig, key, rrset, cryptoTestNow}
	}
	// resign re-signs e.rrset with e.sig's current fields.
	resign := func(t *testing.T, e *env) {
		e.sig.Signature = ""
		p.signOwn(t, e.sig, e.rrset)
	}
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

	cases := []struct {
		name  string
		flags uint16 // 0 means 257
		edit  func(t *testing.T, e *env)
		want  SigResult
	}{
		// Untouched.
		{name: "valid", want: SigValid},
		// A ZSK (flags 256, no SEP) verifies just as well.
		{name: "zsk valid", flags: 256, want: SigValid},
		// now one second after the expiration.
		{name: "expired", edit: func(t *testing.T, e *env) {
			e.now = time.Unix(int64(e.sig.Expiration)+1, 0)
		}, want: SigExpired},
		// now exactly at the expiration: still valid (inclusive).
		{name: "at expiration", edit: func(t *testing.T, e *env) {
			e.now = time.Unix(int64(e.sig.Expiration), 0)
		}, want: SigValid},
		// now one second before the inception.
		{name: "not yet valid", edit: func(t *testing.T, e *env) {
			e.now = time.Unix(int64(e.sig.Inception)-1, 0)
		}, want: SigNotYetValid},
		// now exactly at the inception: valid.
		{name: "at inception", edit: func(t *testing.T, e *env) {
			e.now = time.Unix(int64(e.sig.Inception), 0)
		}, want: SigValid},
		// The window spans the 2^32-second wrap (2106-02-07): inception
		// in 2105, expiration (wrapped, small) in 2106, now after the wrap.
		{name: "serial wrap after", edit: func(t *testing.T, e *env) {
			e.sig.Inception = uint32(at(2105, 12, 1).Unix())
			e.sig.Expiration = uint32(at(2106, 3, 1).Unix())
			resign(t, e)
			e.now = at(2106, 2, 20)
		}, want: SigValid},
		// Same window, now before the wrap point.
		{name: "serial wrap before", edit: func(t *testing.T, e *env) {
			e.sig.Inception = uint32(at(2105, 12, 1).Unix())
			e.sig.Expiration = uint32(at(2106, 3, 1).Unix())
			resign(t, e)
			e.now = at(2106, 1, 15)
		}, want: SigValid},
		// Same window, now after the (wrapped) expiration.
		{name: "serial wrap expired", edit: func(t *testing.T, e *env) {
			e.sig.Inception = uint32(at(2105, 12, 1).Unix())
			e.sig.Expiration = uint32(at(2106, 3, 1).Unix())
			resign(t, e)
			e.now = at(2106, 3, 2)
		}, want: SigExpired},
		// Key tag in the RRSIG differs from the key's.
		{name: "key tag mismatch", edit: func(t *testing.T, e *env) { e.sig.KeyTag++ }, want: SigKeyMismatch},
		// RRSIG algorithm differs from the key's.
		{name: "algorithm mismatch", edit: func(t *testing.T, e *env) { e.sig.Algorithm = dns.ECDSAP384SHA384 }, want: SigKeyMismatch},
		// Key owner is not the signer name.
		{name: "signer is not key owner", edit: func(t *testing.T, e *env) { e.key.Hdr.Name = "sub.example." }, want: SigKeyMismatch},
		// DNSKEY protocol field is not 3 (the tag changes too; resign with the new tag).
		{name: "protocol not 3", edit: func(t *testing.T, e *env) {
			e.key.Protocol = 2
			e.sig.KeyTag = e.key.KeyTag()
			resign(t, e)
		}, want: SigKeyMismatch},
		// nil key.
		{name: "nil key", edit: func(t *testing.T, e *env) { e.key = nil }, want: SigKeyMismatch},
		// Signer name in a different case: still valid (lowercased in the signed data).
		{name: "signer name case", edit: func(t *testing.T, e *env) { e.sig.SignerName = "EXAMPLE." }, want: SigValid},
		// Key owner and RRset owner in a different case: still valid.
		{name: "owner case", edit: func(t *testing.T, e *env) {
			e.key.Hdr.Name = "eXaMpLe."
			for _, rr := range e.rrset {
				rr.Header().Name = "WWW.EXAMPLE."
			}
		}, want: SigValid},
		// Records in another order, a duplicate and a decremented TTL (as from a cache).
		{name: "reordered duplicate ttl", edit: func(t *testing.T, e *env) {
			d := dns.Copy(e.rrset[0])
			e.rrset = []dns.RR{e.rrset[1], e.rrset[0], d}
			for _, rr := range e.rrset {
				rr.Header().Ttl = 17
			}
		}, want: SigValid},
		// Key without the ZONE flag (signed with that key's tag).
		{name: "no zone bit", flags: 1, want: SigNoZoneBit},
		// Key with the REVOKE flag.
		{name: "revoked", flags: 257 | dns.REVOKE, want: SigRevokedKey},
		// Fault order: a key mismatch wins over an expired signature.
		{name: "order mismatch before expiry", edit: func(t *testing.T, e *env) {
			e.sig.KeyTag++
			e.now = time.Unix(int64(e.sig.Expiration)+1, 0)
		}, want: SigKeyMismatch},
		// Fault order: no ZONE bit wins over an expired signature.
		{name: "order zone before expiry", flags: 1, edit: func(t *testing.T, e *env) {
			e.now = time.Unix(int64(e.sig.Expiration)+1, 0)
		}, want: SigNoZoneBit},
		// Fault order: expiry wins over a bad signature.
		{name: "order expiry before crypto", edit: func(t *testing.T, e *env) {
			cryptoTestCorrupt(e.sig, 3)
			e.now = time.Unix(int64(e.sig.Expiration)+1, 0)
		}, want: SigExpired},
		// Algorithm 253 (private) with a matching tag.
		{name: "unsupported algorithm", edit: func(t *testing.T, e *env) {
			e.key.Algorithm, e.sig.Algorithm = dns.PRIVATEDNS, dns.PRIVATEDNS
			e.sig.KeyTag = e.key.KeyTag()
		}, want: SigUnsupportedAlgorithm},
		// Algorithm 3 (DSA) is not supported either.
		{name: "unsupported DSA", edit: func(t *testing.T, e *env) {
			e.key.Algorithm, e.sig.Algorithm = dns.DSA, dns.DSA
			e.sig.KeyTag = e.key.KeyTag()
		}, want: SigUnsupportedAlgorithm},
		// P-256 key one byte short.
		{name: "bad key length", edit: func(t *testing.T, e *env) {
			b, _ := base64.StdEncoding.DecodeString(e.key.PublicKey)
			e.key.PublicKey = base64.StdEncoding.EncodeToString(b[:63])
			e.sig.KeyTag = e.key.KeyTag()
		}, want: SigBadKey},
		// P-256 point not on the curve.
		{name: "key not on curve", edit: func(t *testing.T, e *env) {
			b, _ := base64.StdEncoding.DecodeString(e.key.PublicKey)
			b[63] ^= 1
			e.key.PublicKey = base64.StdEncoding.EncodeToString(b)
			e.sig.KeyTag = e.key.KeyTag()
		}, want: SigBadKey},
		// Public key field is not base64.
		{name: "key not base64", edit: func(t *testing.T, e *env) { e.key.PublicKey = "@@@" }, want: SigBadKey},
		// Fault order: validity window before the key parse.
		{name: "order expiry before bad key", edit: func(t *testing.T, e *env) {
			b, _ := base64.StdEncoding.DecodeString(e.key.PublicKey)
			e.key.PublicKey = base64.StdEncoding.EncodeToString(b[:63])
			e.sig.KeyTag = e.key.KeyTag()
			e.now = time.Unix(int64(e.sig.Expiration)+1, 0)
		}, want: SigExpired},
		// Empty RRset.
		{name: "empty rrset", edit: func(t *testing.T, e *env) { e.rrset = nil }, want: SigBadRRset},
		// nil RRSIG.
		{name: "nil sig", edit: func(t *testing.T, e *env) { e.sig = nil }, want: SigBadRRset},
		// Two owners in one "RRset".
		{name: "mixed owners", edit: func(t *testing.T, e *env) { e.rrset[1].Header().Name = "ftp.example." }, want: SigBadRRset},
		// Two types in one "RRset".
		{name: "mixed types", edit: func(t *testing.T, e *env) {
			e.rrset = append(e.rrset, cryptoTestRRs(t, "www.example. 3600 IN AAAA 2001:db8::1")...)
		}, want: SigBadRRset},
		// Two classes in one "RRset".
		{name: "mixed classes", edit: func(t *testing.T, e *env) { e.rrset[1].Header().Class = dns.ClassCHAOS }, want: SigBadRRset},
		// RRset type differs from the type covered.
		{name: "type covered differs", edit: func(t *testing.T, e *env) { e.sig.TypeCovered = dns.TypeAAAA }, want: SigBadRRset},
		// RRset class differs from the RRSIG class.
		{name: "class differs", edit: func(t *testing.T, e *env) { e.sig.Hdr.Class = dns.ClassCHAOS }, want: SigBadRRset},
		// Labels field larger than the owner's label count (www.example. has 2).
		{name: "labels too large", edit: func(t *testing.T, e *env) { e.sig.Labels = 3 }, want: SigBadRRset},
		// Owner not at or below the signer name (RFC 4035 §5.3.1).
		{name: "owner outside signer zone", edit: func(t *testing.T, e *env) {
			for _, rr := range e.rrset {
				rr.Header().Name = "www.example.net."
			}
		}, want: SigBadRRset},
		// Fault order: a malformed RRset wins over everything.
		{name: "order rrset first", flags: 1, edit: func(t *testing.T, e *env) {
			e.sig.KeyTag++
			e.sig.TypeCovered = dns.TypeMX
		}, want: SigBadRRset},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			flags := c.flags
			if flags == 0 {
				flags = 257 // KSK
			}
			e := build(t, flags)
			if c.edit != nil {
				c.edit(t, e)
			}
			if got := VerifySig(e.sig, e.key, e.rrset, e.now); got != c.want {
				t.Errorf("VerifySig = %v, want %v", got, c.want)
			}
		})
	}
}

// TestVerifySigWildcard: an RRset signed at "*.example." verifies when
// expanded to "a.b.example." (RRSIG labels 1 < 3 owner labels).
func TestVerifySigWildcard(t *testing.T) {
	for _, alg := range []uint8{dns.ECDSAP256SHA256, dns.ED25519, dns.ED448, dns.RSASHA256} {
		t.Run(dns.AlgorithmToString[alg], func(t *testing.T) {
			p := cryptoTestPrivFor(t, alg)
			key := p.dnskey("example.", 257)
			wild := cryptoTestRRs(t, "*.example. 300 IN TXT \"wild\"")
			sig := cryptoTestSigTemplate(key)
			p.sign(t, sig, wild)
			if sig.Labels != 1 {
				t.Fatalf("labels = %d, want 1", sig.Labels)
			}
			expanded := cryptoTestRRs(t, "a.b.example. 300 IN TXT \"wild\"")
			cases := []struct {
				name  string
				rrset []dns.RR
				want  SigResult
			}{
				// The wildcard RRset itself.
				{"wildcard", wild, SigValid},
				// Expanded to a name two labels deeper.
				{"expanded", expanded, SigValid},
				// Expanded, in upper case.
				{"expanded upper", cryptoTestRRs(t, "A.B.EXAMPLE. 300 IN TXT \"wild\""), SigValid},
				// Expanded but with different data.
				{"expanded other data", cryptoTestRRs(t, "a.b.example. 300 IN TXT \"tame\""), SigCryptoFailure},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					if got := VerifySig(sig, key, c.rrset, cryptoTestNow); got != c.want {
						t.Errorf("VerifySig = %v, want %v", got, c.want)
					}
				})
			}
		})
	}
}

// TestVerifySigRSAKeys covers RFC 3110 key parsing edge cases.
func TestVerifySigRSAKeys(t *testing.T) {
	p := cryptoTestPrivFor(t, dns.RSASHA256)
	priv := p.signer.(*rsa.PrivateKey)
	modulus := priv.N.Bytes()
	rfc3110 := func(e []byte, long bool, mod []byte) string {
		var b []byte
		if long {
			b = append(b, 0, byte(len(e)>>8), byte(len(e)))
		} else {
			b = append(b, byte(len(e)))
		}
		b = append(append(b, e...), mod...)
		return base64.StdEncoding.EncodeToString(b)
	}
	small := make([]byte, 64) // a 512-bit odd "modulus"
	small[0], small[63] = 0xC1, 0x01
	cases := []struct {
		name string
		pub  string
		want SigResult
	}{
		// The key as miekg encodes it (1-octet exponent length).
		{"short exponent length", rfc3110([]byte{1, 0, 1}, false, modulus), SigValid},
		// The 3-octet form: 0, then a 2-octet exponent length (RFC 3110 §2).
		{"long exponent length", rfc3110([]byte{1, 0, 1}, true, modulus), SigValid},
		// Exponent with a leading zero octet.
		{"exponent leading zero", rfc3110([]byte{0, 1, 0, 1}, false, modulus), SigBadKey},
		// Even exponent.
		{"even exponent", rfc3110([]byte{1, 0, 2}, false, modulus), SigBadKey},
		// Exponent too long for Go.
		{"exponent too long", rfc3110([]byte{1, 0, 0, 0, 1}, false, modulus), SigBadKey},
		// 512-bit modulus: under Go's 1024-bit minimum.
		{"512-bit modulus", rfc3110([]byte{1, 0, 1}, false, small), SigBadKey},
		// No modulus at all.
		{"no modulus", rfc3110([]byte{1, 0, 1}, false, nil), SigBadKey},
		// Exponent length runs past the end.
		{"truncated", base64.StdEncoding.EncodeToString([]byte{9, 1}), SigBadKey},
	}
	rrset := cryptoTestA(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := p.dnskey("example.", 257)
			key.PublicKey = c.pub
			sig := cryptoTestSigTemplate(key)
			p.signOwn(t, sig, rrset)
			if got := VerifySig(sig, key, rrset, cryptoTestNow); got != c.want {
				t.Errorf("VerifySig = %v, want %v", got, c.want)
			}
		})
	}
}

// TestSigValidAt covers RFC 1982 serial arithmetic on the window fields.
func TestSigValidAt(t *testing.T) {
	u := func(tm time.Time) uint32 { return uint32(tm.Unix()) }
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name     string
		inc, exp uint32
		now      time.Time
		want     SigResult
	}{
		// Ordinary window, now inside.
		{"inside", u(d(2025, 1, 1)), u(d(2025, 2, 1)), d(2025, 1, 15), SigValid},
		// Ordinary window, now after.
		{"after", u(d(2025, 1, 1)), u(d(2025, 2, 1)), d(2025, 2, 2), SigExpired},
		// Ordinary window, now before.
		{"before", u(d(2025, 1, 1)), u(d(2025, 2, 1)), d(2024, 12, 31), SigNotYetValid},
		// Inclusive ends.
		{"at inception", 1000, 2000, time.Unix(1000, 0), SigValid},
		{"at expiration", 1000, 2000, time.Unix(2000, 0), SigValid},
		// Window across the 2^32 wrap (2106-02-07T06:28:16Z), now after the wrap.
		{"wrap after", u(d(2105, 12, 1)), u(d(2106, 3, 1)), d(2106, 2, 20), SigValid},
		// Same window, now before the wrap.
		{"wrap before", u(d(2105, 12, 1)), u(d(2106, 3, 1)), d(2106, 1, 1), SigValid},
		// Same window, now past the wrapped expiration.
		{"wrap expired", u(d(2105, 12, 1)), u(d(2106, 3, 1)), d(2106, 3, 2), SigExpired},
		// Same window, now before inception (still in 2105).
		{"wrap not yet", u(d(2105, 12, 1)), u(d(2106, 3, 1)), d(2105, 11, 30), SigNotYetValid},
		// 2025 signature seen in 2106: more than 2^31 s later, so serial
		// arithmetic sees it as "in the future", not expired.
		{"beyond 68 years", u(d(2025, 1, 1)), u(d(2025, 2, 1)), d(2106, 1, 1), SigNotYetValid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sig := &dns.RRSIG{Inception: c.inc, Expiration: c.exp}
			if got := SigValidAt(sig, c.now); got != c.want {
				t.Errorf("SigValidAt = %v, want %v", got, c.want)
			}
		})
	}
}

// TestSigResultString checks the fixed phrases.
func TestSigResultString(t *testing.T) {
	cases := map[SigResult]string{
		SigValid:                "valid",
		SigExpired:              "signature expired",
		SigNotYetValid:          "signature not yet valid",
		SigKeyMismatch:          "key does not match signature",
		SigNoZoneBit:            "key has no ZONE bit",
		SigRevokedKey:           "key is revoked",
		SigUnsupportedAlgorithm: "unsupported algorithm",
		SigBadKey:               "malformed public key",
		SigBadRRset:             "malformed RRset",
		SigCryptoFailure:        "signature does not verify",
		SigResult(200):          "SigResult(200)",
	}
	for r, want := range cases {
		if got := r.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", r, got, want)
		}
	}
}

// TestSupportedAlgorithm lists exactly 5, 7, 8, 10, 13, 14, 15, 16.
func TestSupportedAlgorithm(t *testing.T) {
	want := map[uint8]bool{5: true, 7: true, 8: true, 10: true, 13: true, 14: true, 15: true, 16: true}
	for a := 0; a < 256; a++ {
		if got := SupportedAlgorithm(uint8(a)); got != want[uint8(a)] {
			t.Errorf("SupportedAlgorithm(%d) = %v", a, got)
		}
	}
}

// TestVerifySigKeyTag: the cached key tag equals miekg's for all algorithms
// and a range of flags.
func TestVerifySigKeyTag(t *testing.T) {
	for _, alg := range cryptoTestAlgs {
		p := cryptoTestPrivFor(t, alg)
		for _, flags := range []uint16{0, 1, 256, 257, 385, 0xFFFF} {
			k := p.dnskey("example.", flags)
			ent := cryptoLookupKey(k.Algorithm, k.PublicKey)
			if got, want := cryptoKeyTag(k, ent), k.KeyTag(); got != want {
				t.Errorf("alg %d flags %d: tag %d, want %d", alg, flags, got, want)
			}
		}
	}
}

// TestVerifySigKeyCacheBound: the cache never grows past its bound.
func TestVerifySigKeyCacheBound(t *testing.T) {
	for i := range cryptoKeyCacheMax + 100 {
		cryptoLookupKey(dns.ED25519, base64.StdEncoding.EncodeToString([]byte{byte(i), byte(i >> 8), byte(i >> 16)}))
	}
	cryptoKeys.RLock()
	n := len(cryptoKeys.m)
	cryptoKeys.RUnlock()
	if n > cryptoKeyCacheMax {
		t.Errorf("cache holds %d entries, bound %d", n, cryptoKeyCacheMax)
	}
}

// TestVerifySigConcurrent: concurrent verification with shared keys (run with -race).
func TestVerifySigConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for _, alg := range []uint8{dns.ECDSAP256SHA256, dns.ED25519, dns.RSASHA256} {
		p := cryptoTestPrivFor(t, alg)
		key := p.dnskey("example.", 257)
		rrset := cryptoTestA(t)
		sig := cryptoTestSigTemplate(key)
		p.signMiekg(t, sig, rrset)
		for range 4 {
			wg.Go(func() {
				for range 20 {
					if got := VerifySig(sig, key, rrset, cryptoTestNow); got != SigValid {
						t.Errorf("alg %d: %v", alg, got)
						return
					}
				}
			})
		}
	}
	wg.Wait()
}

// cryptoBenchSetup signs a one-record A RRset with a fresh key of alg.
func cryptoBenchSetup(b *testing.B, alg uint8) (*dns.RRSIG, *dns.DNSKEY, []dns.RR) {
	p := cryptoTestPrivFor(b, alg)
	key := p.dnskey("example.", 257)
	rrset := cryptoTestRRs(b, "www.example. 3600 IN A 192.0.2.1")
	sig := cryptoTestSigTemplate(key)
	p.signMiekg(b, sig, rrset)
	if r := VerifySig(sig, key, rrset, cryptoTestNow); r != SigValid {
		b.Fatalf("setup: %v", r)
	}
	return sig, key, rrset
}

func cryptoBenchVerify(b *testing.B, alg uint8) {
	sig, key, rrset := cryptoBenchSetup(b, alg)
	b.ReportAllocs()
	for b.Loop() {
		if VerifySig(sig, key, rrset, cryptoTestNow) != SigValid {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkVerifySigECDSAP256(b *testing.B) { cryptoBenchVerify(b, dns.ECDSAP256SHA256) }
func BenchmarkVerifySigEd25519(b *testing.B)   { cryptoBenchVerify(b, dns.ED25519) }
func BenchmarkVerifySigRSASHA256(b *testing.B) { cryptoBenchVerify(b, dns.RSASHA256) }

// BenchmarkSignedData: canonical form of a one-record A RRset.
func BenchmarkSignedData(b *testing.B) {
	sig, _, rrset := cryptoBenchSetup(b, dns.ECDSAP256SHA256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SignedData(sig, rrset); err != nil {
			b.Fatal(err)
		}
	}
}
