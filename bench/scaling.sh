#!/usr/bin/env bash
# What one PostgreSQL sustains behind pop3d: sessions and small mail
# through HAProxy to one pop3d, then round-robin to two, and (as a
# reference) to one pop3d without HAProxy; plus `pop3d deliver` into the
# same database. One command from a fresh clone:
#
#   bench/scaling.sh            # full mode: 10 s runs, each setup twice
#   bench/scaling.sh --quick    # 3 s runs, once
#
# Needs PostgreSQL and HAProxy (installed from Debian with
# .ci/install-postgres-haproxy when missing). Everything runs on loopback
# in a private scratch directory; PostgreSQL runs as `postgres` when this
# script runs as root. Sizes come from the environment:
#   DURATION=10 REPEAT=2 CONCURRENCY="1 8 64" USERS=64 THREADS=1
#   SETUPS="direct-1 haproxy-1 haproxy-2" SCENARIOS="sessions small"
#   DELIVERIES=500 DELIVER_PARALLEL=4 (0 deliveries: skip)
#   OUT=target/pop3-bench-scaling PORT_BASE=21300 (six ports from here)
#   WORK=/tmp/... (scratch; removed at the end unless KEEP=1)
# Prints one Markdown table; writes results.tsv and table.md to $OUT.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
repo=$(cd "$here/.." && pwd)
read_mode "$@"
if [ "$mode" = quick ]; then
    : "${DURATION:=3}" "${REPEAT:=1}" "${DELIVERIES:=200}"
else
    : "${DURATION:=10}" "${REPEAT:=2}" "${DELIVERIES:=500}"
fi
: "${CONCURRENCY:=1 8 64}"
: "${USERS:=64}"
: "${THREADS:=1}"
: "${SETUPS:=direct-1 haproxy-1 haproxy-2}"
: "${SCENARIOS:=sessions small}"
: "${DELIVER_PARALLEL:=4}"
: "${PORT_BASE:=21300}"
: "${OUT:=$repo/target/pop3-bench-scaling}"
password=bench

# Seconds since a `date +%s.%N` reading.
since() { awk -v t0="$1" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.3f", t1 - t0 }'; }

for c in $CONCURRENCY; do
    [ "$c" -le "$USERS" ] || die "concurrency $c needs $c users (one maildrop per session); raise USERS"
done

# --- Packages -------------------------------------------------------------
pg_bin() {
    local newest=
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] || continue
        if [ -z "$newest" ] || [ "${dir//[!0-9]/}" -gt "${newest//[!0-9]/}" ]; then
            newest=$dir
        fi
    done
    if [ -z "$newest" ] && command -v initdb >/dev/null; then
        newest=$(dirname "$(command -v initdb)")
    fi
    printf '%s' "$newest"
}
haproxy_bin() {
    for b in /usr/sbin/haproxy /usr/local/sbin/haproxy; do
        [ -x "$b" ] && { printf '%s' "$b"; return; }
    done
    command -v haproxy || true
}
if [ -z "$(pg_bin)" ] || [ -z "$(haproxy_bin)" ]; then
    log "installing PostgreSQL and HAProxy"
    bash "$repo/.ci/install-postgres-haproxy"
fi
pgbin=$(pg_bin)
haproxy=$(haproxy_bin)
[ -n "$pgbin" ] || die "no PostgreSQL (initdb) found"
[ -n "$haproxy" ] || die "no HAProxy found"
psql=$pgbin/psql
[ -x "$psql" ] || psql=$(command -v psql) || die "no psql found"
pg_version=$("$pgbin/postgres" --version | awk '{print $3}')
haproxy_version=$("$haproxy" -v | awk 'NR == 1 {print $3}')

# --- Build ----------------------------------------------------------------
build_binaries "$repo"

# --- Scratch, ports, cleanup ----------------------------------------------
make_scratch pop3-scaling

pg_port=$PORT_BASE
proxied=("$((PORT_BASE + 1))" "$((PORT_BASE + 2))")   # pop3d PROXY listeners
direct_port=$((PORT_BASE + 3))                         # pop3d #1, plain
only_port=$((PORT_BASE + 4))                           # HAProxy -> pop3d #1
balanced_port=$((PORT_BASE + 5))                       # HAProxy -> both
for p in "$pg_port" "${proxied[@]}" "$direct_port" "$only_port" "$balanced_port"; do
    port_free "$p" || die "127.0.0.1:$p is in use (another run?); set PORT_BASE"
done

