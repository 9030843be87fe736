package authority

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// exampleRecords is the test zone "example." before signing.
var exampleRecords = []string{
	"example. 3600 IN SOA ns.example. hostmaster.example. 1 3600 900 1209600 300",
	"example. 3600 IN NS ns.example.",
	"ns.example. 3600 IN A 192.0.2.53",
	"www.example. 3600 IN A 192.0.2.1",
	"www.example. 3600 IN TXT \"hello\"",
	"MiXeD.example. 3600 IN A 192.0.2.2",
	"cname.example. 3600 IN CNAME www.example.",
	"chain.example. 3600 IN CNAME cname.example.",
	"ext.example. 3600 IN CNAME www.other.",
	"dangling.example. 3600 IN CNAME nope.example.",
	"loop1.example. 3600 IN CNAME loop2.example.",
	"loop2.example. 3600 IN CNAME loop1.example.",
	"tocut.example. 3600 IN CNAME www.sec.example.",
	"a.b.c.example. 3600 IN A 192.0.2.3",
	"*.wild.example. 3600 IN A 192.0.2.9",
	"*.wcn.example. 3600 IN CNAME www.example.",
	"dn.example. 3600 IN DNAME other.",
	"sec.example. 3600 IN NS ns.sec.example.",
	"sec.example. 3600 IN DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
	"ns.sec.example. 3600 IN A 192.0.2.54",
	"ns.sec.example. 3600 IN AAAA 2001:db8::54",
	"insec.example. 3600 IN NS ns.insec.example.",
	"insec.example. 3600 IN NS ns.elsewhere.",
	"ns.insec.example. 3600 IN A 192.0.2.55",
}

type answerCase struct {
	name        string // what the case is about
	qname       string
	qtype       uint16
	rcode       int
	aa          bool
	answer      []string // "owner TYPE" / "owner RRSIG/TYPE", any order
	ns          []string // authority records other than NSEC/NSEC3 and their RRSIGs
	extra       []string
	nsec, nsec3 []string // proofs: "match:NAME" / "cover:NAME"
	optout      []string // NSEC3 proofs in the opt-out zone, if not nsec3
}

var soaNS = []string{"example. SOA", "example. RRSIG/SOA"}

