package validator_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/validator"
)

const (
	anchorDS     = ". 172800 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"
	anchorDS2    = ". 172800 IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16"
	anchorDNSKEY = "example. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="
)

// anchorSummary is what the tests compare of a parsed anchor.
type anchorSummary struct {
	Zone    string
	DSTags  []uint16
	KeyTags []uint16
}

func summarize(a *validator.Anchor) anchorSummary {
	s := anchorSummary{Zone: a.Zone}
	for _, d := range a.DS {
		s.DSTags = append(s.DSTags, d.KeyTag)
	}
	for _, k := range a.DNSKEY {
		s.KeyTags = append(s.KeyTags, k.KeyTag())
	}
	return s
}

// TestParseAnchor covers good anchor files (RFC 4033 §3.1 trust anchors in
// RFC 1035 master file syntax).
func TestParseAnchor(t *testing.T) {
	keyTag := func() uint16 {
		rr, err := dns.NewRR(anchorDNSKEY)
		if err != nil {
			t.Fatal(err)
		}
		return rr.(*dns.DNSKEY).KeyTag()
	}()
	cases := []struct {
		name, in string
		want     anchorSummary
	}{
		// One DS record for the root.
		{"one DS", anchorDS + "\n", anchorSummary{Zone: ".", DSTags: []uint16{20326}}},
		// Two DS records, comments and blank lines around them, no final newline.
		{"two DS with comments", "; root anchors\n\n" + anchorDS + " ; KSK-2017\n" + anchorDS2, anchorSummary{Zone: ".", DSTags: []uint16{20326, 38696}}},
		// A DNSKEY record.
		{"DNSKEY", anchorDNSKEY + "\n", anchorSummary{Zone: "example.", KeyTags: []uint16{keyTag}}},
		// A DNSKEY over several lines in parentheses, with comments inside.
		{"multi-line DNSKEY", "example. 3600 IN DNSKEY 257 3 15 ( ; flags, protocol, algorithm\n" +
			"    l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= ; the key\n" +
			") ; end\n", anchorSummary{Zone: "example.", KeyTags: []uint16{keyTag}}},
		// DS and DNSKEY records together for one zone.
		{"DS and DNSKEY", anchorDNSKEY + "\nexample. 3600 IN DS 1 15 2 " + strings.Repeat("AB", 32) + "\n",
			anchorSummary{Zone: "example.", DSTags: []uint16{1}, KeyTags: []uint16{keyTag}}},
		// Owner names differ only in case: one zone, lower-cased.
		{"owner case", strings.Replace(anchorDNSKEY, "example.", "EXAMPLE.", 1) + "\nExample. IN DS 1 15 2 " + strings.Repeat("AB", 32) + "\n",
			anchorSummary{Zone: "example.", DSTags: []uint16{1}, KeyTags: []uint16{keyTag}}},
		// Relative names are relative to the root; the class may be left out.
		{"relative owner, no class", "example 60 DS 1 15 2 " + strings.Repeat("AB", 32) + "\n", anchorSummary{Zone: "example.", DSTags: []uint16{1}}},
		// A digest type the validator does not know may have any length.
		{"unknown digest type", "example. 60 IN DS 1 15 99 ABCD\n", anchorSummary{Zone: "example.", DSTags: []uint16{1}}},
		// The digest may be split by blanks (RFC 4034 §5.3).
		{"digest with blanks", "example. 60 IN DS 1 15 2 " + strings.Repeat("AB", 16) + " " + strings.Repeat("CD", 16) + "\n", anchorSummary{Zone: "example.", DSTags: []uint16{1}}},
		// A later record without owner continues the previous owner.
		{"continued owner", "example. 3600 IN DS 1 15 2 " + strings.Repeat("AB", 32) + "\n    3600 IN DS 2 15 2 " + strings.Repeat("CD", 32) + "\n",
			anchorSummary{Zone: "example.", DSTags: []uint16{1, 2}}},
		// $ORIGIN and $TTL directives.
		{"directives", "$ORIGIN test.\n$TTL 60\nexample DS 1 15 2 " + strings.Repeat("AB", 32) + "\n", anchorSummary{Zone: "example.test.", DSTags: []uint16{1}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := validator.ParseAnchor(strings.NewReader(tc.in), "anchor.txt")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, summarize(a)); diff != "" {
				t.Errorf("anchor mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseAnchorErrors: every error names file:line:col.
func TestParseAnchorErrors(t *testing.T) {
	cases := []struct {
		name, in string
		want     string // exact error, or a regexp when it starts with ^
	}{
		// A record of another type, on line 2.
		{"wrong type", anchorDS + "\nwww.example. 300 IN A 192.0.2.1\n", "anchor.txt:2:1: expected a DS or DNSKEY record, found A"},
		// The wrong type on an indented line: the column is where the record starts.
		{"wrong type indented", anchorDS + "\n   300 IN TXT \"x\"\n", "anchor.txt:2:4: expected a DS or DNSKEY record, found TXT"},
		// An RRSIG is not an anchor either.
		{"RRSIG", ". 300 IN RRSIG DNSKEY 8 0 172800 20350101000000 20250101000000 20326 . AAAA\n", "anchor.txt:1:1: expected a DS or DNSKEY record, found RRSIG"},
		// Anchor records for two zones.
		{"mixed owners", anchorDS + "\n" + anchorDNSKEY + "\n", "anchor.txt:2:1: expected every anchor record to be for ., found example."},
		// A first record without owner (found by FuzzParseAnchor).
		{"no owner", "   DS 0 0 0 000000000000000000\n", "anchor.txt:1:4: expected an owner name: a line starting with a blank continues the previous record's owner"},
		// Another class.
		{"class CH", "example. 3600 CH DS 1 15 2 " + strings.Repeat("AB", 32) + "\n", "anchor.txt:1:1: expected class IN"},
		// Nothing at all.
		{"empty", "", "anchor.txt:1:1: expected at least one DS or DNSKEY record"},
		// Only comments and blank lines.
		{"only comments", "; nothing here\n\n   ; still nothing\n", "anchor.txt:1:1: expected at least one DS or DNSKEY record"},
		// Garbage: the parser's error, with its position.
		{"garbage", "this is not a record\n", `^anchor\.txt:1:\d+: .+`},
		// No TTL and no $TTL.
		{"missing TTL", "example DS 1 15 2 " + strings.Repeat("AB", 32) + "\n", `^anchor\.txt:1:\d+: missing TTL.*`},
		// Fields miekg/dns does not check: a DS digest that is not hex
		// (RFC 4034 §5.3), missing, or of the wrong size for its type, and
		// a DNSKEY key that is not base64 (RFC 4034 §2.2).
		{"DS digest not hex", "\n. 60 IN DS 20326 8 2 XYZ\n", "anchor.txt:2:1: expected a hexadecimal DS digest"},
		{"DS digest missing", ". 60 IN DS 20326 8 2\n", "anchor.txt:1:1: expected a hexadecimal DS digest"},
		{"DS digest short", ". 60 IN DS 20326 8 2 ABCD\n", "anchor.txt:1:1: expected a 32-octet digest for DS digest type 2, found 2 octets"},
		{"DS SHA-1 digest long", ". 60 IN DS 20326 8 1 " + strings.Repeat("AB", 32) + "\n", "anchor.txt:1:1: expected a 20-octet digest for DS digest type 1, found 32 octets"},
		{"DNSKEY not base64", "example. 60 IN DNSKEY 257 3 15 !!!notbase64\n", "anchor.txt:1:1: expected a base64 DNSKEY public key"},
		{"DNSKEY key missing", "example. 60 IN DS 1 15 2 " + strings.Repeat("AB", 32) + "\nexample. 60 IN DNSKEY 257 3 15\n", "anchor.txt:2:1: expected a base64 DNSKEY public key"},
		{"bad DNSKEY", anchorDS + "\nexample. IN DNSKEY 257 3\n", `^anchor\.txt:2:\d+: .+`},
		{"unbalanced parenthesis", "example. IN DNSKEY 257 3 15 ( AAAA\n", `^anchor\.txt:\d+:\d+: .+`},
		// $INCLUDE is refused in anchor files.
		{"include", "$INCLUDE /etc/passwd\n", `^anchor\.txt:1:\d+: .*include.*`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := validator.ParseAnchor(strings.NewReader(tc.in), "anchor.txt")
			if err == nil {
				t.Fatalf("no error; anchor %+v", summarize(a))
			}
			if strings.HasPrefix(tc.want, "^") {
				if !regexp.MustCompile("(?i)" + tc.want).MatchString(err.Error()) {
					t.Errorf("error %q does not match %s", err, tc.want)
				}
			} else if err.Error() != tc.want {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}

// TestReadAnchorFile reads an anchor from disk and reports a missing file.
func TestReadAnchorFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "root.ds")
	if err := os.WriteFile(path, []byte(anchorDS+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := validator.ReadAnchorFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(anchorSummary{Zone: ".", DSTags: []uint16{20326}}, summarize(a)); diff != "" {
		t.Errorf("anchor mismatch (-want +got):\n%s", diff)
	}
	if err := os.WriteFile(path, []byte(anchorDS+"\nx. IN A 192.0.2.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := validator.ReadAnchorFile(path); err == nil || !strings.HasPrefix(err.Error(), path+":2:1: ") {
		t.Errorf("error %v, want one starting with %s:2:1:", err, path)
	}
	if _, err := validator.ReadAnchorFile(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("missing file: error %v", err)
	}
}
