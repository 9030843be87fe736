package scenarios

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/duration"
)

// Defaults of fields a file may leave out.
const (
	defaultSeed        = 1
	defaultParentNSTTL = 2 * duration.Day
	defaultParentDSTTL = duration.Day
	defaultNegTTL      = time.Hour
	defaultDenial      = "nsec"
	defaultAlgorithm   = 13
	defaultOpNSTTL     = duration.Day
	defaultDNSKEYTTL   = time.Hour
	defaultDataTTL     = time.Hour
	defaultCount       = 1000
	defaultCacheAge    = "even"
	defaultQuery       = "continuous"
	defaultHastyAction = "delete-dnskeys"
)

// defaultProfiles is the resolver population a file gets when it names none.
func defaultProfiles() []ProfileWeight {
	return []ProfileWeight{{"bind", 1}, {"unbound", 1}}
}

// decoder walks the YAML syntax tree of one scenario file. Its methods stop
// at the first error by panicking with a decodeError, which decode recovers.
type decoder struct {
	file    string
	s       *Scenario
	given   map[string]bool
	anchors map[string]ast.Node
	// nullKey maps an empty value to its key, where errors about it point.
	nullKey map[ast.Node]pos
	// servers counts the servers of every cache read so far.
	servers int
}

type decodeError struct{ err *Error }

// decode reads data into a Scenario with every default filled, without the
// checks that need the whole scenario (those are check and schedule).
func decode(data []byte, file string) (s *Scenario, err error) {
	f, err := parseYAML(data, file)
	if err != nil {
		return nil, err
	}
	if len(f.Docs) == 0 || f.Docs[0] == nil || f.Docs[0].Body == nil {
		return nil, &Error{File: file, Line: 1, Col: 1, Msg: "expected a mapping of scenario fields (name, child, parent, losing, gaining, procedure, ...), found an empty document"}
	}
	if len(f.Docs) > 1 {
		p := posOf(f.Docs[1])
		return nil, &Error{File: file, Line: p.line, Col: p.col, Msg: "expected one YAML document, found a second"}
	}
	d := &decoder{
		file:    file,
		given:   map[string]bool{},
		anchors: map[string]ast.Node{},
		nullKey: map[ast.Node]pos{},
		s: &Scenario{
			File: file,
			pos:  map[string]pos{},
		},
	}
	defer func() {
		if r := recover(); r != nil {
			de, ok := r.(decodeError)
			if !ok {
				panic(r)
			}
			s, err = nil, de.err
		}
	}()
	body := f.Docs[0].Body
	d.collectAnchors(body, 0)
	d.scenario(body)
	return d.s, nil
}

// parseYAML parses data into a syntax tree and turns the parser's errors
// into *Error values.
func parseYAML(data []byte, file string) (f *ast.File, err error) {
	defer func() {
		// The YAML parser is not ours; a panic in it on odd input must not
		// take the program down.
		if r := recover(); r != nil {
			f, err = nil, &Error{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("expected YAML the parser can read; it failed: %v", r)}
		}
	}()
	f, err = parser.ParseBytes(data, 0)
	if err == nil {
		return f, nil
	}
	var ye yaml.Error
	if errors.As(err, &ye) {
		p := pos{1, 1}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p = tokPos(tk)
		}
		return nil, &Error{File: file, Line: p.line, Col: p.col, Msg: "expected valid YAML: " + ye.GetMessage()}
	}
	return nil, &Error{File: file, Line: 1, Col: 1, Msg: "expected valid YAML: " + err.Error()}
}

func tokPos(tk *token.Token) pos {
	if tk == nil || tk.Position == nil || tk.Position.Line < 1 {
		return pos{1, 1}
	}
	return pos{tk.Position.Line, max(tk.Position.Column, 1)}
}

