package validator

import (
	"crypto/rand"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// dsTestKey returns a DNSKEY of alg owned by owner (flags 257).
func dsTestKey(t *testing.T, alg uint8, owner string) *dns.DNSKEY {
	t.Helper()
	if SupportedAlgorithm(alg) {
		return cryptoTestPrivFor(t, alg).dnskey(owner, 257)
	}
	pub := make([]byte, 32)
	rand.Read(pub)
	return &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: owner, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     257,
		Protocol:  3,
		Algorithm: alg,
		PublicKey: base64.StdEncoding.EncodeToString(pub),
	}
}

// dsTestFlipHex changes the last hex digit of a digest.
func dsTestFlipHex(s string) string {
	last := s[len(s)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return s[:len(s)-1] + string(repl)
}

// TestMatchDSDigests: key.ToDS(d) matches for each supported digest and algorithm.
func TestMatchDSDigests(t *testing.T) {
	for _, alg := range cryptoTestAlgs {
		for _, d := range []uint8{dns.SHA1, dns.SHA256, dns.SHA384} {
			t.Run(dns.AlgorithmToString[alg]+"/"+dns.HashToString[d], func(t *testing.T) {
				key := dsTestKey(t, alg, "example.")
				ds := key.ToDS(d)
				if ds == nil {
					t.Fatal("ToDS returned nil")
				}
				if got := MatchDS(ds, key); got != DSMatch {
					t.Errorf("MatchDS = %v, want %v", got, DSMatch)
				}
			})
		}
	}
}

// TestMatchDS covers each DSResult.
func TestMatchDS(t *testing.T) {
	cases := []struct {
		name string
		alg  uint8
		edit func(ds *dns.DS, key *dns.DNSKEY)
		want DSResult
	}{
		// Unchanged SHA-256 DS.
		{"match", dns.ECDSAP256SHA256, nil, DSMatch},
		// Upper-case hex digest.
		{"upper hex", dns.ECDSAP256SHA256, func(ds *dns.DS, _ *dns.DNSKEY) { ds.Digest = strings.ToUpper(ds.Digest) }, DSMatch},
		// DS owner and key owner in different case (digest over the lowercased owner).
		{"owner case", dns.ECDSAP256SHA256, func(ds *dns.DS, key *dns.DNSKEY) {
			ds.Hdr.Name = "EXAMPLE."
			key.Hdr.Name = "Example."
		}, DSMatch},
		// One digest nibble changed.
		{"digest mismatch", dns.ECDSAP256SHA256, func(ds *dns.DS, _ *dns.DNSKEY) { ds.Digest = dsTestFlipHex(ds.Digest) }, DSDigestMismatch},
		// Digest one octet short.
		{"digest short", dns.ECDSAP256SHA256, func(ds *dns.DS, _ *dns.DNSKEY) { ds.Digest = ds.Digest[:len(ds.Digest)-2] }, DSDigestMismatch},
		// Digest not hex.
		{"digest not hex", dns.ECDSAP256SHA256, func(ds *dns.DS, _ *dns.DNSKEY) { ds.Digest = "zz" + ds.Digest[2:] }, DSDigestMismatch},
		// A SHA-256 digest labelled SHA-384.
		{"digest type relabelled", dns.ECDSAP256SHA256, func(ds *dns.DS, _ *dns.DNSKEY) { ds.DigestType = dns.SHA384 }, DSDigestMismatch},
		// The key's flags changed after the DS was made: its key tag changes, so the DS no longer names it.
		{"key flags changed", dns.ECDSAP256SHA256, func(_ *dns.DS, key *dns.DNSKEY) { key.Flags = 256 }, DSNoKey},
		// Key tag differs.
		{"key tag", dns.ECDSAP256SHA256, func(ds *dns.DS, _ *dns.DNSKEY) { ds.KeyTag++ }, DSNoKey},
		// Algorithm differs.
		{"algorithm", dns.ECDSAP256SHA256, func(ds *dns.DS, _ *dns.DNSKEY) { ds.Algorithm = dns.ED25519 }, DSNoKey},
		// Owner differs.
		{"owner", dns.ECDSAP256SHA256, func(ds *dns.DS, _ *dns.DNSKEY) { ds.Hdr.Name = "other.example." }, DSNoKey},
		// Key public key not base64.
		{"key not base64", dns.ECDSAP256SHA256, func(_ *dns.DS, key *dns.DNSKEY) { key.PublicKey = "@@" }, DSNoKey},
		// Digest type 3 (GOST, not supported), tag and algorithm match.
		{"digest 3", dns.ECDSAP256SHA256, func(ds *dns.DS, _ *dns.DNSKEY) { ds.DigestType = 3 }, DSUnsupportedDigest},
		// Digest type 99 (unassigned).
		{"digest 99", dns.ECDSAP256SHA256, func(ds *dns.DS, _ *dns.DNSKEY) { ds.DigestType = 99 }, DSUnsupportedDigest},
		// Algorithm 253 (private): correct digest, but the key cannot be used.
		{"algorithm 253", dns.PRIVATEDNS, nil, DSUnsupportedAlgorithm},
		// Algorithm 253 with an unsupported digest: algorithm reported first.
		{"algorithm 253 digest 99", dns.PRIVATEDNS, func(ds *dns.DS, _ *dns.DNSKEY) { ds.DigestType = 99 }, DSUnsupportedAlgorithm},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := dsTestKey(t, c.alg, "example.")
			ds := key.ToDS(dns.SHA256)
			if c.edit != nil {
				c.edit(ds, key)
			}
			if got := MatchDS(ds, key); got != c.want {
				t.Errorf("MatchDS = %v, want %v", got, c.want)
			}
		})
	}
	// nil arguments.
	t.Run("nil", func(t *testing.T) {
		key := dsTestKey(t, dns.ED25519, "example.")
		if got := MatchDS(nil, key); got != DSNoKey {
			t.Errorf("MatchDS(nil, key) = %v", got)
		}
		if got := MatchDS(key.ToDS(dns.SHA256), nil); got != DSNoKey {
			t.Errorf("MatchDS(ds, nil) = %v", got)
		}
	})
	// A DS for another key of the same zone.
	t.Run("other key", func(t *testing.T) {
		k1 := dsTestKey(t, dns.ECDSAP256SHA256, "example.")
		k2 := dsTestKey(t, dns.ECDSAP256SHA256, "example.")
		k2.Flags = 256 // same key material, other tag: a different DNSKEY
		if got := MatchDS(k1.ToDS(dns.SHA256), k2); got != DSNoKey {
			t.Errorf("MatchDS = %v, want %v", got, DSNoKey)
		}
	})
}

