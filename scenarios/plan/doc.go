// Package plan turns a transfer situation into a procedure: the row of the
// guideline's case table that fits it (case number, pattern, expected state
// path) and a schedule of steps whose waits are computed from the actual
// TTLs and the resolver profiles' TTL caps, each with its reason.
//
// [Classify] maps a [Situation] (registrar change, NS change, DNSSEC before
// and after, key exchange) to a [Case] of the table (docs/guideline.md, "The
// case table"); [Cases] lists all fifteen rows. [Make] builds a [Plan] for a
// case from a scenario that supplies the world and its TTLs (by default the
// case's built-in scenario, see [Case.Scenario]). A plan carries the
// scenario of its own schedule, so that [Plan.Verify] can simulate it
// against every resolver profile and [Plan.Minimize] can search for the
// shortest waits that keep every profile Bogus-free.
//
// Nothing here reads the clock: step times are offsets from the start,
// which the caller places on a calendar.
package plan
