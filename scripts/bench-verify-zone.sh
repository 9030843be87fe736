#!/usr/bin/env bash
# bench-verify-zone.sh: compare `dnssecsim verify-zone` with the zone
# verifiers of BIND (dnssec-verify), Knot (kzonecheck -d on) and ldns
# (ldns-verify-zone) on a zone of 100,000 names signed by BIND's
# dnssec-signzone with algorithm 13 (ECDSA P-256), once with NSEC and once
# with NSEC3 (no salt, 0 iterations).
#
# Every time is the whole-process wall time (parse + verify), the median of
# RUNS runs (default 3). The "crypto floor" is the least time any verifier
# on this machine needs to check every signature once:
#   signatures × (one crypto/ecdsa P-256 verification, from go test -bench) ÷ cores
# and dnssecsim's rate is reported as floor ÷ its time.
#
# Environment: RUNS (default 3), NAMES (default 100000), KEEP=1 keeps the
# temporary directory. Tools that are not installed are skipped. Debian
# packages: bind9-utils (dnssec-keygen, dnssec-signzone, dnssec-verify),
# knot-dnssecutils (kzonecheck), ldnsutils (ldns-verify-zone).
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
NAMES=${NAMES:-100000}
ORIGIN=bench.test
NPROC=$(nproc)

for tool in dnssec-keygen dnssec-signzone go awk; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench-verify-zone: $tool is required (dnssec-* are in Debian's bind9-utils)" >&2
		exit 1
	fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-verify-zone.XXXXXX")
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT

echo "== building the zone ($NAMES names) in $TMP"
{
	printf '$TTL 3600\n'
	printf '%s. 3600 IN SOA ns1.%s. hostmaster.%s. 1 7200 3600 1209600 3600\n' "$ORIGIN" "$ORIGIN" "$ORIGIN"
	printf '%s. 3600 IN NS ns1.%s.\n' "$ORIGIN" "$ORIGIN"
	printf 'ns1.%s. 3600 IN A 192.0.2.1\n' "$ORIGIN"
	awk -v n="$NAMES" -v o="$ORIGIN" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "name%05d.%s. 3600 IN A 10.%d.%d.%d\n", i, o, int(i / 65536) % 256, int(i / 256) % 256, i % 256
	}'
} >"$TMP/$ORIGIN.zone"

echo "== generating keys and signing (dnssec-signzone)"
dnssec-keygen -q -K "$TMP" -a ECDSAP256SHA256 -f KSK -n ZONE "$ORIGIN" >/dev/null
dnssec-keygen -q -K "$TMP" -a ECDSAP256SHA256 -n ZONE "$ORIGIN" >/dev/null
# -P: no post-signing verification (dnssec-verify is timed below); -t: statistics
# (the number of signatures); -d: the dsset file goes to $TMP, not the cwd;
# validity: from an hour ago for 30 days.
sign() { # sign OUTFILE [extra dnssec-signzone arguments...]
	local out=$1
	shift
	dnssec-signzone -P -S -t -K "$TMP" -d "$TMP" -o "$ORIGIN" -s now-3600 -e now+2592000 \
		-f "$out" "$@" "$TMP/$ORIGIN.zone" >"$out.log" 2>&1 || {
		cat "$out.log" >&2
		exit 1
	}
	awk -F': *' '/Signatures generated/ { print $2 }' "$out.log"
}
SIGS_NSEC=$(sign "$TMP/nsec.zone")
SIGS_NSEC3=$(sign "$TMP/nsec3.zone" -3 - -H 0)
AT=$(date -u +%Y%m%d%H%M%S) # inside the validity window
echo "signatures: NSEC $SIGS_NSEC, NSEC3 $SIGS_NSEC3"

echo "== building dnssecsim"
go build -o "$TMP/dnssecsim" ./cmd/dnssecsim

# The least of three measurements: the cost on an otherwise idle machine.
echo "== measuring one ECDSA P-256 verification (go test -bench, best of 3)"
VERIFY_NS=$(go test -run '^$' -bench 'ECDSAP256Verify' -count 3 ./validator/audit/ |
	awk '/^BenchmarkECDSAP256Verify/ { if (min == "" || $3 < min) min = $3 } END { print min }')
if [ -z "$VERIFY_NS" ]; then
	echo "bench-verify-zone: could not measure the ECDSA verification cost" >&2
	exit 1
fi
echo "one verification: $VERIFY_NS ns; cores: $NPROC"

# The machine may be shared: wall() also measures the CPU time that other
# processes used while CMD ran (all busy CPU time from /proc/stat minus the
# CPU time of CMD), so that a busy machine shows in the report.
HZ=$(getconf CLK_TCK)
busy_seconds() { awk -v hz="$HZ" '/^cpu / { printf "%.2f\n", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }
# children_seconds FILE: user + system seconds of the finished children, from
# the output of the times builtin (run in the shell itself, not a subshell).
children_seconds() {
	awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] } printf "%.2f\n", t }' "$1"
}