# PostgreSQL refuses to run as root: it runs as `postgres` then.
pg_user=
[ "$(id -u)" = 0 ] && pg_user=postgres
as_pg() {
    if [ -n "$pg_user" ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi
}
pgdata=$WORK/pg/data
pg_started=
pids=()
stop_pid() {
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local pid
    for pid in "${pids[@]}"; do stop_pid "$pid"; done
    if [ -n "$pg_started" ]; then
        as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 \
            || as_pg "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- PostgreSQL -----------------------------------------------------------
log "PostgreSQL $pg_version: throwaway cluster on 127.0.0.1:$pg_port"
mkdir -p "$WORK/pg"
[ -n "$pg_user" ] && chown "$pg_user:" "$WORK/pg"
as_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
# Defaults otherwise (fsync on): deliveries are measured durable.
pg_started=1
as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$WORK/pg/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories='' -c max_connections=400" \
    start >/dev/null || { cat "$WORK/pg/postgres.log" >&2; die "PostgreSQL did not start"; }
pg_pid=$(head -n 1 "$pgdata/postmaster.pid")
url="postgresql://postgres@127.0.0.1:$pg_port/mail"
"$psql" -q -X -v ON_ERROR_STOP=1 "postgresql://postgres@127.0.0.1:$pg_port/postgres" \
    -c "CREATE DATABASE mail" >/dev/null
"$pop3d" migrate --database-url "$url" >&2

# --- Users and mail -------------------------------------------------------
log "mail: s0..s$((USERS - 1)) with 100 x 4 KiB, i0..i$((USERS - 1)) with 10 x 4 KiB"
"$bench" populate --dir "$WORK/base" --uid "$(id -u)" --gid "$(id -g)" \
    --small-users "$USERS" --idle-users "$USERS" --large-users 0 --big 1 >/dev/null
import_args=()
for u in $(seq 0 $((USERS - 1))); do import_args+=(--user "s$u" --user "i$u"); done
t0=$(date +%s.%N)
"$pop3d" import-maildir "${import_args[@]}" --maildir "$WORK/base/mail/%u/Maildir" \
    --database-url "$url" >"$WORK/import.log" \
    || { cat "$WORK/import.log" >&2; die "import-maildir failed"; }
log "imported $((USERS * 110)) messages in $(since "$t0") s"
# Passwords in the users table, {PLAIN} as in compare.sh: login cost is
# the protocol and the lookup, not a password hash.
"$psql" -q -X -v ON_ERROR_STOP=1 "$url" \
    -c "INSERT INTO users (name, password) SELECT name, '{PLAIN}$password' FROM mailboxes" >/dev/null
# Statistics and hint bits now, so autovacuum does not run during the
# first measurements.
"$psql" -q -X -v ON_ERROR_STOP=1 "$url" -c "VACUUM (ANALYZE)" -c "CHECKPOINT" >/dev/null

# --- pop3d and HAProxy ----------------------------------------------------
wait_listening() {
    local port=$1 pid=$2
    for _ in $(seq 1 200); do
        if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
            exec 3>&- 3<&-
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

pop3d_pids=()
for i in 0 1; do
    conf=$WORK/pop3d$i.toml
    {
        echo "proxy_listen = [\"127.0.0.1:${proxied[$i]}\"]"
        # The first instance also takes clients directly (the reference).
        [ "$i" = 0 ] && echo "listen = [\"127.0.0.1:$direct_port\"]"
        echo 'proxy_trusted = ["127.0.0.1/32"]'
        echo 'store = "postgres"'
        echo 'auth = "postgres"'
        echo "database_url = \"$url\""
        echo '[limits]'
        echo 'max_connections = 4096'
        echo 'max_connections_per_ip = 4096'
    } > "$conf"
    "$pop3d" --config "$conf" 2>>"$WORK/pop3d$i.log" &
    pids+=("$!")
    pop3d_pids+=("$!")
    if [ "$i" = 0 ]; then
        wait_greeting "$direct_port" "$!" || { cat "$WORK/pop3d$i.log" >&2; die "pop3d #1 did not start"; }
    else
        wait_listening "${proxied[$i]}" "$!" || { cat "$WORK/pop3d$i.log" >&2; die "pop3d #2 did not start"; }
    fi
done

cat > "$WORK/haproxy.cfg" <<EOF
global
    maxconn 8192
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
listen only1
    bind 127.0.0.1:$only_port
    server pop3d1 127.0.0.1:${proxied[0]} send-proxy-v2
listen balanced
    bind 127.0.0.1:$balanced_port
    balance roundrobin
    server pop3d1 127.0.0.1:${proxied[0]} send-proxy-v2
    server pop3d2 127.0.0.1:${proxied[1]} send-proxy-v2
EOF
"$haproxy" -c -q -f "$WORK/haproxy.cfg" || die "HAProxy rejects its configuration"
"$haproxy" -db -f "$WORK/haproxy.cfg" 2>>"$WORK/haproxy.log" &
pids+=("$!")
haproxy_pid=$!
for p in "$only_port" "$balanced_port"; do
    wait_greeting "$p" "$haproxy_pid" || { cat "$WORK/haproxy.log" >&2; die "no greeting through HAProxy on $p"; }
done

# --- Runs -----------------------------------------------------------------

# Each setup: the address the generator uses and the process trees that
# serve it (named, so each one's CPU is reported too).
setup_addr=
setup_pids=()
select_setup() {
    setup_pids=(--server-pid "pop3d=${pop3d_pids[0]}" --server-pid "postgres=$pg_pid")
    case $1 in
        direct-1) setup_addr=127.0.0.1:$direct_port ;;
        haproxy-1)
            setup_addr=127.0.0.1:$only_port
            setup_pids+=(--server-pid "haproxy=$haproxy_pid") ;;
        haproxy-2)
            setup_addr=127.0.0.1:$balanced_port
            setup_pids+=(--server-pid "pop3d=${pop3d_pids[1]}" --server-pid "haproxy=$haproxy_pid") ;;
        *) die "unknown setup $1 (direct-1, haproxy-1, haproxy-2)" ;;
    esac
}

