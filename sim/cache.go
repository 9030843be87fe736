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
// does not change (a constant: the capped TTL, rounded to the query grid).
// gen is the world generation it was fetched in: when gen equals the
// world's and none of its inputs changed since, fetching it again gives the
// same result.
type entry struct {
	expire  instant
	period  time.Duration
	fetched instant
	seq     int64 // the refresh that fetched it
	gen     int
}

const (
	never    = -1 // fetched from one of several operators chosen at random
	unsettle = -2 // an input changed after it was fetched
)

// Entry indices, in the order a resolver needs them.
const (
	entryNS = iota
	entryDS
	entryKey
	entryAnswer
	numEntries
)

var entryNames = [numEntries]string{"ns", "ds", "key", "answer"}

// cache is one resolver's cache for the child zone.
type cache struct {
	id    int32
	prof  *Profile
	age   time.Duration
	phase time.Duration // offset of its client query grid (rate query model)

	ns      entry
	nsMask  uint8 // operators whose nameservers the cached NS set names
	nsChild bool  // the NS set came from the child (ns_mode child)

	ds    entry
	dsVer int // parent version whose DS set or no-DS proof is cached

	key     entry
	keyKind keyKind
	keyID   keyID
	keyData *keyEntryData
	keyDSAt instant // when the DS set the key entry was built from was fetched
	keyWhy  string  // why a failed key entry failed

	ans       entry
	ansOp     int     // the operator the answer came from
	good      State   // the last Secure, Insecure or Indeterminate answer
	hasGood   bool    // good is set
	goodUntil instant // when that answer expired
	state     State
	since     instant
	cause     string // why the current failure state began (traces and witnesses)

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
func (c *cache) entries() [numEntries]*entry { return [numEntries]*entry{&c.ns, &c.ds, &c.key, &c.ans} }

// settled reports whether fetching e again now would return what it holds.
func (e *entry) settled(gen int) bool { return e.gen == gen }
