// Package sim replays a DNSSEC transfer procedure against a population of
// validating resolver caches and records, for each cache, the status of the
// answer it would give a client at every instant: Secure, Insecure, Bogus,
// Indeterminate, or Lame when the servers it is sent to do not serve the zone.
//
// The world (a registry's parent zone and each DNS operator's version of the
// child zone) is made of real signed records, re-signed whenever a step of
// the procedure changes it, and every validation goes through package
// validator with real signatures; results are memoised per zone version.
//
// The engine is a discrete-event loop over a (time, priority, sequence) heap
// with a time.Duration clock from the scenario epoch and one seeded RNG, so a
// scenario and seed always give the same result. A cache whose every entry
// was fetched from the current world version cannot change state until the
// world changes again, so it schedules no events: cost grows with caches ×
// world changes, not with the horizon divided by the TTLs.
package sim
