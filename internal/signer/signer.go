package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/miekg/dns"
)

// Sign makes the RRSIG over rrset with key: owner, class and TTL of the
// RRset, signer name = owner of the DNSKEY, labels = owner label count not
// counting a leading "*" (RFC 4034 §3.1.3), original TTL = TTL of the first
// record, the key tag of key.DNSKEY, and the given validity period (RFC 1982
// serial arithmetic: times are taken modulo 2^32 seconds).
//
// The signed data is built as RFC 4034 §3.1.8.1 and §6 say (names
// lower-cased, records sorted by RDATA, duplicates dropped) without help from
// miekg/dns, so Ed448 (16) works like every other algorithm. Sign does not
// modify rrset and may be called concurrently.
func Sign(rrset []dns.RR, key *Key, inception, expiration time.Time) (*dns.RRSIG, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := checkRRset(rrset); err != nil {
		return nil, err
	}
	// Packing writes Rdlength into the records: work on copies so that
	// callers may share an RRset between goroutines.
	own := make([]dns.RR, len(rrset))
	for i, rr := range rrset {
		own[i] = dns.Copy(rr)
	}
	h := rrset[0].Header()
	crrs, err := canonicalRRset(own, h.Ttl)
	if err != nil {
		return nil, err
	}
	return signCanonical(h, crrs, key, key.DNSKEY.KeyTag(), uint32(inception.Unix()), uint32(expiration.Unix()))
}

// checkKey reports whether key can sign.
func checkKey(key *Key) error {
	switch {
	case key == nil || key.DNSKEY == nil:
		return errors.New("signer: key without DNSKEY")
	case key.Private == nil:
		return fmt.Errorf("signer: key %d for %s has no private key", key.DNSKEY.KeyTag(), key.DNSKEY.Hdr.Name)
	}
	if _, ok := dns.IsDomainName(key.DNSKEY.Hdr.Name); !ok || !dns.IsFqdn(key.DNSKEY.Hdr.Name) {
		return fmt.Errorf("signer: DNSKEY owner %q is not a fully qualified name", key.DNSKEY.Hdr.Name)
	}
	if _, _, err := algorithmHash(key.DNSKEY.Algorithm); err != nil {
		return err
	}
	return nil
}

// checkRRset reports whether rrset is one signable RRset.
func checkRRset(rrset []dns.RR) error {
	if len(rrset) == 0 {
		return errors.New("signer: empty RRset")
	}
	h0 := rrset[0].Header()
	for _, rr := range rrset[1:] {
		h := rr.Header()
		if h.Rrtype != h0.Rrtype || h.Class != h0.Class || !strings.EqualFold(h.Name, h0.Name) {
			return fmt.Errorf("signer: not one RRset: %s %s and %s %s",
				h0.Name, dns.Type(h0.Rrtype), h.Name, dns.Type(h.Rrtype))
		}
	}
	if h0.Rrtype == dns.TypeRRSIG {
		return errors.New("signer: RRSIG RRsets are not signed (RFC 4035 §2.2)")
	}
	if _, ok := dns.IsDomainName(h0.Name); !ok || !dns.IsFqdn(h0.Name) {
		return fmt.Errorf("signer: owner %q is not a fully qualified name", h0.Name)
	}
	return nil
}

// signCanonical signs records already in canonical form; h is the header
// of the first record of the RRset.
func signCanonical(h *dns.RR_Header, crrs []canonicalRR, key *Key, tag uint16, inception, expiration uint32) (*dns.RRSIG, error) {
	sig := &dns.RRSIG{
		Hdr: dns.RR_Header{
			Name:   h.Name,
			Rrtype: dns.TypeRRSIG,
			Class:  h.Class,
			Ttl:    h.Ttl,
		},
		TypeCovered: h.Rrtype,
		Algorithm:   key.DNSKEY.Algorithm,
		Labels:      rrsigLabels(h.Name),
		OrigTtl:     h.Ttl,
		Expiration:  expiration,
		Inception:   inception,
		KeyTag:      tag,
		SignerName:  key.DNSKEY.Hdr.Name,
	}
	data, err := signedData(sig, crrs)
	if err != nil {
		return nil, err
	}
	raw, err := signData(key, data)
	if err != nil {
		return nil, fmt.Errorf("signer: signing %s %s with key %d: %w", h.Name, dns.Type(h.Rrtype), tag, err)
	}
	sig.Signature = base64.StdEncoding.EncodeToString(raw)
	return sig, nil
}

