package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/duration"
	"github.com/dnssecsim/dnssecsim/scenarios"
	"github.com/dnssecsim/dnssecsim/scenarios/plan"
	"github.com/dnssecsim/dnssecsim/sim"
)

const planUsage = `plan --registrar-change yes|no --ns-change yes|no --dnssec-before yes|no --dnssec-after yes|no [--key-exchange yes|no] [--set key=value ...] [--start TIME] [--format text|json] [--profiles NAME,...] [--verify] [--minimize]

Finds the row of the guideline's case table for a situation and prints its
case number, pattern and expected state path, then a dated schedule of the
steps with each wait computed from the actual TTLs and the resolver
profiles' TTL caps, and why. TTLs default to those of the pattern's built-in
scenario; --set changes them with the same paths as 'run' (and
resolvers.profiles the population whose caps the waits cover).
--key-exchange is needed when the NS changes and both sides sign.

Every schedule printed is checked by the worst-case analysis (every phase
of every cache, every server choice) against each profile of --profiles
(default: every validating profile). When it is not proven free of Bogus
and Lame for all of them, plan names the profiles, shows a witness cache
and why it fails, says whether a method (1) schedule (a key exchange) is
proven safe for the same TTLs, and exits with status 5.

--verify adds what a sampled population of each profile sees (the Insecure
exposure). --minimize searches for the shortest waits that the worst-case
analysis proves free of Bogus (and no longer Lame than the plan) and prints
them beside the guideline's and the plan's.`

