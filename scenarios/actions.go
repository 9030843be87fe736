package scenarios

import (
	"fmt"
	"sort"
	"strings"
)

// Actors.
const (
	ActorRegistry = "registry"
	ActorLosing   = "losing"
	ActorGaining  = "gaining"
)

// operandKind says what an action's operator field may hold.
type operandKind int

const (
	// operandRequired: operator must name the losing or the gaining
	// operator.
	operandRequired operandKind = iota
	// operandOptional: operator may name either operator or be omitted.
	operandOptional
	// operandSelf: the action is about the actor's own zone; operator may
	// be omitted or name the actor itself, and is set to the actor.
	operandSelf
	// operandDefaultGaining: operator may name either operator and is
	// "gaining" when omitted.
	operandDefaultGaining
)

// actions lists, per actor, the actions it may take and what its operator
// field means.
//
// registry:
//   - add-ds, remove-ds: add or remove the DS of the named operator's key in
//     the parent.
//   - add-ns, remove-ns: add or remove the named operator's name servers (and
//     glue) in the delegation.
//   - scan-cds: take the DS from the named operator's CDS/CDNSKEY (RFC 7344,
//     RFC 8078); the gaining operator's when omitted.
//
// losing and gaining (an operator acting on its own version of the zone):
//   - publish-key, withdraw-key: add to or remove from its DNSKEY set the
//     named operator's key (the other's ZSK in RFC 6781 §4.3.5.1).
//   - add-ns, remove-ns: add or remove the named operator's name servers in
//     its apex NS set.
//   - sign, unsign: start or stop signing.
//   - delete-zone: stop serving the zone (lame).
//   - delete-dnskeys: remove its DNSKEYs and signatures.
//   - publish-cds: publish CDS/CDNSKEY for its own key (RFC 7344).
//   - notify: tell the named operator (or nobody in particular) something;
//     no effect on any data, a line in the trace.
var actions = map[string]map[string]operandKind{
	ActorRegistry: {
		"add-ds":    operandRequired,
		"remove-ds": operandRequired,
		"add-ns":    operandRequired,
		"remove-ns": operandRequired,
		"scan-cds":  operandDefaultGaining,
	},
	ActorLosing:  operatorActions,
	ActorGaining: operatorActions,
}

var operatorActions = map[string]operandKind{
	"publish-key":    operandRequired,
	"withdraw-key":   operandRequired,
	"add-ns":         operandRequired,
	"remove-ns":      operandRequired,
	"sign":           operandSelf,
	"unsign":         operandSelf,
	"delete-zone":    operandSelf,
	"delete-dnskeys": operandSelf,
	"publish-cds":    operandSelf,
	"notify":         operandOptional,
}

// Actors returns the actor names, sorted.
func Actors() []string { return sortedKeys(actions) }

// ActionsOf returns the actions actor may take, sorted; nil for an unknown
// actor.
func ActionsOf(actor string) []string {
	if m, ok := actions[actor]; ok {
		return sortedKeys(m)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// checkAction checks one action at path and fills a defaulted operator. It
// returns the action as it should be stored.
func checkAction(a Action, path string) (Action, *problem) {
	table, ok := actions[a.Actor]
	if !ok {
		return a, problemf(path+".actor", "%s.actor: expected one of %s, found %q", path, strings.Join(Actors(), ", "), a.Actor)
	}
	kind, ok := table[a.Action]
	if !ok {
		return a, problemf(path+".action", "%s.action: expected an action of %s: one of %s, found %q", path, a.Actor, strings.Join(ActionsOf(a.Actor), ", "), a.Action)
	}
	if a.Operator != "" && a.Operator != ActorLosing && a.Operator != ActorGaining {
		return a, problemf(path+".operator", "%s.operator: expected losing or gaining, found %q", path, a.Operator)
	}
	switch kind {
	case operandRequired:
		if a.Operator == "" {
			return a, problemf(path, "%s: expected an operator (losing or gaining) for %s %s: whose %s it is", path, a.Actor, a.Action, operandNoun(a.Action))
		}
	case operandSelf:
		if a.Operator != "" && a.Operator != a.Actor {
			return a, problemf(path+".operator", "%s.operator: %s %s acts on the %s operator's own zone; expected no operator or %q, found %q", path, a.Actor, a.Action, a.Actor, a.Actor, a.Operator)
		}
		a.Operator = a.Actor
	case operandDefaultGaining:
		if a.Operator == "" {
			a.Operator = ActorGaining
		}
	}
	return a, nil
}

func operandNoun(action string) string {
	switch {
	case strings.HasSuffix(action, "-ds"):
		return "DS"
	case strings.HasSuffix(action, "-ns"):
		return "name servers"
	case strings.HasSuffix(action, "-key"):
		return "key"
	}
	return "data"
}

// String writes the action as "actor action operator".
func (a Action) String() string {
	if a.Operator == "" || a.Operator == a.Actor {
		return fmt.Sprintf("%s %s", a.Actor, a.Action)
	}
	return fmt.Sprintf("%s %s %s", a.Actor, a.Action, a.Operator)
}