// posOf is where a node is written: a block mapping at its first key, a key
// and value pair at its key, anything else at its first token.
func posOf(n ast.Node) pos {
	switch n := n.(type) {
	case nil:
		return pos{1, 1}
	case *ast.DocumentNode:
		if n.Body != nil {
			return posOf(n.Body)
		}
		return tokPos(n.Start)
	case *ast.MappingNode:
		if !n.IsFlowStyle && len(n.Values) > 0 {
			return posOf(n.Values[0])
		}
		return tokPos(n.Start)
	case *ast.MappingValueNode:
		if n.Key != nil {
			return posOf(n.Key)
		}
		return tokPos(n.Start)
	case *ast.SequenceNode:
		return tokPos(n.Start)
	case *ast.LiteralNode:
		return tokPos(n.Start)
	case *ast.AnchorNode:
		return tokPos(n.Start)
	case *ast.AliasNode:
		return tokPos(n.Start)
	case *ast.TagNode:
		return tokPos(n.Start)
	}
	return tokPos(n.GetToken())
}

// failf stops decoding with an error at n.
func (d *decoder) failf(n ast.Node, format string, args ...any) {
	if p, ok := d.nullKey[n]; ok {
		d.failAt(p, format, args...)
	}
	d.failAt(posOf(n), format, args...)
}

func (d *decoder) failAt(p pos, format string, args ...any) {
	panic(decodeError{&Error{File: d.file, Line: p.line, Col: p.col, Msg: fmt.Sprintf(format, args...)}})
}

// collectAnchors records every anchor so that aliases can be resolved.
func (d *decoder) collectAnchors(n ast.Node, depth int) {
	if depth > 100 {
		d.failf(n, "expected YAML nested at most 100 deep")
	}
	switch n := n.(type) {
	case *ast.AnchorNode:
		if n.Name != nil && n.Name.GetToken() != nil {
			d.anchors[n.Name.GetToken().Value] = n.Value
		}
		d.collectAnchors(n.Value, depth+1)
	case *ast.MappingNode:
		for _, v := range n.Values {
			d.collectAnchors(v, depth+1)
		}
	case *ast.MappingValueNode:
		d.collectAnchors(n.Key, depth+1)
		d.collectAnchors(n.Value, depth+1)
	case *ast.SequenceNode:
		for _, v := range n.Values {
			d.collectAnchors(v, depth+1)
		}
	case *ast.TagNode:
		d.collectAnchors(n.Value, depth+1)
	}
}

// resolve follows anchors and aliases to the node they stand for.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for range 100 {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			name := ""
			if v.Value != nil && v.Value.GetToken() != nil {
				name = v.Value.GetToken().Value
			}
			target, ok := d.anchors[name]
			if !ok {
				d.failf(v, "expected an alias to name an anchor, found *%s with no &%s before it", name, name)
			}
			n = target
		case *ast.TagNode:
			d.failf(v, "expected a plain value; tags such as %s are not supported", v.Start.Value)
		default:
			return n
		}
	}
	d.failf(n, "expected aliases that lead to a value, found a loop of aliases")
	return nil
}

// kind names a node's kind for "found ..." messages.
func kind(n ast.Node) string {
	switch n := n.(type) {
	case nil, *ast.NullNode:
		return "nothing (null)"
	case *ast.StringNode:
		return fmt.Sprintf("the string %q", n.Value)
	case *ast.LiteralNode:
		return "a block string"
	case *ast.IntegerNode:
		return "the integer " + n.Token.Value
	case *ast.FloatNode:
		return "the number " + n.Token.Value
	case *ast.BoolNode:
		return "the boolean " + n.Token.Value
	case *ast.InfinityNode, *ast.NanNode:
		return "the number " + n.GetToken().Value
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	}
	return "a " + n.Type().String()
}

// field handles one field's value; path is the field's dotted path.
type field func(v ast.Node, path string)

// pairsOf returns the key/value pairs of a resolved mapping node (none for
// an empty value), failing with "expected, found KIND" for anything else.
func (d *decoder) pairsOf(n ast.Node, expected string) []*ast.MappingValueNode {
	switch m := n.(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.MappingNode:
		return m.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}
	}
	d.failf(n, "%s, found %s", expected, kind(n))
	return nil
}

