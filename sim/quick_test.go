package sim

import (
	"encoding/json"
	"testing"

	"github.com/dnssecsim/dnssecsim/scenarios"
)

func TestQuickPattern2(t *testing.T) {
	sc, err := scenarios.Builtin("pattern-2")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(sc, Options{Caches: 20, Trace: true, Timelines: true})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(r.Metrics, "", " ")
	t.Logf("%s", b)
	for _, l := range r.Trace {
		t.Log(l)
	}
	t.Logf("events %d", r.Stats.Events)
}
