package validator

import (
	"bytes"
	"encoding/hex"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// canonTestSig returns an RRSIG whose RRset-derived fields are filled from rrset.
func canonTestSig(rrset []dns.RR) *dns.RRSIG {
	sig := &dns.RRSIG{
		Hdr:        dns.RR_Header{Rrtype: dns.TypeRRSIG, Class: dns.ClassINET},
		Algorithm:  dns.ECDSAP256SHA256,
		KeyTag:     12345,
		SignerName: "example.",
		Inception:  0x01020304,
		Expiration: 0x05060708,
		OrigTtl:    3600,
	}
	cryptoTestFillSig(sig, rrset)
	return sig
}

// canonTestData returns SignedData for the records, failing the test on error.
func canonTestData(t *testing.T, lines ...string) []byte {
	t.Helper()
	rrset := cryptoTestRRs(t, lines...)
	data, err := SignedData(canonTestSig(rrset), rrset)
	if err != nil {
		t.Fatalf("SignedData: %v", err)
	}
	return data
}

// TestSignedDataExact checks the exact bytes for a small RRset: RRSIG RDATA
// prefix with lowercased signer, lowercased owner, TTL = original TTL,
// records sorted and deduplicated.
func TestSignedDataExact(t *testing.T) {
	rrset := cryptoTestRRs(t,
		"WWW.Example. 17 IN A 192.0.2.2",
		"www.example. 17 IN A 192.0.2.1",
		"www.EXAMPLE. 17 IN A 192.0.2.2",
	)
	sig := canonTestSig(rrset)
	sig.SignerName = "EXAMPLE."
	sig.OrigTtl = 3600
	got, err := SignedData(sig, rrset)
	if err != nil {
		t.Fatal(err)
	}
	want := "" +
		"0001" + "0d" + "02" + "00000e10" + "05060708" + "01020304" + "3039" + // RRSIG fields
		"076578616d706c6500" + // signer "example."
		"03777777076578616d706c6500" + "0001" + "0001" + "00000e10" + "0004" + "c0000201" +
		"03777777076578616d706c6500" + "0001" + "0001" + "00000e10" + "0004" + "c0000202"
	if h := hex.EncodeToString(got); h != want {
		t.Errorf("SignedData =\n%s\nwant\n%s", h, want)
	}
}

// TestSignedDataRdataCase: domain names in RDATA are lowercased exactly for
// the RFC 4034 §6.2 types (as amended by RFC 6840 §5.1).
func TestSignedDataRdataCase(t *testing.T) {
	cases := []struct {
		name         string
		upper, lower string
		lowered      bool // whether the upper-case form must canonicalise to the lower-case one
	}{
		// Types whose RDATA names are lowercased.
		{"NS", "example. 300 IN NS NS1.Example.", "example. 300 IN NS ns1.example.", true},
		{"MD", "example. 300 IN MD Host.Example.", "example. 300 IN MD host.example.", true},
		{"MF", "example. 300 IN MF Host.Example.", "example. 300 IN MF host.example.", true},
		{"CNAME", "example. 300 IN CNAME Target.Example.", "example. 300 IN CNAME target.example.", true},
		{"SOA", "example. 300 IN SOA NS.Example. Host.Master.EXAMPLE. 1 2 3 4 5", "example. 300 IN SOA ns.example. host.master.example. 1 2 3 4 5", true},
		{"MB", "example. 300 IN MB Box.Example.", "example. 300 IN MB box.example.", true},
		{"MG", "example. 300 IN MG Box.Example.", "example. 300 IN MG box.example.", true},
		{"MR", "example. 300 IN MR Box.Example.", "example. 300 IN MR box.example.", true},
		{"PTR", "example. 300 IN PTR Host.Example.", "example. 300 IN PTR host.example.", true},
		{"MINFO", "example. 300 IN MINFO R.Example. E.Example.", "example. 300 IN MINFO r.example. e.example.", true},
		{"MX", "example. 300 IN MX 10 Mail.EXAMPLE.", "example. 300 IN MX 10 mail.example.", true},
		{"RP", "example. 300 IN RP Box.Example. Txt.Example.", "example. 300 IN RP box.example. txt.example.", true},
		{"AFSDB", "example. 300 IN AFSDB 1 Host.Example.", "example. 300 IN AFSDB 1 host.example.", true},
		{"RT", "example. 300 IN RT 1 Host.Example.", "example. 300 IN RT 1 host.example.", true},
		{"SIG", "example. 300 IN SIG A 13 2 300 20250101000000 20240101000000 1 Signer.Example. AAAA",
			"example. 300 IN SIG A 13 2 300 20250101000000 20240101000000 1 signer.example. AAAA", true},
		{"PX", "example. 300 IN PX 1 Map.Example. X400.Example.", "example. 300 IN PX 1 map.example. x400.example.", true},
		{"NXT", "example. 300 IN NXT Next.Example. A", "example. 300 IN NXT next.example. A", true},
		{"NAPTR", "example. 300 IN NAPTR 1 2 \"U\" \"E2U\" \"!X!\" Repl.Example.", "example. 300 IN NAPTR 1 2 \"U\" \"E2U\" \"!X!\" repl.example.", true},
		{"KX", "example. 300 IN KX 1 Kx.Example.", "example. 300 IN KX 1 kx.example.", true},
		{"SRV", "_a._tcp.example. 300 IN SRV 1 2 3 Srv.Example.", "_a._tcp.example. 300 IN SRV 1 2 3 srv.example.", true},
		{"DNAME", "example. 300 IN DNAME Other.Example.", "example. 300 IN DNAME other.example.", true},
		// A6 (type 38, no miekg type): prefix length 64, 8 octets of suffix, prefix name "P.Example.".
		{"A6", "example. 300 IN TYPE38 \\# 20 40 0000000000000001 0150074558414d504c4500",
			"example. 300 IN TYPE38 \\# 20 40 0000000000000001 0170076578616d706c6500", true},
		// A6 with prefix length 0 has no name; nothing to lowercase, must not fail.
		{"A6 no prefix", "example. 300 IN TYPE38 \\# 17 00 20010db8000000000000000000000001",
			"example. 300 IN TYPE38 \\# 17 00 20010db8000000000000000000000001", true},
		// Types whose RDATA keeps its case.
		{"NSEC", "a.example. 300 IN NSEC Next.Example. A NSEC", "a.example. 300 IN NSEC next.example. A NSEC", false},
		{"HINFO", "example. 300 IN HINFO \"Intel\" \"Linux\"", "example. 300 IN HINFO \"intel\" \"linux\"", false},
		{"RRSIG", "example. 300 IN RRSIG A 13 1 300 20250101000000 20240101000000 1 Signer.Example. AAAA",
			"example. 300 IN RRSIG A 13 1 300 20250101000000 20240101000000 1 signer.example. AAAA", false},
		{"TXT", "example. 300 IN TXT \"Hello\"", "example. 300 IN TXT \"hello\"", false},
		{"CAA", "example. 300 IN CAA 0 issue \"CA.Example\"", "example. 300 IN CAA 0 issue \"ca.example\"", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			up := canonTestData(t, c.upper)
			lo := canonTestData(t, c.lower)
			if eq := bytes.Equal(up, lo); eq != c.lowered {
				t.Errorf("upper == lower is %v, want %v\nupper %x\nlower %x", eq, c.lowered, up, lo)
			}
		})
	}
}

