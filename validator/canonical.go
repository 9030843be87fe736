package validator

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"sync"

	"github.com/miekg/dns"
)

// This file builds the data an RRSIG signs (RFC 4034 §3.1.8.1 and §6,
// RFC 4035 §5.3.2, RFC 6840 §5.1) and holds the case-insensitive name helpers
// used by the rest of the package.
//
// The canonical form is produced on the wire rather than on dns.RR values:
// the records are packed once, uncompressed, into a scratch buffer (as the
// answer section of a dns.Msg: unlike dns.PackRR this does not write to the
// records, whose Rdlength PackRR would set); the owner is replaced by the
// canonical (possibly wildcard) owner computed once for the RRset, the TTL by
// the RRSIG's original TTL, and the domain names inside the RDATA of the
// types listed in RFC 4034 §6.2 (as amended by RFC 6840 §5.1) are lowercased
// in place in the scratch copy. The caller's records are never modified and
// no dns.RR is copied.

var (
	canonErrEmpty    = errors.New("validator: empty RRset")
	canonErrNotSet   = errors.New("validator: records do not form one RRset (owner, class or type differ)")
	canonErrType     = errors.New("validator: RRset type differs from the RRSIG type covered")
	canonErrLabels   = errors.New("validator: RRSIG labels field exceeds the owner name's label count")
	canonErrName     = errors.New("validator: malformed domain name")
	canonErrRdata    = errors.New("validator: malformed RDATA")
	canonErrNilInput = errors.New("validator: nil RRSIG or nil record")
)

// canonTypeA6 is the (obsolete) A6 type, RFC 2874; miekg/dns has no constant for it.
const canonTypeA6 uint16 = 38

// canonPoolMaxBuf bounds the buffers kept in the pool; larger ones (huge
// RRsets) are dropped after use instead of being retained.
const canonPoolMaxBuf = 1 << 20

// canonScratch holds reusable buffers for building signed data.
type canonScratch struct {
	msg   dns.Msg     // packs the records (Answer is set only during packing)
	pack  []byte      // the packed message
	used  int         // how much of pack the last packing wrote
	owner []byte      // canonical owner name (wire form) of the RRset
	spans []canonSpan // where each record's canonical RDATA lies in pack
	out   []byte      // the signed data
	sig   []byte      // decoded signature bytes (used by VerifySig)
}

// canonSpan locates one record's canonical RDATA inside canonScratch.pack.
type canonSpan struct{ start, end int }

var canonPool = sync.Pool{New: func() any {
	return &canonScratch{pack: make([]byte, 2048), out: make([]byte, 0, 1024)}
}}

func canonGetScratch() *canonScratch { return canonPool.Get().(*canonScratch) }

func canonPutScratch(s *canonScratch) {
	if cap(s.out) > canonPoolMaxBuf || cap(s.pack) > canonPoolMaxBuf {
		return
	}
	canonPool.Put(s)
}

// SignedData returns the data an RRSIG signs (RFC 4034 §3.1.8.1, §6.2;
// RFC 4035 §5.3.2): the RRSIG RDATA without the signature field (signer name
// in canonical lowercase, uncompressed) followed by the RRset in canonical
// form: owner lowercased (replaced by "*.<rightmost labels>" when sig.Labels
// is smaller than the owner's label count, RFC 4035 §5.3.2), TTL =
// sig.OrigTtl, RDATA domain names lowercased only for the types listed in
// RFC 4034 §6.2 as amended by RFC 6840 §5.1 (NS, MD, MF, CNAME, SOA, MB, MG,
// MR, PTR, MINFO, MX, RP, AFSDB, RT, SIG, PX, NXT, NAPTR, KX, SRV, DNAME, A6;
// not NSEC, HINFO or RRSIG), no name compression, records sorted in canonical
// RDATA order and exact duplicates removed.
//
// It does not modify rrset. It returns an error when sig is nil, rrset is
// empty, the records do not form one RRset (owner name case-insensitively,
// class and type), their type differs from sig.TypeCovered, sig.Labels
// exceeds the owner's label count, or a name or record cannot be packed.
// (The RRSIG's own owner name and class are not part of the signed data and
// are not examined.)
func SignedData(sig *dns.RRSIG, rrset []dns.RR) ([]byte, error) {
	if sig == nil {
		return nil, canonErrNilInput
	}
	if err := canonCheckSet(rrset); err != nil {
		return nil, err
	}
	if rrset[0].Header().Rrtype != sig.TypeCovered {
		return nil, canonErrType
	}
	s := canonGetScratch()
	defer canonPutScratch(s)
	if err := canonBuild(s, sig, rrset); err != nil {
		return nil, err
	}
	return bytes.Clone(s.out), nil
}

