// Package signer is a small DNSSEC zone signer.
//
// It serves two users: the validator's tests, which build signed hierarchies
// and then break them on purpose, and the simulator, which builds real signed
// zones for a registry and its DNS operators from a seed.
//
// [NewKey] derives keys deterministically from a seed for algorithms 5, 7, 8,
// 10 (RSA, picked from a fixed pool of embedded test keys), 13, 14 (ECDSA),
// 15 (Ed25519) and 16 (Ed448). [Sign] makes one RRSIG over one RRset and
// [SignZone] signs a whole zone following RFC 4035 §2: DNSKEY RRset, NSEC or
// NSEC3 chain (RFC 4034 §4, RFC 5155 §7.1), NSEC3PARAM and RRSIGs.
//
// Determinism: for the same inputs, every function of this package returns the
// same bytes on every run and machine, for every algorithm. RSA PKCS #1 v1.5,
// Ed25519 and Ed448 signatures are deterministic by construction; ECDSA
// signatures (algorithms 13 and 14) would be randomised by Go's default
// signing, so this package signs with deterministic ECDSA nonces (RFC 6979,
// Go's ecdsa.PrivateKey.Sign with a nil random source). RFC 6979 signatures
// are ordinary ECDSA signatures that any validator accepts; a verifier cannot
// tell them apart from randomised ones.
//
// The keys made here are test keys. The RSA pool in testkeys/ is public; the
// other keys are only as secret as their seed. Nothing signed with them may be
// trusted outside a simulation.
package signer
