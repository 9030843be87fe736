package authority

import (
	"fmt"
	"net"
	"sort"
	"testing"

	"github.com/miekg/dns"
)

// largeZone returns the records of an NSEC-signed zone with n names below the
// apex (fake signatures: construction does not verify them).
func largeZone(n int) []dns.RR {
	hdr := func(name string, t uint16, ttl uint32) dns.RR_Header {
		return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: ttl}
	}
	sig := func(name string, covered uint16) dns.RR {
		return &dns.RRSIG{Hdr: hdr(name, dns.TypeRRSIG, 3600), TypeCovered: covered, Algorithm: dns.ECDSAP256SHA256,
			Labels: uint8(dns.CountLabel(name)), OrigTtl: 3600, Expiration: expirat, Inception: inception,
			KeyTag: 1, SignerName: "example.", Signature: "AAAA"}
	}
	names := []string{"example."}
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			names = append(names, fmt.Sprintf("a.h%d.sub.example.", i)) // sub. and h%d.sub. are empty non-terminals
		} else {
			names = append(names, fmt.Sprintf("h%d.example.", i))
		}
	}
	sort.Slice(names, func(i, j int) bool { return canonLess(names[i], names[j]) })
	rrs := []dns.RR{
		&dns.SOA{Hdr: hdr("example.", dns.TypeSOA, 3600), Ns: "ns.example.", Mbox: "h.example.", Serial: 1, Refresh: 2, Retry: 3, Expire: 4, Minttl: 5},
		sig("example.", dns.TypeSOA),
	}
	for i, name := range names {
		if name != "example." {
			rrs = append(rrs, &dns.A{Hdr: hdr(name, dns.TypeA, 3600), A: net.IPv4(192, 0, 2, byte(i))}, sig(name, dns.TypeA))
		}
		rrs = append(rrs, &dns.NSEC{Hdr: hdr(name, dns.TypeNSEC, 300), NextDomain: names[(i+1)%len(names)],
			TypeBitMap: []uint16{dns.TypeA, dns.TypeRRSIG, dns.TypeNSEC}}, sig(name, dns.TypeNSEC))
	}
	return rrs
}

func TestLargeZone(t *testing.T) {
	const n = 100000
	rrs := largeZone(n)
	z, err := NewZone("example.", rrs)
	if err != nil {
		t.Fatal(err)
	}
	// Spot checks: data, empty non-terminal NODATA, NXDOMAIN.
	if m := z.Answer("h12345.example.", dns.TypeA); len(m.Answer) != 2 {
		t.Errorf("positive: %v", m)
	}
	m := z.Answer("h20.sub.example.", dns.TypeA)
	if m.Rcode != dns.RcodeSuccess || len(m.Answer) != 0 || len(m.Ns) != 4 {
		t.Errorf("ENT: %v", m)
	}
	m = z.Answer("nx.example.", dns.TypeA)
	if m.Rcode != dns.RcodeNameError {
		t.Fatalf("NXDOMAIN: %v", m)
	}
	for _, rr := range m.Ns {
		if nsec, ok := rr.(*dns.NSEC); ok && !nsecCovers(nsec, "nx.example.") && !nsecCovers(nsec, "*.example.") {
			t.Errorf("NSEC %v covers neither nx.example. nor *.example.", nsec)
		}
	}
}

func BenchmarkNewZone100k(b *testing.B) {
	rrs := largeZone(100000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := NewZone("example.", rrs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnswer(b *testing.B) {
	z, err := NewZone("example.", largeZone(100000))
	if err != nil {
		b.Fatal(err)
	}
	qs := []string{"h12345.example.", "nx.example.", "h20.sub.example.", "x.a.h20.sub.example."}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		z.Answer(qs[i%len(qs)], dns.TypeA)
	}
}

func BenchmarkAnswerNSEC3(b *testing.B) {
	z := mustZone(b, "example.", exampleRecords, withNSEC3)
	qs := []string{"www.example.", "nx.example.", "foo.wild.example.", "www.insec.example."}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		z.Answer(qs[i%len(qs)], dns.TypeA)
	}
}

// BenchmarkNewZoneLarge measures indexing a 100,000-name signed zone.
func BenchmarkNewZoneLarge(b *testing.B) {
	rrs := largeZone(100000)
	for b.Loop() {
		if _, err := NewZone("example.", rrs); err != nil {
			b.Fatal(err)
		}
	}
}