// planNow is the clock the plan command reads when --start is not given.
var planNow = time.Now

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("plan", planUsage, stdout)
	var answers [5]string
	questions := [5]struct{ flag, help string }{
		{"registrar-change", "the domain moves to another registrar: yes or no"},
		{"ns-change", "the DNS operator (and so the NS) changes: yes or no"},
		{"dnssec-before", "the zone is signed with a DS in the parent before the move: yes or no"},
		{"dnssec-after", "the zone is signed with a DS in the parent after the move: yes or no"},
		{"key-exchange", "the two DNS operators exchange keys (method (1)): yes or no"},
	}
	for i, q := range questions {
		fs.StringVar(&answers[i], q.flag, "", q.help)
	}
	sets := fs.StringArray("set", nil, "override a value of the pattern's built-in scenario by its dotted path, e.g. parent.ds_ttl=2h (repeatable)")
	start := fs.String("start", "", "when the first step happens: RFC 3339 or YYYYMMDDHHMMSS (default: now)")
	format := fs.String("format", "text", "output format: text or json")
	verify := fs.Bool("verify", false, "simulate the schedule against every resolver profile")
	minimize := fs.Bool("minimize", false, "search for the shortest waits that keep every profile Bogus-free")
	caches := fs.Int("caches", 0, "caches per profile of the sampled exposure of --verify and --minimize (default: the scenario's count)")
	profileList := fs.String("profiles", "", "comma-separated resolver profiles the schedule must be safe for (default: every validating profile)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q: the situation is given with flags", fs.Arg(0))
	}
	if *caches < 0 {
		return usageErr("--caches %d: expected a positive number", *caches)
	}
	var sit plan.Situation
	fields := []*plan.Answer{&sit.RegistrarChange, &sit.NSChange, &sit.DNSSECBefore, &sit.DNSSECAfter, &sit.KeyExchange}
	for i, a := range answers {
		if a == "" {
			continue
		}
		v, err := plan.ParseAnswer(a)
		if err != nil {
			return usageErr("--%s: %v", questions[i].flag, err)
		}
		*fields[i] = v
	}
	c, err := plan.Classify(sit)
	if err != nil {
		return usageErr("%v", err)
	}
	startAt := planNow().UTC().Truncate(time.Second)
	if *start != "" {
		if startAt, err = parseTime(*start); err != nil {
			return usageErr("--start: %v", err)
		}
		startAt = startAt.UTC()
	}

	var profiles []string
	if *profileList != "" {
		for _, n := range strings.Split(*profileList, ",") {
			n = strings.TrimSpace(n)
			prof, err := sim.LookupProfile(n)
			if err != nil {
				return usageErr("--profiles: %v", err)
			}
			if !prof.Validating {
				return usageErr("--profiles: %s does not validate: it is never Bogus, so there is nothing to check", n)
			}
			profiles = append(profiles, n)
		}
	}

	var sc *scenarios.Scenario
	if c.Scenario != "" {
		if sc, err = scenarios.Builtin(c.Scenario); err != nil {
			return inputErr(err)
		}
		if err := applySets(sc, *sets); err != nil {
			return err
		}
		if err := sc.ValidateProfiles(sim.ProfileNames()); err != nil {
			return usageErr("%v", err)
		}
	} else if len(*sets) > 0 {
		return usageErr("--set: case 15 has no schedule, so there are no TTLs to set")
	}
	if sc != nil {
		// The waits cover, and the check holds for, the same profiles:
		// --profiles, else the population --set gives, else every
		// validating profile.
		if profiles == nil && !setsPopulation(*sets) {
			profiles = plan.ValidatingProfiles()
		}
		if profiles == nil {
			for _, pw := range sc.Resolvers.Profiles {
				if prof, err := sim.LookupProfile(pw.Name); err == nil && prof.Validating {
					profiles = append(profiles, pw.Name)
				}
			}
		} else {
			sc.Resolvers.Profiles = nil
			for _, n := range profiles {
				sc.Resolvers.Profiles = append(sc.Resolvers.Profiles, scenarios.ProfileWeight{Name: n, Weight: 1})
			}
		}
	}
	p, err := plan.Make(c, sc)
	if err != nil {
		return inputErr(err)
	}

	out := planOutput{plan: p, sc: sc, start: startAt, sets: *sets, answers: answers}
	if (*verify || *minimize) && len(p.Steps) == 0 {
		return usageErr("--verify and --minimize: case 15 has no schedule to simulate")
	}
	if len(p.Steps) > 0 {
		if out.worst, err = p.Check(nil, profiles, sim.WorstOptions{}); err != nil {
			return inputErr(err)
		}
		if ok, _ := plan.Safe(out.worst); !ok {
			if out.longer, err = longerWaits(p, profiles); err != nil {
				return inputErr(err)
			}
			if c.Pattern == 2 {
				if out.alt, out.altPlan, err = methodOne(c, *sets, profiles); err != nil {
					return err
				}
			}
		}
	}
	if *verify {
		if out.verify, err = p.Verify(ctx, plan.Options{Caches: *caches, Profiles: profiles}); err != nil {
			return inputErr(err)
		}
		out.verifyCaches = *caches
		if out.verifyCaches == 0 {
			out.verifyCaches = sc.Resolvers.Count
		}
	}
	if *minimize {
		t0 := time.Now()
		if out.minimize, err = p.Minimize(ctx, plan.Options{Caches: *caches, Profiles: profiles}); err != nil {
			return inputErr(err)
		}
		out.minimizeTime = time.Since(t0)
	}
	if *format == "json" {
		b, err := json.MarshalIndent(out.json(), "", "  ")
		if err != nil {
			return err
		}
		if _, err = stdout.Write(append(b, '\n')); err != nil {
			return err
		}
	} else if _, err = io.WriteString(stdout, out.text()); err != nil {
		return err
	}
	if out.worst != nil {
		if ok, _ := plan.Safe(out.worst); !ok {
			return silentExit(exitUnsafe)
		}
	}
	return nil
}

// longerWaits checks the schedule with every wait lengthened by the
// scenario's largest TTL: whether waiting longer is what it takes.
func longerWaits(p *plan.Plan, profiles []string) (map[string]*sim.WorstCase, error) {
	sc, err := p.Scenario(nil)
	if err != nil {
		return nil, err
	}
	extra := max(sc.Parent.NSTTL, sc.Parent.DSTTL, sc.Losing.NSTTL, sc.Losing.DNSKEYTTL, sc.Losing.DataTTL,
		sc.Gaining.NSTTL, sc.Gaining.DNSKEYTTL, sc.Gaining.DataTTL)
	waits := make([]time.Duration, len(p.Steps))
	for i, st := range p.Steps {
		waits[i] = st.Wait
		if len(st.Actions) > 0 && i > 0 {
			waits[i] += extra
		}
	}
	return p.Check(waits, profiles, sim.WorstOptions{})
}

