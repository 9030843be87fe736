package reports

import (
	"errors"
	"testing"
)

// TestComparisonGolden checks the data behind the comparison figure and
// table, with a combination that cannot run.
func TestComparisonGolden(t *testing.T) {
	c := NewComparison([]string{"pattern-1", "pattern-2"}, []string{"passive", "hasty, keys"}, []string{"bind", "unbound"})
	for i := range c.Rows {
		r := &c.Rows[i]
		switch {
		case r.Method == "pattern-1" && r.Behaviour == "hasty, keys" && r.Profile == "bind":
			c.Fail(i, errors.New("set losing.behaviour=hasty: not allowed here"))
		case r.Behaviour == "hasty, keys":
			c.Record(i, fakeRun(r.Method, 600)) // Bogus
		default:
			c.Record(i, fakeRun(r.Method, 7200))
		}
	}
	golden(t, "comparison.csv", c.CSV())
	var cells []byte
	for _, row := range c.pivot() {
		for _, cell := range row {
			cells = append(cells, cell.Class+": "+cell.Text+" | "+cell.Title+"\n"...)
		}
	}
	golden(t, "comparison-cells.txt", cells)
	f, err := c.Figure()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "comparison.caption", []byte(f.Title+"\n"+f.Caption+"\n"))
	renderAll(t, f)
}
