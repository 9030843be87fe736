package validator

import (
	"time"

	"github.com/miekg/dns"
)

// The functions in this file expose single steps of the chain of trust for
// callers that hold records themselves and cache results between steps, as
// the simulator's resolver caches do. They run exactly the code Validate runs.

// Check is the outcome of one step of the chain of trust.
type Check struct {
	Status Status
	Reason string
	EDE    *EDE
	// TTL is the validated TTL of the records checked (RFC 4035 §5.3.3).
	TTL uint32
}

func bareWalk(now time.Time) *walk {
	return &walk{v: &Validator{}, now: now, verdict: &Verdict{}}
}

// AuthenticateKeys checks zone's DNSKEY set against a DS set from its parent
// (RFC 4035 §5.2): Secure when a usable DS matches a zone key that signed the
// set, Insecure when no DS is usable (unsupported algorithms or digests,
// RFC 6840 §5.2), Bogus otherwise.
func AuthenticateKeys(zone string, keys []*dns.DNSKEY, sigs []*dns.RRSIG, ds []*dns.DS, now time.Time) Check {
	usable, dropped := UsableDS(ds)
	if len(usable) == 0 {
		e := unsupportedDSEDE(dropped)
		reason := ReasonInsecureAlgorithm
		if e == EDEUnsupportedDSDigestType {
			reason = ReasonInsecureDigest
		}
		return Check{Status: Insecure, Reason: reason, EDE: edePtr(e)}
	}
	w := bareWalk(now)
	res := w.validateKeys(lower(zone), keys, sigs, usable, nil, &Link{})
	c := Check{Status: res.status, Reason: res.reason, EDE: res.ede}
	if res.status == Secure {
		set := make([]dns.RR, len(keys))
		for i, k := range keys {
			set[i] = k
		}
		c.TTL = w.verifyRRset(set, sigs, lower(zone), keys).ttl
	}
	return c
}

// VerifyRRset checks the RRSIGs over set made by zone with keys, an
// authenticated DNSKEY set: Secure when one verifies, Bogus with the most
// specific failure otherwise.
func VerifyRRset(set []dns.RR, sigs []*dns.RRSIG, zone string, keys []*dns.DNSKEY, now time.Time) Check {
	if len(set) == 0 {
		return Check{Status: Bogus, Reason: ReasonAnswerUnsigned, EDE: edePtr(EDERRSIGsMissing)}
	}
	chk := bareWalk(now).verifyRRset(set, sigs, lower(zone), keys)
	if !chk.ok {
		return Check{Status: Bogus, Reason: chk.reason, EDE: edePtr(chk.ede)}
	}
	return Check{Status: Secure, Reason: ReasonSecure, TTL: chk.ttl}
}

// ProveNoDS checks the proof, among the records of a referral's or DS
// answer's authority section, that the delegation cut below the secure zone
// parent has no DS (RFC 4035 §5.2, RFC 5155 §8.9): Insecure when proven,
// Bogus when not. keys is parent's authenticated DNSKEY set.
func ProveNoDS(parent, cut string, keys []*dns.DNSKEY, authority []dns.RR, now time.Time) Check {
	w := bareWalk(now)
	zs := &zoneState{servers: Servers{Zone: lower(parent)}, status: Secure, keys: keys}
	den := w.denialSet(zs, authority)
	res := den.proveNoDS(lower(cut))
	return Check{Status: res.status, Reason: res.reason, EDE: res.edeOrNil(), TTL: den.ttl}
}