// canonCheckSet reports whether rrset is a non-empty single RRset: every
// record has the owner name (ASCII case-insensitively), class and type of the
// first.
func canonCheckSet(rrset []dns.RR) error {
	if len(rrset) == 0 {
		return canonErrEmpty
	}
	if rrset[0] == nil {
		return canonErrNilInput
	}
	h0 := rrset[0].Header()
	for _, rr := range rrset[1:] {
		if rr == nil {
			return canonErrNilInput
		}
		h := rr.Header()
		if h.Rrtype != h0.Rrtype || h.Class != h0.Class || !canonEqualName(h.Name, h0.Name) {
			return canonErrNotSet
		}
	}
	return nil
}

// canonBuild writes the signed data for sig over rrset into s.out. The caller
// has checked rrset with canonCheckSet.
func canonBuild(s *canonScratch, sig *dns.RRSIG, rrset []dns.RR) error {
	h0 := rrset[0].Header()

	// RRSIG RDATA minus the signature (RFC 4034 §3.1.8.1).
	out := s.out[:0]
	out = binary.BigEndian.AppendUint16(out, sig.TypeCovered)
	out = append(out, sig.Algorithm, sig.Labels)
	out = binary.BigEndian.AppendUint32(out, sig.OrigTtl)
	out = binary.BigEndian.AppendUint32(out, sig.Expiration)
	out = binary.BigEndian.AppendUint32(out, sig.Inception)
	out = binary.BigEndian.AppendUint16(out, sig.KeyTag)
	out, err := canonAppendName(out, sig.SignerName)
	if err != nil {
		s.out = out
		return err
	}

	// Canonical owner, wildcard-reduced if needed (RFC 4035 §5.3.2).
	owner, err := canonAppendName(s.owner[:0], h0.Name)
	s.owner = owner
	if err != nil {
		s.out = out
		return err
	}
	if nl := canonWireLabels(owner); int(sig.Labels) > nl {
		s.out = out
		return canonErrLabels
	} else if int(sig.Labels) < nl {
		off := 0
		for range nl - int(sig.Labels) {
			off += 1 + int(owner[off])
		}
		// "*" + the rightmost sig.Labels labels. Every dropped label took at
		// least two octets, so the result fits in place (off >= 2).
		copy(owner[2:], owner[off:])
		owner[0], owner[1] = 1, '*'
		owner = owner[:2+len(owner)-off]
		s.owner = owner
	}

	// Pack the records and canonicalise their RDATA in place.
	rdata, err := canonPackRdata(s, rrset)
	if err != nil {
		s.out = out
		return err
	}
	spans := s.spans
	if len(spans) > 1 {
		slices.SortFunc(spans, func(a, b canonSpan) int {
			return bytes.Compare(rdata[a.start:a.end], rdata[b.start:b.end])
		})
	}

	var fixed [10]byte
	binary.BigEndian.PutUint16(fixed[0:], h0.Rrtype)
	binary.BigEndian.PutUint16(fixed[2:], h0.Class)
	binary.BigEndian.PutUint32(fixed[4:], sig.OrigTtl)
	var prev []byte
	for i, sp := range spans {
		rd := rdata[sp.start:sp.end]
		if i > 0 && bytes.Equal(rd, prev) {
			continue // exact duplicate (RFC 4034 §6.3)
		}
		prev = rd
		binary.BigEndian.PutUint16(fixed[8:], uint16(len(rd)))
		out = append(out, owner...)
		out = append(out, fixed[:]...)
		out = append(out, rd...)
	}
	s.out = out
	return nil
}

// canonPackRdata packs rrset (uncompressed) as the answer section of a
// message, returns the message and records in s.spans where each record's
// RDATA lies in it, lowercasing the RDATA names of the RFC 4034 §6.2 types in
// place.
func canonPackRdata(s *canonScratch, rrset []dns.RR) ([]byte, error) {
	// Some packers skip octets for values they cannot encode (an A record
	// holding a non-IPv4 address); zero what the last use wrote so stale
	// data can never leak into the signed data.
	clear(s.pack[:s.used])
	s.used = 0
	s.msg.Answer = rrset
	w, err := s.msg.PackBuffer(s.pack)
	s.msg.Answer = nil
	if err != nil {
		s.used = len(s.pack) // it may have written anywhere
		return nil, err
	}
	if cap(w) > cap(s.pack) {
		s.pack = w[:cap(w)] // PackBuffer needed a larger buffer: keep it
	}
	s.used = len(w)
	s.spans = s.spans[:0]
	off := 12 // message header
	for range rrset {
		nameEnd, ok := canonSkipName(w, off, false)
		if !ok || nameEnd+10 > len(w) {
			return nil, canonErrName
		}
		rrtype := binary.BigEndian.Uint16(w[nameEnd:])
		start := nameEnd + 10
		end := start + int(binary.BigEndian.Uint16(w[nameEnd+8:]))
		if end > len(w) {
			return nil, canonErrRdata
		}
		if err := canonLowerRdata(rrtype, w[start:end]); err != nil {
			return nil, err
		}
		s.spans = append(s.spans, canonSpan{start, end})
		off = end
	}
	if off != len(w) {
		return nil, canonErrRdata
	}
	return w, nil
}

