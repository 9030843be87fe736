package validator_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/authority"
	"github.com/dnssecsim/dnssecsim/internal/signer"
	"github.com/dnssecsim/dnssecsim/validator"
)

// parseRRs parses records in presentation format, one per line.
func parseRRs(lines ...string) []dns.RR {
	var out []dns.RR
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			panic(err)
		}
		out = append(out, rr)
	}
	return out
}

// Validate an answer offline: a root and one child zone, each signed with
// one Ed25519 key from a fixed seed, the root's DS as the trust anchor.
func ExampleValidator_Validate() {
	inception := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	expiration := time.Date(2035, 12, 31, 0, 0, 0, 0, time.UTC)

	rootKey, _ := signer.NewKey(".", dns.ED25519, 257, []byte("example seed"))
	childKey, _ := signer.NewKey("example.", dns.ED25519, 257, []byte("example seed"))
	sign := func(origin string, key *signer.Key, rrs []dns.RR) *authority.Zone {
		signed, err := signer.SignZone(origin, rrs, signer.Options{KSKs: []*signer.Key{key}, Inception: inception, Expiration: expiration})
		if err != nil {
			panic(err)
		}
		z, err := authority.NewZone(origin, signed)
		if err != nil {
			panic(err)
		}
		return z
	}
	root := sign(".", rootKey, append(parseRRs(
		". 86400 IN SOA a.root.invalid. hostmaster.root.invalid. 1 7200 3600 1209600 300",
		". 86400 IN NS a.root.invalid.",
		"example. 3600 IN NS ns.example.",
		"ns.example. 3600 IN A 192.0.2.53",
	), childKey.DNSKEY.ToDS(dns.SHA256)))
	child := sign("example.", childKey, parseRRs(
		"example. 3600 IN SOA ns.example. hostmaster.example. 1 7200 3600 1209600 300",
		"example. 3600 IN NS ns.example.",
		"ns.example. 3600 IN A 192.0.2.53",
		"www.example. 3600 IN A 192.0.2.80",
	))

	v := &validator.Validator{
		Source: validator.ZoneSource{Zones: authority.NewSet(root, child)},
		Anchor: &validator.Anchor{Zone: ".", DS: []*dns.DS{rootKey.DNSKEY.ToDS(dns.SHA256)}},
	}
	show := func(qname string, now time.Time) {
		verdict, err := v.Validate(context.Background(), qname, dns.TypeA, now)
		if err != nil {
			fmt.Println(err)
			return
		}
		ede := "-"
		if verdict.EDE != nil {
			ede = fmt.Sprint(*verdict.EDE)
		}
		fmt.Printf("%s %s %s ede=%s zone=%s: %s\n", qname, verdict.Status, verdict.Rcode, ede, verdict.Zone, verdict.Reason)
	}
	show("www.example.", time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
	show("nosuch.example.", time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
	show("www.example.", time.Date(2036, 6, 1, 0, 0, 0, 0, time.UTC))
	// Output:
	// www.example. Secure NOERROR ede=- zone=example.: chain of trust verified from the anchor to the answer
	// nosuch.example. Secure NXDOMAIN ede=- zone=example.: chain of trust verified from the anchor to the answer
	// www.example. Bogus SERVFAIL ede=7 zone=.: DNSKEY set signature from the authenticated key failed
}

// Parse a trust anchor file: DS or DNSKEY records for one zone.
func ExampleParseAnchor() {
	const file = `; the root KSK-2017
. 172800 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
`
	a, err := validator.ParseAnchor(strings.NewReader(file), "root.ds")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Zone, len(a.DS), a.DS[0].KeyTag, a.DS[0].Algorithm, a.DS[0].DigestType)

	// Errors name the file, line and column.
	_, err = validator.ParseAnchor(strings.NewReader("\nwww.example. 300 IN A 192.0.2.1\n"), "bad.ds")
	fmt.Println(err)
	// Output:
	// . 1 20326 8 2
	// bad.ds:2:1: expected a DS or DNSKEY record, found A
}

// Check a DS record against a DNSKEY.
func ExampleMatchDS() {
	key, _ := signer.NewKey("example.", dns.ECDSAP256SHA256, 257, []byte("example seed"))
	ds := key.DNSKEY.ToDS(dns.SHA256)
	fmt.Println(validator.MatchDS(ds, key.DNSKEY))

	ds.Digest = strings.Repeat("0", len(ds.Digest))
	fmt.Println(validator.MatchDS(ds, key.DNSKEY))

	ds.DigestType = 99
	fmt.Println(validator.MatchDS(ds, key.DNSKEY))
	// Output:
	// DS matches key
	// DS digest mismatch
	// unsupported digest type
}

// Verify one RRSIG over one RRset with one key at a given time.
func ExampleVerifySig() {
	key, _ := signer.NewKey("example.", dns.ED25519, 256, []byte("example seed"))
	rrset := parseRRs("www.example. 300 IN A 192.0.2.1", "www.example. 300 IN A 192.0.2.2")
	sig, _ := signer.Sign(rrset, key,
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2035, 12, 31, 0, 0, 0, 0, time.UTC))

	fmt.Println(validator.VerifySig(sig, key.DNSKEY, rrset, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)))
	fmt.Println(validator.VerifySig(sig, key.DNSKEY, rrset, time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)))
	fmt.Println(validator.VerifySig(sig, key.DNSKEY, rrset[:1], time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)))
	// Output:
	// valid
	// signature expired
	// signature does not verify
}
