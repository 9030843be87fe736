package reports

import (
	"bytes"
	"encoding/xml"
	"flag"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dnssecsim/dnssecsim/sim"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/NAME.golden, or rewrites the file with
// -update. The diff is shown, never stored.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// iv is a shorthand for an interval.
func iv(from, to float64, st sim.State) sim.Interval {
	return sim.Interval{From: from, To: to, State: st}
}

// fixture is a small hand-made result: six caches of two profiles, a
// transfer an hour after the epoch, two steps at the same instant, a
// minute of Bogus, half a minute of Lame, a long Bogus stretch and a
// non-validating cache. Its metrics are computed from its timelines.
func fixture() *sim.Result {
	const h = 4 * 86400
	r := &sim.Result{
		Scenario: "pattern-2-fixture",
		Params: map[string]any{
			"horizon": float64(h), "parent.ds_ttl": 86400.0, "parent.ns_ttl": 86400.0,
			"losing.ns_ttl": 3600.0, "gaining.ns_ttl": 3600.0, "resolvers.count": 6.0,
		},
		Steps: []sim.StepTime{
			{Name: "prepare", AtSeconds: 0},
			{Name: "transfer", AtSeconds: 3600, Note: "steps 1-5"},
			{Name: "remove-old-ds", AtSeconds: 3600, Note: "steps 6-7"},
			{Name: "switch-ns", AtSeconds: 90000, Note: "steps 8-9"},
			{Name: "add-new-ds", AtSeconds: 176400, Note: "steps 10-11"},
		},
		Timelines: []sim.Timeline{
			{Cache: 0, Profile: "unbound", AgeSeconds: 0, Intervals: []sim.Interval{iv(0, 7200, sim.Secure), iv(7200, 180000, sim.Insecure), iv(180000, h, sim.Secure)}},
			{Cache: 1, Profile: "bind", AgeSeconds: 0, Intervals: []sim.Interval{iv(0, 9000, sim.Secure), iv(9000, 179000, sim.Insecure), iv(179000, h, sim.Secure)}},
			{Cache: 2, Profile: "unbound", AgeSeconds: 43200, Intervals: []sim.Interval{iv(0, 5000, sim.Secure), iv(5000, 5060, sim.Bogus), iv(5060, 182000, sim.Insecure), iv(182000, h, sim.Secure)}},
			{Cache: 3, Profile: "bind", AgeSeconds: 43200, Intervals: []sim.Interval{iv(0, 4000, sim.Secure), iv(4000, 30000, sim.Bogus), iv(30000, 185000, sim.Insecure), iv(185000, h, sim.Secure)}},
			{Cache: 4, Profile: "unbound", AgeSeconds: 86400, Intervals: []sim.Interval{iv(0, 3600, sim.Secure), iv(3600, 3630, sim.Lame), iv(3630, 181000, sim.Insecure), iv(181000, h, sim.Secure)}},
			{Cache: 5, Profile: "bind", AgeSeconds: 86400, Intervals: []sim.Interval{iv(0, h, sim.Indeterminate)}},
		},
	}
	r.Stats.Caches = len(r.Timelines)
	r.Metrics = metricsOf(r.Timelines)
	return r
}

// metricsOf computes the per-state metrics of timelines the way the
// simulator does.
func metricsOf(tls []sim.Timeline) map[string]sim.Metric {
	ms := map[string]sim.Metric{}
	for _, st := range sim.States() {
		var m sim.Metric
		for _, tl := range tls {
			entered := false
			for _, v := range tl.Intervals {
				if v.State != st {
					continue
				}
				entered = true
				m.CacheSeconds += v.To - v.From
				m.MaxSeconds = math.Max(m.MaxSeconds, v.To-v.From)
				if m.First == nil || v.From < *m.First {
					f := v.From
					m.First = &f
				}
				if m.Last == nil || v.To > *m.Last {
					l := v.To
					m.Last = &l
				}
			}
			if entered {
				m.Caches++
			}
		}
		ms[st.String()] = m
	}
	return ms
}

// checkImage checks that data is a well-formed file of format: a PNG that
// decodes to the figure's size at pngDPI, an SVG that parses as XML, a PDF
// with its header and trailer. It never compares pixels.
func checkImage(t *testing.T, f *Figure, format string, data []byte) {
	t.Helper()
	if len(data) < 1000 {
		t.Errorf("%s.%s: only %d bytes", f.Name, format, len(data))
	}
	switch format {
	case "png":
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s.png does not decode: %v", f.Name, err)
		}
		b := img.Bounds()
		wantW := int(math.Ceil(f.Width.Dots(pngDPI)))
		wantH := int(math.Ceil(f.Height.Dots(pngDPI)))
		if abs(b.Dx()-wantW) > 1 || abs(b.Dy()-wantH) > 1 {
			t.Errorf("%s.png is %dx%d pixels, want %dx%d", f.Name, b.Dx(), b.Dy(), wantW, wantH)
		}
	case "svg":
		dec := xml.NewDecoder(bytes.NewReader(data))
		root := ""
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s.svg does not parse as XML: %v", f.Name, err)
			}
			if se, ok := tok.(xml.StartElement); ok && root == "" {
				root = se.Name.Local
			}
		}
		if root != "svg" {
			t.Errorf("%s.svg: root element %q, want svg", f.Name, root)
		}
	case "pdf":
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			t.Errorf("%s.pdf does not start with %%PDF-: %q", f.Name, data[:min(len(data), 10)])
		}
		if !bytes.Contains(data[max(0, len(data)-64):], []byte("%%EOF")) {
			t.Errorf("%s.pdf has no %%%%EOF trailer", f.Name)
		}
	default:
		t.Fatalf("unknown format %s", format)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// renderAll renders f in every format and checks each file.
func renderAll(t *testing.T, f *Figure) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, format := range Formats {
		b, err := f.Render(format)
		if err != nil {
			t.Fatalf("%s.%s: %v", f.Name, format, err)
		}
		checkImage(t, f, format, b)
		out[format] = b
	}
	return out
}