// mapping walks a mapping node, calling the handler of each key, recording
// each value's position, and failing on a key with no handler.
func (d *decoder) mapping(n ast.Node, path string, fields map[string]field) {
	n = d.resolve(n)
	d.s.pos[path] = posOf(n)
	pairs := d.pairsOf(n, label(path)+": expected a mapping")
	for _, kv := range pairs {
		key := d.key(kv)
		h, ok := fields[key]
		if !ok {
			d.failf(kv.Key, "%s: expected one of the fields %s, found the unknown field %q", label(path), strings.Join(sortedKeys(fields), ", "), key)
		}
		p := join(path, key)
		d.given[p] = true
		switch kv.Value.(type) {
		case nil, *ast.NullNode:
			// An empty value has no text to point at; point at its key.
			d.s.pos[p] = posOf(kv.Key)
			if kv.Value != nil {
				d.nullKey[kv.Value] = d.s.pos[p]
			}
		default:
			d.s.pos[p] = posOf(kv.Value)
		}
		h(kv.Value, p)
	}
}

// key returns a mapping key's text; keys must be plain strings.
func (d *decoder) key(kv *ast.MappingValueNode) string {
	switch k := kv.Key.(type) {
	case *ast.StringNode:
		return k.Value
	case *ast.MergeKeyNode:
		d.failf(k, "expected a field name, found a merge key (<<), which is not supported")
	case *ast.MappingKeyNode:
		d.failf(k, "expected a field name, found a complex key (?)")
	case nil:
		d.failf(kv, "expected a field name, found none")
	}
	// Other scalars (numbers, booleans, null) as keys: report their text.
	return kv.Key.GetToken().Value
}

// label is how messages name a path: the root is "scenario".
func label(path string) string {
	if path == "" {
		return "scenario"
	}
	return path
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// list walks a sequence node, calling each for every element with its path
// "PATH[i]".
func (d *decoder) list(n ast.Node, path string, each func(v ast.Node, path string)) {
	n = d.resolve(n)
	switch l := n.(type) {
	case nil, *ast.NullNode:
		return
	case *ast.SequenceNode:
		for i, v := range l.Values {
			p := fmt.Sprintf("%s[%d]", path, i)
			d.s.pos[p] = posOf(v)
			each(v, p)
		}
	default:
		d.failf(n, "%s: expected a list, found %s", path, kind(n))
	}
}

// str reads a string scalar.
func (d *decoder) str(n ast.Node, path, what string) string {
	n = d.resolve(n)
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	d.failf(n, "%s: expected %s, found %s", path, what, kind(n))
	return ""
}

// text reads free text: a string, a block string, or any other scalar's
// text as written. Null is the empty string.
func (d *decoder) text(n ast.Node, path string) string {
	n = d.resolve(n)
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return ""
	case *ast.StringNode:
		return v.Value
	case *ast.LiteralNode:
		if v.Value != nil {
			return strings.TrimRight(v.Value.Value, "\n")
		}
		return ""
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value
	}
	d.failf(n, "%s: expected text, found %s", path, kind(n))
	return ""
}

// integer reads an integer scalar.
func (d *decoder) integer(n ast.Node, path, what string) int64 {
	n = d.resolve(n)
	if v, ok := n.(*ast.IntegerNode); ok {
		switch x := v.Value.(type) {
		case int64:
			return x
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x)
			}
		}
		d.failf(n, "%s: expected %s, found %s, which is too large", path, what, kind(n))
	}
	d.failf(n, "%s: expected %s, found %s", path, what, kind(n))
	return 0
}

// boolean reads true or false.
func (d *decoder) boolean(n ast.Node, path string) bool {
	n = d.resolve(n)
	if v, ok := n.(*ast.BoolNode); ok {
		return v.Value
	}
	d.failf(n, "%s: expected true or false, found %s", path, kind(n))
	return false
}

