package validator

import (
	"bytes"
	"strings"

	"github.com/miekg/dns"
)

// nameWireLabels returns the labels of a domain name as raw lowercased octets
// (escapes such as \046 resolved), leftmost first. Invalid names give nil.
func nameWireLabels(name string) [][]byte {
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(dns.Fqdn(name), buf, 0, nil, false)
	if err != nil {
		return nil
	}
	buf = buf[:n]
	var labels [][]byte
	for i := 0; i < len(buf) && buf[i] != 0; {
		l := int(buf[i])
		if i+1+l > len(buf) {
			return nil
		}
		labels = append(labels, bytes.ToLower(buf[i+1:i+1+l]))
		i += 1 + l
	}
	return labels
}

// nameCompare orders names canonically (RFC 4034 §6.1): label by label from
// the rightmost, each label compared as lowercased octets, and a name sorts
// before its descendants.
func nameCompare(a, b string) int {
	if strings.EqualFold(a, b) {
		return 0
	}
	la, lb := nameWireLabels(a), nameWireLabels(b)
	i, j := len(la)-1, len(lb)-1
	for i >= 0 && j >= 0 {
		if c := bytes.Compare(la[i], lb[j]); c != 0 {
			return c
		}
		i--
		j--
	}
	switch {
	case i < 0 && j < 0:
		return 0
	case i < 0:
		return -1
	default:
		return 1
	}
}

// nameEqual reports whether two names are the same, ignoring ASCII case.
func nameEqual(a, b string) bool {
	return strings.EqualFold(dns.Fqdn(a), dns.Fqdn(b))
}

// nameIsSubdomain reports whether child is parent or below it.
func nameIsSubdomain(child, parent string) bool {
	return dns.IsSubDomain(parent, child)
}

// nameStrictlyBelow reports whether child is below parent and not parent itself.
func nameStrictlyBelow(child, parent string) bool {
	return !nameEqual(child, parent) && dns.IsSubDomain(parent, child)
}

// nameParent returns the name with its leftmost label removed ("." for a
// top-level name and for the root).
func nameParent(name string) string {
	off, end := dns.NextLabel(name, 0)
	if end {
		return "."
	}
	return name[off:]
}

// nameAncestorAt returns the ancestor of name that has n labels.
func nameAncestorAt(name string, n int) string {
	labels := dns.CountLabel(name)
	for ; labels > n; labels-- {
		name = nameParent(name)
	}
	return name
}

// nameCommonAncestor returns the longest name that both a and b are equal to
// or below.
func nameCommonAncestor(a, b string) string {
	n := dns.CompareDomainName(a, b)
	return nameAncestorAt(a, n)
}

// nameCovers reports whether name falls strictly between owner and next in
// canonical order, with the last record of a chain (next <= owner) wrapping
// around the zone apex (RFC 4034 §4.1.1).
func nameCovers(owner, next, name string) bool {
	co := nameCompare(owner, name)
	if co >= 0 {
		// name at or before owner: covered only by the wrap-around span.
		if nameCompare(next, owner) <= 0 {
			return co > 0 && nameCompare(name, next) < 0
		}
		return false
	}
	// owner < name
	if nameCompare(next, owner) <= 0 {
		return true // last span wraps: everything after owner
	}
	return nameCompare(name, next) < 0
}

func lower(name string) string { return strings.ToLower(dns.Fqdn(name)) }

// nameCanonical returns the canonical form of a name (RFC 4034 §6.2):
// uppercase letters lowercased in the label octets themselves, so that an
// escaped capital such as \065 becomes "a" too (strings.ToLower leaves it).
func nameCanonical(name string) string {
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(dns.Fqdn(name), buf, 0, nil, false)
	if err != nil {
		return lower(name)
	}
	for i := 0; i < n && buf[i] != 0; {
		l := int(buf[i])
		for j := i + 1; j <= i+l && j < n; j++ {
			if 'A' <= buf[j] && buf[j] <= 'Z' {
				buf[j] += 'a' - 'A'
			}
		}
		i += 1 + l
	}
	out, _, err := dns.UnpackDomainName(buf[:n], 0)
	if err != nil {
		return lower(name)
	}
	return out
}
