package authority

import (
	"crypto/sha1"
	"encoding/base32"
	"encoding/hex"
	"strings"

	"github.com/miekg/dns"
)

// Names are handled in uncompressed wire format. A "key" is the wire form with
// ASCII letters lowercased: equal keys mean equal names (RFC 4343), whatever
// escapes the presentation form used. Label length octets are at most 63, below
// 'A', so lowercasing the whole byte string never touches them.

// packName returns the wire form of a presentation name (made absolute) in its
// original case, and its key.
func packName(name string) (wire []byte, key string, ok bool) {
	var buf [256]byte
	n, err := dns.PackDomainName(dns.Fqdn(name), buf[:], 0, nil, false)
	if err != nil || n == 0 || n > 255 {
		return nil, "", false
	}
	wire = append([]byte(nil), buf[:n]...)
	return wire, lowerKey(buf[:n]), true
}

// nameKey returns the key of a presentation name.
func nameKey(name string) (string, bool) {
	var buf [256]byte
	n, err := dns.PackDomainName(dns.Fqdn(name), buf[:], 0, nil, false)
	if err != nil || n == 0 || n > 255 {
		return "", false
	}
	return lowerKey(buf[:n]), true
}

// lowerKey lowercases ASCII letters in b (in place) and returns it as a string.
func lowerKey(b []byte) string {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// labelOffsets returns the offset of each label of a wire name, followed by the
// offset of the terminating root label: key[offs[i]:] is the name with its i
// leftmost labels removed, and key[offs[len(offs)-1]:] is the root. The number
// of labels (not counting the root) is len(offs)-1.
func labelOffsets(key string) []int {
	offs := make([]int, 0, 8)
	off := 0
	for off < len(key) && key[off] != 0 {
		offs = append(offs, off)
		off += 1 + int(key[off])
	}
	return append(offs, off)
}

// countLabels returns the number of labels of a wire name, not counting the root.
func countLabels(key string) int {
	n := 0
	for off := 0; off < len(key) && key[off] != 0; off += 1 + int(key[off]) {
		n++
	}
	return n
}

// isSubKey reports whether key is parent or below it.
func isSubKey(parent, key string) bool {
	if len(key) < len(parent) {
		return false
	}
	off := 0
	for len(key)-off > len(parent) {
		off += 1 + int(key[off])
	}
	return len(key)-off == len(parent) && key[off:] == parent
}

// parentKey returns the key of the parent name; the root's parent is the root.
func parentKey(key string) string {
	if len(key) <= 1 {
		return key
	}
	return key[1+int(key[0]):]
}

// wildcardKey returns the key of "*.<key>".
func wildcardKey(key string) string { return "\x01*" + key }

// canonKey maps a key to a string whose byte order is the canonical DNS name
// order of RFC 4034 section 6.1: labels from the rightmost, each compared as a
// lowercase octet string where a label that is a prefix of another sorts first.
// Each label is escaped (0x00 -> 0x01 0x01, 0x01 -> 0x01 0x02) and terminated
// by 0x00, which sorts before any escaped octet.
func canonKey(key string) string {
	offs := labelOffsets(key)
	buf := make([]byte, 0, len(key)+2)
	for i := len(offs) - 2; i >= 0; i-- {
		for _, c := range []byte(key[offs[i]+1 : offs[i+1]]) {
			if c <= 1 {
				buf = append(buf, 1, c+1)
			} else {
				buf = append(buf, c)
			}
		}
		buf = append(buf, 0)
	}
	return string(buf)
}

var b32 = base32.HexEncoding.WithPadding(base32.NoPadding)

// nsec3Params are the hash parameters of a zone's NSEC3 chain.
type nsec3Params struct {
	alg  uint8
	iter uint16
	salt []byte
}

func newNSEC3Params(alg uint8, iter uint16, salt string) (*nsec3Params, bool) {
	if alg != dns.SHA1 {
		return nil, false
	}
	if salt == "-" {
		salt = ""
	}
	s, err := hex.DecodeString(salt)
	if err != nil {
		return nil, false
	}
	return &nsec3Params{alg: alg, iter: iter, salt: s}, true
}

// same reports whether an NSEC3 record uses these parameters.
func (p *nsec3Params) same(rr *dns.NSEC3) bool {
	q, ok := newNSEC3Params(rr.Hash, rr.Iterations, rr.Salt)
	return ok && q.alg == p.alg && q.iter == p.iter && string(q.salt) == string(p.salt)
}

// hash returns the NSEC3 hash of a key (RFC 5155 section 5) in upper-case
// base32hex without padding, as in NSEC3 owner names.
func (p *nsec3Params) hash(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write(p.salt)
	sum := h.Sum(make([]byte, 0, sha1.Size))
	for i := uint16(0); i < p.iter; i++ {
		h.Reset()
		h.Write(sum)
		h.Write(p.salt)
		sum = h.Sum(sum[:0])
	}
	return b32.EncodeToString(sum)
}

// hashLabel returns the first label of an NSEC3 owner key in upper case, the
// form hash returns.
func hashLabel(key string) string {
	if len(key) < 2 {
		return ""
	}
	return strings.ToUpper(key[1 : 1+int(key[0])])
}
