package scenarios

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestExpr(t *testing.T) {
	s := &Scenario{
		Parent:  Parent{NSTTL: 48 * time.Hour, DSTTL: 24 * time.Hour, NegativeTTL: time.Hour},
		Losing:  Operator{NSTTL: 24 * time.Hour, DNSKEYTTL: 2 * time.Hour, DataTTL: 5 * time.Minute},
		Gaining: Operator{NSTTL: 36 * time.Hour, DNSKEYTTL: 3 * time.Hour, DataTTL: 10 * time.Minute},
	}
	tests := []struct {
		src   string
		str   string // canonical form
		want  time.Duration
		paths string
	}{
		// A literal, written in the shortest form.
		{"0s", "0s", 0, ""},
		{"3600", "1h", time.Hour, ""},
		{"1d12h", "36h", 36 * time.Hour, ""},
		// Every TTL path.
		{"parent.ns_ttl", "parent.ns_ttl", 48 * time.Hour, "parent.ns_ttl"},
		{"parent.ds_ttl", "parent.ds_ttl", 24 * time.Hour, "parent.ds_ttl"},
		{"parent.negative_ttl", "parent.negative_ttl", time.Hour, "parent.negative_ttl"},
		{"losing.ns_ttl", "losing.ns_ttl", 24 * time.Hour, "losing.ns_ttl"},
		{"losing.dnskey_ttl", "losing.dnskey_ttl", 2 * time.Hour, "losing.dnskey_ttl"},
		{"losing.data_ttl", "losing.data_ttl", 5 * time.Minute, "losing.data_ttl"},
		{"gaining.ns_ttl", "gaining.ns_ttl", 36 * time.Hour, "gaining.ns_ttl"},
		{"gaining.dnskey_ttl", "gaining.dnskey_ttl", 3 * time.Hour, "gaining.dnskey_ttl"},
		{"gaining.data_ttl", "gaining.data_ttl", 10 * time.Minute, "gaining.data_ttl"},
		// Sums, free spacing.
		{"parent.ds_ttl+1h", "parent.ds_ttl + 1h", 25 * time.Hour, "parent.ds_ttl"},
		{"  1h +  30m + 90 ", "1h + 30m + 90s", 91*time.Minute + 30*time.Second, ""},
		// Products.
		{"2 * parent.ds_ttl", "2 * parent.ds_ttl", 48 * time.Hour, "parent.ds_ttl"},
		{"3*2*1h", "3 * 2 * 1h", 6 * time.Hour, ""},
		{"0 * parent.ns_ttl + 1m", "0 * parent.ns_ttl + 1m", time.Minute, "parent.ns_ttl"},
		// Parentheses: kept where a product needs them, dropped elsewhere.
		{"2 * (parent.ds_ttl + 1h)", "2 * (parent.ds_ttl + 1h)", 50 * time.Hour, "parent.ds_ttl"},
		{"(1h + 1m) + (1s)", "1h + 1m + 1s", time.Hour + time.Minute + time.Second, ""},
		// max and min, nested.
		{"max(parent.ns_ttl, losing.ns_ttl) + 1h", "max(parent.ns_ttl, losing.ns_ttl) + 1h", 49 * time.Hour, "losing.ns_ttl parent.ns_ttl"},
		{"min(parent.ns_ttl,losing.ns_ttl)", "min(parent.ns_ttl, losing.ns_ttl)", 24 * time.Hour, "losing.ns_ttl parent.ns_ttl"},
		{"max(parent.ds_ttl, losing.dnskey_ttl)", "max(parent.ds_ttl, losing.dnskey_ttl)", 24 * time.Hour, "losing.dnskey_ttl parent.ds_ttl"},
		{"max(1h)", "max(1h)", time.Hour, ""},
		{"max(min(1h, 2h), 2 * max(1m, 1s) + 30m)", "max(min(1h, 2h), 2 * max(1m, 1s) + 30m)", time.Hour, ""},
		// Saturation instead of overflow.
		{"9223372036854775807 * 1w", "9223372036854775807 * 1w", math.MaxInt64, ""},
		{"9223372036 + 9223372036", "9223372036s + 9223372036s", math.MaxInt64, ""},
	}
	for _, tc := range tests {
		e, err := ParseExpr(tc.src)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", tc.src, err)
			continue
		}
		if got := e.String(); got != tc.str {
			t.Errorf("ParseExpr(%q).String() = %q, want %q", tc.src, got, tc.str)
		}
		if got := e.Eval(s); got != tc.want {
			t.Errorf("ParseExpr(%q).Eval = %v, want %v", tc.src, got, tc.want)
		}
		if got := strings.Join(e.Paths(), " "); got != tc.paths {
			t.Errorf("ParseExpr(%q).Paths() = %q, want %q", tc.src, got, tc.paths)
		}
		if e.Source() != tc.src {
			t.Errorf("Source() = %q, want %q", e.Source(), tc.src)
		}
		// The canonical form reads back as the same expression.
		back, err := ParseExpr(e.String())
		if err != nil || back.String() != e.String() || back.Eval(s) != e.Eval(s) {
			t.Errorf("ParseExpr(%q) = %v, %v; want the same expression", e.String(), back, err)
		}
	}

	// A nil expression is zero.
	var nilExpr *Expr
	if nilExpr.Eval(s) != 0 || nilExpr.String() != "0s" || nilExpr.Paths() != nil {
		t.Errorf("nil Expr: %v %q %v", nilExpr.Eval(s), nilExpr.String(), nilExpr.Paths())
	}
}