// algorithmHash returns the digest an algorithm signs (0 for EdDSA, which
// signs the message itself) and, for ECDSA, the size of r and s.
func algorithmHash(alg uint8) (crypto.Hash, int, error) {
	switch alg {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1:
		return crypto.SHA1, 0, nil
	case dns.RSASHA256:
		return crypto.SHA256, 0, nil
	case dns.RSASHA512:
		return crypto.SHA512, 0, nil
	case dns.ECDSAP256SHA256:
		return crypto.SHA256, 32, nil
	case dns.ECDSAP384SHA384:
		return crypto.SHA384, 48, nil
	case dns.ED25519, dns.ED448:
		return 0, 0, nil
	}
	return 0, 0, fmt.Errorf("signer: unsupported algorithm %d", alg)
}

// signData returns the DNSSEC signature (RFC 3110, RFC 5702, RFC 6605,
// RFC 8080 encodings) of data with key.
func signData(key *Key, data []byte) ([]byte, error) {
	alg := key.DNSKEY.Algorithm
	hash, size, err := algorithmHash(alg)
	if err != nil {
		return nil, err
	}
	digest := data
	if hash != 0 {
		h := hash.New()
		h.Write(data)
		digest = h.Sum(nil)
	}
	switch p := key.Private.(type) {
	case *ecdsa.PrivateKey:
		want := elliptic.P256()
		if alg == dns.ECDSAP384SHA384 {
			want = elliptic.P384()
		}
		if size == 0 || p.Curve != want {
			return nil, fmt.Errorf("ECDSA %s key cannot sign algorithm %d", p.Curve.Params().Name, alg)
		}
		// A nil random source makes Go sign deterministically (RFC 6979).
		der, err := p.Sign(nil, digest, hash)
		if err != nil {
			return nil, err
		}
		return ecdsaRaw(der, size)
	case ed25519.PrivateKey:
		if alg != dns.ED25519 {
			return nil, fmt.Errorf("Ed25519 key cannot sign algorithm %d", alg)
		}
		return ed25519.Sign(p, data), nil
	case ed448.PrivateKey:
		if alg != dns.ED448 {
			return nil, fmt.Errorf("Ed448 key cannot sign algorithm %d", alg)
		}
		return ed448.Sign(p, data, ""), nil
	case *rsa.PrivateKey:
		if size != 0 || hash == 0 {
			return nil, fmt.Errorf("RSA key cannot sign algorithm %d", alg)
		}
		return rsa.SignPKCS1v15(nil, p, hash, digest)
	}
	// Some other crypto.Signer (an HSM, a test double): follow the
	// crypto.Signer conventions of the standard key types.
	sig, err := key.Private.Sign(rand.Reader, digest, hash)
	if err != nil {
		return nil, err
	}
	if size != 0 {
		return ecdsaRaw(sig, size)
	}
	return sig, nil
}

// ecdsaRaw converts an ASN.1 ECDSA signature into r || s, each size octets
// (RFC 6605 §4).
func ecdsaRaw(der []byte, size int) ([]byte, error) {
	var rs struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &rs)
	if err != nil {
		return nil, fmt.Errorf("ECDSA signature: %w", err)
	}
	if len(rest) != 0 || rs.R.Sign() <= 0 || rs.S.Sign() <= 0 || rs.R.BitLen() > 8*size || rs.S.BitLen() > 8*size {
		return nil, errors.New("ECDSA signature: malformed")
	}
	out := make([]byte, 2*size)
	rs.R.FillBytes(out[:size])
	rs.S.FillBytes(out[size:])
	return out, nil
}