// canonAppendName appends the uncompressed wire form of name, lowercased, to b.
func canonAppendName(b []byte, name string) ([]byte, error) {
	if name == "" {
		return b, canonErrName
	}
	start := len(b)
	if cap(b)-start < 256 {
		b = slices.Grow(b, 256)
	}
	buf := b[:cap(b)]
	end, err := dns.PackDomainName(name, buf, start, nil, false)
	if err != nil || end <= start {
		return b, canonErrName
	}
	canonLowerASCII(buf[start:end])
	return buf[:end], nil
}

// canonLowerASCII lowercases the US-ASCII letters in b. Applied to a whole
// wire-format name this is safe: label length octets are at most 63 and so
// never in 'A'..'Z'.
func canonLowerASCII(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
}

// canonSkipName walks the uncompressed wire name starting at b[off] and
// returns the offset just past it; with lower set it lowercases the name in
// place. Compression pointers and extended label types are rejected.
func canonSkipName(b []byte, off int, lower bool) (int, bool) {
	for {
		if off >= len(b) {
			return 0, false
		}
		l := int(b[off])
		if l == 0 {
			return off + 1, true
		}
		if l&0xC0 != 0 || off+1+l > len(b) {
			return 0, false
		}
		if lower {
			canonLowerASCII(b[off+1 : off+1+l])
		}
		off += 1 + l
	}
}

// canonWireLabels counts the labels of a wire name (the root has none).
func canonWireLabels(w []byte) int {
	n := 0
	for off := 0; off < len(w) && w[off] != 0; off += 1 + int(w[off]) {
		n++
	}
	return n
}

// canonLowerRdata lowercases, in place, the domain names embedded in rd for
// the RR types of RFC 4034 §6.2 item 3 as amended by RFC 6840 §5.1 (HINFO,
// NSEC and RRSIG removed).
func canonLowerRdata(t uint16, rd []byte) error {
	var (
		off = 0
		ok  = true
	)
	lower := func(n int) {
		for range n {
			if !ok {
				return
			}
			off, ok = canonSkipName(rd, off, true)
		}
	}
	switch t {
	case dns.TypeNS, dns.TypeMD, dns.TypeMF, dns.TypeCNAME, dns.TypeMB, dns.TypeMG,
		dns.TypeMR, dns.TypePTR, dns.TypeNXT, dns.TypeDNAME:
		lower(1)
	case dns.TypeSOA, dns.TypeMINFO, dns.TypeRP:
		lower(2)
	case dns.TypeMX, dns.TypeAFSDB, dns.TypeRT, dns.TypeKX:
		off = 2
		lower(1)
	case dns.TypePX:
		off = 2
		lower(2)
	case dns.TypeSRV:
		off = 6
		lower(1)
	case dns.TypeSIG:
		off = 18
		lower(1)
	case dns.TypeNAPTR:
		// Skip order and preference, then the flags, services and
		// regexp character-strings.
		off = 4
		for range 3 {
			if off >= len(rd) {
				return canonErrRdata
			}
			off += 1 + int(rd[off])
		}
		lower(1)
	case canonTypeA6:
		if len(rd) < 1 || rd[0] > 128 {
			return canonErrRdata
		}
		prefix := int(rd[0])
		off = 1 + (128-prefix+7)/8
		if prefix > 0 {
			lower(1)
		} else if off > len(rd) {
			return canonErrRdata
		}
	}
	if !ok {
		return canonErrRdata
	}
	return nil
}

// canonEqualName reports whether two presentation-format names are equal
// ignoring US-ASCII case.
func canonEqualName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if ca == cb {
			continue
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// canonCountLabels counts the labels of a presentation-format name, not
// counting the root; escaped dots ("\.") do not separate labels.
func canonCountLabels(s string) int {
	if s == "" || s == "." {
		return 0
	}
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // the escaped character (or first digit of \DDD) is never a separator
		case '.':
			n++
		}
	}
	if s[len(s)-1] != '.' || canonEscapedAt(s, len(s)-1) {
		n++ // not fully qualified: the last label has no trailing dot
	}
	return n
}

// canonEscapedAt reports whether s[i] is escaped by an odd run of backslashes.
func canonEscapedAt(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// canonIsSubdomain reports whether child is parent or lies below it
// (presentation-format, fully qualified names, ASCII case-insensitive).
func canonIsSubdomain(child, parent string) bool {
	if parent == "." {
		return true
	}
	if len(child) < len(parent) {
		return false
	}
	if len(child) == len(parent) {
		return canonEqualName(child, parent)
	}
	cut := len(child) - len(parent)
	return child[cut-1] == '.' && !canonEscapedAt(child, cut-1) &&
		canonEqualName(child[cut:], parent)
}