// number reads an integer or a decimal number.
func (d *decoder) number(n ast.Node, path, what string) float64 {
	n = d.resolve(n)
	switch v := n.(type) {
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return float64(x)
		case uint64:
			return float64(x)
		}
	case *ast.FloatNode:
		return v.Value
	}
	d.failf(n, "%s: expected %s, found %s", path, what, kind(n))
	return 0
}

// dur reads a duration: a duration string or an integer number of seconds.
func (d *decoder) dur(n ast.Node, path string) time.Duration {
	n = d.resolve(n)
	const want = `a duration such as "90s", "1h30m", "2d" or 3600 (seconds)`
	switch v := n.(type) {
	case *ast.IntegerNode:
		secs := d.integer(v, path, want)
		if secs > math.MaxInt64/int64(time.Second) || secs < math.MinInt64/int64(time.Second) {
			d.failf(n, "%s: expected %s, found %s, which is too large", path, want, kind(n))
		}
		return time.Duration(secs) * time.Second
	case *ast.StringNode:
		t, err := duration.Parse(v.Value)
		if err != nil {
			d.failf(n, "%s: %v", path, err)
		}
		return t
	}
	d.failf(n, "%s: expected %s, found %s", path, want, kind(n))
	return 0
}

// algorithm reads a DNSSEC algorithm number; check decides whether it is
// supported.
func (d *decoder) algorithm(n ast.Node, path string) uint8 {
	const want = "a DNSSEC algorithm number such as 13"
	v := d.integer(n, path, want)
	if v < 0 || v > 255 {
		d.failf(n, "%s: expected %s (0 to 255), found %d", path, want, v)
	}
	return uint8(v)
}

// scenario decodes the top-level mapping.
func (d *decoder) scenario(n ast.Node) {
	s := d.s
	s.Seed = defaultSeed
	s.Parent = Parent{NSTTL: defaultParentNSTTL, DSTTL: defaultParentDSTTL, NegativeTTL: defaultNegTTL, Denial: defaultDenial, Algorithm: defaultAlgorithm}
	s.Losing = defaultOperator(ActorLosing)
	s.Gaining = defaultOperator(ActorGaining)
	s.Resolvers = Resolvers{Count: defaultCount, Profiles: defaultProfiles(), CacheAge: defaultCacheAge, Query: defaultQuery}
	s.Probe.Type = dns.TypeA

	d.mapping(n, "", map[string]field{
		"name":        func(v ast.Node, p string) { s.Name = d.text(v, p) },
		"description": func(v ast.Node, p string) { s.Description = d.text(v, p) },
		"seed":        func(v ast.Node, p string) { s.Seed = d.integer(v, p, "an integer seed") },
		"child":       func(v ast.Node, p string) { s.Child = d.str(v, p, "a domain name such as example.test.") },
		"parent":      func(v ast.Node, p string) { d.parent(v, p) },
		"losing":      func(v ast.Node, p string) { d.operator(v, p, &s.Losing) },
		"gaining":     func(v ast.Node, p string) { d.operator(v, p, &s.Gaining) },
		"resolvers":   func(v ast.Node, p string) { d.resolvers(v, p) },
		"transfer_step": func(v ast.Node, p string) {
			s.TransferStep = d.str(v, p, "the name of a step")
		},
		"procedure": func(v ast.Node, p string) { d.list(v, p, d.step) },
		"probe":     func(v ast.Node, p string) { d.probe(v, p) },
		"horizon":   func(v ast.Node, p string) { s.Horizon = d.dur(v, p) },
		"expect":    func(v ast.Node, p string) { d.expect(v, p) },
	})

	// Required fields.
	root := posOf(n)
	for _, f := range []string{"child", "losing", "gaining", "procedure"} {
		if !d.given[f] {
			d.failAt(root, "scenario: expected the field %s, found none", f)
		}
	}
	for _, op := range []string{"losing", "gaining"} {
		if !d.given[op+".signed"] {
			d.failAt(d.s.pos[op], "%s: expected the field signed (true or false), found none", op)
		}
	}
	if len(s.Procedure) == 0 {
		d.failAt(d.s.pos["procedure"], "procedure: expected at least one step, found none")
	}

	// Defaults that depend on other fields.
	if !d.given["name"] {
		s.Name = defaultName(d.file)
	}
	s.Child = canonicalName(s.Child)
	if !d.given["parent.zone"] {
		s.Parent.Zone = parentName(s.Child)
	}
	s.Parent.Zone = canonicalName(s.Parent.Zone)
	if !d.given["probe.name"] {
		s.Probe.Name = "www." + s.Child
	}
	s.Probe.Name = canonicalName(s.Probe.Name)
	if !d.given["transfer_step"] {
		s.TransferStep = s.Procedure[0].Name
	}
	for _, op := range []*Operator{&s.Losing, &s.Gaining} {
		if op.Behaviour == "hasty" && !d.given[op.Name+".hasty_action"] {
			op.HastyAction = defaultHastyAction
		}
	}
	if d.given["resolvers.ages"] && !d.given["resolvers.count"] {
		s.Resolvers.Count = len(s.Resolvers.Ages)
	}
	if d.given["resolvers.caches"] {
		// The caches are the population. Fields the file gives as well
		// keep their values, for check to report.
		r := &s.Resolvers
		if !d.given["resolvers.count"] {
			r.Count = len(r.Caches)
		}
		if !d.given["resolvers.profiles"] {
			r.Profiles = profilesOf(r.Caches)
		}
		if !d.given["resolvers.cache_age"] {
			r.CacheAge = cacheAgeGiven
		}
	}
	s.autoHorizon = !d.given["horizon"]
}

