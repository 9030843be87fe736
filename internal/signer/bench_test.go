package signer

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// bigZone returns a zone of n names below example.: n/10 delegations (half
// with DS) and the rest A records, three labels deep so that there are
// empty non-terminals.
func bigZone(tb testing.TB, n int) []dns.RR {
	tb.Helper()
	soa, err := dns.NewRR("example. 3600 IN SOA ns1.example. hostmaster.example. 1 7200 3600 1209600 300")
	if err != nil {
		tb.Fatal(err)
	}
	rrs := []dns.RR{soa,
		&dns.NS{Hdr: dns.RR_Header{Name: "example.", Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: 3600}, Ns: "ns1.example."},
	}
	addr := netip.MustParseAddr("10.0.0.0")
	for i := range n {
		addr = addr.Next()
		name := fmt.Sprintf("h%d.g%d.example.", i, i%1000)
		hdr := func(t uint16) dns.RR_Header {
			return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: 3600}
		}
		switch {
		case i%20 == 0:
			rrs = append(rrs, &dns.NS{Hdr: hdr(dns.TypeNS), Ns: "ns1.example."},
				&dns.DS{Hdr: hdr(dns.TypeDS), KeyTag: uint16(i), Algorithm: 13, DigestType: 2,
					Digest: fmt.Sprintf("%064x", i)})
		case i%20 == 1:
			rrs = append(rrs, &dns.NS{Hdr: hdr(dns.TypeNS), Ns: "ns1.example."})
		default:
			rrs = append(rrs, &dns.A{Hdr: hdr(dns.TypeA), A: addr.AsSlice()})
		}
	}
	return rrs
}

func benchmarkSignZone(b *testing.B, alg uint8, d Denial) {
	rrs := bigZone(b, 100_000)
	ksk, err := NewKey("example.", alg, 257, []byte("bench"))
	if err != nil {
		b.Fatal(err)
	}
	zsk, err := NewKey("example.", alg, 256, []byte("bench"))
	if err != nil {
		b.Fatal(err)
	}
	opt := Options{KSKs: []*Key{ksk}, ZSKs: []*Key{zsk}, Denial: d,
		Inception:  time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		Expiration: time.Date(2035, 12, 31, 0, 0, 0, 0, time.UTC)}
	b.ResetTimer()
	for b.Loop() {
		out, err := SignZone("example.", rrs, opt)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(out)), "records")
	}
}

// The validator benchmarks sign zones of 100,000 names with algorithm 13.
func BenchmarkSignZone100kAlg13NSEC(b *testing.B)  { benchmarkSignZone(b, 13, Denial{}) }
func BenchmarkSignZone100kAlg13NSEC3(b *testing.B) { benchmarkSignZone(b, 13, Denial{NSEC3: true}) }
func BenchmarkSignZone100kAlg15NSEC(b *testing.B)  { benchmarkSignZone(b, 15, Denial{}) }
