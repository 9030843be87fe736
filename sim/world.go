package sim

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/authority"
	"github.com/dnssecsim/dnssecsim/internal/signer"
	"github.com/dnssecsim/dnssecsim/scenarios"
	"github.com/dnssecsim/dnssecsim/validator"
)

// Epoch is the wall-clock instant the simulation clock counts from. It only
// places signature validity windows; nothing reads the real clock.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// World is the DNS as the resolvers can see it over the whole run: the
// registry's parent zone and each operator's version of the child zone, as
// real signed records, for every generation of the procedure. NewWorld
// plays the procedure once; afterwards the world is read-only (apart from
// its memoised validations, which are guarded), so caches can be simulated
// independently and in parallel.
type World struct {
	sc     *scenarios.Scenario
	child  string
	parent string
	gen    int // bumped by every change while the procedure is played

	// versions holds what resolvers see in each generation; changes[g-1]
	// is when generation g begins.
	versions []worldVersion
	changes  []time.Duration
	trace    []traceLine

	parentKSK, parentZSK *signer.Key
	anchorKeys           []*dns.DNSKEY // the parent's DNSKEY set: the trust anchor
	registryDS           map[int]bool  // operators whose DS the registry publishes
	registryNS           map[int]bool  // operators whose nameservers are delegated to
	parentVer            int
	referrals            []*referral // by parent version

	ops    []*operator
	byNS   map[string]int // nameserver name -> operator index
	sigInc time.Time
	sigExp time.Time
	now    time.Time // validation time (fixed: signatures cover the horizon)

	memoMu     sync.Mutex
	keyMemo    map[keyMemoKey]*keyEntryData
	answerMemo map[answerMemoKey]answerData
	classMemo  map[keyMemoKey]string
}

// worldVersion is the world of one generation: which parent version and
// which version of each operator's zone resolvers get answers from.
type worldVersion struct {
	parentVer int
	opVer     []int
}

// traceLine is one line of the event trace at an instant; world lines sort
// before cache lines of the same instant.
type traceLine struct {
	at    time.Duration
	cache int32 // -1 for the world
	text  string
}

// operator is one DNS operator's state and its current child zone.
type operator struct {
	idx      int
	name     string
	cfg      scenarios.Operator
	ksk, zsk *signer.Key
	serving  bool
	signed   bool
	noKeys   bool         // deleted its DNSKEY RRset (hasty)
	extra    map[int]bool // other operators whose ZSK it publishes
	apexNS   map[int]bool // operators whose nameservers are in its apex NS set
	cds      bool         // publishes CDS/CDNSKEY for its KSK
	ver      int
	snaps    []*opSnap // the zone at each version
}

// opSnap is one version of an operator's child zone, as resolvers get it. A
// nil zone means the operator does not serve the child.
type opSnap struct {
	zone     *authority.Zone
	dnskeys  []*dns.DNSKEY
	keySigs  []*dns.RRSIG
	answer   []dns.RR
	ansSigs  []*dns.RRSIG
	apexNSes []int
}

// referral is what the parent says about the child at one parent version:
// the delegation and the DS set or the proof that there is none, validated
// with the parent's keys.
type referral struct {
	ver    int
	nsOps  []int
	nsTTL  time.Duration
	ds     []*dns.DS
	dsTTL  time.Duration // DS TTL, or the negative TTL of the no-DS proof
	check  validator.Check
	hasDS  bool
	dsKey  string // the DS set (or its absence) as text, to compare versions
	parent *authority.Zone
}

type keyMemoKey struct{ op, opVer, dsVer int }
type answerMemoKey struct {
	op, opVer int
	key       keyID
}

// keyID names a cached key entry by the data it was built from.
type keyID struct {
	kind  keyKind
	op    int
	opVer int
	dsVer int
}

type keyEntryData struct {
	check validator.Check
	keys  []*dns.DNSKEY
	ttl   time.Duration
}

type answerData struct {
	check validator.Check
	ttl   time.Duration
}

