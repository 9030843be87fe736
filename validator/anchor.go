package validator

import (
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

// ReadAnchorFile reads a trust anchor file.
func ReadAnchorFile(path string) (*Anchor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseAnchor(f, path)
}

