package plan

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/duration"
	"github.com/dnssecsim/dnssecsim/scenarios"
	"github.com/dnssecsim/dnssecsim/sim"
)

// Step is one step of a plan.
type Step struct {
	// Name identifies the step ("remove-old-ds").
	Name string
	// Actor is who carries the step out ("gaining registrar").
	Actor string
	// Actions are the world changes the step makes; none for a step that
	// only marks a moment.
	Actions []scenarios.Action
	// At is the step's time from the start of the plan.
	At time.Duration
	// Wait is how long after the previous step it comes.
	Wait time.Duration
	// Reason says why the step comes when it does: the TTL waited for and
	// what the wait protects.
	Reason string
	// Guideline is the wait the guideline gives before this step,
	// evaluated with the plan's TTLs, and GuidelineText what it is ("old
	// DS TTL"); GuidelineText is empty where the guideline gives no wait.
	Guideline     time.Duration
	GuidelineText string
}

// Plan is a dated procedure for one case.
type Plan struct {
	// Case is the row of the case table.
	Case Case
	// Steps are in time order; the first is at 0.
	Steps []Step
	// Profiles are the resolver profiles whose TTL caps the waits account
	// for: those of the scenario's population.
	Profiles []string

	base *scenarios.Scenario
}

// term is one TTL a wait must cover.
type term struct {
	label string        // "parent DS TTL"
	ttl   time.Duration // as published
	eff   time.Duration // as the longest-keeping profile keeps it
	why   string
	cap   string // how the profiles' caps changed it, or ""
}

// builder computes waits for one scenario and population.
type builder struct {
	sc       *scenarios.Scenario
	profiles []sim.Profile
	regName  string // who asks the registry: "gaining registrar" or "registrar"
}

// Make builds the plan for case c. The scenario supplies the world and its
// TTLs (normally the case's built-in, with the caller's overrides) and the
// resolver population whose TTL caps bound the waits. Case 15 has no steps.
func Make(c Case, sc *scenarios.Scenario) (*Plan, error) {
	p := &Plan{Case: c, base: sc}
	if !c.HasPattern() {
		return p, nil
	}
	if sc == nil {
		return nil, fmt.Errorf("plan: case %d needs a scenario for its TTLs", c.Number)
	}
	b := &builder{sc: sc, regName: "gaining registrar"}
	if c.Situation.RegistrarChange == No {
		b.regName = "registrar"
	}
	for _, pw := range sc.Resolvers.Profiles {
		prof, err := sim.LookupProfile(pw.Name)
		if err != nil {
			return nil, err
		}
		b.profiles = append(b.profiles, prof)
		p.Profiles = append(p.Profiles, pw.Name)
	}
	p.Steps = b.steps(c)
	var at time.Duration
	for i := range p.Steps {
		at += p.Steps[i].Wait
		p.Steps[i].At = at
	}
	return p, nil
}

// TransferStep is the name of the step at which the move starts (authority
// moves, or the new DNS service is ordered).
func (p *Plan) TransferStep() string {
	if len(p.Steps) == 0 {
		return ""
	}
	return p.Steps[0].Name
}

// registry, losing, gaining build actions.
func registry(action, operator string) scenarios.Action {
	return scenarios.Action{Actor: scenarios.ActorRegistry, Action: action, Operator: operator}
}

func losing(action, operator string) scenarios.Action {
	return scenarios.Action{Actor: scenarios.ActorLosing, Action: action, Operator: operator}
}

func gaining(action, operator string) scenarios.Action {
	return scenarios.Action{Actor: scenarios.ActorGaining, Action: action, Operator: operator}
}

const (
	opLosing  = scenarios.ActorLosing
	opGaining = scenarios.ActorGaining
)

