package plan

import (
	"fmt"
	"strings"
)

// Answer is the answer to one question about the situation.
type Answer int8

// The answers. Unknown means the question was not answered.
const (
	Unknown Answer = iota
	Yes
	No
)

// ParseAnswer reads "yes" or "no".
func ParseAnswer(s string) (Answer, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes":
		return Yes, nil
	case "no":
		return No, nil
	}
	return Unknown, fmt.Errorf("expected yes or no, found %q", s)
}

func (a Answer) String() string {
	switch a {
	case Yes:
		return "yes"
	case No:
		return "no"
	}
	return "unknown"
}

// Situation describes a move, as the columns of the guideline's case table
// do.
type Situation struct {
	// RegistrarChange: the domain moves to another registrar ("transfer").
	RegistrarChange Answer
	// NSChange: the DNS operator (and so the NS) changes.
	NSChange Answer
	// DNSSECBefore and DNSSECAfter: the zone is signed, with a DS relayed
	// by the registrar, before and after the move.
	DNSSECBefore, DNSSECAfter Answer
	// KeyExchange: the two DNS operators will exchange keys (method (1)).
	// It applies only when the NS changes and both sides sign.
	KeyExchange Answer
}

// SituationError says why a situation does not fit the case table: a
// question left unanswered that the table needs, or answers that
// contradict each other.
type SituationError struct {
	Msg string
}

func (e *SituationError) Error() string { return e.Msg }

// Case is one row of the guideline's case table.
type Case struct {
	// Number is the row, 1 to 15.
	Number int
	// Situation is the row's answers; Unknown where the table says "-".
	Situation Situation
	// Pattern is the guideline's pattern (0 to 5), or -1 for case 15, where
	// nothing moves.
	Pattern int
	// StatePath is the DNSSEC state a validating resolver with a trust
	// anchor goes through, in order; empty for case 15.
	StatePath []string
	// Table is the state path as the table writes it.
	Table string
	// Scenario is the built-in scenario whose world and TTLs the plan
	// starts from ("" for case 15).
	Scenario string
}

// HasPattern reports whether the case has a pattern (all but case 15).
func (c Case) HasPattern() bool { return c.Pattern >= 0 }

var (
	secure          = []string{"Secure"}
	insecure        = []string{"Insecure"}
	secureInsecure  = []string{"Secure", "Insecure"}
	insecureSecure  = []string{"Insecure", "Secure"}
	temporarilyOpen = []string{"Secure", "Insecure", "Secure"}
)

// table is the guideline's case table (docs/guideline.md, "The case table").
// Cases 7 and 8 are a registrar that does not relay DS on one side: the
// DNSSEC columns read "○ → ●" and "● → ○".
var table = []Case{
	{1, Situation{Yes, Yes, Yes, Yes, Yes}, 1, secure, "Secure throughout (RFC 4641bis)", "pattern-1-double-ds"},
	{2, Situation{Yes, Yes, Yes, Yes, No}, 2, temporarilyOpen, "temporarily Insecure", "pattern-2"},
	{3, Situation{Yes, Yes, Yes, No, Unknown}, 4, secureInsecure, "Insecure after the transfer", "pattern-4"},
	{4, Situation{Yes, Yes, No, Yes, Unknown}, 3, insecureSecure, "Secure after the transfer", "pattern-3"},
	{5, Situation{Yes, Yes, No, No, Unknown}, 0, insecure, "Insecure/Indeterminate (ordinary transfer)", "pattern-0"},
	{6, Situation{Yes, No, Yes, Yes, Unknown}, 5, secure, "Secure; DNSSEC on/off is decoupled from the transfer", "pattern-5"},
	{7, Situation{Yes, No, Yes, No, Unknown}, 4, secureInsecure, "Insecure after the transfer", "pattern-4"},
	{8, Situation{Yes, No, No, Yes, Unknown}, 3, insecureSecure, "Secure after the transfer", "pattern-3"},
	{9, Situation{Yes, No, No, No, Unknown}, 0, insecure, "Insecure/Indeterminate", "pattern-0"},
	{10, Situation{No, Yes, Yes, Yes, Yes}, 1, secure, "Secure throughout (RFC 4641bis)", "operator-change-1"},
	{11, Situation{No, Yes, Yes, Yes, No}, 2, temporarilyOpen, "temporarily Insecure", "operator-change-2"},
	{12, Situation{No, Yes, Yes, No, Unknown}, 4, secureInsecure, "Insecure after the change", "operator-change-4"},
	{13, Situation{No, Yes, No, Yes, Unknown}, 3, insecureSecure, "Secure after the change", "operator-change-3"},
	{14, Situation{No, Yes, No, No, Unknown}, 0, insecure, "Insecure/Indeterminate (ordinary NS change)", "pattern-0"},
	{15, Situation{No, No, Unknown, Unknown, Unknown}, -1, nil, "nothing moves: out of scope", ""},
}

