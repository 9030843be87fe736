package sim

import (
	"fmt"
	"time"
)

// State is what a cache would answer a client at one instant.
type State uint8

// The states, in report order.
const (
	Secure State = iota
	Insecure
	Bogus
	Indeterminate
	Lame
	numStates
)

var stateNames = [numStates]string{"Secure", "Insecure", "Bogus", "Indeterminate", "Lame"}

// String returns the state's name.
func (s State) String() string { return stateNames[s] }

// MarshalText encodes the state as its name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a state name.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("sim: unknown state %q", b)
}

// States lists every state in report order.
func States() []State { return []State{Secure, Insecure, Bogus, Indeterminate, Lame} }

// keyKind is what a cache's key entry for the child holds.
type keyKind uint8

const (
	keyNone     keyKind = iota // nothing cached (non-validating resolver)
	keySecure                  // an authenticated DNSKEY set
	keyInsecure                // the zone is provably unsigned (Unbound's null key entry)
	keyBogus                   // the DS/DNSKEY chain failed: the zone is blocked
	keyLame                    // no server gave a DNSKEY set
)

// entry is the lifetime bookkeeping of one cached item. An entry is fetched
// again at expire; period is the time between two fetches while the data
// does not change. gen is the world generation it was fetched in: when gen
// equals the world's and none of its inputs changed since, fetching it again
// gives the same result.
type entry struct {
	expire  time.Duration
	period  time.Duration
	fetched time.Duration
	gen     int
}

const (
	never    = -1 // fetched from one of several operators chosen at random
	unsettle = -2 // an input changed after it was fetched
)

// unsettle marks e, unless it was fetched at t (from the new inputs), as
// built from inputs that have changed since.
func (e *entry) unsettle(t time.Duration) {
	if e.fetched != t && e.gen != never {
		e.gen = unsettle
	}
}

// cache is one resolver's cache for the child zone.
type cache struct {
	id     int32
	prof   *Profile
	age    time.Duration
	phases [4]float64    // how far into its lifetime each entry (NS, DS, key, answer) was at the start
	phase  time.Duration // offset of its client query grid (rate query model)
	token  uint32

	ns      entry
	nsMask  uint8 // operators whose nameservers the cached NS set names
	nsChild bool  // the NS set came from the child (ns_mode child)

	ds    entry
	dsVer int // parent version whose DS set or no-DS proof is cached

	key     entry
	keyKind keyKind
	keyID   keyID
	keyData *keyEntryData

	ans       entry
	good      State         // the last Secure, Insecure or Indeterminate answer
	goodUntil time.Duration // when that answer expired
	state     State
	since     time.Duration

	entered   uint8 // bit per state ever entered
	intervals []Interval
}

// Interval is one stretch of a cache in one state, in seconds from the epoch.
type Interval struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	State State   `json:"state"`
}

// entries lists c's entries in the order a resolver needs them (an array,
// so the per-event loops over it allocate nothing).
func (c *cache) entries() [4]*entry { return [4]*entry{&c.ns, &c.ds, &c.key, &c.ans} }

// settled reports whether fetching e again now would return what it holds.
func (e *entry) settled(gen int) bool { return e.gen == gen }

// advance moves a settled entry's expiry past every fetch before t, each of
// which returned the same data, keeping its phase.
func (e *entry) advance(t time.Duration) {
	if e.expire >= t || e.period <= 0 {
		return
	}
	k := (t - e.expire + e.period - 1) / e.period
	e.expire += k * e.period
}