// steps lists the case's steps with their waits.
func (b *builder) steps(c Case) []Step {
	sc := b.sc
	reg := b.regName
	var first Step
	if c.Situation.RegistrarChange == Yes {
		first = Step{Name: "transfer", Actor: "registry", Reason: "steps 1-5: the registrant applies, the losing registrar approves and the registry moves authority to the gaining registrar"}
	} else {
		first = Step{Name: "order", Actor: "registrant", Reason: "the registrant orders DNS service from the gaining operator; the registrar stays"}
	}
	atOnce := func(why string) (time.Duration, string) { return 0, "at once: " + why }
	guide := func(st Step, d time.Duration, text string) Step {
		st.Guideline, st.GuidelineText = d, text
		return st
	}
	removeOldDS := func() Step {
		w, r := atOnce("the losing side may delete its DNSKEYs as soon as it loses authority, which is Bogus for every cache still holding its DS (guideline step 6)")
		if c.Situation.NSChange == No {
			r = "at once: the gaining registrar does not relay DS, so the DS cannot stay; the operator stops signing only when no cache needs its keys"
		}
		return guide(Step{Name: "remove-old-ds", Actor: reg, Actions: []scenarios.Action{registry("remove-ds", opLosing)}, Wait: w, Reason: r}, 0, "at once")
	}
	switchNS := func(w time.Duration, r string) Step {
		return Step{Name: "switch-ns", Actor: reg, Actions: []scenarios.Action{registry("remove-ns", opLosing), registry("add-ns", opGaining)}, Wait: w, Reason: r}
	}
	allSecure := func() Step {
		w, r := b.negWait()
		return guide(Step{Name: "all-secure", Actor: "-", Wait: w, Reason: r}, sc.Parent.NSTTL, "new NS TTL")
	}

	switch {
	case c.Pattern == 2:
		w, r := b.dsWait("the gaining side's answers, signed with a key not in that set, are Bogus on Unbound meanwhile")
		sw := guide(switchNS(w, r), sc.Parent.DSTTL, "old DS TTL")
		w, r = b.oldNSWait("before the new DS appears: a cache checks it against the DNSKEY set of the servers it uses, and the losing set has no key that matches it")
		add := guide(Step{Name: "add-new-ds", Actor: reg, Actions: []scenarios.Action{registry("add-ds", opGaining), gaining("notify", opLosing)}, Wait: w, Reason: r + "; then the losing side may delete its zone"}, sc.Parent.NSTTL, "old NS TTL")
		return []Step{first, removeOldDS(), sw, add, allSecure()}

	case c.Pattern == 3 && c.Situation.NSChange == Yes:
		w, r := atOnce("the losing side has no DS (checked; with one, pattern 2 applies), so there is nothing to wait for (guideline step 6)")
		sw := guide(switchNS(w, r), 0, "at once")
		w, r = b.oldNSWait("before the new DS appears: a cache checks it against the DNSKEY set of the servers it uses, and the losing servers do not sign")
		add := guide(Step{Name: "add-new-ds", Actor: reg, Actions: []scenarios.Action{registry("add-ds", opGaining), gaining("notify", opLosing)}, Wait: w, Reason: r + "; then the losing side may delete its zone"}, sc.Parent.NSTTL, "old NS TTL")
		return []Step{first, sw, add, allSecure()}

	case c.Pattern == 3: // case 8: the same operator starts signing
		w, r := atOnce("the operator signs the zone it already serves")
		sign := Step{Name: "sign", Actor: "operator", Actions: []scenarios.Action{losing("sign", opLosing)}, Wait: w, Reason: r}
		w, r = b.wait(b.term("operator's data TTL", sc.Losing.DataTTL, b.all, false,
			"the unsigned answers cached before the signing expire before the DS makes validators expect signatures"))
		add := Step{Name: "add-ds", Actor: reg, Actions: []scenarios.Action{registry("add-ds", opLosing)}, Wait: w, Reason: r}
		return []Step{first, sign, add, allSecure()}

	case c.Pattern == 4 && c.Situation.NSChange == Yes:
		w, r := b.dsWait("the gaining side's unsigned answers are Bogus on Unbound meanwhile")
		sw := guide(switchNS(w, r), sc.Parent.DSTTL, "old DS TTL")
		w, r = b.oldNSWait("before the losing side deletes its zone")
		done := guide(Step{Name: "done", Actor: reg, Actions: []scenarios.Action{gaining("notify", opLosing)}, Wait: w, Reason: r + "; then tell it that it may (guideline step 10)"}, sc.Parent.NSTTL, "old NS TTL")
		return []Step{first, removeOldDS(), sw, done}

	case c.Pattern == 4: // case 7: the same operator stops signing
		w, r := b.dsWait("its unsigned answers are Bogus on Unbound meanwhile")
		stop := guide(Step{Name: "stop-signing", Actor: "operator", Actions: []scenarios.Action{losing("unsign", opLosing)}, Wait: w, Reason: r + "; the operator may stop signing after that"}, sc.Parent.DSTTL, "old DS TTL")
		return []Step{first, removeOldDS(), stop}

	case c.Pattern == 0 && c.Situation.NSChange == Yes:
		w, r := atOnce("neither side signs (guideline pattern 0, step 6)")
		sw := guide(switchNS(w, r), 0, "at once")
		sw.Actions = append(sw.Actions, gaining("notify", opLosing))
		w, r = b.oldNSWait("before their zone is deleted")
		del := guide(Step{Name: "delete-old-zone", Actor: "losing operator", Actions: []scenarios.Action{losing("delete-zone", opLosing)}, Wait: w, Reason: r + " (guideline pattern 0, step 7)"}, sc.Parent.NSTTL, "old NS TTL")
		return []Step{first, sw, del}

	case c.Pattern == 1:
		w, r := atOnce("each operator publishes the other's ZSK, so that a DNSKEY set from either side validates answers from both")
		ex := Step{Name: "exchange-keys", Actor: "both operators", Actions: []scenarios.Action{losing("publish-key", opGaining), gaining("publish-key", opLosing)}, Wait: w, Reason: r}
		w, r = atOnce("the gaining DS joins the losing DS; a cache that gets both still validates the losing DNSKEY set with the losing DS")
		ds := Step{Name: "add-gaining-ds", Actor: reg, Actions: []scenarios.Action{registry("add-ds", opGaining)}, Wait: w, Reason: r}
		w, r = b.wait(
			b.term("parent DS TTL", sc.Parent.DSTTL, b.all, false, "every cache must hold both DS before it can reach the gaining servers"),
			b.term("losing DNSKEY TTL", sc.Losing.DNSKEYTTL, b.all, false, "every cached losing DNSKEY set must hold the gaining ZSK before a cache can get answers signed with it"),
			b.term("gaining DNSKEY TTL", sc.Gaining.DNSKEYTTL, b.all, false, "every cached gaining DNSKEY set must hold the losing ZSK"))
		sw := switchNS(w, r)
		sw.Actions = append([]scenarios.Action{losing("add-ns", opGaining)}, sw.Actions...)
		w, r = b.oldNSWait("before the losing DS, ZSK and zone go: nothing else needs them")
		post := Step{Name: "post-migration", Actor: "both operators", Actions: []scenarios.Action{registry("remove-ds", opLosing), gaining("withdraw-key", opLosing), losing("delete-zone", opLosing)}, Wait: w, Reason: r}
		return []Step{first, ex, ds, sw, post}
	}
	// Pattern 5 (case 6) and pattern 0 without an NS change (case 9):
	// nothing a resolver sees changes.
	first.Reason += "; the NS, DS and keys stay as they are, so there is nothing to wait for"
	return []Step{first}
}

