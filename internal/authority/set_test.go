package authority

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func mustZone(t testing.TB, origin string, recs []string, m mode) *Zone {
	t.Helper()
	z, err := NewZone(origin, buildZone(t, origin, recs, m))
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func soaFor(origin string) string {
	return fmt.Sprintf("%s 3600 IN SOA ns.%s hostmaster.%s 1 3600 900 1209600 300", origin, strings.TrimPrefix(origin, "."), strings.TrimPrefix(origin, "."))
}

func TestSetFind(t *testing.T) {
	root := mustZone(t, ".", []string{soaFor("."), "test. 3600 IN NS ns.test.", "ns.test. 3600 IN A 127.0.0.1"}, unsigned)
	tst := mustZone(t, "test.", []string{soaFor("test."), "example.test. 3600 IN NS ns.example.test."}, unsigned)
	ex := mustZone(t, "example.test.", []string{soaFor("example.test.")}, unsigned)
	other := mustZone(t, "other.", []string{soaFor("other.")}, unsigned)

	s := NewSet(root, tst, ex)
	tests := []struct {
		qname string
		qtype uint16
		want  *Zone
	}{
		{"www.example.test.", dns.TypeA, ex},    // deepest enclosing zone
		{"WWW.Example.TEST", dns.TypeA, ex},     // case-insensitive, relative taken as absolute
		{"example.test.", dns.TypeDNSKEY, ex},   // apex data from the zone itself
		{"example.test.", dns.TypeDS, tst},      // DS at an apex: parent side
		{"www.example.test.", dns.TypeDS, ex},   // DS below an apex: the zone itself
		{"test.", dns.TypeDS, root},             // parent of a TLD is the root
		{".", dns.TypeDS, root},                 // the root has no parent
		{"x.other.", dns.TypeA, root},           // only the root encloses it
		{"sub.nowhere.test.", dns.TypeA, tst},   // nonexistent name in test.
		{"example.test.", dns.TypeNS, ex},       // NS at the apex is the child's
		{"a.b.c.example.test.", dns.TypeA, ex},  // deep
		{"bad..name.", dns.TypeA, nil},          // unparsable
		{"example.test.", dns.TypeSOA, ex},      // SOA at apex
		{"test.", dns.TypeSOA, tst},             // SOA at apex
		{"ns.test.", dns.TypeA, tst},            // not the root's glue
		{"example.test.", dns.TypeANY, ex},      // any type but DS
		{"example.test.", dns.TypeDLV, ex},      // any type but DS
		{"www.example.test.", dns.TypeNSEC, ex}, // any type
	}
	for _, tc := range tests {
		if got := s.Find(tc.qname, tc.qtype); got != tc.want {
			t.Errorf("Find(%s, %s) = %v, want %v", tc.qname, dns.TypeToString[tc.qtype], origin(got), origin(tc.want))
		}
	}

	// Without the parent, the closest enclosing zone answers DS; without any,
	// the zone itself.
	s2 := NewSet(root, ex, other)
	if got := s2.Find("example.test.", dns.TypeDS); got != root {
		t.Errorf("DS without test.: %v", origin(got))
	}
	s3 := NewSet(ex, other)
	if got := s3.Find("example.test.", dns.TypeDS); got != ex {
		t.Errorf("DS without parents: %v", origin(got))
	}
	if got := s3.Find("x.test.", dns.TypeA); got != nil {
		t.Errorf("no enclosing zone: %v", origin(got))
	}
	if got := s.Zone("Example.Test"); got != ex {
		t.Errorf("Zone: %v", origin(got))
	}
	if got := s.Zone("www.example.test."); got != nil {
		t.Errorf("Zone of a non-origin: %v", origin(got))
	}
}

func origin(z *Zone) string {
	if z == nil {
		return "<nil>"
	}
	return z.Origin()
}

// bigRecords is a zone with a TXT RRset far above 1232 octets.
func bigRecords() []string {
	recs := []string{soaFor("big.")}
	for i := 0; i < 40; i++ {
		recs = append(recs, fmt.Sprintf("txt.big. 3600 IN TXT \"%03d %s\"", i, strings.Repeat("x", 100)))
	}
	return recs
}

// serve starts UDP and TCP servers for h on 127.0.0.1 and returns their
// addresses.
func serve(t *testing.T, h dns.Handler) (udpAddr, tcpAddr string) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		pc.Close()
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // runs after the shutdowns registered below
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: l, Handler: h}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.ActivateAndServe(); err != nil {
				t.Errorf("server: %v", err)
			}
		}()
		select {
		case <-started:
		case <-time.After(5 * time.Second):
			t.Fatal("server did not start")
		}
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return pc.LocalAddr().String(), l.Addr().String()
}

func query(qname string, qtype uint16, edns bool, do bool, size uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(qname, qtype)
	m.RecursionDesired = false
	if edns {
		m.SetEdns0(size, do)
	}
	return m
}

