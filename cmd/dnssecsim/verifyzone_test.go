package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/signer"
)

const vzOrigin = "example.test."

var (
	vzInception  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	vzExpiration = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	vzAt         = "2026-02-01T00:00:00Z"
)

const vzUnsigned = `
example.test.      3600 IN SOA ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300
example.test.      3600 IN NS  ns1.example.test.
ns1.example.test.  3600 IN A   192.0.2.1
www.example.test.  3600 IN A   192.0.2.2
host.deep.example.test. 3600 IN TXT "x"
sub.example.test.  3600 IN NS  ns.sub.example.test.
ns.sub.example.test. 3600 IN A 192.0.2.53
`

// vzZone signs the test zone and returns its records and KSK.
func vzZone(t *testing.T, nsec3 bool) ([]dns.RR, *signer.Key) {
	t.Helper()
	var rrs []dns.RR
	zp := dns.NewZoneParser(strings.NewReader(vzUnsigned), ".", "test")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	ksk, err := signer.NewKey(vzOrigin, dns.ECDSAP256SHA256, 257, []byte("cli test"))
	if err != nil {
		t.Fatal(err)
	}
	zsk, err := signer.NewKey(vzOrigin, dns.ECDSAP256SHA256, 256, []byte("cli test"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := signer.SignZone(vzOrigin, rrs, signer.Options{
		KSKs: []*signer.Key{ksk}, ZSKs: []*signer.Key{zsk},
		Inception: vzInception, Expiration: vzExpiration,
		Denial: signer.Denial{NSEC3: nsec3},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, ksk
}

func writeRRs(t *testing.T, name string, rrs []dns.RR) string {
	t.Helper()
	var b strings.Builder
	for _, rr := range rrs {
		b.WriteString(rr.String())
		b.WriteByte('\n')
	}
	return writeFile(t, name, b.String())
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// corrupt flips one character of the signature over www A.
func corrupt(rrs []dns.RR) {
	for _, rr := range rrs {
		if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == dns.TypeA && s.Hdr.Name == "www."+vzOrigin {
			b := []byte(s.Signature)
			if b[5] == 'A' {
				b[5] = 'B'
			} else {
				b[5] = 'A'
			}
			s.Signature = string(b)
		}
	}
}

func TestVerifyZoneExitCodes(t *testing.T) {
	good, ksk := vzZone(t, false)
	goodFile := writeRRs(t, "good.zone", good)
	nsec3, _ := vzZone(t, true)
	nsec3File := writeRRs(t, "nsec3.zone", nsec3)
	bad, _ := vzZone(t, false)
	corrupt(bad)
	badFile := writeRRs(t, "bad.zone", bad)
	dsFile := writeFile(t, "anchor.ds", ksk.DNSKEY.ToDS(dns.SHA256).String()+"\n")
	wrongDS := ksk.DNSKEY.ToDS(dns.SHA256)
	wrongDS.Digest = strings.Repeat("00", 32)
	wrongDSFile := writeFile(t, "wrong.ds", wrongDS.String()+"\n")
	parseErrFile := writeFile(t, "parse.zone", "example.test. 3600 IN SOA ns1.example.test. h.example.test. 1 2 3 4 5\n\nwww.example.test. 3600 IN A not-an-address\n")
	outsideFile := writeFile(t, "outside.zone", "example.test. 3600 IN SOA ns1.example.test. h.example.test. 1 2 3 4 5\nwww.other.test. 3600 IN A 192.0.2.1\n")
	noSOAFile := writeFile(t, "nosoa.zone", "; nothing\nwww.example.test. 3600 IN A 192.0.2.1\n")
	twoSOAFile := writeFile(t, "twosoa.zone", "example.test. 3600 IN SOA ns1.example.test. h.example.test. 1 2 3 4 5\nexample.test. 3600 IN SOA ns1.example.test. h.example.test. 2 2 3 4 5\n")

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring of stdout
		stderr string // substring of stderr
	}{
		// A good NSEC zone verifies.
		{"good NSEC", []string{"--at", vzAt, goodFile}, exitOK, "example.test.: zone verifies: ", ""},
		// A good NSEC3 zone verifies.
		{"good NSEC3", []string{"--at", vzAt, nsec3File}, exitOK, "denial NSEC3, algorithms 13; 0 problems", ""},
		// YYYYMMDDHHMMSS time and a matching DS anchor.
		{"anchor DS", []string{"--at", "20260201000000", "--anchor", dsFile, goodFile}, exitOK, "zone verifies", ""},
		// A corrupted signature: exit 3, the problem listed.
		{"corrupted", []string{"--at", vzAt, badFile}, exitVerify, "problem: www.example.test. A: RRSIG by key", ""},
		// An anchor DS that does not match: exit 3.
		{"anchor mismatch", []string{"--at", vzAt, "--anchor", wrongDSFile, goodFile}, exitVerify, "problem: example.test. DNSKEY: anchor DS", ""},
		// Two days before expiration: warnings only, exit 0.
		{"expiring", []string{"--at", "2026-02-27T00:00:00Z", goodFile}, exitOK, "warning: www.example.test. A: RRSIG by key", ""},
		// The same with the window shrunk to one day: no warnings.
		{"expiry window 1d", []string{"--at", "2026-02-27T00:00:00Z", "--expiry-warning", "1d", goodFile}, exitOK, "0 problems, 0 warnings", ""},
		// After expiration: exit 3.
		{"expired", []string{"--at", "2026-03-02T00:00:00Z", goodFile}, exitVerify, "signature expired", ""},
		// Unreadable input: exit 1 with FILE:LINE:COL.
		{"missing file", []string{filepath.Join(t.TempDir(), "nope.zone")}, exitInput, "", "no such file"},
		{"parse error", []string{parseErrFile}, exitInput, "", parseErrFile + ":3:"},
		{"outside the origin", []string{outsideFile}, exitInput, "", outsideFile + ":2:1: expected a name at or below the origin example.test."},
		{"no SOA", []string{noSOAFile}, exitInput, "", noSOAFile + ":2:1: expected an SOA record"},
		{"two SOAs", []string{twoSOAFile}, exitInput, "", twoSOAFile + ":2:1: expected exactly one SOA record"},
		{"bad anchor file", []string{"--anchor", parseErrFile, goodFile}, exitInput, "", "parse.zone"},
		// Usage errors: exit 2.
		{"no zone file", nil, exitUsage, "", "expected one ZONEFILE"},
		{"two zone files", []string{goodFile, goodFile}, exitUsage, "", "expected one ZONEFILE"},
		{"bad format", []string{"--format", "xml", goodFile}, exitUsage, "", "--format"},
		{"bad time", []string{"--at", "yesterday", goodFile}, exitUsage, "", "--at"},
		{"bad window", []string{"--expiry-warning", "7x", goodFile}, exitUsage, "", "--expiry-warning"},
		{"unknown flag", []string{"--frobnicate", goodFile}, exitUsage, "", "unknown flag"},
		// --help prints the usage and exits 0.
		{"help", []string{"--help"}, exitOK, "Usage: dnssecsim verify-zone", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(append([]string{"verify-zone"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tc.stdout) {
				t.Errorf("stdout does not contain %q:\n%s", tc.stdout, stdout)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr does not contain %q:\n%s", tc.stderr, stderr)
			}
		})
	}
}

func TestVerifyZoneJSON(t *testing.T) {
	rrs, _ := vzZone(t, false)
	corrupt(rrs)
	file := writeRRs(t, "bad.zone", rrs)
	code, stdout, stderr := runCmd("verify-zone", "--at", vzAt, "--format", "json", file)
	if code != exitVerify {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitVerify, stderr)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, stdout)
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"algorithms", "denial", "ok", "problems", "records", "rrsets", "signatures", "verified", "warnings", "zone"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
	var r struct {
		Zone                                  string
		Records, RRsets, Signatures, Verified int
		Algorithms                            []int
		Denial                                string
		Problems                              []map[string]string
		Warnings                              []map[string]string
		OK                                    bool
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Zone != vzOrigin || r.Records != len(rrs) || r.OK || r.Denial != "NSEC" || !slices.Equal(r.Algorithms, []int{13}) {
		t.Errorf("report: %+v", r)
	}
	if r.Verified != r.Signatures-1 || r.Warnings == nil {
		t.Errorf("signatures %d, verified %d, warnings %v", r.Signatures, r.Verified, r.Warnings)
	}
	if len(r.Problems) != 1 {
		t.Fatalf("problems = %v", r.Problems)
	}
	p := r.Problems[0]
	if len(p) != 3 || p["owner"] != "www."+vzOrigin || p["type"] != "A" || !strings.Contains(p["reason"], "signature does not verify") {
		t.Errorf("problem = %v", p)
	}
}

func TestParseWindow(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"7d":    7 * 24 * time.Hour,
		"2w":    14 * 24 * time.Hour,
		"36h":   36 * time.Hour,
		"1w2d":  9 * 24 * time.Hour,
		"1.5d":  36 * time.Hour,
		"2d12h": 60 * time.Hour,
		"90m":   90 * time.Minute,
		"0":     0,
	} {
		got, err := parseWindow(in)
		if err != nil || got != want {
			t.Errorf("parseWindow(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1d", "7x", "d", "7", "1..5d", "7d-"} {
		if got, err := parseWindow(in); err == nil {
			t.Errorf("parseWindow(%q) = %v, want an error", in, got)
		}
	}
}

// TestVerifyZoneBIND verifies zones signed by BIND's dnssec-signzone (NSEC,
// NSEC3, NSEC3 with opt-out, with an insecure delegation and glue): they
// verify. Skipped when bind9-utils is not installed, except in CI (CI set),
// which installs it.
func TestVerifyZoneBIND(t *testing.T) {
	for _, tool := range []string{"dnssec-keygen", "dnssec-signzone"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not installed (bind9-utils)", tool)
			}
			t.Skipf("%s not installed (bind9-utils)", tool)
		}
	}
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("$TTL 3600\nbind.test. IN SOA ns1.bind.test. h.bind.test. 1 7200 3600 1209600 300\n")
	b.WriteString("bind.test. IN NS ns1.bind.test.\nns1.bind.test. IN A 192.0.2.1\n")
	b.WriteString("a.b.c.bind.test. IN TXT \"deep\"\n*.w.bind.test. IN A 192.0.2.9\n")
	b.WriteString("child.bind.test. IN NS ns.child.bind.test.\nns.child.bind.test. IN A 192.0.2.53\n")
	for i := range 50 {
		fmt.Fprintf(&b, "host%02d.bind.test. IN A 192.0.2.%d\n", i, i+10)
	}
	zone := filepath.Join(dir, "bind.test.zone")
	if err := os.WriteFile(zone, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-K", dir, "-a", "ECDSAP256SHA256", "-f", "KSK", "-n", "ZONE", "bind.test"},
		{"-K", dir, "-a", "ECDSAP256SHA256", "-n", "ZONE", "bind.test"},
	} {
		if out, err := exec.Command("dnssec-keygen", append([]string{"-q"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("dnssec-keygen: %v\n%s", err, out)
		}
	}
	for name, extra := range map[string][]string{
		"nsec":         nil,
		"nsec3":        {"-3", "-", "-H", "0"},
		"nsec3-optout": {"-3", "abcd", "-H", "0", "-A"},
	} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, name+".signed")
			args := append([]string{"-S", "-K", dir, "-d", dir, "-o", "bind.test", "-f", out}, extra...)
			if msg, err := exec.Command("dnssec-signzone", append(args, zone)...).CombinedOutput(); err != nil {
				t.Fatalf("dnssec-signzone: %v\n%s", err, msg)
			}
			code, stdout, stderr := runCmd("verify-zone", out)
			if code != exitOK {
				t.Errorf("exit %d\n%s%s", code, stdout, stderr)
			}
		})
	}
}
