package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Scenario is one transfer to simulate: the world, the procedure, and what the
// run is expected to show. Parse fills every default, so a Scenario read from
// a file is complete.
type Scenario struct {
	// Name identifies the scenario (default: the file name without .yaml).
	Name string
	// Description says in one line what the scenario shows.
	Description string
	// Seed seeds keys, random cache ages and query times (default 1).
	Seed int64
	// Child is the domain that moves, a lower-case absolute name.
	Child string

	// Parent is the registry's zone, which holds the child's delegation.
	Parent Parent
	// Losing and Gaining are the DNS operators before and after the transfer.
	Losing, Gaining Operator
	// Resolvers is the population of validating resolvers.
	Resolvers Resolvers

	// TransferStep names the step at which authority moves to the gaining
	// side; hasty and passive deadlines count from its time (default: the
	// first step).
	TransferStep string
	// Procedure holds the steps in file order. Schedule resolves each
	// step's At.
	Procedure []Step
	// Probe is what the resolvers' clients ask for (default www.<child> A).
	Probe Probe
	// Horizon is how long after the epoch the simulation runs. When the
	// file gives none, Schedule sets it to the last step's time plus three
	// times the largest TTL of the scenario, and recomputes it after every
	// Set.
	Horizon time.Duration

	// Expect holds the expectations in file order.
	Expect []Expectation

	// File is where the scenario was read from: the path given to Load or
	// Parse, or "builtin:NAME" for a built-in.
	File string

	// autoHorizon is true when Horizon is the default, recomputed by
	// Schedule.
	autoHorizon bool
	// pos maps a dotted path ("parent.ds_ttl", "procedure[2].after",
	// "resolvers.profiles.bind") to where its value was written, so that
	// checks made after decoding still point into the file.
	pos map[string]pos
}

// Parent is the parent zone and its registry.
type Parent struct {
	// Zone is the parent zone's name (default: the child's parent name).
	Zone string
	// NSTTL and DSTTL are the TTLs of the child's delegation NS and DS
	// RRsets in the parent (defaults 2d and 1d).
	NSTTL, DSTTL time.Duration
	// NegativeTTL is the TTL of the parent's proof that the child has no
	// DS: the SOA minimum, which the NSEC or NSEC3 records carry (default
	// 1h).
	NegativeTTL time.Duration
	// ProcessingDelay is how long after a step the registry applies it
	// (default 0).
	ProcessingDelay time.Duration
	// Denial is "nsec" or "nsec3" (default "nsec").
	Denial string
	// Algorithm is the parent's DNSSEC algorithm number (default 13).
	Algorithm uint8
}

// Operator is a DNS operator serving its own version of the child zone.
type Operator struct {
	// Name is "losing" or "gaining".
	Name string
	// Signed says whether the operator signs the child zone (required).
	Signed bool
	// Algorithm is the operator's DNSSEC algorithm number (default 13).
	Algorithm uint8
	// NSTTL is the TTL of the child's apex NS RRset at this operator
	// (default 1d).
	NSTTL time.Duration
	// DNSKEYTTL is the TTL of the operator's DNSKEY RRset (default 1h).
	DNSKEYTTL time.Duration
	// DataTTL is the TTL of the probe's data and the SOA (default 1h).
	DataTTL time.Duration
	// Nameservers are the operator's name server names, lower-case and
	// absolute (default ns1.NAME.example. and ns2.NAME.example.). The
	// simulator assigns their addresses.
	Nameservers []string
	// Behaviour is "cooperative", "passive" or "hasty" (default: passive
	// for the losing operator, cooperative for the gaining one).
	Behaviour string
	// DeleteAfter is, for a passive operator, how long after the transfer
	// step it deletes its zone; 0 means it keeps the zone.
	DeleteAfter time.Duration
	// HastyAction is what a hasty operator does: "delete-dnskeys" (the
	// default for a hasty operator) or "delete-zone". It is empty for
	// other behaviours unless the file gives it.
	HastyAction string
	// HastyDelay is how long after the transfer step a hasty operator acts.
	HastyDelay time.Duration
}

