package sim

import (
	"fmt"
	"sort"
	"time"
)

// Profile describes how one resolver implementation caches and validates,
// with the parameters that decide what it sees during a transfer. The values
// come from ../shared/docs/research/resolver-behaviour.md (source reading)
// and measured-transfers.md (Unbound 1.17 and BIND 9.18 replayed on
// loopback); where the two disagree, the measurement wins.
type Profile struct {
	Name string `json:"name"`
	// Validating is false for a resolver that does no DNSSEC validation:
	// every answer it gives is Indeterminate (RFC 4033 §5).
	Validating bool `json:"validating"`
	// NSMode says which NS set the resolver recurses to and how long:
	// "parent": the referral's NS set for the parent's NS TTL;
	// "child_clamped": a child apex NS set replaces it, its TTL clamped to
	// what is left of the parent's (ghost-domain protection);
	// "child": the first child NS set takes its own TTL.
	NSMode string `json:"ns_mode"`
	// ChildNSFromAnswers is true when the resolver learns the child's apex
	// NS set from the authority section of answers; Unbound learns it only
	// from explicit NS queries, so for the probe it stays parent-centric.
	ChildNSFromAnswers bool `json:"child_ns_from_answers"`
	// KeyCache is "dnskey_ttl" when a validated DNSKEY set is used for its
	// whole TTL without looking at the DS again (measured for Unbound and
	// BIND), or "ds_rechecked" when the DS is re-read whenever it expires
	// and an absent DS makes answers Insecure at once.
	KeyCache string `json:"key_cache"`
	// UnknownKey is what a signature from a key missing from the cached
	// DNSKEY set does: "bogus" (Unbound: EDE 9, then a cached Bogus answer)
	// or "reprove" (BIND: re-prove the chain from the DS).
	UnknownKey string `json:"unknown_key"`
	// MaxTTL, MinTTL and MaxNegativeTTL cap positive and negative TTLs.
	MaxTTL         time.Duration `json:"max_ttl"`
	MinTTL         time.Duration `json:"min_ttl"`
	MaxNegativeTTL time.Duration `json:"max_negative_ttl"`
	// BogusTTL is how long a Bogus answer is cached; BogusKeyTTL how long a
	// failed DNSKEY/DS validation blocks the zone.
	BogusTTL    time.Duration `json:"bogus_ttl"`
	BogusKeyTTL time.Duration `json:"bogus_key_ttl"`
	// LameRetry is how long a resolution failure is remembered before the
	// next client query tries again.
	LameRetry time.Duration `json:"lame_retry"`
	// ServeStale serves the last good answer for up to StaleWindow past its
	// TTL when a fresh resolution fails or comes out Bogus (RFC 8767).
	ServeStale    bool          `json:"serve_stale"`
	StaleWindow   time.Duration `json:"stale_window"`
	StaleReplyTTL time.Duration `json:"stale_reply_ttl"`
	// Source says where the values come from.
	Source string `json:"source"`
}

const day = 24 * time.Hour

