#!/usr/bin/env bash
# realtime_latency.sh - how soon a running recipient node has a new message.
#
# usage: bench/realtime_latency.sh [N]        (default 50 messages)
#
# A hub, States XA and XB (tests/e2e/lib.sh), XB running `roster serve`
# with --interval 60, so only the long poll (GET /v1/mail?wait=25, see
# docs/protocol.md section 5) can explain a delivery under a minute.  XA
# sends N messages, one at a time, each once the previous one is stored.
# A watcher started before the first send polls XB's node.db every 2 ms and
# notes when each message appears (committed by the node: verified,
# decrypted, stored).  Two latencies per message:
#   - from the hub's log time of the envelope (its receipt time: the
#     envelope is durable from then on) to stored by XB;
#   - from XA's `roster send` returning (receipt verified, outbox updated,
#     process ended) to stored by XB; negative when XB had the message
#     before the sender's own process was done.
# Reports median, 90th percentile and maximum of both.  For scale: the
# periodic sync this replaces would add, on average, half its interval (1 s
# by default) to every delivery.
#
# Uses the optimised build (build/, `make all`) unless ROSTER_BIN is set.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
export ROSTER_BIN=${ROSTER_BIN:-$REPO/build}
N=${1:-50}
cd "$REPO/tests/e2e" || exit 1
. ./lib.sh 2>/dev/null	# (its TOP is for tests/e2e; BIN comes from ROSTER_BIN)
. ./rt_lib.sh

[ -x "$ROSTER" ] || { echo "no $ROSTER: run make all first"; exit 1; }
new_hub "Latency bench" && make_state XA && make_state XB || exit 1
start_serve XB || exit 1
sleep 1

python3 - "$T/node-XB/node.db" "$N" >"$T/seen.txt" <<'PY' &
import sqlite3, sys, time
db, n = sys.argv[1], int(sys.argv[2])
seen = {}
while len(seen) < n:
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
        for (mid,) in c.execute("SELECT lower(hex(id)) FROM messages WHERE direction='in'"):
            if mid not in seen:
                seen[mid] = time.time_ns()
                print(mid, seen[mid], flush=True)
        c.close()
    except sqlite3.Error:
        pass
    time.sleep(0.002)
PY
WATCHER=$!
sleep 0.5
: >"$T/sent.txt"
for i in $(seq 1 "$N"); do
	send_timed XA XB routine "bench $i" "body $i" || exit 1
	echo "$SENT_ID $SENT_NS" >>"$T/sent.txt"
	for _ in $(seq 1 3000); do
		grep -q "^$SENT_ID " "$T/seen.txt" && break
		sleep 0.01
	done
	grep -q "^$SENT_ID " "$T/seen.txt" || { echo "message $i not delivered in 30 s"; exit 1; }
done
wait "$WATCHER"
sqlite3 "$T/node-XA/node.db" "SELECT lower(hex(id)), time FROM messages WHERE direction='out'" \
	| tr '|' ' ' >"$T/logtime.txt"
python3 - "$T/sent.txt" "$T/seen.txt" "$T/logtime.txt" <<'PY'
import statistics, sys
def table(path):
    return {l.split()[0]: int(l.split()[1]) for l in open(path) if l.strip()}
sent, seen, logt = table(sys.argv[1]), table(sys.argv[2]), table(sys.argv[3])
from_log = sorted(seen[m] / 1e6 - logt[m] for m in sent)
from_send = sorted((seen[m] - sent[m]) / 1e6 for m in sent)
def show(name, v):
    p90 = v[min(len(v) - 1, int(0.9 * len(v)))]
    print("  %-28s median %6.1f ms, p90 %6.1f ms, max %6.1f ms" % (name, statistics.median(v), p90, max(v)))
print("delivery to a running node, %d messages (stored = verified, decrypted, committed):" % len(sent))
show("hub log time -> stored:", from_log)
show("send returned -> stored:", from_send)
PY
for p in $PIDS; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
PASS=0 FAIL=0
