package validator

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/zonefile"
)

// Anchor is a trust anchor: DS records or DNSKEY records for one zone
// (RFC 4033 §3.1). DS anchors authenticate the DNSKEY that they match;
// DNSKEY anchors authenticate the identical key in the zone's DNSKEY set.
type Anchor struct {
	Zone   string
	DS     []*dns.DS
	DNSKEY []*dns.DNSKEY
}

// ParseAnchor reads a trust anchor in presentation format: one or more DS or
// DNSKEY records, all with the same owner. file names the input in errors,
// which read "file:line:col: message".
func ParseAnchor(r io.Reader, file string) (*Anchor, error) {
	recs, err := zonefile.ParseRecords(r, file)
	if err != nil {
		return nil, err
	}
	a := &Anchor{}
	for _, rec := range recs {
		rr := rec.RR
		// A record line starting with a blank takes the previous record's
		// owner (RFC 1035 §5.1); on the first record there is none, and the
		// parser leaves the owner empty.
		if rr.Header().Name == "" {
			return nil, fmt.Errorf("%s:%d:%d: expected an owner name: a line starting with a blank continues the previous record's owner", file, rec.Line, rec.Col)
		}
		switch rr := rr.(type) {
		case *dns.DS:
			a.DS = append(a.DS, rr)
		case *dns.DNSKEY:
			a.DNSKEY = append(a.DNSKEY, rr)
		default:
			return nil, fmt.Errorf("%s:%d:%d: expected a DS or DNSKEY record, found %s", file, rec.Line, rec.Col, typeString(rr.Header().Rrtype))
		}
		if rr.Header().Class != dns.ClassINET {
			return nil, fmt.Errorf("%s:%d:%d: expected class IN", file, rec.Line, rec.Col)
		}
		if msg := anchorFieldError(rr); msg != "" {
			return nil, fmt.Errorf("%s:%d:%d: %s", file, rec.Line, rec.Col, msg)
		}
		if a.Zone == "" {
			a.Zone = lower(rr.Header().Name)
		} else if !nameEqual(a.Zone, rr.Header().Name) {
			return nil, fmt.Errorf("%s:%d:%d: expected every anchor record to be for %s, found %s", file, rec.Line, rec.Col, a.Zone, rr.Header().Name)
		}
	}
	if a.Zone == "" {
		return nil, fmt.Errorf("%s:1:1: expected at least one DS or DNSKEY record", file)
	}
	return a, nil
}

// anchorFieldError checks the fields that miekg/dns takes without looking:
// a DS digest is hexadecimal (RFC 4034 §5.3) of the size its digest type
// makes (RFC 4034 §5.1.4, RFC 4509 §2.2, RFC 6605 §2), and a DNSKEY public
// key is base64 (RFC 4034 §2.2). An anchor that breaks these rules could
// never match a key and would make every answer Bogus, so it is an input
// error instead.
func anchorFieldError(rr dns.RR) string {
	switch rr := rr.(type) {
	case *dns.DS:
		b, err := hex.DecodeString(rr.Digest)
		if err != nil || len(b) == 0 {
			return "expected a hexadecimal DS digest"
		}
		if n := dsDigestLen(rr.DigestType); n != 0 && len(b) != n {
			return fmt.Sprintf("expected a %d-octet digest for DS digest type %d, found %d octets", n, rr.DigestType, len(b))
		}
	case *dns.DNSKEY:
		if b, err := base64.StdEncoding.DecodeString(rr.PublicKey); err != nil || len(b) == 0 {
			return "expected a base64 DNSKEY public key"
		}
	}
	return ""
}

// ReadAnchorFile reads a trust anchor file.
func ReadAnchorFile(path string) (*Anchor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseAnchor(f, path)
}
