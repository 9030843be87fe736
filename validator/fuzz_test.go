package validator_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/authority"
	"github.com/dnssecsim/dnssecsim/internal/signer"
	"github.com/dnssecsim/dnssecsim/validator"
)

// FuzzParseAnchor: ParseAnchor never panics; what it accepts is one zone's
// DS/DNSKEY records, and its errors carry a position.
func FuzzParseAnchor(f *testing.F) {
	for _, s := range []string{
		anchorDS + "\n",
		anchorDS + "\n" + anchorDS2 + "\n",
		anchorDNSKEY + "\n",
		"example. 3600 IN DNSKEY 257 3 15 ( ; c\n l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= )\n",
		"$ORIGIN test.\n$TTL 60\nexample DS 1 15 2 " + strings.Repeat("AB", 32) + "\n",
		"www.example. 300 IN A 192.0.2.1\n",
		"example. 3600 CH DS 1 15 2 ABCD\n",
		"",
		"; only a comment\n",
		"this is not a record\n",
		"$GENERATE 1-3 x$ DS 1 15 2 ABCD\n",
		"$INCLUDE x\n",
		". IN DS 20326 8 2 XYZ\n",
		"example. 60 IN DNSKEY 257 3 15 !!!\n",
		"\\000. 60 IN DS 1 1 1 " + strings.Repeat("00", 20) + "\n",
		" DS 0 0 0 000000000000000000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 1<<16 {
			return
		}
		a, err := validator.ParseAnchor(strings.NewReader(in), "fuzz.txt")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.txt:") {
				t.Fatalf("error without file position: %v", err)
			}
			return
		}
		if a == nil || a.Zone == "" || len(a.DS)+len(a.DNSKEY) == 0 {
			t.Fatalf("accepted an empty anchor: %+v", a)
		}
		for _, d := range a.DS {
			if !strings.EqualFold(d.Hdr.Name, a.Zone) {
				t.Fatalf("DS owner %s in an anchor for %s", d.Hdr.Name, a.Zone)
			}
		}
		for _, k := range a.DNSKEY {
			if !strings.EqualFold(k.Hdr.Name, a.Zone) {
				t.Fatalf("DNSKEY owner %s in an anchor for %s", k.Hdr.Name, a.Zone)
			}
		}
	})
}

// fuzzBase is a signed hierarchy the fuzzer mutates: one ZSK per zone, so
// the answer www.example.test. A has exactly one RRSIG.
type fuzzBase struct {
	zones  map[string][]dns.RR
	anchor *validator.Anchor
}

var (
	fuzzBasesOnce sync.Once
	fuzzBases     []*fuzzBase
)

// fuzzHierarchies builds, once, the hierarchies the fuzzer starts from:
// NSEC everywhere, NSEC3 in example.test. and test., and NSEC3 opt-out with
// an unsigned sub.example.test.
func fuzzHierarchies(tb testing.TB) []*fuzzBase {
	fuzzBasesOnce.Do(func() {
		setups := []func(h *hier){
			func(h *hier) {},
			nsec3(signer.Denial{Iterations: 1, Salt: "AB"}, zExample, zTest),
			both(nsec3(signer.Denial{OptOut: true}, zExample), func(h *hier) { h.spec(zSub).Unsigned = true }),
		}
		for _, setup := range setups {
			h := newHier(tb)
			h.all(func(s *zoneSpec) { s.Algs = []uint8{dns.ED25519} })
			setup(h)
			h.build()
			fuzzBases = append(fuzzBases, &fuzzBase{zones: h.zones, anchor: h.anchor()})
		}
	})
	return fuzzBases
}