func defaultOperator(name string) Operator {
	op := Operator{
		Name:        name,
		Algorithm:   defaultAlgorithm,
		NSTTL:       defaultOpNSTTL,
		DNSKEYTTL:   defaultDNSKEYTTL,
		DataTTL:     defaultDataTTL,
		Nameservers: []string{"ns1." + name + ".example.", "ns2." + name + ".example."},
		Behaviour:   "cooperative",
	}
	if name == ActorLosing {
		op.Behaviour = "passive"
	}
	return op
}

// canonicalName makes a name absolute and lower-case; an empty name stays
// empty so that check can report it.
func canonicalName(name string) string {
	if name == "" {
		return ""
	}
	return dns.CanonicalName(name)
}

// parentName strips the first label of an absolute name.
func parentName(name string) string {
	if name == "" || name == "." {
		return ""
	}
	labels := dns.SplitDomainName(name)
	if len(labels) <= 1 {
		return "."
	}
	return dns.Fqdn(strings.Join(labels[1:], "."))
}

func (d *decoder) parent(n ast.Node, path string) {
	p := &d.s.Parent
	d.mapping(n, path, map[string]field{
		"zone":             func(v ast.Node, f string) { p.Zone = d.str(v, f, "a zone name such as test.") },
		"ns_ttl":           func(v ast.Node, f string) { p.NSTTL = d.dur(v, f) },
		"ds_ttl":           func(v ast.Node, f string) { p.DSTTL = d.dur(v, f) },
		"negative_ttl":     func(v ast.Node, f string) { p.NegativeTTL = d.dur(v, f) },
		"processing_delay": func(v ast.Node, f string) { p.ProcessingDelay = d.dur(v, f) },
		"denial":           func(v ast.Node, f string) { p.Denial = d.str(v, f, "nsec or nsec3") },
		"algorithm":        func(v ast.Node, f string) { p.Algorithm = d.algorithm(v, f) },
	})
}

