#!/usr/bin/env bash
# The body codecs against memcpy, over several processes: runs
# `cargo bench -p pop3-proto --bench body` RUNS times and prints, per run,
# criterion's median throughput of memcpy, encode (RETR of LF-stored mail)
# and decode, each codec as a share of that run's memcpy, then the median
# share over all runs. One process keeps to one figure, but the figures
# move from process to process with where the buffers land in memory, so
# a single run says little about a share near a threshold.
#
#   bench/codec_ratio.sh            # 7 runs of 3 s per bench
#   RUNS=3 bench/codec_ratio.sh     # fewer runs
#
# Sizes come from the environment: RUNS=7 WARM_UP=1 MEASURE=3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
cd "$here/.."
: "${RUNS:=7}" "${WARM_UP:=1}" "${MEASURE:=3}"
case $* in *--help*) sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac

log "building the body bench"
cargo bench -q -p pop3-proto --bench body --no-run >/dev/null 2>&1 \
    || die "the body bench does not build"

# Criterion's median throughput of bench $1 in output $2, in GiB/s.
median_gib() {
    awk -v name="body/$1" '
        $1 == name { found = 1 }
        found && /thrpt:/ {
            gsub(/[][]/, "")
            value = $4; unit = $5
            if (unit == "MiB/s") value /= 1024
            if (unit == "KiB/s") value /= 1048576
            printf "%.2f\n", value
            exit
        }' <<<"$2"
}

printf '| run | memcpy | encode | of memcpy | decode | of memcpy |\n'
printf '|---:|---:|---:|---:|---:|---:|\n'
shares_encode=() shares_decode=()
for run in $(seq 1 "$RUNS"); do
    log "run $run of $RUNS"
    output=$(cargo bench -q -p pop3-proto --bench body -- \
        --warm-up-time "$WARM_UP" --measurement-time "$MEASURE" \
        '^body/(memcpy|dot_stuff_encode|dot_unstuff_decode)$' 2>&1) \
        || die "run $run failed: $output"
    memcpy=$(median_gib memcpy "$output")
    encode=$(median_gib dot_stuff_encode "$output")
    decode=$(median_gib dot_unstuff_decode "$output")
    if [ -z "$memcpy" ] || [ -z "$encode" ] || [ -z "$decode" ]; then
        die "run $run: no throughput in the output: $output"
    fi
    share_encode=$(awk -v a="$encode" -v b="$memcpy" 'BEGIN { printf "%.1f", 100 * a / b }')
    share_decode=$(awk -v a="$decode" -v b="$memcpy" 'BEGIN { printf "%.1f", 100 * a / b }')
    shares_encode+=("$share_encode") shares_decode+=("$share_decode")
    printf '| %s | %s GiB/s | %s GiB/s | %s%% | %s GiB/s | %s%% |\n' \
        "$run" "$memcpy" "$encode" "$share_encode" "$decode" "$share_decode"
done

# The median of the numbers in the arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.1f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '| median | | | %s%% | | %s%% |\n' \
    "$(median "${shares_encode[@]}")" "$(median "${shares_decode[@]}")"
