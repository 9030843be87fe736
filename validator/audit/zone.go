package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/validator"
)

// auditor holds the state of Finish.
type auditor struct {
	origin, originKey string
	opt               Options
	nodes             []*node // sorted canonically, one per owner name
	merged            []*node // nodes made from several runs
	apex              *node
	soa               *dns.SOA
	keys              *keyIndex
	algs              []uint8 // usable algorithms of the DNSKEY RRset
	report            *Report

	problems, warnings []finding
}

// finding is a Finding with its sort key.
type finding struct {
	key string
	typ uint16
	Finding
}

func typeName(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return "TYPE" + strconv.Itoa(int(t))
}

func algName(a uint8) string {
	if s, ok := dns.AlgorithmToString[a]; ok {
		return s
	}
	return "ALG" + strconv.Itoa(int(a))
}

func (a *auditor) problem(key, owner string, t uint16, reason string) {
	a.problems = append(a.problems, finding{key, t, Finding{owner, typeName(t), reason}})
}

func (a *auditor) warning(key, owner string, t uint16, reason string) {
	a.warnings = append(a.warnings, finding{key, t, Finding{owner, typeName(t), reason}})
}

// nodeKey is the sort key of findings at n: malformed names sort last.
func nodeKey(n *node) string {
	if n.ok {
		return n.key
	}
	return "\xff\xff\xff\xff" + n.name
}

func (a *auditor) nodeProblem(n *node, t uint16, reason string) {
	a.problem(nodeKey(n), n.name, t, reason)
}

func (a *auditor) nodeWarning(n *node, t uint16, reason string) {
	a.warning(nodeKey(n), n.name, t, reason)
}

// compareNodes orders nodes canonically, malformed names last, then by
// input order.
func compareNodes(x, y *node) int {
	if x.ok != y.ok {
		if x.ok {
			return -1
		}
		return 1
	}
	if c := strings.Compare(x.key, y.key); c != 0 {
		return c
	}
	return cmp.Compare(x.seq, y.seq)
}

// sortNodes sorts the runs canonically and merges runs of one owner name.
// Zone files are usually sorted, or made of a few sorted parts (BIND writes
// its NSEC3 records after the other names), so sorted runs are merged
// rather than sorted afresh.
func (a *auditor) sortNodes() {
	nodes := a.nodes
	var runs []int // start of each ascending run
	for i := range nodes {
		if i == 0 || compareNodes(nodes[i-1], nodes[i]) > 0 {
			runs = append(runs, i)
		}
	}
	switch {
	case len(runs) <= 1:
	case len(runs) > 64:
		slices.SortFunc(nodes, compareNodes)
	default:
		nodes = mergeRuns(nodes, runs)
	}

	// One node per owner name.
	out := nodes[:0:0]
	for i := 0; i < len(nodes); {
		j := i + 1
		for j < len(nodes) && nodes[i].ok && nodes[j].ok && nodes[j].key == nodes[i].key {
			j++
		}
		if j == i+1 {
			out = append(out, nodes[i])
			i = j
			continue
		}
		m := &node{name: nodes[i].name, seq: nodes[i].seq}
		for _, n := range nodes[i:j] {
			m.recs = append(m.recs, n.recs...)
		}
		m.prepare()
		a.merged = append(a.merged, m)
		out = append(out, m)
		i = j
	}
	if len(out) == len(nodes) {
		out = nodes
	}
	a.nodes = out
}

// mergeRuns merges the ascending runs of nodes starting at runs[i].
func mergeRuns(nodes []*node, runs []int) []*node {
	src := nodes
	dst := make([]*node, len(nodes))
	bounds := append(slices.Clone(runs), len(nodes))
	for len(bounds) > 2 {
		var next []int
		for i := 0; i+1 < len(bounds); i += 2 {
			lo, mid := bounds[i], bounds[i+1]
			hi := mid
			if i+2 < len(bounds) {
				hi = bounds[i+2]
			}
			l, r, k := lo, mid, lo
			for l < mid && r < hi {
				if compareNodes(src[r], src[l]) < 0 {
					dst[k] = src[r]
					r++
				} else {
					dst[k] = src[l]
					l++
				}
				k++
			}
			k += copy(dst[k:], src[l:mid])
			copy(dst[k:], src[r:hi])
			next = append(next, lo)
		}
		next = append(next, len(nodes))
		bounds = next
		src, dst = dst, src
	}
	return src
}

