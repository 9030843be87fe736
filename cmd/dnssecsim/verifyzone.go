package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

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
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	br := bytes.NewReader(data) // an io.ByteReader: the parser reads it directly
	zp := dns.NewZoneParser(br, ".", path)
	st := audit.NewStream("", opt)
	fail := func(err error) (*audit.Report, error) {
		st.Abort()
		return nil, err
	}

	type early struct {
		name     string
		from, to int
	} // records before the SOA
	var (
		before     []early
		origin     string
		soaLine    int
		prevEnd    int
		firstStart = -1
		count      int
	)
	at := func(from, to int) filePos { return recordStart(data, from, to) }
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		end := int(br.Size()) - br.Len()
		from := prevEnd
		prevEnd = end
		if firstStart < 0 {
			firstStart = from
		}
		h := rr.Header()
		switch {
		case h.Rrtype == dns.TypeSOA && origin != "":
			return fail(posErr(path, at(from, end), "expected exactly one SOA record, found a second one (first at line %d)", soaLine))
		case h.Rrtype == dns.TypeSOA:
			origin = dns.Fqdn(h.Name)
			soaLine = at(from, end).line
			for _, e := range before {
				if !inZone(e.name, origin) {
					return fail(posErr(path, at(e.from, e.to), "expected a name at or below the origin %s, found %s", origin, e.name))
				}
			}
			before = nil
		case origin == "":
			before = append(before, early{h.Name, from, end})
		case !inZone(h.Name, origin):
			return fail(posErr(path, at(from, end), "expected a name at or below the origin %s, found %s", origin, h.Name))
		}
		st.Add(rr)
		if count++; count%4096 == 0 && ctx.Err() != nil {
			return fail(ctx.Err())
		}
	}
	if err := zp.Err(); err != nil {
		return fail(reformatParseError(err, path))
	}
	if origin == "" {
		p := filePos{1, 1}
		if firstStart >= 0 && len(before) > 0 {
			p = at(before[0].from, before[0].to)
		}
		return fail(posErr(path, p, "expected an SOA record, found none"))
	}
	data = nil
	return st.Finish(), nil
}

// inZone reports whether the fully qualified name is origin or below it
// (ASCII case-insensitively).
func inZone(name, origin string) bool {
	name = dns.Fqdn(name)
	if origin == "." {
		return true
	}
	if len(name) < len(origin) || !strings.EqualFold(name[len(name)-len(origin):], origin) {
		return false
	}
	if len(name) == len(origin) {
		return true
	}
	// The suffix must start a label: an unescaped dot before it.
	cut := len(name) - len(origin) - 1
	if name[cut] != '.' {
		return false
	}
	n := 0
	for i := cut - 1; i >= 0 && name[i] == '\\'; i-- {
		n++
	}
	return n%2 == 0
}

// filePos is a 1-based position in a file.
type filePos struct{ line, col int }

func posErr(file string, p filePos, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", file, p.line, p.col, fmt.Sprintf(format, args...))
}

// recordStart returns the position of the first record text in data[from:to]
// (after the previous record ended at from): the first non-blank character of
// a line that is not only a comment and not a $ directive. Without one (a
// record from $GENERATE) it is the last directive in the range.
func recordStart(data []byte, from, to int) filePos {
	line := 1 + bytes.Count(data[:from], []byte{'\n'})
	lineStart := bytes.LastIndexByte(data[:from], '\n') + 1
	var last *filePos
	for off := lineStart; off < to; {
		next := to
		if eol := bytes.IndexByte(data[off:to], '\n'); eol >= 0 {
			next = off + eol + 1
		}
		text := data[off:next]
		i := 0
		if off < from {
			i = from - off
		}
		for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
			i++
		}
		if i < len(text) && text[i] != '\n' && text[i] != ';' {
			p := filePos{line, i + 1}
			if text[i] != '$' || i != 0 {
				return p
			}
			last = &p
		}
		off = next
		line++
	}
	if last != nil {
		return *last
	}
	return filePos{line, 1}
}

// reformatParseError turns the zone parser's error, which reads
// `FILE: dns: MESSAGE: "TOKEN" at line: L:C`, into `FILE:L:C: MESSAGE: "TOKEN"`.
func reformatParseError(err error, file string) error {
	var pe *dns.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s:1:1: %v", file, err)
	}
	s := pe.Error()
	s = strings.TrimPrefix(s, file+": ")
	s = strings.TrimPrefix(s, "dns: ")
	const at = " at line: "
	i := strings.LastIndex(s, at)
	if i < 0 {
		return fmt.Errorf("%s:1:1: %s", file, s)
	}
	line, col, ok := strings.Cut(s[i+len(at):], ":")
	l, err1 := strconv.Atoi(line)
	c, err2 := strconv.Atoi(col)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("%s:1:1: %s", file, s)
	}
	return posErr(file, filePos{max(l, 1), max(c, 1)}, "%s", strings.TrimSuffix(s[:i], `: ""`))
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
