package reports

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
	"sync"

	"gonum.org/v1/plot"

	"github.com/dnssecsim/dnssecsim/sim"
)

// Report is the content of a report page.
type Report struct {
	// Title heads the page.
	Title string
	// Intro lines say what was run and how.
	Intro []string
	// Summaries is the summary table, one line per scenario.
	Summaries []Summary
	// Scenarios holds a section per scenario.
	Scenarios []ScenarioSection
	// Sweeps holds a section per swept setting.
	Sweeps []SweepSection
	// Comparison is the comparison section, if any.
	Comparison *ComparisonSection
	// Problems lists runs that failed.
	Problems []string
}

// ScenarioSection is a scenario's part of the report.
type ScenarioSection struct {
	Summary Summary
	// Steps are the procedure's steps, with their notes; times count from
	// the epoch like the result's.
	Steps []sim.StepTime
	// Worst holds each validating profile's worst case (WorstLines),
	// empty when none was analysed (Summary.WorstText then says why).
	Worst   []WorstLine
	Figures []Embed
	// Data links the data files (the result and the data behind the
	// figures).
	Data []Link
}

// WorstLine is one profile's worst case in a scenario's section.
type WorstLine struct {
	Profile string
	// Verdict says the worst case in words; Class is its style (bogus,
	// lame, ok or open, as VerdictClass).
	Verdict, Class string
	// Cells counts the cells the search examined.
	Cells int
	// Witness is a cache that shows the longest Bogus (else Lame)
	// stretch, and Replay the command that replays it; nil and empty
	// when there is none.
	Witness *sim.Witness
	Replay  string
}

// WorstLines lays out a worst-case analysis a line per profile, sorted by
// name: verdict words each profile's verdict and replay gives the command
// that replays a witness.
func WorstLines(wc map[string]*sim.WorstCase, verdict func(*sim.WorstCase) string, replay func(*sim.Witness) string) []WorstLine {
	w := NewWorst(wc)
	var out []WorstLine
	for _, n := range w.names() {
		c := wc[n]
		l := WorstLine{Profile: n, Verdict: verdict(c), Cells: c.Paths, Witness: c.Witness}
		switch {
		case c.Bogus:
			l.Class = "bogus"
		case c.Lame:
			l.Class = "lame"
		case c.Complete:
			l.Class = "ok"
		default:
			l.Class = "open"
		}
		if c.Witness != nil {
			l.Replay = replay(c.Witness)
		}
		out = append(out, l)
	}
	return out
}

// SweepSection shows exposure against one setting for several methods.
type SweepSection struct {
	Path   string
	Figure Embed
	Sweeps []*Sweep
	Data   []Link
}

// ComparisonSection shows the comparison.
type ComparisonSection struct {
	Comparison *Comparison
	Figure     Embed
	Data       []Link
}

// Embed is a figure on the page: its SVG, inlined, and links to its files.
type Embed struct {
	Title string
	SVG   []byte
	Files []Link
}

// Link is a relative link to a file of the report.
type Link struct {
	Label, Href string
}

// HTML renders the report as one self-contained page: figures are inline
// SVG, the font they use is embedded once, and nothing is fetched from the
// network.
func (r *Report) HTML() ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, r); err != nil {
		return nil, fmt.Errorf("reports: HTML: %w", err)
	}
	return b.Bytes(), nil
}

// inlineSVG strips an SVG file's XML prologue so that it can sit in HTML,
// and gives it a role and a title for screen readers.
func inlineSVG(svg []byte, title string) template.HTML {
	s := string(svg)
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	s = strings.Replace(s, "<svg ", `<svg role="img" aria-label="`+template.HTMLEscapeString(title)+`" `, 1)
	return template.HTML(s)
}

var (
	fontOnce sync.Once
	fontCSS  template.CSS
)

// embeddedFont is an @font-face rule carrying Liberation Sans, the font
// the figures are laid out in.
func embeddedFont() template.CSS {
	fontOnce.Do(func() {
		face := plot.DefaultTextHandler.Cache().Lookup(sansFont, 10)
		var raw bytes.Buffer
		if _, err := face.Face.WriteSourceTo(nil, &raw); err != nil {
			return
		}
		fontCSS = template.CSS(`@font-face{font-family:'Liberation Sans';font-style:normal;font-weight:normal;src:url(data:font/ttf;base64,` +
			base64.StdEncoding.EncodeToString(raw.Bytes()) + `) format("truetype");}`)
	})
	return fontCSS
}

