package validator

import (
	"time"

	"github.com/miekg/dns"
)

// authenticateAnchor fetches the anchor zone's DNSKEY set and checks it
// against the trust anchor.
func (w *walk) authenticateAnchor() (*zoneState, error) {
	a := w.v.Anchor
	zone := lower(a.Zone)
	servers := Servers{Zone: zone}
	link := &Link{Zone: zone, Anchor: true}
	w.verdict.Chain = append(w.verdict.Chain, link)
	zs := &zoneState{servers: servers, zone: zone}

	var usable []*dns.DS
	if len(a.DS) > 0 {
		var dropped []DroppedDS
		usable, dropped = UsableDS(a.DS)
		if len(usable) == 0 && len(a.DNSKEY) == 0 {
			link.DS = dsChecks(nil, dropped, nil)
			zs.status, zs.reason, zs.ede = Insecure, ReasonInsecureAnchor, edePtr(unsupportedDSEDE(dropped))
			link.Status, link.Reason = zs.status, zs.reason
			return zs, nil
		}
		defer func() { link.DS = append(link.DS, dsChecks(nil, dropped, nil)...) }()
	}
	keys, sigs, err := w.fetchKeys(servers, zone)
	if err != nil {
		return nil, err
	}
	res := w.validateKeys(zone, keys, sigs, usable, a.DNSKEY, link)
	zs.status, zs.reason, zs.ede, zs.keys = res.status, res.reason, res.ede, res.keys
	return zs, nil
}

// fetchKeys asks the zone's servers for its DNSKEY set.
func (w *walk) fetchKeys(at Servers, zone string) ([]*dns.DNSKEY, []*dns.RRSIG, error) {
	resp, err := w.query(at, zone, dns.TypeDNSKEY)
	if err != nil {
		return nil, nil, err
	}
	var keys []*dns.DNSKEY
	for _, rr := range resp.Answer {
		if k, ok := rr.(*dns.DNSKEY); ok && nameEqual(k.Hdr.Name, zone) {
			keys = append(keys, k)
		}
	}
	return keys, sigsFor(resp.Answer, zone, dns.TypeDNSKEY), nil
}

// delegate follows a referral from zs to the child zone cut, establishing
// the child's status: Secure with authenticated keys, Insecure when the
// delegation provably has no usable DS, Bogus otherwise.
func (w *walk) delegate(zs *zoneState, cut string, resp *dns.Msg) (*zoneState, error) {
	servers := Servers{Zone: cut}
	for _, rr := range resp.Ns {
		if ns, ok := rr.(*dns.NS); ok && nameEqual(ns.Hdr.Name, cut) {
			servers.NS = append(servers.NS, lower(ns.Ns))
		}
	}
	for _, rr := range resp.Extra {
		for _, ns := range servers.NS {
			if !nameEqual(rr.Header().Name, ns) {
				continue
			}
			switch g := rr.(type) {
			case *dns.A:
				servers.Addrs = append(servers.Addrs, g.A.String())
			case *dns.AAAA:
				servers.Addrs = append(servers.Addrs, "["+g.AAAA.String()+"]:53")
			}
		}
	}
	next := &zoneState{servers: servers, status: zs.status, reason: zs.reason, ede: zs.ede, zone: zs.zone}
	if zs.status != Secure {
		return next, nil
	}
	link := &Link{Zone: cut}
	w.verdict.Chain = append(w.verdict.Chain, link)
	set := func(st Status, reason string, ede *EDE) (*zoneState, error) {
		next.status, next.reason, next.ede, next.zone = st, reason, ede, cut
		link.Status, link.Reason = st, reason
		return next, nil
	}

	// The DS set comes with the referral; a server that left it out is
	// asked for it, as a resolver would (RFC 4035 §5.2).
	src := resp
	ds := rrsetOf(resp.Ns, cut, dns.TypeDS)
	if len(ds) == 0 && !hasDenial(resp.Ns) {
		r, err := w.query(zs.servers, cut, dns.TypeDS)
		if err != nil {
			return nil, err
		}
		src = r
		ds = rrsetOf(r.Answer, cut, dns.TypeDS)
		if len(ds) > 0 {
			src = &dns.Msg{Ns: r.Answer}
		}
	}
	if len(ds) == 0 {
		den := w.denialSet(zs, src.Ns)
		link.DSSigs = den.sigs
		res := den.proveNoDS(cut)
		link.NoDS = res.proof
		if res.status == Bogus {
			return set(Bogus, res.reason, edePtr(res.ede))
		}
		return set(Insecure, res.reason, res.edeOrNil())
	}

	chk := w.verifyRRset(ds, sigsFor(src.Ns, cut, dns.TypeDS), zs.servers.Zone, zs.keys)
	link.DSSigs = chk.sigs
	if !chk.ok {
		reason := ReasonDSSigFailed
		if chk.reason == ReasonAnswerUnsigned {
			reason = ReasonDSUnsigned
		}
		return set(Bogus, reason, edePtr(chk.ede))
	}
	dsRecs := make([]*dns.DS, 0, len(ds))
	for _, rr := range ds {
		dsRecs = append(dsRecs, rr.(*dns.DS))
	}
	usable, dropped := UsableDS(dsRecs)
	if len(usable) == 0 {
		link.DS = dsChecks(nil, dropped, nil)
		if unsupportedDSEDE(dropped) == EDEUnsupportedDSDigestType {
			return set(Insecure, ReasonInsecureDigest, edePtr(EDEUnsupportedDSDigestType))
		}
		return set(Insecure, ReasonInsecureAlgorithm, edePtr(EDEUnsupportedDNSKEYAlgorithm))
	}
	keys, sigs, err := w.fetchKeys(servers, cut)
	if err != nil {
		return nil, err
	}
	res := w.validateKeys(cut, keys, sigs, usable, nil, link)
	link.DS = append(link.DS, dsChecks(nil, dropped, nil)...)
	next.status, next.reason, next.ede, next.keys, next.zone = res.status, res.reason, res.ede, res.keys, cut
	return next, nil
}

