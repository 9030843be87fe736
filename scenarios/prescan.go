package scenarios

import "fmt"

// maxNesting bounds the nesting of flow collections ([...], {...}) and of
// block sequences opened on one line ("- - - x") in a scenario file.
// Scenario files nest a few levels deep; the YAML parser takes time that
// grows faster than linearly with nesting, so deeper input is refused before
// it reaches the parser.
const maxNesting = 16

// checkNesting scans data roughly as YAML (quoted strings and comments are
// skipped; block scalars are not recognised, which can only make it stricter
// about brackets written inside them) and reports the first place nested
// deeper than maxNesting.
func checkNesting(data []byte, file string) error {
	line, col := 1, 0
	depth := 0
	var quote byte    // the open quote, or 0
	lineStart := true // only spaces and sequence dashes so far on this line
	dashes := 0
	prev := byte('\n')
	for i := 0; i < len(data); i++ {
		c := data[i]
		col++
		if c == '\n' {
			line, col = line+1, 0
			lineStart, dashes = true, 0
			prev = c
			continue
		}
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case quote == '"':
			if c == '\\' && i+1 < len(data) && data[i+1] != '\n' {
				i++
				col++
			} else if c == '"' {
				quote = 0
			}
		case c == '#' && (prev == ' ' || prev == '\t' || prev == '\n'):
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[' || c == '{':
			depth++
			if depth > maxNesting {
				return &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf("expected lists and mappings nested at most %d deep, found deeper nesting", maxNesting)}
			}
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
		case lineStart && (c == '-' || c == '?') && (i+1 == len(data) || data[i+1] == ' ' || data[i+1] == '\n'):
			dashes++
			if dashes > maxNesting {
				return &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf("expected lists nested at most %d deep, found deeper nesting", maxNesting)}
			}
		}
		if c != ' ' && c != '\t' && c != '-' && c != '?' {
			lineStart = false
		}
		prev = c
	}
	return nil
}