// TestSignedDataNSECKeepsCase: the NSEC next name appears in the signed data
// with its original case, while the owner is lowercased.
func TestSignedDataNSECKeepsCase(t *testing.T) {
	data := canonTestData(t, "A.Example. 300 IN NSEC Next.Example. A NSEC")
	if !bytes.Contains(data, []byte("\x04Next\x07Example\x00")) {
		t.Errorf("next name lost its case: %x", data)
	}
	if !bytes.Contains(data, []byte("\x01a\x07example\x00")) {
		t.Errorf("owner not lowercased: %x", data)
	}
	if bytes.Contains(data, []byte("\x01A\x07Example\x00")) {
		t.Errorf("owner kept its case: %x", data)
	}
}

// TestSignedDataWildcard: with sig.Labels below the owner's label count the
// owner becomes "*." + the rightmost Labels labels (RFC 4035 §5.3.2).
func TestSignedDataWildcard(t *testing.T) {
	cases := []struct {
		name   string
		owner  string
		labels uint8
		want   string // owner as it must appear in the signed data
	}{
		// Expanded two labels below the wildcard.
		{"two deeper", "a.b.example.", 1, "\x01*\x07example\x00"},
		// Expanded one label below, mixed case.
		{"one deeper", "X.Example.", 1, "\x01*\x07example\x00"},
		// The wildcard owner itself (labels = count - 1).
		{"wildcard itself", "*.example.", 1, "\x01*\x07example\x00"},
		// Labels equal to the count: owner unchanged.
		{"not a wildcard", "a.b.example.", 3, "\x01a\x01b\x07example\x00"},
		// Labels zero: "*." (wildcard at the root).
		{"root wildcard", "a.example.", 0, "\x01*\x00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rrset := cryptoTestRRs(t, c.owner+" 300 IN A 192.0.2.1")
			sig := canonTestSig(rrset)
			sig.Labels = c.labels
			data, err := SignedData(sig, rrset)
			if err != nil {
				t.Fatal(err)
			}
			prefix := 18 + len("\x07example\x00")
			rest := data[prefix:]
			if !bytes.HasPrefix(rest, []byte(c.want)) || len(rest) != len(c.want)+10+4 {
				t.Errorf("record = %q, want owner %q", rest, c.want)
			}
			if rrset[0].Header().Name != c.owner {
				t.Errorf("rrset owner modified to %q", rrset[0].Header().Name)
			}
		})
	}
}

