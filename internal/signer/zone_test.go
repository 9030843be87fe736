package signer

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// testZone has everything SignZone must tell apart: apex data, plain names,
// a wildcard, empty non-terminals (a.b., w., ent.), a secure delegation with
// glue, an insecure delegation with glue and with non-authoritative data at
// the cut, and an insecure delegation below an empty non-terminal.
const testZone = `
example.              3600 IN SOA  ns1.example. hostmaster.example. 1 7200 3600 1209600 300
example.              3600 IN NS   ns1.example.
example.              3600 IN NS   ns2.example.
example.              3600 IN MX   10 mail.example.
ns1.example.          3600 IN A    192.0.2.1
ns2.example.          3600 IN A    192.0.2.2
www.example.          3600 IN A    192.0.2.10
www.example.          3600 IN AAAA 2001:db8::10
host.a.b.example.     3600 IN A    192.0.2.20
*.w.example.          3600 IN TXT  "wild"
secure.example.       3600 IN NS   ns.secure.example.
secure.example.       3600 IN DS   12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ns.secure.example.    3600 IN A    192.0.2.30
insecure.example.     3600 IN NS   ns.insecure.example.
insecure.example.     3600 IN NS   ns1.example.
insecure.example.     3600 IN TXT  "occluded by the cut"
ns.insecure.example.  3600 IN A    192.0.2.40
deep.ent.example.     3600 IN NS   ns1.example.
`

// unsignedInTestZone are the RRsets of testZone that must stay unsigned:
// NS at delegation points, data at a cut other than DS, and glue.
var unsignedInTestZone = map[rkey]bool{
	{"secure.example.", dns.TypeNS}:     true,
	{"ns.secure.example.", dns.TypeA}:   true,
	{"insecure.example.", dns.TypeNS}:   true,
	{"insecure.example.", dns.TypeTXT}:  true,
	{"ns.insecure.example.", dns.TypeA}: true,
	{"deep.ent.example.", dns.TypeNS}:   true,
}

type rkey struct {
	name string
	typ  uint16
}

func parseZone(t testing.TB, origin, text string) []dns.RR {
	t.Helper()
	zp := dns.NewZoneParser(strings.NewReader(text), origin, "")
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	return rrs
}

