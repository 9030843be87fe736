package signer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestBINDVerify checks signed zones with BIND's dnssec-verify (package
// bind9-utils), an implementation that shares no code with this package.
// It is skipped when dnssec-verify is not installed.
func TestBINDVerify(t *testing.T) {
	bin, err := exec.LookPath("dnssec-verify")
	if err != nil {
		t.Skip("dnssec-verify not on PATH (install bind9-utils)")
	}
	now := time.Now().UTC().Truncate(time.Hour)
	sign := func(t *testing.T, alg uint8, d Denial) []dns.RR {
		out, err := SignZone("example.", parseZone(t, "example.", testZone), Options{
			KSKs:       []*Key{mustKey(t, "example.", alg, 257, "bind")},
			ZSKs:       []*Key{mustKey(t, "example.", alg, 256, "bind")},
			Inception:  now.Add(-24 * time.Hour),
			Expiration: now.Add(30 * 24 * time.Hour),
			Denial:     d,
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	run := func(t *testing.T, rrs []dns.RR) ([]byte, error) {
		file := filepath.Join(t.TempDir(), "example.zone")
		if err := os.WriteFile(file, []byte(zoneText(rrs)), 0o644); err != nil {
			t.Fatal(err)
		}
		return exec.Command(bin, "-o", "example.", file).CombinedOutput()
	}
	denials := []struct {
		name string
		d    Denial
	}{
		{"NSEC", Denial{}},
		{"NSEC3", Denial{NSEC3: true}},
		{"NSEC3 opt-out salt iterations", Denial{NSEC3: true, OptOut: true, Salt: "cafe", Iterations: 2}},
	}
	// 13 and 8 are what the corpus and the simulator use most; the others
	// are cheap to check while we are here.
	for _, alg := range []uint8{dns.ECDSAP256SHA256, dns.RSASHA256, dns.ECDSAP384SHA384, dns.ED25519, dns.ED448, dns.RSASHA512, dns.RSASHA1NSEC3SHA1} {
		for _, dn := range denials {
			if alg == dns.RSASHA1NSEC3SHA1 && !dn.d.NSEC3 {
				continue
			}
			t.Run(fmt.Sprintf("%s/%s", dns.AlgorithmToString[alg], dn.name), func(t *testing.T) {
				t.Parallel()
				if out, err := run(t, sign(t, alg, dn.d)); err != nil {
					t.Fatalf("dnssec-verify: %v\n%s", err, out)
				}
			})
		}
	}

	// Controls: dnssec-verify must notice a hole in the chain and a bad
	// signature, or the checks above prove nothing.
	controls := []struct {
		name   string
		d      Denial
		broken func(dns.RR) bool // drop records for which this is true
	}{
		// The NSEC of www.example. is missing.
		{"missing NSEC", Denial{}, func(rr dns.RR) bool {
			return rr.Header().Rrtype == dns.TypeNSEC && rr.Header().Name == "www.example."
		}},
		// The NSEC3 of the empty non-terminal b.example. is missing.
		{"missing ENT NSEC3", Denial{NSEC3: true}, func(rr dns.RR) bool {
			return rr.Header().Rrtype == dns.TypeNSEC3 &&
				rr.Header().Name == strings.ToLower(dns.HashName("b.example.", dns.SHA1, 0, ""))+".example."
		}},
		// The RRSIG of www.example. A is missing.
		{"missing RRSIG", Denial{}, func(rr dns.RR) bool {
			s, ok := rr.(*dns.RRSIG)
			return ok && s.TypeCovered == dns.TypeA && s.Hdr.Name == "www.example."
		}},
	}
	for _, c := range controls {
		t.Run("control/"+c.name, func(t *testing.T) {
			t.Parallel()
			var kept []dns.RR
			dropped := 0
			for _, rr := range sign(t, dns.ECDSAP256SHA256, c.d) {
				if c.broken(rr) {
					dropped++
					continue
				}
				kept = append(kept, rr)
			}
			if dropped == 0 {
				t.Fatal("control dropped nothing")
			}
			if out, err := run(t, kept); err == nil {
				t.Fatalf("dnssec-verify accepted a broken zone:\n%s", out)
			}
		})
	}
}
