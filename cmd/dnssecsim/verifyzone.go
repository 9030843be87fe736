package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/zonefile"
	"github.com/dnssecsim/dnssecsim/validator"
	"github.com/dnssecsim/dnssecsim/validator/audit"
)

const verifyZoneUsage = `verify-zone [--anchor FILE] [--at TIME] [--expiry-warning DURATION] [--format text|json] ZONEFILE

Audits a signed zone the way an operator does before a transfer: every RRSIG
against the zone's DNSKEY RRset; the DNSKEY RRset against the trust anchor
(DS or DNSKEY records) if one is given; every authoritative RRset signed by
each algorithm of the DNSKEY RRset (RFC 4035 §2.2, RFC 6840 §5.11); the NSEC
or NSEC3 chain (one record per name and, for NSEC3, per empty non-terminal,
closed and ordered, type bitmaps, opt-out, NSEC3PARAM, TTLs); no signatures
or NSEC below zone cuts. Signatures that expire within --expiry-warning give
warnings. Prints a summary line, then every problem and warning
(owner, type, reason).

Exit status 0 when the zone verifies (warnings allowed), 3 when it does not,
1 when input cannot be read, 2 for bad usage.`

func runVerifyZone(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlags("verify-zone", verifyZoneUsage, stdout)
	anchorFile := fs.String("anchor", "", "trust anchor `FILE`: DS or DNSKEY records in presentation format")
	at := fs.String("at", "", "check signatures at `TIME`: RFC 3339 or YYYYMMDDHHMMSS (default: now)")
	expiry := fs.String("expiry-warning", "7d", "warn about signatures that expire within `DURATION`: a Go duration, or with d (days) or w (weeks) units: 36h, 7d, 2w; 0 disables")
	format := fs.String("format", "text", "output format: text or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("expected one ZONEFILE, got %d arguments", fs.NArg())
	}
	now := time.Now().UTC()
	if *at != "" {
		t, err := parseTime(*at)
		if err != nil {
			return usageErr("--at: %v", err)
		}
		now = t
	}
	window, err := parseWindow(*expiry)
	if err != nil {
		return usageErr("--expiry-warning: %v", err)
	}
	opt := audit.Options{Now: now, ExpiryWarning: window}
	if *anchorFile != "" {
		a, err := validator.ReadAnchorFile(*anchorFile)
		if err != nil {
			return inputErr(err)
		}
		opt.Anchor = a
	}
	rep, err := auditZoneFile(ctx, fs.Arg(0), opt)
	if err != nil {
		return inputErr(err)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		_, err = io.WriteString(stdout, formatReport(rep))
	}
	if err != nil {
		return err
	}
	if !rep.OK {
		return silentExit(exitVerify)
	}
	return nil
}

// parseWindow reads a duration: Go syntax (36h, 90m) extended with the
// units d (24h) and w (7d), which may be combined: 1w2d, 1.5d, 2d12h.
func parseWindow(s string) (time.Duration, error) {
	bad := fmt.Errorf("cannot parse duration %q: expected a Go duration or days/weeks such as 36h, 7d, 2w", s)
	if s == "" || strings.HasPrefix(s, "-") {
		return 0, bad
	}
	if s == "0" {
		return 0, nil
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] == '.' || isDigitByte(rest[i])) {
			i++
		}
		j := i
		for j < len(rest) && !(rest[j] == '.' || isDigitByte(rest[j])) {
			j++
		}
		if i == 0 || j == i {
			return 0, bad
		}
		num, unit := rest[:i], rest[i:j]
		var d time.Duration
		switch unit {
		case "d", "w":
			v, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, bad
			}
			day := 24 * float64(time.Hour)
			if unit == "w" {
				day *= 7
			}
			d = time.Duration(v * day)
		default:
			var err error
			if d, err = time.ParseDuration(num + unit); err != nil {
				return 0, bad
			}
		}
		total += d
		rest = rest[j:]
	}
	return total, nil
}

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }

// auditZoneFile parses a master file and streams its records into an audit,
// so that signatures are verified while the rest of the file is parsed. The
// input checks are those of zonefile.Parse: exactly one SOA, whose owner is
// the origin, and every name at or below it; errors read
// "FILE:LINE:COL: message".
func auditZoneFile(ctx context.Context, path string, opt audit.Options) (*audit.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st := audit.NewStream("", opt)
	count := 0
	_, err = zonefile.Stream(f, path, func(rr dns.RR) error {
		st.Add(rr)
		if count++; count%4096 == 0 {
			return ctx.Err()
		}
		return nil
	})
	if err != nil {
		st.Abort()
		return nil, err
	}
	return st.Finish(), nil
}

// formatReport renders the report: a summary line, then the problems and
// the warnings, one per line.
func formatReport(r *audit.Report) string {
	var b strings.Builder
	verdict := "zone verifies"
	if !r.OK {
		verdict = "zone does not verify"
	}
	algs := make([]string, len(r.Algorithms))
	for i, a := range r.Algorithms {
		algs[i] = strconv.Itoa(a)
	}
	algText := "none"
	if len(algs) > 0 {
		algText = strings.Join(algs, ",")
	}
	fmt.Fprintf(&b, "%s: %s: %d records, %d RRsets, %d signatures, %d verified, denial %s, algorithms %s; %s, %s\n",
		r.Zone, verdict, r.Records, r.RRsets, r.Signatures, r.Verified, r.Denial, algText,
		plural(len(r.Problems), "problem"), plural(len(r.Warnings), "warning"))
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "problem: %s %s: %s\n", p.Owner, p.Type, p.Reason)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s %s: %s\n", w.Owner, w.Type, w.Reason)
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
