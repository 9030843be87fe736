package validator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// DefaultMaxNSEC3Iterations is the NSEC3 iteration count above which a
// denial is treated as Insecure (RFC 9276 §3.2). Unbound and BIND use 150.
const DefaultMaxNSEC3Iterations = 150

// maxWalk bounds the referrals and aliases followed for one question.
const maxWalk = 32

// Validator resolves a question from a trust anchor down and validates the
// answer. Its fields are read-only during Validate, so one Validator can serve
// concurrent calls if its Source can.
type Validator struct {
	// Source answers the queries; it decides where the records come from.
	Source Source
	// Anchor is the trust anchor. Nil gives Indeterminate verdicts.
	Anchor *Anchor
	// Start is the zone whose servers are asked first when there is no
	// anchor, or when the name is outside the anchor's zone. Default ".".
	Start string
	// MaxNSEC3Iterations overrides DefaultMaxNSEC3Iterations when non-zero.
	MaxNSEC3Iterations int
}

// Validate resolves qname/qtype and validates the answer at time now. It
// returns an error only when the records cannot be obtained (the servers of
// a zone on the path do not answer or do not serve it); every validation
// outcome, Bogus included, is a Verdict.
func (v *Validator) Validate(ctx context.Context, qname string, qtype uint16, now time.Time) (*Verdict, error) {
	if _, ok := dns.IsDomainName(qname); !ok {
		return nil, fmt.Errorf("validator: invalid query name %q", qname)
	}
	switch qtype {
	case dns.TypeANY, dns.TypeRRSIG, dns.TypeOPT, dns.TypeAXFR, dns.TypeIXFR, dns.TypeNSEC3:
		// Meta-types and records that are never an RRset answer of their
		// own cannot be validated as one (RFC 6840 §4.2, RFC 8482).
		return nil, fmt.Errorf("validator: cannot validate a %s question", typeString(qtype))
	}
	w := &walk{v: v, ctx: ctx, now: now, verdict: &Verdict{
		QName:  lower(qname),
		QType:  typeString(qtype),
		Status: Secure,
		TTL:    ^uint32(0),
	}}
	res, err := w.resolve(lower(qname), qtype)
	if err != nil {
		return nil, err
	}
	vd := w.verdict
	vd.Status, vd.Reason, vd.EDE, vd.Zone = res.status, res.reason, res.ede, res.zone
	vd.Rcode = dns.RcodeToString[res.rcode]
	vd.Answer = res.answer
	if res.status == Bogus || res.ttl == ^uint32(0) {
		res.ttl = 0
	}
	vd.TTL = res.ttl
	if vd.Chain == nil {
		vd.Chain = []*Link{}
	}
	if vd.Steps == nil {
		vd.Steps = []*Step{}
	}
	return vd, nil
}

// outcome is the result of resolving one name (one link of a CNAME chain).
type outcome struct {
	status Status
	reason string
	ede    *EDE
	zone   string
	ttl    uint32
	rcode  int
	answer []dns.RR
}

// combine folds the outcome of the next name of an alias chain into o.
func (o *outcome) combine(next outcome) {
	// The final answer's zone (and reason) speaks for the chain unless an
	// earlier link was weaker.
	if next.status <= o.status {
		o.status, o.reason, o.ede, o.zone = next.status, next.reason, next.ede, next.zone
	}
	o.ttl = min(o.ttl, next.ttl)
	o.rcode = next.rcode
	o.answer = append(o.answer, next.answer...)
}

// zoneState is what the walk knows about the zone it has reached.
type zoneState struct {
	servers Servers
	status  Status // Secure: keys authenticated; Insecure/Indeterminate: no validation below
	keys    []*dns.DNSKEY
	reason  string
	ede     *EDE
	zone    string // where the status was decided
}

type walk struct {
	v       *Validator
	ctx     context.Context
	now     time.Time
	verdict *Verdict
	steps   int
	top     *zoneState // the anchor zone, authenticated once per Validate
}

func (w *walk) maxIterations() int {
	if w.v.MaxNSEC3Iterations > 0 {
		return w.v.MaxNSEC3Iterations
	}
	return DefaultMaxNSEC3Iterations
}