func (d *decoder) operator(n ast.Node, path string, op *Operator) {
	d.mapping(n, path, map[string]field{
		"signed":     func(v ast.Node, f string) { op.Signed = d.boolean(v, f) },
		"algorithm":  func(v ast.Node, f string) { op.Algorithm = d.algorithm(v, f) },
		"ns_ttl":     func(v ast.Node, f string) { op.NSTTL = d.dur(v, f) },
		"dnskey_ttl": func(v ast.Node, f string) { op.DNSKEYTTL = d.dur(v, f) },
		"data_ttl":   func(v ast.Node, f string) { op.DataTTL = d.dur(v, f) },
		"nameservers": func(v ast.Node, f string) {
			op.Nameservers = nil
			d.list(v, f, func(e ast.Node, ef string) {
				op.Nameservers = append(op.Nameservers, canonicalName(d.str(e, ef, "a name server name such as ns1.example.")))
			})
		},
		"behaviour":    func(v ast.Node, f string) { op.Behaviour = d.str(v, f, "cooperative, passive or hasty") },
		"delete_after": func(v ast.Node, f string) { op.DeleteAfter = d.dur(v, f) },
		"hasty_action": func(v ast.Node, f string) { op.HastyAction = d.str(v, f, "delete-dnskeys or delete-zone") },
		"hasty_delay":  func(v ast.Node, f string) { op.HastyDelay = d.dur(v, f) },
	})
}

func (d *decoder) resolvers(n ast.Node, path string) {
	r := &d.s.Resolvers
	d.mapping(n, path, map[string]field{
		"count": func(v ast.Node, f string) {
			c := d.integer(v, f, "a number of caches")
			if c < math.MinInt32 || c > math.MaxInt32 {
				d.failf(v, "%s: expected a number of caches from 1 to %d, found %d", f, maxCount, c)
			}
			r.Count = int(c)
		},
		"profiles": func(v ast.Node, f string) { r.Profiles = d.profiles(v, f) },
		"cache_age": func(v ast.Node, f string) {
			r.CacheAge = d.str(v, f, "even, random or explicit")
		},
		"ages": func(v ast.Node, f string) {
			r.Ages = nil
			d.list(v, f, func(e ast.Node, ef string) { r.Ages = append(r.Ages, d.dur(e, ef)) })
		},
		"query":          func(v ast.Node, f string) { r.Query = d.str(v, f, "continuous or rate") },
		"query_interval": func(v ast.Node, f string) { r.QueryInterval = d.dur(v, f) },
		"caches": func(v ast.Node, f string) {
			r.Caches = nil
			d.list(v, f, func(e ast.Node, ef string) {
				if len(r.Caches) == maxCount {
					d.failf(e, "%s: expected at most %d caches, found more", f, maxCount)
				}
				r.Caches = append(r.Caches, d.cache(e, ef))
			})
		},
	})
}

// cache reads one cache of resolvers.caches; check validates its values.
func (d *decoder) cache(n ast.Node, path string) CacheSpec {
	var c CacheSpec
	fields := map[string]field{
		"profile": func(v ast.Node, f string) { c.Profile = d.str(v, f, "a resolver profile name such as unbound") },
		"servers": func(v ast.Node, f string) {
			d.list(v, f, func(e ast.Node, ef string) {
				if len(c.Servers) == maxServers {
					d.failf(e, "%s: expected at most %d servers, found more", f, maxServers)
				}
				if d.servers == maxAllServers {
					d.failf(e, "%s: expected at most %d servers in all the caches together, found more", f, maxAllServers)
				}
				d.servers++
				c.Servers = append(c.Servers, d.str(e, ef, "losing or gaining"))
			})
		},
		"query_phase": func(v ast.Node, f string) { c.QueryPhase = d.dur(v, f) },
	}
	for i, name := range EntryNames {
		fields[name] = func(v ast.Node, f string) { c.Fetched[i] = d.fetchTime(v, f) }
	}
	d.mapping(n, path, fields)
	if !d.given[path+".profile"] {
		d.failAt(d.s.pos[path], "%s: expected the field profile (a resolver profile name such as unbound), found none", path)
	}
	return c
}

// fetchTime reads when a cache entry was fetched: a duration, which check
// requires to be 0s or negative.
func (d *decoder) fetchTime(n ast.Node, path string) time.Duration {
	n = d.resolve(n)
	if v, ok := n.(*ast.StringNode); ok {
		t, err := duration.Parse(v.Value)
		if err != nil {
			reason := err.Error()
			var se *duration.SyntaxError
			if errors.As(err, &se) {
				reason = se.Reason
			}
			d.failf(n, "%s: expected %s, found %q (%s)", path, fetchForm, v.Value, reason)
		}
		return t
	}
	if _, ok := n.(*ast.IntegerNode); !ok {
		d.failf(n, "%s: expected %s, found %s", path, fetchForm, kind(n))
	}
	return d.dur(n, path)
}