func signTestZone(t testing.TB, alg uint8, d Denial) []dns.RR {
	t.Helper()
	out, err := SignZone("example.", parseZone(t, "example.", testZone), Options{
		KSKs:       []*Key{mustKey(t, "example.", alg, 257, "zone")},
		ZSKs:       []*Key{mustKey(t, "example.", alg, 256, "zone")},
		Inception:  inception,
		Expiration: expiration,
		Denial:     d,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// index groups a signed zone into RRsets and their RRSIGs.
type index struct {
	sets map[rkey][]dns.RR
	sigs map[rkey][]*dns.RRSIG // by covered type
}

func indexZone(out []dns.RR) index {
	ix := index{sets: map[rkey][]dns.RR{}, sigs: map[rkey][]*dns.RRSIG{}}
	for _, rr := range out {
		h := rr.Header()
		if sig, ok := rr.(*dns.RRSIG); ok {
			k := rkey{strings.ToLower(h.Name), sig.TypeCovered}
			ix.sigs[k] = append(ix.sigs[k], sig)
			continue
		}
		k := rkey{strings.ToLower(h.Name), h.Rrtype}
		ix.sets[k] = append(ix.sets[k], rr)
	}
	return ix
}

// checkSigned verifies every RRSIG of a signed zone against the zone's DNSKEY
// RRset and returns the key tags that signed each RRset.
func checkSigned(t testing.TB, origin string, out []dns.RR) map[rkey][]uint16 {
	t.Helper()
	ix := indexZone(out)
	keys := map[uint16]*dns.DNSKEY{}
	for _, rr := range ix.sets[rkey{origin, dns.TypeDNSKEY}] {
		k := rr.(*dns.DNSKEY)
		keys[k.KeyTag()] = k
	}
	tags := map[rkey][]uint16{}
	for k, sigs := range ix.sigs {
		set, ok := ix.sets[k]
		if !ok {
			t.Errorf("RRSIG for missing RRset %s %s", k.name, dns.Type(k.typ))
			continue
		}
		for _, sig := range sigs {
			key, ok := keys[sig.KeyTag]
			if !ok {
				t.Errorf("%s %s: signed by key %d, not in the DNSKEY RRset", k.name, dns.Type(k.typ), sig.KeyTag)
				continue
			}
			if err := verify(t, sig, key, set); err != nil {
				t.Errorf("%s %s: RRSIG by %d does not verify: %v", k.name, dns.Type(k.typ), sig.KeyTag, err)
			}
			if !sig.ValidityPeriod(validAt) {
				t.Errorf("%s %s: RRSIG not valid at %s", k.name, dns.Type(k.typ), validAt)
			}
			tags[k] = append(tags[k], sig.KeyTag)
		}
	}
	return tags
}

// checkOrder checks that a signed zone is in canonical order of owner, then
// type (RRSIG counted at its own type code).
func checkOrder(t testing.TB, out []dns.RR) {
	t.Helper()
	for i := 1; i < len(out); i++ {
		a, b := out[i-1].Header(), out[i].Header()
		ka, _ := nameKey(a.Name)
		kb, _ := nameKey(b.Name)
		c := compareNames(ka, kb)
		if c > 0 || c == 0 && a.Rrtype > b.Rrtype {
			t.Fatalf("records out of order:\n%s\n%s", out[i-1], out[i])
		}
	}
}

func TestCanonicalNameOrder(t *testing.T) {
	// The example of RFC 4034 §6.1, in order.
	want := []string{
		"example.",
		"a.example.",
		"yljkjljk.a.example.",
		"Z.a.example.",
		"zABC.a.EXAMPLE.",
		"z.example.",
		`\001.z.example.`,
		"*.z.example.",
		`\200.z.example.`,
	}
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortStableFunc(got, func(a, b string) int {
		ka, err := nameKey(a)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := nameKey(b)
		return compareNames(ka, kb)
	})
	if !slices.Equal(got, want) {
		t.Errorf("canonical order:\n got %q\nwant %q", got, want)
	}
}

func TestSignZoneNSEC(t *testing.T) {
	// The NSEC chain in canonical order with each bitmap: no glue, no empty
	// non-terminal; at a cut only NS, DS, NSEC and RRSIG.
	chain := []struct {
		name  string
		types []uint16
	}{
		{"example.", []uint16{dns.TypeNS, dns.TypeSOA, dns.TypeMX, dns.TypeRRSIG, dns.TypeNSEC, dns.TypeDNSKEY}},
		{"host.a.b.example.", []uint16{dns.TypeA, dns.TypeRRSIG, dns.TypeNSEC}},
		{"deep.ent.example.", []uint16{dns.TypeNS, dns.TypeRRSIG, dns.TypeNSEC}},
		{"insecure.example.", []uint16{dns.TypeNS, dns.TypeRRSIG, dns.TypeNSEC}},
		{"ns1.example.", []uint16{dns.TypeA, dns.TypeRRSIG, dns.TypeNSEC}},
		{"ns2.example.", []uint16{dns.TypeA, dns.TypeRRSIG, dns.TypeNSEC}},
		{"secure.example.", []uint16{dns.TypeNS, dns.TypeDS, dns.TypeRRSIG, dns.TypeNSEC}},
		{"*.w.example.", []uint16{dns.TypeTXT, dns.TypeRRSIG, dns.TypeNSEC}},
		{"www.example.", []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeRRSIG, dns.TypeNSEC}},
	}
	for _, alg := range []uint8{dns.ECDSAP256SHA256, dns.ED25519, dns.ED448} {
		t.Run(dns.AlgorithmToString[alg], func(t *testing.T) {
			out := signTestZone(t, alg, Denial{})
			checkOrder(t, out)
			tags := checkSigned(t, "example.", out)
			ix := indexZone(out)

			var nsecs []*dns.NSEC
			for _, rr := range out {
				if n, ok := rr.(*dns.NSEC); ok {
					nsecs = append(nsecs, n)
				}
				if rr.Header().Rrtype == dns.TypeNSEC3 || rr.Header().Rrtype == dns.TypeNSEC3PARAM {
					t.Errorf("NSEC3 record in an NSEC zone: %s", rr)
				}
			}
			if len(nsecs) != len(chain) {
				t.Fatalf("%d NSEC records, want %d", len(nsecs), len(chain))
			}
			for i, want := range chain {
				n := nsecs[i]
				next := chain[(i+1)%len(chain)].name
				if n.Hdr.Name != want.name || n.NextDomain != next {
					t.Errorf("NSEC %d: %s -> %s, want %s -> %s", i, n.Hdr.Name, n.NextDomain, want.name, next)
				}
				if !slices.Equal(n.TypeBitMap, want.types) {
					t.Errorf("NSEC %s bitmap %v, want %v", n.Hdr.Name, typeNames(n.TypeBitMap), typeNames(want.types))
				}
				if n.Hdr.Ttl != 300 {
					t.Errorf("NSEC %s TTL %d, want SOA minimum 300", n.Hdr.Name, n.Hdr.Ttl)
				}
			}
			checkSignedSets(t, ix, tags, unsignedInTestZone)
		})
	}
}

// checkSignedSets checks that exactly the RRsets not in unsigned are signed.
func checkSignedSets(t *testing.T, ix index, tags map[rkey][]uint16, unsigned map[rkey]bool) {
	t.Helper()
	for k := range ix.sets {
		if signed := len(tags[k]) > 0; signed == unsigned[k] {
			t.Errorf("%s %s: signed=%v, want %v", k.name, dns.Type(k.typ), signed, !unsigned[k])
		}
	}
}

func typeNames(ts []uint16) string {
	var s []string
	for _, t := range ts {
		s = append(s, dns.Type(t).String())
	}
	return strings.Join(s, " ")
}

func TestSignZoneNSEC3(t *testing.T) {
	// Original owner names and their NSEC3 bitmaps. Empty non-terminals have
	// an empty bitmap; an insecure delegation has NS only.
	all := map[string][]uint16{
		"example.":          {dns.TypeNS, dns.TypeSOA, dns.TypeMX, dns.TypeRRSIG, dns.TypeDNSKEY, dns.TypeNSEC3PARAM},
		"b.example.":        {},
		"a.b.example.":      {},
		"host.a.b.example.": {dns.TypeA, dns.TypeRRSIG},
		"ent.example.":      {},
		"deep.ent.example.": {dns.TypeNS},
		"insecure.example.": {dns.TypeNS},
		"ns1.example.":      {dns.TypeA, dns.TypeRRSIG},
		"ns2.example.":      {dns.TypeA, dns.TypeRRSIG},
		"secure.example.":   {dns.TypeNS, dns.TypeDS, dns.TypeRRSIG},
		"w.example.":        {},
		"*.w.example.":      {dns.TypeTXT, dns.TypeRRSIG},
		"www.example.":      {dns.TypeA, dns.TypeAAAA, dns.TypeRRSIG},
	}
	// With opt-out, insecure delegations and the empty non-terminal that
	// exists only because of one are left out.
	optedOut := []string{"deep.ent.example.", "ent.example.", "insecure.example."}
	tests := []struct {
		name string
		alg  uint8
		d    Denial
	}{
		// RFC 9276 parameters: no salt, no extra iterations.
		{"plain", dns.ECDSAP256SHA256, Denial{NSEC3: true}},
		// "-" is the presentation form of an empty salt.
		{"dash salt", dns.ED25519, Denial{NSEC3: true, Salt: "-"}},
		// Salt and iterations as older zones have them.
		{"salt and iterations", dns.ED448, Denial{NSEC3: true, Salt: "aabbccdd", Iterations: 5}},
		// Opt-out: insecure delegations skipped, flag set.
		{"opt-out", dns.ECDSAP256SHA256, Denial{NSEC3: true, OptOut: true, Salt: "01", Iterations: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := signTestZone(t, tt.alg, tt.d)
			checkOrder(t, out)
			tags := checkSigned(t, "example.", out)
			ix := indexZone(out)
			salt := strings.Trim(tt.d.Salt, "-")

			want := map[string]string{} // owner -> original name
			for name := range all {
				if tt.d.OptOut && slices.Contains(optedOut, name) {
					continue
				}
				h := strings.ToLower(dns.HashName(name, dns.SHA1, tt.d.Iterations, salt))
				want[h+".example."] = name
			}

			var nsec3s []*dns.NSEC3
			for _, rr := range out {
				switch x := rr.(type) {
				case *dns.NSEC3:
					nsec3s = append(nsec3s, x)
				case *dns.NSEC:
					t.Errorf("NSEC in an NSEC3 zone: %s", x)
				}
			}
			if len(nsec3s) != len(want) {
				t.Errorf("%d NSEC3 records, want %d", len(nsec3s), len(want))
			}
			var wantFlags uint8
			if tt.d.OptOut {
				wantFlags = 1
			}
			for i, n := range nsec3s {
				name, ok := want[n.Hdr.Name]
				if !ok {
					t.Errorf("unexpected NSEC3 %s", n)
					continue
				}
				if !slices.Equal(n.TypeBitMap, all[name]) {
					t.Errorf("NSEC3 of %s: bitmap %v, want %v", name, typeNames(n.TypeBitMap), typeNames(all[name]))
				}
				if n.Flags != wantFlags || n.Iterations != tt.d.Iterations || !strings.EqualFold(n.Salt, salt) ||
					n.Hash != dns.SHA1 || n.Hdr.Ttl != 300 || n.HashLength != 20 {
					t.Errorf("NSEC3 of %s: bad parameters %s", name, n)
				}
				// Sorted by hash, each pointing at the next, the last at the first.
				next := nsec3s[(i+1)%len(nsec3s)]
				if !strings.EqualFold(n.NextDomain+".example.", next.Hdr.Name) {
					t.Errorf("NSEC3 %s: next %s, want %s", n.Hdr.Name, n.NextDomain, next.Hdr.Name)
				}
				if i > 0 && strings.ToLower(nsec3s[i-1].Hdr.Name) >= strings.ToLower(n.Hdr.Name) {
					t.Errorf("NSEC3 owners not sorted: %s, %s", nsec3s[i-1].Hdr.Name, n.Hdr.Name)
				}
				if !n.Match(name) {
					t.Errorf("NSEC3 %s does not match %s", n.Hdr.Name, name)
				}
			}

			params := ix.sets[rkey{"example.", dns.TypeNSEC3PARAM}]
			if len(params) != 1 {
				t.Fatalf("%d NSEC3PARAM records", len(params))
			}
			if p := params[0].(*dns.NSEC3PARAM); p.Flags != 0 || p.Iterations != tt.d.Iterations ||
				!strings.EqualFold(p.Salt, salt) || p.Hash != dns.SHA1 {
				t.Errorf("bad NSEC3PARAM %s", p)
			}
			checkSignedSets(t, ix, tags, unsignedInTestZone)
		})
	}
}

func TestSignZoneKeyRoles(t *testing.T) {
	k13 := mustKey(t, "example.", dns.ECDSAP256SHA256, 257, "roles")
	z13 := mustKey(t, "example.", dns.ECDSAP256SHA256, 256, "roles")
	k15 := mustKey(t, "example.", dns.ED25519, 257, "roles")
	z15 := mustKey(t, "example.", dns.ED25519, 256, "roles")
	other := mustKey(t, "example.", dns.ECDSAP256SHA256, 256, "other operator").DNSKEY
	inZone := mustKey(t, "example.", dns.ED25519, 256, "already in the zone").DNSKEY
	tag := func(k *Key) uint16 { return k.DNSKEY.KeyTag() }

	tests := []struct {
		name        string
		opt         Options
		extraInput  []dns.RR // added to the zone's records
		dnskeys     []uint16 // the DNSKEY RRset
		dnskeySig   []uint16 // who signs it
		otherSig    []uint16 // who signs the SOA, A, NSEC...
		dnskeyTTL   uint32
		wantDNSKEYs int
	}{
		// The classic split: KSK signs DNSKEY, ZSK signs the rest.
		{"KSK and ZSK", Options{KSKs: []*Key{k13}, ZSKs: []*Key{z13}},
			nil, []uint16{tag(k13), tag(z13)}, []uint16{tag(k13)}, []uint16{tag(z13)}, 3600, 2},
		// A CSK given in both lists signs everything once.
		{"CSK in both lists", Options{KSKs: []*Key{k13}, ZSKs: []*Key{k13}},
			nil, []uint16{tag(k13)}, []uint16{tag(k13)}, []uint16{tag(k13)}, 3600, 1},
		// Only KSKs: they sign everything.
		{"KSK only", Options{KSKs: []*Key{k13}},
			nil, []uint16{tag(k13)}, []uint16{tag(k13)}, []uint16{tag(k13)}, 3600, 1},
		// Only ZSKs: they sign everything too.
		{"ZSK only", Options{ZSKs: []*Key{z13}},
			nil, []uint16{tag(z13)}, []uint16{tag(z13)}, []uint16{tag(z13)}, 3600, 1},
		// RFC 8901 model 2: another operator's ZSK is published, not used.
		{"multi-signer", Options{KSKs: []*Key{k13}, ZSKs: []*Key{z13}, ExtraDNSKEYs: []*dns.DNSKEY{other}},
			nil, []uint16{tag(k13), tag(z13), other.KeyTag()}, []uint16{tag(k13)}, []uint16{tag(z13)}, 3600, 3},
		// Two algorithms: each RRset is signed with both (RFC 6840 §5.11).
		{"two algorithms", Options{KSKs: []*Key{k13, k15}, ZSKs: []*Key{z13, z15}},
			nil, []uint16{tag(k13), tag(z13), tag(k15), tag(z15)},
			[]uint16{tag(k13), tag(k15)}, []uint16{tag(z13), tag(z15)}, 3600, 4},
		// A DNSKEY already at the apex joins the RRset; the TTL is DNSKEYTTL.
		{"DNSKEY in input, DNSKEYTTL", Options{KSKs: []*Key{k13}, ZSKs: []*Key{z13}, DNSKEYTTL: 7200},
			[]dns.RR{inZone}, []uint16{tag(k13), tag(z13), inZone.KeyTag()}, []uint16{tag(k13)}, []uint16{tag(z13)}, 7200, 3},
		// The same key twice in a list, and the KSK's DNSKEY as an extra key:
		// no duplicate DNSKEY, no duplicate signature.
		{"duplicates", Options{KSKs: []*Key{k13, k13}, ZSKs: []*Key{z13}, ExtraDNSKEYs: []*dns.DNSKEY{k13.DNSKEY}},
			nil, []uint16{tag(k13), tag(z13)}, []uint16{tag(k13)}, []uint16{tag(z13)}, 3600, 2},
	}
	base := parseZone(t, "example.", `
example. 3600 IN SOA ns1.example. hostmaster.example. 1 7200 3600 1209600 300
example. 3600 IN NS ns1.example.
ns1.example. 3600 IN A 192.0.2.1
`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Inception, tt.opt.Expiration = inception, expiration
			out, err := SignZone("example.", slices.Concat(base, tt.extraInput), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			tags := checkSigned(t, "example.", out)
			ix := indexZone(out)
			var got []uint16
			for _, rr := range ix.sets[rkey{"example.", dns.TypeDNSKEY}] {
				got = append(got, rr.(*dns.DNSKEY).KeyTag())
				if rr.Header().Ttl != tt.dnskeyTTL {
					t.Errorf("DNSKEY TTL %d, want %d", rr.Header().Ttl, tt.dnskeyTTL)
				}
			}
			if len(got) != tt.wantDNSKEYs || !sameSet(got, tt.dnskeys) {
				t.Errorf("DNSKEY RRset %v, want %v", got, tt.dnskeys)
			}
			for k := range ix.sets {
				want := tt.otherSig
				if k.typ == dns.TypeDNSKEY {
					want = tt.dnskeySig
				}
				if len(tags[k]) != len(want) || !sameSet(tags[k], want) {
					t.Errorf("%s %s signed by %v, want %v", k.name, dns.Type(k.typ), tags[k], want)
				}
			}
			for _, s := range ix.sigs[rkey{"example.", dns.TypeDNSKEY}] {
				if s.OrigTtl != tt.dnskeyTTL {
					t.Errorf("RRSIG DNSKEY original TTL %d", s.OrigTtl)
				}
			}
		})
	}
}

func sameSet(a, b []uint16) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func TestSignZoneNegativeTTL(t *testing.T) {
	tests := []struct {
		name string
		soa  string
		want uint32
	}{
		// MINIMUM below the SOA TTL: MINIMUM (RFC 4034 §4).
		{"minimum", "example. 3600 IN SOA ns. h. 1 2 3 4 300", 300},
		// SOA TTL below MINIMUM: the SOA TTL (RFC 9077 §3.1.1).
		{"soa ttl", "example. 60 IN SOA ns. h. 1 2 3 4 300", 60},
	}
	for _, tt := range tests {
		for _, d := range []Denial{{}, {NSEC3: true}} {
			out, err := SignZone("example.", mustRRs(t, tt.soa), Options{
				KSKs: []*Key{mustKey(t, "example.", dns.ED25519, 257, "ttl")}, Inception: inception, Expiration: expiration, Denial: d})
			if err != nil {
				t.Fatal(err)
			}
			for _, rr := range out {
				switch rr.Header().Rrtype {
				case dns.TypeNSEC, dns.TypeNSEC3, dns.TypeNSEC3PARAM:
					if rr.Header().Ttl != tt.want {
						t.Errorf("%s: %s TTL %d, want %d", tt.name, dns.Type(rr.Header().Rrtype), rr.Header().Ttl, tt.want)
					}
				}
			}
		}
	}
}

func TestSignZoneDeterministic(t *testing.T) {
	for _, alg := range []uint8{dns.RSASHA256, dns.ECDSAP256SHA256, dns.ED25519, dns.ED448} {
		for _, d := range []Denial{{}, {NSEC3: true, OptOut: true}} {
			t.Run(fmt.Sprintf("%s/nsec3=%v", dns.AlgorithmToString[alg], d.NSEC3), func(t *testing.T) {
				a := zoneText(signTestZone(t, alg, d))
				b := zoneText(signTestZone(t, alg, d))
				if a != b {
					t.Fatal("two runs differ")
				}
				// The input order does not matter either.
				rrs := parseZone(t, "example.", testZone)
				slices.Reverse(rrs)
				out, err := SignZone("example.", rrs, Options{
					KSKs:      []*Key{mustKey(t, "example.", alg, 257, "zone")},
					ZSKs:      []*Key{mustKey(t, "example.", alg, 256, "zone")},
					Inception: inception, Expiration: expiration, Denial: d,
				})
				if err != nil {
					t.Fatal(err)
				}
				if zoneText(out) != a {
					t.Fatal("reversed input gives another zone")
				}
			})
		}
	}
}

// TestSignZoneResign signs a signed zone again: old RRSIGs, NSECs and
// NSEC3s are replaced, the result is the same.
func TestSignZoneResign(t *testing.T) {
	for _, d := range []Denial{{}, {NSEC3: true}} {
		first := signTestZone(t, dns.ED25519, d)
		second, err := SignZone("example.", first, Options{
			KSKs: []*Key{mustKey(t, "example.", dns.ED25519, 257, "zone")},
			ZSKs: []*Key{mustKey(t, "example.", dns.ED25519, 256, "zone")},
			// Switching NSEC and NSEC3 must leave nothing of the old chain.
			Denial:    Denial{NSEC3: !d.NSEC3},
			Inception: inception, Expiration: expiration,
		})
		if err != nil {
			t.Fatal(err)
		}
		third := signTestZone(t, dns.ED25519, Denial{NSEC3: !d.NSEC3})
		if zoneText(second) != zoneText(third) {
			t.Errorf("re-signing with nsec3=%v differs from signing afresh", !d.NSEC3)
		}
	}
}

func zoneText(rrs []dns.RR) string {
	var b strings.Builder
	for _, rr := range rrs {
		b.WriteString(rr.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestSignZoneRoot(t *testing.T) {
	zone := `
.              86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
.              518400 IN NS a.root-servers.net.
com.           172800 IN NS a.gtld-servers.net.
com.           86400 IN DS 19718 13 2 8acbb0cd28f41250a80a491389424d341522d946b0da0c0291f2d3d771d7805a
a.gtld-servers.net. 172800 IN A 192.5.6.30
test.          172800 IN NS ns.test.
ns.test.       172800 IN A 192.0.2.53
`
	for _, d := range []Denial{{}, {NSEC3: true}, {NSEC3: true, OptOut: true}} {
		out, err := SignZone(".", parseZone(t, ".", zone), Options{
			KSKs:      []*Key{mustKey(t, ".", dns.ECDSAP256SHA256, 257, "root")},
			ZSKs:      []*Key{mustKey(t, ".", dns.ECDSAP256SHA256, 256, "root")},
			Inception: inception, Expiration: expiration, Denial: d,
		})
		if err != nil {
			t.Fatal(err)
		}
		checkOrder(t, out)
		tags := checkSigned(t, ".", out)
		ix := indexZone(out)
		checkSignedSets(t, ix, tags, map[rkey]bool{
			{"com.", dns.TypeNS}: true, {"test.", dns.TypeNS}: true, {"ns.test.", dns.TypeA}: true,
		})
		if !d.NSEC3 {
			n := ix.sets[rkey{"test.", dns.TypeNSEC}]
			if len(n) != 1 || n[0].(*dns.NSEC).NextDomain != "." {
				t.Errorf("last NSEC: %v", n)
			}
			if len(ix.sets[rkey{"net.", dns.TypeNSEC}]) != 0 || len(ix.sets[rkey{"ns.test.", dns.TypeNSEC}]) != 0 {
				t.Errorf("NSEC at an empty non-terminal or at glue")
			}
		}
	}
}

func TestSignZoneErrors(t *testing.T) {
	key := mustKey(t, "example.", dns.ED25519, 257, "errors")
	otherZone := mustKey(t, "example.net.", dns.ED25519, 257, "errors")
	soa := "example. 3600 IN SOA ns. h. 1 2 3 4 300"
	opt := func(f func(*Options)) Options {
		o := Options{KSKs: []*Key{key}, Inception: inception, Expiration: expiration}
		if f != nil {
			f(&o)
		}
		return o
	}
	tests := []struct {
		name   string
		origin string
		rrs    []dns.RR
		opt    Options
	}{
		// A zone needs its SOA ...
		{"no SOA", "example.", mustRRs(t, "www.example. 300 IN A 192.0.2.1"), opt(nil)},
		// ... exactly one ...
		{"two SOAs", "example.", mustRRs(t, soa, "example. 3600 IN SOA ns. h. 2 2 3 4 300"), opt(nil)},
		// ... at the origin.
		{"SOA below origin", "example.", mustRRs(t, soa, "sub.example. 3600 IN SOA ns. h. 1 2 3 4 300"), opt(nil)},
		{"data outside the zone", "example.", mustRRs(t, soa, "www.example.net. 300 IN A 192.0.2.1"), opt(nil)},
		{"class mismatch", "example.", mustRRs(t, soa, "www.example. 300 CH A 192.0.2.1"), opt(nil)},
		{"bad origin", "exa..mple.", mustRRs(t, soa), opt(nil)},
		{"no keys", "example.", mustRRs(t, soa), opt(func(o *Options) { o.KSKs = nil })},
		{"nil key", "example.", mustRRs(t, soa), opt(func(o *Options) { o.ZSKs = []*Key{nil} })},
		// The signer name must be the zone (RFC 4035 §2.2).
		{"key of another zone", "example.", mustRRs(t, soa), opt(func(o *Options) { o.ZSKs = []*Key{otherZone} })},
		{"extra DNSKEY of another zone", "example.", mustRRs(t, soa),
			opt(func(o *Options) { o.ExtraDNSKEYs = []*dns.DNSKEY{otherZone.DNSKEY} })},
		{"no validity period", "example.", mustRRs(t, soa), opt(func(o *Options) { o.Inception = time.Time{} })},
		{"salt not hex", "example.", mustRRs(t, soa), opt(func(o *Options) { o.Denial = Denial{NSEC3: true, Salt: "xyz"} })},
	}
	for _, tt := range tests {
		if _, err := SignZone(tt.origin, tt.rrs, tt.opt); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}
