#!/usr/bin/env bash
# The CLI's billing of a large usage file beside its peers, timed in one run: the floor
# (`gzip -dc FILE.gz | wc -l`, decompression alone), `acronis-reports usage --billing FILE.gz`
# (and the same uncompressed, and the table and --json views of the uncompressed file),
# Python's csv module and pandas applying the same rule (benches/usage_peers.py). Checks that
# the CLI, Python and pandas agree on every total, then prints a table, ratios first.
#
# The file: LargeUsageFile of the emulator (examples/usage_file.rs), a fixed seed, 5,000
# tenants, partners and customers, the vendor's usage names, storage on three backends;
# ROWS rows (3,000,000 by default, about 500 MB, 70 MB gzip), kept in target/usage-peers/.
#
# Usage: benches/usage_peers.sh [ROWS] [--repeat N] [--debug] [--no-install]
#   --repeat N    runs of each job, alternating the jobs, the best kept (default 3)
#   --debug       the debug build instead of the release one (a smoke run, as in CI)
#   --no-install  no venv for pandas when python3 lacks it: pandas is skipped
# pandas comes from python3 if it has it, else from a venv in target/usage-peers/venv
# (pip, from PyPI); never installed for the machine. Without python3 or pandas, their rows
# are skipped with a note. Times are CPU (user + system, children included) and wall, from
# /usr/bin/time when there is one (with peak memory), else from bash's time.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=3000000
repeat=3
profile=release
install=1
while [ $# -gt 0 ]; do
    case $1 in
        --repeat) repeat=${2:?--repeat N}; shift ;;
        --debug) profile=debug ;;
        --no-install) install=0 ;;
        -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
        [0-9]*) rows=$1 ;;
        *) echo "usage_peers.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

target=${CARGO_TARGET_DIR:-$PWD/target}
work=$target/usage-peers
mkdir -p "$work"
if [ "$profile" = release ]; then
    cargo build --quiet --release --features cli --bin acronis-reports --example usage_file
else
    cargo build --quiet --features cli --bin acronis-reports --example usage_file
fi
cli=$target/$profile/acronis-reports

# The file, made again when the generator changed (its source's hash is in the name).
stamp=$(cat emulator/src/large_usage.rs examples/usage_file.rs | cksum | cut -d' ' -f1)
csv=$work/usage-$rows-$stamp.csv
if [ ! -s "$csv.gz" ]; then
    rm -f "$work"/usage-"$rows"-*.csv "$work"/usage-"$rows"-*.csv.gz
    echo "making $rows rows ..." >&2
    "$target/$profile/examples/usage_file" "$rows" >"$csv.tmp"
    gzip -6 -c "$csv.tmp" >"$csv.gz.tmp"
    mv "$csv.tmp" "$csv"
    mv "$csv.gz.tmp" "$csv.gz"
fi

# Python and pandas, where they can be had.
python=
pandas_python=
notes=()
if command -v python3 >/dev/null; then
    python=python3
    if python3 -c 'import pandas' 2>/dev/null; then
        pandas_python=python3
    elif [ "$install" = 1 ]; then
        venv=$work/venv
        if ! "$venv/bin/python" -c 'import pandas' 2>/dev/null; then
            echo "installing pandas in $venv ..." >&2
            if python3 -m venv --clear "$venv" >&2 &&
                "$venv/bin/python" -m pip install --quiet --disable-pip-version-check pandas >&2; then
                :
            else
                notes+=("pandas: could not be installed in a venv (no PyPI?): skipped")
            fi
        fi
        "$venv/bin/python" -c 'import pandas' 2>/dev/null && pandas_python=$venv/bin/python
    else
        notes+=("pandas: python3 has no pandas and --no-install was given: skipped")
    fi
else
    notes+=("Python csv and pandas: no python3: skipped")
fi

# The jobs: name, where its output goes, the command.
names=() outs=() commands=()
job() { names+=("$1"); outs+=("$2"); commands+=("$3"); }
job "gzip -dc FILE.gz | wc -l" "$work/out-floor.txt" "gzip -dc '$csv.gz' | wc -l"
job "acronis-reports usage --billing FILE.gz" "$work/out-cli.txt" "'$cli' usage --billing '$csv.gz'"
job "acronis-reports usage --billing FILE" /dev/null "'$cli' usage --billing '$csv'"
job "acronis-reports usage FILE (table)" /dev/null "'$cli' usage '$csv'"
job "acronis-reports --json usage FILE" /dev/null "'$cli' --json usage '$csv'"
if [ -n "$python" ]; then
    job "Python csv.DictReader, FILE.gz" "$work/out-python.txt" \
        "$python benches/usage_peers.py csv '$csv.gz'"