// findApex locates the apex node and its SOA.
func (a *auditor) findApex() {
	i, found := slices.BinarySearchFunc(a.nodes, a.originKey, func(n *node, k string) int {
		if !n.ok {
			return 1
		}
		return strings.Compare(n.key, k)
	})
	if !found {
		return
	}
	a.apex = a.nodes[i]
	a.apex.apex = true
	if s := a.apex.set(dns.TypeSOA); s != nil {
		a.soa, _ = s.rrs[0].(*dns.SOA)
	}
}

// classify marks names outside the zone, delegation points, names below
// them and the owners of NSEC3 records. Descendants of a name follow it in
// canonical order, so one pass suffices.
func (a *auditor) classify() {
	var cut string
	inCut := false
	for _, n := range a.nodes {
		n.nsec3Only = len(n.sets) > 0
		for i := range n.sets {
			if n.sets[i].typ != dns.TypeNSEC3 {
				n.nsec3Only = false
			}
		}
		if !n.ok || !keyAtOrBelow(n.key, a.originKey) {
			n.outside = true
			continue
		}
		if inCut && keyBelow(n.key, cut) {
			n.occluded = true
			continue
		}
		inCut = false
		if !n.apex && n.set(dns.TypeNS) != nil {
			n.cut = true
			cut, inCut = n.key, true
		}
	}
}

// authoritative reports whether the RRset of type t at n is authoritative
// data of the zone, and so must be signed (RFC 4035 §2.2).
func authoritative(n *node, t uint16) bool {
	switch {
	case n.outside || n.occluded:
		return false
	case n.cut:
		return t == dns.TypeDS || t == dns.TypeNSEC
	}
	return true
}

// checkStructure checks what does not depend on signature outcomes: the
// apex, the DNSKEY RRset's algorithms, data outside the zone or below zone
// cuts, DS placement and the denial chain. It reads no sigCheck outcome, so
// it runs while the workers verify.
func (a *auditor) checkStructure() {
	a.classify()
	a.checkApex()
	for _, n := range a.nodes {
		switch {
		case !n.ok:
			a.nodeProblem(n, firstType(n), "malformed owner name")
			continue
		case n.outside:
			for i := range n.sets {
				a.nodeProblem(n, n.sets[i].typ, "outside the zone "+a.origin)
			}
			continue
		case n.occluded:
			for i := range n.sets {
				s := &n.sets[i]
				if len(s.sigs) > 0 {
					a.nodeProblem(n, s.typ, "RRSIG below a zone cut (glue or occluded data must not be signed)")
				}
				if s.typ == dns.TypeNSEC || s.typ == dns.TypeNSEC3 {
					a.nodeProblem(n, s.typ, typeName(s.typ)+" below a zone cut (glue or occluded data)")
				}
			}
			for _, o := range n.orphans {
				a.nodeProblem(n, o.sig.TypeCovered, "RRSIG below a zone cut (glue or occluded data must not be signed)")
			}
			continue
		}
		for _, o := range n.orphans {
			a.nodeProblem(n, o.sig.TypeCovered, fmt.Sprintf("RRSIG by key %d alg %d covers %s, but there is no such RRset here",
				o.sig.KeyTag, o.sig.Algorithm, typeName(o.sig.TypeCovered)))
		}
		for i := range n.sets {
			s := &n.sets[i]
			if n.cut && !authoritative(n, s.typ) && len(s.sigs) > 0 {
				a.nodeProblem(n, s.typ, "RRSIG over non-authoritative data at a delegation point (only DS and NSEC are signed there)")
			}
			if s.typ == dns.TypeDS && !n.cut {
				if n.apex {
					a.nodeProblem(n, s.typ, "DS at the zone apex (it belongs in the parent zone)")
				} else {
					a.nodeProblem(n, s.typ, "DS at a name that is not a delegation point")
				}
			}
			if len(s.rrs) > 1 {
				ttl := s.rrs[0].Header().Ttl
				for _, rr := range s.rrs[1:] {
					if rr.Header().Ttl != ttl {
						a.nodeWarning(n, s.typ, "records of the RRset have different TTLs (RFC 2181 §5.2)")
						break
					}
				}
			}
		}
	}
	a.checkDenial()
}