// Resolvers is the population of validating resolvers, one cache each.
type Resolvers struct {
	// Count is the number of caches (default 1000; with explicit ages, the
	// number of ages; with Caches, the number of caches).
	Count int
	// Profiles gives each resolver profile its weight in the population,
	// sorted by name (default unbound 1, bind 1; with Caches, each profile
	// of the caches weighted by its number of caches). The names are
	// checked against the simulator's list by ValidateProfiles.
	Profiles []ProfileWeight
	// CacheAge is "even" (phases spread evenly over each TTL), "random"
	// (seeded), "explicit" (Ages) or "given" (the Caches list is the
	// population) (default "even"; "given" exactly when Caches is given).
	CacheAge string
	// Ages holds one age per cache when CacheAge is "explicit".
	Ages []time.Duration
	// Query is "continuous" (every expiry is refetched at once) or "rate"
	// (clients ask every QueryInterval on average) (default "continuous").
	Query string
	// QueryInterval is the mean time between client queries for "rate".
	QueryInterval time.Duration
	// Caches, when given, is the whole population: one cache each, with its
	// profile and the moment each of its entries was fetched. It replaces
	// count, ages and cache_age (a witness of the worst-case analysis replays
	// as such a cache).
	Caches []CacheSpec
}

// The entries of a cache, as indexes of CacheSpec.Fetched.
const (
	// EntryNS is the delegation NS set.
	EntryNS = 0
	// EntryDS is the DS set or the proof of no DS.
	EntryDS = 1
	// EntryKey is the key entry: the validated DNSKEY set.
	EntryKey = 2
	// EntryAnswer is the probe's answer.
	EntryAnswer = 3
)

// EntryNames are the names of a cache's entries, by index (EntryNS, EntryDS,
// EntryKey, EntryAnswer): the keys of a cache in a file and in its text form.
var EntryNames = [4]string{"ns", "ds", "key", "answer"}

// CacheSpec is one cache given entry by entry.
type CacheSpec struct {
	// Profile is the cache's resolver profile (checked by ValidateProfiles).
	Profile string
	// Fetched holds when each entry was fetched, as an offset at or before the epoch (0 or negative):
	// index EntryNS (the delegation NS set), EntryDS (the DS set or the proof of no DS),
	// EntryKey (the key entry: the validated DNSKEY set) and EntryAnswer (the probe's answer).
	Fetched [4]time.Duration
	// Servers names, in order, the operator ("losing" or "gaining") the cache asks at each fetch
	// where its NS set names several operators that serve the zone; once the list runs out it asks the first of them.
	Servers []string
	// QueryPhase is the offset of the cache's client query grid for query rate (0 to below the
	// query interval, whole seconds); it must be 0 with query continuous.
	QueryPhase time.Duration
}

// ProfileWeight is one resolver profile's share of the population.
type ProfileWeight struct {
	Name   string
	Weight float64
}

// Step is one named step of the procedure.
type Step struct {
	// Name identifies the step; other steps wait for it by this name.
	Name string
	// Note says what the step is, usually with the guideline's step numbers.
	Note string
	// At is the step's time as an offset from the epoch. For a step with
	// After, Schedule sets it to the time of that step plus Wait.
	At time.Duration
	// After names the step this one waits for; empty for an absolute step.
	After string
	// Wait is how long after the After step this one happens; nil for an
	// absolute step.
	Wait *Expr
	// Actions are done in order at At.
	Actions []Action
}

// Action is one thing an actor does at a step.
type Action struct {
	// Actor is "registry", "losing" or "gaining".
	Actor string
	// Action is what the actor does, for example "remove-ds" (ActionsOf
	// lists each actor's actions).
	Action string
	// Operator names the operator whose NS, DS or key the action is about:
	// "losing" or "gaining". For actions an operator does to its own zone
	// (sign, unsign, delete-zone, delete-dnskeys, publish-cds) it is the
	// actor itself; for notify it is whom the actor tells, or empty.
	Operator string
}

// Probe is the question the resolvers' clients ask.
type Probe struct {
	// Name is an absolute lower-case name at or below the child.
	Name string
	// Type is the query type (a dns.Type value, 1 for A).
	Type uint16
}