// methodOne plans and checks the same move with a key exchange (method
// (1)), with the same TTLs.
func methodOne(c plan.Case, sets, profiles []string) (map[string]*sim.WorstCase, *plan.Plan, error) {
	sit := c.Situation
	sit.KeyExchange = plan.Yes
	alt, err := plan.Classify(sit)
	if err != nil || alt.Pattern != 1 {
		return nil, nil, nil
	}
	sc, err := scenarios.Builtin(alt.Scenario)
	if err != nil {
		return nil, nil, inputErr(err)
	}
	if err := applySets(sc, sets); err != nil {
		return nil, nil, err
	}
	ap, err := plan.Make(alt, sc)
	if err != nil {
		return nil, nil, inputErr(err)
	}
	wc, err := ap.Check(nil, profiles, sim.WorstOptions{})
	if err != nil {
		return nil, nil, inputErr(err)
	}
	return wc, ap, nil
}

// planOutput is everything the plan command reports.
type planOutput struct {
	plan         *plan.Plan
	sc           *scenarios.Scenario
	start        time.Time
	sets         []string
	answers      [5]string
	worst        map[string]*sim.WorstCase // the printed schedule's worst case
	longer       map[string]*sim.WorstCase // with every wait lengthened, when unsafe
	alt          map[string]*sim.WorstCase // method (1) for the same TTLs, when unsafe
	altPlan      *plan.Plan
	verify       []plan.ProfileResult
	verifyCaches int
	minimize     *plan.MinimizeResult
	minimizeTime time.Duration
}

// planJSON is the JSON form of a plan.
type planJSON struct {
	Case      int            `json:"case"`
	Pattern   *int           `json:"pattern"`
	StatePath []string       `json:"state_path"`
	Table     string         `json:"table"`
	Start     string         `json:"start"`
	Scenario  string         `json:"scenario,omitempty"`
	Profiles  []string       `json:"profiles,omitempty"`
	Steps     []planStepJSON `json:"steps"`
	// Safe is true when the worst case of every profile checked is proven
	// free of Bogus and Lame; WorstCase holds each profile's.
	Safe      *bool                     `json:"safe,omitempty"`
	Unsafe    []string                  `json:"unsafe,omitempty"`
	WorstCase map[string]*sim.WorstCase `json:"worst_case,omitempty"`
	Longer    map[string]*sim.WorstCase `json:"worst_case_longer_waits,omitempty"`
	MethodOne map[string]*sim.WorstCase `json:"worst_case_method_1,omitempty"`
	Verify    []plan.ProfileResult      `json:"verify,omitempty"`
	Minimize  *minimizeJSON             `json:"minimize,omitempty"`
}

type planStepJSON struct {
	Name             string   `json:"name"`
	Actor            string   `json:"actor"`
	At               string   `json:"at"`
	WaitSeconds      float64  `json:"wait_seconds"`
	Reason           string   `json:"reason"`
	Actions          []string `json:"actions"`
	Guideline        string   `json:"guideline,omitempty"`
	GuidelineSeconds *float64 `json:"guideline_wait_seconds,omitempty"`
}

type minimizeJSON struct {
	Profiles []string                  `json:"profiles"`
	Runs     int                       `json:"runs"`
	Seconds  float64                   `json:"elapsed_seconds"`
	Unsafe   []string                  `json:"unsafe,omitempty"`
	Steps    []minimizeStepJSON        `json:"steps"`
	Worst    map[string]*sim.WorstCase `json:"worst_case"`
	Results  []plan.ProfileResult      `json:"results"`
}

