package sim

import (
	"fmt"
	"time"

	"github.com/dnssecsim/dnssecsim/scenarios"
)

// apply carries out one world change at t. It reports whether anything
// resolvers can see changed; each action that does something, and each one
// an operator's behaviour makes it ignore, is traced.
func (w *World) apply(t time.Duration, wc *worldChange, tracef func(time.Duration, string, ...any)) (bool, error) {
	parentDirty := false
	changed := false
	for _, a := range wc.actions {
		did, msg, err := w.applyAction(a)
		if err != nil {
			return false, fmt.Errorf("sim: step %s: %w", wc.step, err)
		}
		prefix := a.Actor
		if wc.note != "" {
			prefix += " (" + wc.note + ")"
		}
		tracef(t, "%s: %s [%s]", prefix, msg, wc.step)
		if did {
			changed = true
			if a.Actor == "registry" {
				parentDirty = true
			}
		}
	}
	if len(wc.actions) == 0 {
		tracef(t, "step %s", wc.step)
	}
	if !changed {
		return false, nil
	}
	if parentDirty {
		w.parentVer++
		if err := w.rebuildParent(); err != nil {
			return false, err
		}
	}
	for _, op := range w.ops {
		if len(op.snaps) <= op.ver {
			if err := w.snapshot(op); err != nil {
				return false, err
			}
		}
	}
	w.gen++
	return true, nil
}

// applyAction changes the world for one action and describes what it did.
func (w *World) applyAction(a scenarios.Action) (bool, string, error) {
	target := -1
	if a.Operator != "" {
		i, err := w.operatorIndex(a.Operator)
		if err != nil {
			return false, "", err
		}
		target = i
	}
	if a.Actor == "registry" {
		switch a.Action {
		case "add-ds":
			if !w.ops[target].signed {
				return false, fmt.Sprintf("no DS added for %s: it does not sign", a.Operator), nil
			}
			return setFlag(w.registryDS, target, true), "DS added (" + a.Operator + ")", nil
		case "remove-ds":
			return setFlag(w.registryDS, target, false), "DS removed (" + a.Operator + ")", nil
		case "add-ns":
			return setFlag(w.registryNS, target, true), "NS added (" + a.Operator + ")", nil
		case "remove-ns":
			return setFlag(w.registryNS, target, false), "NS removed (" + a.Operator + ")", nil
		case "scan-cds":
			did := false
			for _, op := range w.ops {
				if op.serving && op.signed && op.cds && w.registryNS[op.idx] {
					did = setFlag(w.registryDS, op.idx, true) || did
				}
			}
			return did, "CDS scanned", nil
		}
		return false, "", fmt.Errorf("registry cannot %s", a.Action)
	}
	idx, err := w.operatorIndex(a.Actor)
	if err != nil {
		return false, "", err
	}
	op := w.ops[idx]
	if op.cfg.Behaviour == "passive" && a.Action != "delete-zone" && a.Action != "notify" {
		return false, a.Action + " ignored (passive operator)", nil
	}
	var did bool
	var msg string
	switch a.Action {
	case "publish-key":
		did, msg = setFlag(op.extra, target, true), "publishes the "+a.Operator+" ZSK"
	case "withdraw-key":
		did, msg = setFlag(op.extra, target, false), "withdraws the "+a.Operator+" ZSK"
	case "add-ns":
		did, msg = setFlag(op.apexNS, target, true), "adds the "+a.Operator+" nameservers to its apex NS"
	case "remove-ns":
		did, msg = setFlag(op.apexNS, target, false), "removes the "+a.Operator+" nameservers from its apex NS"
	case "sign":
		did, msg = !op.signed, "signs the zone"
		op.signed = true
	case "unsign":
		did, msg = op.signed, "stops signing the zone"
		op.signed = false
	case "delete-zone":
		did, msg = op.serving, "deletes the zone"
		op.serving = false
	case "delete-dnskeys":
		did, msg = !op.noKeys, "deletes its DNSKEYs"
		op.noKeys = true
	case "publish-cds":
		did, msg = !op.cds, "publishes CDS/CDNSKEY"
		op.cds = true
	case "notify":
		return false, "notified", nil
	default:
		return false, "", fmt.Errorf("operator cannot %s", a.Action)
	}
	if did {
		op.ver++
	}
	return did, msg, nil
}

func setFlag(m map[int]bool, k int, v bool) bool {
	if m[k] == v {
		return false
	}
	m[k] = v
	return true
}
