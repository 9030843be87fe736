package scenarios

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/duration"
)

// horizonTTLs is how many times the largest TTL the default horizon runs
// past the last step.
const horizonTTLs = 3

// Schedule resolves every step's At: an absolute step keeps its at:, a
// relative step happens Wait after the step it names, evaluated with the
// scenario's current TTLs. Steps are resolved in dependency order, so the
// file may list them in any order. When the file gave no horizon (or Horizon
// is 0), Schedule sets it to the last step's time plus three times the
// largest TTL; otherwise it checks that no step comes after the horizon.
// Parse and Set call it; call it again after changing fields directly.
//
// On error nothing is changed. Errors name a step that waits for no step, a
// cycle of steps, a step too late to represent, or a horizon before a step.
func (s *Scenario) Schedule() error {
	if p := s.schedule(); p != nil {
		return s.errorAt(p)
	}
	return nil
}

func (s *Scenario) schedule() *problem {
	index := make(map[string]int, len(s.Procedure))
	for i, st := range s.Procedure {
		if j, dup := index[st.Name]; dup {
			return problemf(fmt.Sprintf("procedure[%d].name", i), "procedure[%d].name: expected a name no other step has, found %q, the name of procedure[%d]", i, st.Name, j)
		}
		index[st.Name] = i
	}
	for i, st := range s.Procedure {
		if st.After == "" {
			continue
		}
		if _, ok := index[st.After]; !ok {
			return problemf(fmt.Sprintf("procedure[%d].after", i), "procedure[%d].after: expected the name of a step (%s), found %q", i, strings.Join(s.stepNames(), ", "), st.After)
		}
	}

	// Each step waits for at most one other, so the steps and their after:
	// links form a forest unless some chain comes back on itself. Walk each
	// chain to a resolved or absolute step, then resolve it backwards.
	const (
		unvisited = iota
		onChain
		done
	)
	state := make([]int, len(s.Procedure))
	at := make([]time.Duration, len(s.Procedure))
	for i := range s.Procedure {
		var chain []int
		j := i
		for state[j] == unvisited {
			state[j] = onChain
			chain = append(chain, j)
			if s.Procedure[j].After == "" {
				break
			}
			j = index[s.Procedure[j].After]
		}
		if state[j] == onChain && s.Procedure[j].After != "" {
			// j is on the chain being walked and waits for a step on it:
			// a cycle. Report it at the first step of the cycle in file
			// order.
			k := 0
			for chain[k] != j {
				k++
			}
			cycle := chain[k:]
			first := cycle[0]
			for _, c := range cycle {
				first = min(first, c)
			}
			var names []string
			c := first
			for {
				names = append(names, s.Procedure[c].Name)
				c = index[s.Procedure[c].After]
				if c == first {
					break
				}
			}
			names = append(names, s.Procedure[first].Name)
			return problemf(fmt.Sprintf("procedure[%d].after", first), "procedure[%d].after: expected steps that do not wait for each other in a circle, found the cycle %s", first, strings.Join(names, " → "))
		}
		for k := len(chain) - 1; k >= 0; k-- {
			c := chain[k]
			st := &s.Procedure[c]
			if st.After == "" {
				at[c] = st.At
			} else {
				at[c] = satAdd(at[index[st.After]], st.Wait.Eval(s))
			}
			if at[c] == math.MaxInt64 {
				return problemf(fmt.Sprintf("procedure[%d].wait", c), "procedure[%d].wait: expected a step time under about 292 years (the range of a time.Duration), found a larger one", c)
			}
			if at[c] < 0 {
				return problemf(fmt.Sprintf("procedure[%d].wait", c), "procedure[%d].wait: expected a wait of 0s or more, found %s", c, duration.Format(st.Wait.Eval(s)))
			}
			state[c] = done
		}
	}

	var last time.Duration
	lastStep := 0
	for i, t := range at {
		if t > last {
			last, lastStep = t, i
		}
	}
	horizon := s.Horizon
	auto := s.autoHorizon || s.Horizon == 0
	if auto {
		horizon = satAdd(last, satMul(horizonTTLs, s.largestTTL()))
		if horizon == math.MaxInt64 {
			return problemf("horizon", "horizon: expected a default horizon (last step + %d × the largest TTL) that fits in a duration; give horizon: explicitly", horizonTTLs)
		}
	} else if horizon < last {
		return problemf("horizon", "horizon: expected a time at or after the last step (%s at %s), found %s", s.Procedure[lastStep].Name, duration.Format(last), duration.Format(horizon))
	}

	for i := range s.Procedure {
		s.Procedure[i].At = at[i]
	}
	s.Horizon, s.autoHorizon = horizon, auto
	return nil
}

// largestTTL is the largest TTL of the parent and both operators.
func (s *Scenario) largestTTL() time.Duration {
	ttl := max(s.Parent.NSTTL, s.Parent.DSTTL, s.Parent.NegativeTTL)
	for _, op := range []*Operator{&s.Losing, &s.Gaining} {
		ttl = max(ttl, op.NSTTL, op.DNSKEYTTL, op.DataTTL)
	}
	return ttl
}

// StepIndex returns the index in Procedure of the step called name, or -1.
func (s *Scenario) StepIndex(name string) int {
	for i, st := range s.Procedure {
		if st.Name == name {
			return i
		}
	}
	return -1
}
