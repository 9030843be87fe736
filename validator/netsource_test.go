package validator_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/authority"
	"github.com/dnssecsim/dnssecsim/validator"
)

// The network tests serve every zone of a signed hierarchy from its own
// dns.Server on 127.0.0.1 (UDP and TCP on one port) and validate through
// NetSource, which follows the referrals' glue (192.0.2.x, port 53) through
// NetSource.Redirect to the loopback ports.

// zoneServer is one authoritative server for one zone.
type zoneServer struct {
	addr string       // 127.0.0.1:port
	udp  atomic.Int64 // queries received over UDP
	tcp  atomic.Int64 // queries received over TCP
}

// listenPair listens on UDP and TCP on the same loopback port.
func listenPair(t *testing.T) (net.PacketConn, net.Listener) {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, l
		}
		pc.Close()
	}
	t.Fatal("no free UDP+TCP port pair on 127.0.0.1")
	return nil, nil
}

// serve starts UDP and TCP servers answering from zones; they stop at the
// end of the test.
func serve(t *testing.T, zones ...*authority.Zone) *zoneServer {
	t.Helper()
	zs := &zoneServer{}
	set := authority.NewSet(zones...)
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
			zs.tcp.Add(1)
		} else {
			zs.udp.Add(1)
		}
		set.ServeDNS(w, r)
	})
	pc, l := listenPair(t)
	zs.addr = pc.LocalAddr().String()
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: l, Handler: handler}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return zs
}

// netLab runs one server per zone of h.
type netLab struct {
	servers map[string]*zoneServer
	src     validator.NetSource
}

func startLab(t *testing.T, h *hier) *netLab {
	t.Helper()
	lab := &netLab{servers: map[string]*zoneServer{}}
	redirect := map[string]string{}
	for _, z := range zoneOrder {
		az, err := authority.NewZone(z, h.zones[z])
		if err != nil {
			t.Fatal(err)
		}
		s := serve(t, az)
		lab.servers[z] = s
		redirect[net.JoinHostPort(glueIP[z], "53")] = s.addr
	}
	lab.src = validator.NetSource{Servers: []string{lab.servers[zRoot].addr}, Redirect: redirect, Timeout: 2 * time.Second}
	return lab
}

// bigTXT is a TXT RRset of about 2 kB: too large for a 1232-octet UDP
// response, so the server truncates and the client retries over TCP.
func bigTXT() []string {
	var out []string
	for i := range 10 {
		out = append(out, fmt.Sprintf(`big.example.test. 3600 IN TXT "%02d %s"`, i, strings.Repeat("x", 200)))
	}
	return out
}