// unsupportedDSEDE picks EDE 2 when every dropped DS was dropped for its
// digest type, EDE 1 otherwise.
func unsupportedDSEDE(dropped []DroppedDS) EDE {
	for _, d := range dropped {
		if SupportedAlgorithm(d.DS.Algorithm) && !SupportedDigest(d.DS.DigestType) {
			continue
		}
		return EDEUnsupportedDNSKEYAlgorithm
	}
	return EDEUnsupportedDSDigestType
}

func hasDenial(rrs []dns.RR) bool {
	for _, rr := range rrs {
		if t := rr.Header().Rrtype; t == dns.TypeNSEC || t == dns.TypeNSEC3 {
			return true
		}
	}
	return false
}

// dsChecks renders DS records and what they matched.
func dsChecks(checked []DSCheck, dropped []DroppedDS, _ []*dns.DNSKEY) []DSCheck {
	out := checked
	for _, d := range dropped {
		out = append(out, DSCheck{KeyTag: d.DS.KeyTag, Algorithm: d.DS.Algorithm, DigestType: d.DS.DigestType, Result: d.Reason})
	}
	return out
}

// keyResult is the outcome of authenticating a DNSKEY set.
type keyResult struct {
	status Status
	reason string
	ede    *EDE
	keys   []*dns.DNSKEY
}