// TestSignedDataDuplicatesAndOrder: exact duplicates (after
// canonicalisation) are removed and input order does not matter.
func TestSignedDataDuplicatesAndOrder(t *testing.T) {
	cases := []struct {
		name string
		a, b []string // two RRsets that must canonicalise identically
	}{
		// An exact duplicate A record.
		{"duplicate A",
			[]string{"example. 300 IN A 192.0.2.1", "example. 300 IN A 192.0.2.1", "example. 300 IN A 192.0.2.2"},
			[]string{"example. 300 IN A 192.0.2.1", "example. 300 IN A 192.0.2.2"}},
		// NS targets differing only in case are duplicates once lowercased.
		{"case duplicate NS",
			[]string{"example. 300 IN NS NS.example.", "example. 300 IN NS ns.EXAMPLE."},
			[]string{"example. 300 IN NS ns.example."}},
		// Duplicates with different TTLs (TTL is replaced by the original TTL).
		{"ttl duplicate",
			[]string{"example. 10 IN A 192.0.2.1", "example. 20 IN A 192.0.2.1"},
			[]string{"example. 30 IN A 192.0.2.1"}},
		// Reversed order.
		{"order",
			[]string{"example. 300 IN TXT \"b\"", "example. 300 IN TXT \"ab\"", "example. 300 IN TXT \"a\""},
			[]string{"example. 300 IN TXT \"a\"", "example. 300 IN TXT \"ab\"", "example. 300 IN TXT \"b\""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := cryptoTestRRs(t, c.a...)
			b := cryptoTestRRs(t, c.b...)
			sa, sb := canonTestSig(a), canonTestSig(b)
			sa.OrigTtl, sb.OrigTtl = 300, 300
			da, err := SignedData(sa, a)
			if err != nil {
				t.Fatal(err)
			}
			db, err := SignedData(sb, b)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(da, db) {
				t.Errorf("signed data differs\n%x\n%x", da, db)
			}
		})
	}
}

// TestSignedDataCanonicalOrder: RDATA is compared as left-justified octet
// strings, so a shorter RDATA that is a prefix of another sorts first.
func TestSignedDataCanonicalOrder(t *testing.T) {
	// TXT "a" = 01 61, TXT "a" "b" = 01 61 01 62 (prefix), TXT "\000" = 01 00.
	data := canonTestData(t,
		"example. 300 IN TXT \"a\" \"b\"",
		"example. 300 IN TXT \"a\"",
		"example. 300 IN TXT \"\\000\"",
	)
	i0 := bytes.Index(data, []byte{0, 2, 1, 0})
	i1 := bytes.Index(data, []byte{0, 2, 1, 'a'})
	i2 := bytes.Index(data, []byte{0, 4, 1, 'a', 1, 'b'})
	if i0 < 0 || i1 < 0 || i2 < 0 || !(i0 < i1 && i1 < i2) {
		t.Errorf("order wrong: %d %d %d in %x", i0, i1, i2, data)
	}
}