# Messages stored for a user.
stored() {
    "$psql" -q -X -t -A -v ON_ERROR_STOP=1 "$url" -c \
        "SELECT count(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.name = '$1'"
}

# `pop3d deliver` as an MTA runs it: one process (and one database
# connection) per message, DELIVER_PARALLEL at once, into user d0.
deliver_run() {
    local n=$DELIVERIES p=$DELIVER_PARALLEL message=$WORK/base/shared/s/0 t0 elapsed before after
    [ "$n" -gt 0 ] || return 0
    log "pop3d deliver: $n messages of 4 KiB, $p at once"
    before=$(stored d0)
    t0=$(date +%s.%N)
    # shellcheck disable=SC2016  # expanded by the inner shell
    seq 1 "$n" | xargs -P "$p" -I{} sh -c \
        '"$1" deliver --user d0 --store postgres --database-url "$2" < "$3" 2>/dev/null' \
        sh "$pop3d" "$url" "$message" || log "some deliveries failed"
    elapsed=$(since "$t0")
    after=$(stored d0)
    awk -v n="$n" -v ok="$((after - before))" -v p="$p" -v s="$elapsed" \
        -v size="$(stat -c %s "$message")" 'BEGIN {
        printf "pop3d-deliver\tdeliver\t%d\telapsed_s\t%f\n", p, s
        printf "pop3d-deliver\tdeliver\t%d\tmessages\t%d\n", p, ok
        printf "pop3d-deliver\tdeliver\t%d\terrors\t%d\n", p, n - ok
        printf "pop3d-deliver\tdeliver\t%d\tmessages_per_s\t%f\n", p, ok / s
        printf "pop3d-deliver\tdeliver\t%d\tmb_per_s\t%f\n", p, ok * size / 1e6 / s
    }' >> "$results"
}

log "$mode mode: ${DURATION}s runs, $REPEAT round(s) of $SETUPS at concurrency $CONCURRENCY"
for round in $(seq 1 "$REPEAT"); do
    deliver_run
    for setup in $SETUPS; do
        select_setup "$setup"
        for c in $CONCURRENCY; do
            for scenario in sessions small; do
                want "$scenario" || continue
                log "round $round: $setup $scenario at concurrency $c"
                "$bench" run --server "$setup" --scenario "$scenario" --addr "$setup_addr" \
                    --concurrency "$c" --duration "$DURATION" --users "$USERS" \
                    --password "$password" --threads "$THREADS" --results "$results" \
                    "${setup_pids[@]}" >/dev/null \
                    || log "run failed: $setup $scenario $c"
            done
        done
    done
done

# --- Report ---------------------------------------------------------------
{
    echo "Run: $mode mode, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, PostgreSQL $pg_version, HAProxy $haproxy_version, ${DURATION}s per run, $REPEAT round(s)"
    echo
    "$bench" report --layout scaling --results "$results"
} > "$OUT/table.md"
cat "$OUT/table.md"
log "results in $OUT (results.tsv, table.md)"
