package authority

import (
	"net"

	"github.com/miekg/dns"
)

// ednsSize is the UDP payload size the server advertises (as NSD and BIND do
// by default).
const ednsSize = 1232

// Set is a group of zones served together, like one NSD instance with several
// zones. It is read-only after NewSet and safe for concurrent use.
type Set struct {
	zones map[string]*Zone // by origin key
}

// NewSet returns a set of zones. Of zones with the same origin, the last one
// given is kept. nil zones are ignored.
func NewSet(zones ...*Zone) *Set {
	s := &Set{zones: make(map[string]*Zone, len(zones))}
	for _, z := range zones {
		if z != nil {
			s.zones[z.apexKey] = z
		}
	}
	return s
}

// Zone returns the zone whose origin is origin (case-insensitive), or nil.
func (s *Set) Zone(origin string) *Zone {
	key, ok := nameKey(origin)
	if !ok {
		return nil
	}
	return s.zones[key]
}

// Find returns the zone that would answer qname/qtype: the deepest zone whose
// origin is qname or an ancestor of it, except that a DS query for the apex of
// a zone goes to the closest enclosing zone if there is one in the set (the
// parent side of the cut answers DS, RFC 4035 section 3.1.4.1). nil if no zone
// encloses qname.
func (s *Set) Find(qname string, qtype uint16) *Zone {
	key, ok := nameKey(qname)
	if !ok {
		return nil
	}
	var apex *Zone // the zone whose apex is qname, for a DS query
	for k := key; ; k = parentKey(k) {
		if z := s.zones[k]; z != nil {
			if qtype == dns.TypeDS && k == key && k != "\x00" {
				apex = z
			} else {
				return z
			}
		}
		if k == "\x00" {
			return apex
		}
	}
}

// ServeDNS implements dns.Handler. It answers the first question from the zone
// Find picks (REFUSED if none, NOTIMP for opcodes other than QUERY, FORMERR
// without exactly one question), copying the ID, question, opcode, RD and CD
// bits. The AA bit is set on authoritative answers. RRSIG, NSEC and NSEC3
// records (unless asked for) and DS records in referrals are left out when the
// query has no DO bit. A query with EDNS gets an OPT record with the DO bit
// echoed. Over UDP, a response larger than the client's EDNS buffer size (512
// without EDNS) is sent empty with the TC bit, so that the client retries over
// TCP.
func (s *Set) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Compress = true
	opt := r.IsEdns0()
	do := opt != nil && opt.Do()

	switch {
	case r.Response:
		return // never answer responses
	case r.Opcode != dns.OpcodeQuery:
		m.Rcode = dns.RcodeNotImplemented
	case len(r.Question) != 1:
		m.Rcode = dns.RcodeFormatError
	default:
		q := r.Question[0]
		z := s.Find(q.Name, q.Qtype)
		if z == nil || (q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY) {
			m.Rcode = dns.RcodeRefused
			break
		}
		a := z.Answer(q.Name, q.Qtype)
		m.Rcode = a.Rcode
		m.Authoritative = a.Authoritative
		m.Answer, m.Ns, m.Extra = a.Answer, a.Ns, a.Extra
		if !do {
			m.Answer = stripDNSSEC(m.Answer, q.Qtype, false)
			m.Ns = stripDNSSEC(m.Ns, 0, true)
			m.Extra = stripDNSSEC(m.Extra, 0, false)
		}
	}
	if opt != nil {
		m.SetEdns0(ednsSize, do)
	}

	if isUDP(w) {
		limit := dns.MinMsgSize
		if opt != nil && int(opt.UDPSize()) > limit {
			limit = int(opt.UDPSize())
		}
		if m.Len() > limit {
			m.Truncated = true
			m.Answer, m.Ns = nil, nil
			m.Extra = nil
			if opt != nil {
				m.SetEdns0(ednsSize, do)
			}
		}
	}
	_ = w.WriteMsg(m)
}

// stripDNSSEC removes RRSIG, NSEC and NSEC3 records other than of type keep,
// and DS records if ds is set, for a query without the DO bit (RFC 4035
// section 3.2.1).
func stripDNSSEC(rrs []dns.RR, keep uint16, ds bool) []dns.RR {
	out := rrs[:0:0]
	for _, rr := range rrs {
		t := rr.Header().Rrtype
		switch {
		case t == keep:
		case t == dns.TypeRRSIG || t == dns.TypeNSEC || t == dns.TypeNSEC3:
			continue
		case t == dns.TypeDS && ds:
			continue
		}
		out = append(out, rr)
	}
	return out
}

func isUDP(w dns.ResponseWriter) bool {
	if a := w.RemoteAddr(); a != nil {
		_, ok := a.(*net.UDPAddr)
		return ok
	}
	return false
}