// profiles reads a mapping of profile name to weight, sorted by name.
func (d *decoder) profiles(n ast.Node, path string) []ProfileWeight {
	pairs := d.pairsOf(d.resolve(n), path+": expected a mapping of profile name to weight such as {unbound: 1, bind: 1}")
	var ps []ProfileWeight
	for _, kv := range pairs {
		name := d.key(kv)
		p := path + "." + name
		d.s.pos[p] = posOf(kv.Key)
		w := d.number(kv.Value, p, "a weight (a positive number)")
		ps = append(ps, ProfileWeight{Name: name, Weight: w})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	return ps
}

// step reads one step of the procedure.
func (d *decoder) step(n ast.Node, path string) {
	st := Step{}
	d.mapping(n, path, map[string]field{
		"name":  func(v ast.Node, f string) { st.Name = d.text(v, f) },
		"note":  func(v ast.Node, f string) { st.Note = d.text(v, f) },
		"at":    func(v ast.Node, f string) { st.At = d.dur(v, f) },
		"after": func(v ast.Node, f string) { st.After = d.str(v, f, "the name of a step") },
		"wait":  func(v ast.Node, f string) { st.Wait = d.wait(v, f) },
		"actions": func(v ast.Node, f string) {
			d.list(v, f, func(e ast.Node, ef string) { st.Actions = append(st.Actions, d.action(e, ef)) })
		},
	})
	at, after := d.given[path+".at"], d.given[path+".after"]
	switch {
	case at && after:
		d.failAt(d.s.pos[path+".after"], "%s: expected exactly one of at: and after:, found both", path)
	case !at && !after:
		d.failAt(d.s.pos[path], "%s: expected exactly one of at: (a time from the epoch) and after: (the name of a step), found neither", path)
	}
	if st.After != "" && st.Wait == nil {
		st.Wait = &Expr{src: "0s", root: litNode{0}}
	}
	d.s.Procedure = append(d.s.Procedure, st)
}

// wait reads a wait expression; a syntax error points at the offending
// token when the value is written on one line.
func (d *decoder) wait(n ast.Node, path string) *Expr {
	n = d.resolve(n)
	var src string
	var tk *token.Token
	switch v := n.(type) {
	case *ast.StringNode:
		src, tk = v.Value, v.Token
	case *ast.IntegerNode:
		src, tk = v.Token.Value, v.Token
	default:
		d.failf(n, "%s: expected a wait such as \"parent.ds_ttl + 1h\", found %s", path, kind(n))
	}
	e, err := ParseExpr(src)
	if err == nil {
		return e
	}
	var ee *ExprError
	if !errors.As(err, &ee) {
		d.failf(n, "%s: %v", path, err)
	}
	p := posOf(n)
	if !strings.ContainsAny(src, "\n\r") {
		switch tk.Type {
		case token.StringType, token.IntegerType:
			p.col += ee.Offset
		case token.SingleQuoteType, token.DoubleQuoteType:
			// Escapes make the value shorter than its source; then the
			// error points at the opening quote.
			if !strings.ContainsRune(tk.Origin, '\\') && !strings.ContainsAny(src, `'"`) {
				p.col += 1 + ee.Offset
			}
		}
	}
	d.failAt(p, "%s: %s", path, ee.Msg)
	return nil
}

// action reads one action; check validates the names.
func (d *decoder) action(n ast.Node, path string) Action {
	var a Action
	d.mapping(n, path, map[string]field{
		"actor":    func(v ast.Node, f string) { a.Actor = d.str(v, f, "registry, losing or gaining") },
		"action":   func(v ast.Node, f string) { a.Action = d.str(v, f, "an action name such as remove-ds") },
		"operator": func(v ast.Node, f string) { a.Operator = d.str(v, f, "losing or gaining") },
	})
	if !d.given[path+".actor"] {
		d.failAt(d.s.pos[path], "%s: expected the field actor (registry, losing or gaining), found none", path)
	}
	if !d.given[path+".action"] {
		d.failAt(d.s.pos[path], "%s: expected the field action, found none", path)
	}
	return a
}

func (d *decoder) probe(n ast.Node, path string) {
	p := &d.s.Probe
	d.mapping(n, path, map[string]field{
		"name": func(v ast.Node, f string) { p.Name = d.str(v, f, "a domain name at or below the child") },
		"type": func(v ast.Node, f string) {
			t, err := parseType(d.str(v, f, "a query type such as A"))
			if err != nil {
				d.failf(v, "%s: %v", f, err)
			}
			p.Type = t
		},
	})
}

// parseType reads a query type mnemonic ("A", "AAAA") or TYPEnnn.
func parseType(s string) (uint16, error) {
	u := strings.ToUpper(s)
	if t, ok := dns.StringToType[u]; ok && t != dns.TypeNone {
		return t, nil
	}
	if n, ok := strings.CutPrefix(u, "TYPE"); ok {
		if v, err := strconv.ParseUint(n, 10, 16); err == nil && v > 0 {
			return uint16(v), nil
		}
	}
	return 0, fmt.Errorf("expected a query type such as A, AAAA, TXT or TYPE65, found %q", s)
}

// expect reads the expectations, in file order.
func (d *decoder) expect(n ast.Node, path string) {
	pairs := d.pairsOf(d.resolve(n), path+": expected a mapping of metric to value such as {Bogus.cache_seconds: 0}")
	for _, kv := range pairs {
		key := d.key(kv)
		kp := posOf(kv.Key)
		profile, metric, verdict, ok := metricKey(key)
		switch {
		case !ok && (key == "worst" || strings.HasPrefix(key, worstPrefix)):
			d.failAt(kp, "%s: expected a worst case worst.STATE or worst.STATE.max_seconds, or worst.PROFILE.STATE or worst.PROFILE.STATE.max_seconds for one profile, with STATE %s, found %q", path, orList(worstStates), key)
		case !ok:
			d.failAt(kp, "%s: expected a metric STATE.NAME with STATE one of %s and NAME one of %s, or a worst case worst.STATE or worst.STATE.max_seconds (worst.PROFILE.STATE... for one profile) with STATE %s, found %q", path, strings.Join(states, ", "), strings.Join(metrics, ", "), orList(worstStates), key)
		}
		p := path + "." + key
		d.s.pos[p] = kp
		e := Expectation{Metric: metric, Profile: profile, Line: kp.line, Col: kp.col}
		v := d.resolve(kv.Value)
		if verdict {
			x, ok := v.(*ast.StringNode)
			if !ok || !isVerdict(x.Value) {
				d.failf(v, "%s: expected %s or %s (a bound on the longest stretch is written %s.max_seconds: \"<= 1m\"), found %s", p, verdictNever, verdictPossible, key, kind(v))
			}
			e.Text = x.Value
			e.Op, e.Value = "==", 0
			if strings.TrimSpace(x.Value) == verdictPossible {
				e.Op = ">"
			}
			d.s.Expect = append(d.s.Expect, e)
			continue
		}
		switch x := v.(type) {
		case *ast.IntegerNode, *ast.FloatNode:
			e.Text = x.GetToken().Value
			e.Op = "=="
			var err error
			if _, e.Value, err = parseExpectValue(key, e.Text); err != nil {
				d.failf(v, "%s: %v", path, err)
			}
		case *ast.StringNode:
			e.Text = x.Value
			var err error
			if e.Op, e.Value, err = parseExpectValue(key, x.Value); err != nil {
				d.failf(v, "%s: %v", path, err)
			}
		default:
			d.failf(v, "%s: expected a number or a string such as \"<= 3d\", found %s", p, kind(v))
		}
		d.s.Expect = append(d.s.Expect, e)
	}
}
