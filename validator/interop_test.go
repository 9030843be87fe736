package validator_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnssecsim/dnssecsim/internal/zonefile"
	"github.com/dnssecsim/dnssecsim/validator"
)

// TestInteropNSD serves every oracle corpus case with real NSD instances on
// loopback addresses, one per server address of the hierarchy (the corpus's
// own glue, 127.53.0.x, on a free port), and validates over the network
// with NetSource. The verdicts must be the corpus's, as offline: the live
// source and NSD's answers (referrals, denial proofs, wildcards) agree with
// the offline answer engine.
func TestInteropNSD(t *testing.T) {
	nsd, err := exec.LookPath("nsd")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/nsd"); err2 != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("nsd not installed: .ci/run must install the Debian package nsd")
			}
			t.Skip("nsd not installed (Debian package nsd)")
		}
		nsd = "/usr/sbin/nsd"
	}
	if testing.Short() {
		t.Skip("starts NSD servers")
	}
	cases, err := filepath.Glob("testdata/oracle/*/expect")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for _, exp := range cases {
		dir := filepath.Dir(exp)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			want := corpusField(t, dir, "status")
			q := strings.Fields(readFile(t, filepath.Join(dir, "query")))
			servers, redirect := startNSD(t, nsd, dir)
			v := &validator.Validator{
				Source: validator.NetSource{Servers: servers, Redirect: redirect, Timeout: 2 * time.Second},
			}
			if a, err := validator.ReadAnchorFile(filepath.Join(dir, "anchor.ds")); err == nil {
				v.Anchor = a
			} else if a, err := validator.ReadAnchorFile(filepath.Join(dir, "anchor.dnskey")); err == nil {
				v.Anchor = a
			}
			verdict, err := v.Validate(context.Background(), q[0], dns.StringToType[q[1]], at)
			if err != nil {
				t.Fatalf("validate over NSD: %v", err)
			}
			if verdict.Status.String() != want {
				t.Errorf("over NSD: %s (%s), want %s", verdict.Status, verdict.Reason, want)
			}
		})
	}
}

// startNSD starts one NSD per server address named by the zones' NS
// records and glue, each serving the zones whose servers live there, and
// returns the root servers' addresses and the map from each glue address
// (port 53) to where its NSD listens.
func startNSD(t *testing.T, nsd, dir string) ([]string, map[string]string) {
	t.Helper()
	zones, err := zonefile.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	addrOf := map[string][]string{} // nameserver name -> addresses
	for _, z := range zones {
		for _, rr := range z.Records {
			if a, ok := rr.(*dns.A); ok {
				n := strings.ToLower(a.Hdr.Name)
				addrOf[n] = appendUnique(addrOf[n], a.A.String())
			}
		}
	}
	served := map[string][]*zonefile.Zone{} // address -> zones
	for _, z := range zones {
		for _, rr := range z.Records {
			ns, ok := rr.(*dns.NS)
			if !ok || !strings.EqualFold(ns.Hdr.Name, z.Origin) {
				continue
			}
			for _, a := range addrOf[strings.ToLower(ns.Ns)] {
				if !containsZone(served[a], z) {
					served[a] = append(served[a], z)
				}
			}
		}
	}
	if len(served) == 0 {
		t.Skip("no glue addresses in this case")
	}
	port := freePort(t)
	redirect := map[string]string{}
	var roots []string
	addrs := make([]string, 0, len(served))
	for a := range served {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		ip := net.ParseIP(a)
		if ip == nil || !ip.IsLoopback() {
			t.Fatalf("glue address %s is not a loopback address", a)
		}
		listen := net.JoinHostPort(a, fmt.Sprint(port))
		runNSD(t, nsd, listen, served[a])
		redirect[net.JoinHostPort(a, "53")] = listen
		for _, z := range served[a] {
			if z.Origin == "." {
				roots = append(roots, listen)
			}
		}
	}
	return roots, redirect
}

func runNSD(t *testing.T, nsd, listen string, zones []*zonefile.Zone) {
	t.Helper()
	work := t.TempDir()
	host, port, _ := net.SplitHostPort(listen)
	var conf strings.Builder
	fmt.Fprintf(&conf, "server:\n  ip-address: %s@%s\n  port: %s\n  username: \"\"\n  chroot: \"\"\n", host, port, port)
	fmt.Fprintf(&conf, "  zonesdir: %q\n  pidfile: %q\n  database: \"\"\n  xfrdfile: %q\n  zonelistfile: %q\n",
		work, filepath.Join(work, "nsd.pid"), filepath.Join(work, "xfrd.state"), filepath.Join(work, "zone.list"))
	fmt.Fprintf(&conf, "  logfile: %q\n  server-count: 1\n  verbosity: 0\n  hide-version: yes\n  tcp-count: 10\n", filepath.Join(work, "nsd.log"))
	conf.WriteString("remote-control:\n  control-enable: no\n")
	for _, z := range zones {
		abs, err := filepath.Abs(z.File)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&conf, "zone:\n  name: %q\n  zonefile: %q\n", z.Origin, abs)
	}
	cf := filepath.Join(work, "nsd.conf")
	if err := os.WriteFile(cf, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nsd, "-d", "-c", cf)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// Wait until it answers for its first zone.
	c := &dns.Client{Timeout: 200 * time.Millisecond}
	m := new(dns.Msg)
	m.SetQuestion(zones[0].Origin, dns.TypeSOA)
	for i := 0; ; i++ {
		if r, _, err := c.Exchange(m, listen); err == nil && r.Rcode == dns.RcodeSuccess {
			return
		}
		if i == 50 {
			t.Fatalf("NSD on %s did not start:\n%s", listen, readFileOr(filepath.Join(work, "nsd.log")))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.LocalAddr().(*net.UDPAddr).Port
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func containsZone(list []*zonefile.Zone, z *zonefile.Zone) bool {
	for _, x := range list {
		if x == z {
			return true
		}
	}
	return false
}

func corpusField(t *testing.T, dir, key string) string {
	t.Helper()
	for _, line := range strings.Split(readFile(t, filepath.Join(dir, "expect")), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("%s/expect has no %s", dir, key)
	return ""
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readFileOr(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
