package zonefile

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add(goodZone)
	f.Add("example. 3600 IN SOA ns.example. h.example. 1 2 3 4 5\nwww.example. A 192.0.2.1\n")
	f.Add("")
	f.Add("(((((")
	f.Add("$TTL\n$ORIGIN foo\n@ SOA a b 1 2 3 4 5")
	f.Add("example. SOA ns. h. 1 2 3 4 5\n$GENERATE 1-100 $ A 1.2.3.$\n")
	f.Add("\x00\xff;\n\"unterminated")
	f.Add("a. RRSIG A 13 2 3600 20351231000000 20250101000000 1 a. AAAA\n")
	f.Fuzz(func(t *testing.T, src string) {
		z, err := Parse(strings.NewReader(src), "fuzz.zone")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.zone:") {
				t.Fatalf("error without file prefix: %v", err)
			}
			return
		}
		if z.Origin == "" || len(z.Records) == 0 {
			t.Fatalf("zone without origin or records: %+v", z)
		}
	})
}