func TestServeDNS(t *testing.T) {
	ex := mustZone(t, "example.", exampleRecords, withNSEC)
	big := mustZone(t, "big.", bigRecords(), withNSEC)
	udp, tcp := serve(t, NewSet(ex, big))
	uc := &dns.Client{Net: "udp", Timeout: 5 * time.Second, UDPSize: 4096}
	tc := &dns.Client{Net: "tcp", Timeout: 5 * time.Second}

	exchange := func(t *testing.T, c *dns.Client, addr string, q *dns.Msg) *dns.Msg {
		t.Helper()
		r, _, err := c.Exchange(q, addr)
		if err != nil {
			t.Fatal(err)
		}
		if r.Id != q.Id || len(r.Question) != 1 || r.Question[0] != q.Question[0] || !r.Response {
			t.Errorf("header/question not copied: %v", r)
		}
		return r
	}

	t.Run("DO over UDP: RRSIGs and OPT with DO", func(t *testing.T) {
		r := exchange(t, uc, udp, query("www.example.", dns.TypeA, true, true, 1232))
		if !r.Authoritative || r.Rcode != dns.RcodeSuccess || r.RecursionDesired {
			t.Errorf("flags: %v", r.MsgHdr)
		}
		if got := describeAll(r.Answer); !sameMultiset(got, []string{"www.example. A", "www.example. RRSIG/A"}) {
			t.Errorf("answer %q", got)
		}
		if opt := r.IsEdns0(); opt == nil || !opt.Do() {
			t.Errorf("OPT: %v", opt)
		}
		verifySigs(t, r, newSigner(t, "example.").key)
	})
	t.Run("no EDNS: no DNSSEC records, no OPT", func(t *testing.T) {
		r := exchange(t, uc, udp, query("nx.example.", dns.TypeA, false, false, 0))
		if r.Rcode != dns.RcodeNameError || !r.Authoritative {
			t.Errorf("flags: %v", r.MsgHdr)
		}
		if got := describeAll(r.Ns); !sameMultiset(got, []string{"example. SOA"}) {
			t.Errorf("authority %q", got)
		}
		if r.IsEdns0() != nil {
			t.Error("OPT in the response to a query without EDNS")
		}
	})
	t.Run("EDNS without DO: referral without DS, OPT without DO", func(t *testing.T) {
		r := exchange(t, uc, udp, query("www.sec.example.", dns.TypeA, true, false, 1232))
		if r.Authoritative {
			t.Error("AA on a referral")
		}
		if got := describeAll(r.Ns); !sameMultiset(got, []string{"sec.example. NS"}) {
			t.Errorf("authority %q", got)
		}
		if got := describeAll(r.Extra); !sameMultiset(got, []string{"ns.sec.example. A", "ns.sec.example. AAAA", ". OPT"}) {
			t.Errorf("additional %q", got)
		}
		if opt := r.IsEdns0(); opt == nil || opt.Do() {
			t.Errorf("OPT: %v", opt)
		}
	})
	t.Run("without DO, explicitly asked DNSSEC types are kept", func(t *testing.T) {
		r := exchange(t, uc, udp, query("www.example.", dns.TypeNSEC, false, false, 0))
		if got := describeAll(r.Answer); !sameMultiset(got, []string{"www.example. NSEC"}) {
			t.Errorf("answer %q", got)
		}
	})
	t.Run("no zone: REFUSED", func(t *testing.T) {
		r := exchange(t, uc, udp, query("www.other.", dns.TypeA, true, true, 1232))
		if r.Rcode != dns.RcodeRefused || r.Authoritative {
			t.Errorf("flags: %v", r.MsgHdr)
		}
	})
	t.Run("class CH: REFUSED", func(t *testing.T) {
		q := query("www.example.", dns.TypeA, false, false, 0)
		q.Question[0].Qclass = dns.ClassCHAOS
		r := exchange(t, uc, udp, q)
		if r.Rcode != dns.RcodeRefused {
			t.Errorf("rcode %s", dns.RcodeToString[r.Rcode])
		}
	})
	t.Run("large answer: TC over UDP, full over TCP", func(t *testing.T) {
		q := query("txt.big.", dns.TypeTXT, true, true, 1232)
		r := exchange(t, uc, udp, q)
		if !r.Truncated {
			t.Fatalf("no TC bit: %d answer records", len(r.Answer))
		}
		if len(r.Answer) != 0 {
			t.Errorf("truncated response has %d answer records", len(r.Answer))
		}
		r = exchange(t, tc, tcp, q)
		if r.Truncated || len(r.Answer) != 41 || r.Rcode != dns.RcodeSuccess {
			t.Errorf("TCP: TC=%v, %d answer records", r.Truncated, len(r.Answer))
		}
		verifySigs(t, r, newSigner(t, "big.").key)
		// A client with a large enough buffer gets it over UDP.
		r = exchange(t, uc, udp, query("txt.big.", dns.TypeTXT, true, true, 65000))
		if r.Truncated || len(r.Answer) != 41 {
			t.Errorf("UDP 65000: TC=%v, %d answer records", r.Truncated, len(r.Answer))
		}
	})
	t.Run("no EDNS: 512 octets", func(t *testing.T) {
		r := exchange(t, uc, udp, query("txt.big.", dns.TypeTXT, false, false, 0))
		if !r.Truncated {
			t.Error("no TC bit")
		}
		r = exchange(t, uc, udp, query("www.example.", dns.TypeTXT, false, false, 0))
		if r.Truncated || len(r.Answer) != 1 {
			t.Errorf("small answer: TC=%v, %v", r.Truncated, r.Answer)
		}
	})
	t.Run("concurrent queries", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 20; j++ {
					q := query("foo.wild.example.", dns.TypeA, true, true, 1232)
					r, _, err := tc.Exchange(q, tcp)
					if err != nil || len(r.Answer) != 2 {
						t.Errorf("%v %v", err, r)
						return
					}
				}
			}()
		}
		wg.Wait()
	})
}
