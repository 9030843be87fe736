// Package authority emulates authoritative name servers over in-memory zones.
//
// A [Zone] indexes one zone's records (signed or not) once, and then answers
// queries the way an authoritative server does (RFC 1034 section 4.3.2) with
// the DNSSEC OK bit set: RRSIGs with the data, NSEC or NSEC3 proofs for
// negative and wildcard answers (RFC 4035 section 3.1, RFC 5155 section 7.2),
// DS records or proofs of their absence in referrals. It serves the data as it
// is, including data broken on purpose: missing signatures or proofs are simply
// not sent, never made up.
//
// A [Set] groups zones served together, like one NSD instance with several
// zones, picks the zone that answers a query, and implements [dns.Handler] so
// that the zones can be served over real DNS (UDP and TCP) for tests and
// simulations.
package authority
