#!/usr/bin/env bash
# results-table.sh: the README's "Results" table. For every built-in
# scenario (`dnssecsim run --list`) it runs
#   dnssecsim run NAME --worst-case --format json
# with the scenario's own population (1,000 caches, half unbound, half bind,
# even ages, unless the scenario says otherwise) and prints one markdown row:
# the worst case of each validating profile of the population (the longest
# Bogus stretch any cache can have, proven over every cache phase: "never",
# a duration, or "at least" a duration when the search stopped at its
# budget), then the sampled population's Bogus cache-seconds and caches, the
# longest Insecure stretch of any cache, how many caches were ever Insecure,
# and the first and last instant any cache was Insecure (from the
# scenario's epoch).
#
# Needs Go and jq. Usage: scripts/results-table.sh > table.md
set -euo pipefail

cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/dnssecsim" ./cmd/dnssecsim

echo "| scenario | worst-case Bogus (every cache phase) | sampled Bogus cache-seconds | sampled Bogus caches | longest Insecure | caches ever Insecure | first Insecure | last Insecure |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for name in $("$bin/dnssecsim" run --list); do
	"$bin/dnssecsim" run "$name" --worst-case --format json | jq -r --arg name "$name" '
		# span: seconds as "3d 0h 59m 32s", without leading or trailing zero units
		def span:
			(. + 0.5 | floor) as $t
			| if $t == 0 then "0s" else
				[[($t / 86400 | floor), "d"], [($t % 86400 / 3600 | floor), "h"],
				 [($t % 3600 / 60 | floor), "m"], [($t % 60), "s"]] as $u
				| ([range(0; 4) | select($u[.][0] > 0)] | first) as $f
				| ([range(0; 4) | select($u[.][0] > 0)] | last) as $l
				| [range($f; $l + 1) | "\($u[.][0])\($u[.][1])"] | join(" ")
			end;
		def at: if . == null then "-" else "+" + span end;
		def worst:
			[.worst_case | to_entries[] | .key as $p | .value
			 | "\($p): " + (if .bogus then (if .complete then "" else "at least " end) + (.max_bogus_seconds | span)
			               elif .complete then "never" else "not proven" end)]
			| join(", ");
		.metrics.Bogus as $b | .metrics.Insecure as $i
		| "| `\($name)` | \(worst) | \($b.cache_seconds | floor) | \($b.caches) | \(if $i.caches == 0 then "-" else ($i.max_seconds | span) end) | \($i.caches) | \($i.first_seconds | at) | \($i.last_seconds | at) |"'
done
