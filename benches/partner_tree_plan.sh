#!/usr/bin/env bash
# `acronis-reports plan` over a partner tree, timed: the issue's scale, 5,000 customer tenants
# under 50 partners with two monthly reports each, beside 1,000 customers (10 partners), to
# show that memory grows with the plan and not beyond it.
#
# For each size: a seed file (benches/partner_tree.py seed: the tree
# Emulator::seed_partner_tree makes), `acronis-reports emulator --seed` started with it, a
# desired-state file of two selector entries (`tenants_under` the top, usage_summary and
# usage_daily) that matches every report, then `acronis-reports plan FILE --concurrency N`
# for each N, timed with /usr/bin/time (wall, CPU, peak RSS of the CLI process). Each run must
# print "No changes." and send exactly the listing's pages (of 5,000, the emulator's default),
# one listing of reports per customer and one fetch per report, counted by the emulator's
# admin interface (GET /__admin/requests: those it keeps, and those it dropped); otherwise the
# script fails. Then prints a table, ratios first.
#
# Usage: benches/partner_tree_plan.sh [PARTNERS...] [--customers N] [--concurrency "1 4 8 32"]
#                                     [--repeat N] [--debug]
#   PARTNERS       the sizes, in partners under the top (default: 10 50)
#   --customers N  customers under each partner (default 100)
#   --concurrency  the values of --concurrency, in quotes (default "1 4 8 32"; 4 is the tool's own default)
#   --repeat N     runs of each, alternating the concurrencies, the best kept (default 3)
#   --debug        the debug build instead of the release one (a smoke run, as in CI)
# Needs python3 (standard library only); without /usr/bin/time, bash's time gives the times
# and peak memory is not measured. Files in target/partner-tree/.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=()
customers=100
concurrencies="1 4 8 32"
repeat=3
profile=release
while [ $# -gt 0 ]; do
    case $1 in
        --customers) customers=${2:?--customers N}; shift ;;
        --concurrency) concurrencies=${2:?--concurrency \"N...\"}; shift ;;
        --repeat) repeat=${2:?--repeat N}; shift ;;
        --debug) profile=debug ;;
        -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
        [0-9]*) sizes+=("$1") ;;
        *) echo "partner_tree_plan.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10 50)
notes=()
if [ ! -x /usr/bin/time ]; then
    notes+=("no /usr/bin/time (Debian's package time): peak memory not measured")
fi

# One run of "$@", its output in plan.out and plan.err: "wall user system KiB" in time.txt
# (KiB "-" without /usr/bin/time).
measure() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$@" >"$work/plan.out" 2>"$work/plan.err"
    else
        local TIMEFORMAT='%R %U %S -'
        { time "$@" >"$work/plan.out" 2>"$work/plan.err"; } 2>"$work/time.txt"
    fi
}

target=${CARGO_TARGET_DIR:-$PWD/target}
work=$target/partner-tree
mkdir -p "$work"
if [ "$profile" = release ]; then
    cargo build --quiet --release --features cli --bin acronis-reports
else
    cargo build --quiet --features cli --bin acronis-reports
fi
cli=$target/$profile/acronis-reports
helper=benches/partner_tree.py
root=7ee00001-0000-4000-8000-000000000000
python3 "$helper" desired "$root" >"$work/desired.toml"

emulator_pid=
stop_emulator() {
    if [ -n "$emulator_pid" ]; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
        emulator_pid=
    fi
}
trap stop_emulator EXIT