// TestUsableDS covers the RFC 4509 §3 rule and dropping unsupported records.
func TestUsableDS(t *testing.T) {
	key := dsTestKey(t, dns.ECDSAP256SHA256, "example.")
	mk := func(digest uint8, alg uint8) *dns.DS {
		ds := &dns.DS{Hdr: dns.RR_Header{Name: "example.", Rrtype: dns.TypeDS, Class: dns.ClassINET},
			KeyTag: key.KeyTag(), Algorithm: alg, DigestType: digest, Digest: "00"}
		return ds
	}
	s1, s2, s4 := mk(dns.SHA1, 13), mk(dns.SHA256, 13), mk(dns.SHA384, 13)
	g3, u99 := mk(3, 13), mk(99, 13)
	p2, p1 := mk(dns.SHA256, 253), mk(dns.SHA1, 253)
	type drop struct {
		ds     *dns.DS
		reason string
	}
	cases := []struct {
		name    string
		set     []*dns.DS
		usable  []*dns.DS
		dropped []drop
	}{
		// Empty set.
		{"empty", nil, nil, nil},
		// SHA-1 alone is used.
		{"sha1 only", []*dns.DS{s1}, []*dns.DS{s1}, nil},
		// SHA-1 ignored next to SHA-256.
		{"sha1 and sha256", []*dns.DS{s1, s2}, []*dns.DS{s2},
			[]drop{{s1, "SHA-1 ignored: SHA-256/384 present (RFC 4509 §3)"}}},
		// SHA-1 ignored next to SHA-384.
		{"sha1 and sha384", []*dns.DS{s4, s1}, []*dns.DS{s4},
			[]drop{{s1, "SHA-1 ignored: SHA-256/384 present (RFC 4509 §3)"}}},
		// SHA-256 and SHA-384 both kept.
		{"sha256 and sha384", []*dns.DS{s2, s4}, []*dns.DS{s2, s4}, nil},
		// Unsupported digests dropped; SHA-1 then stands alone and is kept.
		{"unsupported digests", []*dns.DS{g3, s1, u99}, []*dns.DS{s1},
			[]drop{{g3, "unsupported digest type"}, {u99, "unsupported digest type"}}},
		// A SHA-256 DS for an unsupported algorithm does not suppress SHA-1.
		{"sha256 unsupported alg", []*dns.DS{p2, s1}, []*dns.DS{s1},
			[]drop{{p2, "unsupported algorithm"}}},
		// Everything dropped, in input order.
		{"all dropped", []*dns.DS{p1, s1, u99, s2}, []*dns.DS{s2},
			[]drop{{p1, "unsupported algorithm"}, {s1, "SHA-1 ignored: SHA-256/384 present (RFC 4509 §3)"}, {u99, "unsupported digest type"}}},
		// nil entries are skipped.
		{"nil entry", []*dns.DS{nil, s2}, []*dns.DS{s2}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := slices.Clone(c.set)
			usable, dropped := UsableDS(c.set)
			if !slices.Equal(usable, c.usable) {
				t.Errorf("usable = %v, want %v", usable, c.usable)
			}
			if len(dropped) != len(c.dropped) {
				t.Fatalf("dropped = %v, want %v", dropped, c.dropped)
			}
			for i, d := range dropped {
				if d.DS != c.dropped[i].ds || d.Reason != c.dropped[i].reason {
					t.Errorf("dropped[%d] = %v %q, want %v %q", i, d.DS, d.Reason, c.dropped[i].ds, c.dropped[i].reason)
				}
			}
			if !slices.Equal(in, c.set) {
				t.Error("input slice modified")
			}
		})
	}
}

// TestSupportedDigest lists exactly 1, 2 and 4.
func TestSupportedDigest(t *testing.T) {
	for d := 0; d < 256; d++ {
		want := d == 1 || d == 2 || d == 4
		if got := SupportedDigest(uint8(d)); got != want {
			t.Errorf("SupportedDigest(%d) = %v", d, got)
		}
	}
}

// TestDSResultString checks every result has a distinct phrase.
func TestDSResultString(t *testing.T) {
	seen := map[string]bool{}
	for r := DSMatch; r <= DSUnsupportedAlgorithm; r++ {
		s := r.String()
		if s == "" || seen[s] || strings.HasPrefix(s, "DSResult(") {
			t.Errorf("%d.String() = %q", r, s)
		}
		seen[s] = true
	}
	if got := DSResult(99).String(); got != "DSResult(99)" {
		t.Errorf("DSResult(99).String() = %q", got)
	}
}