var fuzzQuestions = []struct {
	name string
	t    uint16
}{
	{www, dns.TypeA}, {www, dns.TypeAAAA}, {www, dns.TypeMX}, {"nosuch.example.test.", dns.TypeA},
	{"foo.wild.example.test.", dns.TypeA}, {"foo.wild.example.test.", dns.TypeMX}, {"*.wild.example.test.", dns.TypeTXT},
	{"ent.example.test.", dns.TypeA}, {"x.ent.example.test.", dns.TypeA}, {"alias.example.test.", dns.TypeA},
	{"to-other.example.test.", dns.TypeA}, {"to-unsigned.example.test.", dns.TypeA}, {"loop1.example.test.", dns.TypeA},
	{"xloop.example.test.", dns.TypeA}, {"www.dn.example.test.", dns.TypeA}, {"dn.example.test.", dns.TypeDNAME},
	{"www.sub.example.test.", dns.TypeA}, {"www.unsigned.test.", dns.TypeA}, {"www.other.test.", dns.TypeA},
	{zExample, dns.TypeDNSKEY}, {zExample, dns.TypeDS}, {zUnsigned, dns.TypeDS}, {zTest, dns.TypeSOA},
	{".", dns.TypeNS}, {"a.b.www.example.test.", dns.TypeA}, {"nosuch.test.", dns.TypeTXT},
}

var fuzzTimes = []time.Time{
	testNow,
	time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2036, 6, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2106, 3, 1, 0, 0, 0, 0, time.UTC),
}

// FuzzValidate mutates a good signed hierarchy as the fuzzer's bytes say
// and validates one question over it. The input is:
//
//	byte 0: bits 0-1 pick the hierarchy, bit 7 flips a byte of the only
//	        RRSIG over www.example.test. A (byte 1 says which), bits 2-3
//	        pick the validation time
//	byte 2: the question
//	then 4-byte operations: op, zone, record index (2 bytes)
//	  op%8 0 delete, 1 duplicate, 2 flip a byte of its wire form (op>>3
//	  says which), 3 set its TTL, 4 move it to the front, 5 swap its owner
//	  case, 6 copy it to another zone, 7 insert raw records: the rest of
//	  the input, unpacked with dns.UnpackRR.
//
// Validate must not panic or hang and must return a verdict or an error;
// with the answer's only RRSIG corrupted, no Secure verdict may contain
// the www.example.test. A record.
func FuzzValidate(f *testing.F) {
	bases := fuzzHierarchies(f)
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{0x80, 10, 0})
	f.Add([]byte{0x81, 3, 0, 0, 2, 0, 5})
	f.Add([]byte{1, 0, 3, 0, 2, 0, 1})
	f.Add([]byte{2, 0, 16, 2, 2, 0, 7})
	f.Add([]byte{0, 0, 4, 2 | 5<<3, 2, 0, 9, 1, 2, 0, 9})
	f.Add([]byte{0x84, 200, 9, 6, 2, 0, 3, 3, 1, 0, 4})
	f.Add([]byte{0, 0, 14, 5, 2, 0, 11, 4, 2, 0, 12})
	f.Add([]byte{0x80, 7, 0, 7, 2, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 || len(data) > 4096 {
			return
		}
		base := bases[int(data[0]&3)%len(bases)]
		flip := data[0]&0x80 != 0
		now := fuzzTimes[int(data[0]>>2&3)]
		q := fuzzQuestions[int(data[2])%len(fuzzQuestions)]

		zones := map[string][]dns.RR{}
		for z, rrs := range base.zones {
			zones[z] = append([]dns.RR(nil), rrs...)
		}
		// protected is the corrupted RRSIG, which no operation may touch.
		var protected dns.RR
		if flip {
			for i, rr := range zones[zExample] {
				if s, ok := isSigOver(rr, www, dns.TypeA); ok {
					c := dns.Copy(s).(*dns.RRSIG)
					b, err := base64.StdEncoding.DecodeString(c.Signature)
					if err != nil {
						t.Fatal(err)
					}
					b[int(data[1])%len(b)] ^= 1 << (data[1] % 8)
					c.Signature = base64.StdEncoding.EncodeToString(b)
					zones[zExample][i], protected = c, c
				}
			}
		}
		applyOps(zones, data[3:], protected)

		var azs []*authority.Zone
		for _, z := range zoneOrder {
			az, err := authority.NewZone(z, zones[z])
			if err != nil {
				return // the mutation broke the zone itself (an SOA gone, a name outside)
			}
			azs = append(azs, az)
		}
		v := &validator.Validator{Source: validator.ZoneSource{Zones: authority.NewSet(azs...)}, Anchor: base.anchor}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		verdict, err := v.Validate(ctx, q.name, q.t, now)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("Validate(%s %s) ran for 10 s", q.name, dns.TypeToString[q.t])
			}
			return
		}
		if verdict == nil {
			t.Fatal("nil verdict without error")
		}
		if verdict.Status > validator.Secure {
			t.Fatalf("status %d", verdict.Status)
		}
		if verdict.Status == validator.Bogus && verdict.TTL != 0 {
			t.Fatalf("Bogus verdict with TTL %d", verdict.TTL)
		}
		if verdict.Reason == "" || verdict.Chain == nil || verdict.Steps == nil {
			t.Fatalf("incomplete verdict %+v", verdict)
		}
		if flip && verdict.Status == validator.Secure {
			for _, rr := range verdict.Answer {
				if a, ok := rr.(*dns.A); ok && strings.EqualFold(a.Hdr.Name, www) && a.A.String() == "192.0.2.10" {
					t.Fatalf("Secure verdict (%s) holds www.example.test. A although its only RRSIG is corrupted", verdict.Reason)
				}
			}
		}
	})
}

