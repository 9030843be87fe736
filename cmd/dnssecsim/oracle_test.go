package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oracleDir holds the validator oracle corpus: hierarchies signed by BIND
// tools with the verdicts Unbound and BIND's delv gave (see its README).
const oracleDir = "../../validator/testdata/oracle"

// TestOracleCorpus runs every corpus case through the validate command
// exactly as the corpus README describes and compares the status.
func TestOracleCorpus(t *testing.T) {
	entries, err := os.ReadDir(oracleDir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(oracleDir, e.Name())
		n++
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			want := expectField(t, dir, "status")
			q, err := os.ReadFile(filepath.Join(dir, "query"))
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"validate", "--zones", dir, "--at", "2026-11-24T00:00:00Z", "--format", "json"}
			for _, a := range []string{"anchor.dnskey", "anchor.ds"} {
				if _, err := os.Stat(filepath.Join(dir, a)); err == nil {
					args = append(args, "--anchor", filepath.Join(dir, a))
					break
				}
			}
			args = append(args, strings.Fields(string(q))...)
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			var got struct {
				Status string `json:"status"`
				EDE    *int   `json:"ede"`
				Reason string `json:"reason"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("bad JSON: %v\n%s", err, stdout.String())
			}
			if got.Status != want {
				t.Errorf("status %s (%s), want %s\nnotes: %s\n%s", got.Status, got.Reason, want,
					readOr(filepath.Join(dir, "notes")), stdout.String())
			}
		})
	}
	if n < 40 {
		t.Fatalf("only %d corpus cases found", n)
	}
}

// expectField reads "key: value" from a case's expect file.
func expectField(t *testing.T, dir, key string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expect"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("%s/expect has no %s:", dir, key)
	return ""
}

func readOr(path string) string {
	b, _ := os.ReadFile(path)
	return strings.TrimSpace(string(b))
}
