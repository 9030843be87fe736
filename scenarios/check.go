package scenarios

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/duration"
)

// maxCount bounds the number of caches.
const maxCount = 10_000_000

// Algorithms are the DNSSEC algorithm numbers the signer and the validator
// know: RSA/SHA-1 (5, 7), RSA/SHA-2 (8, 10), ECDSA (13, 14), Ed25519 (15) and
// Ed448 (16).
var algorithms = []uint8{5, 7, 8, 10, 13, 14, 15, 16}

// Enumerations of the schema, in the order messages list them.
var (
	denials     = []string{"nsec", "nsec3"}
	behaviours  = []string{"cooperative", "passive", "hasty"}
	hastyActs   = []string{"delete-dnskeys", "delete-zone"}
	cacheAges   = []string{"even", "random", "explicit"} // and cacheAgeGiven, which files do not write
	queryModels = []string{"continuous", "rate"}
)

// check validates a decoded or changed scenario as a whole and fills the
// operator of actions that have an implied one. It returns the first
// problem found, in file order.
func (s *Scenario) check() *problem {
	for _, c := range []func() *problem{s.checkNames, s.checkParent, s.checkOperators, s.checkResolvers, s.checkProcedure, s.checkProbe} {
		if p := c(); p != nil {
			return p
		}
	}
	if !s.autoHorizon && s.Horizon <= 0 && s.pos != nil {
		// A file's horizon: is a time after the epoch. (A Scenario built
		// in code leaves Horizon 0 to get the default.)
		return problemf("horizon", "horizon: expected a duration above 0s, found %s", duration.Format(s.Horizon))
	}
	return nil
}

// checkDomain checks that name is a valid absolute domain name.
func checkDomain(path, name, what string) *problem {
	if name == "" {
		return problemf(path, "%s: expected %s, found nothing", path, what)
	}
	if _, ok := dns.IsDomainName(name); !ok || strings.Contains(name, "..") || strings.ContainsAny(name, " \t\\") {
		return problemf(path, "%s: expected %s, found %q", path, what, name)
	}
	return nil
}

func (s *Scenario) checkNames() *problem {
	if p := checkDomain("child", s.Child, "a domain name such as example.test."); p != nil {
		return p
	}
	if s.Child == "." {
		return problemf("child", "child: expected a domain name below the root, found \".\"")
	}
	return nil
}

// checkTTL checks a TTL's range (RFC 2181 §8).
func checkTTL(path string, d time.Duration) *problem {
	if _, err := duration.TTL(d); err != nil {
		return problemf(path, "%s: %v", path, err)
	}
	return nil
}

// checkNonNegative checks a duration that is not a TTL.
func checkNonNegative(path string, d time.Duration) *problem {
	if d < 0 {
		return problemf(path, "%s: expected a duration of 0s or more, found %s", path, duration.Format(d))
	}
	return nil
}

// checkEnum checks that v is one of list.
func checkEnum(path, v string, list []string) *problem {
	if !contains(list, v) {
		return problemf(path, "%s: expected %s, found %q", path, orList(list), v)
	}
	return nil
}