func (w *walk) query(at Servers, qname string, qtype uint16) (*dns.Msg, error) {
	if err := w.ctx.Err(); err != nil {
		return nil, err
	}
	return w.v.Source.Query(w.ctx, at, qname, qtype)
}

// start returns the zone state the walk for qname begins at.
func (w *walk) start(qname string) (*zoneState, error) {
	a := w.v.Anchor
	if a == nil || !nameIsSubdomain(qname, a.Zone) {
		start := w.v.Start
		if start == "" {
			start = "."
		}
		return &zoneState{servers: Servers{Zone: lower(start)}, status: Indeterminate, reason: ReasonNoAnchor, zone: lower(start)}, nil
	}
	if w.top != nil {
		return w.top, nil
	}
	zs, err := w.authenticateAnchor()
	if err != nil {
		return nil, err
	}
	w.top = zs
	return zs, nil
}

// resolve follows referrals and aliases from the start zone to the answer
// for qname/qtype, validating as it goes.
func (w *walk) resolve(qname string, qtype uint16) (outcome, error) {
	zs, err := w.start(qname)
	if err != nil {
		return outcome{}, err
	}
	if zs.status == Bogus {
		return outcome{status: Bogus, reason: zs.reason, ede: zs.ede, zone: zs.zone, ttl: ^uint32(0), rcode: dns.RcodeServerFailure}, nil
	}
	for {
		w.steps++
		if w.steps > maxWalk {
			return outcome{status: Bogus, reason: ReasonLoop, zone: zs.servers.Zone, rcode: dns.RcodeServerFailure}, nil
		}
		resp, err := w.query(zs.servers, qname, qtype)
		if err != nil {
			return outcome{}, err
		}
		switch kind, cut := classify(resp, zs.servers.Zone, qname, qtype); kind {
		case respReferral:
			next, err := w.delegate(zs, cut, resp)
			if err != nil {
				return outcome{}, err
			}
			if next.status == Bogus {
				return outcome{status: Bogus, reason: next.reason, ede: next.ede, zone: next.zone, ttl: ^uint32(0), rcode: dns.RcodeServerFailure}, nil
			}
			zs = next
		case respAnswer:
			return w.answer(zs, resp, qname, qtype)
		case respNegative:
			return w.negative(zs, resp, qname, qtype), nil
		default:
			return outcome{}, fmt.Errorf("%w: %s: unusable response (%s) for %s %s", ErrNoServer, zs.servers.Zone,
				dns.RcodeToString[resp.Rcode], qname, typeString(qtype))
		}
	}
}

// unvalidated builds an outcome for a zone below which nothing is validated.
func unvalidated(zs *zoneState, rcode int, answer []dns.RR) outcome {
	ttl := ^uint32(0)
	for _, rr := range answer {
		ttl = min(ttl, rr.Header().Ttl)
	}
	return outcome{status: zs.status, reason: zs.reason, ede: zs.ede, zone: zs.zone, ttl: ttl, rcode: rcode, answer: answer}
}

