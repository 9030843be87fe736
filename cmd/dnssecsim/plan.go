package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/duration"
	"github.com/dnssecsim/dnssecsim/scenarios"
	"github.com/dnssecsim/dnssecsim/scenarios/plan"
	"github.com/dnssecsim/dnssecsim/sim"
)

const planUsage = `plan --registrar-change yes|no --ns-change yes|no --dnssec-before yes|no --dnssec-after yes|no [--key-exchange yes|no] [--set key=value ...] [--start TIME] [--format text|json] [--verify] [--minimize]

Finds the row of the guideline's case table for a situation and prints its
case number, pattern and expected state path, then a dated schedule of the
steps with each wait computed from the actual TTLs and the resolver
profiles' TTL caps, and why. TTLs default to those of the pattern's built-in
scenario; --set changes them with the same paths as 'run' (and
resolvers.profiles the population whose caps the waits cover).
--key-exchange is needed when the NS changes and both sides sign.

--verify simulates the schedule against every resolver profile and reports
Bogus and the Insecure exposure per profile. --minimize searches for the
shortest waits that keep every profile Bogus-free (and no more Lame than the
plan) and prints them beside the guideline's and the plan's.`

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
	caches := fs.Int("caches", 0, "caches per profile for --verify (default: the scenario's count) and --minimize (default 300)")
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
	p, err := plan.Make(c, sc)
	if err != nil {
		return inputErr(err)
	}

	out := planOutput{plan: p, sc: sc, start: startAt}
	if (*verify || *minimize) && len(p.Steps) == 0 {
		return usageErr("--verify and --minimize: case 15 has no schedule to simulate")
	}
	if *verify {
		if out.verify, err = p.Verify(ctx, plan.Options{Caches: *caches}); err != nil {
			return inputErr(err)
		}
		out.verifyCaches = *caches
		if out.verifyCaches == 0 {
			out.verifyCaches = sc.Resolvers.Count
		}
	}
	if *minimize {
		t0 := time.Now()
		if out.minimize, err = p.Minimize(ctx, plan.Options{Caches: *caches}); err != nil {
			return inputErr(err)
		}
		out.minimizeTime = time.Since(t0)
	}
	if *format == "json" {
		b, err := json.MarshalIndent(out.json(), "", "  ")
		if err != nil {
			return err
		}
		_, err = stdout.Write(append(b, '\n'))
		return err
	}
	_, err = io.WriteString(stdout, out.text())
	return err
}

// planOutput is everything the plan command reports.
type planOutput struct {
	plan         *plan.Plan
	sc           *scenarios.Scenario
	start        time.Time
	verify       []plan.ProfileResult
	verifyCaches int
	minimize     *plan.MinimizeResult
	minimizeTime time.Duration
}

// planJSON is the JSON form of a plan.
type planJSON struct {
	Case      int                  `json:"case"`
	Pattern   *int                 `json:"pattern"`
	StatePath []string             `json:"state_path"`
	Table     string               `json:"table"`
	Start     string               `json:"start"`
	Scenario  string               `json:"scenario,omitempty"`
	Profiles  []string             `json:"profiles,omitempty"`
	Steps     []planStepJSON       `json:"steps"`
	Verify    []plan.ProfileResult `json:"verify,omitempty"`
	Minimize  *minimizeJSON        `json:"minimize,omitempty"`
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
	Caches   int                  `json:"caches"`
	Profiles []string             `json:"profiles"`
	Runs     int                  `json:"runs"`
	Seconds  float64              `json:"elapsed_seconds"`
	Unsafe   []string             `json:"unsafe,omitempty"`
	Steps    []minimizeStepJSON   `json:"steps"`
	Results  []plan.ProfileResult `json:"results"`
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
		Steps: []planStepJSON{}, Verify: o.verify}
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
		mj := &minimizeJSON{Caches: m.Caches, Profiles: m.Profiles, Runs: m.Runs, Seconds: o.minimizeTime.Seconds(),
			Unsafe: m.Unsafe, Results: m.Results}
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
	if o.verify != nil {
		fmt.Fprintf(&b, "\nverify: the schedule simulated against each resolver profile alone (%d caches, %s ages):\n", o.verifyCaches, sc.Resolvers.CacheAge)
		writeProfileTable(&b, o.verify)
	}
	if m := o.minimize; m != nil {
		fmt.Fprintf(&b, "\nminimize: %d simulations (%d caches per profile, %s ages, %d validating profiles) in %.1fs\n",
			m.Runs, m.Caches, sc.Resolvers.CacheAge, len(m.Profiles), o.minimizeTime.Seconds())
		b.WriteString("  (a sample of cache phases: the shortest waits found hold for these caches; keep a margin)\n")
		if len(m.Unsafe) > 0 {
			fmt.Fprintf(&b, "the planned schedule is already Bogus for %s: no shorter waits searched\n", strings.Join(m.Unsafe, ", "))
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
			b.WriteString("with the shortest waits:\n")
		}
		writeProfileTable(&b, m.Results)
	}
	return b.String()
}

// writeProfileTable writes one line per profile: Bogus, then the Insecure
// exposure, then a verdict.
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
		b.WriteString("  Bogus-free for every profile\n")
	} else {
		fmt.Fprintf(b, "  Bogus for: %s\n", strings.Join(bogus, ", "))
	}
}

func statePath(p []string) string {
	if len(p) == 0 {
		return "-"
	}
	return strings.Join(p, " → ")
}

func d(t time.Duration) string { return duration.Format(t) }
