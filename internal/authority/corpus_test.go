package authority

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/zonefile"
)

// corpusDir is the oracle corpus relative to this package (the lead will copy
// it to validator/testdata/oracle later).
const corpusDir = "../../validator/testdata/oracle"

// corpusTime is inside the signatures' validity window (the corpus was made on
// 2026-11-24).
var corpusTime = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// TestCorpus serves each case's zones, one server per zone as in the corpus,
// and resolves the case's query iteratively from the root, the way a
// validator does, together with the DNSKEY and DS queries along the way.
func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("oracle corpus not present:", err)
	}
	dirs, err := filepath.Glob(filepath.Join(corpusDir, "*", "query"))
	if err != nil || len(dirs) == 0 {
		t.Skip("no cases in the oracle corpus")
	}
	for _, qf := range dirs {
		dir := filepath.Dir(qf)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			zfs, err := zonefile.LoadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			servers := map[string]*Zone{} // origin key -> zone
			keys := map[string][]*dns.DNSKEY{}
			var all []*Zone
			for _, zf := range zfs {
				z, err := NewZone(zf.Origin, zf.Records)
				if err != nil {
					t.Fatal(err)
				}
				servers[z.apexKey] = z
				all = append(all, z)
				for _, rr := range zf.Records {
					if k, ok := rr.(*dns.DNSKEY); ok {
						keys[dns.CanonicalName(zf.Origin)] = append(keys[dns.CanonicalName(zf.Origin)], k)
					}
				}
			}
			root := servers["\x00"]
			if root == nil {
				t.Fatal("no root zone")
			}
			q, err := os.ReadFile(qf)
			if err != nil {
				t.Fatal(err)
			}
			f := strings.Fields(string(q))
			if len(f) != 2 {
				t.Fatalf("bad query file %q", q)
			}
			qname, qtype := f[0], dns.StringToType[f[1]]

			// The same answers come from all the zones served together.
			set := NewSet(all...)

			final, path := resolveIteratively(t, servers, root, qname, qtype)
			if final == nil {
				return
			}
			// Validator side queries: DNSKEY of each zone on the way, DS from
			// its parent.
			for _, z := range path {
				m := z.Answer(z.Origin(), dns.TypeDNSKEY)
				signed := len(keys[dns.CanonicalName(z.Origin())]) > 0
				if !m.Authoritative || m.Rcode != dns.RcodeSuccess || (len(m.Answer) == 0) == signed {
					t.Errorf("DNSKEY %s: %s AA=%v %d records", z.Origin(), dns.RcodeToString[m.Rcode], m.Authoritative, len(m.Answer))
				}
				if z == root {
					continue
				}
				p := set.Find(z.Origin(), dns.TypeDS)
				if p == nil || p == z {
					t.Errorf("DS %s: no parent zone", z.Origin())
					continue
				}
				m = p.Answer(z.Origin(), dns.TypeDS)
				if !m.Authoritative || m.Rcode != dns.RcodeSuccess {
					t.Errorf("DS %s from %s: %s AA=%v", z.Origin(), p.Origin(), dns.RcodeToString[m.Rcode], m.Authoritative)
				}
				if len(m.Answer) == 0 && len(m.Ns) == 0 {
					t.Errorf("DS %s: empty NODATA", z.Origin())
				}
			}

			// Sensible outcome for the kind of case.
			hasType := false
			for _, rr := range final.Answer {
				hasType = hasType || rr.Header().Rrtype == qtype
			}
			switch {
			case strings.Contains(name, "nxdomain") || strings.HasPrefix(qname, "nx."):
				if final.Rcode != dns.RcodeNameError {
					t.Errorf("rcode %s, want NXDOMAIN", dns.RcodeToString[final.Rcode])
				}
			case strings.Contains(name, "nodata"):
				if final.Rcode != dns.RcodeSuccess || hasType {
					t.Errorf("rcode %s, answer %v: want NODATA", dns.RcodeToString[final.Rcode], final.Answer)
				}
			default:
				if final.Rcode != dns.RcodeSuccess || !hasType {
					t.Errorf("rcode %s, answer %v: want data", dns.RcodeToString[final.Rcode], final.Answer)
				}
			}
			// Signatures of good data verify, wildcard expansions included.
			if strings.HasPrefix(name, "secure-") && name != "secure-alg16-csk" {
				checkCorpusSigs(t, final.Answer, keys)
				checkCorpusSigs(t, final.Ns, keys)
			}
		})
	}
}

