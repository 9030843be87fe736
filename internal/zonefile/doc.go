// Package zonefile reads RFC 1035 master files into records.
package zonefile
