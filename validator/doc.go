// Package validator decides whether a DNS answer is Secure, Insecure, Bogus or
// Indeterminate (RFC 4033 §5) by building the chain of trust from a trust
// anchor down to the answer, the way a validating iterative resolver does
// (RFC 4035 §5, RFC 6840, RFC 5155 §8).
//
// The package is pure: records come from a Source, the trust anchor and the
// validation time are arguments, and nothing here reads the clock. Every
// verdict carries a fixed reason phrase, the most specific RFC 8914 Extended
// DNS Error code that applies, the zone where the chain ended and the chain
// itself (for each zone cut: the DS set, which DS matched which DNSKEY, the
// DNSKEY set and which signatures verified and why the others did not).
//
// The cryptographic primitives (VerifySig, SignedData, MatchDS) are exported
// for callers that hold records themselves, such as a zone auditor or a
// simulator that memoises validations.
package validator