func firstType(n *node) uint16 {
	if len(n.sets) > 0 {
		return n.sets[0].typ
	}
	if len(n.orphans) > 0 {
		return dns.TypeRRSIG
	}
	return 0
}

// checkApex checks the SOA, NS and DNSKEY RRsets of the apex and works out
// the algorithms that must sign everything.
func (a *auditor) checkApex() {
	key, owner := a.originKey, a.origin
	if a.soa == nil {
		a.problem(key, owner, dns.TypeSOA, "no SOA record at the zone apex")
	}
	if a.apex == nil || a.apex.set(dns.TypeNS) == nil {
		a.problem(key, owner, dns.TypeNS, "no NS RRset at the zone apex")
	}
	var dk *rrset
	if a.apex != nil {
		dk = a.apex.set(dns.TypeDNSKEY)
	}
	if dk == nil {
		a.problem(key, owner, dns.TypeDNSKEY, "no DNSKEY RRset at the zone apex")
		return
	}
	for _, rr := range dk.rrs {
		k, ok := rr.(*dns.DNSKEY)
		if !ok {
			continue
		}
		switch {
		case k.Flags&dns.ZONE == 0:
			a.warning(key, owner, dns.TypeDNSKEY, fmt.Sprintf("DNSKEY %d alg %d has no ZONE flag: not a zone key", k.KeyTag(), k.Algorithm))
		case k.Flags&dns.REVOKE != 0:
		case k.Protocol != 3:
			a.warning(key, owner, dns.TypeDNSKEY, fmt.Sprintf("DNSKEY %d alg %d has protocol %d, not 3: unusable", k.KeyTag(), k.Algorithm, k.Protocol))
		case !validator.SupportedAlgorithm(k.Algorithm):
			a.warning(key, owner, dns.TypeDNSKEY, fmt.Sprintf("DNSKEY %d uses algorithm %d (%s), which cannot be verified here: its signatures are not checked",
				k.KeyTag(), k.Algorithm, algName(k.Algorithm)))
		default:
			if !slices.Contains(a.algs, k.Algorithm) {
				a.algs = append(a.algs, k.Algorithm)
			}
		}
	}
	slices.Sort(a.algs)
	if len(a.algs) == 0 {
		a.problem(key, owner, dns.TypeDNSKEY, "no usable DNSKEY (ZONE flag set, not revoked, supported algorithm)")
	}
}