// NewWorld builds the initial world of a scenario.
func NewWorld(sc *scenarios.Scenario) (*World, error) {
	w := &World{
		sc:         sc,
		child:      dns.CanonicalName(sc.Child),
		parent:     dns.CanonicalName(sc.Parent.Zone),
		registryDS: map[int]bool{},
		registryNS: map[int]bool{},
		byNS:       map[string]int{},
		sigInc:     Epoch.Add(-30 * day),
		sigExp:     Epoch.Add(sc.Horizon + 400*day),
		now:        Epoch,
		keyMemo:    map[keyMemoKey]*keyEntryData{},
		classMemo:  map[keyMemoKey]string{},
		answerMemo: map[answerMemoKey]answerData{},
	}
	if !dns.IsSubDomain(w.parent, w.child) || w.parent == w.child {
		return nil, fmt.Errorf("sim: child %s is not below parent %s", w.child, w.parent)
	}
	seed := []byte(fmt.Sprintf("dnssecsim/%d", sc.Seed))
	var err error
	alg := sc.Parent.Algorithm
	if alg == 0 {
		alg = dns.ECDSAP256SHA256
	}
	if w.parentKSK, err = signer.NewKey(w.parent, alg, 257, seed); err != nil {
		return nil, err
	}
	if w.parentZSK, err = signer.NewKey(w.parent, alg, 256, seed); err != nil {
		return nil, err
	}
	w.anchorKeys = []*dns.DNSKEY{w.parentKSK.DNSKEY, w.parentZSK.DNSKEY}
	for i, cfg := range []scenarios.Operator{sc.Losing, sc.Gaining} {
		op := &operator{idx: i, name: []string{"losing", "gaining"}[i], cfg: cfg, serving: true, signed: cfg.Signed,
			extra: map[int]bool{}, apexNS: map[int]bool{i: true}}
		a := cfg.Algorithm
		if a == 0 {
			a = dns.ECDSAP256SHA256
		}
		opSeed := append(append([]byte{}, seed...), op.name...)
		if op.ksk, err = signer.NewKey(w.child, a, 257, opSeed); err != nil {
			return nil, err
		}
		if op.zsk, err = signer.NewKey(w.child, a, 256, opSeed); err != nil {
			return nil, err
		}
		for _, ns := range cfg.Nameservers {
			n := dns.CanonicalName(ns)
			if prev, dup := w.byNS[n]; dup && prev != i {
				return nil, fmt.Errorf("sim: nameserver %s belongs to two operators", ns)
			}
			w.byNS[n] = i
		}
		w.ops = append(w.ops, op)
	}
	// Before the procedure the losing operator serves the zone, delegated
	// to and, if it signs, with its DS at the registry.
	w.registryNS[0] = true
	if w.ops[0].signed {
		w.registryDS[0] = true
	}
	if err := w.rebuildParent(); err != nil {
		return nil, err
	}
	for _, op := range w.ops {
		if err := w.snapshot(op); err != nil {
			return nil, err
		}
	}
	w.versions = append(w.versions, w.version())
	if err := w.play(); err != nil {
		return nil, err
	}
	return w, nil
}

// version describes the current generation.
func (w *World) version() worldVersion {
	v := worldVersion{parentVer: w.parentVer}
	for _, op := range w.ops {
		v.opVer = append(v.opVer, op.ver)
	}
	return v
}

// play applies the procedure's world changes in time order, including the
// automatic ones of passive and hasty operators, recording each generation
// and the trace. Changes after the horizon are not applied.
func (w *World) play() error {
	for _, wc := range worldChanges(w.sc) {
		if wc.at > w.sc.Horizon {
			break
		}
		changed, err := w.apply(wc.at, wc, func(t time.Duration, format string, a ...any) {
			w.trace = append(w.trace, traceLine{at: t, cache: -1, text: fmt.Sprintf(format, a...)})
		})
		if err != nil {
			return err
		}
		if changed {
			w.changes = append(w.changes, wc.at)
			w.versions = append(w.versions, w.version())
		}
	}
	return nil
}