// TestSignedDataDoesNotModify: the caller's records are untouched.
func TestSignedDataDoesNotModify(t *testing.T) {
	lines := []string{
		"Mail.Example. 77 IN MX 10 MX.Example.",
		"mail.example. 99 IN MX 5 Other.EXAMPLE.",
	}
	rrset := cryptoTestRRs(t, lines...)
	before := make([]string, len(rrset))
	headers := make([]dns.RR_Header, len(rrset))
	for i, rr := range rrset {
		before[i] = rr.String()
		headers[i] = *rr.Header()
	}
	sig := canonTestSig(rrset)
	sig.SignerName = "EXAMPLE."
	sig.Labels = 1
	if _, err := SignedData(sig, rrset); err != nil {
		t.Fatal(err)
	}
	for i, rr := range rrset {
		if rr.String() != before[i] {
			t.Errorf("record %d changed: %q -> %q", i, before[i], rr.String())
		}
		if *rr.Header() != headers[i] { // dns.PackRR would have set Rdlength
			t.Errorf("record %d header changed: %+v -> %+v", i, headers[i], *rr.Header())
		}
	}
	if sig.SignerName != "EXAMPLE." {
		t.Errorf("sig signer changed to %q", sig.SignerName)
	}
}

// TestSignedDataErrors: inputs that cannot yield signed data.
func TestSignedDataErrors(t *testing.T) {
	a := func(lines ...string) []dns.RR { return cryptoTestRRs(t, lines...) }
	cases := []struct {
		name  string
		rrset []dns.RR
		edit  func(sig *dns.RRSIG)
	}{
		// No records.
		{"empty", nil, nil},
		// Two owners.
		{"two owners", a("a.example. 1 IN A 192.0.2.1", "b.example. 1 IN A 192.0.2.1"), nil},
		// Two types.
		{"two types", a("a.example. 1 IN A 192.0.2.1", "a.example. 1 IN TXT \"x\""), nil},
		// Two classes.
		{"two classes", a("a.example. 1 IN TXT \"x\"", "a.example. 1 CH TXT \"x\""), nil},
		// Type covered differs from the RRset type.
		{"type covered", a("a.example. 1 IN A 192.0.2.1"), func(s *dns.RRSIG) { s.TypeCovered = dns.TypeAAAA }},
		// Labels field above the owner's label count.
		{"labels", a("a.example. 1 IN A 192.0.2.1"), func(s *dns.RRSIG) { s.Labels = 3 }},
		// Signer name not fully qualified.
		{"signer not fqdn", a("a.example. 1 IN A 192.0.2.1"), func(s *dns.RRSIG) { s.SignerName = "example" }},
		// Empty signer name.
		{"signer empty", a("a.example. 1 IN A 192.0.2.1"), func(s *dns.RRSIG) { s.SignerName = "" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sig := &dns.RRSIG{SignerName: "example.", Labels: 2}
			if len(c.rrset) > 0 {
				sig = canonTestSig(c.rrset)
			}
			if c.edit != nil {
				c.edit(sig)
			}
			if _, err := SignedData(sig, c.rrset); err == nil {
				t.Error("SignedData succeeded, want an error")
			}
		})
	}
	// nil RRSIG.
	t.Run("nil sig", func(t *testing.T) {
		if _, err := SignedData(nil, a("a.example. 1 IN A 192.0.2.1")); err == nil {
			t.Error("SignedData succeeded, want an error")
		}
	})
	// Owner not fully qualified (built by hand: the parser would qualify it).
	t.Run("owner not fqdn", func(t *testing.T) {
		rr := &dns.A{Hdr: dns.RR_Header{Name: "a.example", Rrtype: dns.TypeA, Class: dns.ClassINET}, A: []byte{192, 0, 2, 1}}
		sig := &dns.RRSIG{TypeCovered: dns.TypeA, SignerName: "example.", Labels: 2}
		if _, err := SignedData(sig, []dns.RR{rr}); err == nil {
			t.Error("SignedData succeeded, want an error")
		}
	})
}

// TestSignedDataNoStaleBytes: miekg packs an A record holding a non-IPv4
// address by skipping four octets; the scratch buffer is zeroed between uses
// so the result never depends on what was packed before.
func TestSignedDataNoStaleBytes(t *testing.T) {
	odd := &dns.A{Hdr: dns.RR_Header{Name: "www.example.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300},
		A: net.ParseIP("2001:db8::1")}
	sig := canonTestSig([]dns.RR{odd})
	first, err := SignedData(sig, []dns.RR{odd})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 { // fill the pooled buffers with other data
		canonTestData(t, "www.example. 300 IN A 203.0.113.77", "www.example. 300 IN A 203.0.113.78")
		again, err := SignedData(sig, []dns.RR{odd})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("signed data changed between calls:\n%x\n%x", first, again)
		}
	}
	if !bytes.HasSuffix(first, []byte{0, 4, 0, 0, 0, 0}) {
		t.Errorf("odd A record not packed as 0.0.0.0: %x", first)
	}
}