type minimizeStepJSON struct {
	Name             string   `json:"name"`
	PlanSeconds      float64  `json:"plan_wait_seconds"`
	GuidelineSeconds *float64 `json:"guideline_wait_seconds,omitempty"`
	ShortestSeconds  float64  `json:"shortest_wait_seconds"`
}

func (o *planOutput) json() planJSON {
	p := o.plan
	j := planJSON{Case: p.Case.Number, StatePath: p.Case.StatePath, Table: p.Case.Table,
		Start: o.start.Format(time.RFC3339), Scenario: p.Case.Scenario, Profiles: p.Profiles,
		Steps: []planStepJSON{}, Verify: o.verify, WorstCase: o.worst, Longer: o.longer, MethodOne: o.alt}
	if o.worst != nil {
		ok, unsafe := plan.Safe(o.worst)
		j.Safe, j.Unsafe = &ok, unsafe
	}
	if j.StatePath == nil {
		j.StatePath = []string{}
	}
	if p.Case.HasPattern() {
		n := p.Case.Pattern
		j.Pattern = &n
	}
	for _, st := range p.Steps {
		s := planStepJSON{Name: st.Name, Actor: st.Actor, At: o.start.Add(st.At).Format(time.RFC3339),
			WaitSeconds: st.Wait.Seconds(), Reason: st.Reason, Actions: actionStrings(st.Actions)}
		if st.GuidelineText != "" {
			g := st.Guideline.Seconds()
			s.Guideline, s.GuidelineSeconds = st.GuidelineText, &g
		}
		j.Steps = append(j.Steps, s)
	}
	if m := o.minimize; m != nil {
		mj := &minimizeJSON{Profiles: m.Profiles, Runs: m.Runs, Seconds: o.minimizeTime.Seconds(),
			Unsafe: m.Unsafe, Worst: m.Worst, Results: m.Results}
		for i, st := range p.Steps {
			s := minimizeStepJSON{Name: st.Name, PlanSeconds: st.Wait.Seconds(), ShortestSeconds: m.Waits[i].Seconds()}
			if st.GuidelineText != "" {
				g := st.Guideline.Seconds()
				s.GuidelineSeconds = &g
			}
			mj.Steps = append(mj.Steps, s)
		}
		j.Minimize = mj
	}
	return j
}

func actionStrings(as []scenarios.Action) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.String())
	}
	return out
}