fi
if [ -n "$pandas_python" ]; then
    version=$("$pandas_python" -c 'import pandas; print(pandas.__version__)')
    job "pandas $version read_csv + groupby, FILE.gz" "$work/out-pandas.txt" \
        "'$pandas_python' benches/usage_peers.py pandas '$csv.gz'"
fi

# One measure: "wall cpu KiB" (KiB "-" without /usr/bin/time).
measure() {
    local command=$1 out=$2
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" bash -c "$command" >"$out"
        awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$work/time.txt"
    else
        local TIMEFORMAT='%R %U %S'
        { time bash -c "$command" >"$out"; } 2>"$work/time.txt"
        awk '{printf "%s %.2f -\n", $1, $2 + $3}' "$work/time.txt"
    fi
}

declare -a wall cpu mem
rm -f "$work"/out-*.txt
for ((round = 1; round <= repeat; round++)); do
    for i in "${!names[@]}"; do
        echo "round $round/$repeat: ${names[$i]}" >&2
        read -r w c m < <(measure "${commands[$i]}" "${outs[$i]}")
        if [ -z "${wall[$i]:-}" ] || awk "BEGIN {exit !($w < ${wall[$i]})}"; then wall[$i]=$w; fi
        if [ -z "${cpu[$i]:-}" ] || awk "BEGIN {exit !($c < ${cpu[$i]})}"; then cpu[$i]=$c; fi
        if [ -z "${mem[$i]:-}" ] || [ "$m" = - ] || [ "$m" -lt "${mem[$i]}" ]; then mem[$i]=$m; fi
    done
done

# Agreement: the CLI's totals (its table: tenant, metric, billable) against Python's and
# pandas'.
lines=$(tr -d ' ' <"$work/out-floor.txt")
if [ "$lines" != $((rows + 1)) ]; then
    echo "FAIL: the file has $lines lines, not $((rows + 1))" >&2
    exit 1
fi
awk 'NR > 1 {print $1 "\t" $2 "\t" $3}' "$work/out-cli.txt" >"$work/totals-cli.tsv"
count=$(wc -l <"$work/totals-cli.tsv")
agree=()
for peer in python pandas; do
    [ -e "$work/out-$peer.txt" ] || continue
    if cmp -s "$work/totals-cli.tsv" "$work/out-$peer.txt"; then
        agree+=("$peer")
    else
        echo "FAIL: the CLI's and $peer's totals differ:" >&2
        diff "$work/totals-cli.tsv" "$work/out-$peer.txt" | head -5 >&2
        exit 1
    fi
done

cpu_model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
echo
echo "$rows rows, $(du -h "$csv" | cut -f1) ($(du -h "$csv.gz" | cut -f1) gzip), $count totals;" \
    "$(nproc) cores (${cpu_model:-unknown CPU}), $(date -u +%Y-%m-%d); $profile build;" \
    "best of $repeat alternating runs"
if [ ${#agree[@]} -gt 0 ]; then
    echo "every total agrees: CLI and ${agree[*]}"
fi
for note in "${notes[@]}"; do echo "note: $note"; done
echo
printf '| %-52s | %12s | %12s | %8s | %8s | %10s |\n' job "wall / floor" "CPU / floor" wall CPU memory
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "--------------" "--------------" \
    "----------" "----------" "------------"
for i in "${!names[@]}"; do
    memory=${mem[$i]}
    [ "$memory" != - ] && memory=$(awk "BEGIN {printf \"%.0f MiB\", $memory / 1024}")
    printf '| %-52s | %12s | %12s | %6.2f s | %6.2f s | %10s |\n' "${names[$i]}" \
        "$(awk "BEGIN {printf \"%.2f\", ${wall[$i]} / ${wall[0]}}")" \
        "$(awk "BEGIN {printf \"%.2f\", ${cpu[$i]} / ${cpu[0]}}")" \
        "${wall[$i]}" "${cpu[$i]}" "$memory"
done
ratio() { awk "BEGIN {printf \"%.2f\", ${wall[$1]} / ${wall[$2]}}"; }
echo
echo "billing / floor: $(ratio 1 0) (wall)"
echo "table / billing: $(ratio 3 2), --json / billing: $(ratio 4 2) (wall, the uncompressed file)"
for i in "${!names[@]}"; do
    case ${names[$i]} in
        Python* | pandas*) echo "${names[$i]%%,*} / billing: $(ratio "$i" 1) (wall)" ;;
    esac
done
