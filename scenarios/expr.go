package scenarios

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dnssecsim/dnssecsim/internal/duration"
)

// Expr is a wait: a duration written in terms of the scenario's TTLs, kept as
// an expression so that changing a TTL moves the schedule.
//
// The syntax is a sum of terms joined by '+'. A term is a duration literal
// ("1h", "90s", "2d", "3600"), a TTL path (see ExprPaths), "N * term" with a
// non-negative integer N, "max(expr, expr, ...)", "min(expr, expr, ...)" or
// an expression in parentheses. Spaces between tokens are free.
type Expr struct {
	src  string
	root exprNode
}

// exprPaths are the TTL paths an expression may name, with their values.
var exprPaths = map[string]func(*Scenario) time.Duration{
	"parent.ns_ttl":       func(s *Scenario) time.Duration { return s.Parent.NSTTL },
	"parent.ds_ttl":       func(s *Scenario) time.Duration { return s.Parent.DSTTL },
	"parent.negative_ttl": func(s *Scenario) time.Duration { return s.Parent.NegativeTTL },
	"losing.ns_ttl":       func(s *Scenario) time.Duration { return s.Losing.NSTTL },
	"losing.dnskey_ttl":   func(s *Scenario) time.Duration { return s.Losing.DNSKEYTTL },
	"losing.data_ttl":     func(s *Scenario) time.Duration { return s.Losing.DataTTL },
	"gaining.ns_ttl":      func(s *Scenario) time.Duration { return s.Gaining.NSTTL },
	"gaining.dnskey_ttl":  func(s *Scenario) time.Duration { return s.Gaining.DNSKEYTTL },
	"gaining.data_ttl":    func(s *Scenario) time.Duration { return s.Gaining.DataTTL },
}

