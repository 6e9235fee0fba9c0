# shellcheck shell=bash
# postgres_setup: sets PG_URL to a reachable PostgreSQL, starting a throwaway one if needed.
# Not to be called in $(...): the throwaway server is stopped when the calling shell exits.

_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

_pg_answers() {  # host port
  local bin; bin=$(_pg_bin)
  if [ -n "$bin" ] && [ -x "$bin/pg_isready" ]; then
    "$bin/pg_isready" -q -h "$1" -p "$2" -U postgres
  else
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
  fi
}

postgres_setup() {
  local host=127.0.0.1 port=5432
  PG_URL=""
  if [ -n "${ANDON_TEST_PG_URL:-}" ]; then PG_URL=$ANDON_TEST_PG_URL; return 0; fi
  if _pg_answers "$host" "$port"; then
    PG_URL="postgres://postgres@$host:$port/andon"; return 0
  fi
  _pg_start_throwaway
}

_pg_start_throwaway() {
  local bin dir port run=()
  bin=$(_pg_bin); [ -n "$bin" ] || return 1
  dir=$(mktemp -d /tmp/andon-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; run=(runuser -u postgres --); fi
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null || return 1
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null || return 1
  # Stopped when the test run ends.
  _PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop)
  _PG_DIR=$dir
  trap '"${_PG_STOP[@]}" >/dev/null 2>&1 || true; rm -rf "$_PG_DIR"' EXIT
  PG_URL="postgres://postgres@127.0.0.1:$port/andon"
}
