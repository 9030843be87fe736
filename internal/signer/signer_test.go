package signer

import (
	"crypto"
	"encoding/base64"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/miekg/dns"
)

var (
	inception  = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	expiration = time.Date(2035, 12, 31, 0, 0, 0, 0, time.UTC)
	validAt    = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
)

func mustRRs(t testing.TB, lines ...string) []dns.RR {
	t.Helper()
	var out []dns.RR
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		out = append(out, rr)
	}
	return out
}

// verify checks sig over rrset with key: with miekg/dns for every algorithm
// it implements, and for Ed448 with circl over this package's signed data
// (whose construction the other algorithms check against miekg/dns, and the
// BIND test checks against BIND).
func verify(t testing.TB, sig *dns.RRSIG, key *dns.DNSKEY, rrset []dns.RR) error {
	t.Helper()
	if sig.Algorithm != dns.ED448 {
		return sig.Verify(key, rrset)
	}
	own := make([]dns.RR, len(rrset))
	for i, rr := range rrset {
		own[i] = dns.Copy(rr)
	}
	crrs, err := canonicalRRset(own, sig.OrigTtl)
	if err != nil {
		return err
	}
	data, err := signedData(sig, crrs)
	if err != nil {
		return err
	}
	pub, _ := base64.StdEncoding.DecodeString(key.PublicKey)
	raw, _ := base64.StdEncoding.DecodeString(sig.Signature)
	if sig.KeyTag != key.KeyTag() || !ed448.Verify(ed448.PublicKey(pub), data, raw, "") {
		return dns.ErrSig
	}
	return nil
}

func TestSignVerifies(t *testing.T) {
	rrsets := []struct {
		name   string
		rrs    []string
		labels uint8
	}{
		// Several records, not in canonical order.
		{"A RRset", []string{
			"www.example. 300 IN A 192.0.2.3",
			"www.example. 300 IN A 192.0.2.1",
			"www.example. 300 IN A 192.0.2.2",
		}, 2},
		// A wildcard owner: the "*" label is not counted (RFC 4034 §3.1.3).
		{"wildcard", []string{`*.example. 60 IN TXT "wild"`}, 1},
		// Upper case in owner and in RDATA names that RFC 4034 §6.2 lowers.
		{"mixed case", []string{
			"Sub.EXAMPLE. 3600 IN NS NS1.Example.",
			"Sub.EXAMPLE. 3600 IN NS ns2.example.",
		}, 2},
		// The same record twice is signed once (RFC 4034 §6.3).
		{"duplicates", []string{
			"example. 3600 IN MX 10 mail.example.",
			"example. 3600 IN MX 10 mail.example.",
			"example. 3600 IN MX 5 Mx.example.",
		}, 1},
		// RDATA of different lengths sorts by RDATA octets, not length.
		{"TXT lengths", []string{
			`t.example. 3600 IN TXT "bb"`,
			`t.example. 3600 IN TXT "a" "long"`,
		}, 2},
	}
	for _, alg := range allAlgorithms {
		key := mustKey(t, "example.", alg, 256, "sign")
		for _, rs := range rrsets {
			t.Run(dns.AlgorithmToString[alg]+"/"+rs.name, func(t *testing.T) {
				rrset := mustRRs(t, rs.rrs...)
				before := dns.Copy(rrset[0]).String()
				sig, err := Sign(rrset, key, inception, expiration)
				if err != nil {
					t.Fatal(err)
				}
				if err := verify(t, sig, key.DNSKEY, rrset); err != nil {
					t.Fatalf("does not verify: %v\n%s", err, sig)
				}
				if !sig.ValidityPeriod(validAt) || sig.ValidityPeriod(expiration.Add(time.Second)) {
					t.Errorf("validity period %d-%d", sig.Inception, sig.Expiration)
				}
				h := rrset[0].Header()
				if sig.Hdr.Name != h.Name || sig.Hdr.Ttl != h.Ttl || sig.OrigTtl != h.Ttl ||
					sig.TypeCovered != h.Rrtype || sig.Labels != rs.labels || sig.SignerName != "example." ||
					sig.KeyTag != key.DNSKEY.KeyTag() || sig.Algorithm != alg {
					t.Errorf("bad RRSIG fields: %s", sig)
				}
				if rrset[0].String() != before {
					t.Errorf("Sign modified the RRset")
				}
				// Every algorithm signs deterministically (ECDSA: RFC 6979).
				again, _ := Sign(rrset, key, inception, expiration)
				if again.Signature != sig.Signature {
					t.Errorf("two signatures differ")
				}
			})
		}
	}
}

