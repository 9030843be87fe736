// Package duration reads and writes the durations of scenario files and
// reports: DNS-style TTL spellings such as "90s", "36h", "2d", "1w", their
// combinations ("1d12h", "1h30m") and plain integer seconds ("3600").
//
// Units are w (week, 7 days), d (day, 24 hours), h, m and s. A combination
// lists its units from the largest to the smallest, each at most once, as
// BIND's TTL syntax writes them; upper-case units are accepted too. Durations
// here are whole seconds: DNS TTLs have no finer resolution (RFC 2181 §8).
//
// [TTL] converts a duration to an RFC 2181 §8 TTL, which must lie between 0
// and 2^31-1 seconds.
package duration
