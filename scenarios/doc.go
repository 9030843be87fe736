// Package scenarios reads transfer scenarios: the YAML files that describe a
// DNSSEC domain transfer (the parent zone and its registry, a losing and a
// gaining DNS operator, a population of validating resolvers), the procedure
// the actors follow, and what the run is expected to show.
//
// [Load] and [Parse] read a file, [Builtin] one of the scenarios embedded from
// builtin/ (the guideline's procedures; see [BuiltinNames]). Reading is
// strict: an unknown
// field, a value of the wrong type, a negative TTL or one longer than
// 2^31-1 seconds (RFC 2181 §8), a bad duration, a step that waits for no step
// or for itself through a cycle, an unknown actor, action or operator, and an
// expectation naming no metric are all errors, and every error reads
// "FILE:LINE:COL: what was expected".
//
// A step's time is absolute (at:) or relative to another step plus a wait
// written in terms of the scenario's TTLs (after: remove-old-ds, wait:
// parent.ds_ttl + 1h). Waits are kept as expressions ([Expr]), so that
// [Scenario.Set] can change a TTL and [Scenario.Schedule] moves every later
// step with it: a TTL sweep sweeps the schedule too.
//
// The resolver population is sampled (a count, profile weights and a cache
// age distribution) or given cache by cache (resolvers.caches, [CacheSpec]):
// each cache's profile and when each of its entries was fetched, which is
// how a witness of the simulator's worst-case analysis replays. Expectations
// bound a run's metrics ("Insecure.max_seconds: <= 3d") or the worst case
// ("worst.Bogus: never", "worst.unbound.Lame.max_seconds: <= 1m"); see
// [MetricNames].
//
// The package does not simulate anything; the simulator in sim/ consumes a
// [Scenario]. Nothing here reads the clock: times are offsets from the
// scenario's epoch.
package scenarios
