package validator

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"strconv"

	"github.com/miekg/dns"
)

// DSResult says whether one DS record matches one DNSKEY.
type DSResult uint8

const (
	DSMatch                DSResult = iota // owner, key tag, algorithm and digest all match
	DSNoKey                                // key tag/algorithm/owner differ: this DS does not name this key
	DSDigestMismatch                       // names the key but the digest differs
	DSUnsupportedDigest                    // names the key but its digest type is not 1, 2 or 4
	DSUnsupportedAlgorithm                 // names the key but its algorithm cannot be validated here
)

var dsResultNames = [...]string{
	DSMatch:                "DS matches key",
	DSNoKey:                "DS does not name key",
	DSDigestMismatch:       "DS digest mismatch",
	DSUnsupportedDigest:    "unsupported digest type",
	DSUnsupportedAlgorithm: "unsupported algorithm",
}

// String returns a short fixed phrase describing r.
func (r DSResult) String() string {
	if int(r) < len(dsResultNames) {
		return dsResultNames[r]
	}
	return "DSResult(" + strconv.Itoa(int(r)) + ")"
}

// Reasons given in DroppedDS.
const (
	dsReasonAlgorithm = "unsupported algorithm"
	dsReasonDigest    = "unsupported digest type"
	dsReasonSHA1      = "SHA-1 ignored: SHA-256/384 present (RFC 4509 §3)"
)

// SupportedDigest reports whether a DS digest type can be checked:
// 1 (SHA-1), 2 (SHA-256), 4 (SHA-384).
func SupportedDigest(d uint8) bool {
	return d == dns.SHA1 || d == dns.SHA256 || d == dns.SHA384
}

// MatchDS compares ds with key (RFC 4034 §5.1.4: digest = hash(canonical
// owner wire || DNSKEY RDATA)). It checks, in order: that ds names key (owner
// name ASCII case-insensitively, algorithm, key tag; else DSNoKey), that the
// algorithm is supported (SupportedAlgorithm), that the digest type is
// supported (SupportedDigest), then the digest. It does not look at the
// key's flags or protocol; VerifySig does. nil arguments give DSNoKey.
func MatchDS(ds *dns.DS, key *dns.DNSKEY) DSResult {
	if ds == nil || key == nil || ds.Algorithm != key.Algorithm ||
		!canonEqualName(ds.Hdr.Name, key.Hdr.Name) {
		return DSNoKey
	}
	ent := cryptoLookupKey(key.Algorithm, key.PublicKey)
	if !ent.decoded || cryptoKeyTag(key, ent) != ds.KeyTag {
		return DSNoKey
	}
	if !SupportedAlgorithm(ds.Algorithm) {
		return DSUnsupportedAlgorithm
	}
	if !SupportedDigest(ds.DigestType) {
		return DSUnsupportedDigest
	}

	var want [sha512.Size384]byte
	if len(ds.Digest) != 2*dsDigestLen(ds.DigestType) {
		return DSDigestMismatch
	}
	if _, err := hex.Decode(want[:], []byte(ds.Digest)); err != nil {
		return DSDigestMismatch
	}

	var h hash.Hash
	switch ds.DigestType {
	case dns.SHA1:
		h = sha1.New()
	case dns.SHA256:
		h = sha256.New()
	default:
		h = sha512.New384()
	}
	var buf [256 + 4]byte
	owner, err := canonAppendName(buf[:0], key.Hdr.Name)
	if err != nil {
		return DSDigestMismatch
	}
	h.Write(owner)
	var rdata [4]byte
	binary.BigEndian.PutUint16(rdata[:], key.Flags)
	rdata[2], rdata[3] = key.Protocol, key.Algorithm
	h.Write(rdata[:])
	h.Write(ent.raw)
	var got [sha512.Size384]byte
	sum := h.Sum(got[:0])
	if !bytes.Equal(sum, want[:len(sum)]) {
		return DSDigestMismatch
	}
	return DSMatch
}

// dsDigestLen is the digest size of a supported DS digest type.
func dsDigestLen(d uint8) int {
	switch d {
	case dns.SHA1:
		return sha1.Size
	case dns.SHA256:
		return sha256.Size
	case dns.SHA384:
		return sha512.Size384
	}
	return 0
}

// DroppedDS is a DS record UsableDS set aside, with the reason:
// "unsupported algorithm", "unsupported digest type" or
// "SHA-1 ignored: SHA-256/384 present (RFC 4509 §3)".
type DroppedDS struct {
	DS     *dns.DS
	Reason string
}

// UsableDS filters a DS RRset to the records a validator should use. Records
// with an unsupported algorithm or digest type are dropped (RFC 4035 §5.2,
// RFC 6840 §5.2). Then, if any remaining record has digest type 2 (SHA-256)
// or 4 (SHA-384), the remaining SHA-1 (1) records are dropped (RFC 4509 §3).
// Only records that survived the first step count as "present", so a SHA-256
// DS for an unsupported algorithm does not suppress a usable SHA-1 DS.
// Both results keep the input order; nil entries are skipped.
func UsableDS(set []*dns.DS) (usable []*dns.DS, dropped []DroppedDS) {
	strong := false
	for _, ds := range set {
		if ds != nil && ds.DigestType != dns.SHA1 &&
			SupportedAlgorithm(ds.Algorithm) && SupportedDigest(ds.DigestType) {
			strong = true
			break
		}
	}
	for _, ds := range set {
		switch {
		case ds == nil:
		case !SupportedAlgorithm(ds.Algorithm):
			dropped = append(dropped, DroppedDS{ds, dsReasonAlgorithm})
		case !SupportedDigest(ds.DigestType):
			dropped = append(dropped, DroppedDS{ds, dsReasonDigest})
		case strong && ds.DigestType == dns.SHA1:
			dropped = append(dropped, DroppedDS{ds, dsReasonSHA1})
		default:
			usable = append(usable, ds)
		}
	}
	return usable, dropped
}
