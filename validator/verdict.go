package validator

import (
	"encoding/json"
	"strings"

	"github.com/miekg/dns"
)

// EDE is an RFC 8914 Extended DNS Error INFO-CODE.
type EDE uint16

// The Extended DNS Error codes that validation outcomes map to (RFC 8914 §4).
const (
	EDEUnsupportedDNSKEYAlgorithm EDE = 1
	EDEUnsupportedDSDigestType    EDE = 2
	EDEDNSSECIndeterminate        EDE = 5
	EDEDNSSECBogus                EDE = 6
	EDESignatureExpired           EDE = 7
	EDESignatureNotYetValid       EDE = 8
	EDEDNSKEYMissing              EDE = 9
	EDERRSIGsMissing              EDE = 10
	EDENoZoneKeyBitSet            EDE = 11
	EDENSECMissing                EDE = 12
	EDEUnsupportedNSEC3Iterations EDE = 27
)

// Verdict is the outcome of one validation: the status, why, and the chain
// of trust that led to it.
type Verdict struct {
	// QName and QType are the question that was validated.
	QName string `json:"qname"`
	QType string `json:"qtype"`
	// Status is the security status of the final answer.
	Status Status `json:"status"`
	// Reason is a fixed phrase naming the deciding fact (see the Reason* constants).
	Reason string `json:"reason"`
	// EDE is the RFC 8914 code that applies, or nil.
	EDE *EDE `json:"ede"`
	// Zone is the zone where the chain of trust ended: the zone that signed
	// the answer, the delegation proven unsigned, or the zone where it broke.
	Zone string `json:"zone"`
	// TTL is the validated TTL of the answer (RFC 4035 §5.3.3): the smallest
	// of each RRset's TTL, its RRSIG's original TTL and the time left before
	// the signature expires. Zero for Bogus.
	TTL uint32 `json:"ttl"`
	// Rcode is the DNS response code of the final answer.
	Rcode string `json:"rcode"`
	// Answer holds the records of the final answer (CNAME chain included).
	Answer []dns.RR `json:"-"`
	// Chain lists each zone visited from the anchor down, in order; a CNAME
	// or DNAME restarts the walk, so a zone can appear more than once.
	Chain []*Link `json:"chain"`
	// Steps lists, in order, each RRset or proof checked outside the DNSKEY
	// and DS sets: answers, CNAMEs, denial proofs.
	Steps []*Step `json:"steps"`
}

// MarshalJSON adds the answer records in presentation format.
func (v *Verdict) MarshalJSON() ([]byte, error) {
	type plain Verdict
	answer := make([]string, 0, len(v.Answer))
	for _, rr := range v.Answer {
		answer = append(answer, strings.ReplaceAll(rr.String(), "\t", " "))
	}
	return json.Marshal(struct {
		*plain
		Answer []string `json:"answer"`
	}{(*plain)(v), answer})
}

// Link is one zone of the chain of trust.
type Link struct {
	Zone string `json:"zone"`
	// Status is the status of this zone's keys: Secure when a DS (or the
	// anchor) authenticated its DNSKEY set, Insecure when its delegation has
	// no usable DS, Bogus when the chain broke here.
	Status Status `json:"status"`
	// Reason explains Status at this link.
	Reason string `json:"reason"`
	// Anchor is true for the trust anchor's zone.
	Anchor bool `json:"anchor,omitempty"`
	// DS is the DS set from the parent (or the anchor) and what each record matched.
	DS []DSCheck `json:"ds,omitempty"`
	// DSSigs are the checks of the RRSIGs over the DS set, made with the parent's keys.
	DSSigs []SigCheck `json:"ds_sigs,omitempty"`
	// NoDS describes the proof that the delegation has no DS, when there is one.
	NoDS *Proof `json:"no_ds,omitempty"`
	// DNSKEY is the zone's DNSKEY set.
	DNSKEY []KeyInfo `json:"dnskey,omitempty"`
	// DNSKEYSigs are the checks of the RRSIGs over the DNSKEY set.
	DNSKEYSigs []SigCheck `json:"dnskey_sigs,omitempty"`
}

// DSCheck is one DS record (or DNSKEY trust anchor) and what it matched.
type DSCheck struct {
	KeyTag     uint16 `json:"key_tag"`
	Algorithm  uint8  `json:"algorithm"`
	DigestType uint8  `json:"digest_type,omitempty"`
	// Result is "match", "no such key", "digest mismatch", "unsupported
	// algorithm", "unsupported digest type", or why the record was ignored.
	Result string `json:"result"`
	// MatchedKey is the key tag of the DNSKEY this record authenticated.
	MatchedKey *uint16 `json:"matched_key,omitempty"`
}

// KeyInfo describes one DNSKEY.
type KeyInfo struct {
	KeyTag    uint16 `json:"key_tag"`
	Algorithm uint8  `json:"algorithm"`
	Flags     uint16 `json:"flags"`
	// Trusted is true for a key that a DS or the anchor authenticated and that
	// signed the DNSKEY set.
	Trusted bool `json:"trusted,omitempty"`
}

// SigCheck is the result of checking one RRSIG.
type SigCheck struct {
	Owner     string `json:"owner"`
	Type      string `json:"type"`
	Signer    string `json:"signer"`
	KeyTag    uint16 `json:"key_tag"`
	Algorithm uint8  `json:"algorithm"`
	// Result is SigResult's phrase, or "no such key in the DNSKEY set".
	Result string `json:"result"`
}

// Step is one RRset or proof checked on the way to the answer.
type Step struct {
	// What names the step: "answer", "cname", "dname", "nxdomain proof",
	// "nodata proof", "wildcard proof", "referral".
	What   string     `json:"what"`
	Owner  string     `json:"owner"`
	Type   string     `json:"type"`
	Zone   string     `json:"zone"`
	Status Status     `json:"status"`
	Reason string     `json:"reason"`
	Sigs   []SigCheck `json:"sigs,omitempty"`
	Proof  *Proof     `json:"proof,omitempty"`
}

// Proof describes an authenticated denial of existence.
type Proof struct {
	// Kind is "NSEC" or "NSEC3".
	Kind string `json:"kind"`
	// Records lists the denial records used, in presentation format
	// (owner, next name and type bitmap).
	Records []string `json:"records"`
	// OptOut is true when the proof rests on an NSEC3 opt-out span.
	OptOut bool `json:"opt_out,omitempty"`
	// ClosestEncloser is the closest encloser proven, for NSEC3 and wildcard proofs.
	ClosestEncloser string `json:"closest_encloser,omitempty"`
}

func edePtr(e EDE) *EDE { return &e }
