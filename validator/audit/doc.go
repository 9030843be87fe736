// Package audit checks a whole signed zone the way an operator does before a
// transfer (dnssecsim verify-zone): every RRSIG against the zone's DNSKEY
// RRset, the DNSKEY RRset against a trust anchor, the signer-side algorithm
// rule (RFC 4035 §2.2, RFC 6840 §5.11: every algorithm in the DNSKEY RRset
// signs every authoritative RRset), the NSEC or NSEC3 chain (RFC 4034 §4,
// RFC 4035 §2.3, RFC 5155 §7.1: one record per name, closed and ordered,
// bitmaps that match the data, opt-out, NSEC3PARAM, TTLs) and the absence of
// signatures and denial records below zone cuts.
//
// The package is pure: records, anchor and validation time are arguments and
// nothing here reads the clock. [Verify] audits a slice of records; a
// [Stream] audits records as they are read, verifying the signatures of each
// owner name on all cores while the rest of the file is still being parsed.
// Signature checks run on Options.Workers goroutines (GOMAXPROCS by default)
// in batches of owner names; the report does not depend on the scheduling:
// problems and warnings are sorted by owner name in canonical order
// (RFC 4034 §6.1), then type, then reason.
package audit
