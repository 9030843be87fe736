package authority

import (
	"testing"

	"github.com/miekg/dns"
)

// FuzzAnswer asks arbitrary names and types of the test zone in each mode:
// no panic, and a message with the question.
func FuzzAnswer(f *testing.F) {
	var zones []*Zone
	for _, m := range []mode{unsigned, withNSEC, withNSEC3, withNSEC3OptOut} {
		zones = append(zones, mustZone(f, "example.", exampleRecords, m))
	}
	for _, s := range []string{"www.example.", "a.b.wild.example.", `\000.x.dn.example.`, "x.insec.example.", "*.example.", "", ".", `\.\..example.`} {
		f.Add(s, uint16(dns.TypeA))
	}
	f.Add("sec.example.", uint16(dns.TypeDS))
	f.Fuzz(func(t *testing.T, qname string, qtype uint16) {
		for _, z := range zones {
			m := z.Answer(qname, qtype)
			if m == nil || len(m.Question) != 1 {
				t.Fatalf("no message for %q", qname)
			}
			if _, err := m.Pack(); err != nil && m.Rcode != dns.RcodeFormatError {
				t.Fatalf("%q: unpackable response: %v\n%v", qname, err, m)
			}
		}
	})
}
