package validator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"math/big"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/cloudflare/circl/ecc/goldilocks"
	"github.com/cloudflare/circl/sign/ed448"
	"github.com/miekg/dns"
)

// SigResult says why one RRSIG did or did not verify an RRset with one DNSKEY.
type SigResult uint8

const (
	SigValid                SigResult = iota // the signature verifies
	SigExpired                               // now is after the expiration (RFC 4034 §3.1.5 serial arithmetic, RFC 1982)
	SigNotYetValid                           // now is before the inception
	SigKeyMismatch                           // signer name, algorithm or key tag do not match the key, or protocol != 3
	SigNoZoneBit                             // key lacks the ZONE flag (RFC 4034 §2.1.1)
	SigRevokedKey                            // key has the REVOKE flag (RFC 5011 §2.1): never used to verify
	SigUnsupportedAlgorithm                  // algorithm not in 5,7,8,10,13,14,15,16
	SigBadKey                                // public key bytes cannot be parsed for the algorithm
	SigBadRRset                              // rrset empty / not one RRset / type or class differ from the RRSIG / labels field > owner label count / owner not at or below the signer name (RFC 4035 §5.3.1)
	SigCryptoFailure                         // the signature does not verify (bad signature bytes or data changed)
)

var cryptoSigResultNames = [...]string{
	SigValid:                "valid",
	SigExpired:              "signature expired",
	SigNotYetValid:          "signature not yet valid",
	SigKeyMismatch:          "key does not match signature",
	SigNoZoneBit:            "key has no ZONE bit",
	SigRevokedKey:           "key is revoked",
	SigUnsupportedAlgorithm: "unsupported algorithm",
	SigBadKey:               "malformed public key",
	SigBadRRset:             "malformed RRset",
	SigCryptoFailure:        "signature does not verify",
}

// String returns a short fixed phrase describing r.
func (r SigResult) String() string {
	if int(r) < len(cryptoSigResultNames) {
		return cryptoSigResultNames[r]
	}
	return "SigResult(" + strconv.Itoa(int(r)) + ")"
}

// SupportedAlgorithm reports whether DNSKEY/RRSIG algorithm alg can be
// verified here: 5, 7, 8, 10, 13, 14, 15, 16.
func SupportedAlgorithm(alg uint8) bool {
	switch alg {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512,
		dns.ECDSAP256SHA256, dns.ECDSAP384SHA384, dns.ED25519, dns.ED448:
		return true
	}
	return false
}

// SigValidAt reports where now falls in the signature window using serial
// arithmetic on the 32-bit inception/expiration fields (RFC 4034 §3.1.5,
// RFC 1982): SigValid, SigExpired or SigNotYetValid. Both ends of the window
// are inclusive. When now is outside the window on both sides (an inverted
// window) SigExpired is reported.
func SigValidAt(sig *dns.RRSIG, now time.Time) SigResult {
	n := uint32(now.Unix())
	if int32(sig.Expiration-n) < 0 {
		return SigExpired
	}
	if int32(sig.Inception-n) > 0 {
		return SigNotYetValid
	}
	return SigValid
}