// validateKeys authenticates zone's DNSKEY set with a DS set or DNSKEY
// anchors (RFC 4035 §5.2): some DS must match a zone key (ZONE bit, not
// revoked) and that key must have signed the DNSKEY set. Any one such path
// is enough (RFC 6840 §5.11); every DS, key and signature is tried.
func (w *walk) validateKeys(zone string, keys []*dns.DNSKEY, sigs []*dns.RRSIG, ds []*dns.DS, anchorKeys []*dns.DNSKEY, link *Link) keyResult {
	bogus := func(reason string, ede EDE) keyResult {
		link.Status, link.Reason = Bogus, reason
		return keyResult{status: Bogus, reason: reason, ede: edePtr(ede)}
	}
	for _, k := range keys {
		link.DNSKEY = append(link.DNSKEY, KeyInfo{KeyTag: k.KeyTag(), Algorithm: k.Algorithm, Flags: k.Flags})
	}
	// Which keys does the DS set (or the anchor) vouch for?
	entry := map[*dns.DNSKEY]bool{}
	digestMismatch := false
	noZoneBit := false // some DS matched a key without the ZONE bit
	for _, d := range ds {
		c := DSCheck{KeyTag: d.KeyTag, Algorithm: d.Algorithm, DigestType: d.DigestType, Result: DSNoKey.String()}
		for _, k := range keys {
			switch MatchDS(d, k) {
			case DSMatch:
				if k.Flags&dns.ZONE == 0 || k.Flags&dns.REVOKE != 0 {
					c.Result = "matches a key that is not a usable zone key"
					noZoneBit = noZoneBit || k.Flags&dns.ZONE == 0
					continue
				}
				entry[k] = true
				tag := k.KeyTag()
				c.Result, c.MatchedKey = DSMatch.String(), &tag
			case DSDigestMismatch:
				if c.MatchedKey == nil {
					c.Result = DSDigestMismatch.String()
					digestMismatch = true
				}
			}
			if c.MatchedKey != nil {
				break
			}
		}
		link.DS = append(link.DS, c)
	}
	for _, ak := range anchorKeys {
		c := DSCheck{KeyTag: ak.KeyTag(), Algorithm: ak.Algorithm, Result: "no such key"}
		for _, k := range keys {
			if sameKey(ak, k) && k.Flags&dns.ZONE != 0 && k.Flags&dns.REVOKE == 0 {
				entry[k] = true
				tag := k.KeyTag()
				c.Result, c.MatchedKey = "match", &tag
				break
			}
		}
		link.DS = append(link.DS, c)
	}
	if len(keys) == 0 {
		return bogus(ReasonDNSKEYMissing, EDEDNSKEYMissing)
	}
	if len(entry) == 0 {
		switch {
		case len(anchorKeys) > 0 && len(ds) == 0:
			return bogus(ReasonAnchorNoKey, EDEDNSKEYMissing)
		case noZoneBit:
			// The DS names a key that must not verify RRSIGs (RFC 4034
			// §2.1.1): RFC 8914 §4.12 has the specific code for it.
			return bogus(ReasonDSNoKey, EDENoZoneKeyBitSet)
		case digestMismatch:
			return bogus(ReasonDSDigestMismatch, EDEDNSKEYMissing)
		default:
			return bogus(ReasonDSNoKey, EDEDNSKEYMissing)
		}
	}
	entryKeys := make([]*dns.DNSKEY, 0, len(entry))
	for _, k := range keys {
		if entry[k] {
			entryKeys = append(entryKeys, k)
		}
	}
	keySet := make([]dns.RR, len(keys))
	for i, k := range keys {
		keySet[i] = k
	}
	chk := w.verifyRRset(keySet, sigs, zone, entryKeys)
	link.DNSKEYSigs = chk.sigs
	// Signatures by keys of the set that no DS or anchor vouches for were
	// not tried: say so instead of "no such key".
	for i := range link.DNSKEYSigs {
		c := &link.DNSKEYSigs[i]
		if c.Result != noSuchKey {
			continue
		}
		for _, k := range keys {
			if k.KeyTag() == c.KeyTag && k.Algorithm == c.Algorithm {
				c.Result = "not tried: key not authenticated by the DS set or anchor"
				break
			}
		}
	}
	if !chk.ok {
		if chk.ede == EDERRSIGsMissing || chk.ede == EDEDNSKEYMissing {
			return bogus(ReasonKeysUnsigned, EDERRSIGsMissing)
		}
		return bogus(ReasonKeysSigFailed, chk.ede)
	}
	for i, k := range keys {
		if entry[k] && k.KeyTag() == chk.sig.KeyTag && k.Algorithm == chk.sig.Algorithm {
			link.DNSKEY[i].Trusted = true
		}
	}
	link.Status, link.Reason = Secure, "DNSKEY set authenticated"
	return keyResult{status: Secure, reason: ReasonSecure, keys: keys}
}

// sameKey reports whether two DNSKEYs hold the same key material and flags.
func sameKey(a, b *dns.DNSKEY) bool {
	return a.Flags == b.Flags && a.Protocol == b.Protocol && a.Algorithm == b.Algorithm && a.PublicKey == b.PublicKey
}