func TestExprErrors(t *testing.T) {
	tests := []struct {
		src    string
		offset int
		msg    string
	}{
		// Empty.
		{"", 0, "expected a duration, a TTL path, max(...) or min(...), found the end of the expression"},
		// An unknown path, listing the known ones.
		{"parent.dnskey_ttl", 0, "TTL path (gaining.data_ttl, gaining.dnskey_ttl, gaining.ns_ttl, losing.data_ttl, losing.dnskey_ttl, losing.ns_ttl, parent.ds_ttl, parent.negative_ttl, parent.ns_ttl), found \"parent.dnskey_ttl\""},
		// A bad literal.
		{"1h + 5x", 5, `expected a duration such as "90s", "1h30m", "2d" or "3600", found "5x"`},
		// Subtraction.
		{"2d - 1h", 3, "waits only add"},
		// Another character.
		{"1h / 2", 3, `found '/'`},
		// A dangling operator.
		{"1h +", 4, "found the end of the expression"},
		{"2 *", 3, "found the end of the expression"},
		// Two terms with no operator.
		{"1h 2h", 3, `expected '+' or the end of the expression, found "2h"`},
		// A product with the number on the right.
		{"parent.ds_ttl * 2", 14, `expected '+' or the end of the expression, found "*"`},
		// Functions.
		{"max", 3, "expected '(' after max"},
		{"max()", 4, `found ")"`},
		{"max(1h 2h)", 7, `expected ',', ')' or '+' in max(...), found "2h"`},
		{"avg(1h)", 0, `found "avg"`},
		// Parentheses.
		{"(1h", 3, "expected ')' or '+', found the end of the expression"},
		{")", 0, `found ")"`},
		// A multiplier too large.
		{"99999999999999999999 * 1h", 0, "expected a multiplier of at most"},
		// Too deep.
		{strings.Repeat("(", 60) + "1h" + strings.Repeat(")", 60), 51, "nested at most 50 deep"},
		{strings.Repeat("2 * ", 60) + "1h", 200, "nested at most 50 deep"},
	}
	for _, tc := range tests {
		e, err := ParseExpr(tc.src)
		var ee *ExprError
		if !errors.As(err, &ee) {
			t.Errorf("ParseExpr(%q) = %v, %v; want an *ExprError", tc.src, e, err)
			continue
		}
		if ee.Offset != tc.offset || !strings.Contains(ee.Msg, tc.msg) {
			t.Errorf("ParseExpr(%q) error at %d: %s\nwant at %d: ...%s...", tc.src, ee.Offset, ee.Msg, tc.offset, tc.msg)
		}
	}
}

// TestSchedule drives Schedule directly, as a caller that edits fields does.
func TestSchedule(t *testing.T) {
	day := 24 * time.Hour
	s := loadPattern2(t)

	// Editing a TTL and calling Schedule moves the later steps.
	s.Parent.DSTTL = 2 * day
	if err := s.Schedule(); err != nil {
		t.Fatal(err)
	}
	if got := s.Procedure[2].At; got != 2*day {
		t.Errorf("switch-ns at %v, want 2d", got)
	}
	// Schedule is idempotent.
	before := s.Procedure[4].At
	if err := s.Schedule(); err != nil || s.Procedure[4].At != before {
		t.Errorf("second Schedule: %v, all-secure at %v, want %v", err, s.Procedure[4].At, before)
	}

	// A cycle made by editing is reported at the file position of the
	// first step in it, and leaves the times alone.
	s.Procedure[1].After = "add-new-ds"
	err := s.Schedule()
	const want = "builtin:pattern-2:73:12: procedure[1].after: expected steps that do not wait for each other in a circle, found the cycle remove-old-ds → add-new-ds → switch-ns → remove-old-ds"
	if err == nil || err.Error() != want {
		t.Errorf("Schedule with a cycle = %v\nwant %s", err, want)
	}
	if s.Procedure[4].At != before {
		t.Errorf("a failed Schedule changed all-secure to %v", s.Procedure[4].At)
	}

	// An after: naming no step.
	s.Procedure[1].After = "nowhere"
	if err := s.Schedule(); err == nil || !strings.Contains(err.Error(), `procedure[1].after: expected the name of a step (transfer, remove-old-ds, switch-ns, add-new-ds, all-secure), found "nowhere"`) {
		t.Errorf("Schedule with a bad after = %v", err)
	}

	// A scenario built in code, with no file and no horizon.
	built := &Scenario{
		Parent: Parent{DSTTL: time.Hour},
		Procedure: []Step{
			{Name: "b", After: "a", Wait: mustExpr(t, "parent.ds_ttl")},
			{Name: "a", At: time.Minute},
		},
	}
	if err := built.Schedule(); err != nil {
		t.Fatal(err)
	}
	if built.Procedure[0].At != time.Hour+time.Minute || built.Horizon != 4*time.Hour+time.Minute {
		t.Errorf("built: b at %v, horizon %v", built.Procedure[0].At, built.Horizon)
	}
	// Without a file, errors carry no position.
	built.Procedure[1].After, built.Procedure[1].Wait = "b", mustExpr(t, "0s")
	if err := built.Schedule(); err == nil || err.Error() != "procedure[0].after: expected steps that do not wait for each other in a circle, found the cycle b → a → b" {
		t.Errorf("built cycle: %v", err)
	}
}
