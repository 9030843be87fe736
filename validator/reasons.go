package validator

// Reason phrases. Each is fixed text used at exactly one kind of decision, so
// a reason quoted in a report leads back to one rule (and its RFC section).
const (
	ReasonSecure             = "chain of trust verified from the anchor to the answer"
	ReasonNoAnchor           = "no trust anchor covers the name"
	ReasonInsecureNoDS       = "delegation proven to have no DS"
	ReasonInsecureOptOut     = "delegation covered by an NSEC3 opt-out span"
	ReasonInsecureAlgorithm  = "DS set names only unsupported algorithms"
	ReasonInsecureDigest     = "DS set uses only unsupported digest types"
	ReasonInsecureIterations = "NSEC3 iterations above the validator limit"
	ReasonInsecureAnchor     = "trust anchor names only unsupported algorithms or digests"

	ReasonDNSKEYMissing    = "no DNSKEY set for a zone whose DS says it is signed"
	ReasonDSNoKey          = "no DNSKEY matches the DS set"
	ReasonDSDigestMismatch = "DS digest does not match the DNSKEY"
	ReasonAnchorNoKey      = "no DNSKEY matches the trust anchor"
	ReasonKeysUnsigned     = "DNSKEY set not signed by a key the DS authenticates"
	ReasonKeysSigFailed    = "DNSKEY set signature from the authenticated key failed"
	ReasonDSSigFailed      = "DS set signature failed"
	ReasonDSUnsigned       = "DS set has no signature"
	ReasonNoDSProof        = "delegation has neither DS nor a proof of no DS"
	ReasonNoDSProofFailed  = "proof of no DS does not verify"
	ReasonAnswerUnsigned   = "answer has no signature"
	ReasonAnswerSigFailed  = "answer signature failed"
	ReasonAnswerUnknownKey = "answer signed by a key not in the DNSKEY set"
	ReasonWildcardNoProof  = "wildcard answer without proof that the name does not exist"
	ReasonNXDomainNoProof  = "name error without a proof of nonexistence"
	ReasonNXDomainBadProof = "proof of nonexistence does not hold"
	ReasonNoDataNoProof    = "no-data answer without a proof"
	ReasonNoDataBadProof   = "proof of no data does not hold"
	ReasonDenialSigFailed  = "denial-of-existence record signature failed"
	ReasonDNAMEMismatch    = "DNAME synthesis does not match the CNAME"
	ReasonLoop             = "too many referrals or aliases"
)