const noSuchKey = "no such key in the DNSKEY set"

// rrsetCheck is the outcome of checking every RRSIG over one RRset.
type rrsetCheck struct {
	ok     bool
	sig    *dns.RRSIG // the signature that verified
	ttl    uint32     // validated TTL (RFC 4035 §5.3.3)
	sigs   []SigCheck
	reason string
	ede    EDE
}

// failureRank orders signature failures from most to least specific, the
// way Knot Resolver reports the most telling one.
func failureRank(r SigResult) int {
	switch r {
	case SigExpired, SigNotYetValid:
		return 0
	case SigCryptoFailure:
		return 1
	case SigNoZoneBit:
		return 2
	case SigRevokedKey, SigBadKey, SigBadRRset:
		return 3
	default:
		return 4
	}
}

func sigEDE(r SigResult) EDE {
	switch r {
	case SigExpired:
		return EDESignatureExpired
	case SigNotYetValid:
		return EDESignatureNotYetValid
	case SigNoZoneBit:
		return EDENoZoneKeyBitSet
	case SigKeyMismatch:
		return EDEDNSKEYMissing
	default:
		return EDEDNSSECBogus
	}
}

// verifyRRset checks the RRSIGs over set made by zone with any of keys.
// Signatures by unsupported algorithms are ignored (RFC 6840 §5.2); one
// valid signature is enough (RFC 6840 §5.4).
func (w *walk) verifyRRset(set []dns.RR, sigs []*dns.RRSIG, zone string, keys []*dns.DNSKEY) rrsetCheck {
	var out rrsetCheck
	best := SigResult(255)
	considered := 0
	for _, sig := range sigs {
		c := SigCheck{Owner: lower(sig.Hdr.Name), Type: typeString(sig.TypeCovered), Signer: lower(sig.SignerName), KeyTag: sig.KeyTag, Algorithm: sig.Algorithm}
		if !nameEqual(sig.SignerName, zone) {
			c.Result = "signer is not the zone " + zone
			out.sigs = append(out.sigs, c)
			continue
		}
		if !SupportedAlgorithm(sig.Algorithm) {
			c.Result = SigUnsupportedAlgorithm.String()
			out.sigs = append(out.sigs, c)
			continue
		}
		considered++
		res := SigKeyMismatch
		for _, k := range keys {
			if k.Algorithm != sig.Algorithm || k.KeyTag() != sig.KeyTag {
				continue
			}
			r := VerifySig(sig, k, set, w.now)
			if r == SigValid {
				res = r
				break
			}
			if res == SigKeyMismatch || failureRank(r) < failureRank(res) {
				res = r
			}
		}
		if res == SigKeyMismatch {
			c.Result = noSuchKey
		} else {
			c.Result = res.String()
		}
		out.sigs = append(out.sigs, c)
		if res == SigValid {
			if !out.ok {
				out.ok, out.sig = true, sig
				out.ttl = validatedTTL(set, sig, w.now)
			}
			continue
		}
		if best == 255 || failureRank(res) < failureRank(best) {
			best = res
		}
	}
	if out.ok {
		return out
	}
	switch {
	case considered == 0:
		out.reason, out.ede = ReasonAnswerUnsigned, EDERRSIGsMissing
	case best == SigKeyMismatch:
		out.reason, out.ede = ReasonAnswerUnknownKey, EDEDNSKEYMissing
	default:
		out.reason, out.ede = ReasonAnswerSigFailed+": "+best.String(), sigEDE(best)
	}
	return out
}

// validatedTTL is the TTL a validator may cache set for (RFC 4035 §5.3.3):
// at most the RRset TTL, the RRSIG TTL, the original TTL and the time left
// until the signature expires.
func validatedTTL(set []dns.RR, sig *dns.RRSIG, now time.Time) uint32 {
	ttl := min(sig.Hdr.Ttl, sig.OrigTtl)
	for _, rr := range set {
		ttl = min(ttl, rr.Header().Ttl)
	}
	left := int64(int32(sig.Expiration - uint32(now.Unix())))
	if left < 0 {
		left = 0
	}
	if uint64(left) < uint64(ttl) {
		ttl = uint32(left)
	}
	return ttl
}