var answerCases = []answerCase{
	{name: "positive answer with its RRSIG",
		qname: "www.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"www.example. A", "www.example. RRSIG/A"}},
	{name: "query names are case-insensitive; records keep their case",
		qname: "WWW.Example.", qtype: dns.TypeA, aa: true,
		answer: []string{"www.example. A", "www.example. RRSIG/A"}},
	{name: "mixed-case owner is kept as in the zone",
		qname: "mixed.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"MiXeD.example. A", "MiXeD.example. RRSIG/A"}},
	{name: "NODATA: SOA and the NSEC at the name / matching NSEC3",
		qname: "www.example.", qtype: dns.TypeAAAA, aa: true, ns: soaNS,
		nsec: []string{"match:www.example."}, nsec3: []string{"match:www.example."}},
	{name: "empty non-terminal NODATA: NSEC covering it / NSEC3 matching it",
		qname: "c.example.", qtype: dns.TypeA, aa: true, ns: soaNS,
		nsec: []string{"cover:c.example."}, nsec3: []string{"match:c.example."}},
	{name: "deeper empty non-terminal NODATA",
		qname: "b.c.example.", qtype: dns.TypeTXT, aa: true, ns: soaNS,
		nsec: []string{"cover:b.c.example."}, nsec3: []string{"match:b.c.example."}},
	{name: "NXDOMAIN below the apex: name and wildcard covered / closest encloser proof",
		qname: "nx.example.", qtype: dns.TypeA, rcode: dns.RcodeNameError, aa: true, ns: soaNS,
		nsec:  []string{"cover:nx.example.", "cover:*.example."},
		nsec3: []string{"match:example.", "cover:nx.example.", "cover:*.example."}},
	{name: "NXDOMAIN below an empty non-terminal: closest encloser b.c.example.",
		qname: "x.y.b.c.example.", qtype: dns.TypeA, rcode: dns.RcodeNameError, aa: true, ns: soaNS,
		nsec:  []string{"cover:x.y.b.c.example.", "cover:*.b.c.example."},
		nsec3: []string{"match:b.c.example.", "cover:y.b.c.example.", "cover:*.b.c.example."}},
	{name: "wildcard answer: owner replaced, RRSIG labels kept, proof that qname does not exist",
		qname: "foo.wild.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"foo.wild.example. A", "foo.wild.example. RRSIG/A"},
		nsec:   []string{"cover:foo.wild.example."}, nsec3: []string{"cover:foo.wild.example."}},
	{name: "wildcard answer two labels below the closest encloser: next closer b.wild.example.",
		qname: "a.b.wild.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"a.b.wild.example. A", "a.b.wild.example. RRSIG/A"},
		nsec:   []string{"cover:a.b.wild.example."}, nsec3: []string{"cover:b.wild.example."}},
	{name: "wildcard NODATA: qname covered and wildcard's NSEC / closest encloser, next closer, wildcard",
		qname: "foo.wild.example.", qtype: dns.TypeAAAA, aa: true, ns: soaNS,
		nsec:  []string{"cover:foo.wild.example.", "match:*.wild.example."},
		nsec3: []string{"match:wild.example.", "cover:foo.wild.example.", "match:*.wild.example."}},
	{name: "the wildcard owner itself is an ordinary name",
		qname: "*.wild.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"*.wild.example. A", "*.wild.example. RRSIG/A"}},
	{name: "the parent of a wildcard is an empty non-terminal",
		qname: "wild.example.", qtype: dns.TypeA, aa: true, ns: soaNS,
		nsec: []string{"cover:wild.example."}, nsec3: []string{"match:wild.example."}},
	{name: "CNAME followed inside the zone",
		qname: "cname.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"cname.example. CNAME", "cname.example. RRSIG/CNAME", "www.example. A", "www.example. RRSIG/A"}},
	{name: "CNAME chain of two",
		qname: "chain.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"chain.example. CNAME", "chain.example. RRSIG/CNAME", "cname.example. CNAME", "cname.example. RRSIG/CNAME", "www.example. A", "www.example. RRSIG/A"}},
	{name: "CNAME query returns the CNAME only",
		qname: "cname.example.", qtype: dns.TypeCNAME, aa: true,
		answer: []string{"cname.example. CNAME", "cname.example. RRSIG/CNAME"}},
	{name: "CNAME to a name in another zone: not followed",
		qname: "ext.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"ext.example. CNAME", "ext.example. RRSIG/CNAME"}},
	{name: "CNAME to a nonexistent name in the zone: NXDOMAIN with its proof",
		qname: "dangling.example.", qtype: dns.TypeA, rcode: dns.RcodeNameError, aa: true,
		answer: []string{"dangling.example. CNAME", "dangling.example. RRSIG/CNAME"}, ns: soaNS,
		nsec:  []string{"cover:nope.example.", "cover:*.example."},
		nsec3: []string{"match:example.", "cover:nope.example.", "cover:*.example."}},
	{name: "CNAME to an existing name without the type: NODATA proof of the target",
		qname: "cname.example.", qtype: dns.TypeAAAA, aa: true,
		answer: []string{"cname.example. CNAME", "cname.example. RRSIG/CNAME"}, ns: soaNS,
		nsec: []string{"match:www.example."}, nsec3: []string{"match:www.example."}},
	{name: "CNAME loop: each CNAME once",
		qname: "loop1.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"loop1.example. CNAME", "loop1.example. RRSIG/CNAME", "loop2.example. CNAME", "loop2.example. RRSIG/CNAME"}},
	{name: "CNAME to a name below a cut: chain stops, no referral",
		qname: "tocut.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"tocut.example. CNAME", "tocut.example. RRSIG/CNAME"}},
	{name: "wildcard CNAME: synthesized, followed, with the wildcard proof",
		qname: "foo.wcn.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"foo.wcn.example. CNAME", "foo.wcn.example. RRSIG/CNAME", "www.example. A", "www.example. RRSIG/A"},
		nsec:   []string{"cover:foo.wcn.example."}, nsec3: []string{"cover:foo.wcn.example."}},
	{name: "DNAME: the DNAME with its RRSIG and an unsigned synthesized CNAME",
		qname: "x.y.dn.example.", qtype: dns.TypeA, aa: true,
		answer: []string{"dn.example. DNAME", "dn.example. RRSIG/DNAME", "x.y.dn.example. CNAME"}},
	{name: "DNAME query at its owner",
		qname: "dn.example.", qtype: dns.TypeDNAME, aa: true,
		answer: []string{"dn.example. DNAME", "dn.example. RRSIG/DNAME"}},
	{name: "the DNAME owner itself is not redirected: NODATA",
		qname: "dn.example.", qtype: dns.TypeA, aa: true, ns: soaNS,
		nsec: []string{"match:dn.example."}, nsec3: []string{"match:dn.example."}},
	{name: "referral to a signed child: NS, DS and its RRSIG, glue; no AA",
		qname: "sec.example.", qtype: dns.TypeA,
		ns:    []string{"sec.example. NS", "sec.example. DS", "sec.example. RRSIG/DS"},
		extra: []string{"ns.sec.example. A", "ns.sec.example. AAAA"}},
	{name: "referral for a name below the cut",
		qname: "www.sec.example.", qtype: dns.TypeA,
		ns:    []string{"sec.example. NS", "sec.example. DS", "sec.example. RRSIG/DS"},
		extra: []string{"ns.sec.example. A", "ns.sec.example. AAAA"}},
	{name: "glue is not authoritative data: referral",
		qname: "ns.sec.example.", qtype: dns.TypeA,
		ns:    []string{"sec.example. NS", "sec.example. DS", "sec.example. RRSIG/DS"},
		extra: []string{"ns.sec.example. A", "ns.sec.example. AAAA"}},
	{name: "NS query at a cut: referral",
		qname: "sec.example.", qtype: dns.TypeNS,
		ns:    []string{"sec.example. NS", "sec.example. DS", "sec.example. RRSIG/DS"},
		extra: []string{"ns.sec.example. A", "ns.sec.example. AAAA"}},
	{name: "DS query at a cut: answered by the parent",
		qname: "sec.example.", qtype: dns.TypeDS, aa: true,
		answer: []string{"sec.example. DS", "sec.example. RRSIG/DS"}},
	{name: "referral to an unsigned child: NSEC at the cut / matching NSEC3 / opt-out closest encloser proof; in-zone glue only",
		qname: "www.insec.example.", qtype: dns.TypeA,
		ns:    []string{"insec.example. NS", "insec.example. NS"},
		extra: []string{"ns.insec.example. A"},
		nsec:  []string{"match:insec.example."}, nsec3: []string{"match:insec.example."},
		optout: []string{"match:example.", "cover:insec.example."}},
	{name: "DS query at an unsigned cut: NODATA with the same proofs",
		qname: "insec.example.", qtype: dns.TypeDS, aa: true, ns: soaNS,
		nsec: []string{"match:insec.example."}, nsec3: []string{"match:insec.example."},
		optout: []string{"match:example.", "cover:insec.example."}},
	{name: "DS query below a cut: referral",
		qname: "x.insec.example.", qtype: dns.TypeDS,
		ns:    []string{"insec.example. NS", "insec.example. NS"},
		extra: []string{"ns.insec.example. A"},
		nsec:  []string{"match:insec.example."}, nsec3: []string{"match:insec.example."},
		optout: []string{"match:example.", "cover:insec.example."}},
	{name: "DS query at the apex asked of the zone itself: NODATA",
		qname: "example.", qtype: dns.TypeDS, aa: true, ns: soaNS,
		nsec: []string{"match:example."}, nsec3: []string{"match:example."}},
	{name: "name outside the zone: REFUSED",
		qname: "www.other.", qtype: dns.TypeA, rcode: dns.RcodeRefused},
}

func TestAnswer(t *testing.T) {
	for _, m := range []mode{unsigned, withNSEC, withNSEC3, withNSEC3OptOut} {
		t.Run(m.String(), func(t *testing.T) {
			rrs := buildZone(t, "example.", exampleRecords, m)
			z, err := NewZone("example.", rrs)
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range answerCases {
				t.Run(tc.name, func(t *testing.T) {
					checkAnswer(t, z, m, tc)
				})
			}
		})
	}
}

// unsignedOnly drops RRSIG descriptions.
func unsignedOnly(ds []string) []string {
	var out []string
	for _, d := range ds {
		if !strings.Contains(d, " RRSIG/") {
			out = append(out, d)
		}
	}
	return out
}

func checkAnswer(t *testing.T, z *Zone, m mode, tc answerCase) {
	t.Helper()
	msg := z.Answer(tc.qname, tc.qtype)
	if t.Failed() {
		return
	}
	if msg.Rcode != tc.rcode {
		t.Errorf("rcode %s, want %s", dns.RcodeToString[msg.Rcode], dns.RcodeToString[tc.rcode])
	}
	if msg.Authoritative != tc.aa {
		t.Errorf("AA %v, want %v", msg.Authoritative, tc.aa)
	}
	if len(msg.Question) != 1 || msg.Question[0].Name != tc.qname || msg.Question[0].Qtype != tc.qtype {
		t.Errorf("question %v", msg.Question)
	}
	wantAnswer, wantNS, wantExtra := tc.answer, tc.ns, tc.extra
	var proofs []string
	switch m {
	case unsigned:
		wantAnswer, wantNS, wantExtra = unsignedOnly(wantAnswer), unsignedOnly(wantNS), unsignedOnly(wantExtra)
	case withNSEC:
		proofs = tc.nsec
	case withNSEC3:
		proofs = tc.nsec3
	case withNSEC3OptOut:
		proofs = tc.nsec3
		if tc.optout != nil {
			proofs = tc.optout
		}
	}
	if got := describeAll(msg.Answer); !sameMultiset(got, wantAnswer) {
		t.Errorf("answer %q, want %q", got, wantAnswer)
	}
	if got := describeAll(msg.Extra); !sameMultiset(got, wantExtra) {
		t.Errorf("additional %q, want %q", got, wantExtra)
	}
	var plain, proof []dns.RR
	for _, rr := range msg.Ns {
		if isProof(rr) {
			proof = append(proof, rr)
		} else {
			plain = append(plain, rr)
		}
	}
	if got := describeAll(plain); !sameMultiset(got, wantNS) {
		t.Errorf("authority %q, want %q", got, wantNS)
	}
	// Every wanted proof is there; every NSEC/NSEC3 sent is wanted, and
	// comes with its RRSIG.
	var nsecs []dns.RR
	sigs := map[string]int{}
	for _, rr := range proof {
		if s, ok := rr.(*dns.RRSIG); ok {
			sigs[strings.ToLower(s.Hdr.Name)]++
		} else {
			nsecs = append(nsecs, rr)
		}
	}
	for _, spec := range proofs {
		found := false
		for _, rr := range nsecs {
			found = found || checkProof(rr, spec)
		}
		if !found {
			t.Errorf("no proof record for %s in %q", spec, describeAll(nsecs))
		}
	}
	for _, rr := range nsecs {
		used := false
		for _, spec := range proofs {
			used = used || checkProof(rr, spec)
		}
		if !used {
			t.Errorf("unwanted proof record %v", rr)
		}
		if sigs[strings.ToLower(rr.Header().Name)] != 1 {
			t.Errorf("proof record %v has %d RRSIGs", rr, sigs[strings.ToLower(rr.Header().Name)])
		}
	}
	if len(sigs) != len(nsecs) {
		t.Errorf("%d NSEC/NSEC3 RRSIG owners for %d records", len(sigs), len(nsecs))
	}
	noDuplicates(t, msg)
	if m != unsigned {
		verifySigs(t, msg, newSigner(t, "example.").key)
	}
	if t.Failed() {
		t.Logf("response:\n%v", msg)
	}
}

func TestAnswerDetails(t *testing.T) {
	rrs := buildZone(t, "example.", exampleRecords, withNSEC)
	z, err := NewZone("example.", rrs)
	if err != nil {
		t.Fatal(err)
	}
	if z.Origin() != "example." {
		t.Errorf("origin %q", z.Origin())
	}

	// Wildcard expansion: the RRSIG keeps its labels field (2, for
	// *.wild.example.) and gets the query name as owner, as given.
	m := z.Answer("Foo.WILD.example.", dns.TypeA)
	if len(m.Answer) != 2 || m.Answer[0].Header().Name != "Foo.WILD.example." {
		t.Fatalf("wildcard answer %v", m.Answer)
	}
	if sig := m.Answer[1].(*dns.RRSIG); sig.Labels != 2 || sig.Hdr.Name != "Foo.WILD.example." {
		t.Errorf("wildcard RRSIG %v", sig)
	}

	// DNAME synthesis: target and TTL.
	m = z.Answer("X.y.dn.example.", dns.TypeA)
	cn, ok := m.Answer[len(m.Answer)-1].(*dns.CNAME)
	if !ok || cn.Hdr.Name != "X.y.dn.example." || cn.Target != "X.y.other." || cn.Hdr.Ttl != 3600 {
		t.Errorf("synthesized CNAME %v", m.Answer[len(m.Answer)-1])
	}

	// Answers are copies: changing them does not change the zone.
	m = z.Answer("www.example.", dns.TypeA)
	m.Answer[0].Header().Ttl = 1
	m.Answer[0].(*dns.A).A[0] = 99
	m = z.Answer("www.example.", dns.TypeA)
	if m.Answer[0].Header().Ttl != 3600 || m.Answer[0].(*dns.A).A.String() != "192.0.2.1" {
		t.Errorf("zone data changed through an answer: %v", m.Answer[0])
	}

	// Negative answers: the SOA and its RRSIG get the SOA MINIMUM as TTL.
	m = z.Answer("nx.example.", dns.TypeA)
	for _, rr := range m.Ns {
		if rr.Header().Rrtype == dns.TypeSOA || (rr.Header().Rrtype == dns.TypeRRSIG && rr.(*dns.RRSIG).TypeCovered == dns.TypeSOA) {
			if rr.Header().Ttl != 300 {
				t.Errorf("negative SOA TTL: %v", rr)
			}
		}
	}
	if m := z.Answer("example.", dns.TypeSOA); m.Answer[0].Header().Ttl != 3600 {
		t.Errorf("positive SOA TTL: %v", m.Answer[0])
	}

	// ANY: every RRset at the name with its RRSIGs.
	m = z.Answer("www.example.", dns.TypeANY)
	if got := describeAll(m.Answer); !sameMultiset(got, []string{"www.example. A", "www.example. RRSIG/A", "www.example. TXT", "www.example. RRSIG/TXT", "www.example. NSEC", "www.example. RRSIG/NSEC"}) {
		t.Errorf("ANY: %q", got)
	}

	// RRSIG: every RRSIG at the name.
	m = z.Answer("www.example.", dns.TypeRRSIG)
	if got := describeAll(m.Answer); !sameMultiset(got, []string{"www.example. RRSIG/A", "www.example. RRSIG/TXT", "www.example. RRSIG/NSEC"}) {
		t.Errorf("RRSIG: %q", got)
	}

	// A query for an NSEC3 owner name (here in an NSEC3 zone): it does not
	// exist.
	z3, err := NewZone("example.", buildZone(t, "example.", exampleRecords, withNSEC3))
	if err != nil {
		t.Fatal(err)
	}
	owner := strings.ToLower(dns.HashName("www.example.", dns.SHA1, testIter, testSalt)) + ".example."
	if m := z3.Answer(owner, dns.TypeNSEC3); m.Rcode != dns.RcodeNameError {
		t.Errorf("query for an NSEC3 owner: %s", dns.RcodeToString[m.Rcode])
	}

	// Bad query name.
	if m := z.Answer("a..example.", dns.TypeA); m.Rcode != dns.RcodeFormatError {
		t.Errorf("bad name: %s", dns.RcodeToString[m.Rcode])
	}
}

// TestDNAMETooLong: a DNAME substitution that overflows 255 octets is
// YXDOMAIN (RFC 6672 section 2.2).
func TestDNAMETooLong(t *testing.T) {
	long := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "."
	z, err := NewZone("example.", []dns.RR{
		mustRR(t, "example. 3600 IN SOA ns.example. h.example. 1 2 3 4 5"),
		mustRR(t, "dn.example. 3600 IN DNAME "+long),
	})
	if err != nil {
		t.Fatal(err)
	}
	q := strings.Repeat("d", 60) + "." + strings.Repeat("e", 10) + ".dn.example."
	m := z.Answer(q, dns.TypeA)
	if m.Rcode != dns.RcodeYXDomain {
		t.Errorf("rcode %s, want YXDOMAIN", dns.RcodeToString[m.Rcode])
	}
}

// TestStripped: zones with proofs removed on purpose give what is left.
func TestStripped(t *testing.T) {
	drop := func(rrs []dns.RR, pred func(dns.RR) bool) []dns.RR {
		var out []dns.RR
		for _, rr := range rrs {
			if !pred(rr) {
				out = append(out, rr)
			}
		}
		return out
	}
	covers := func(rr dns.RR, t uint16) bool {
		if s, ok := rr.(*dns.RRSIG); ok {
			return s.TypeCovered == t
		}
		return rr.Header().Rrtype == t
	}
	at := func(rr dns.RR, name string) bool { return sameName(rr.Header().Name, name) }

	t.Run("no NSEC at the unsigned cut: referral without proof", func(t *testing.T) {
		rrs := drop(buildZone(t, "example.", exampleRecords, withNSEC), func(rr dns.RR) bool {
			return at(rr, "insec.example.") && covers(rr, dns.TypeNSEC)
		})
		z, err := NewZone("example.", rrs)
		if err != nil {
			t.Fatal(err)
		}
		m := z.Answer("insec.example.", dns.TypeA)
		if got := describeAll(m.Ns); !sameMultiset(got, []string{"insec.example. NS", "insec.example. NS"}) {
			t.Errorf("authority %q", got)
		}
	})
	t.Run("no NSEC at all: SOA only", func(t *testing.T) {
		rrs := drop(buildZone(t, "example.", exampleRecords, withNSEC), func(rr dns.RR) bool { return covers(rr, dns.TypeNSEC) })
		z, err := NewZone("example.", rrs)
		if err != nil {
			t.Fatal(err)
		}
		m := z.Answer("nx.example.", dns.TypeA)
		if got := describeAll(m.Ns); m.Rcode != dns.RcodeNameError || !sameMultiset(got, soaNS) {
			t.Errorf("%s %q", dns.RcodeToString[m.Rcode], got)
		}
		m = z.Answer("foo.wild.example.", dns.TypeA)
		if len(m.Answer) != 2 || len(m.Ns) != 0 {
			t.Errorf("wildcard without NSEC: %v", m)
		}
	})
	t.Run("RRset removed, RRSIG kept: NODATA without the orphan RRSIG", func(t *testing.T) {
		rrs := drop(buildZone(t, "example.", exampleRecords, withNSEC), func(rr dns.RR) bool {
			return at(rr, "www.example.") && rr.Header().Rrtype == dns.TypeTXT
		})
		z, err := NewZone("example.", rrs)
		if err != nil {
			t.Fatal(err)
		}
		m := z.Answer("www.example.", dns.TypeTXT)
		if len(m.Answer) != 0 || m.Rcode != dns.RcodeSuccess {
			t.Errorf("%v", m)
		}
	})
	t.Run("NSEC3 of an empty non-terminal removed: encloser proof from the apex", func(t *testing.T) {
		ent := strings.ToLower(dns.HashName("c.example.", dns.SHA1, testIter, testSalt)) + ".example."
		rrs := drop(buildZone(t, "example.", exampleRecords, withNSEC3), func(rr dns.RR) bool { return at(rr, ent) })
		z, err := NewZone("example.", rrs)
		if err != nil {
			t.Fatal(err)
		}
		m := z.Answer("x.c.example.", dns.TypeA)
		if m.Rcode != dns.RcodeNameError {
			t.Errorf("rcode %s", dns.RcodeToString[m.Rcode])
		}
		var matched bool
		for _, rr := range m.Ns {
			if n3, ok := rr.(*dns.NSEC3); ok && n3.Match("example.") {
				matched = true
			}
		}
		if !matched {
			t.Errorf("no NSEC3 for the apex: %v", m)
		}
	})
}

func TestNewZoneErrors(t *testing.T) {
	soa := mustRR(t, "example. 3600 IN SOA ns.example. h.example. 1 2 3 4 5")
	if _, err := NewZone("example.", []dns.RR{mustRR(t, "www.example. 3600 IN A 192.0.2.1")}); err == nil {
		t.Error("no SOA: no error")
	}
	if _, err := NewZone("other.", []dns.RR{soa}); err == nil {
		t.Error("SOA not at origin: no error")
	}
	if _, err := NewZone("example.", []dns.RR{soa, mustRR(t, "www.other. 3600 IN A 192.0.2.1")}); err == nil {
		t.Error("record outside: no error")
	}
	if _, err := NewZone("EXAMPLE", []dns.RR{soa, soa}); err != nil {
		t.Errorf("origin case or duplicate SOA: %v", err)
	}
}

func TestNameHelpers(t *testing.T) {
	// The hash matches miekg's HashName. dns.HashName lowercases the
	// presentation form, so it misses escaped capitals (\065 is "A"); the hash
	// is of the lowercased wire form (RFC 5155 section 5), so compare those
	// with the plain lowercase name.
	p, _ := newNSEC3Params(dns.SHA1, 7, "AB12")
	for n, plain := range map[string]string{"example.": "example.", "WWW.example.": "www.example.", `a\.b.example.`: `a\.b.example.`, `\065.example.`: "a.example.", ".": "."} {
		key, ok := nameKey(n)
		if !ok {
			t.Fatalf("nameKey(%q)", n)
		}
		if got, want := p.hash(key), dns.HashName(plain, dns.SHA1, 7, "AB12"); got != want {
			t.Errorf("hash(%q) = %s, want %s", n, got, want)
		}
	}
	// Escapes and case give the same key.
	k1, _ := nameKey(`\065b.example.`)
	k2, _ := nameKey("aB.Example")
	if k1 != k2 {
		t.Errorf("keys differ: %q %q", k1, k2)
	}
	// Canonical order, RFC 4034 section 6.1 example, with an octet 0x00 and
	// 0x01 label thrown in.
	order := []string{"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", `zABC.a.EXAMPLE.`, "z.example.", `\001.z.example.`, "*.z.example.", `\200.z.example.`}
	for i := 0; i+1 < len(order); i++ {
		a, _ := nameKey(order[i])
		b, _ := nameKey(order[i+1])
		if !(canonKey(a) < canonKey(b)) {
			t.Errorf("%s should sort before %s", order[i], order[i+1])
		}
	}
	a, _ := nameKey(`a\000.example.`)
	b, _ := nameKey(`a.example.`)
	c, _ := nameKey(`a\001.example.`)
	if !(canonKey(b) < canonKey(a) && canonKey(a) < canonKey(c)) {
		t.Error("labels with 0x00/0x01 octets misordered")
	}
	if !isSubKey("\x07example\x00", "\x03www\x07example\x00") || isSubKey("\x07example\x00", "\x0awwwexample\x00") || !isSubKey("\x00", "\x03www\x00") {
		t.Error("isSubKey")
	}
}