// checkSignatures reports the outcome of every RRSIG over authoritative
// data and applies the algorithm rule (RFC 4035 §2.2, RFC 6840 §5.11).
// The workers must be done.
func (a *auditor) checkSignatures() {
	r := a.report
	now := a.opt.Now
	nowSerial := uint32(now.Unix())
	for _, n := range a.nodes {
		r.Signatures += n.nsig + len(n.orphans)
		r.RRsets += len(n.sets)
		for i := range n.sets {
			s := &n.sets[i]
			for j := range s.sigs {
				if s.sigs[j].status == sigValid {
					r.Verified++
				}
			}
			if !authoritative(n, s.typ) {
				continue
			}
			ttl := s.rrs[0].Header().Ttl
			var reported [256]bool // algorithms with a failure reported
			for j := range s.sigs {
				sc := &s.sigs[j]
				sig := sc.sig
				if sc.status == sigValid && sig.Hdr.Ttl == ttl && sig.OrigTtl == ttl &&
					(a.opt.ExpiryWarning <= 0 || time.Duration(int32(sig.Expiration-nowSerial))*time.Second >= a.opt.ExpiryWarning) {
					continue // the common case: nothing to say
				}
				who := fmt.Sprintf("RRSIG by key %d alg %d", sig.KeyTag, sig.Algorithm)
				switch sc.status {
				case sigValid:
					if w := a.opt.ExpiryWarning; w > 0 {
						left := time.Duration(int32(sig.Expiration-nowSerial)) * time.Second
						if left < w {
							a.nodeWarning(n, s.typ, fmt.Sprintf("%s expires at %s, in %s", who,
								now.Add(left).UTC().Format(time.RFC3339), formatDuration(left)))
						}
					}
				case sigFailed:
					reported[sig.Algorithm] = true
					a.nodeProblem(n, s.typ, who+": "+sc.result.String()+a.window(sc))
					continue
				case sigBadSigner:
					reported[sig.Algorithm] = true
					a.nodeProblem(n, s.typ, fmt.Sprintf("%s: signer name %s is not the zone apex", who, sig.SignerName))
					continue
				case sigNoKey:
					if len(a.keys.keys) > 0 { // else the missing DNSKEY RRset is the problem
						a.nodeWarning(n, s.typ, who+": no such key in the DNSKEY RRset")
					}
					continue
				default:
					a.nodeProblem(n, s.typ, who+": not checked (internal error)")
					continue
				}
				if sig.Hdr.Ttl != ttl {
					a.nodeWarning(n, s.typ, fmt.Sprintf("%s has TTL %d, the RRset %d (RFC 4034 §3)", who, sig.Hdr.Ttl, ttl))
				}
				if sig.OrigTtl != ttl {
					a.nodeWarning(n, s.typ, fmt.Sprintf("%s has original TTL %d, the RRset %d", who, sig.OrigTtl, ttl))
				}
			}
			if len(a.algs) == 0 {
				continue
			}
			if len(s.sigs) == 0 {
				a.nodeProblem(n, s.typ, "missing RRSIG")
				continue
			}
			for _, alg := range a.algs {
				if reported[alg] {
					continue
				}
				some, valid := false, false
				for j := range s.sigs {
					if s.sigs[j].sig.Algorithm == alg {
						some = true
						valid = valid || s.sigs[j].status == sigValid
					}
				}
				switch {
				case !some:
					a.nodeProblem(n, s.typ, fmt.Sprintf("no RRSIG by algorithm %d (%s), which is in the DNSKEY RRset", alg, algName(alg)))
				case !valid:
					a.nodeProblem(n, s.typ, fmt.Sprintf("no valid RRSIG by algorithm %d (%s), which is in the DNSKEY RRset", alg, algName(alg)))
				}
			}
		}
	}
}

// window describes the validity period of a signature that failed because
// of it.
func (a *auditor) window(sc *sigCheck) string {
	switch sc.result {
	case validator.SigExpired:
		return " (expired " + serialTime(sc.sig.Expiration, a.opt.Now) + ")"
	case validator.SigNotYetValid:
		return " (valid from " + serialTime(sc.sig.Inception, a.opt.Now) + ")"
	}
	return ""
}

// serialTime turns an RRSIG time field into the time nearest to now that it
// denotes (RFC 4034 §3.1.5 serial arithmetic).
func serialTime(v uint32, now time.Time) string {
	d := time.Duration(int32(v-uint32(now.Unix()))) * time.Second
	return now.Add(d).UTC().Format(time.RFC3339)
}

// formatDuration prints d in days, hours and minutes (e.g. 6d23h5m).
func formatDuration(d time.Duration) string {
	if d < time.Minute {
		return d.String()
	}
	d = d.Truncate(time.Minute)
	var b strings.Builder
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dd", days)
		d -= days * 24 * time.Hour
	}
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	return b.String()
}