// VerifySig checks sig over rrset with key at time now. It checks, in this
// order and returning the first fault:
//
//  1. RRset shape (SigBadRRset): sig non-nil, rrset a non-empty single RRset
//     whose type is sig.TypeCovered and class sig.Hdr.Class, sig.Labels not
//     above the owner's label count, and the owner at or below the signer
//     name (RFC 4035 §5.3.1);
//  2. key match (SigKeyMismatch): key non-nil, signer name ==
//     key owner (ASCII case-insensitive), algorithm, key tag, protocol 3.
//     A public key field that is not valid base64 cannot yield a key tag
//     and gives SigBadKey here;
//  3. ZONE bit (SigNoZoneBit), 4. REVOKE bit (SigRevokedKey);
//  5. algorithm support (SigUnsupportedAlgorithm);
//  6. validity window (SigExpired, SigNotYetValid; see SigValidAt);
//  7. the public key (SigBadKey) and the cryptography (SigCryptoFailure).
//
// Parsed public keys are cached (keyed by algorithm + public key), so that
// verifying many RRsets with one key parses it once. VerifySig is safe for
// concurrent use and does not modify its arguments.
func VerifySig(sig *dns.RRSIG, key *dns.DNSKEY, rrset []dns.RR, now time.Time) SigResult {
	// 1. RRset shape.
	if sig == nil || canonCheckSet(rrset) != nil {
		return SigBadRRset
	}
	h0 := rrset[0].Header()
	if h0.Rrtype != sig.TypeCovered || h0.Class != sig.Hdr.Class ||
		canonCountLabels(h0.Name) < int(sig.Labels) ||
		!canonIsSubdomain(h0.Name, sig.SignerName) {
		return SigBadRRset
	}

	// 2. Key match.
	if key == nil || key.Protocol != 3 || sig.Algorithm != key.Algorithm ||
		!canonEqualName(sig.SignerName, key.Hdr.Name) {
		return SigKeyMismatch
	}
	ent := cryptoLookupKey(key.Algorithm, key.PublicKey)
	if !ent.decoded {
		return SigBadKey
	}
	if cryptoKeyTag(key, ent) != sig.KeyTag {
		return SigKeyMismatch
	}

	// 3, 4. Flags.
	if key.Flags&dns.ZONE == 0 {
		return SigNoZoneBit
	}
	if key.Flags&dns.REVOKE != 0 {
		return SigRevokedKey
	}

	// 5. Algorithm.
	if !SupportedAlgorithm(sig.Algorithm) {
		return SigUnsupportedAlgorithm
	}

	// 6. Validity window.
	if r := SigValidAt(sig, now); r != SigValid {
		return r
	}

	// 7. Key and cryptography.
	if !ent.valid {
		return SigBadKey
	}
	s := canonGetScratch()
	defer canonPutScratch(s)
	if canonBuild(s, sig, rrset) != nil {
		return SigBadRRset
	}
	sigBytes, ok := cryptoDecodeSig(s, sig.Signature)
	if !ok {
		return SigCryptoFailure
	}
	if !cryptoVerifyData(ent, sig.Algorithm, s.out, sigBytes) {
		return SigCryptoFailure
	}
	return SigValid
}

// cryptoDecodeSig decodes the base64 signature into s.sig.
func cryptoDecodeSig(s *canonScratch, b64 string) ([]byte, bool) {
	if b64 == "" {
		return nil, false
	}
	need := base64.StdEncoding.DecodedLen(len(b64))
	if cap(s.sig) < need {
		s.sig = make([]byte, need)
	}
	// The decoder only reads src, so viewing the string's bytes without a
	// copy is safe.
	src := unsafe.Slice(unsafe.StringData(b64), len(b64))
	n, err := base64.StdEncoding.Decode(s.sig[:need], src)
	if err != nil {
		return nil, false
	}
	return s.sig[:n], true
}

// cryptoVerifyData verifies sig over data with the parsed key in ent.
func cryptoVerifyData(ent *cryptoKeyEntry, alg uint8, data, sig []byte) bool {
	switch alg {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1:
		h := sha1.Sum(data)
		return rsa.VerifyPKCS1v15(ent.rsa, crypto.SHA1, h[:], sig) == nil
	case dns.RSASHA256:
		h := sha256.Sum256(data)
		return rsa.VerifyPKCS1v15(ent.rsa, crypto.SHA256, h[:], sig) == nil
	case dns.RSASHA512:
		h := sha512.Sum512(data)
		return rsa.VerifyPKCS1v15(ent.rsa, crypto.SHA512, h[:], sig) == nil
	case dns.ECDSAP256SHA256:
		if len(sig) != 64 {
			return false
		}
		h := sha256.Sum256(data)
		var der [cryptoMaxECDER]byte
		return ecdsa.VerifyASN1(ent.ec, h[:], cryptoECDSADER(der[:0], sig))
	case dns.ECDSAP384SHA384:
		if len(sig) != 96 {
			return false
		}
		h := sha512.Sum384(data)
		var der [cryptoMaxECDER]byte
		return ecdsa.VerifyASN1(ent.ec, h[:], cryptoECDSADER(der[:0], sig))
	case dns.ED25519:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(ent.raw, data, sig)
	case dns.ED448:
		return len(sig) == ed448.SignatureSize && ed448.Verify(ent.raw, data, sig, "")
	}
	return false
}