// worldChanges lists the procedure's world changes in the order they happen:
// by time, then as written (an operator's actions before the registry's of
// the same step, which apply after the registry's processing delay), then
// the automatic ones.
func worldChanges(sc *scenarios.Scenario) []*worldChange {
	var out []*worldChange
	var transfer time.Duration
	for _, st := range sc.Procedure {
		if st.Name == sc.TransferStep {
			transfer = st.At
		}
		var reg, other []scenarios.Action
		for _, a := range st.Actions {
			if a.Actor == "registry" {
				reg = append(reg, a)
			} else {
				other = append(other, a)
			}
		}
		if len(other) > 0 || len(reg) == 0 {
			out = append(out, &worldChange{at: st.At, step: st.Name, actions: other})
		}
		if len(reg) > 0 {
			out = append(out, &worldChange{at: st.At + sc.Parent.ProcessingDelay, step: st.Name, actions: reg})
		}
	}
	for _, op := range []scenarios.Operator{sc.Losing, sc.Gaining} {
		switch op.Behaviour {
		case "hasty":
			out = append(out, &worldChange{at: transfer + op.HastyDelay, step: sc.TransferStep, note: "hasty",
				actions: []scenarios.Action{{Actor: op.Name, Action: op.HastyAction}}})
		case "passive":
			if op.DeleteAfter > 0 {
				out = append(out, &worldChange{at: transfer + op.DeleteAfter, step: sc.TransferStep, note: "deadline",
					actions: []scenarios.Action{{Actor: op.Name, Action: "delete-zone"}}})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out
}

// worldChange is a set of actions applied at one instant.
type worldChange struct {
	at      time.Duration
	step    string
	actions []scenarios.Action
	note    string // for automatic behaviour (hasty, passive deadline)
}

// Operator returns an operator's index by name ("losing", "gaining").
func (w *World) operatorIndex(name string) (int, error) {
	for _, op := range w.ops {
		if op.name == name {
			return op.idx, nil
		}
	}
	return 0, fmt.Errorf("sim: unknown operator %q", name)
}

func (w *World) ttl(d time.Duration) uint32 { return uint32(d / time.Second) }

// nsAddr gives each nameserver a loopback address, so that the world's zones
// could be served over real DNS as they are.
func nsAddr(op, n int) net.IP { return net.IPv4(127, 53, byte(1+op), byte(1+n)) }

// rebuildParent re-signs the parent zone for the registry's current NS and
// DS choices and validates what it says about the child.
func (w *World) rebuildParent() error {
	sc := w.sc
	soaTTL := w.ttl(sc.Parent.NegativeTTL)
	rrs := []dns.RR{
		&dns.SOA{Hdr: dns.RR_Header{Name: w.parent, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: soaTTL},
			Ns: "ns1.nic." + w.parent, Mbox: "hostmaster.nic." + w.parent, Serial: uint32(1 + w.parentVer),
			Refresh: 3600, Retry: 900, Expire: 604800, Minttl: soaTTL},
		&dns.NS{Hdr: dns.RR_Header{Name: w.parent, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: 172800}, Ns: "ns1.nic." + w.parent},
		&dns.A{Hdr: dns.RR_Header{Name: "ns1.nic." + w.parent, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 172800}, A: net.IPv4(127, 53, 0, 1)},
	}
	var nsOps []int
	for _, op := range w.ops {
		if !w.registryNS[op.idx] {
			continue
		}
		nsOps = append(nsOps, op.idx)
		for n, name := range op.cfg.Nameservers {
			name = dns.CanonicalName(name)
			rrs = append(rrs, &dns.NS{Hdr: dns.RR_Header{Name: w.child, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: w.ttl(sc.Parent.NSTTL)}, Ns: name})
			if dns.IsSubDomain(w.parent, name) {
				rrs = append(rrs, &dns.A{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: w.ttl(sc.Parent.NSTTL)}, A: nsAddr(op.idx, n)})
			}
		}
	}
	var ds []*dns.DS
	for _, op := range w.ops {
		if w.registryDS[op.idx] {
			d := op.ksk.DNSKEY.ToDS(dns.SHA256)
			d.Hdr.Ttl = w.ttl(sc.Parent.DSTTL)
			ds = append(ds, d)
			rrs = append(rrs, d)
		}
	}
	denial := signer.Denial{NSEC3: strings.EqualFold(sc.Parent.Denial, "nsec3")}
	signed, err := signer.SignZone(w.parent, rrs, signer.Options{
		KSKs: []*signer.Key{w.parentKSK}, ZSKs: []*signer.Key{w.parentZSK},
		Inception: w.sigInc, Expiration: w.sigExp, Denial: denial,
		DNSKEYTTL: 86400,
	})
	if err != nil {
		return fmt.Errorf("sim: signing %s: %w", w.parent, err)
	}
	z, err := authority.NewZone(w.parent, dedupe(signed))
	if err != nil {
		return err
	}
	ref := &referral{ver: w.parentVer, nsOps: nsOps, nsTTL: sc.Parent.NSTTL, ds: ds, hasDS: len(ds) > 0, parent: z}
	// Validate what a resolver learns from the referral, with real crypto.
	probe := w.sc.Probe.Name
	if probe == "" {
		probe = "www." + w.child
	}
	resp := z.Answer(dns.CanonicalName(probe), dns.TypeA)
	if len(nsOps) == 0 {
		ref.check = validator.Check{Status: validator.Bogus, Reason: "no delegation"}
	} else if ref.hasDS {
		var set []dns.RR
		var sigs []*dns.RRSIG
		for _, rr := range resp.Ns {
			switch r := rr.(type) {
			case *dns.DS:
				set = append(set, r)
			case *dns.RRSIG:
				if r.TypeCovered == dns.TypeDS {
					sigs = append(sigs, r)
				}
			}
		}
		ref.check = validator.VerifyRRset(set, sigs, w.parent, w.anchorKeys, w.now)
		ref.dsTTL = sc.Parent.DSTTL
	} else {
		ref.check = validator.ProveNoDS(w.parent, w.child, w.anchorKeys, resp.Ns, w.now)
		ref.dsTTL = sc.Parent.NegativeTTL
	}
	for _, d := range ds {
		ref.dsKey += d.String() + "\n"
	}
	w.referrals = append(w.referrals, ref)
	return nil
}

// dedupe drops exact duplicate records (two operators may share glue).
func dedupe(rrs []dns.RR) []dns.RR {
	seen := map[string]bool{}
	out := rrs[:0]
	for _, rr := range rrs {
		k := rr.String()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, rr)
	}
	return out
}

// snapshot signs op's zone as it is now and records it as its current
// version.
func (w *World) snapshot(op *operator) error {
	snap := &opSnap{}
	for len(op.snaps) < op.ver {
		op.snaps = append(op.snaps, nil) // a version no resolver can see: two actions of one step
	}
	op.snaps = append(op.snaps, snap)
	if !op.serving {
		return nil
	}
	cfg := op.cfg
	dataTTL := w.ttl(cfg.DataTTL)
	rrs := []dns.RR{
		&dns.SOA{Hdr: dns.RR_Header{Name: w.child, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: dataTTL},
			Ns: firstOr(cfg.Nameservers, "ns1."+w.child), Mbox: "hostmaster." + w.child, Serial: uint32(1 + op.ver),
			Refresh: 3600, Retry: 900, Expire: 604800, Minttl: dataTTL},
	}
	for _, other := range w.ops {
		if !op.apexNS[other.idx] {
			continue
		}
		snap.apexNSes = append(snap.apexNSes, other.idx)
		for n, name := range other.cfg.Nameservers {
			name = dns.CanonicalName(name)
			rrs = append(rrs, &dns.NS{Hdr: dns.RR_Header{Name: w.child, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: w.ttl(cfg.NSTTL)}, Ns: name})
			if dns.IsSubDomain(w.child, name) {
				rrs = append(rrs, &dns.A{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: w.ttl(cfg.NSTTL)}, A: nsAddr(other.idx, n)})
			}
		}
	}
	probe := w.probeName()
	rrs = append(rrs, &dns.A{Hdr: dns.RR_Header{Name: probe, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: dataTTL},
		A: net.IPv4(192, 0, 2, byte(1+op.idx))})
	if op.signed && op.cds {
		cds := op.ksk.DNSKEY.ToDS(dns.SHA256).ToCDS()
		cds.Hdr.Ttl = dataTTL
		cdnskey := op.ksk.DNSKEY.ToCDNSKEY()
		cdnskey.Hdr.Ttl = dataTTL
		rrs = append(rrs, cds, cdnskey)
	}
	if op.signed {
		var extra []*dns.DNSKEY
		for _, other := range w.ops {
			if op.extra[other.idx] {
				extra = append(extra, other.zsk.DNSKEY)
			}
		}
		signed, err := signer.SignZone(w.child, dedupe(rrs), signer.Options{
			KSKs: []*signer.Key{op.ksk}, ZSKs: []*signer.Key{op.zsk}, ExtraDNSKEYs: extra,
			Inception: w.sigInc, Expiration: w.sigExp, DNSKEYTTL: w.ttl(cfg.DNSKEYTTL),
		})
		if err != nil {
			return fmt.Errorf("sim: signing %s at %s: %w", w.child, op.name, err)
		}
		rrs = signed
		if op.noKeys {
			kept := rrs[:0]
			for _, rr := range rrs {
				if rr.Header().Rrtype == dns.TypeDNSKEY {
					continue
				}
				if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == dns.TypeDNSKEY {
					continue
				}
				kept = append(kept, rr)
			}
			rrs = kept
		}
	}
	z, err := authority.NewZone(w.child, dedupe(rrs))
	if err != nil {
		return err
	}
	snap.zone = z
	for _, rr := range z.Answer(w.child, dns.TypeDNSKEY).Answer {
		switch r := rr.(type) {
		case *dns.DNSKEY:
			snap.dnskeys = append(snap.dnskeys, r)
		case *dns.RRSIG:
			snap.keySigs = append(snap.keySigs, r)
		}
	}
	for _, rr := range z.Answer(probe, w.sc.Probe.Type).Answer {
		switch r := rr.(type) {
		case *dns.RRSIG:
			snap.ansSigs = append(snap.ansSigs, r)
		default:
			snap.answer = append(snap.answer, r)
		}
	}
	return nil
}

