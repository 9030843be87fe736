package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/authority"
	"github.com/dnssecsim/dnssecsim/internal/zonefile"
	"github.com/dnssecsim/dnssecsim/validator"
)

const validateUsage = `validate [--anchor FILE] (--zones DIR | --zone FILE ... | --server ADDR ...) [--at TIME] [--format text|json] QNAME [QTYPE]

Resolves QNAME/QTYPE (default A) from the trust anchor down, as an iterative
validating resolver does, and prints the verdict (Secure, Insecure, Bogus or
Indeterminate), its reason, EDE code, and the chain of trust. Without --anchor
the verdict is Indeterminate. Exit status 0 when a verdict was reached, 1 when
input cannot be read, 2 for bad usage.`

func runValidate(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlags("validate", validateUsage, stdout)
	anchorFile := fs.String("anchor", "", "trust anchor: DS or DNSKEY records in presentation format")
	zonesDir := fs.String("zones", "", "load every *.zone file in `DIR` (a file's origin is its SOA owner)")
	zoneFiles := fs.StringArray("zone", nil, "load one zone `FILE` (repeatable)")
	servers := fs.StringArray("server", nil, "ask the authoritative server at `ADDR` (host or host:port) for the anchor's zone, and for zones whose referral has no glue (repeatable)")
	at := fs.String("at", "", "validation `TIME`: RFC 3339 or YYYYMMDDHHMMSS (default: now)")
	format := fs.String("format", "text", "output format: text or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) < 1 || len(rest) > 2 {
		return usageErr("expected QNAME [QTYPE], got %d arguments", len(rest))
	}
	offline := *zonesDir != "" || len(*zoneFiles) > 0
	if offline == (len(*servers) > 0) {
		return usageErr("give zone data (--zones or --zone) or servers (--server), not both and not neither")
	}
	qname := dns.Fqdn(rest[0])
	if _, ok := dns.IsDomainName(qname); !ok {
		return inputErr(fmt.Errorf("query name %q is not a valid domain name", rest[0]))
	}
	qtype := dns.TypeA
	if len(rest) == 2 {
		t, ok := dns.StringToType[strings.ToUpper(rest[1])]
		if !ok {
			return inputErr(fmt.Errorf("unknown query type %q: expected a type mnemonic such as A, AAAA, DS, DNSKEY, TXT", rest[1]))
		}
		qtype = t
	}
	now := time.Now().UTC()
	if *at != "" {
		t, err := parseTime(*at)
		if err != nil {
			return inputErr(err)
		}
		now = t
	}
	v := &validator.Validator{}
	if *anchorFile != "" {
		a, err := validator.ReadAnchorFile(*anchorFile)
		if err != nil {
			return inputErr(err)
		}
		v.Anchor = a
	}
	if offline {
		set, zones, err := loadZones(*zonesDir, *zoneFiles)
		if err != nil {
			return inputErr(err)
		}
		start := ""
		for _, z := range zones {
			if dns.IsSubDomain(z.Origin, qname) && (start == "" || dns.CountLabel(z.Origin) < dns.CountLabel(start)) {
				start = z.Origin
			}
		}
		if start == "" {
			return inputErr(fmt.Errorf("query name %s is under no loaded zone", qname))
		}
		if v.Anchor != nil && set.Zone(v.Anchor.Zone) == nil && dns.IsSubDomain(v.Anchor.Zone, qname) {
			return inputErr(fmt.Errorf("%s: no zone file loaded for the anchor's zone %s", *anchorFile, v.Anchor.Zone))
		}
		v.Source = validator.ZoneSource{Zones: set}
		v.Start = start
	} else {
		v.Source = validator.NetSource{Servers: *servers}
		if v.Anchor == nil {
			v.Start = "."
		}
	}
	verdict, err := v.Validate(ctx, qname, qtype, now)
	if err != nil {
		return inputErr(err)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(verdict)
	}
	_, err = io.WriteString(stdout, formatVerdict(verdict))
	return err
}