// anchor makes an HTML id from a name.
func anchor(prefix, name string) string {
	return prefix + "-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, name)
}

// cell formats a metric for the tables.
func hours(sec float64) string {
	if sec == 0 {
		return "0"
	}
	h := sec / 3600
	if h < 0.1 {
		return "<0.1"
	}
	return formatFloat(h, 1)
}

func optSpan(v *float64, off float64) string {
	if v == nil {
		return "–"
	}
	return signedSpan(*v - off)
}

// comparisonCell is one cell of the comparison pivot table.
type comparisonCell struct {
	Class, Text, Title string
}

// pivot lays the comparison out as rows of method and behaviour, columns
// of profiles.
func (c *Comparison) pivot() [][]comparisonCell {
	var rows [][]comparisonCell
	for m := range c.Methods {
		for b := range c.Behaviours {
			var row []comparisonCell
			for p := range c.Profiles {
				r := c.row(m, b, p)
				row = append(row, cellFor(r))
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func cellFor(r *ComparisonRow) comparisonCell {
	if r.Metrics == nil {
		return comparisonCell{Class: "na", Text: "n/a", Title: r.Error}
	}
	b, l, ins := r.Metrics["Bogus"], r.Metrics["Lame"], r.Metrics["Insecure"]
	var parts []string
	class := "ok"
	if b.Caches > 0 {
		class = "bogus"
		parts = append(parts, fmt.Sprintf("Bogus %d%% ≤%s", pct(b.Caches, r.Caches), ShortSpan(b.MaxSeconds)))
	}
	if l.Caches > 0 {
		if class == "ok" {
			class = "lame"
		}
		parts = append(parts, fmt.Sprintf("Lame %d%% ≤%s", pct(l.Caches, r.Caches), ShortSpan(l.MaxSeconds)))
	}
	if ins.Caches > 0 {
		parts = append(parts, "Insecure ≤"+ShortSpan(ins.MaxSeconds))
	}
	if len(parts) == 0 {
		if r.Metrics["Secure"].Caches == r.Caches {
			parts = append(parts, "Secure")
		} else {
			parts = append(parts, "no validation")
		}
	}
	title := fmt.Sprintf("%s, %s, %s: Bogus %s cache-h, Lame %s cache-h, Insecure %s cache-h", r.Method, r.Behaviour, r.Profile,
		hours(b.CacheSeconds), hours(l.CacheSeconds), hours(ins.CacheSeconds))
	return comparisonCell{Class: class, Text: strings.Join(parts, "; "), Title: title}
}

func pct(k, n int) int {
	if n == 0 {
		return 0
	}
	return int(math.Round(100 * float64(k) / float64(n)))
}

// sweepTable lays out one-setting sweeps as rows of values and, per
// method, Bogus cache-hours, the longest Insecure stretch and the
// guideline's expectation.
type sweepRow struct {
	Value string
	Cells []string
}

type sweepTab struct {
	Head []string
	Rows []sweepRow
}

func sweepTable(ss []*Sweep) sweepTab {
	var head []string
	var rows []sweepRow
	if len(ss) == 0 || len(ss[0].Axes) != 1 {
		return sweepTab{}
	}
	head = append(head, ss[0].Axes[0].Path)
	for _, s := range ss {
		head = append(head, s.Scenario+" Bogus cache-h", s.Scenario+" longest Insecure")
	}
	values := map[string]bool{}
	var order []string
	for _, s := range ss {
		for _, p := range s.Points {
			if !values[p.Values[0]] {
				values[p.Values[0]] = true
				order = append(order, p.Values[0])
			}
		}
	}
	a := ss[0].Axes[0]
	for _, v := range order {
		row := sweepRow{Value: v}
		if i := indexOf(a.Values, v); a.Duration && a.Seconds != nil && i >= 0 {
			row.Value = ShortSpan(a.Seconds[i])
		}
		for _, s := range ss {
			var p *SweepPoint
			for i := range s.Points {
				if s.Points[i].Values[0] == v {
					p = &s.Points[i]
				}
			}
			if p == nil || p.Metrics == nil {
				row.Cells = append(row.Cells, "–", "–")
				continue
			}
			ins := ShortSpan(p.Metrics["Insecure"].MaxSeconds)
			if p.Expected != nil && *p.Expected > 0 {
				ins += " (guideline " + ShortSpan(*p.Expected) + ")"
			}
			row.Cells = append(row.Cells, hours(p.Metrics["Bogus"].CacheSeconds), ins)
		}
		rows = append(rows, row)
	}
	return sweepTab{head, rows}
}

var funcs = template.FuncMap{
	"svg":      inlineSVG,
	"font":     embeddedFont,
	"anchor":   anchor,
	"hours":    hours,
	"span":     ShortSpan,
	"full":     FormatSpan,
	"at":       func(sec, off float64) string { return signedSpan(sec - off) },
	"optspan":  optSpan,
	"states":   sim.States,
	"metric":   func(ms map[string]sim.Metric, st sim.State) sim.Metric { return ms[st.String()] },
	"lower":    strings.ToLower,
	"pivot":    func(c *Comparison) [][]comparisonCell { return c.pivot() },
	"sweeptab": sweepTable,
	"rowlabel": func(c *Comparison, i int) []string {
		return []string{c.Methods[i/len(c.Behaviours)], c.Behaviours[i%len(c.Behaviours)]}
	},
	"first":  func(i int, c *Comparison) bool { return i%len(c.Behaviours) == 0 },
	"nbehav": func(c *Comparison) int { return len(c.Behaviours) },
	"swatch": swatchClass,
	"bytime": func(steps []sim.StepTime) []sim.StepTime {
		out := append([]sim.StepTime(nil), steps...)
		sort.SliceStable(out, func(i, j int) bool { return out[i].AtSeconds < out[j].AtSeconds })
		return out
	},
	"verdictcl": VerdictClass,
	"worstparts": func(w *Worst) []string {
		if !w.Analysed() {
			return []string{w.BogusText()}
		}
		return []string{w.BogusText(), w.LameText()}
	},
	"witnessspan": func(w *sim.Witness) string { return FormatSpan(w.ToSeconds - w.FromSeconds) },
	"sortedFinal": func(m map[string]int) []string {
		var out []string
		for _, st := range sim.States() {
			if k := m[st.String()]; k > 0 {
				out = append(out, fmt.Sprintf("%d %s", k, st))
			}
		}
		return out
	},
}

func swatchClass(st sim.State) string { return "sw-" + strings.ToLower(st.String()) }

var pageTemplate = template.Must(template.New("page").Funcs(funcs).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
{{font}}
body{font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;color:#1a1a1a;max-width:1100px;margin:0 auto;padding:1em 1.5em 4em;line-height:1.45}
h1{font-size:1.7em;margin:.4em 0}
h2{font-size:1.35em;margin-top:2.2em;border-bottom:2px solid #ddd;padding-bottom:.2em}
h3{font-size:1.15em;margin-top:2em}
nav ul{columns:3;padding-left:1.2em}
table{border-collapse:collapse;margin:.6em 0 1em;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.name{white-space:nowrap}
figure{margin:1em 0}
figure svg{max-width:100%;height:auto;display:block;border:1px solid #eee}
figcaption{font-size:.85em;color:#555}
.meaning{font-size:1.05em;background:#f7f7f7;border-left:4px solid #888;padding:.5em .8em}
.verdict{font-weight:bold;padding:0 .4em;border-radius:3px;white-space:nowrap}
.verdict.bogus,td.bogus{background:#f6d2d6}
.verdict.lame,td.lame{background:#ddd3ee}
.verdict.ok,td.ok{background:#d5ede4}
.verdict.open,td.open{background:#f6e7c6}
td.worst{font-size:.85em;min-width:12em}
.wide{overflow-x:auto}
code{font-size:.95em;word-break:break-all}
td.na{color:#888}
.sw{display:inline-block;width:1.6em;height:.9em;border:1px solid #666;vertical-align:middle;margin-right:.3em}
.sw-secure{background:#00916F}.sw-insecure{background:#FDE725}.sw-indeterminate{background:#B0B0B0}
.sw-bogus{background:repeating-linear-gradient(45deg,#B2182B 0 3px,#fff 3px 4px)}
.sw-lame{background:repeating-linear-gradient(45deg,#3B0F70 0 3px,#fff 3px 4px),#3B0F70}
.files{font-size:.85em}
.problems{color:#a00}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{range .Intro}}<p>{{.}}</p>
{{end}}
{{if .Problems}}<div class="problems"><p>Some runs failed:</p><ul>{{range .Problems}}<li>{{.}}</li>{{end}}</ul></div>{{end}}
<nav><p>Contents:</p><ul>
<li><a href="#summary">Summary</a></li>
{{range .Scenarios}}<li><a href="#{{anchor "sc" .Summary.Scenario}}">{{.Summary.Scenario}}</a></li>
{{end}}{{range .Sweeps}}<li><a href="#{{anchor "sweep" .Path}}">Sweep of {{.Path}}</a></li>
{{end}}{{if .Comparison}}<li><a href="#comparison">Comparison</a></li>{{end}}
</ul></nav>

<h2 id="summary">Summary</h2>
<p>One line per scenario. The worst case is the analysis over every cache phase, query phase and server choice of each validating resolver profile of the scenario: it alone says "never" (a proof for the model), and a verdict of "no failure" needs it. The other columns describe the scenario's sampled population (its default population) and are exposure figures: a sample shows what happens, not what cannot. Cache-hours add up the time every sampled cache spent in a state; "longest" is the longest time one sampled cache stayed in it. A safe procedure is never Bogus in the worst case; Insecure time is the price of the guideline's method (2).</p>
<div class="wide"><table>
<tr><th rowspan="2">scenario</th><th rowspan="2">verdict</th><th rowspan="2">worst case (every cache phase)</th><th colspan="8">sampled population</th><th rowspan="2">guideline's Insecure</th></tr>
<tr><th>caches</th><th>Bogus caches</th><th>Bogus cache-h</th><th>longest Bogus</th><th>Lame caches</th><th>longest Lame</th><th>Insecure caches</th><th>longest Insecure</th></tr>
{{range .Summaries}}{{$b := metric .Metrics 2}}{{$l := metric .Metrics 4}}{{$i := metric .Metrics 1}}<tr>
<td class="name"><a href="#{{anchor "sc" .Scenario}}">{{.Scenario}}</a></td>
<td><span class="verdict {{verdictcl .Verdict}}">{{.Verdict}}</span></td>
<td class="worst">{{range $k, $t := worstparts .Worst}}{{if $k}}<br>{{end}}{{$t}}{{end}}</td>
<td class="num">{{.Caches}}</td>
<td class="num">{{$b.Caches}}</td><td class="num">{{hours $b.CacheSeconds}}</td><td class="num">{{if $b.Caches}}{{span $b.MaxSeconds}}{{else}}–{{end}}</td>
<td class="num">{{$l.Caches}}</td><td class="num">{{if $l.Caches}}{{span $l.MaxSeconds}}{{else}}–{{end}}</td>
<td class="num">{{$i.Caches}}</td><td class="num">{{if $i.Caches}}{{span $i.MaxSeconds}}{{else}}–{{end}}</td>
<td class="num">{{if .Expected}}{{span .Expected.InsecureSeconds}}{{else}}–{{end}}</td>
</tr>
{{end}}</table></div>

{{range .Scenarios}}{{$s := .Summary}}
<h2 id="{{anchor "sc" $s.Scenario}}">{{$s.Scenario}}</h2>
{{if $s.Description}}<p>{{$s.Description}}</p>{{end}}
<p class="meaning"><span class="verdict {{verdictcl $s.Verdict}}">{{$s.Verdict}}</span> {{$s.Meaning}}</p>
<h3>Worst case</h3>
{{if .Worst}}<p>Over every cache phase, query phase and server choice, for each validating resolver profile of the scenario: a proof for the model, which the sampled population of the figures and metrics below is not. "NOT PROVEN" marks a search that stopped at its budget; its longest stretch is then only a lower bound.</p>
<table>
<tr><th>profile</th><th>worst case</th><th>cells examined</th><th>witness: a cache that shows it</th></tr>
{{range .Worst}}<tr><td class="name">{{.Profile}}</td><td class="{{.Class}}">{{.Verdict}}</td><td class="num">{{.Cells}}</td><td>{{with .Witness}}{{.State}} for {{witnessspan .}}, from {{at .FromSeconds $s.TransferSeconds}} to {{at .ToSeconds $s.TransferSeconds}}: {{.Cause}}{{if $s.TransferSeconds}} (times in the cause count from the first step, {{span $s.TransferSeconds}} before the transfer){{end}}{{else}}–{{end}}{{if .Replay}}<br>replay: <code>{{.Replay}}</code>{{end}}</td></tr>
{{end}}</table>
{{else}}<p>{{$s.WorstText}}.</p>{{end}}
<h3>Steps</h3>
<table>
<tr><th>time from the transfer</th><th>step</th><th>what happens</th></tr>
{{range bytime .Steps}}<tr><td class="num">{{at .AtSeconds $s.TransferSeconds}}</td><td>{{.Name}}</td><td>{{.Note}}</td></tr>
{{end}}</table>
{{range .Figures}}<figure>{{svg .SVG .Title}}<figcaption class="files">{{.Title}}: {{range $i, $f := .Files}}{{if $i}} · {{end}}<a href="{{$f.Href}}">{{$f.Label}}</a>{{end}}</figcaption></figure>
{{end}}
<h3>Metrics of the sampled population</h3>
<table>
<tr><th>state</th><th>caches that entered it</th><th>cache-hours</th><th>longest stretch</th><th>first</th><th>last</th></tr>
{{range states}}{{$m := metric $s.Metrics .}}<tr><td><span class="sw {{swatch .}}"></span>{{.}}</td><td class="num">{{$m.Caches}} of {{$s.Caches}}</td><td class="num">{{hours $m.CacheSeconds}}</td><td class="num">{{full $m.MaxSeconds}}</td><td class="num">{{optspan $m.First $s.TransferSeconds}}</td><td class="num">{{optspan $m.Last $s.TransferSeconds}}</td></tr>
{{end}}</table>
{{if $s.Final}}<p>At the end of the run: {{range $i, $f := sortedFinal $s.Final}}{{if $i}}, {{end}}{{$f}}{{end}}.</p>{{end}}
<p class="files">Data: {{range $i, $f := .Data}}{{if $i}} · {{end}}<a href="{{$f.Href}}">{{$f.Label}}</a>{{end}}</p>
{{end}}

{{range .Sweeps}}
<h2 id="{{anchor "sweep" .Path}}">Sweep of {{.Path}}</h2>
<figure>{{svg .Figure.SVG .Figure.Title}}<figcaption class="files">{{.Figure.Title}}: {{range $i, $f := .Figure.Files}}{{if $i}} · {{end}}<a href="{{$f.Href}}">{{$f.Label}}</a>{{end}}</figcaption></figure>
{{with sweeptab .Sweeps}}<table>
<tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><td class="num">{{.Value}}</td>{{range .Cells}}<td class="num">{{.}}</td>{{end}}</tr>
{{end}}</table>{{end}}
<p class="files">Data: {{range $i, $f := .Data}}{{if $i}} · {{end}}<a href="{{$f.Href}}">{{$f.Label}}</a>{{end}}</p>
{{end}}

{{with .Comparison}}
<h2 id="comparison">Comparison</h2>
<p>Every method run with every losing-side behaviour, each time with a sampled population of one resolver profile. A cell gives the share of sampled caches that were ever Bogus or Lame and the longest such stretch, and the longest Insecure stretch; hover for cache-hours. These are samples, not the worst case: a cell without Bogus does not show that no cache can be Bogus.</p>
<figure>{{svg .Figure.SVG .Figure.Title}}<figcaption class="files">{{.Figure.Title}}: {{range $i, $f := .Figure.Files}}{{if $i}} · {{end}}<a href="{{$f.Href}}">{{$f.Label}}</a>{{end}}</figcaption></figure>
{{$c := .Comparison}}
<table>
<tr><th>method</th><th>losing side</th>{{range $c.Profiles}}<th>{{.}}</th>{{end}}</tr>
{{range $i, $row := pivot $c}}{{$rl := rowlabel $c $i}}<tr>{{if first $i $c}}<td rowspan="{{nbehav $c}}">{{index $rl 0}}</td>{{end}}<td>{{index $rl 1}}</td>{{range $row}}<td class="{{.Class}}" title="{{.Title}}">{{.Text}}</td>{{end}}</tr>
{{end}}</table>
<p class="files">Data: {{range $i, $f := .Data}}{{if $i}} · {{end}}<a href="{{$f.Href}}">{{$f.Label}}</a>{{end}}</p>
{{end}}
</body>
</html>
`