// Error is a problem in a scenario file, at a position in it.
type Error struct {
	File      string
	Line, Col int
	// Msg says what was expected and what was found.
	Msg string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// maxFileSize bounds what Load and Parse read.
const maxFileSize = 256 << 10

// Load reads the scenario file at path. Errors in the file are *Error values
// naming path.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Parse reads a scenario from data; file is the name errors and
// Scenario.File give. It fills every default, checks the scenario and
// resolves its schedule. Every error is an *Error.
func Parse(data []byte, file string) (*Scenario, error) {
	if len(data) > maxFileSize {
		return nil, &Error{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("expected a scenario file of at most %d bytes, found %d bytes", maxFileSize, len(data))}
	}
	if err := checkNesting(data, file); err != nil {
		return nil, err
	}
	s, err := decode(data, file)
	if err != nil {
		return nil, err
	}
	if p := s.check(); p != nil {
		return nil, s.errorAt(p)
	}
	if p := s.schedule(); p != nil {
		return nil, s.errorAt(p)
	}
	return s, nil
}

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtin reads the built-in scenario name (see BuiltinNames). Its File is
// "builtin:NAME".
func Builtin(name string) (*Scenario, error) {
	data, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
	if err != nil || strings.ContainsAny(name, "/\\") {
		return nil, fmt.Errorf("scenarios: no built-in scenario %q; expected one of: %s", name, strings.Join(BuiltinNames(), ", "))
	}
	return Parse(data, "builtin:"+name)
}

// BuiltinNames returns the names of the built-in scenarios, sorted.
func BuiltinNames() []string {
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		panic(err) // the embedded directory exists by construction
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// defaultName is the name of a scenario that gives none: its file's base
// name without the extension.
func defaultName(file string) string {
	if n, ok := strings.CutPrefix(file, "builtin:"); ok {
		return n
	}
	base := filepath.Base(file)
	return strings.TrimSuffix(base, path.Ext(base))
}

// ErrorAt returns an error about the value at path, a dotted path as
// problems in the file name it ("resolvers.caches[2].ds", "parent.ds_ttl",
// "procedure[1].wait"), reading "PATH: MESSAGE" with MESSAGE formatted from
// format and args, which should say what was expected and what was found.
// It is an *Error at where the file wrote that value, or the nearest value
// enclosing it that the file wrote; for a scenario not read from a file it
// is a plain error "scenario NAME: PATH: MESSAGE". The simulator uses it to
// report at the field a value only it can judge, such as a fetch time
// further back than the entry's TTL allows.
func (s *Scenario) ErrorAt(path, format string, args ...any) error {
	p := problemf(path, "%s: %s", label(path), fmt.Sprintf(format, args...))
	if _, ok := s.lookupPos(path); !ok {
		return fmt.Errorf("scenario %s: %s", s.Name, p.msg)
	}
	return s.errorAt(p)
}

// errorAt turns a problem into an *Error at the position recorded for its
// path, or for the nearest enclosing path that has one.
func (s *Scenario) errorAt(p *problem) error {
	at, ok := s.lookupPos(p.path)
	if !ok {
		return errors.New(p.String())
	}
	return &Error{File: s.File, Line: at.line, Col: at.col, Msg: p.msg}
}

// lookupPos finds the position of path or of its nearest ancestor.
func (s *Scenario) lookupPos(path string) (pos, bool) {
	if s.pos == nil {
		return pos{}, false
	}
	for {
		if p, ok := s.pos[path]; ok {
			return p, true
		}
		if path == "" {
			return pos{}, false
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			path = ""
		} else {
			path = path[:i]
		}
	}
}

// pos is a 1-based position in a scenario file.
type pos struct{ line, col int }

// problem is a fault found in a scenario, at a dotted path.
type problem struct {
	path string
	msg  string
}

func (p *problem) String() string { return p.msg }

func problemf(path, format string, args ...any) *problem {
	return &problem{path: path, msg: fmt.Sprintf(format, args...)}
}