// loadZones reads zone files and indexes them for answering.
func loadZones(dir string, files []string) (*authority.Set, []*zonefile.Zone, error) {
	var zones []*zonefile.Zone
	if dir != "" {
		zs, err := zonefile.LoadDir(dir)
		if err != nil {
			return nil, nil, err
		}
		zones = append(zones, zs...)
	}
	for _, f := range files {
		z, err := zonefile.ParseFile(f)
		if err != nil {
			return nil, nil, err
		}
		zones = append(zones, z)
	}
	seen := map[string]string{}
	var served []*authority.Zone
	for _, z := range zones {
		key := strings.ToLower(z.Origin)
		if prev, dup := seen[key]; dup {
			return nil, nil, fmt.Errorf("%s: zone %s already loaded from %s", z.File, z.Origin, prev)
		}
		seen[key] = z.File
		az, err := authority.NewZone(z.Origin, z.Records)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", z.File, err)
		}
		served = append(served, az)
	}
	return authority.NewSet(served...), zones, nil
}

// formatVerdict renders a verdict in the spirit of delv +vtrace: the
// verdict line first, then the chain, one line per fact.
func formatVerdict(v *validator.Verdict) string {
	var b strings.Builder
	ede := "none"
	if v.EDE != nil {
		ede = fmt.Sprintf("%d", *v.EDE)
	}
	fmt.Fprintf(&b, "%s %s: %s (%s)\n", v.QName, v.QType, v.Status, v.Reason)
	fmt.Fprintf(&b, "  zone %s  ede %s  ttl %d  rcode %s\n", v.Zone, ede, v.TTL, v.Rcode)
	for _, rr := range v.Answer {
		fmt.Fprintf(&b, "  answer %s\n", strings.Join(strings.Fields(rr.String()), " "))
	}
	if len(v.Chain) > 0 {
		b.WriteString("chain:\n")
	}
	for _, l := range v.Chain {
		tag := ""
		if l.Anchor {
			tag = " (trust anchor)"
		}
		fmt.Fprintf(&b, "  %s%s: %s, %s\n", l.Zone, tag, l.Status, l.Reason)
		for _, d := range l.DS {
			m := ""
			if d.MatchedKey != nil {
				m = fmt.Sprintf(" -> key %d", *d.MatchedKey)
			}
			fmt.Fprintf(&b, "    DS %d alg %d digest %d: %s%s\n", d.KeyTag, d.Algorithm, d.DigestType, d.Result, m)
		}
		writeSigs(&b, "    ", l.DSSigs)
		if l.NoDS != nil {
			writeProof(&b, "    no DS: ", l.NoDS)
		}
		for _, k := range l.DNSKEY {
			t := ""
			if k.Trusted {
				t = ", trusted"
			}
			fmt.Fprintf(&b, "    DNSKEY %d alg %d flags %d%s\n", k.KeyTag, k.Algorithm, k.Flags, t)
		}
		writeSigs(&b, "    ", l.DNSKEYSigs)
	}
	if len(v.Steps) > 0 {
		b.WriteString("steps:\n")
	}
	for _, s := range v.Steps {
		fmt.Fprintf(&b, "  %s %s %s in %s: %s, %s\n", s.What, s.Owner, s.Type, s.Zone, s.Status, s.Reason)
		writeSigs(&b, "    ", s.Sigs)
		if s.Proof != nil {
			writeProof(&b, "    ", s.Proof)
		}
	}
	return b.String()
}

func writeSigs(b *strings.Builder, indent string, sigs []validator.SigCheck) {
	for _, s := range sigs {
		fmt.Fprintf(b, "%sRRSIG %s %s by %s key %d alg %d: %s\n", indent, s.Owner, s.Type, s.Signer, s.KeyTag, s.Algorithm, s.Result)
	}
}

func writeProof(b *strings.Builder, indent string, p *validator.Proof) {
	extra := ""
	if p.ClosestEncloser != "" {
		extra += " closest encloser " + p.ClosestEncloser
	}
	if p.OptOut {
		extra += " opt-out"
	}
	fmt.Fprintf(b, "%s%s proof%s\n", indent, p.Kind, extra)
	for _, r := range p.Records {
		fmt.Fprintf(b, "%s  %s\n", indent, r)
	}
}