// orList writes "a, b or c".
func orList(list []string) string {
	if len(list) == 1 {
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}

func checkAlgorithm(path string, a uint8) *problem {
	for _, x := range algorithms {
		if a == x {
			return nil
		}
	}
	var names []string
	for _, x := range algorithms {
		names = append(names, fmt.Sprint(x))
	}
	return problemf(path, "%s: expected a DNSSEC algorithm the signer supports (%s), found %d", path, orList(names), a)
}

func (s *Scenario) checkParent() *problem {
	p := &s.Parent
	if q := checkDomain("parent.zone", p.Zone, "a zone name such as test."); q != nil {
		return q
	}
	if !dns.IsSubDomain(p.Zone, s.Child) || dns.CountLabel(s.Child) <= dns.CountLabel(p.Zone) {
		return problemf("parent.zone", "parent.zone: expected a zone above the child %s, found %s", s.Child, p.Zone)
	}
	for _, c := range []struct {
		path string
		d    time.Duration
	}{{"parent.ns_ttl", p.NSTTL}, {"parent.ds_ttl", p.DSTTL}, {"parent.negative_ttl", p.NegativeTTL}} {
		if q := checkTTL(c.path, c.d); q != nil {
			return q
		}
	}
	if q := checkNonNegative("parent.processing_delay", p.ProcessingDelay); q != nil {
		return q
	}
	if q := checkEnum("parent.denial", p.Denial, denials); q != nil {
		return q
	}
	if q := checkAlgorithm("parent.algorithm", p.Algorithm); q != nil {
		return q
	}
	if p.Denial == "nsec3" && p.Algorithm == dns.RSASHA1 {
		// RFC 5155 §2: algorithm 5 zones cannot use NSEC3; 7 is its alias
		// that signals NSEC3 support.
		return problemf("parent.algorithm", "parent.algorithm: expected an algorithm that allows NSEC3 (7 rather than 5, RFC 5155 §2), found 5 with denial nsec3")
	}
	return nil
}

func (s *Scenario) checkOperators() *problem {
	for _, op := range []*Operator{&s.Losing, &s.Gaining} {
		n := op.Name
		if q := checkAlgorithm(n+".algorithm", op.Algorithm); q != nil {
			return q
		}
		for _, c := range []struct {
			path string
			d    time.Duration
		}{{n + ".ns_ttl", op.NSTTL}, {n + ".dnskey_ttl", op.DNSKEYTTL}, {n + ".data_ttl", op.DataTTL}} {
			if q := checkTTL(c.path, c.d); q != nil {
				return q
			}
		}
		if len(op.Nameservers) == 0 {
			return problemf(n+".nameservers", "%s.nameservers: expected at least one name server name, found none", n)
		}
		seen := map[string]bool{}
		for i, ns := range op.Nameservers {
			path := fmt.Sprintf("%s.nameservers[%d]", n, i)
			if q := checkDomain(path, ns, "a name server name such as ns1.example."); q != nil {
				return q
			}
			if seen[ns] {
				return problemf(path, "%s: expected each name server once, found %s twice", path, ns)
			}
			seen[ns] = true
		}
		if q := checkEnum(n+".behaviour", op.Behaviour, behaviours); q != nil {
			return q
		}
		if q := checkNonNegative(n+".delete_after", op.DeleteAfter); q != nil {
			return q
		}
		if op.HastyAction != "" || op.Behaviour == "hasty" {
			if q := checkEnum(n+".hasty_action", op.HastyAction, hastyActs); q != nil {
				return q
			}
		}
		if q := checkNonNegative(n+".hasty_delay", op.HastyDelay); q != nil {
			return q
		}
	}
	return nil
}

func (s *Scenario) checkResolvers() *problem {
	r := &s.Resolvers
	if len(r.Caches) > 0 || r.CacheAge == cacheAgeGiven {
		if q := s.checkCaches(); q != nil {
			return q
		}
	}
	if r.Count < 1 || r.Count > maxCount {
		return problemf("resolvers.count", "resolvers.count: expected a number of caches from 1 to %d, found %d", maxCount, r.Count)
	}
	if len(r.Profiles) == 0 {
		return problemf("resolvers.profiles", "resolvers.profiles: expected at least one profile with a weight, such as {unbound: 1, bind: 1}, found none")
	}
	for i, pw := range r.Profiles {
		path := "resolvers.profiles." + pw.Name
		if pw.Name == "" {
			return problemf(path, "resolvers.profiles: expected a profile name, found an empty one")
		}
		if i > 0 && r.Profiles[i-1].Name >= pw.Name {
			return problemf(path, "resolvers.profiles: expected each profile once, sorted by name, found %q after %q", pw.Name, r.Profiles[i-1].Name)
		}
		if !(pw.Weight > 0) || math.IsInf(pw.Weight, 0) {
			return problemf(path, "%s: expected a positive weight, found %v", path, pw.Weight)
		}
	}
	if r.CacheAge != cacheAgeGiven {
		if q := checkEnum("resolvers.cache_age", r.CacheAge, cacheAges); q != nil {
			return q
		}
	}
	switch {
	case r.CacheAge == "explicit" && len(r.Ages) == 0:
		return problemf("resolvers.ages", "resolvers.ages: expected one age per cache with cache_age explicit, found none")
	case r.CacheAge != "explicit" && len(r.Ages) > 0:
		return problemf("resolvers.ages", "resolvers.ages: expected no ages with cache_age %s (ages are for cache_age explicit), found %d", r.CacheAge, len(r.Ages))
	case r.CacheAge == "explicit" && r.Count != len(r.Ages):
		return problemf("resolvers.count", "resolvers.count: expected the number of ages (%d) with cache_age explicit, found %d", len(r.Ages), r.Count)
	}
	for i, a := range r.Ages {
		if q := checkNonNegative(fmt.Sprintf("resolvers.ages[%d]", i), a); q != nil {
			return q
		}
	}
	if q := checkEnum("resolvers.query", r.Query, queryModels); q != nil {
		return q
	}
	switch {
	case r.Query == "rate" && r.QueryInterval <= 0:
		return problemf("resolvers.query_interval", "resolvers.query_interval: expected a mean time between queries above 0s with query rate, found %s", duration.Format(r.QueryInterval))
	case r.Query == "continuous" && r.QueryInterval != 0:
		return problemf("resolvers.query_interval", "resolvers.query_interval: expected 0s or nothing with query continuous (the interval is for query rate), found %s", duration.Format(r.QueryInterval))
	}
	for i, c := range r.Caches {
		path := fmt.Sprintf("resolvers.caches[%d].query_phase", i)
		if q := checkNonNegative(path, c.QueryPhase); q != nil {
			return q
		}
		switch {
		case c.QueryPhase%time.Second != 0:
			return problemf(path, "%s: expected a phase in whole seconds, found %s", path, c.QueryPhase)
		case r.Query == "continuous" && c.QueryPhase != 0:
			return problemf(path, "%s: expected 0s or nothing with query continuous (the phase is for query rate), found %s", path, duration.Format(c.QueryPhase))
		case r.Query == "rate" && c.QueryPhase >= r.QueryInterval:
			return problemf(path, "%s: expected a phase below resolvers.query_interval (%s) with query rate, found %s", path, duration.Format(r.QueryInterval), duration.Format(c.QueryPhase))
		}
	}
	return nil
}

// checkCaches checks a population given cache by cache: the caches
// themselves, and that the fields they replace agree with them. A file
// that gives resolvers.caches must not give count, profiles, cache_age or
// ages; the decoder records a position for each field the file gives (and
// Set drops those of the fields it replaces), so a position means the file
// wrote the field. A Scenario built in code must keep them as the decoder
// derives them: Count the number of caches, Profiles the caches' profiles
// each weighted by its number of caches, CacheAge "given" and no Ages.
func (s *Scenario) checkCaches() *problem {
	r := &s.Resolvers
	if len(r.Caches) == 0 {
		if _, ok := s.pos["resolvers.caches"]; ok {
			return problemf("resolvers.caches", "resolvers.caches: expected at least one cache such as {profile: unbound, ds: -1h}, found none")
		}
		return problemf("resolvers.cache_age", "resolvers.cache_age: expected %s (%s is for the caches of resolvers.caches, and there are none), found %q", orList(cacheAges), cacheAgeGiven, r.CacheAge)
	}
	// The fields the file must not give, in file order.
	written := []struct {
		path, found string
	}{
		{"resolvers.count", fmt.Sprint(r.Count)},
		{"resolvers.profiles", formatProfiles(r.Profiles)},
		{"resolvers.cache_age", fmt.Sprintf("%q", r.CacheAge)},
		{"resolvers.ages", formatAges(r.Ages)},
	}
	sort.SliceStable(written, func(i, j int) bool {
		a, b := s.pos[written[i].path], s.pos[written[j].path]
		return a.line < b.line || a.line == b.line && a.col < b.col
	})
	for _, w := range written {
		if _, ok := s.pos[w.path]; ok {
			name := strings.TrimPrefix(w.path, "resolvers.")
			return problemf(w.path, "%s: expected no %s with resolvers.caches (the caches are the population), found %s", w.path, name, w.found)
		}
	}
	if len(r.Caches) > maxCount {
		return problemf("resolvers.caches", "resolvers.caches: expected at most %d caches, found %d", maxCount, len(r.Caches))
	}
	switch want := profilesOf(r.Caches); {
	case r.CacheAge != cacheAgeGiven:
		return problemf("resolvers.cache_age", "resolvers.cache_age: expected %s with resolvers.caches (the caches are the population), found %q", cacheAgeGiven, r.CacheAge)
	case r.Count != len(r.Caches):
		return problemf("resolvers.count", "resolvers.count: expected the number of caches in resolvers.caches (%d), found %d", len(r.Caches), r.Count)
	case len(r.Ages) > 0:
		return problemf("resolvers.ages", "resolvers.ages: expected no ages with resolvers.caches (the caches are the population), found %s", formatAges(r.Ages))
	case !slices.Equal(r.Profiles, want):
		return problemf("resolvers.profiles", "resolvers.profiles: expected %s (the profiles of resolvers.caches, each weighted by its number of caches), found %s", formatProfiles(want), formatProfiles(r.Profiles))
	}
	all := 0
	for i, c := range r.Caches {
		path := fmt.Sprintf("resolvers.caches[%d]", i)
		if badProfileName(c.Profile) {
			if c.Profile == "" {
				return problemf(path+".profile", "%s.profile: expected a profile name, found an empty one", path)
			}
			return problemf(path+".profile", "%s.profile: expected a profile name (without spaces, '=' or ';'), found %q", path, c.Profile)
		}
		for k, t := range c.Fetched {
			if q := checkFetched(path+"."+EntryNames[k], t); q != nil {
				return q
			}
		}
		if len(c.Servers) > maxServers {
			return problemf(path+".servers", "%s.servers: expected at most %d servers, found %d", path, maxServers, len(c.Servers))
		}
		if all += len(c.Servers); all > maxAllServers {
			return problemf(path+".servers", "%s.servers: expected at most %d servers in all the caches together, found more", path, maxAllServers)
		}
		for j, op := range c.Servers {
			if q := checkEnum(fmt.Sprintf("%s.servers[%d]", path, j), op, operators); q != nil {
				return q
			}
		}
	}
	return nil
}

// formatProfiles writes profile weights as a file does: {bind: 1, unbound: 2}.
func formatProfiles(ps []ProfileWeight) string {
	var parts []string
	for _, pw := range ps {
		parts = append(parts, fmt.Sprintf("%s: %v", pw.Name, pw.Weight))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// formatAges writes ages as a file does: [0s, 1h].
func formatAges(ages []time.Duration) string {
	var parts []string
	for _, a := range ages {
		parts = append(parts, duration.Format(a))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (s *Scenario) checkProcedure() *problem {
	if len(s.Procedure) == 0 {
		return problemf("procedure", "procedure: expected at least one step, found none")
	}
	index := map[string]int{}
	for i, st := range s.Procedure {
		path := fmt.Sprintf("procedure[%d]", i)
		if st.Name == "" {
			return problemf(path+".name", "%s: expected the field name, found none", path)
		}
		if j, dup := index[st.Name]; dup {
			return problemf(path+".name", "%s.name: expected a name no other step has, found %q, the name of procedure[%d]", path, st.Name, j)
		}
		index[st.Name] = i
		// A relative step's At is its resolved time; only an absolute
		// step's At is an input.
		if st.After == "" {
			if st.Wait != nil {
				return problemf(path+".wait", "%s.wait: expected after: with wait: (a wait counts from another step), found wait: on a step with no after:", path)
			}
			if q := checkNonNegative(path+".at", st.At); q != nil {
				return q
			}
		}
		for j, a := range st.Actions {
			fixed, q := checkAction(a, fmt.Sprintf("%s.actions[%d]", path, j))
			if q != nil {
				return q
			}
			s.Procedure[i].Actions[j] = fixed
		}
	}
	if _, ok := index[s.TransferStep]; !ok {
		return problemf("transfer_step", "transfer_step: expected the name of a step (%s), found %q", strings.Join(s.stepNames(), ", "), s.TransferStep)
	}
	return nil
}

// stepNames returns the step names in file order.
func (s *Scenario) stepNames() []string {
	var names []string
	for _, st := range s.Procedure {
		names = append(names, st.Name)
	}
	return names
}

func (s *Scenario) checkProbe() *problem {
	if q := checkDomain("probe.name", s.Probe.Name, "a domain name at or below the child"); q != nil {
		return q
	}
	if !dns.IsSubDomain(s.Child, s.Probe.Name) {
		return problemf("probe.name", "probe.name: expected a name at or below the child %s, found %s", s.Child, s.Probe.Name)
	}
	if s.Probe.Type == 0 {
		return problemf("probe.type", "probe.type: expected a query type such as A, found none")
	}
	return nil
}