// all selects every validating profile.
func (b *builder) all(p sim.Profile) bool { return p.Validating }

// keyCaching selects the profiles that use a validated DNSKEY set for its
// whole TTL without looking at the DS again.
func (b *builder) keyCaching(p sim.Profile) bool { return p.Validating && p.KeyCache == "dnskey_ttl" }

// childCentric selects the profiles that keep the child's apex NS set for
// its own TTL.
func (b *builder) childCentric(p sim.Profile) bool {
	return p.NSMode == "child" && p.ChildNSFromAnswers
}

// dsWait is the wait after the old DS is removed: the DS TTL, and for
// resolvers with a key cache the DS TTL plus the losing DNSKEY TTL: such a
// cache may rebuild its key entry from a DS it still holds just before
// that DS expires, and then keeps the losing keys a whole DNSKEY TTL.
func (b *builder) dsWait(meanwhile string) (time.Duration, string) {
	return b.wait(
		b.term("parent DS TTL", b.sc.Parent.DSTTL, b.all, false, "caches must drop the old DS"),
		b.sum("parent DS TTL + losing DNSKEY TTL", []time.Duration{b.sc.Parent.DSTTL, b.sc.Losing.DNSKEYTTL}, b.keyCaching,
			"resolvers with a key cache ("+b.names(b.keyCaching)+") use a validated DNSKEY set for its whole TTL without looking at the DS again, and may validate the losing set with a DS they fetched just before its removal until that DS expires (measured on Unbound: the DS-refresh corner); "+meanwhile))
}

