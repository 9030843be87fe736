package reports

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestHTML builds a report page from the fixture and checks that it is
// self-contained: every figure inline, the font embedded, nothing fetched.
func TestHTML(t *testing.T) {
	r := fixture()
	td, _ := Timelines(r, 0)
	sd, _ := Share(r)
	tf, err := td.Figure()
	if err != nil {
		t.Fatal(err)
	}
	sf, err := sd.Figure()
	if err != nil {
		t.Fatal(err)
	}
	embed := func(f *Figure) Embed {
		svg, err := f.Render("svg")
		if err != nil {
			t.Fatal(err)
		}
		return Embed{Title: f.Title, SVG: svg, Files: []Link{{Label: "PNG", Href: "x/" + f.Name + ".png"}}}
	}
	sum := Summarize(r, "The fixture.")
	sw := fakeSweep(t, "pattern-2", dsAxis())
	ef, err := ExposureFigure(sw)
	if err != nil {
		t.Fatal(err)
	}
	c := NewComparison([]string{"pattern-2"}, []string{"passive"}, []string{"bind"})
	c.Record(0, fakeRun("pattern-2", 600))
	cf, err := c.Figure()
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{
		Title:      "test report",
		Intro:      []string{"An intro <with> markup to escape."},
		Summaries:  []Summary{sum},
		Scenarios:  []ScenarioSection{{Summary: sum, Steps: r.Steps, Figures: []Embed{embed(tf), embed(sf)}}},
		Sweeps:     []SweepSection{{Path: "parent.ds_ttl", Figure: embed(ef), Sweeps: []*Sweep{sw}}},
		Comparison: &ComparisonSection{Comparison: c, Figure: embed(cf)},
		Problems:   []string{"one run failed"},
	}
	page, err := rep.HTML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if n := strings.Count(s, "<svg "); n != 4 {
		t.Errorf("%d inline SVGs, want 4", n)
	}
	if strings.Contains(s, "<?xml") {
		t.Error("an SVG kept its XML declaration")
	}
	if !strings.Contains(s, "@font-face{font-family:'Liberation Sans'") || !strings.Contains(s, "base64,") {
		t.Error("no embedded font")
	}
	// No URL that a browser would fetch: only namespaces mention http.
	for _, m := range regexp.MustCompile(`(?:src|href|url)\s*[=(]\s*["']?(https?:|//)`).FindAllString(s, -1) {
		t.Errorf("the page fetches from the network: %s", m)
	}
	if !strings.Contains(s, "An intro &lt;with&gt; markup to escape.") {
		t.Error("intro not escaped")
	}
	for _, want := range []string{
		`id="summary"`, `id="sc-pattern-2-fixture"`, `id="sweep-parent-ds_ttl"`, `id="comparison"`,
		sum.Meaning[:40], "one run failed", "+1d</td><td>switch-ns</td>",
	} {
		if !strings.Contains(s, want) && !bytes.Contains(page, []byte(escaped(want))) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// escaped escapes s as html/template does in text.
func escaped(s string) string {
	return strings.NewReplacer("'", "&#39;", "\"", "&#34;", "+", "&#43;").Replace(s)
}