// TestSignedDataLargeRR: a record larger than the initial pack buffer.
func TestSignedDataLargeRR(t *testing.T) {
	var b strings.Builder
	b.WriteString("example. 300 IN TXT")
	for range 100 {
		b.WriteString(" \"" + strings.Repeat("x", 200) + "\"")
	}
	data := canonTestData(t, b.String())
	if len(data) < 100*201 {
		t.Errorf("signed data too short: %d", len(data))
	}
}

// TestCanonLowerRdataMalformed: malformed RDATA for name-bearing types is an
// error, never a panic.
func TestCanonLowerRdataMalformed(t *testing.T) {
	cases := []struct {
		name string
		t    uint16
		rd   []byte
	}{
		// NS with no RDATA.
		{"NS empty", dns.TypeNS, nil},
		// Label length runs past the end.
		{"NS truncated label", dns.TypeNS, []byte{5, 'a', 'b'}},
		// No terminating root label.
		{"NS unterminated", dns.TypeNS, []byte{1, 'a'}},
		// Compression pointer.
		{"NS pointer", dns.TypeNS, []byte{0xC0, 0x0C}},
		// MX too short for its preference.
		{"MX short", dns.TypeMX, []byte{0}},
		// NAPTR character-strings run past the end.
		{"NAPTR short", dns.TypeNAPTR, []byte{0, 1, 0, 2, 9}},
		// A6 with prefix length above 128.
		{"A6 prefix", canonTypeA6, []byte{129}},
		// A6 suffix shorter than the prefix length implies.
		{"A6 short suffix", canonTypeA6, []byte{0, 1, 2}},
		// SOA with only one name.
		{"SOA one name", dns.TypeSOA, []byte{0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := canonLowerRdata(c.t, c.rd); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestCanonNames covers the presentation-format name helpers.
func TestCanonNames(t *testing.T) {
	t.Run("count labels", func(t *testing.T) {
		cases := map[string]int{
			".":                0,
			"":                 0,
			"example.":         1,
			"www.example.":     2,
			"*.example.":       2,
			"a\\.b.example.":   2, // escaped dot inside a label
			"a\\\\.example.":   2, // escaped backslash, then a real dot
			"a.b":              2, // not fully qualified
			"a\\046b.c.":       2, // \DDD escape of '.'
			"x\\.":             1, // not qualified, ends in an escaped dot
			"a.b.c.d.e.f.g.h.": 8,
		}
		for name, want := range cases {
			if got := canonCountLabels(name); got != want {
				t.Errorf("canonCountLabels(%q) = %d, want %d", name, got, want)
			}
		}
	})
	t.Run("equal", func(t *testing.T) {
		cases := []struct {
			a, b string
			want bool
		}{
			{"example.", "EXAMPLE.", true},
			{"Www.Example.", "wWW.eXAMPLE.", true},
			{"example.", "example.com.", false},
			{"a-b.", "a_b.", false},
			{"[.", "{.", false}, // only A-Z fold, not the neighbouring punctuation
		}
		for _, c := range cases {
			if got := canonEqualName(c.a, c.b); got != c.want {
				t.Errorf("canonEqualName(%q, %q) = %v", c.a, c.b, got)
			}
		}
	})
	t.Run("subdomain", func(t *testing.T) {
		cases := []struct {
			child, parent string
			want          bool
		}{
			{"www.example.", "example.", true},
			{"WWW.Example.", "EXAMPLE.", true},
			{"example.", "example.", true},
			{"example.", ".", true},
			{".", ".", true},
			{"badexample.", "example.", false}, // not at a label boundary
			{"example.", "www.example.", false},
			{"a\\.example.", "example.", false},  // the dot is part of the label
			{"a\\\\.example.", "example.", true}, // escaped backslash, real dot
			{"example.net.", "example.", false},
		}
		for _, c := range cases {
			if got := canonIsSubdomain(c.child, c.parent); got != c.want {
				t.Errorf("canonIsSubdomain(%q, %q) = %v", c.child, c.parent, got)
			}
		}
	})
}