func (o *planOutput) text() string {
	p := o.plan
	c := p.Case
	var b strings.Builder
	if c.HasPattern() {
		fmt.Fprintf(&b, "case %d: pattern %d, %s\n", c.Number, c.Pattern, plan.PatternName(c.Pattern))
	} else {
		fmt.Fprintf(&b, "case %d: no pattern\n", c.Number)
	}
	fmt.Fprintf(&b, "state path: %s (the guideline's table: %s)\n", statePath(c.StatePath), c.Table)
	if o.sc == nil {
		b.WriteString("\nNeither the registrar nor the DNS operator changes: there is nothing to schedule.\n")
		return b.String()
	}
	sc := o.sc
	fmt.Fprintf(&b, "TTLs (built-in %s): parent NS %s, DS %s, negative %s; losing NS %s, DNSKEY %s, data %s; gaining NS %s, DNSKEY %s, data %s\n",
		c.Scenario, d(sc.Parent.NSTTL), d(sc.Parent.DSTTL), d(sc.Parent.NegativeTTL),
		d(sc.Losing.NSTTL), d(sc.Losing.DNSKEYTTL), d(sc.Losing.DataTTL),
		d(sc.Gaining.NSTTL), d(sc.Gaining.DNSKEYTTL), d(sc.Gaining.DataTTL))
	fmt.Fprintf(&b, "waits cover the TTL caps of the resolver profiles: %s\n", strings.Join(p.Profiles, ", "))
	if c.Number == 1 || c.Number == 10 {
		b.WriteString("order: both DS in the parent before the NS switch (built-in pattern-1-double-ds); replacing NS and DS in one update, as the guideline reads RFC 4641bis, is Bogus for some caches (built-in pattern-1)\n")
	}
	b.WriteString("\nschedule:\n")
	for _, st := range p.Steps {
		fmt.Fprintf(&b, "  %s  %-9s %-15s %s\n", o.start.Add(st.At).Format("2006-01-02 15:04:05Z07:00"), "+"+span(st.At.Seconds()), st.Name, st.Actor)
		if len(st.Actions) > 0 {
			fmt.Fprintf(&b, "      do:  %s\n", strings.Join(actionStrings(st.Actions), "; "))
		}
		fmt.Fprintf(&b, "      why: %s\n", st.Reason)
	}
	if o.worst != nil {
		o.safetyText(&b)
	}
	if o.verify != nil {
		fmt.Fprintf(&b, "\nverify: the schedule simulated against a sampled population of each resolver profile alone (%d caches, %s ages; exposure only, the verdict above is the proof):\n", o.verifyCaches, sc.Resolvers.CacheAge)
		writeProfileTable(&b, o.verify)
	}
	if m := o.minimize; m != nil {
		fmt.Fprintf(&b, "\nminimize: %d worst-case analyses (%d validating profiles) in %.1fs\n",
			m.Runs, len(m.Profiles), o.minimizeTime.Seconds())
		if len(m.Unsafe) > 0 {
			fmt.Fprintf(&b, "the planned schedule is not proven safe for %s: no shorter waits searched\n", strings.Join(m.Unsafe, ", "))
		} else {
			fmt.Fprintf(&b, "  %-15s %-22s %-10s %s\n", "step", "guideline", "plan", "shortest Bogus-free (and Lame-free)")
			for i, st := range p.Steps {
				g := "-"
				if st.GuidelineText != "" {
					g = fmt.Sprintf("%s (%s)", span(st.Guideline.Seconds()), st.GuidelineText)
				}
				note := ""
				if len(st.Actions) == 0 {
					note = " (no action: kept)"
				}
				fmt.Fprintf(&b, "  %-15s %-22s %-10s %s%s\n", st.Name, g, span(st.Wait.Seconds()), span(m.Waits[i].Seconds()), note)
			}
			b.WriteString("with the shortest waits, proven for every profile (worst case):\n")
			for _, n := range sortedKeys(m.Worst) {
				fmt.Fprintf(&b, "  %-18s %s\n", n, worstVerdict(m.Worst[n]))
			}
			b.WriteString("and a sampled population (exposure):\n")
		}
		writeProfileTable(&b, m.Results)
	}
	return b.String()
}

