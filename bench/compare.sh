#!/usr/bin/env bash
# Side-by-side POP3 benchmark: Dovecot (as shipped, and in its
# high-performance login mode) against pop3d, same machine, same mail,
# same generator. One command from a fresh clone:
#
#   bench/compare.sh            # full mode: 10,000 idle connections,
#                               # maildrops of 1k, 10k and 100k messages
#   bench/compare.sh --quick    # 1,000 idle, maildrops of 1k and 10k
#
# Needs root (Debian packages, raised limits, Dovecot's privilege
# separation). Every size can be overridden from the environment:
#   DURATION=10 CONCURRENCY="1 8 64" IDLE=10000 BIG=1000,10000,100000
#   SERVERS="dovecot dovecot-perf pop3d" OUT=target/pop3-bench
#   SCENARIOS="sessions small large large-tls bigbox idle"
#   WORK=/tmp/... (scratch; removed at the end unless KEEP=1)
#   PORT_BASE=21100 (each server takes two ports from here)
# Prints one Markdown table (and the targets); writes results.tsv,
# table.md and messages.png to $OUT.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
repo=$(cd "$here/.." && pwd)
read_mode "$@"
if [ "$mode" = quick ]; then
    : "${DURATION:=3}" "${IDLE:=1000}" "${BIG:=1000,10000}"
else
    : "${DURATION:=10}" "${IDLE:=10000}" "${BIG:=1000,10000,100000}"
fi
: "${CONCURRENCY:=1 8 64}"
: "${SERVERS:=dovecot dovecot-perf pop3d}"
: "${SCENARIOS:=sessions small large large-tls bigbox idle}"
: "${PORT_BASE:=21100}"
: "${OUT:=$repo/target/pop3-bench}"
: "${THREADS:=1}"
: "${SESSION_USERS:=64}"


[ "$(id -u)" = 0 ] || die "run as root (apt-get, raised limits, Dovecot's users)"

# --- Packages -------------------------------------------------------------
need=()
[ -x /usr/sbin/dovecot ] || need+=(dovecot-core)
[ -x /usr/lib/dovecot/pop3 ] || need+=(dovecot-pop3d)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    # Keep the package from starting a system-wide Dovecot on port 110.
    policy=/usr/sbin/policy-rc.d
    added_policy=
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy && added_policy=1
    fi
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
    [ -n "$added_policy" ] && rm -f $policy
fi
dovecot_version=$(/usr/sbin/dovecot --version | cut -d" " -f1)

# --- Build ----------------------------------------------------------------
build_binaries "$repo"

# --- Scratch, limits, cleanup ---------------------------------------------
make_scratch pop3-bench
# As many descriptors as allowed: the hard limit, raised first where the
# kernel lets root do so.
ulimit -Hn 1048576 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((IDLE + 1000)) ] \
    || die "open-file limit $(ulimit -n) is too low for $IDLE idle connections (lower IDLE)"
ulimit -u unlimited 2>/dev/null || true
cores=$(nproc)
limit=$((IDLE + 1000))
mail_uid=$(id -u nobody)
mail_gid=$(id -g nobody)

