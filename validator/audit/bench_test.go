package audit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"runtime"
	"testing"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/signer"
)

// benchZone signs a zone of names name00000... with one A record each,
// algorithm 13, NSEC or NSEC3 (no salt, 0 iterations).
func benchZone(b *testing.B, names int, nsec3 bool) []dns.RR {
	b.Helper()
	rrs := parseRRs(b, `
example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 3600
example.test. 3600 IN NS ns1.example.test.
ns1.example.test. 3600 IN A 192.0.2.1
`)
	for i := range names {
		rrs = append(rrs, &dns.A{
			Hdr: dns.RR_Header{Name: fmt.Sprintf("name%05d.%s", i, origin), Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 3600},
			A:   []byte{10, byte(i >> 16), byte(i >> 8), byte(i)},
		})
	}
	k := newKeys(b, dns.ECDSAP256SHA256)
	out, err := signer.SignZone(origin, rrs, signer.Options{
		KSKs: k.ksk, ZSKs: k.zsk, Inception: inception, Expiration: expiration,
		Denial: signer.Denial{NSEC3: nsec3},
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkVerifyZone audits a signed 10,000-name zone (algorithm 13) on
// GOMAXPROCS workers. ns/sig is the wall time per signature; compare it
// with BenchmarkECDSAP256Verify divided by GOMAXPROCS.
func BenchmarkVerifyZone(b *testing.B) {
	for _, nsec3 := range []bool{false, true} {
		name := "NSEC"
		if nsec3 {
			name = "NSEC3"
		}
		b.Run(name, func(b *testing.B) {
			rrs := benchZone(b, 10000, nsec3)
			b.ResetTimer()
			var r *Report
			for b.Loop() {
				r = Verify(origin, rrs, Options{Now: now})
			}
			if !r.OK {
				b.Fatalf("zone does not verify: %v", r.Problems[:min(5, len(r.Problems))])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(r.Signatures), "ns/sig")
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
		})
	}
}

// BenchmarkECDSAP256Verify is one raw crypto/ecdsa P-256 verification of a
// SHA-256 digest: the unit of the "crypto floor" of an algorithm 13 zone
// (signatures × this ÷ cores).
func BenchmarkECDSAP256Verify(b *testing.B) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("example.test. 3600 IN A 192.0.2.1"))
	sig, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !ecdsa.VerifyASN1(&priv.PublicKey, digest[:], sig) {
			b.Fatal("signature does not verify")
		}
	}
}
