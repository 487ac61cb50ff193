#!/usr/bin/env bash
# pg_ingest.sh - bench_ingest three times, side by side, each against the
# limits measured in its own run: the SQLite backend; PostgreSQL with one
# rosterd process; PostgreSQL with two over the same log.  The server is
# the project's own (tests/e2e/pg.sh), started here with fsync, full page
# writes and synchronous_commit on, as in production, in /tmp beside the
# SQLite hub (the same disk).
#
#   bench/pg_ingest.sh            (N=100000 envelopes each; N=... to change)
#   ROSTER_BIN=build-san ...      (another build; default build/)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${ROSTER_BIN:-$TOP/build}
N=${N:-100000}
BENCH="$BIN/bench/bench_ingest"
[ -x "$BENCH" ] || { echo "pg_ingest.sh: build $BENCH first (make benches)"; exit 2; }
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
. "$TOP/tests/e2e/pg.sh"
PG_FSYNC=on PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-256MB} pg_start || exit 1
trap pg_stop EXIT
out=$(mktemp -d /tmp/roster-pgbench.XXXXXX)
rate() { sed -n 's/.* = \([0-9]*\) envelopes\/s durable.*/\1/p' "$1"; }
vratio() { sed -n 's/.*envelopes\/s : verifications\/s = \([0-9.]*\).*/\1/p' "$1"; }

"$BENCH" -n "$N" -c 2 >"$out/sqlite" 2>&1; cat "$out/sqlite"
"$BENCH" -n "$N" -c 2 --db "$(pg_newdb ingest1)" >"$out/pg1" 2>&1; cat "$out/pg1"
"$BENCH" -n "$N" -c 4 --db "$(pg_newdb ingest2)" --hubs 2 >"$out/pg2" 2>&1; cat "$out/pg2"
s=$(rate "$out/sqlite") p1=$(rate "$out/pg1") p2=$(rate "$out/pg2")
vs=$(vratio "$out/sqlite") v1=$(vratio "$out/pg1") v2=$(vratio "$out/pg2")
ratio() { python3 -c "print('%.2f' % ($1 / $2))" 2>/dev/null || echo "?"; }
echo "summary: SQLite ${s:-?}/s; PostgreSQL, one process ${p1:-?}/s ($(ratio "$p1" "$s") of SQLite); two processes ${p2:-?}/s ($(ratio "$p2" "$p1") of one)"
echo "summary: each as a share of its own run's Ed25519 bound (the machine's load moves between runs): SQLite ${vs:-?}, PostgreSQL one process ${v1:-?} ($(ratio "$v1" "$vs") of SQLite's), two ${v2:-?} ($(ratio "$v2" "$v1") of one's)"
rm -rf "$out"
