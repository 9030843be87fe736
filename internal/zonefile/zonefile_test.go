package zonefile

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

const goodZone = `; a small zone
$TTL 300
example.	IN	SOA	ns.example. hostmaster.example. (
			2025010101 ; serial
			3600 900 1209600 300 )
example.	3600	IN	NS	ns.example.
ns.example.	3600	IN	A	192.0.2.53
www.example.	3600	IN	A	192.0.2.1
		3600	IN	AAAA	2001:db8::1
$GENERATE 1-2 h$.example. A 10.0.0.$
`

func TestParseGood(t *testing.T) {
	z, err := Parse(strings.NewReader(goodZone), "good.zone")
	if err != nil {
		t.Fatal(err)
	}
	if z.Origin != "example." || z.File != "good.zone" {
		t.Errorf("origin %q file %q", z.Origin, z.File)
	}
	var got []string
	for _, rr := range z.Records {
		got = append(got, rr.Header().Name+" "+dns.TypeToString[rr.Header().Rrtype])
	}
	want := []string{"example. SOA", "example. NS", "ns.example. A", "www.example. A", "www.example. AAAA", "h1.example. A", "h2.example. A"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("records %v, want %v", got, want)
	}
}

func TestParseRootOrigin(t *testing.T) {
	src := ".	3600	IN	SOA	a.root-servers.net. hostmaster. 1 2 3 4 5\n" +
		"test.	3600	IN	NS	ns.test.\n" +
		"a.root-servers.net.	3600	IN	A	127.0.0.1\n"
	z, err := Parse(strings.NewReader(src), "root.zone")
	if err != nil {
		t.Fatal(err)
	}
	if z.Origin != "." || len(z.Records) != 3 {
		t.Errorf("origin %q, %d records", z.Origin, len(z.Records))
	}
}

var posRE = regexp.MustCompile(`^f\.zone:[1-9][0-9]*:[1-9][0-9]*: .`)

func TestParseErrors(t *testing.T) {
	const soa = "example. 3600 IN SOA ns.example. h.example. 1 2 3 4 5\n"
	tests := []struct {
		name, src string
		want      []string // substrings of the error
	}{
		// Syntax error in rdata: position from the zone parser.
		{"bad A", soa + "www.example. 3600 IN A 192.0.2\n", []string{"f.zone:2:", "bad A"}},
		// Unknown type on the third line, after a blank line.
		{"bad type", soa + "\nwww.example. 3600 IN BOGUSTYPE x\n", []string{"f.zone:3:"}},
		// Unbalanced parenthesis spanning to the end of the file.
		{"open paren", soa + "www.example. 3600 IN TXT ( \"a\"\n", []string{"f.zone:"}},
		// $INCLUDE is not allowed.
		{"include", soa + "$INCLUDE /etc/passwd\n", []string{"f.zone:2:", "$INCLUDE"}},
		// No SOA at all: the line of the first record.
		{"no soa", "\n; comment\nwww.example. 3600 IN A 192.0.2.1\n", []string{"f.zone:3:1: expected an SOA record"}},
		// Empty file: no SOA, position 1:1.
		{"empty", "", []string{"f.zone:1:1: expected an SOA record"}},
		// Two SOA records: the line of the second one.
		{"two soa", soa + "www.example. 3600 IN A 192.0.2.1\nexample. 3600 IN SOA ns.example. h.example. 2 2 3 4 5\n", []string{"f.zone:3:1: expected exactly one SOA"}},
		// A record outside the origin, after the SOA.
		{"outside after", soa + "\n\nwww.other. 3600 IN A 192.0.2.1\n", []string{"f.zone:4:1:", "www.other."}},
		// A record outside the origin, before the SOA (origin known only at the end).
		{"outside before", "a.b.c. 3600 IN A 192.0.2.1\n" + soa, []string{"f.zone:1:1:", "a.b.c."}},
		// A record outside the origin written with a blank owner continuing a record above.
		{"outside blank owner", "x.org. 3600 IN A 192.0.2.1\n" + soa + "x.org. 3600 IN A 192.0.2.2\n  3600 IN AAAA ::1\n", []string{"f.zone:1:1:"}},
		// Bad owner name.
		{"bad owner", soa + "a..example. 3600 IN A 192.0.2.1\n", []string{"f.zone:2:", "bad owner name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.src), "f.zone")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "f.zone:") {
				t.Errorf("error %q does not start with the file name", err)
			}
			if !posRE.MatchString(err.Error()) {
				t.Errorf("error %q is not FILE:LINE:COL: ...", err)
			}
		})
	}
}

func TestRecordLines(t *testing.T) {
	// Records outside the origin are reported at their own line, whatever
	// layout precedes them.
	src := "example. 3600 IN SOA ns.example. h.example. (\n 1 2 3 4 5 )\n" +
		"$TTL 60\n" +
		"; comment\n" +
		"a.example. TXT ( \"x\"\n \"y\" )\n" +
		"$GENERATE 1-3 g$.example. A 10.0.0.$\n" +
		"\t\t\t; indented comment\n" +
		"b.example. A 192.0.2.1\n" +
		"   A 192.0.2.2\n" +
		"bad.test. A 192.0.2.3\n"
	_, err := Parse(strings.NewReader(src), "f.zone")
	if err == nil || !strings.HasPrefix(err.Error(), "f.zone:11:1:") {
		t.Fatalf("got %v, want f.zone:11:1", err)
	}
}

func TestParseFileAndLoadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadDir(dir); err == nil || err.Error() != dir+": no *.zone files" {
		t.Errorf("empty dir: %v", err)
	}
	write("b.zone", "b.example. 3600 IN SOA ns.b.example. h.b.example. 1 2 3 4 5\n")
	write("a.zone", goodZone)
	write("notes.txt", "not a zone")
	if err := os.Mkdir(filepath.Join(dir, "sub.zone"), 0o755); err != nil {
		t.Fatal(err)
	}
	zones, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(zones) != 2 || zones[0].Origin != "example." || zones[1].Origin != "b.example." {
		t.Fatalf("zones %v", zones)
	}
	if zones[0].File != filepath.Join(dir, "a.zone") {
		t.Errorf("file %q", zones[0].File)
	}
	// Same origin in two files (case-insensitively).
	write("c.zone", "B.Example. 3600 IN SOA ns.b.example. h.b.example. 1 2 3 4 5\n")
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "c.zone") || !strings.Contains(err.Error(), "b.zone") {
		t.Errorf("duplicate origin: %v", err)
	}
	os.Remove(filepath.Join(dir, "c.zone"))
	// A broken file names itself.
	write("d.zone", "d.example. 3600 IN SOA ns.d.example. h.d.example. 1 2 3 x 5\n")
	if _, err := LoadDir(dir); err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, "d.zone")+":1:") {
		t.Errorf("broken file: %v", err)
	}
	if _, err := ParseFile(filepath.Join(dir, "missing.zone")); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := LoadDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing dir: no error")
	}
}

// TestCorpus parses every zone file of the oracle corpus, when present.
func TestCorpus(t *testing.T) {
	root := "../../validator/testdata/oracle"
	if _, err := os.Stat(root); err != nil {
		t.Skip("corpus not present:", err)
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "*"))
	n := 0
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		zones, err := LoadDir(d)
		if err != nil {
			t.Errorf("%s: %v", d, err)
			continue
		}
		n += len(zones)
	}
	if n == 0 {
		t.Error("no zones loaded")
	}
}