// safetyText states the worst-case verdict of the printed schedule and,
// when it is not safe, what would be.
func (o *planOutput) safetyText(b *strings.Builder) {
	ok, unsafe := plan.Safe(o.worst)
	b.WriteString("\nsafety: the worst case over every cache phase and server choice, per profile (proven for the model):\n")
	for _, n := range sortedKeys(o.worst) {
		fmt.Fprintf(b, "  %-18s %s\n", n, worstVerdict(o.worst[n]))
	}
	if ok {
		fmt.Fprintf(b, "SAFE: this schedule is proven free of Bogus and Lame for every profile checked (%s).\n", strings.Join(sortedKeys(o.worst), ", "))
		return
	}
	fmt.Fprintf(b, "NOT SAFE for %s.\n", strings.Join(unsafe, ", "))
	for _, n := range sortedKeys(o.worst) {
		if w := o.worst[n].Witness; w != nil {
			fmt.Fprintf(b, "  %s: a cache with %s is %s for %s from +%s: %s\n", n, w.Cache, w.State, span(w.ToSeconds-w.FromSeconds), span(w.FromSeconds), w.Cause)
		}
	}
	if failing := failingProfiles(o.worst); len(failing) < len(unsafe) {
		b.WriteString("Not proven is not the same as unsafe: the worst-case search stopped at its budget for some profiles, so neither \"never\" nor a witness could be established for them.\n")
	}
	if o.longer != nil {
		longOK, _ := plan.Safe(o.longer)
		switch failing := failingProfiles(o.longer); {
		case longOK:
			b.WriteString("Waiting longer makes it safe: with every wait lengthened by the scenario's largest TTL, every profile is proven free of Bogus and Lame (try --minimize on such TTLs, or lower the TTLs first).\n")
		case len(failing) > 0:
			fmt.Fprintf(b, "Waiting longer does not help %s: with every wait lengthened by the scenario's largest TTL it can still fail, so method (2) cannot be made safe for it by waits of this kind.\n", strings.Join(failing, ", "))
		default:
			b.WriteString("With every wait lengthened by the scenario's largest TTL no profile was found to fail, but not every profile could be proven safe within the search budget.\n")
		}
	}
	if o.alt != nil {
		altOK, altUnsafe := plan.Safe(o.alt)
		cmd := "dnssecsim plan"
		for i, f := range []string{"registrar-change", "ns-change", "dnssec-before", "dnssec-after"} {
			if o.answers[i] != "" {
				cmd += " --" + f + " " + o.answers[i]
			}
		}
		cmd += " --key-exchange yes"
		for _, kv := range o.sets {
			cmd += " --set " + kv
		}
		if altOK {
			fmt.Fprintf(b, "Method (1) with a key exchange (case %d) is proven safe for every profile with the same TTLs: %s\n", o.altPlan.Case.Number, cmd)
		} else {
			fmt.Fprintf(b, "Method (1) with a key exchange (case %d) is not proven safe either with the same TTLs: %s (%s)\n", o.altPlan.Case.Number, strings.Join(altUnsafe, ", "), cmd)
		}
	}
}

func sortedKeys(wc map[string]*sim.WorstCase) []string {
	names := make([]string, 0, len(wc))
	for n := range wc {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// writeProfileTable writes one line per profile of a sampled population:
// Bogus, then the Insecure exposure.
func writeProfileTable(b *strings.Builder, rs []plan.ProfileResult) {
	fmt.Fprintf(b, "  %-18s %-28s %-17s %-7s %-14s %s\n", "profile", "Bogus", "Insecure longest", "caches", "first", "last")
	var bogus []string
	for _, r := range rs {
		bg := "none"
		if r.Bogus() {
			bg = fmt.Sprintf("%d caches, %s cache-days", r.BogusCaches, cacheDays(r.BogusCacheSeconds))
			bogus = append(bogus, r.Profile)
		}
		first, last := "-", "-"
		if r.InsecureFirst != nil {
			first = "+" + span(*r.InsecureFirst)
		}
		if r.InsecureLast != nil {
			last = "+" + span(*r.InsecureLast)
		}
		fmt.Fprintf(b, "  %-18s %-28s %-17s %-7d %-14s %s\n", r.Profile, bg, span(r.InsecureMaxSeconds), r.InsecureCaches, first, last)
	}
	if len(bogus) == 0 {
		b.WriteString("  no sampled cache was Bogus (a sample; the worst case decides)\n")
	} else {
		fmt.Fprintf(b, "  sampled caches Bogus for: %s\n", strings.Join(bogus, ", "))
	}
}

func statePath(p []string) string {
	if len(p) == 0 {
		return "-"
	}
	return strings.Join(p, " → ")
}

func d(t time.Duration) string { return duration.Format(t) }

// setsPopulation reports whether --set chooses the resolver population.
func setsPopulation(sets []string) bool {
	for _, kv := range sets {
		k, _, _ := strings.Cut(kv, "=")
		if k == "resolvers.profile" || k == "resolvers.profiles" {
			return true
		}
	}
	return false
}

// failingProfiles lists the profiles whose worst case has a Bogus or Lame
// witness (not those merely unproven).
func failingProfiles(wc map[string]*sim.WorstCase) []string {
	var out []string
	for _, n := range sortedKeys(wc) {
		if w := wc[n]; w.Bogus || w.Lame {
			out = append(out, n)
		}
	}
	return out
}