// checkKeys checks the DNSKEY RRset against the trust anchor. The workers
// must be done.
func (a *auditor) checkKeys() {
	an := a.opt.Anchor
	if an == nil || a.origin == "" {
		return
	}
	key, owner := a.originKey, a.origin
	if !strings.EqualFold(dns.Fqdn(an.Zone), a.origin) {
		a.problem(key, owner, dns.TypeDNSKEY, fmt.Sprintf("the trust anchor is for %s, not for this zone", dns.Fqdn(an.Zone)))
		return
	}
	var keys []*dns.DNSKEY
	signs := map[*dns.DNSKEY]bool{}
	if a.apex != nil {
		if s := a.apex.set(dns.TypeDNSKEY); s != nil {
			for _, rr := range s.rrs {
				if k, ok := rr.(*dns.DNSKEY); ok {
					keys = append(keys, k)
				}
			}
			for _, sc := range s.sigs {
				if sc.status == sigValid {
					signs[sc.key] = true
				}
			}
		}
	}

	// One verdict per anchor record; an algorithm is covered when one of
	// its records works (RFC 6840 §5.11), and the records that do not work
	// are then only warnings.
	type verdict struct {
		alg    uint8
		ok     bool
		reason string
	}
	var vs []verdict
	if len(an.DS) > 0 {
		usable, dropped := validator.UsableDS(an.DS)
		for _, d := range dropped {
			a.warning(key, owner, dns.TypeDNSKEY, fmt.Sprintf("anchor DS %d alg %d digest type %d ignored: %s",
				d.DS.KeyTag, d.DS.Algorithm, d.DS.DigestType, d.Reason))
		}
		if len(usable) == 0 {
			a.problem(key, owner, dns.TypeDNSKEY, "the trust anchor has no DS record with a supported algorithm and digest type")
			return
		}
		for _, ds := range usable {
			who := fmt.Sprintf("anchor DS %d alg %d digest type %d", ds.KeyTag, ds.Algorithm, ds.DigestType)
			var matched, named *dns.DNSKEY
			for _, k := range keys {
				switch validator.MatchDS(ds, k) {
				case validator.DSMatch:
					if matched == nil || signs[k] {
						matched = k
					}
				case validator.DSDigestMismatch:
					named = k
				}
			}
			v := verdict{alg: ds.Algorithm}
			switch {
			case matched != nil && signs[matched]:
				v.ok = true
			case matched != nil:
				v.reason = fmt.Sprintf("%s matches DNSKEY %d, which does not sign the DNSKEY RRset", who, matched.KeyTag())
			case named != nil:
				v.reason = fmt.Sprintf("%s: digest does not match DNSKEY %d", who, named.KeyTag())
			default:
				v.reason = who + " matches no DNSKEY"
			}
			vs = append(vs, v)
		}
	} else {
		for _, ak := range an.DNSKEY {
			who := fmt.Sprintf("anchor DNSKEY %d alg %d", ak.KeyTag(), ak.Algorithm)
			if !validator.SupportedAlgorithm(ak.Algorithm) {
				a.warning(key, owner, dns.TypeDNSKEY, who+" ignored: unsupported algorithm")
				continue
			}
			v := verdict{alg: ak.Algorithm, reason: who + " is not in the DNSKEY RRset"}
			for _, k := range keys {
				if k.Algorithm == ak.Algorithm && k.Protocol == ak.Protocol && k.PublicKey == ak.PublicKey {
					if signs[k] {
						v.ok, v.reason = true, ""
						break
					}
					v.reason = who + " does not sign the DNSKEY RRset"
				}
			}
			vs = append(vs, v)
		}
		if len(vs) == 0 {
			a.problem(key, owner, dns.TypeDNSKEY, "the trust anchor has no DNSKEY with a supported algorithm")
			return
		}
	}
	covered := map[uint8]bool{}
	for _, v := range vs {
		covered[v.alg] = covered[v.alg] || v.ok
	}
	for _, v := range vs {
		switch {
		case v.ok:
		case covered[v.alg]:
			a.warning(key, owner, dns.TypeDNSKEY, v.reason)
		default:
			a.problem(key, owner, dns.TypeDNSKEY, v.reason)
		}
	}
}

// finish sorts the findings and fills in the report.
func (a *auditor) finish() *Report {
	r := a.report
	sortFindings := func(fs []finding) []Finding {
		slices.SortFunc(fs, func(x, y finding) int {
			return cmp.Or(strings.Compare(x.key, y.key), cmp.Compare(x.typ, y.typ),
				strings.Compare(x.Reason, y.Reason), strings.Compare(x.Owner, y.Owner))
		})
		out := make([]Finding, len(fs))
		for i := range fs {
			out[i] = fs[i].Finding
		}
		return out
	}
	r.Problems = sortFindings(a.problems)
	r.Warnings = sortFindings(a.warnings)
	r.Algorithms = make([]int, len(a.algs))
	for i, alg := range a.algs {
		r.Algorithms[i] = int(alg)
	}
	if r.Denial == "" {
		r.Denial = DenialNone
	}
	r.OK = len(r.Problems) == 0
	return r
}