// sum builds a wait for several TTLs one after the other, each as the
// selected profile keeps it; the longest-keeping profile decides.
func (b *builder) sum(label string, ttls []time.Duration, sel func(sim.Profile) bool, why string) *term {
	var eff, raw time.Duration
	found := false
	for _, d := range ttls {
		raw += d
	}
	for _, p := range b.profiles {
		if !sel(p) {
			continue
		}
		found = true
		var total time.Duration
		for _, d := range ttls {
			if p.MaxTTL > 0 && d > p.MaxTTL {
				d = p.MaxTTL
			}
			total += max(d, p.MinTTL)
		}
		eff = max(eff, total)
	}
	if !found {
		return nil
	}
	t := &term{label: label, ttl: raw, eff: eff, why: why}
	if eff < raw {
		t.cap = fmt.Sprintf(", kept at most %s by the resolvers' max cache TTL", duration.Format(eff))
	}
	return t
}

// oldNSWait is the wait after the NS switch: the delegation NS TTL, and for
// child-centric resolvers the losing apex NS TTL plus the losing data TTL:
// such a cache may fetch the delegation just before the switch and learn
// the losing servers' own NS set, for its whole TTL, from the first answer
// after it.
func (b *builder) oldNSWait(why string) (time.Duration, string) {
	return b.wait(
		b.term("old NS TTL", b.sc.Parent.NSTTL, b.all, false, "caches must leave the losing servers "+why),
		b.sum("losing apex NS TTL + losing data TTL", []time.Duration{b.sc.Losing.NSTTL, b.sc.Losing.DataTTL}, b.childCentric,
			"child-centric resolvers ("+b.names(b.childCentric)+") keep the losing servers' own NS set for its TTL from the first answer after their last referral"))
}

// negWait is how long after the new DS every cache is Secure: its cached
// proof that there was no DS expires, and then the Insecure answer it gave
// last expires too.
func (b *builder) negWait() (time.Duration, string) {
	var eff time.Duration
	found := false
	for _, p := range b.profiles {
		if !p.Validating {
			continue
		}
		found = true
		neg := b.sc.Parent.NegativeTTL
		if p.MaxNegativeTTL > 0 && neg > p.MaxNegativeTTL {
			neg = p.MaxNegativeTTL
		}
		data := b.sc.Gaining.DataTTL
		if p.MaxTTL > 0 && data > p.MaxTTL {
			data = p.MaxTTL
		}
		eff = max(eff, max(neg, p.MinTTL)+max(data, p.MinTTL))
	}
	if !found {
		return 0, "no resolver profile of the population validates"
	}
	return eff, fmt.Sprintf("wait parent negative TTL %s + gaining data TTL %s (%s as the resolvers keep them): every cache turns Secure once its cached proof that there is no DS expires and the Insecure answer it gave last expires (measured on Unbound and BIND: Insecure ends after the negative TTL, not after the new NS TTL the guideline waits for)",
		duration.Format(b.sc.Parent.NegativeTTL), duration.Format(b.sc.Gaining.DataTTL), duration.Format(eff))
}

