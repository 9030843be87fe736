package validator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/authority"
)

// Servers names the authoritative servers of one zone as a resolver learns
// them: from a referral (NS names and glue addresses) or, for the anchor's
// zone, from configuration.
type Servers struct {
	Zone  string
	NS    []string
	Addrs []string // "host:port" or bare IP (port 53)
}

// Source answers queries the way the authoritative servers of a zone do. The
// validator sends every query with DO=1 and RD=0 to the servers of the zone
// it has reached, exactly as an iterative resolver would.
type Source interface {
	Query(ctx context.Context, at Servers, qname string, qtype uint16) (*dns.Msg, error)
}

// ErrNoServer is wrapped by Source errors when the servers of a zone cannot
// be reached or do not serve it (a lame delegation).
var ErrNoServer = errors.New("no server answers for the zone")

// ZoneSource is an offline Source over in-memory zones: each query is
// answered by the zone named in Servers.Zone, as its authoritative server
// would answer (referrals with DS or a proof of no DS from the parent, the
// rest from the child).
type ZoneSource struct {
	Zones *authority.Set
}

// Query answers from the zone at.Zone.
func (s ZoneSource) Query(_ context.Context, at Servers, qname string, qtype uint16) (*dns.Msg, error) {
	z := s.Zones.Zone(at.Zone)
	if z == nil {
		return nil, fmt.Errorf("%w: no zone data loaded for %s", ErrNoServer, at.Zone)
	}
	return z.Answer(qname, qtype), nil
}

// NetSource is a Source that asks authoritative servers over the network
// with UDP and falls back to TCP when a response is truncated.
type NetSource struct {
	// Servers are the addresses used for the anchor's zone, and for any
	// zone whose referral carries no glue.
	Servers []string
	// Timeout bounds each exchange (default 3 s).
	Timeout time.Duration
	// Redirect maps a server address, written "host:port" as it would be
	// dialled (a glue address without a port gets port 53, as RFC 1035
	// §4.2 has servers listen), to the address dialled instead. Tests and
	// labs use it to run every zone's server on a loopback port while the
	// referrals keep their real glue. Nil dials the addresses as they are.
	Redirect map[string]string
}

// Query sends qname/qtype with DO=1, RD=0 to the first address of at.Addrs
// (or s.Servers) that answers.
func (s NetSource) Query(ctx context.Context, at Servers, qname string, qtype uint16) (*dns.Msg, error) {
	addrs := at.Addrs
	if len(addrs) == 0 {
		addrs = s.Servers
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%w: no address for the servers of %s", ErrNoServer, at.Zone)
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 3 * time.Second
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(qname), qtype)
	m.RecursionDesired = false
	m.SetEdns0(1232, true)
	var lastErr error
	for _, addr := range addrs {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(addr, "53")
		}
		if to, ok := s.Redirect[addr]; ok {
			addr = to
		}
		udp := &dns.Client{Net: "udp", Timeout: timeout, UDPSize: 1232}
		r, _, err := udp.ExchangeContext(ctx, m, addr)
		if err == nil && r.Truncated {
			tcp := &dns.Client{Net: "tcp", Timeout: timeout}
			r, _, err = tcp.ExchangeContext(ctx, m, addr)
		}
		if err != nil {
			lastErr = err
			continue
		}
		if r.Rcode == dns.RcodeRefused || r.Rcode == dns.RcodeServerFailure || r.Rcode == dns.RcodeNotImplemented {
			lastErr = fmt.Errorf("%s answered %s", addr, dns.RcodeToString[r.Rcode])
			continue
		}
		return r, nil
	}
	return nil, fmt.Errorf("%w: %s: %v", ErrNoServer, at.Zone, lastErr)
}
