package sim

import (
	"testing"

	"github.com/dnssecsim/dnssecsim/scenarios"
)

// benchRun runs pattern-2 with n caches and the given horizon, reporting
// events per second. The floor to compare with: a binary-heap push and pop
// cost about 200 ns, so 4-5 million events per second per core.
func benchRun(b *testing.B, n int, horizon string) {
	sc, err := scenarios.Builtin("pattern-2")
	if err != nil {
		b.Fatal(err)
	}
	if horizon != "" {
		if err := sc.Set("horizon", horizon); err != nil {
			b.Fatal(err)
		}
	}
	var events int64
	for b.Loop() {
		r, err := Run(sc, Options{Caches: n})
		if err != nil {
			b.Fatal(err)
		}
		events = r.Stats.Events
	}
	b.ReportMetric(float64(events), "events/op")
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkPattern2Caches10k(b *testing.B)  { benchRun(b, 10_000, "") }
func BenchmarkPattern2Caches100k(b *testing.B) { benchRun(b, 100_000, "") }

// BenchmarkPattern2Horizon20d and ...40d show that cost stays flat when the
// horizon doubles: settled caches schedule no events.
func BenchmarkPattern2Horizon20d(b *testing.B) { benchRun(b, 10_000, "20d") }
func BenchmarkPattern2Horizon40d(b *testing.B) { benchRun(b, 10_000, "40d") }