// resolveIteratively follows referrals from the root and CNAMEs across zones.
// It returns the last response and the zones that answered authoritatively.
func resolveIteratively(t *testing.T, servers map[string]*Zone, root *Zone, qname string, qtype uint16) (*dns.Msg, []*Zone) {
	t.Helper()
	var path []*Zone
	var answer []dns.RR
	cur := root
	for step := 0; step < 20; step++ {
		m := cur.Answer(qname, qtype)
		if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
			t.Errorf("%s %s from %s: %s", qname, dns.TypeToString[qtype], cur.Origin(), dns.RcodeToString[m.Rcode])
			return nil, nil
		}
		if !m.Authoritative {
			// Referral: the NS owner's zone is the next server.
			var cut string
			for _, rr := range m.Ns {
				if rr.Header().Rrtype == dns.TypeNS {
					cut = rr.Header().Name
				}
			}
			key, _ := nameKey(cut)
			next := servers[key]
			if cut == "" || next == nil {
				t.Errorf("%s from %s: bad referral %v", qname, cur.Origin(), m)
				return nil, nil
			}
			path = append(path, cur)
			cur = next
			continue
		}
		path = append(path, cur)
		answer = append(answer, m.Answer...)
		// A CNAME chain leaving the zone: start again from the root.
		if qtype != dns.TypeCNAME {
			name := qname
			for hops := 0; hops < 10; hops++ {
				moved := false
				for _, rr := range m.Answer {
					if cn, ok := rr.(*dns.CNAME); ok && sameName(cn.Hdr.Name, name) {
						name, moved = cn.Target, true
						break
					}
				}
				if !moved {
					break
				}
			}
			if key, _ := nameKey(name); !isSubKey(cur.apexKey, key) {
				qname, cur = name, root
				continue
			}
		}
		m.Answer = answer
		return m, path
	}
	t.Errorf("%s: too many steps", qname)
	return nil, nil
}

// checkCorpusSigs checks that each signed RRset of a section has an RRSIG
// that verifies with a DNSKEY of its signer.
func checkCorpusSigs(t *testing.T, section []dns.RR, keys map[string][]*dns.DNSKEY) {
	t.Helper()
	type set struct {
		rrs  []dns.RR
		sigs []*dns.RRSIG
	}
	sets := map[string]*set{}
	id := func(name string, typ uint16) string { return dns.CanonicalName(name) + "/" + dns.TypeToString[typ] }
	for _, rr := range section {
		k := id(rr.Header().Name, rr.Header().Rrtype)
		if s, ok := rr.(*dns.RRSIG); ok {
			k = id(s.Hdr.Name, s.TypeCovered)
		}
		if sets[k] == nil {
			sets[k] = &set{}
		}
		if s, ok := rr.(*dns.RRSIG); ok {
			sets[k].sigs = append(sets[k].sigs, s)
		} else {
			sets[k].rrs = append(sets[k].rrs, rr)
		}
	}
	for k, s := range sets {
		if len(s.sigs) == 0 {
			continue // unsigned data (insecure zones)
		}
		ok := false
		for _, sig := range s.sigs {
			for _, key := range keys[dns.CanonicalName(sig.SignerName)] {
				if key.KeyTag() == sig.KeyTag && sig.Verify(key, s.rrs) == nil && sig.ValidityPeriod(corpusTime) {
					ok = true
				}
			}
		}
		if !ok {
			t.Errorf("%s: no RRSIG verifies", k)
		}
	}
}
