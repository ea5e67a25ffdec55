# shellcheck shell=bash
# Shell functions shared by the benchmark scripts (sourced, not run).

log() { printf '== %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# Whether scenario $1 is in $SCENARIOS.
want() { case " $SCENARIOS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# Whether nothing listens on 127.0.0.1 port $1.
port_free() {
    ! { exec 4<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || { exec 4>&- 4<&-; return 1; }
}

# Waits up to 20 s for a POP3 greeting on 127.0.0.1 port $1 while process
# $2 lives; fails as soon as it has exited.
wait_greeting() {
    local port=$1 pid=$2 line
    for _ in $(seq 1 200); do
        if kill -0 "$pid" 2>/dev/null \
            && { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
            line=
            read -r -t 5 line <&3 || true
            exec 3>&- 3<&-
            case $line in +OK*) return 0 ;; esac
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# Sets $mode from the arguments: --quick or --full (the default). --help
# prints the script's opening comment.
# shellcheck disable=SC2034  # $mode is read by the script that sources this
read_mode() {
    mode=full
    for arg in "$@"; do
        case $arg in
            --quick) mode=quick ;;
            --full) mode=full ;;
            -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
            *) printf '%s: unknown argument %s\n' "$(basename "$0")" "$arg" >&2; exit 2 ;;
        esac
    done
}

# Builds pop3d and pop3-bench (release) in repository $1 and sets $pop3d
# and $bench to the binaries.
# shellcheck disable=SC2034  # $pop3d and $bench are read by the caller
build_binaries() {
    local repo=$1 target_dir
    log "building pop3d and pop3-bench (release)"
    (cd "$repo" && cargo build --release -q -p pop3-server-tokio --bin pop3d -p pop3-bench --bin pop3-bench)
    target_dir=${CARGO_TARGET_DIR:-$repo/target}
    pop3d=$target_dir/release/pop3d
    bench=$target_dir/release/pop3-bench
}

# Sets up the scratch directory $WORK (a fresh one named after $1 unless
# set) and an empty $OUT/results.tsv in $results.
# shellcheck disable=SC2034  # $results is read by the caller
make_scratch() {
    WORK=${WORK:-$(mktemp -d "/tmp/$1.XXXXXX")}
    chmod 755 "$WORK"
    mkdir -p "$OUT"
    results=$OUT/results.tsv
    : > "$results"
}
