package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"embed"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/miekg/dns"
)

// DefaultDNSKEYTTL is the TTL NewKey gives a DNSKEY and SignZone gives the
// DNSKEY RRset when Options.DNSKEYTTL is 0.
const DefaultDNSKEYTTL = 3600

// Key is a DNSSEC signing key: the public DNSKEY and its private half.
//
// Private is an *ecdsa.PrivateKey (algorithms 13, 14), ed25519.PrivateKey
// (15), circl's ed448.PrivateKey (16) or *rsa.PrivateKey (5, 7, 8, 10) when
// the key comes from NewKey; any other crypto.Signer that follows the
// crypto.Signer conventions of those types works too. A Key may be used by
// several goroutines at once as long as nobody modifies it.
type Key struct {
	DNSKEY  *dns.DNSKEY
	Private crypto.Signer
}

// NewKey derives a key deterministically from seed for zone, algorithm alg
// and DNSKEY flags (257 for a KSK or CSK, 256 for a ZSK; other values are
// accepted, for example 385 for a revoked KSK). The same inputs always give
// the same key; the zone name is compared case-insensitively.
//
// The key material is SHA-512(seed || zone || alg || flags), where zone is the
// lower-cased fully qualified presentation name, alg one octet and flags two
// octets in network order:
//
//   - 13, 14 (ECDSA P-256, P-384): the private scalar is that hash reduced
//     into [1, n-1].
//   - 15 (Ed25519): the first 32 octets are the RFC 8032 seed.
//   - 16 (Ed448): the first 57 octets are the RFC 8032 seed.
//   - 5, 7, 8, 10 (RSA): Go cannot generate RSA keys deterministically, so
//     the hash picks one of eight fixed 2048-bit keys embedded from
//     testkeys/: keys with the SEP flag (flags&1) come from one set of eight
//     and the others from another, so a zone's RSA KSK and ZSK never share a
//     modulus. Different seeds therefore give the same RSA key one time in
//     eight; the returned *rsa.PrivateKey is shared and must not be modified.
//
// The DNSKEY has owner zone, protocol 3, class IN and TTL 3600; the caller may
// change the TTL or class before use.
func NewKey(zone string, alg uint8, flags uint16, seed []byte) (*Key, error) {
	if _, ok := dns.IsDomainName(zone); !ok || zone == "" {
		return nil, fmt.Errorf("signer: NewKey: bad zone name %q", zone)
	}
	zone = dns.CanonicalName(zone)
	h := sha512.New()
	h.Write(seed)
	h.Write([]byte(zone))
	h.Write([]byte{alg, byte(flags >> 8), byte(flags)})
	material := h.Sum(nil)

	var (
		priv crypto.Signer
		pub  []byte
	)
	switch alg {
	case dns.ECDSAP256SHA256, dns.ECDSAP384SHA384:
		curve := elliptic.P256()
		size := 32
		if alg == dns.ECDSAP384SHA384 {
			curve, size = elliptic.P384(), 48
		}
		nMinus1 := new(big.Int).Sub(curve.Params().N, big.NewInt(1))
		d := new(big.Int).SetBytes(material)
		d.Mod(d, nMinus1).Add(d, big.NewInt(1))
		k, err := ecdsa.ParseRawPrivateKey(curve, d.FillBytes(make([]byte, size)))
		if err != nil {
			return nil, fmt.Errorf("signer: NewKey: %w", err)
		}
		point, err := k.PublicKey.Bytes()
		if err != nil {
			return nil, fmt.Errorf("signer: NewKey: %w", err)
		}
		priv, pub = k, point[1:] // RFC 6605 §4: X || Y without the 0x04 prefix
	case dns.ED25519:
		k := ed25519.NewKeyFromSeed(material[:ed25519.SeedSize])
		priv, pub = k, []byte(k.Public().(ed25519.PublicKey))
	case dns.ED448:
		k := ed448.NewKeyFromSeed(material[:ed448.SeedSize])
		priv, pub = k, []byte(k.Public().(ed448.PublicKey))
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512:
		pool, err := rsaPool()
		if err != nil {
			return nil, err
		}
		half := len(pool) / 2
		i := int(binary.BigEndian.Uint64(material[:8]) % uint64(half))
		if flags&dns.SEP == 0 {
			i += half
		}
		k := pool[i]
		priv, pub = k, rsaPublicKey(&k.PublicKey)
	default:
		return nil, fmt.Errorf("signer: NewKey: unsupported algorithm %d", alg)
	}
	return &Key{
		DNSKEY: &dns.DNSKEY{
			Hdr: dns.RR_Header{
				Name:   zone,
				Rrtype: dns.TypeDNSKEY,
				Class:  dns.ClassINET,
				Ttl:    DefaultDNSKEYTTL,
			},
			Flags:     flags,
			Protocol:  3,
			Algorithm: alg,
			PublicKey: base64.StdEncoding.EncodeToString(pub),
		},
		Private: priv,
	}, nil
}

// rsaPublicKey encodes an RSA public key for a DNSKEY (RFC 3110 §2).
func rsaPublicKey(k *rsa.PublicKey) []byte {
	e := big.NewInt(int64(k.E)).Bytes()
	var out []byte
	if len(e) < 256 {
		out = append(out, byte(len(e)))
	} else {
		out = append(out, 0, byte(len(e)>>8), byte(len(e)))
	}
	out = append(out, e...)
	return append(out, k.N.Bytes()...)
}

//go:embed testkeys/*.pem
var testKeys embed.FS

const rsaPoolSize = 16

// rsaPool parses the embedded RSA keys once.
var rsaPool = sync.OnceValues(func() ([]*rsa.PrivateKey, error) {
	pool := make([]*rsa.PrivateKey, rsaPoolSize)
	for i := range pool {
		name := fmt.Sprintf("testkeys/rsa2048-%02d.pem", i)
		data, err := testKeys.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("signer: %w", err)
		}
		block, _ := pem.Decode(data)
		if block == nil {
			return nil, fmt.Errorf("signer: %s: no PEM block", name)
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signer: %s: %w", name, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signer: %s: not an RSA key", name)
		}
		pool[i] = rk
	}
	return pool, nil
})
