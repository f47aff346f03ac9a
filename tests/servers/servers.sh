#!/usr/bin/env bash
# PostgreSQL and Redis on loopback for the scale-out test run (tests only: the studio
# itself needs no system package). Debian's packages, started by hand in a folder of
# this checkout, never as system services and never on the default ports.
#
#   tests/servers/servers.sh install      apt-get install postgresql redis-server if missing
#   tests/servers/servers.sh start        (re)start both; prints the environment to use
#   tests/servers/servers.sh stop         stop both (no-op when not running)
#   tests/servers/servers.sh run CMD...   install, start, run CMD with DATABASE_URL and
#                                         REDIS_URL set, always stop; CMD's exit status
#
# Ports: PG_PORT (5433) and REDIS_PORT (6390) are the first tried; when one is taken
# by something else (another checkout's run) the next free port is used instead.
# State, logs and data live in STUDIO_TEST_SERVERS_DIR (default: .test-servers/).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${STUDIO_TEST_SERVERS_DIR:-$ROOT/.test-servers}"
PG_PORT="${PG_PORT:-5433}"
REDIS_PORT="${REDIS_PORT:-6390}"
PG_DB="studio"
LOCK="/tmp/studio-test-servers.lock"  # machine-wide: ports are machine-wide

say() { echo "servers: $*" >&2; }
die() { say "$*"; exit 1; }

pg_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$dir" && -x "$dir/initdb" ]] && echo "$dir"
}

# Commands on the data directory run as `postgres` (PostgreSQL refuses root).
as_pg() {
    if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port_from() {
    local port=$1
    for _ in $(seq 50); do
        port_taken "$port" || { echo "$port"; return 0; }
        port=$((port + 1))
    done
    return 1
}

# ---------------------------------------------------------------- install
apt_fresh() {
    # Lists from the last hour (e.g. `make chromium`'s update) are good enough.
    find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null | grep -q .
}

cmd_install() {
    local missing=()
    pg_bin >/dev/null || missing+=(postgresql)
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null || missing+=(redis-server)
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $EUID -eq 0 ]] || die "missing ${missing[*]}: run as root, or apt-get install ${missing[*]}"
    say "installing ${missing[*]} (Debian packages)"
    # Package scripts must not start system services (port 5432/6379) on install.
    local policy=/usr/sbin/policy-rc.d added_policy=""
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
    fi
    local status=0
    {
        apt_fresh || apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                --no-install-recommends "${missing[@]}" >/dev/null; }
    } || status=$?
    [[ -n $added_policy ]] && rm -f "$policy"
    [[ $status -eq 0 ]] || die "apt-get install ${missing[*]} failed"
    pg_bin >/dev/null || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
}

# ---------------------------------------------------------------- stop
redis_pid() {
    local pidfile="$STATE/redis/redis.pid" pid
    [[ -f $pidfile ]] || return 1
    pid="$(cat "$pidfile")"
    [[ -n $pid && "$(cat "/proc/$pid/comm" 2>/dev/null)" == redis-server* ]] && echo "$pid"
}

stop_redis() {
    local pid
    if pid="$(redis_pid)"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
        say "stopped Redis (pid $pid)"
    fi
    rm -f "$STATE/redis/redis.pid"
}

pg_data() { [[ -L $STATE/pg ]] && readlink "$STATE/pg" || echo "$STATE/pg"; }

stop_pg() {
    local data bin
    data="$(pg_data)/data"
    if [[ -f $data/postmaster.pid ]] && bin="$(pg_bin)"; then
        as_pg "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || as_pg "$bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 \
            || true
        say "stopped PostgreSQL ($data)"
    fi
    rm -rf "$data"
}

cmd_stop() {
    stop_redis
    stop_pg
    rm -f "$STATE/env"
}

# ---------------------------------------------------------------- start
start_redis() {
    local port=$1 dir="$STATE/redis"
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$dir" \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save '' --appendonly no \
        >/dev/null
    for _ in $(seq 100); do
        [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]] && return 0
        sleep 0.1
    done
    tail -n 20 "$dir/redis.log" >&2 || true
    die "Redis did not answer on 127.0.0.1:$port"
}

start_pg() {
    local port=$1 bin dir data locale_opt=(--no-locale)
    bin="$(pg_bin)" || die "PostgreSQL is not installed (tests/servers/servers.sh install)"
    dir="$STATE/pg"
    [[ -L $dir ]] && rm -rf "$(readlink "$dir")"
    rm -rf "$dir"
    mkdir -p "$dir"
    if [[ $EUID -eq 0 ]]; then
        chown postgres:postgres "$dir"
        if ! runuser -u postgres -- test -w "$dir"; then
            # A parent folder postgres may not enter: keep the data under /tmp instead.
            rmdir "$dir"
            local elsewhere
            elsewhere="$(mktemp -d /tmp/studio-test-pg.XXXXXX)"
            chown postgres:postgres "$elsewhere"
            ln -s "$elsewhere" "$dir"
            dir="$elsewhere"
        fi
    fi
    data="$dir/data"
    locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && locale_opt=(--locale=C.UTF-8)
    as_pg "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 "${locale_opt[@]}" \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    # A throwaway server for tests: loopback only, no Unix socket, no durability.
    cat >>"$data/postgresql.conf" <<EOF

# tests/servers/servers.sh
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    as_pg "$bin/pg_ctl" -D "$data" -l "$dir/postgresql.log" -w -t 60 start >/dev/null \
        || { tail -n 20 "$dir/postgresql.log" >&2 || true; die "PostgreSQL did not start"; }
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qtA \
        -c "CREATE DATABASE $PG_DB" >/dev/null
}

cmd_start() {
    cmd_install
    mkdir -p "$STATE"
    exec 8>"$LOCK"
    flock -w 300 8 || die "another run holds $LOCK"
    cmd_stop  # a leftover of an aborted run in this checkout
    local pg_port redis_port
    pg_port="$(free_port_from "$PG_PORT")" || die "no free port from $PG_PORT"
    redis_port="$(free_port_from "$REDIS_PORT")" || die "no free port from $REDIS_PORT"
    [[ $pg_port == "$PG_PORT" ]] || say "port $PG_PORT is taken: PostgreSQL uses $pg_port"
    [[ $redis_port == "$REDIS_PORT" ]] || say "port $REDIS_PORT is taken: Redis uses $redis_port"
    start_redis "$redis_port"
    start_pg "$pg_port"
    flock -u 8
    cat >"$STATE/env" <<EOF
DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/$PG_DB
REDIS_URL=redis://127.0.0.1:$redis_port/0
EOF
    say "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port ($STATE)"
    cat "$STATE/env"
}

cmd_run() {
    [[ $# -gt 0 ]] || die "usage: $0 run COMMAND..."
    trap 'cmd_stop' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    cmd_start >/dev/null
    local status=0
    env $(cat "$STATE/env") "$@" || status=$?
    return "$status"
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    run) shift; cmd_run "$@" ;;
    *) die "usage: $0 install|start|stop|run COMMAND..." ;;
esac