// answer handles a response whose answer section speaks to qname: the
// RRset itself, a CNAME, or a DNAME above qname.
func (w *walk) answer(zs *zoneState, resp *dns.Msg, qname string, qtype uint16) (outcome, error) {
	zone := zs.servers.Zone
	// A DNAME above qname comes first: the CNAME at qname that the server
	// synthesised from it is never signed, and what is validated is the
	// DNAME and the synthesis (RFC 6672 §5.3.1). Names below a DNAME owner
	// cannot hold data of their own (RFC 6672 §2.4), so any RRset at qname
	// in such a response is synthesised too.
	if dname := dnameFor(resp.Answer, qname); dname != nil {
		set := rrsetOf(resp.Answer, dname.Hdr.Name, dns.TypeDNAME)
		o := outcome{status: zs.status, reason: zs.reason, ede: zs.ede, zone: zs.zone, ttl: dname.Hdr.Ttl, answer: set}
		if zs.status == Secure {
			o = w.positive(zs, resp, set, "dname", qname)
			if o.status == Bogus {
				return o, nil
			}
		}
		target, ok := dnameTarget(qname, dname)
		if !ok {
			return outcome{status: Bogus, reason: ReasonDNAMEMismatch, ede: edePtr(EDEDNSSECBogus), zone: zone, rcode: dns.RcodeServerFailure}, nil
		}
		if qtype == dns.TypeCNAME {
			// The synthesised CNAME is the answer (RFC 6672 §3.1); it is
			// authenticated by the DNAME that produces it.
			o.answer = append(o.answer, &dns.CNAME{Hdr: dns.RR_Header{Name: qname, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: dname.Hdr.Ttl}, Target: target})
			o.rcode = resp.Rcode
			return o, nil
		}
		next, err := w.resolve(target, qtype)
		if err != nil {
			return outcome{}, err
		}
		o.combine(next)
		return o, nil
	}
	if set := rrsetOf(resp.Answer, qname, qtype); len(set) > 0 {
		if zs.status != Secure {
			return unvalidated(zs, resp.Rcode, set), nil
		}
		return w.positive(zs, resp, set, "answer", qname), nil
	}
	if cname := rrsetOf(resp.Answer, qname, dns.TypeCNAME); len(cname) > 0 {
		o := outcome{status: zs.status, reason: zs.reason, ede: zs.ede, zone: zs.zone, ttl: ^uint32(0), answer: cname}
		if zs.status == Secure {
			o = w.positive(zs, resp, cname, "cname", qname)
			if o.status == Bogus {
				return o, nil
			}
		} else {
			o.ttl = cname[0].Header().Ttl
		}
		target := lower(cname[0].(*dns.CNAME).Target)
		next, err := w.resolve(target, qtype)
		if err != nil {
			return outcome{}, err
		}
		o.combine(next)
		return o, nil
	}
	return outcome{}, fmt.Errorf("%w: %s: answer does not match the question", ErrNoServer, zone)
}

// positive validates an RRset from a secure zone, including the proof that
// no closer name exists when the RRset came from a wildcard.
func (w *walk) positive(zs *zoneState, resp *dns.Msg, set []dns.RR, what, qname string) outcome {
	zone := zs.servers.Zone
	owner := set[0].Header().Name
	step := &Step{What: what, Owner: lower(owner), Type: typeString(set[0].Header().Rrtype), Zone: zone}
	w.verdict.Steps = append(w.verdict.Steps, step)
	chk := w.verifyRRset(set, sigsFor(resp.Answer, owner, set[0].Header().Rrtype), zone, zs.keys)
	step.Sigs = chk.sigs
	if !chk.ok {
		step.Status, step.Reason = Bogus, chk.reason
		return outcome{status: Bogus, reason: chk.reason, ede: edePtr(chk.ede), zone: zone, rcode: dns.RcodeServerFailure}
	}
	o := outcome{status: Secure, reason: ReasonSecure, zone: zone, ttl: chk.ttl, rcode: resp.Rcode, answer: set}
	// The Labels field does not count a leading "*" label (RFC 4034
	// §3.1.3), so the RRset of a wildcard owner asked for by its own name
	// has Labels one below its label count and is not an expansion (the
	// query matched the wildcard name exactly, RFC 1034 §4.3.2 step 3a).
	ownerLabels := dns.CountLabel(owner)
	if strings.HasPrefix(owner, "*.") {
		ownerLabels--
	}
	if int(chk.sig.Labels) < ownerLabels {
		// A wildcard expansion (RFC 4035 §5.3.4): the answer is only valid
		// with proof that qname itself, and every name between qname and
		// the wildcard's parent, does not exist.
		den := w.denialSet(zs, resp.Ns)
		res := den.proveWildcardAnswer(lower(owner), int(chk.sig.Labels))
		step.Proof = res.proof
		if res.status != Secure {
			step.Status, step.Reason = res.status, res.reason
			if res.status == Bogus {
				return outcome{status: Bogus, reason: res.reason, ede: edePtr(res.ede), zone: zone, rcode: dns.RcodeServerFailure}
			}
			o.status, o.reason, o.ede = res.status, res.reason, res.edeOrNil()
		}
		o.ttl = min(o.ttl, den.ttl)
	}
	step.Status, step.Reason = o.status, o.reason
	return o
}

