package audit

import (
	"strconv"
	"strings"
)

// Owner names are handled as canonical sort keys (RFC 4034 §6.1): the
// labels of the name from the rightmost to the leftmost, each lowercased
// (US-ASCII only), its octets 0x00 and 0x01 escaped as 0x01 0x01 and
// 0x01 0x02, and each label followed by a 0x00 terminator. Comparing two keys
// as strings then compares the names canonically, a name's key is a prefix
// of the keys of all its descendants (at a label boundary, as 0x00 only
// appears as a terminator), and the root has the empty key.

// nameKey returns the canonical key of a presentation-format name (escapes
// \X and \DDD allowed, trailing dot optional). ok is false for a malformed
// name: an empty label, a label over 63 octets, a bad escape or a name over
// 255 octets in wire form.
func nameKey(name string) (key string, ok bool) {
	if name == "." || name == "" {
		return "", name == "."
	}
	var (
		raw   [255]byte // label octets, leftmost label first, back to back
		ends  [128]int  // end offset in raw of each label
		n     int       // labels
		off   int       // used octets in raw
		start int       // start of the current label in raw
		wire  = 1       // wire length: the root octet
	)
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.':
			l := off - start
			if l == 0 || l > 63 || n == len(ends) {
				return "", false
			}
			ends[n] = off
			n++
			wire += 1 + l
			start = off
			continue
		case c == '\\':
			if i+1 >= len(name) {
				return "", false
			}
			if isDigit(name[i+1]) {
				if i+3 >= len(name) || !isDigit(name[i+2]) || !isDigit(name[i+3]) {
					return "", false
				}
				v := int(name[i+1]-'0')*100 + int(name[i+2]-'0')*10 + int(name[i+3]-'0')
				if v > 255 {
					return "", false
				}
				c = byte(v)
				i += 3
			} else {
				c = name[i+1]
				i++
			}
		}
		if off == len(raw) {
			return "", false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		raw[off] = c
		off++
	}
	if off > start { // no trailing dot: close the last label
		l := off - start
		if l > 63 || n == len(ends) {
			return "", false
		}
		ends[n] = off
		n++
		wire += 1 + l
	}
	if wire > 255 {
		return "", false
	}
	var b strings.Builder
	b.Grow(off + n + 4)
	for j := n - 1; j >= 0; j-- {
		s := 0
		if j > 0 {
			s = ends[j-1]
		}
		for _, c := range raw[s:ends[j]] {
			if c <= 1 {
				b.WriteByte(1)
				c++
			}
			b.WriteByte(c)
		}
		b.WriteByte(0)
	}
	return b.String(), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// keyBelow reports whether the name with key child is strictly below the
// name with key parent.
func keyBelow(child, parent string) bool {
	return len(child) > len(parent) && child[:len(parent)] == parent
}

// keyAtOrBelow reports whether child is parent or below it.
func keyAtOrBelow(child, parent string) bool {
	return len(child) >= len(parent) && child[:len(parent)] == parent
}

// keyLabels counts the labels of a key.
func keyLabels(key string) int { return strings.Count(key, "\x00") }

// keyParent returns the key of the parent name ("" for a top-level name).
func keyParent(key string) string {
	if key == "" {
		return ""
	}
	i := strings.LastIndexByte(key[:len(key)-1], 0)
	return key[:i+1]
}

// keyLabelsOf returns the raw (unescaped) labels of a key, rightmost first.
func keyLabelsOf(key string) [][]byte {
	var out [][]byte
	var cur []byte
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch c {
		case 0:
			out = append(out, cur)
			cur = nil
		case 1:
			i++
			cur = append(cur, key[i]-1)
		default:
			cur = append(cur, c)
		}
	}
	return out
}

// keyWire appends the uncompressed wire form of the (lowercase) name with
// key to b.
func keyWire(b []byte, key string) []byte {
	labels := keyLabelsOf(key)
	for i := len(labels) - 1; i >= 0; i-- {
		b = append(b, byte(len(labels[i])))
		b = append(b, labels[i]...)
	}
	return append(b, 0)
}

// keyName returns the presentation form of the name with key, lowercased
// and fully qualified.
func keyName(key string) string {
	labels := keyLabelsOf(key)
	if len(labels) == 0 {
		return "."
	}
	var b strings.Builder
	for i := len(labels) - 1; i >= 0; i-- {
		for _, c := range labels[i] {
			switch {
			case c == '.' || c == '\\' || c == '(' || c == ')' || c == ';' || c == '@' || c == '"' || c == '$':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x21 || c > 0x7e:
				b.WriteByte('\\')
				s := strconv.Itoa(int(c))
				b.WriteString(strings.Repeat("0", 3-len(s)))
				b.WriteString(s)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('.')
	}
	return b.String()
}
