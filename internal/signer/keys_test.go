package signer

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"testing"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/miekg/dns"
)

var allAlgorithms = []uint8{
	dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512,
	dns.ECDSAP256SHA256, dns.ECDSAP384SHA384, dns.ED25519, dns.ED448,
}

func mustKey(t testing.TB, zone string, alg uint8, flags uint16, seed string) *Key {
	t.Helper()
	k, err := NewKey(zone, alg, flags, []byte(seed))
	if err != nil {
		t.Fatalf("NewKey(%q, %d, %d, %q): %v", zone, alg, flags, seed, err)
	}
	return k
}

func TestNewKeyDeterministic(t *testing.T) {
	for _, alg := range allAlgorithms {
		t.Run(dns.AlgorithmToString[alg], func(t *testing.T) {
			a := mustKey(t, "example.", alg, 257, "seed-1")
			b := mustKey(t, "example.", alg, 257, "seed-1")
			if a.DNSKEY.String() != b.DNSKEY.String() {
				t.Errorf("same seed, different keys:\n%s\n%s", a.DNSKEY, b.DNSKEY)
			}
			// The zone name is case-insensitive and may lack the final dot.
			if c := mustKey(t, "EXAMPLE", alg, 257, "seed-1"); c.DNSKEY.String() != a.DNSKEY.String() {
				t.Errorf("EXAMPLE and example. give different keys")
			}
			// A different seed gives a different key. (For RSA only one time
			// in eight; these seeds happen to pick different pool keys.)
			if c := mustKey(t, "example.", alg, 257, "seed-2"); c.DNSKEY.PublicKey == a.DNSKEY.PublicKey {
				t.Errorf("seeds seed-1 and seed-2 give the same key")
			}
			// KSK and ZSK of one zone never share key material.
			if z := mustKey(t, "example.", alg, 256, "seed-1"); z.DNSKEY.PublicKey == a.DNSKEY.PublicKey {
				t.Errorf("KSK and ZSK share key material")
			}
			// Another zone gives another key (except RSA, by chance).
			if alg > dns.RSASHA512 {
				if o := mustKey(t, "example.net.", alg, 257, "seed-1"); o.DNSKEY.PublicKey == a.DNSKEY.PublicKey {
					t.Errorf("zones example. and example.net. share a key")
				}
			}
			d := a.DNSKEY
			if d.Hdr.Name != "example." || d.Hdr.Ttl != 3600 || d.Hdr.Class != dns.ClassINET ||
				d.Hdr.Rrtype != dns.TypeDNSKEY || d.Protocol != 3 || d.Algorithm != alg || d.Flags != 257 {
				t.Errorf("bad DNSKEY %s", d)
			}
		})
	}
}

// TestNewKeyGolden pins the key tags of a few keys: the simulator relies on
// a seed giving the same keys in every version.
func TestNewKeyGolden(t *testing.T) {
	tests := []struct {
		alg   uint8
		flags uint16
		tag   uint16
	}{
		{dns.RSASHA1, 257, 6236},
		{dns.RSASHA1NSEC3SHA1, 257, 50584},
		{dns.RSASHA256, 257, 1907},
		{dns.RSASHA256, 256, 33501},
		{dns.RSASHA512, 257, 43378},
		{dns.ECDSAP256SHA256, 257, 406},
		{dns.ECDSAP256SHA256, 256, 18419},
		{dns.ECDSAP384SHA384, 257, 10010},
		{dns.ED25519, 257, 5507},
		{dns.ED448, 257, 48477},
	}
	for _, tt := range tests {
		k := mustKey(t, "example.", tt.alg, tt.flags, "golden")
		if got := k.DNSKEY.KeyTag(); got != tt.tag {
			t.Errorf("alg %d flags %d: key tag %d, want %d", tt.alg, tt.flags, got, tt.tag)
		}
	}
}

// TestNewKeyPublicMatchesPrivate checks that the DNSKEY holds the public
// half of Private, in the encoding of each algorithm's RFC.
func TestNewKeyPublicMatchesPrivate(t *testing.T) {
	for _, alg := range allAlgorithms {
		k := mustKey(t, "example.", alg, 256, "match")
		pub, err := base64.StdEncoding.DecodeString(k.DNSKEY.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		switch p := k.Private.(type) {
		case *rsa.PrivateKey:
			// RFC 3110: exponent length, exponent 65537, modulus.
			if want := append([]byte{3, 1, 0, 1}, p.N.Bytes()...); string(pub) != string(want) || p.N.BitLen() != 2048 {
				t.Errorf("alg %d: RSA public key does not match", alg)
			}
		case *ecdsa.PrivateKey:
			b, _ := p.PublicKey.Bytes()
			if string(pub) != string(b[1:]) || len(pub) != map[uint8]int{13: 64, 14: 96}[alg] {
				t.Errorf("alg %d: ECDSA public key does not match", alg)
			}
		case ed25519.PrivateKey:
			if string(pub) != string(p.Public().(ed25519.PublicKey)) || len(pub) != 32 {
				t.Errorf("Ed25519 public key does not match")
			}
		case ed448.PrivateKey:
			if string(pub) != string(p.Public().(ed448.PublicKey)) || len(pub) != 57 {
				t.Errorf("Ed448 public key does not match")
			}
		default:
			t.Errorf("alg %d: private key of type %T", alg, p)
		}
	}
}

func TestNewKeyErrors(t *testing.T) {
	tests := []struct {
		name string
		zone string
		alg  uint8
	}{
		{"RSAMD5 is not supported (RFC 6725)", "example.", dns.RSAMD5},
		{"DSA is not supported", "example.", dns.DSA},
		{"ECC-GOST is not supported", "example.", dns.ECCGOST},
		{"unassigned algorithm", "example.", 200},
		{"empty zone name", "", dns.ED25519},
		{"label too long", "a123456789012345678901234567890123456789012345678901234567890123.example.", dns.ED25519},
	}
	for _, tt := range tests {
		if _, err := NewKey(tt.zone, tt.alg, 257, []byte("x")); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}
