#!/usr/bin/env bash
# Bulk runs against a server that answers after a round trip, beside their peers, in one run.
# The emulator (`acronis-reports emulator --delay-ms DELAY`) holds REPORTS monthly reports and
# answers every API request DELAY ms after it came. At each concurrency N, every report is
# disabled by: the CLI's `disable --ids-file FILE --concurrency N`, reading each report first
# (a GET and a PUT per id) and with --no-read (a PUT); the library (examples/latency.rs:
# Client::update_many, a PUT per id); `xargs -P N curl` (a curl process per PUT, a token from
# curl first); a Python ThreadPoolExecutor of N threads with a requests.Session each
# (benches/latency_peers.py; a token first). The CLI and the library get their token from the
# client credentials, as in production: every job makes one token request.
#
# Between runs the reports are stored again, all enabled, and the requests forgotten (the
# admin interface), so that each run changes every report. After each run the server's own
# count (GET /__admin/requests) gives the requests per id, checked to be the same for every
# id, and every report is checked disabled. Each run's wall time is set against the limit:
# requests (the token's aside) x DELAY / N, what N connections could do if the client cost
# nothing; "extra round trips" is (wall - limit) / DELAY. Then, apart, the start-up: the first
# N ids at concurrency N with the CLI (--no-read) and the library, one round, the wall time
# beyond two round trips (the token's and the round's).
#
# Usage: benches/latency_peers.sh [--reports N] [--delay-ms MS] [--concurrency "1 8 32"]
#                                 [--repeat N] [--debug] [--no-install]
#   --reports N         reports to disable in each run (default 2000)
#   --delay-ms MS       the emulator's delay before every answer (default 50)
#   --concurrency LIST  the concurrencies, space- or comma-separated (default "1 8 32")
#   --repeat N          runs of each job, alternating the jobs, the best kept (default 1: the
#                       runs wait on the delay, and vary by a few ms)
#   --debug             the debug build instead of the release one (a smoke run, as in CI)
#   --no-install        no venv for requests when python3 lacks it: the Python job is skipped
# Needs python3 (standard library: the bookkeeping); curl for the curl job (skipped without).
# requests comes from python3 if it has it, else from a venv in target/latency-peers/venv
# (pip, from PyPI); never installed for the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

reports=2000
delay=50
concurrencies="1 8 32"
repeat=1
profile=release
install=1
while [ $# -gt 0 ]; do
    case $1 in
        --reports) reports=${2:?--reports N}; shift ;;
        --delay-ms) delay=${2:?--delay-ms MS}; shift ;;
        --concurrency) concurrencies=${2:?--concurrency LIST}; shift ;;
        --repeat) repeat=${2:?--repeat N}; shift ;;
        --debug) profile=debug ;;
        --no-install) install=0 ;;
        -h | --help) sed -n '2,33p' "$0"; exit 0 ;;
        *) echo "latency_peers.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