func (w *World) probeName() string {
	if w.sc.Probe.Name != "" {
		return dns.CanonicalName(w.sc.Probe.Name)
	}
	return "www." + w.child
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return dns.CanonicalName(list[0])
	}
	return def
}

// keyEntry authenticates version opVer of op's DNSKEY set against the DS
// set of parent version dsVer (memoised: the crypto runs once per
// combination).
func (w *World) keyEntry(opIdx, opVer, dsVer int) *keyEntryData {
	k := keyMemoKey{opIdx, opVer, dsVer}
	w.memoMu.Lock()
	defer w.memoMu.Unlock()
	if d, ok := w.keyMemo[k]; ok {
		return d
	}
	snap := w.ops[opIdx].snaps[opVer]
	ref := w.referrals[dsVer]
	d := &keyEntryData{}
	d.check = validator.AuthenticateKeys(w.child, snap.dnskeys, snap.keySigs, ref.ds, w.now)
	if d.check.Status == validator.Secure {
		d.keys = snap.dnskeys
		d.ttl = time.Duration(d.check.TTL) * time.Second
	}
	w.keyMemo[k] = d
	return d
}

// answerFrom validates version opVer of op's answer with a key entry's keys.
func (w *World) answerFrom(opIdx, opVer int, key keyID, keys []*dns.DNSKEY) answerData {
	k := answerMemoKey{opIdx, opVer, key}
	w.memoMu.Lock()
	defer w.memoMu.Unlock()
	if d, ok := w.answerMemo[k]; ok {
		return d
	}
	snap := w.ops[opIdx].snaps[opVer]
	d := answerData{}
	d.check = validator.VerifyRRset(snap.answer, snap.ansSigs, w.child, keys, w.now)
	d.ttl = w.ops[opIdx].cfg.DataTTL
	if d.check.Status == validator.Secure {
		d.ttl = time.Duration(d.check.TTL) * time.Second
	}
	w.answerMemo[k] = d
	return d
}