// cryptoMaxECDER is the largest DER ECDSA-Sig-Value for P-384: SEQUENCE header
// (2) + two INTEGERs of at most 2+49 octets.
const cryptoMaxECDER = 2 + 2*(2+49)

// cryptoECDSADER converts the RFC 6605 r||s signature into the DER
// ECDSA-Sig-Value that crypto/ecdsa verifies, appending to b.
func cryptoECDSADER(b, sig []byte) []byte {
	half := len(sig) / 2
	r, s := cryptoDERInt(sig[:half]), cryptoDERInt(sig[half:])
	b = append(b, 0x30, byte(cryptoDERIntLen(r)+cryptoDERIntLen(s)))
	b = cryptoAppendDERInt(b, r)
	b = cryptoAppendDERInt(b, s)
	return b
}

// cryptoDERInt strips leading zero octets (keeping one octet for zero).
func cryptoDERInt(v []byte) []byte {
	for len(v) > 1 && v[0] == 0 {
		v = v[1:]
	}
	return v
}

func cryptoDERIntLen(v []byte) int {
	n := len(v)
	if v[0]&0x80 != 0 {
		n++
	}
	return 2 + n
}

func cryptoAppendDERInt(b, v []byte) []byte {
	if v[0]&0x80 != 0 {
		b = append(b, 0x02, byte(len(v)+1), 0)
	} else {
		b = append(b, 0x02, byte(len(v)))
	}
	return append(b, v...)
}

// cryptoKeyTag computes the key tag of key (RFC 4034 Appendix B) using the
// cached sum over its public key octets. The public key starts at an even
// offset of the DNSKEY RDATA, so its contribution does not depend on the
// flags, protocol or algorithm.
func cryptoKeyTag(key *dns.DNSKEY, ent *cryptoKeyEntry) uint16 {
	if key.Algorithm == dns.RSAMD5 {
		return ent.md5Tag // RFC 4034 Appendix B.1
	}
	ac := uint64(key.Flags) + uint64(key.Protocol)<<8 + uint64(key.Algorithm) + ent.tagSum
	ac += ac >> 16 & 0xFFFF
	return uint16(ac)
}

// cryptoKeyID identifies a public key in the cache.
type cryptoKeyID struct {
	alg uint8
	pub string // the DNSKEY public key field, base64 as held by miekg/dns
}

// cryptoKeyEntry is a decoded and parsed public key.
type cryptoKeyEntry struct {
	decoded bool   // the base64 decoded
	raw     []byte // decoded public key octets
	tagSum  uint64 // RFC 4034 Appendix B sum over raw, as if at an even offset
	md5Tag  uint16 // RFC 4034 Appendix B.1 tag, for algorithm 1 only
	valid   bool   // the key parsed for its (supported) algorithm
	rsa     *rsa.PublicKey
	ec      *ecdsa.PublicKey
}

// cryptoKeyCacheMax bounds the number of cached keys; when full, about an
// eighth of the entries (arbitrary ones) are evicted.
const cryptoKeyCacheMax = 8192

var cryptoKeys = struct {
	sync.RWMutex
	m map[cryptoKeyID]*cryptoKeyEntry
}{m: make(map[cryptoKeyID]*cryptoKeyEntry)}