// ExprPaths returns the TTL paths a wait expression may name, sorted.
func ExprPaths() []string {
	var ps []string
	for p := range exprPaths {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// maxExprDepth bounds the nesting of parentheses and functions.
const maxExprDepth = 50

// ExprError is a syntax error in a wait expression, at a byte offset in it.
type ExprError struct {
	Offset int
	Msg    string
}

func (e *ExprError) Error() string {
	return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg)
}

// ParseExpr reads a wait expression. Errors are *ExprError values.
func ParseExpr(src string) (*Expr, error) {
	p := &exprParser{src: src}
	if err := p.lex(); err != nil {
		return nil, err
	}
	root, err := p.sum(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errorf(t, "expected '+' or the end of the expression, found %s", t)
	}
	return &Expr{src: src, root: root}, nil
}

// Eval computes the expression's value with the TTLs of s. Sums and products
// too large for a time.Duration give math.MaxInt64.
func (e *Expr) Eval(s *Scenario) time.Duration {
	if e == nil || e.root == nil {
		return 0
	}
	return e.root.eval(s)
}

// String writes the expression in a canonical form that ParseExpr reads back
// ("max(parent.ns_ttl, losing.ns_ttl) + 1h"); a nil Expr is "0s".
func (e *Expr) String() string {
	if e == nil || e.root == nil {
		return "0s"
	}
	var b strings.Builder
	e.root.write(&b)
	return b.String()
}

// Source returns the expression as it was written.
func (e *Expr) Source() string {
	if e == nil {
		return ""
	}
	return e.src
}

// Paths returns the TTL paths the expression names, sorted, each once.
func (e *Expr) Paths() []string {
	if e == nil || e.root == nil {
		return nil
	}
	seen := map[string]bool{}
	e.root.paths(seen)
	var ps []string
	for p := range seen {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// exprNode is a node of a parsed expression.
type exprNode interface {
	eval(*Scenario) time.Duration
	write(*strings.Builder)
	paths(map[string]bool)
}

type (
	litNode  struct{ d time.Duration }
	pathNode struct{ path string }
	mulNode  struct {
		n int64
		x exprNode
	}
	sumNode  struct{ terms []exprNode }
	callNode struct {
		fn   string // "max" or "min"
		args []exprNode
	}
)

func (n litNode) eval(*Scenario) time.Duration { return n.d }
func (n pathNode) eval(s *Scenario) time.Duration {
	if s == nil {
		return 0
	}
	return exprPaths[n.path](s)
}
func (n mulNode) eval(s *Scenario) time.Duration { return satMul(n.n, n.x.eval(s)) }
func (n sumNode) eval(s *Scenario) time.Duration {
	var total time.Duration
	for _, t := range n.terms {
		total = satAdd(total, t.eval(s))
	}
	return total
}
func (n callNode) eval(s *Scenario) time.Duration {
	v := n.args[0].eval(s)
	for _, a := range n.args[1:] {
		w := a.eval(s)
		if (n.fn == "max" && w > v) || (n.fn == "min" && w < v) {
			v = w
		}
	}
	return v
}

func (n litNode) write(b *strings.Builder)  { b.WriteString(duration.Format(n.d)) }
func (n pathNode) write(b *strings.Builder) { b.WriteString(n.path) }
func (n mulNode) write(b *strings.Builder) {
	b.WriteString(strconv.FormatInt(n.n, 10))
	b.WriteString(" * ")
	if _, ok := n.x.(sumNode); ok {
		b.WriteByte('(')
		n.x.write(b)
		b.WriteByte(')')
		return
	}
	n.x.write(b)
}
func (n sumNode) write(b *strings.Builder) {
	for i, t := range n.terms {
		if i > 0 {
			b.WriteString(" + ")
		}
		t.write(b)
	}
}
func (n callNode) write(b *strings.Builder) {
	b.WriteString(n.fn)
	b.WriteByte('(')
	for i, a := range n.args {
		if i > 0 {
			b.WriteString(", ")
		}
		a.write(b)
	}
	b.WriteByte(')')
}

func (litNode) paths(map[string]bool)         {}
func (n pathNode) paths(seen map[string]bool) { seen[n.path] = true }
func (n mulNode) paths(seen map[string]bool)  { n.x.paths(seen) }
func (n sumNode) paths(seen map[string]bool) {
	for _, t := range n.terms {
		t.paths(seen)
	}
}
func (n callNode) paths(seen map[string]bool) {
	for _, a := range n.args {
		a.paths(seen)
	}
}

// satAdd adds two durations, saturating at the limits of time.Duration.
func satAdd(a, b time.Duration) time.Duration {
	c := a + b
	switch {
	case a > 0 && b > 0 && c < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && c >= 0:
		return math.MinInt64
	}
	return c
}

// satMul multiplies a duration by n >= 0, saturating at the limits of
// time.Duration.
func satMul(n int64, d time.Duration) time.Duration {
	if n == 0 || d == 0 {
		return 0
	}
	if d > 0 && int64(d) > math.MaxInt64/n {
		return math.MaxInt64
	}
	if d < 0 && int64(d) < math.MinInt64/n {
		return math.MinInt64
	}
	return time.Duration(n) * d
}

// Tokens of an expression.
type tokKind int

const (
	tokEOF  tokKind = iota
	tokWord         // a duration literal, an integer, a path or a function name
	tokPlus
	tokStar
	tokLParen
	tokRParen
	tokComma
)

type exprTok struct {
	kind tokKind
	text string
	off  int
}

func (t exprTok) String() string {
	if t.kind == tokEOF {
		return "the end of the expression"
	}
	return strconv.Quote(t.text)
}

type exprParser struct {
	src  string
	toks []exprTok
	i    int
}

func (p *exprParser) errorf(t exprTok, format string, args ...any) error {
	return &ExprError{Offset: t.off, Msg: fmt.Sprintf(format, args...)}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
}

var punctuation = map[byte]tokKind{'+': tokPlus, '*': tokStar, '(': tokLParen, ')': tokRParen, ',': tokComma}

func (p *exprParser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			p.toks = append(p.toks, exprTok{tokWord, s[i:j], i})
			i = j
			continue
		}
		k, ok := punctuation[c]
		if !ok {
			r, _ := utf8.DecodeRuneInString(s[i:])
			hint := ""
			if c == '-' {
				hint = " (waits only add: write the smaller wait instead of subtracting)"
			}
			return &ExprError{Offset: i, Msg: fmt.Sprintf("expected a duration, a TTL path, '+', '*', max(...) or min(...), found %q%s", r, hint)}
		}
		p.toks = append(p.toks, exprTok{k, string(c), i})
		i++
	}
	p.toks = append(p.toks, exprTok{tokEOF, "", len(s)})
	return nil
}

func (p *exprParser) peek() exprTok { return p.toks[p.i] }
func (p *exprParser) next() exprTok {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// sum reads term ('+' term)*.
func (p *exprParser) sum(depth int) (exprNode, error) {
	if depth > maxExprDepth {
		return nil, p.errorf(p.peek(), "expected an expression nested at most %d deep", maxExprDepth)
	}
	var terms []exprNode
	for {
		t, err := p.term(depth)
		if err != nil {
			return nil, err
		}
		if s, ok := t.(sumNode); ok {
			terms = append(terms, s.terms...) // (a + b) + c is a + b + c
		} else {
			terms = append(terms, t)
		}
		if p.peek().kind != tokPlus {
			break
		}
		p.next()
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return sumNode{terms}, nil
}

// isInt reports whether a word is a plain non-negative integer.
func isInt(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// term reads N '*' term | atom.
func (p *exprParser) term(depth int) (exprNode, error) {
	t := p.peek()
	if t.kind == tokWord && isInt(t.text) && p.toks[p.i+1].kind == tokStar {
		p.next()
		p.next()
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, p.errorf(t, "expected a multiplier of at most %d, found %s", int64(math.MaxInt64), t.text)
		}
		if depth+1 > maxExprDepth {
			return nil, p.errorf(t, "expected an expression nested at most %d deep", maxExprDepth)
		}
		x, err := p.term(depth + 1)
		if err != nil {
			return nil, err
		}
		return mulNode{n, x}, nil
	}
	return p.atom(depth)
}

// atom reads a duration, a path, a function call or a parenthesised sum.
func (p *exprParser) atom(depth int) (exprNode, error) {
	t := p.next()
	switch t.kind {
	case tokLParen:
		x, err := p.sum(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, p.errorf(c, "expected ')' or '+', found %s", c)
		}
		return x, nil
	case tokWord:
	default:
		return nil, p.errorf(t, "expected a duration, a TTL path, max(...) or min(...), found %s", t)
	}
	w := t.text
	if w[0] >= '0' && w[0] <= '9' {
		d, err := duration.Parse(w)
		if err != nil {
			return nil, p.errorf(t, "%v", err)
		}
		return litNode{d}, nil
	}
	if w == "max" || w == "min" {
		if c := p.next(); c.kind != tokLParen {
			return nil, p.errorf(c, "expected '(' after %s, found %s", w, c)
		}
		var args []exprNode
		for {
			a, err := p.sum(depth + 1)
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			c := p.next()
			if c.kind == tokRParen {
				break
			}
			if c.kind != tokComma {
				return nil, p.errorf(c, "expected ',', ')' or '+' in %s(...), found %s", w, c)
			}
		}
		return callNode{w, args}, nil
	}
	if _, ok := exprPaths[w]; ok {
		return pathNode{w}, nil
	}
	return nil, p.errorf(t, "expected a duration, max(...), min(...) or a TTL path (%s), found %s", strings.Join(ExprPaths(), ", "), t)
}