// profiles are the built-in resolver profiles, by name.
var profiles = map[string]Profile{
	"unbound": {
		Name: "unbound", Validating: true, NSMode: "child_clamped", ChildNSFromAnswers: false,
		KeyCache: "dnskey_ttl", UnknownKey: "bogus",
		MaxTTL: day, MinTTL: 0, MaxNegativeTTL: time.Hour,
		BogusTTL: 60 * time.Second, BogusKeyTTL: 60 * time.Second, LameRetry: 5 * time.Second,
		StaleWindow: day,
		Source:      "Unbound 1.26 source (cache-max-ttl 86400, cache-max-negative-ttl 3600, val-bogus-ttl 60, BOGUS_KEY_TTL 60, iter-scrub-promiscuous); key cache and Bogus on unknown keys measured on Unbound 1.17",
	},
	"bind": {
		Name: "bind", Validating: true, NSMode: "child_clamped", ChildNSFromAnswers: true,
		KeyCache: "dnskey_ttl", UnknownKey: "reprove",
		MaxTTL: 7 * day, MinTTL: 0, MaxNegativeTTL: 3 * time.Hour,
		BogusTTL: time.Second, BogusKeyTTL: 30 * time.Second, LameRetry: time.Second,
		StaleWindow: day,
		Source:      "BIND 9.20 source (max-cache-ttl 604800, max-ncache-ttl 10800, servfail-ttl 1); key cache, re-proving on unknown keys and the 30 s hold-off after a broken chain measured on BIND 9.18",
	},
	"knot": {
		Name: "knot", Validating: true, NSMode: "child", ChildNSFromAnswers: true,
		KeyCache: "ds_rechecked", UnknownKey: "reprove",
		MaxTTL: day, MinTTL: 5 * time.Second, MaxNegativeTTL: day,
		BogusTTL: time.Second, BogusKeyTTL: time.Second, LameRetry: time.Second,
		StaleWindow: day,
		Source:      "Knot Resolver 6 source reading (cache/ttl-max 1d, ttl-min 5 s; bogus RRsets not cached; missing DS fetched again); unconfirmed by measurement",
	},
	"powerdns": {
		Name: "powerdns", Validating: true, NSMode: "child", ChildNSFromAnswers: true,
		KeyCache: "ds_rechecked", UnknownKey: "reprove",
		MaxTTL: day, MinTTL: time.Second, MaxNegativeTTL: time.Hour,
		BogusTTL: time.Hour, BogusKeyTTL: time.Hour, LameRetry: 60 * time.Second,
		StaleWindow: 0,
		Source:      "PowerDNS Recursor 5.x source reading (max-cache-ttl 86400, max-negative-ttl 3600, max-cache-bogus-ttl 3600, servfail-ttl 60); unconfirmed by measurement",
	},
	"parent-centric": {
		Name: "parent-centric", Validating: true, NSMode: "parent",
		KeyCache: "ds_rechecked", UnknownKey: "reprove",
		MaxTTL: 7 * day, MaxNegativeTTL: 3 * time.Hour,
		BogusTTL: time.Second, BogusKeyTTL: time.Second, LameRetry: time.Second,
		Source: "the resolver the guideline assumes: the parent's NS and DS rule, the DS is rechecked when it expires, no TTL caps below a week",
	},
	"child-centric": {
		Name: "child-centric", Validating: true, NSMode: "child", ChildNSFromAnswers: true,
		KeyCache: "dnskey_ttl", UnknownKey: "bogus",
		MaxTTL: 7 * day, MaxNegativeTTL: 3 * time.Hour,
		BogusTTL: 60 * time.Second, BogusKeyTTL: 60 * time.Second, LameRetry: time.Second,
		Source: "a worst case: the child's NS set takes its own TTL, validated keys live their whole TTL, unknown keys are Bogus",
	},
	"public-google": {
		Name: "public-google", Validating: true, NSMode: "child_clamped", ChildNSFromAnswers: true,
		KeyCache: "ds_rechecked", UnknownKey: "reprove",
		MaxTTL: 6 * time.Hour, MaxNegativeTTL: time.Hour,
		BogusTTL: 60 * time.Second, BogusKeyTTL: 60 * time.Second, LameRetry: 5 * time.Second,
		Source: "Google Public DNS: max TTL 21600 s observed by third parties (DNS TTL Limits at Public DNS Resolvers, 2023); every other value unconfirmed",
	},
	"public-cloudflare": {
		Name: "public-cloudflare", Validating: true, NSMode: "child_clamped", ChildNSFromAnswers: true,
		KeyCache: "ds_rechecked", UnknownKey: "reprove",
		MaxTTL: 7 * day, MaxNegativeTTL: 3 * time.Hour,
		BogusTTL: 60 * time.Second, BogusKeyTTL: 60 * time.Second, LameRetry: 5 * time.Second,
		ServeStale: true, StaleWindow: day, StaleReplyTTL: 30 * time.Second,
		Source: "Cloudflare 1.1.1.1: serves stale (its blog on the 2026 .de outage), no TTL cap observed; every other value unconfirmed",
	},
	"non-validating": {
		Name: "non-validating", Validating: false, NSMode: "child_clamped",
		KeyCache: "dnskey_ttl", UnknownKey: "bogus",
		MaxTTL: day, MaxNegativeTTL: 3 * time.Hour, LameRetry: time.Second,
		Source: "a resolver without DNSSEC validation: answers are Indeterminate, or Lame",
	},
}

// ProfileNames returns the names of the built-in profiles, sorted.
func ProfileNames() []string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupProfile returns the built-in profile called name.
func LookupProfile(name string) (Profile, error) {
	p, ok := profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("sim: unknown resolver profile %q (known: %v)", name, ProfileNames())
	}
	return p, nil
}

// capTTL applies the profile's positive TTL caps.
func (p *Profile) capTTL(d time.Duration) time.Duration {
	if p.MaxTTL > 0 && d > p.MaxTTL {
		d = p.MaxTTL
	}
	if d < p.MinTTL {
		d = p.MinTTL
	}
	return atLeastSecond(d)
}

// capNegative applies the profile's negative TTL cap.
func (p *Profile) capNegative(d time.Duration) time.Duration {
	if p.MaxNegativeTTL > 0 && d > p.MaxNegativeTTL {
		d = p.MaxNegativeTTL
	}
	if d < p.MinTTL {
		d = p.MinTTL
	}
	return atLeastSecond(d)
}

// atLeastSecond keeps every cache lifetime positive: resolvers work in whole
// seconds and a zero lifetime would mean a refetch on every event.
func atLeastSecond(d time.Duration) time.Duration {
	if d < time.Second {
		return time.Second
	}
	return d
}