# wall CMD...: runs CMD once and prints its wall time in seconds. A non-zero
# exit status is recorded in $TMP/failures, the CPU time other processes
# used meanwhile in $TMP/other (labelled $LABEL).
wall() {
	local start end b0 b1 rc=0
	times >"$TMP/times0"
	b0=$(busy_seconds)
	start=$EPOCHREALTIME
	"$@" >"$TMP/last.out" 2>&1 || rc=$?
	end=$EPOCHREALTIME
	times >"$TMP/times1"
	b1=$(busy_seconds)
	if [ "$rc" != 0 ]; then
		echo "$* exited with status $rc: $(head -c 300 "$TMP/last.out" | tr '\n' ' ')" >>"$TMP/failures"
	fi
	awk -v l="$LABEL" -v b="$(awk -v a="$b0" -v z="$b1" 'BEGIN { print z - a }')" \
		-v c0="$(children_seconds "$TMP/times0")" -v c1="$(children_seconds "$TMP/times1")" \
		'BEGIN { o = b - (c1 - c0); if (o < 0) o = 0; printf "%s %.2f\n", l, o }' >>"$TMP/other"
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }'
}

# median CMD...: the median wall time of RUNS runs.
median() {
	local i times=()
	for ((i = 0; i < RUNS; i++)); do
		times+=("$(wall "$@")")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END {
		if (NR % 2) print t[(NR + 1) / 2]; else printf "%.2f\n", (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

declare -A RESULT
TOOLS=(dnssecsim dnssec-verify kzonecheck ldns-verify-zone)
run_tool() { # run_tool TOOL ZONEFILE
	local tool=$1 file=$2
	case $tool in
	dnssecsim) median "$TMP/dnssecsim" verify-zone --at "$AT" "$file" ;;
	dnssec-verify) median dnssec-verify -o "$ORIGIN" "$file" ;;
	kzonecheck) median kzonecheck -o "$ORIGIN" -d on "$file" ;;
	ldns-verify-zone) median ldns-verify-zone "$file" ;;
	esac
}
for tool in "${TOOLS[@]}"; do
	bin=$tool
	[ "$tool" = dnssecsim ] && bin="$TMP/dnssecsim"
	if ! command -v "$bin" >/dev/null; then
		echo "== $tool: not installed, skipped"
		RESULT[$tool/NSEC]="-"
		RESULT[$tool/NSEC3]="-"
		continue
	fi
	for kind in NSEC NSEC3; do
		file="$TMP/nsec.zone"
		[ "$kind" = NSEC3 ] && file="$TMP/nsec3.zone"
		echo "== $tool, $kind zone, $RUNS runs"
		LABEL="$tool/$kind"
		RESULT[$tool/$kind]=$(run_tool "$tool" "$file")
	done
done

floor() { awk -v s="$1" -v ns="$VERIFY_NS" -v c="$NPROC" 'BEGIN { printf "%.2f", s * ns / 1e9 / c }'; }
pct() { awk -v f="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.0f%%", 100 * f / t; else print "-" }'; }
FLOOR_NSEC=$(floor "$SIGS_NSEC")
FLOOR_NSEC3=$(floor "$SIGS_NSEC3")

echo
printf 'zone: %d names, algorithm 13, signed by %s; median of %d runs; %d cores\n' \
	"$NAMES" "$(dnssec-signzone -V 2>&1 | head -1)" "$RUNS" "$NPROC"
printf '%-18s %12s %12s\n' tool "NSEC (s)" "NSEC3 (s)"
for tool in "${TOOLS[@]}"; do
	printf '%-18s %12s %12s\n' "$tool" "${RESULT[$tool/NSEC]}" "${RESULT[$tool/NSEC3]}"
done
printf '%-18s %12s %12s\n' signatures "$SIGS_NSEC" "$SIGS_NSEC3"
printf '%-18s %12s %12s\n' "crypto floor (s)" "$FLOOR_NSEC" "$FLOOR_NSEC3"
printf '%-18s %12s %12s\n' "dnssecsim/floor" "$(pct "$FLOOR_NSEC" "${RESULT[dnssecsim/NSEC]}")" \
	"$(pct "$FLOOR_NSEC3" "${RESULT[dnssecsim/NSEC3]}")"
printf '(crypto floor = signatures x %s ns per P-256 verification / %d cores)\n' "$VERIFY_NS" "$NPROC"
other() { # other LABEL: CPU seconds other processes used during LABEL's runs
	awk -v l="$1" '$1 == l { t += $2; n++ } END { if (n) printf "%.1f", t; else print "-" }' "$TMP/other" 2>/dev/null || echo -
}
echo
echo "CPU seconds used by other processes while each tool ran (all runs; near 0 on an idle machine):"
for tool in "${TOOLS[@]}"; do
	printf '%-18s %12s %12s\n' "$tool" "$(other "$tool/NSEC")" "$(other "$tool/NSEC3")"
done
if [ -s "$TMP/failures" ]; then
	echo
	echo "non-zero exits (the times above include these runs):"
	sort -u "$TMP/failures"
fi
