#!/usr/bin/env bash
# Promise 7, durability, under load: kill -9 the hub again and again while
# thousands of envelopes are in flight through group commit.
#
# bench_ingest in crash mode does the work (see bench/bench_ingest.c): it
# pre-signs N msg envelopes with proper seq/prev chains for 16 devices, posts
# them in batches of 500 from 2 client threads to the real rosterd (this
# build's), SIGKILLs the hub at random moments while POSTs are in flight
# (about every CRASH_INGEST_MS ms, and now and then while it recovers),
# restarts it on the same port, and has the clients resend whatever has no
# receipt yet, in order, until everything has one (a lost answer comes back
# as a 409 "already in the log" with the receipt).  Every receipt goes into
# receipts.jsonl.  A 409 for a chain break would mean the log lost an
# envelope it had acknowledged: the bench fails on it.
#
# Then, on the stopped hub: every receipt verifies and its envelope is at its
# index with its time, the log and tree verify (rosterd check --receipts),
# nothing is in the log twice, and every pre-signed envelope is there exactly
# once.  The bench checks all of it itself; the test checks it again from the
# outside, with rosterd check and the sqlite3 CLI.
. "$(dirname "$0")/lib.sh"

N=${CRASH_INGEST_N:-20000}
MS=${CRASH_INGEST_MS:-300}
MIN_KILLS=${CRASH_INGEST_KILLS:-10}
DEVICES=16
BENCH=$BIN/bench/bench_ingest

# scripts/check builds rosterd, roster and the unit tests, not the benches:
# build this one in the same tree (only bench_ingest.c is compiled when the
# rest is up to date).
case "$BIN" in
"$TOP/build-san") san=1 ;;
"$TOP/build") san=0 ;;
*) san= ;;
esac
if [ -n "$san" ]; then
	check "bench_ingest is built ($(basename "$BIN"))" \
		make -s -C "$TOP" SAN=$san "$(basename "$BIN")/bench/bench_ingest"
fi
[ -x "$BENCH" ] || { bad "no $BENCH"; finish; exit 1; }

# The bench's output (and the hub's standard error) goes to a .log, where
# finish looks for sanitizer reports.  --min-kills asks for kills sooner
# whenever they lag, so that the run sees MIN_KILLS+5 or so of them.
mkdir -p "$T/ci"
start=$(date +%s%N)
timeout 300 "$BENCH" -n "$N" -d "$DEVICES" -b 500 -c 2 --crash-every "$MS" \
	--min-kills $((MIN_KILLS + 5)) --rosterd "$ROSTERD" --dir "$T/ci" \
	--receipts "$T/receipts.jsonl" --keep >"$T/crash-ingest.log" 2>&1
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
sed 's/^/     | /' "$T/crash-ingest.log" | grep -v "SIGTERM received" | cut -c1-400
check "the crash run passes (exit $rc, $((ms / 1000)).$((ms % 1000 / 100)) s)" test "$rc" -eq 0

line=$(grep '^crash result: ' "$T/crash-ingest.log" | tail -1)
field() { echo "$line" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
kills=$(field kills); busy=$(field busy_kills); receipts=$(field receipts)
present=$(field present); rows=$(field log); distinct=$(field distinct); once=$(field once)
check_out "the run ends with a verdict" '^crash result: OK ' echo "$line"
check "at least $MIN_KILLS kill -9 with POSTs in flight (${busy:-?} of ${kills:-?} kills)" \
	test "${busy:-0}" -ge "$MIN_KILLS"
check "every receipt verified and present at its index and time (${present:-?} of ${receipts:-?})" \
	test "${receipts:-0}" -ge "$N" -a "${present:-x}" = "${receipts:-y}"
check "every envelope in the log exactly once (${once:-?} of $N; ${distinct:-?} distinct of ${rows:-?} rows)" \
	test "${once:-0}" -eq "$N" -a "${distinct:-x}" = "${rows:-y}" -a "${rows:-0}" -eq $((N + DEVICES + 1))

# The same from the outside, on the folder the bench kept.
hub=$(ls -d "$T"/ci/roster-bench-* 2>/dev/null | head -1)
if [ -z "$hub" ] || [ ! -f "$hub/hub.db" ]; then
	bad "the hub folder was not kept"
	finish
	exit 1
fi
check "no hub left running" test -z "$(pgrep -f -- "$hub" 2>/dev/null)"
check_out "rosterd check passes, every receipt present" \
	"^$((N + DEVICES + 1)) envelopes, root [0-9a-f]{64}, all receipts present \(${receipts:-x}\)$" \
	"$ROSTERD" check "$hub" --receipts "$T/receipts.jsonl"
check "rosterd check exits 0" "$ROSTERD" check "$hub" --receipts "$T/receipts.jsonl"
check "no envelope id twice in the log" \
	test "$(sqlite3 "$hub/hub.db" "SELECT count(*) - count(DISTINCT id) FROM log")" -eq 0
check "$N msg envelopes in the log" \
	test "$(sqlite3 "$hub/hub.db" "SELECT count(*) FROM log WHERE kind = 'msg'")" -eq "$N"
sqlite3 "$hub/hub.db" "SELECT lower(hex(id)) FROM log WHERE kind = 'msg'" | sort >"$T/log-ids"
grep -o '"id":"[0-9a-f]*"' "$T/receipts.jsonl" | cut -d'"' -f4 | sort -u >"$T/receipt-ids"
check "the envelopes receipted are exactly those in the log ($(wc -l <"$T/receipt-ids") ids)" \
	cmp -s "$T/log-ids" "$T/receipt-ids"
finish