// applyOps mutates zones as ops say (see FuzzValidate). Records are copied
// before they change: the base hierarchy is shared.
func applyOps(zones map[string][]dns.RR, ops []byte, protected dns.RR) {
	for len(ops) >= 4 {
		op, z, idx := ops[0], zoneOrder[int(ops[1])%len(zoneOrder)], int(binary.BigEndian.Uint16(ops[2:4]))
		ops = ops[4:]
		rrs := zones[z]
		if op%8 == 7 {
			zones[z] = append(rrs, unpackAll(ops, protected)...)
			return
		}
		if len(rrs) == 0 {
			continue
		}
		i := idx % len(rrs)
		if rrs[i] == protected {
			continue
		}
		switch op % 8 {
		case 0:
			zones[z] = append(rrs[:i:i], rrs[i+1:]...)
		case 1:
			zones[z] = append(rrs, dns.Copy(rrs[i]))
		case 2:
			buf := make([]byte, dns.Len(rrs[i])+64)
			n, err := dns.PackRR(rrs[i], buf, 0, nil, false)
			if err != nil || n == 0 {
				continue
			}
			buf[int(op>>3)*7%n] ^= 1 << (op >> 3 % 8)
			if rr, _, err := dns.UnpackRR(buf[:n], 0); err == nil && rr != nil && !(protected != nil && coversAnswer(rr)) {
				rrs[i] = rr
			}
		case 3:
			c := dns.Copy(rrs[i])
			c.Header().Ttl = uint32(op) << 20
			rrs[i] = c
		case 4:
			rr := rrs[i]
			copy(rrs[1:i+1], rrs[:i])
			rrs[0] = rr
		case 5:
			c := dns.Copy(rrs[i])
			c.Header().Name = strings.ToUpper(c.Header().Name)
			rrs[i] = c
		case 6:
			to := zoneOrder[int(op>>3)%len(zoneOrder)]
			if dns.IsSubDomain(to, rrs[i].Header().Name) {
				zones[to] = append(zones[to], dns.Copy(rrs[i]))
			}
		}
	}
}

// coversAnswer reports whether rr is an RRSIG over www.example.test. A:
// mutations never make one, so that the corrupted one stays the only one.
func coversAnswer(rr dns.RR) bool {
	_, ok := isSigOver(rr, www, dns.TypeA)
	return ok
}

// unpackAll unpacks records back to back from b, stopping at the first
// that does not unpack.
func unpackAll(b []byte, protected dns.RR) []dns.RR {
	var out []dns.RR
	for off := 0; off < len(b) && len(out) < 64; {
		rr, next, err := dns.UnpackRR(b, off)
		if err != nil || rr == nil || next <= off {
			break
		}
		off = next
		if protected != nil && coversAnswer(rr) {
			continue
		}
		out = append(out, rr)
	}
	return out
}