// TestNetSource validates through real UDP/TCP exchanges with servers on
// 127.0.0.1.
func TestNetSource(t *testing.T) {
	cases := []struct {
		name  string
		setup func(h *hier)
		post  func(h *hier)
		qname string
		qtype uint16
		want  want
		check func(t *testing.T, lab *netLab)
	}{
		// A Secure answer three zones down, following glue at every cut (RFC 4035 §5).
		{name: "secure answer", qname: www, qtype: dns.TypeA, want: secureExample,
			check: func(t *testing.T, lab *netLab) {
				for _, z := range []string{zRoot, zTest, zExample} {
					if lab.servers[z].udp.Load() == 0 {
						t.Errorf("server of %s got no query", z)
					}
					if n := lab.servers[z].tcp.Load(); n != 0 {
						t.Errorf("server of %s got %d TCP queries for small answers", z, n)
					}
				}
			}},
		// Four zones down (sub.example.test. glue comes from example.test.) (RFC 4035 §5.2).
		{name: "grandchild", qname: "www.sub.example.test.", qtype: dns.TypeA, want: want{Status: sSecure, Zone: zSub, Reason: validator.ReasonSecure}},
		// NXDOMAIN proven over the network (RFC 4035 §5.4).
		{name: "nxdomain", qname: "nosuch.example.test.", qtype: dns.TypeA, want: secureExample},
		// An insecure delegation (RFC 4035 §5.2).
		{name: "insecure", qname: "www.unsigned.test.", qtype: dns.TypeA, want: want{Status: sInsec, Zone: zUnsigned, Reason: validator.ReasonInsecureNoDS}},
		// A CNAME into another zone (RFC 4035 §5).
		{name: "cname across zones", qname: "to-other.example.test.", qtype: dns.TypeA, want: secureOther},
		// A corrupted signature is Bogus over the network too (RFC 4035 §5.5).
		{name: "bogus", post: func(h *hier) { h.corruptSig(zExample, www, dns.TypeA, -1) }, qname: www, qtype: dns.TypeA,
			want: want{Status: sBogus, EDE: validator.EDEDNSSECBogus, Zone: zExample}},
		// A response larger than the 1232-octet EDNS buffer comes back
		// truncated over UDP (RFC 6891 §7, RFC 1035 §4.2.1) and is
		// retried over TCP (RFC 7766 §5).
		{name: "truncated, retried over TCP", setup: func(h *hier) { h.spec(zExample).Records = bigTXT() },
			qname: "big.example.test.", qtype: dns.TypeTXT, want: secureExample,
			check: func(t *testing.T, lab *netLab) {
				if lab.servers[zExample].tcp.Load() == 0 {
					t.Error("no TCP query reached the server of example.test.")
				}
			}},
		// The same with a large RSA-signed DNSKEY set: the DNSKEY answer of
		// a zone with two 2048-bit KSKs, two ZSKs and their signatures
		// (RFC 7766 §5).
		{name: "large DNSKEY set", setup: func(h *hier) {
			h.spec(zExample).Algs = []uint8{dns.RSASHA256, dns.RSASHA512}
		}, qname: www, qtype: dns.TypeA, want: secureExample,
			check: func(t *testing.T, lab *netLab) {
				if lab.servers[zExample].tcp.Load() == 0 {
					t.Error("the DNSKEY set did not come over TCP")
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := buildHier(t, tc.setup, tc.post)
			lab := startLab(t, h)
			v := &validator.Validator{Source: lab.src, Anchor: h.anchor()}
			got, err := v.Validate(t.Context(), tc.qname, tc.qtype, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, gotOf(got, tc.want.Reason != "")); diff != "" {
				t.Errorf("verdict mismatch (-want +got):\n%s", diff)
			}
			if tc.check != nil {
				tc.check(t, lab)
			}
		})
	}
}

// TestNetSourceOffline compares NetSource with ZoneSource on the same
// hierarchy: the verdicts must be the same, whatever carries the records.
func TestNetSourceOffline(t *testing.T) {
	h := newHier(t)
	h.spec(zExample).Records = bigTXT()
	h.build()
	lab := startLab(t, h)
	net := &validator.Validator{Source: lab.src, Anchor: h.anchor()}
	off := h.validator()
	for _, q := range []struct {
		name string
		t    uint16
	}{
		{www, dns.TypeA}, {www, dns.TypeMX}, {"foo.wild.example.test.", dns.TypeA}, {"ent.example.test.", dns.TypeA},
		{"www.dn.example.test.", dns.TypeA}, {"loop1.example.test.", dns.TypeA}, {"big.example.test.", dns.TypeTXT},
		{zExample, dns.TypeDNSKEY}, {zExample, dns.TypeDS}, {zUnsigned, dns.TypeDS},
	} {
		a, err := net.Validate(t.Context(), q.name, q.t, testNow)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		b, err := off.Validate(t.Context(), q.name, q.t, testNow)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		if diff := cmp.Diff(gotOf(b, true), gotOf(a, true)); diff != "" {
			t.Errorf("%s %s: network and offline verdicts differ (-offline +network):\n%s", q.name, dns.TypeToString[q.t], diff)
		}
	}
}

// TestNetSourceErrors: servers that do not answer or do not serve their zone
// give an error wrapping ErrNoServer, not a verdict.
func TestNetSourceErrors(t *testing.T) {
	h := newHier(t).build()

	// A port nobody listens on.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := pc.LocalAddr().String()
	pc.Close()

	t.Run("anchor zone unreachable", func(t *testing.T) {
		v := &validator.Validator{Source: validator.NetSource{Servers: []string{dead}, Timeout: 300 * time.Millisecond}, Anchor: h.anchor()}
		_, err := v.Validate(t.Context(), www, dns.TypeA, testNow)
		if !validator.IsNoServer(err) {
			t.Errorf("error %v, want one wrapping ErrNoServer", err)
		}
	})
	t.Run("no servers", func(t *testing.T) {
		v := &validator.Validator{Source: validator.NetSource{}, Anchor: h.anchor()}
		_, err := v.Validate(t.Context(), www, dns.TypeA, testNow)
		if !errors.Is(err, validator.ErrNoServer) {
			t.Errorf("error %v, want one wrapping ErrNoServer", err)
		}
	})
	t.Run("lame delegation", func(t *testing.T) {
		// example.test.'s glue leads to the server of unsigned.test.,
		// which REFUSES queries for other zones.
		lab := startLab(t, h)
		lab.src.Redirect[net.JoinHostPort(glueIP[zExample], "53")] = lab.servers[zUnsigned].addr
		v := &validator.Validator{Source: lab.src, Anchor: h.anchor()}
		_, err := v.Validate(t.Context(), www, dns.TypeA, testNow)
		if !validator.IsNoServer(err) || !strings.Contains(err.Error(), "REFUSED") {
			t.Errorf("error %v, want a REFUSED wrapped in ErrNoServer", err)
		}
	})
	t.Run("second address answers", func(t *testing.T) {
		// The first root address is dead; the second answers.
		lab := startLab(t, h)
		lab.src.Servers = []string{dead, lab.servers[zRoot].addr}
		lab.src.Timeout = 300 * time.Millisecond
		v := &validator.Validator{Source: lab.src, Anchor: h.anchor()}
		got, err := v.Validate(t.Context(), www, dns.TypeA, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != validator.Secure {
			t.Errorf("status %s (%s)", got.Status, got.Reason)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		lab := startLab(t, h)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		v := &validator.Validator{Source: lab.src, Anchor: h.anchor()}
		if _, err := v.Validate(ctx, www, dns.TypeA, testNow); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
}