// TestSignCorruptFails makes sure the verification above is not vacuous.
func TestSignCorruptFails(t *testing.T) {
	for _, alg := range allAlgorithms {
		key := mustKey(t, "example.", alg, 256, "corrupt")
		rrset := mustRRs(t, "www.example. 300 IN A 192.0.2.1")
		sig, err := Sign(rrset, key, inception, expiration)
		if err != nil {
			t.Fatal(err)
		}
		other := mustRRs(t, "www.example. 300 IN A 192.0.2.2")
		if verify(t, sig, key.DNSKEY, other) == nil {
			t.Errorf("alg %d: signature verifies over other data", alg)
		}
		raw, _ := base64.StdEncoding.DecodeString(sig.Signature)
		raw[len(raw)/2] ^= 1
		sig.Signature = base64.StdEncoding.EncodeToString(raw)
		if verify(t, sig, key.DNSKEY, rrset) == nil {
			t.Errorf("alg %d: corrupted signature verifies", alg)
		}
	}
}

// opaqueSigner hides the type of a private key, like an HSM would.
type opaqueSigner struct{ s crypto.Signer }

func (o opaqueSigner) Public() crypto.PublicKey { return o.s.Public() }
func (o opaqueSigner) Sign(r io.Reader, d []byte, opts crypto.SignerOpts) ([]byte, error) {
	return o.s.Sign(r, d, opts)
}

func TestSignOtherSigner(t *testing.T) {
	for _, alg := range []uint8{dns.RSASHA256, dns.ECDSAP256SHA256, dns.ECDSAP384SHA384, dns.ED25519} {
		key := mustKey(t, "example.", alg, 256, "opaque")
		key.Private = opaqueSigner{key.Private}
		rrset := mustRRs(t, "www.example. 300 IN A 192.0.2.1")
		sig, err := Sign(rrset, key, inception, expiration)
		if err != nil {
			t.Fatalf("alg %d: %v", alg, err)
		}
		if err := sig.Verify(key.DNSKEY, rrset); err != nil {
			t.Errorf("alg %d: %v", alg, err)
		}
	}
}

func TestSignErrors(t *testing.T) {
	good := mustKey(t, "example.", dns.ED25519, 256, "err")
	ecdsaKey := mustKey(t, "example.", dns.ECDSAP256SHA256, 256, "err")
	a := mustRRs(t, "www.example. 300 IN A 192.0.2.1")
	tests := []struct {
		name  string
		rrset []dns.RR
		key   *Key
	}{
		// Nothing to sign.
		{"empty RRset", nil, good},
		// Two owners are two RRsets.
		{"mixed owners", mustRRs(t, "a.example. 300 IN A 192.0.2.1", "b.example. 300 IN A 192.0.2.1"), good},
		// Two types are two RRsets.
		{"mixed types", mustRRs(t, "a.example. 300 IN A 192.0.2.1", "a.example. 300 IN AAAA 2001:db8::1"), good},
		// RRSIG RRsets are never signed (RFC 4035 §2.2).
		{"RRSIG", mustRRs(t, "a.example. 300 IN RRSIG A 15 2 300 20350101000000 20250101000000 1 example. AAAA"), good},
		{"nil key", a, nil},
		{"key without private half", a, &Key{DNSKEY: good.DNSKEY}},
		// The DNSKEY says ECDSA P-384, the private key is P-256.
		{"wrong curve", a, &Key{DNSKEY: &dns.DNSKEY{Hdr: good.DNSKEY.Hdr, Flags: 256, Protocol: 3, Algorithm: 14}, Private: ecdsaKey.Private}},
		// The DNSKEY says RSA, the private key is Ed25519.
		{"wrong key type", a, &Key{DNSKEY: &dns.DNSKEY{Hdr: good.DNSKEY.Hdr, Flags: 256, Protocol: 3, Algorithm: 8}, Private: good.Private}},
		// RSAMD5 cannot be used (RFC 6725).
		{"unsupported algorithm", a, &Key{DNSKEY: &dns.DNSKEY{Hdr: good.DNSKEY.Hdr, Flags: 256, Protocol: 3, Algorithm: 1}, Private: good.Private}},
	}
	for _, tt := range tests {
		if sig, err := Sign(tt.rrset, tt.key, inception, expiration); err == nil {
			t.Errorf("%s: no error, got %v", tt.name, sig)
		}
	}
}

// TestSignConcurrent signs one RRset from several goroutines (run with -race).
func TestSignConcurrent(t *testing.T) {
	key := mustKey(t, "example.", dns.ECDSAP256SHA256, 256, "concurrent")
	rrset := mustRRs(t, "www.example. 300 IN A 192.0.2.1", "www.example. 300 IN A 192.0.2.2")
	var wg sync.WaitGroup
	sigs := make([]string, 8)
	for i := range sigs {
		wg.Go(func() {
			sig, err := Sign(rrset, key, inception, expiration)
			if err != nil {
				t.Error(err)
				return
			}
			sigs[i] = sig.Signature
		})
	}
	wg.Wait()
	for _, s := range sigs[1:] {
		if s != sigs[0] {
			t.Fatal("concurrent signatures differ")
		}
	}
}
