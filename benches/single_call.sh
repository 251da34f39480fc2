#!/usr/bin/env bash
# The single call, counted: the client instructions of one SDK `update_report` (patch, PUT,
# parse, verify) and of one bare ureq `PUT` (the body read, not parsed), against the loopback
# server of examples/load.rs, under valgrind --tool=callgrind. Instruction counts, unlike
# times, do not change with what else the machine is doing.
#
# Each client runs twice, N1 and N2 calls (`load N --only sdk|bare`: nothing else), and its
# instructions per call are (I(N2) - I(N1)) / (N2 - N1), so that start-up, the first
# connection and the client's construction cancel out. Only the main thread is counted
# (--separate-threads=yes): the server runs on threads of its own. Then the ratio SDK / bare,
# and, from one run of `load N --sequential-only` (the clients alternating in blocks, the best
# block of each kept), the wall and CPU time per call beside it.
#
# Usage: benches/single_call.sh [--calls "N1 N2"] [--wall N] [--annotate]
#   --calls "N1 N2"  the two run lengths (default "500 2500")
#   --wall N         calls per client of the timed run (default 5000; 0: no timed run)
#   --annotate       also print the SDK's costliest functions, inclusive, per call
#                    (callgrind_annotate of the longer run, divided by its number of calls)
# Needs valgrind (on Debian or Ubuntu: apt-get install valgrind; it is not installed here).
# Builds the example with the release profile, line tables and symbols kept (for
# --annotate; the code is the same), in a target directory of its own: target/single-call.
set -euo pipefail
cd "$(dirname "$0")/.."

calls="500 2500"
wall=5000
annotate=0
while [ $# -gt 0 ]; do
    case $1 in
        --calls) calls=${2:?--calls \"N1 N2\"}; shift ;;
        --wall) wall=${2:?--wall N}; shift ;;
        --annotate) annotate=1 ;;
        -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "single_call.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
read -r n1 n2 <<<"$calls"
if [ -z "${n2:-}" ] || [ "$n2" -le "$n1" ]; then
    echo "single_call.sh: --calls takes two run lengths, the second longer" >&2
    exit 2
fi
if ! command -v valgrind >/dev/null; then
    echo "single_call.sh: needs valgrind (callgrind counts the instructions)." >&2
    echo "  Debian, Ubuntu: sudo apt-get install valgrind; Fedora: sudo dnf install valgrind" >&2
    exit 1
fi

target=${CARGO_TARGET_DIR:-$PWD/target}/single-call
work=$target/callgrind
mkdir -p "$work"
CARGO_TARGET_DIR=$target CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
    CARGO_PROFILE_RELEASE_STRIP=none cargo build --quiet --release --example load
load=$target/release/examples/load

# The instructions of the main thread of `load N --only CLIENT`; its callgrind file is kept
# as $work/CLIENT-N.out.
instructions() {
    local client=$1 n=$2 out
    rm -f "$work/$client-$n".*
    valgrind --tool=callgrind --separate-threads=yes \
        --callgrind-out-file="$work/$client-$n.%p" "$load" "$n" --only "$client" \
        >/dev/null 2>"$work/$client-$n.log" || {
        echo "FAIL: load $n --only $client under callgrind:" >&2
        tail -5 "$work/$client-$n.log" >&2
        exit 1
    }
    out=$(ls "$work/$client-$n".*-01)
    mv "$out" "$work/$client-$n.out"
    rm -f "$work/$client-$n".*-[0-9][0-9]
    awk '/^(summary|totals):/ {print $2; exit}' "$work/$client-$n.out"
}

declare -A per_call
for client in sdk bare; do
    echo "callgrind: $client, $n1 and $n2 calls ..." >&2
    a=$(instructions "$client" "$n1")
    b=$(instructions "$client" "$n2")
    per_call[$client]=$(((b - a) / (n2 - n1)))
done

cpu_model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
echo
echo "client instructions per update, (I($n2) - I($n1)) / $((n2 - n1)), the main thread only;" \
    "$(valgrind --version), $(rustc --version | cut -d' ' -f1-2);" \
    "$(nproc) cores (${cpu_model:-unknown CPU}), $(date -u +%Y-%m-%d)"
echo
printf '| %-52s | %22s | %12s |\n' client "instructions per update" "÷ bare ureq"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "------------------------" "--------------"
printf '| %-52s | %22s | %12s |\n' "SDK update_report (patch, PUT, parse, verify)" \
    "$(printf "%'d" "${per_call[sdk]}")" \
    "$(awk "BEGIN {printf \"%.2f\", ${per_call[sdk]} / ${per_call[bare]}}")"
printf '| %-52s | %22s | %12s |\n' "bare ureq PUT, default agent (read the body)" \
    "$(printf "%'d" "${per_call[bare]}")" "1.00"

if [ "$annotate" = 1 ]; then
    echo
    echo "the SDK's costliest functions, inclusive, instructions per call ($n2 calls):"
    # The frames every call is under (main, the runtime's) left out; paths shortened.
    callgrind_annotate --inclusive=yes "$work/sdk-$n2.out" 2>/dev/null |
        awk -v n="$n2" '/^ *[0-9,]+ / {
            count = $1; gsub(",", "", count); $1 = ""
            sub(/^ *\( *[0-9.]+%\) */, "")
            if ($0 ~ /PROGRAM TOTALS|ld-linux|libc-start|below main|:main |lang_start|backtrace|load::main/) next
            printf "%8.0f  %s\n", count / n, $0
        }' | sed "s|$PWD/||g; s|[^ ]*/\.cargo/registry/src/[^/]*/||g; s|/rustc/[0-9a-f]*/||g" |
        sed 's| \[[^]]*\]$||' | cut -c1-150 | head -40 || true
fi

if [ "$wall" -gt 0 ]; then
    echo
    echo "wall and CPU time per call, one run of load $wall --sequential-only (blocks alternating):"
    "$load" "$wall" --sequential-only
fi