concurrencies=${concurrencies//,/ }
command -v python3 >/dev/null || {
    echo "latency_peers.sh: needs python3 (its standard library does the bookkeeping)" >&2
    exit 1
}

target=${CARGO_TARGET_DIR:-$PWD/target}
work=$target/latency-peers
mkdir -p "$work"
if [ "$profile" = release ]; then
    cargo build --quiet --release --features cli --bin acronis-reports --example latency
else
    cargo build --quiet --features cli --bin acronis-reports --example latency
fi
cli=$target/$profile/acronis-reports
library=$target/$profile/examples/latency
helper=benches/latency_peers.py

# The Python peer, where requests can be had.
notes=()
requests_python=
if python3 -c 'import requests' 2>/dev/null; then
    requests_python=python3
elif [ "$install" = 1 ]; then
    venv=$work/venv
    if ! "$venv/bin/python" -c 'import requests' 2>/dev/null; then
        echo "installing requests in $venv ..." >&2
        python3 -m venv --clear "$venv" >&2 &&
            "$venv/bin/python" -m pip install --quiet --disable-pip-version-check requests >&2 ||
            notes+=("Python: requests could not be installed in a venv (no PyPI?): skipped")
    fi
    "$venv/bin/python" -c 'import requests' 2>/dev/null && requests_python=$venv/bin/python
else
    notes+=("Python: python3 has no requests and --no-install was given: skipped")
fi
command -v curl >/dev/null || notes+=("curl: not found: skipped")

# The emulator, seeded, every answer $delay ms late; its banner (one JSON line) says where.
python3 "$helper" seed "$reports" "$work/seed.json" "$work/ids.txt"
coproc EMULATOR { exec env -u ACRONIS_TOKEN "$cli" --json emulator --seed "$work/seed.json" --delay-ms "$delay" 2>"$work/emulator.err"; }
emulator_pid=$EMULATOR_PID
trap 'kill "$emulator_pid" 2>/dev/null || true' EXIT
read -r banner <&"${EMULATOR[0]}" || { cat "$work/emulator.err" >&2; exit 1; }
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$banner" "$1"; }
base=$(field base_url)
client_id=$(field client_id)
client_secret=$(field client_secret)
admin=${base%/api/2}/__admin
export base client_id client_secret
export -n ACRONIS_TOKEN ACRONIS_BASE_URL ACRONIS_CLIENT_ID ACRONIS_CLIENT_SECRET 2>/dev/null || true
env_cli="ACRONIS_BASE_URL='$base' ACRONIS_CLIENT_ID='$client_id' ACRONIS_CLIENT_SECRET='$client_secret'"
ids=$work/ids.txt
version=
[ -n "$requests_python" ] && version=$("$requests_python" -c 'import requests; print(requests.__version__)')

# The jobs of one concurrency: name, requests per id, the command ($c: the concurrency).
names=() per_id=() commands=()
job() { names+=("$1"); per_id+=("$2"); commands+=("$3"); }
job "CLI disable --ids-file, reading first" 2 \
    "$env_cli '$cli' disable --ids-file \"\$ids\" --concurrency \$c >/dev/null"
job "CLI disable --ids-file --no-read" 1 \
    "$env_cli '$cli' disable --ids-file \"\$ids\" --concurrency \$c --no-read >/dev/null"
job "library update_many (examples/latency.rs)" 1 \
    "$env_cli '$library' \"\$ids\" \$c"
if command -v curl >/dev/null; then
    job "xargs -P N curl, a process per PUT" 1 \
        "token=\$(curl -sS --noproxy '*' -u \"\$client_id:\$client_secret\" \
            -d grant_type=client_credentials \"\$base/idp/token\" |
            sed -n 's/.*\"access_token\": *\"\\([^\"]*\\)\".*/\\1/p') &&
        xargs -P \$c -I{} curl -sS --noproxy '*' -o /dev/null -w '%{http_code}\\n' -X PUT \
            -H \"Authorization: Bearer \$token\" -H 'Content-Type: application/json' \
            -d '{\"schedule\":{\"enabled\":false}}' \"\$base/reports/{}\" <\"\$ids\" >'$work/codes.txt' &&
        ! grep -qvx 200 '$work/codes.txt'"
fi
if [ -n "$requests_python" ]; then
    job "Python ThreadPoolExecutor, requests $version Session per thread" 1 \
        "'$requests_python' '$helper' requests \"\$base\" \"\$ids\" \$c \"\$client_id\" \"\$client_secret\""
fi

# One run: "wall_ms cpu_s" of the command at concurrency $2, checked by the server's count.
run() {
    local i=$1 c=$2 start end seen
    python3 "$helper" reset "$admin" "$work/seed.json"
    start=$(date +%s%N)
    if ! bash -c "c=$c; ids='$ids'; ${commands[$i]}" 2>"$work/job.err"; then
        echo "FAIL: ${names[$i]} at concurrency $c:" >&2
        head -5 "$work/job.err" >&2
        exit 1
    fi
    end=$(date +%s%N)
    seen=$(python3 "$helper" count "$admin" "$ids") || {
        echo "FAIL: ${names[$i]} at concurrency $c: $seen" >&2
        exit 1
    }
    local want="requests=$((reports * per_id[i] + 1)) tokens=1"
    case $seen in
        "$want "*"per_id=${per_id[$i]} disabled=$reports") ;;
        *)
            echo "FAIL: ${names[$i]} at concurrency $c: the server saw $seen," \
                "not $want, ${per_id[$i]} per id, $reports disabled" >&2
            exit 1
            ;;
    esac
    echo $(((end - start) / 1000000)) "$seen"
}

declare -A wall seen_by
for ((round = 1; round <= repeat; round++)); do
    for c in $concurrencies; do
        for i in "${!names[@]}"; do
            echo "round $round/$repeat, concurrency $c: ${names[$i]}" >&2
            read -r ms seen < <(run "$i" "$c")
            key=$c/$i
            if [ -z "${wall[$key]:-}" ] || [ "$ms" -lt "${wall[$key]}" ]; then wall[$key]=$ms; fi
            seen_by[$key]=$seen
        done
    done
done

