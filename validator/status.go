package validator

import "fmt"

// Status is the security status of an answer (RFC 4033 §5). The order of the
// constants is the order of trust used when statuses are combined along a
// CNAME chain: the combined status is the smallest, so one Bogus link makes
// the answer Bogus and one Insecure link makes a Secure answer Insecure.
type Status uint8

const (
	// Bogus: a trust anchor covers the name but validation failed.
	Bogus Status = iota
	// Indeterminate: no trust anchor covers the name (or no validation was done).
	Indeterminate
	// Insecure: a delegation on the path provably has no usable DS, and every
	// level above it validated.
	Insecure
	// Secure: an unbroken chain of signatures from the anchor to the answer.
	Secure
)

var statusNames = [...]string{Bogus: "Bogus", Indeterminate: "Indeterminate", Insecure: "Insecure", Secure: "Secure"}

// String returns the RFC 4033 name of the status.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// MarshalText encodes the status as its name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a status name.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("validator: unknown status %q", b)
}

// ParseStatus returns the status named name.
func ParseStatus(name string) (Status, error) {
	var s Status
	err := s.UnmarshalText([]byte(name))
	return s, err
}
