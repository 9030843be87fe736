package validator

import "testing"

// TestNameCanonical: escaped capitals are lowercased like plain ones
// (RFC 4034 §6.2), so NSEC3 hashes match what servers compute.
func TestNameCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"WWW.Example.TEST.", "www.example.test."},
		{`\065bc.example.`, "abc.example."},
		{`a\.b.example.`, `a\.b.example.`},
		{".", "."},
	} {
		if got := nameCanonical(tc.in); got != tc.want {
			t.Errorf("nameCanonical(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