// verdictText summarises a check for comparing outcomes.
func verdictText(c validator.Check, ttl time.Duration) string {
	ede := -1
	if c.EDE != nil {
		ede = int(*c.EDE)
	}
	return strconv.Itoa(int(c.Status)) + "/" + strconv.Itoa(ede) + "/" + strconv.FormatInt(int64(ttl), 10)
}

// keyClass summarises what the key entry built from version opVer of op's
// DNSKEY set with the DS set of parent version dsVer does: its verdict and
// lifetime and, when Secure, the verdict it gives every answer any
// operator serves in any version. Two key entries of one class behave
// alike in every future of the run.
func (w *World) keyClass(op, opVer, dsVer int) string {
	k := keyMemoKey{op, opVer, dsVer}
	w.memoMu.Lock()
	cl, ok := w.classMemo[k]
	w.memoMu.Unlock()
	if ok {
		return cl
	}
	d := w.keyEntry(op, opVer, dsVer)
	cl = verdictText(d.check, d.ttl)
	if d.check.Status == validator.Secure {
		id := keyID{kind: keySecure, op: op, opVer: opVer, dsVer: dsVer}
		for o2, other := range w.ops {
			for v2, snap := range other.snaps {
				if snap == nil || snap.zone == nil {
					continue
				}
				a := w.answerFrom(o2, v2, id, d.keys)
				cl += ";" + verdictText(a.check, a.ttl)
			}
		}
	}
	w.memoMu.Lock()
	w.classMemo[k] = cl
	w.memoMu.Unlock()
	return cl
}