// Cases returns the fifteen rows of the case table, in order.
func Cases() []Case {
	out := make([]Case, len(table))
	for i, c := range table {
		c.StatePath = append([]string(nil), c.StatePath...)
		out[i] = c
	}
	return out
}

// Classify finds the row of the case table for a situation. The registrar
// and NS questions must be answered; the DNSSEC questions too unless
// neither the registrar nor the NS changes (case 15); the key exchange
// question only when the NS changes and both sides sign. An answer that
// contradicts the others (a key exchange with a side that does not sign,
// or without a second operator) is a *SituationError, as is a missing one.
func Classify(s Situation) (Case, error) {
	var missing []string
	need := func(a Answer, flag string) {
		if a == Unknown {
			missing = append(missing, flag)
		}
	}
	need(s.RegistrarChange, "registrar-change")
	need(s.NSChange, "ns-change")
	if len(missing) > 0 {
		return Case{}, missingErr(missing)
	}
	if s.NSChange == No && s.KeyExchange == Yes {
		return Case{}, &SituationError{"--key-exchange yes contradicts --ns-change no: with no NS change the same DNS operator serves the zone before and after, so there is no other operator to exchange keys with"}
	}
	if s.RegistrarChange == No && s.NSChange == No {
		return lookup(15), nil
	}
	need(s.DNSSECBefore, "dnssec-before")
	need(s.DNSSECAfter, "dnssec-after")
	if len(missing) > 0 {
		return Case{}, missingErr(missing)
	}
	if s.KeyExchange == Yes && (s.DNSSECBefore == No || s.DNSSECAfter == No) {
		side, flag := "losing", "--dnssec-before no"
		if s.DNSSECBefore == Yes {
			side, flag = "gaining", "--dnssec-after no"
		}
		return Case{}, &SituationError{fmt.Sprintf("--key-exchange yes contradicts %s: a key exchange needs keys on both sides, and the %s side does not sign", flag, side)}
	}
	bothSign := s.DNSSECBefore == Yes && s.DNSSECAfter == Yes
	if s.NSChange == Yes && bothSign && s.KeyExchange == Unknown {
		return Case{}, missingErr([]string{"key-exchange"})
	}
	for _, c := range table {
		r := c.Situation
		if r.RegistrarChange == s.RegistrarChange && r.NSChange == s.NSChange &&
			r.DNSSECBefore == s.DNSSECBefore && r.DNSSECAfter == s.DNSSECAfter &&
			(r.KeyExchange == Unknown || r.KeyExchange == s.KeyExchange) {
			c.StatePath = append([]string(nil), c.StatePath...)
			return c, nil
		}
	}
	// The table covers every combination of the answers checked above.
	panic(fmt.Sprintf("plan: no case for %+v", s))
}

func lookup(n int) Case {
	c := table[n-1]
	c.StatePath = append([]string(nil), c.StatePath...)
	return c
}

func missingErr(flags []string) error {
	for i, f := range flags {
		flags[i] = "--" + f
	}
	what := "is"
	if len(flags) > 1 {
		what = "are"
	}
	return &SituationError{fmt.Sprintf("%s %s needed to find the case (each yes or no)", strings.Join(flags, " and "), what)}
}

// PatternName says in a few words what a pattern is.
func PatternName(p int) string {
	switch p {
	case 0:
		return "ordinary transfer without DNSSEC"
	case 1:
		return "method (1): DNSSEC to DNSSEC with key exchange"
	case 2:
		return "method (2): DNSSEC to DNSSEC, going Insecure on the way"
	case 3:
		return "method (2): no DNSSEC to DNSSEC"
	case 4:
		return "method (2): DNSSEC to no DNSSEC"
	case 5:
		return "registrar change only; the DNS servers stay"
	}
	return "none"
}