// negative validates an NXDOMAIN or NODATA response.
func (w *walk) negative(zs *zoneState, resp *dns.Msg, qname string, qtype uint16) outcome {
	if zs.status != Secure {
		return unvalidated(zs, resp.Rcode, nil)
	}
	zone := zs.servers.Zone
	what := "nodata proof"
	if resp.Rcode == dns.RcodeNameError {
		what = "nxdomain proof"
	}
	step := &Step{What: what, Owner: qname, Type: typeString(qtype), Zone: zone}
	w.verdict.Steps = append(w.verdict.Steps, step)
	den := w.denialSet(zs, resp.Ns)
	step.Sigs = den.sigs
	var res proofResult
	if resp.Rcode == dns.RcodeNameError {
		res = den.proveNameError(qname)
	} else {
		res = den.proveNoData(qname, qtype)
	}
	step.Proof = res.proof
	step.Status, step.Reason = res.status, res.reason
	if res.status == Bogus {
		return outcome{status: Bogus, reason: res.reason, ede: edePtr(res.ede), zone: zone, rcode: dns.RcodeServerFailure}
	}
	reason := res.reason
	if res.status == Secure {
		reason = ReasonSecure
	}
	return outcome{status: res.status, reason: reason, ede: res.edeOrNil(), zone: zone, ttl: den.ttl, rcode: resp.Rcode}
}

// response kinds
const (
	respUnusable = iota
	respReferral
	respAnswer
	respNegative
)

// classify decides what an authoritative response for zone means for
// qname/qtype. For a referral it also returns the delegated zone.
func classify(resp *dns.Msg, zone, qname string, qtype uint16) (int, string) {
	if resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError {
		return respUnusable, ""
	}
	for _, rr := range resp.Answer {
		h := rr.Header()
		if nameEqual(h.Name, qname) && (h.Rrtype == qtype || h.Rrtype == dns.TypeCNAME) {
			return respAnswer, ""
		}
		if h.Rrtype == dns.TypeDNAME && nameStrictlyBelow(qname, h.Name) {
			return respAnswer, ""
		}
	}
	if resp.Rcode == dns.RcodeSuccess && !resp.Authoritative {
		for _, rr := range resp.Ns {
			h := rr.Header()
			if h.Rrtype == dns.TypeNS && nameStrictlyBelow(h.Name, zone) && nameIsSubdomain(qname, h.Name) {
				return respReferral, lower(h.Name)
			}
		}
		return respUnusable, ""
	}
	return respNegative, ""
}

// rrsetOf returns the records in rrs with the given owner and type.
func rrsetOf(rrs []dns.RR, owner string, t uint16) []dns.RR {
	var set []dns.RR
	for _, rr := range rrs {
		if rr.Header().Rrtype == t && nameEqual(rr.Header().Name, owner) {
			set = append(set, rr)
		}
	}
	return set
}

// sigsFor returns the RRSIGs in rrs over the RRset owner/t.
func sigsFor(rrs []dns.RR, owner string, t uint16) []*dns.RRSIG {
	var sigs []*dns.RRSIG
	for _, rr := range rrs {
		if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == t && nameEqual(s.Hdr.Name, owner) {
			sigs = append(sigs, s)
		}
	}
	return sigs
}

func dnameFor(rrs []dns.RR, qname string) *dns.DNAME {
	for _, rr := range rrs {
		if d, ok := rr.(*dns.DNAME); ok && nameStrictlyBelow(qname, d.Hdr.Name) {
			return d
		}
	}
	return nil
}

// dnameTarget rewrites qname by the DNAME (RFC 6672 §2.2).
func dnameTarget(qname string, d *dns.DNAME) (string, bool) {
	prefix := qname[:len(qname)-len(d.Hdr.Name)]
	target := prefix + dns.Fqdn(d.Target)
	if d.Target == "." {
		target = prefix
	}
	if _, ok := dns.IsDomainName(target); !ok || len(target) > 254 {
		return "", false
	}
	return lower(target), true
}

func typeString(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

// IsNoServer reports whether err says that servers on the path did not
// answer or did not serve their zone.
func IsNoServer(err error) bool { return errors.Is(err, ErrNoServer) }
