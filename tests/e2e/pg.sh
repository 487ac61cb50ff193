# pg.sh - a PostgreSQL server of the test's own, sourced by lib.sh when
# BACKEND=pg (and by any test that needs one whatever the backend).
#
# Debian's server binaries (the postgresql package; scripts/install-deps
# installs it): initdb into a fresh folder under /tmp, pg_ctl on a free
# loopback port, trust authentication for the role "roster" on 127.0.0.1
# only, stopped and removed when the test exits (lib.sh's cleanup calls
# pg_stop).  initdb refuses to run as root, so as root the server runs as
# the postgres user (runuser), in a folder that user owns; as anyone else it
# runs as that user.  fsync is off: the tests kill processes (the hub,
# the server itself), they do not cut the power, and the page cache survives
# a killed process.  PG_FSYNC=on (the benchmarks) runs it as in production:
# fsync and full page writes on, synchronous_commit on (the default).
#
#   pg_start            starts the server (once); sets PG_PORT, PG_BASE
#   pg_newdb NAME       creates database NAME (after pg_start); prints its URL
#   pg_url NAME         the URL of database NAME
#   pg_sql NAME SQL     runs SQL in database NAME (psql, unaligned, no header)
#   pg_restart          stops the server abruptly (immediate) and starts it again
#   pg_stop             stops and removes it

PG_PORT=""
PG_BASE=""

pg_bindir() {
	local d
	d=$(pg_config --bindir 2>/dev/null)
	[ -x "$d/initdb" ] || d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -x "$d/initdb" ] || { echo "pg.sh: no initdb (install the postgresql package: scripts/install-deps)" >&2; return 1; }
	echo "$d"
}

pg_as() {	# CMD...: runs CMD as the server's owner
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_opts() {
	local sync="-c fsync=off -c full_page_writes=off"
	[ "${PG_FSYNC:-off}" = on ] && sync="-c fsync=on -c full_page_writes=on"
	echo "-p $PG_PORT -k $PG_BASE -c listen_addresses=127.0.0.1 $sync -c max_connections=300 -c shared_buffers=${PG_SHARED_BUFFERS:-32MB}"
}

pg_start() {
	[ -n "$PG_PORT" ] && return 0
	local bin
	bin=$(pg_bindir) || return 1
	PG_BASE=$(mktemp -d /tmp/roster-pg.XXXXXX)
	[ "$(id -u)" = 0 ] && chown postgres "$PG_BASE"
	pg_as "$bin/initdb" -D "$PG_BASE/data" -U roster --auth=trust -E UTF8 \
		--no-sync --no-instructions >"$PG_BASE/initdb.log" 2>&1 || {
		echo "pg.sh: initdb failed:" >&2; tail "$PG_BASE/initdb.log" >&2; return 1; }
	PG_PORT=$(free_port)
	pg_as "$bin/pg_ctl" -D "$PG_BASE/data" -l "$PG_BASE/server.log" -w -t 60 \
		-o "$(pg_opts)" start >"$PG_BASE/pg_ctl.log" 2>&1 || {
		echo "pg.sh: the server did not start:" >&2; tail "$PG_BASE/server.log" >&2; PG_PORT=""; return 1; }
}

pg_url() { echo "postgresql://roster@127.0.0.1:$PG_PORT/$1"; }

pg_sql() {	# NAME SQL
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$(pg_url "$1")" -c "$2"
}

pg_newdb() {
	# Not pg_start here: in a $(...) it would start a server the test's
	# shell does not know of, and never stop.
	[ -n "$PG_PORT" ] || { echo "pg_newdb: pg_start first" >&2; return 1; }
	pg_sql postgres "CREATE DATABASE \"$1\"" >/dev/null || return 1
	pg_url "$1"
}

pg_restart() {
	local bin
	bin=$(pg_bindir) || return 1
	pg_as "$bin/pg_ctl" -D "$PG_BASE/data" -m immediate -w stop >>"$PG_BASE/pg_ctl.log" 2>&1
	pg_as "$bin/pg_ctl" -D "$PG_BASE/data" -l "$PG_BASE/server.log" -w -t 60 \
		-o "$(pg_opts)" start >>"$PG_BASE/pg_ctl.log" 2>&1
}

pg_stop() {
	[ -n "$PG_BASE" ] || return 0
	local bin
	bin=$(pg_bindir) && [ -n "$PG_PORT" ] &&
		pg_as "$bin/pg_ctl" -D "$PG_BASE/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_BASE"
	PG_PORT=""
	PG_BASE=""
}
