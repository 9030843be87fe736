package validator

import (
	"testing"
	"time"

	"github.com/miekg/dns"
)

// cryptoFuzzPack packs rrs back to back, uncompressed.
func cryptoFuzzPack(tb testing.TB, rrs ...dns.RR) []byte {
	buf := make([]byte, 65536)
	off := 0
	for _, rr := range rrs {
		var err error
		if off, err = dns.PackRR(rr, buf, off, nil, false); err != nil {
			tb.Fatal(err)
		}
	}
	return buf[:off]
}

// FuzzVerifySig feeds arbitrary RRSIG, DNSKEY and RRset wire data to
// VerifySig and SignedData: they must never panic. The time is taken from the
// RRSIG's inception so that well-formed inputs reach the cryptography.
func FuzzVerifySig(f *testing.F) {
	for _, alg := range []uint8{dns.ECDSAP256SHA256, dns.ED25519, dns.RSASHA256, dns.ED448} {
		p := cryptoTestPrivFor(f, alg)
		key := p.dnskey("example.", 257)
		for _, lines := range [][]string{
			{"www.example. 3600 IN A 192.0.2.1", "www.example. 3600 IN A 192.0.2.2"},
			{"Example. 300 IN MX 10 Mail.Example.", "example. 300 IN MX 5 b.example."},
			{"a.b.example. 300 IN TXT \"x\""},
			{"example. 300 IN NAPTR 1 2 \"U\" \"E2U\" \"!X!\" Repl.Example."},
			{"example. 300 IN TYPE38 \\# 20 40 0000000000000001 0150074558414d504c4500"},
		} {
			rrset := cryptoTestRRs(f, lines...)
			sig := cryptoTestSigTemplate(key)
			p.sign(f, sig, rrset)
			f.Add(cryptoFuzzPack(f, sig), cryptoFuzzPack(f, key), cryptoFuzzPack(f, rrset...))
		}
	}
	f.Fuzz(func(t *testing.T, sigWire, keyWire, rrWire []byte) {
		rr, _, err := dns.UnpackRR(sigWire, 0)
		if err != nil {
			t.Skip()
		}
		sig, ok := rr.(*dns.RRSIG)
		if !ok {
			t.Skip()
		}
		rr, _, err = dns.UnpackRR(keyWire, 0)
		if err != nil {
			t.Skip()
		}
		key, ok := rr.(*dns.DNSKEY)
		if !ok {
			t.Skip()
		}
		var rrset []dns.RR
		for off := 0; off < len(rrWire) && len(rrset) < 64; {
			rr, off1, err := dns.UnpackRR(rrWire, off)
			if err != nil || rr == nil || off1 <= off {
				break
			}
			rrset = append(rrset, rr)
			off = off1
		}
		now := time.Unix(int64(sig.Inception), 0)
		res := VerifySig(sig, key, rrset, now)
		if res > SigCryptoFailure {
			t.Fatalf("VerifySig returned out-of-range %d", res)
		}
		data, err := SignedData(sig, rrset)
		if err == nil && len(data) < 18 {
			t.Fatalf("SignedData returned %d bytes", len(data))
		}
		if res == SigValid && err != nil {
			t.Fatalf("valid signature but SignedData failed: %v", err)
		}
		_ = SigValidAt(sig, now)
		if ds := key.ToDS(dns.SHA256); ds != nil {
			if r := MatchDS(ds, key); r != DSMatch && r != DSUnsupportedAlgorithm && r != DSNoKey {
				t.Fatalf("MatchDS(ToDS) = %v", r)
			}
		}
	})
}