# Start-up, measured apart: the first N ids at concurrency N, one round, with the CLI
# (--no-read) and the library, each the best of 3. Beyond its two round trips (the token's
# and the round's), the wall time is what the process, its threads, the pool and the first
# connections cost.
declare -A startup
for c in $concurrencies; do
    head -n "$c" "$ids" >"$work/first.txt"
    for i in 1 2; do
        for ((k = 1; k <= 3; k++)); do
            python3 "$helper" reset "$admin" "$work/seed.json"
            start=$(date +%s%N)
            if ! bash -c "c=$c; ids='$work/first.txt'; ${commands[$i]}" 2>"$work/job.err"; then
                echo "FAIL: ${names[$i]}, the first $c ids at concurrency $c:" >&2
                head -5 "$work/job.err" >&2
                exit 1
            fi
            ms=$((($(date +%s%N) - start) / 1000000))
            key=$c/$i
            if [ -z "${startup[$key]:-}" ] || [ "$ms" -lt "${startup[$key]}" ]; then
                startup[$key]=$ms
            fi
        done
    done
done

cpu_model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
echo
echo "$reports reports, every answer $delay ms late (acronis-reports emulator --delay-ms $delay);" \
    "$(nproc) cores (${cpu_model:-unknown CPU}), $(date -u +%Y-%m-%d); $profile build;" \
    "best of $repeat run(s) of each job"
echo "limit: requests (the token's aside) x $delay ms / concurrency;" \
    "every job also made one token request (counted by the server)"
for note in "${notes[@]}"; do echo "note: $note"; done
echo
printf '| %-62s | %3s | %12s | %11s | %9s | %9s | %15s | %29s |\n' job N "wall ÷ limit" \
    "extra trips" wall limit "requests per id" "requests the server saw"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..64})" ----- -------------- \
    ------------- ----------- ----------- ----------------- "$(printf -- '-%.0s' {1..31})"
declare -A ratio
for c in $concurrencies; do
    for i in "${!names[@]}"; do
        key=$c/$i
        limit=$((reports * per_id[i] * delay / c))
        ratio[$key]=$(awk "BEGIN {printf \"%.3f\", ${wall[$key]} / $limit}")
        extra=$(awk "BEGIN {printf \"%+.1f\", (${wall[$key]} - $limit) / $delay}")
        case ${per_id[$i]} in 1) what="1 (PUT)" ;; *) what="2 (GET, PUT)" ;; esac
        # From the server's count: "requests=R tokens=T gets=G puts=P ...".
        declare -A count=()
        for pair in ${seen_by[$key]}; do count[${pair%%=*}]=${pair#*=}; done
        saw="${count[gets]} GET + ${count[puts]} PUT + ${count[tokens]} token"
        printf '| %-62s | %3s | %12s | %11s | %7.2f s | %7.2f s | %15s | %29s |\n' "${names[$i]}" \
            "$c" "${ratio[$key]}" "$extra" "$(awk "BEGIN {print ${wall[$key]} / 1000}")" \
            "$(awk "BEGIN {print $limit / 1000}")" "$what" "$saw"
    done
done
echo
printf '| %-62s | %3s | %9s | %14s | %8s |\n' "start-up: the first N ids at concurrency N, one round" N \
    wall "beyond 2 trips" trips
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..64})" ----- ----------- ---------------- \
    ----------
for c in $concurrencies; do
    for i in 1 2; do
        beyond=$((startup[$c/$i] - 2 * delay))
        printf '| %-62s | %3s | %6s ms | %11s ms | %8s |\n' "${names[$i]}" "$c" "${startup[$c/$i]}" \
            "$beyond" "$(awk "BEGIN {printf \"%+.2f\", $beyond / $delay}")"
    done
done
echo
# The goal: the CLI and the library within 5% of the limit, ahead of both peers.
for c in $concurrencies; do
    line="concurrency $c:"
    for i in "${!names[@]}"; do
        case ${names[$i]} in CLI* | library*) ;; *) continue ;; esac
        verdict=$(awk "BEGIN {print (${ratio[$c/$i]} <= 1.05) ? \"within 5%\" : \"NOT within 5%\"}")
        ahead=yes
        for j in "${!names[@]}"; do
            case ${names[$j]} in xargs* | Python*)
                awk "BEGIN {exit !(${ratio[$c/$i]} < ${ratio[$c/$j]})}" || ahead=no ;;
            esac
        done
        line+=" ${names[$i]%% (*}: $verdict$([ "$ahead" = yes ] && echo ", ahead of the peers" || echo ", NOT ahead of every peer");"
    done
    echo "$line"
done