# Results, one row per size and concurrency.
declare -a row_size row_n row_wall row_cpu row_mem row_requests row_expected
stamp=$(cksum <"$helper" | cut -d' ' -f1)
for partners in "${sizes[@]}"; do
    total_customers=$((partners * customers))
    reports=$((total_customers * 2))
    tenants=$((1 + partners + total_customers))
    pages=$(((tenants + 4999) / 5000))
    expected=$((pages + total_customers + reports))

    seed=$work/seed-$partners-$customers-$stamp.json
    if [ ! -s "$seed" ]; then
        rm -f "$work"/seed-"$partners"-"$customers"-*.json
        python3 "$helper" seed "$partners" "$customers" >"$seed.tmp"
        mv "$seed.tmp" "$seed"
    fi
    echo "$total_customers customers: starting the emulator ..." >&2
    "$cli" --json emulator --seed "$seed" >"$work/banner.json" 2>"$work/emulator.err" &
    emulator_pid=$!
    base=$(python3 "$helper" base-url "$work/banner.json")
    admin=${base%/api/2}/__admin

    declare -A wall=() cpu=() mem=() seen=()
    for ((round = 1; round <= repeat; round++)); do
        for n in $concurrencies; do
            echo "round $round/$repeat: $total_customers customers, --concurrency $n" >&2
            python3 "$helper" clear "$admin"
            ACRONIS_BASE_URL=$base ACRONIS_TOKEN=emulator-token \
                measure "$cli" plan "$work/desired.toml" --concurrency "$n" || true
            if ! grep -qx "No changes. $reports unchanged, 0 unmanaged." "$work/plan.out"; then
                echo "FAIL: the plan did not find its $reports reports unchanged:" >&2
                cat "$work/plan.out" "$work/plan.err" >&2
                exit 1
            fi
            read -r requests kinds < <(python3 "$helper" requests "$admin")
            if [ "$requests" != "$expected" ] || [[ $kinds != *other=0 ]]; then
                echo "FAIL: $requests requests ($kinds), not $pages listing pages +" \
                    "$total_customers + $reports reads = $expected" >&2
                exit 1
            fi
            seen[$n]="$requests (those the emulator kept: $kinds)"
            read -r w u s m <"$work/time.txt"
            c=$(awk "BEGIN {printf \"%.2f\", $u + $s}")
            if [ -z "${wall[$n]:-}" ] || awk "BEGIN {exit !($w < ${wall[$n]})}"; then wall[$n]=$w; fi
            if [ -z "${cpu[$n]:-}" ] || awk "BEGIN {exit !($c < ${cpu[$n]})}"; then cpu[$n]=$c; fi
            if [ -z "${mem[$n]:-}" ] || [ "$m" = - ] || [ "$m" -lt "${mem[$n]}" ]; then mem[$n]=$m; fi
        done
    done
    stop_emulator
    for n in $concurrencies; do
        row_size+=("$total_customers") row_n+=("$n") row_wall+=("${wall[$n]}")
        row_cpu+=("${cpu[$n]}") row_mem+=("${mem[$n]}") row_requests+=("${seen[$n]}")
        row_expected+=("$pages + $total_customers + $reports")
    done
    unset wall cpu mem seen
done

cpu_model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
echo
echo "acronis-reports plan over a partner tree (two selector entries, two reports a customer);" \
    "$(nproc) cores (${cpu_model:-unknown CPU}), $(date -u +%Y-%m-%d); $profile build;" \
    "the emulator on the same machine; best of $repeat alternating runs"
echo "every run: \"No changes.\", and exactly the listing pages + one listing per customer +" \
    "one fetch per report"
echo
for note in "${notes[@]}"; do echo "note: $note"; done
printf '| %9s | %11s | %16s | %7s | %7s | %10s | %-24s |\n' customers concurrency \
    "wall / wall at 1" wall CPU "peak RSS" "requests (expected)"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ----------: ------------: -----------------: --------: \
    --------: -----------: --------------------------
first=0
for i in "${!row_size[@]}"; do
    if [ "$i" -gt 0 ] && [ "${row_size[$i]}" != "${row_size[$((i - 1))]}" ]; then first=$i; fi
    memory=${row_mem[$i]}
    [ "$memory" != - ] && memory=$(awk "BEGIN {printf \"%.1f MiB\", $memory / 1024}")
    printf '| %9s | %11s | %16s | %5.2f s | %5.2f s | %10s | %-24s |\n' "${row_size[$i]}" \
        "${row_n[$i]}" "$(awk "BEGIN {printf \"%.2f\", ${row_wall[$i]} / ${row_wall[$first]}}")" \
        "${row_wall[$i]}" "${row_cpu[$i]}" "$memory" \
        "${row_requests[$i]%% *} (${row_expected[$i]})"
done
echo
for i in "${!row_size[@]}"; do
    echo "${row_size[$i]} customers, --concurrency ${row_n[$i]}: requests ${row_requests[$i]}"
done
# Memory against the plan's size: the largest size's peak RSS over the smallest's, at each
# concurrency.
last=$((${#row_size[@]} - 1))
if [ "${row_size[0]}" != "${row_size[$last]}" ] && [ "${row_mem[0]}" != - ]; then
    echo
    per=$(echo "$concurrencies" | wc -w)
    for ((j = 0; j < per; j++)); do
        small=$j big=$((last - per + 1 + j))
        echo "peak RSS at ${row_size[$big]} / at ${row_size[$small]} customers," \
            "--concurrency ${row_n[$j]}: $(awk "BEGIN {printf \"%.2f\", ${row_mem[$big]} / ${row_mem[$small]}}")" \
            "(the plan: $(awk "BEGIN {printf \"%.1f\", ${row_size[$big]} / ${row_size[$small]}}") times as many reports)"
    done
fi