server_pid=
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 300); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=
}
cleanup() {
    stop_server
    if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Mail, users, certificates --------------------------------------------
log "writing test mail to $WORK/base ($mode mode: idle $IDLE, big maildrops $BIG)"
"$bench" populate --dir "$WORK/base" --uid "$mail_uid" --gid "$mail_gid" \
    --idle-users "$IDLE" --big "$BIG" >&2
"$bench" certs --dir "$WORK/certs"
chmod 644 "$WORK/certs"/*.pem

# A fresh copy of the Maildirs for each server (hard links: servers rename
# and add files, never rewrite a message), so each sees the mail first.
instance() {
    local dir=$WORK/$1
    mkdir -p "$dir"
    chmod 755 "$dir"
    cp -al "$WORK/base/mail" "$dir/mail"
    sed "s#:$WORK/base/mail/#:$dir/mail/#" "$WORK/base/passwd" > "$dir/passwd"
    chmod 644 "$dir/passwd"
}


start_dovecot() {
    local label=$1 port=$2 tls_port=$3 dir=$WORK/$1 login_mode=
    if [ "$label" = dovecot-perf ]; then
        # Dovecot's documented high-performance mode: login processes
        # serve many connections each, one kept ready per core.
        login_mode="  service_count = 0
  process_min_avail = $cores
  client_limit = $limit
  vsz_limit = 1G"
    fi
    mkdir -p "$dir/run" "$dir/state"
    awk -v dir="$dir" -v certs="$WORK/certs" -v name="$label-$$" -v port="$port" \
        -v tls_port="$tls_port" -v limit="$limit" -v login_mode="$login_mode" '
        /^@LOGIN_MODE@$/ { if (login_mode != "") print login_mode; next }
        { gsub(/@DIR@/, dir); gsub(/@CERTS@/, certs); gsub(/@NAME@/, name);
          gsub(/@TLS_PORT@/, tls_port); gsub(/@PORT@/, port); gsub(/@LIMIT@/, limit); print }
    ' "$here/dovecot.conf.in" > "$dir/dovecot.conf"
    /usr/sbin/dovecot -F -c "$dir/dovecot.conf" 2>>"$dir/dovecot.stderr" &
    server_pid=$!
    wait_greeting "$port" "$server_pid" || { cat "$dir/dovecot.stderr" "$dir/dovecot.log" >&2 || true; die "$label did not start"; }
}

start_pop3d() {
    local port=$1 tls_port=$2 dir=$WORK/pop3d
    cat > "$dir/pop3d.toml" <<EOF
listen = ["127.0.0.1:$port"]
tls_listen = ["127.0.0.1:$tls_port"]
cert = "$WORK/certs/cert.pem"
key = "$WORK/certs/key.pem"
users = "$dir/passwd"
maildir = "$dir/mail/%u/Maildir"

[limits]
max_connections = $limit
max_connections_per_ip = $limit
EOF
    "$pop3d" --config "$dir/pop3d.toml" 2>>"$dir/pop3d.log" &
    server_pid=$!
    wait_greeting "$port" "$server_pid" || { cat "$dir/pop3d.log" >&2 || true; die "pop3d did not start"; }
}


gen() {
    local label=$1 port=$2
    shift 2
    want "$2" || return 0
    "$bench" run --server "$label" --addr "127.0.0.1:$port" --server-pid "$server_pid" \
        --results "$results" --threads "$THREADS" "$@" >/dev/null \
        || log "run failed: $label $*"
}

# --- Runs -----------------------------------------------------------------
log "loopback TCP ceiling"
"$bench" loopback --seconds 3 --results "$results" >/dev/null


port=$PORT_BASE
for label in $SERVERS; do
    tls_port=$((port + 1))
    port_free "$port" && port_free "$tls_port" \
        || die "127.0.0.1:$port or :$tls_port is in use (another run?); set PORT_BASE"
    instance "$label"
    log "$label: starting on 127.0.0.1:$port (POP3S $tls_port)"
    case $label in
        dovecot|dovecot-perf) start_dovecot "$label" "$port" "$tls_port" ;;
        pop3d) start_pop3d "$port" "$tls_port" ;;
        *) die "unknown server $label" ;;
    esac
    for c in $CONCURRENCY; do
        log "$label: timed runs at concurrency $c"
        gen "$label" "$port" --scenario sessions --concurrency "$c" --duration "$DURATION" --users "$SESSION_USERS"
        gen "$label" "$port" --scenario small --concurrency "$c" --duration "$DURATION"
        gen "$label" "$port" --scenario large --concurrency "$c" --duration "$DURATION"
        gen "$label" "$tls_port" --scenario large-tls --concurrency "$c" --duration "$DURATION" \
            --ca "$WORK/certs/ca.pem"
    done
    for size in ${BIG//,/ }; do
        want bigbox || break
        log "$label: big maildrop of $size messages"
        gen "$label" "$port" --scenario bigbox --size "$size"
    done
    want idle && log "$label: $IDLE idle connections"
    gen "$label" "$port" --scenario idle --connections "$IDLE"
    stop_server
    port=$((port + 2))
done

# --- Report ---------------------------------------------------------------
{
    echo "Run: $mode mode, $(date -u +%Y-%m-%dT%H:%MZ), $cores cores, Dovecot $dovecot_version, ${DURATION}s per timed run"
    echo
    "$bench" report --results "$results"
} > "$OUT/table.md"
cat "$OUT/table.md"
"$bench" plot --results "$results" --out "$OUT/messages.png" \
    --subtitle "$mode mode, Dovecot $dovecot_version" \
    || log "plot not drawn"
log "results in $OUT (results.tsv, table.md, messages.png)"