// cryptoLookupKey returns the cached parse of (alg, pub), parsing on a miss.
func cryptoLookupKey(alg uint8, pub string) *cryptoKeyEntry {
	id := cryptoKeyID{alg, pub}
	cryptoKeys.RLock()
	ent := cryptoKeys.m[id]
	cryptoKeys.RUnlock()
	if ent != nil {
		return ent
	}
	ent = cryptoParseKey(alg, pub)
	cryptoKeys.Lock()
	if old := cryptoKeys.m[id]; old != nil {
		ent = old
	} else {
		if len(cryptoKeys.m) >= cryptoKeyCacheMax {
			n := 0
			for k := range cryptoKeys.m { // map iteration starts at a random place
				delete(cryptoKeys.m, k)
				if n++; n >= cryptoKeyCacheMax/8 {
					break
				}
			}
		}
		cryptoKeys.m[id] = ent
	}
	cryptoKeys.Unlock()
	return ent
}

// cryptoParseKey decodes and parses a public key.
func cryptoParseKey(alg uint8, pub string) *cryptoKeyEntry {
	ent := &cryptoKeyEntry{}
	raw, err := base64.StdEncoding.DecodeString(pub)
	if err != nil {
		return ent
	}
	ent.decoded = true
	ent.raw = raw
	for i, b := range raw {
		if i&1 == 0 {
			ent.tagSum += uint64(b) << 8
		} else {
			ent.tagSum += uint64(b)
		}
	}
	if len(raw) >= 3 {
		ent.md5Tag = uint16(raw[len(raw)-3])<<8 | uint16(raw[len(raw)-2])
	}
	switch alg {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512:
		ent.rsa = cryptoParseRSA(raw)
		ent.valid = ent.rsa != nil
	case dns.ECDSAP256SHA256, dns.ECDSAP384SHA384:
		ent.ec = cryptoParseECDSA(alg, raw)
		ent.valid = ent.ec != nil
	case dns.ED25519:
		ent.valid = len(raw) == ed25519.PublicKeySize
	case dns.ED448:
		if len(raw) == ed448.PublicKeySize {
			_, err := goldilocks.FromBytes(raw)
			ent.valid = err == nil
		}
	}
	return ent
}

// Limits on RSA public keys: Go refuses moduli under 1024 bits by default
// (and we refuse them regardless of GODEBUG); RFC 3110 allows up to 4096.
const (
	cryptoRSAMinBits = 1024
	cryptoRSAMaxBits = 4096
)

// cryptoParseRSA parses an RFC 3110 RSA public key: exponent length (one
// octet, or zero then two octets), exponent, modulus. Leading zero octets in
// exponent or modulus, even moduli and exponents Go cannot use are refused.
func cryptoParseRSA(raw []byte) *rsa.PublicKey {
	if len(raw) < 3 {
		return nil
	}
	explen, off := int(raw[0]), 1
	if explen == 0 {
		explen, off = int(raw[1])<<8|int(raw[2]), 3
	}
	if explen == 0 || explen > 4 || off+explen >= len(raw) || raw[off] == 0 {
		return nil
	}
	var e uint64
	for _, b := range raw[off : off+explen] {
		e = e<<8 | uint64(b)
	}
	if e < 3 || e&1 == 0 || e > 1<<31-1 {
		return nil
	}
	mod := raw[off+explen:]
	if mod[0] == 0 || mod[len(mod)-1]&1 == 0 {
		return nil
	}
	n := new(big.Int).SetBytes(mod)
	if bits := n.BitLen(); bits < cryptoRSAMinBits || bits > cryptoRSAMaxBits {
		return nil
	}
	return &rsa.PublicKey{N: n, E: int(e)}
}

// cryptoParseECDSA parses an RFC 6605 public key (X || Y) and checks that the
// point is on the curve.
func cryptoParseECDSA(alg uint8, raw []byte) *ecdsa.PublicKey {
	var curve elliptic.Curve
	switch alg {
	case dns.ECDSAP256SHA256:
		if len(raw) != 64 {
			return nil
		}
		curve = elliptic.P256()
	case dns.ECDSAP384SHA384:
		if len(raw) != 96 {
			return nil
		}
		curve = elliptic.P384()
	default:
		return nil
	}
	buf := make([]byte, 1+len(raw))
	buf[0] = 4 // uncompressed point
	copy(buf[1:], raw)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, buf)
	if err != nil {
		return nil
	}
	return pub
}