// term builds a TTL to wait for, as the longest-keeping selected profile
// keeps it; nil when no profile is selected.
func (b *builder) term(label string, ttl time.Duration, sel func(sim.Profile) bool, negative bool, why string) *term {
	var eff time.Duration
	found := false
	var capped, raised, whole []string
	for _, p := range b.profiles {
		if !sel(p) {
			continue
		}
		found = true
		maxTTL := p.MaxTTL
		if negative {
			maxTTL = p.MaxNegativeTTL
		}
		d := ttl
		if maxTTL > 0 && d > maxTTL {
			d = maxTTL
			capped = append(capped, fmt.Sprintf("%s %s", p.Name, duration.Format(maxTTL)))
		}
		if d < p.MinTTL {
			d = p.MinTTL
			raised = append(raised, fmt.Sprintf("%s %s", p.Name, duration.Format(p.MinTTL)))
		}
		if d == ttl {
			whole = append(whole, p.Name)
		}
		eff = max(eff, d)
	}
	if !found {
		return nil
	}
	t := &term{label: label, ttl: ttl, eff: eff, why: why}
	switch {
	case eff < ttl:
		t.cap = fmt.Sprintf(", kept at most %s by the resolvers (max cache TTL: %s)", duration.Format(eff), strings.Join(capped, ", "))
	case eff > ttl:
		t.cap = fmt.Sprintf(", kept at least %s by the resolvers (min cache TTL: %s)", duration.Format(eff), strings.Join(raised, ", "))
	case len(capped) > 0:
		t.cap = fmt.Sprintf(" (kept whole by %s; capped by %s)", strings.Join(whole, ", "), strings.Join(capped, ", "))
	}
	return t
}

// wait is the longest of the terms, with a reason naming it and why it
// matters, then any term as long, then the shorter ones.
func (b *builder) wait(terms ...*term) (time.Duration, string) {
	var ts []*term
	for _, t := range terms {
		if t != nil {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return 0, "no resolver profile of the population is affected"
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].eff > ts[j].eff })
	top := ts[0]
	var r strings.Builder
	fmt.Fprintf(&r, "wait %s %s%s: %s", top.label, duration.Format(top.ttl), top.cap, top.why)
	var shorter []string
	for _, t := range ts[1:] {
		if t.eff == top.eff {
			fmt.Fprintf(&r, "; as long, the %s %s%s: %s", t.label, duration.Format(t.ttl), t.cap, t.why)
		} else {
			shorter = append(shorter, fmt.Sprintf("the %s (%s)", t.label, duration.Format(t.eff)))
		}
	}
	if len(shorter) > 0 {
		fmt.Fprintf(&r, "; shorter: %s", strings.Join(shorter, ", "))
	}
	return top.eff, r.String()
}

// names lists the selected profiles of the population, or "none".
func (b *builder) names(sel func(sim.Profile) bool) string {
	var ns []string
	for _, p := range b.profiles {
		if sel(p) {
			ns = append(ns, p.Name)
		}
	}
	if len(ns) == 0 {
		return "none"
	}
	return strings.Join(ns, ", ")
}

// Scenario returns a scenario that carries out the plan: the world, TTLs
// and population of the plan's scenario with the plan's steps at the plan's
// times. waits, when not nil, replaces each step's wait (one per step).
func (p *Plan) Scenario(waits []time.Duration) (*scenarios.Scenario, error) {
	if p.base == nil || len(p.Steps) == 0 {
		return nil, fmt.Errorf("plan: case %d has no steps to simulate", p.Case.Number)
	}
	if waits != nil && len(waits) != len(p.Steps) {
		return nil, fmt.Errorf("plan: %d waits for %d steps", len(waits), len(p.Steps))
	}
	sc := *p.base
	sc.Procedure = nil
	var at time.Duration
	for i, st := range p.Steps {
		w := st.Wait
		if waits != nil {
			w = waits[i]
		}
		at += w
		sc.Procedure = append(sc.Procedure, scenarios.Step{Name: st.Name, Note: st.Reason, At: at,
			Actions: append([]scenarios.Action(nil), st.Actions...)})
	}
	sc.TransferStep = p.TransferStep()
	sc.Expect = nil
	if p.Case.Situation.NSChange == No {
		// One operator serves throughout and carries out the steps.
		sc.Losing.Behaviour = "cooperative"
	}
	// The default horizon: the last step plus three times the largest TTL.
	sc.Horizon = 0
	if err := sc.Schedule(); err != nil {
		return nil, err
	}
	return &sc, nil
}
