package scenarios_test

import (
	"fmt"

	"github.com/dnssecsim/dnssecsim/internal/duration"
	"github.com/dnssecsim/dnssecsim/scenarios"
)

// Load a built-in scenario, print its schedule, then make the DS TTL longer
// and see the later steps move.
func Example() {
	s, err := scenarios.Builtin("pattern-2")
	if err != nil {
		fmt.Println(err)
		return
	}
	show := func() {
		for _, st := range s.Procedure {
			fmt.Printf("%-14s at %-4s wait %s\n", st.Name, duration.Format(st.At), st.Wait)
		}
		fmt.Println("horizon", duration.Format(s.Horizon))
	}
	show()
	if err := s.Set("parent.ds_ttl", "2d"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("-- parent.ds_ttl=2d")
	show()
	// Output:
	// transfer       at 0s   wait 0s
	// remove-old-ds  at 0s   wait 0s
	// switch-ns      at 1d   wait parent.ds_ttl
	// add-new-ds     at 3d   wait max(parent.ns_ttl, losing.ns_ttl)
	// all-secure     at 5d   wait max(parent.ns_ttl, gaining.ns_ttl)
	// horizon 11d
	// -- parent.ds_ttl=2d
	// transfer       at 0s   wait 0s
	// remove-old-ds  at 0s   wait 0s
	// switch-ns      at 2d   wait parent.ds_ttl
	// add-new-ds     at 4d   wait max(parent.ns_ttl, losing.ns_ttl)
	// all-secure     at 6d   wait max(parent.ns_ttl, gaining.ns_ttl)
	// horizon 12d
}

// Read a cache in the text form that --set resolvers.cache takes and that
// prints a witness of the worst-case analysis, and write it back.
func ExampleParseCacheSpec() {
	c, err := scenarios.ParseCacheSpec("unbound ds=-1s ns=-86399 servers=gaining,losing")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Profile, c.Fetched[scenarios.EntryNS], c.Fetched[scenarios.EntryDS], c.Servers)
	fmt.Println(c)
	// Output:
	// unbound -23h59m59s -1s [gaining losing]
	// unbound ns=-86399s ds=-1s servers=gaining,losing
}
