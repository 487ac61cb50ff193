#!/usr/bin/env bash
# Promise 7, durability, against a power loss rather than a kill: the hub
# runs under tests/shim/powercut.so, which journals every write the hub has
# not yet made durable (fsync, fdatasync, a sync of the folder); three nodes
# send as fast as they can; in the middle of the burst the test "cuts the
# power": kill -9, then tests/shim/powercut_apply.py undoes every write no
# sync covered, as a machine losing power would.  kill -9 alone cannot tell a
# durable commit from a lucky one (the page cache survives it); this can:
# with PRAGMA synchronous=OFF, or a receipt sent before the commit, the
# receipts the nodes hold name envelopes the log no longer has.
#
# After each cut (the hub restarted without the shim): every envelope a
# node holds a receipt for is in the log at the receipt's index (rosterd
# check --receipts, which also verifies the log and tree); after the last,
# every message is in the log exactly once and every node's audit passes
# (a lost-and-rewritten suffix would be a history the nodes saw change).
. "$(dirname "$0")/lib.sh"

ROUNDS=${POWERLOSS_ROUNDS:-3}
PER_NODE=${POWERLOSS_PER_NODE:-300}
FORGE=$BIN/tests/tools/forge
SHIM=$BIN/tests/shim/powercut.so
APPLY="python3 $TOP/tests/shim/powercut_apply.py"
case "$BIN" in
"$TOP/build-san") make -s -C "$TOP" SAN=1 build-san/tests/shim/powercut.so build-san/tests/tools/forge ;;
"$TOP/build") make -s -C "$TOP" build/tests/shim/powercut.so build/tests/tools/forge ;;
esac
[ -f "$SHIM" ] && [ -x "$FORGE" ] || { bad "no $SHIM or $FORGE"; finish; exit 1; }

# The shim itself first: a writer that syncs some things and not others,
# killed, then the cut.  What it synced stays, the rest goes.
mkdir -p "$T/selftest"
(env LD_PRELOAD="$SHIM" POWERCUT_ROOT="$T/selftest" POWERCUT_JOURNAL="$T/self.journal" \
	python3 - "$T/selftest" <<'PY'
import os, sys
d = sys.argv[1]
dfd = os.open(d, os.O_RDONLY)
fd = os.open(d + "/kept", os.O_WRONLY | os.O_CREAT, 0o600)
os.write(fd, b"synced\n"); os.fsync(fd); os.fsync(dfd)
os.write(fd, b"not synced\n")
fd2 = os.open(d + "/lost", os.O_WRONLY | os.O_CREAT, 0o600)
os.write(fd2, b"written and fsync'd, but its folder never was\n"); os.fsync(fd2)
os.kill(os.getpid(), 9)
PY
true) 2>/dev/null
check "shim self-test: the cut runs" $APPLY "$T/self.journal"
check "shim self-test: a synced write survives the cut, an unsynced one does not" \
	test "$(cat "$T/selftest/kept")" = synced
check "shim self-test: a file whose folder was never synced is gone" test ! -e "$T/selftest/lost"

new_hub "Power hub" || { bad "hub"; finish; exit 1; }
for s in XA XB XC; do make_state "$s" || bad "setup $s"; done
for s in XA XB XC; do node "$s" sync >/dev/null || bad "first sync $s"; done

# What the nodes hold a receipt for: their outboxes, and what the burst
# clients were given (the nodes' own envelopes, posted faster than roster
# send can: see post_burst.py).
receipts() {
	for s in XA XB XC; do
		sqlite3 "$T/node-$s/node.db" "SELECT receipt FROM outbox WHERE receipt IS NOT NULL"
	done
	cat "$T"/burst-*.jsonl 2>/dev/null
}
# sign_burst ROUND NODE: PER_NODE cosignatures of the hub's current
# checkpoint by NODE's device, signed beforehand in NODE's chain (so that
# its later syncs and sends continue it), to be posted one request each.
# Cosignatures, because they are envelopes every node takes without
# further ado (a forged msg would have no row in the sender's messages).
sign_burst() {
	curl -sf "$HUB/v1/checkpoint" >"$T/cp.json" &&
	"$FORGE" sign --node "$T/node-$2" --kind cosign --payload-file "$T/cp.json" \
		--count "$PER_NODE" --advance --out "$T/batch-$2" | cut -d' ' -f2 >>"$T/forged.ids"
}
burst() {
	"$FORGE" sign --node "$T/node-$2" --kind msg --hdr '{"urgency":"routine"}' \
		--seal-node "$T/node-$3" --count "$PER_NODE" --advance --out "$T/batch-$2" \
		--payload "{\"subject\":\"round $1 from $2\",\"body\":\"b\",\"tlp\":\"GREEN\",\"lang\":\"en\",\"sent\":$(date +%s000)}" \
		>/dev/null
}
burst() {
	python3 "$TOP/tests/e2e/post_burst.py" "$HUB" "$T/batch-$1" "$T/burst-$1-$2.jsonl" \
		>>"$T/burst-$1.out" 2>&1
}
SHIMENV="env LD_PRELOAD=$SHIM POWERCUT_ROOT=$T/hub POWERCUT_JOURNAL=$T/hub.journal"
SHIMENV="$SHIMENV ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0"

for r in $(seq 1 "$ROUNDS"); do
	stop_hub
	HUB_WRAP=$SHIMENV start_hub "$T/hub" || { bad "round $r: the hub does not start under the shim"; break; }
	before=$(receipts | wc -l)
	sign_burst "$r" XA && sign_burst "$r" XB && sign_burst "$r" XC ||
		bad "round $r: the bursts are signed"
	burst XA "$r" & b1=$!
	burst XB "$r" & b2=$!
	burst XC "$r" & b3=$!
	# Cut while envelopes are in flight: once some receipts of this round
	# are held, after a random fraction of a second more.
	for _ in $(seq 1 600); do
		[ "$(receipts | wc -l)" -ge $((before + 30)) ] && break
		sleep 0.05
	done
	sleep "0.$((RANDOM % 6))$((RANDOM % 10))"
	kill -9 "$HUBPID" 2>/dev/null
	wait "$HUBPID" 2>/dev/null
	$APPLY "$T/hub.journal" >"$T/cut-$r.out" 2>&1
	check "round $r: the power is cut ($(cat "$T/cut-$r.out"))" grep -q '^power cut:' "$T/cut-$r.out"
	wait $b1 $b2 $b3
	# The nodes take the receipts their clients were given, as roster
	# sync does with the answers it gets, so that their audits check them.
	for s in XA XB XC; do
		python3 - "$T/node-$s/node.db" "$T"/burst-$s-"$r".jsonl <<'PY' || bad "$s takes its receipts"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for line in open(sys.argv[2]):
    rc = json.loads(line)
    db.execute("UPDATE outbox SET idx = ?, time = ?, receipt = ? WHERE id = ?",
               (rc["index"], rc["time"], line.strip(), bytes.fromhex(rc["id"])))
db.commit()
PY
		rm -f "$T"/burst-$s-"$r".jsonl
	done
	receipts >"$T/receipts.jsonl"
	held=$(wc -l <"$T/receipts.jsonl")
	check "round $r: every envelope with a receipt is in the log at its index ($held receipts, $((held - before)) this round)" \
		"$ROSTERD" check "$T/hub" --receipts "$T/receipts.jsonl"
	start_hub "$T/hub" || { bad "round $r: the hub does not restart"; break; }
	for s in XA XB XC; do
		check "round $r: $s flushes its outbox" node "$s" sync
	done
done

once=$(python3 - "$T/hub/hub.db" "$T/forged.ids" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ids = [bytes.fromhex(l.strip()) for l in open(sys.argv[2]) if l.strip()]
print(sum(1 for i in ids if db.execute("SELECT count(*) FROM log WHERE id = ?", (i,)).fetchone()[0] == 1))
PY
)
check "every envelope of the bursts is in the log exactly once ($once of $((3 * ROUNDS * PER_NODE)))" \
	test "$once" -eq $((3 * ROUNDS * PER_NODE))
check "no envelope id twice" test "$(sqlite3 "$T/hub/hub.db" "SELECT count(*) - count(DISTINCT id) FROM log")" -eq 0
for s in XA XB XC; do
	check "$s's audit passes after the power cuts" node "$s" audit
done
receipts >"$T/receipts.jsonl"
stop_hub
check "all $(wc -l <"$T/receipts.jsonl") receipts verify and are present (rosterd check)" \
	"$ROSTERD" check "$T/hub" --receipts "$T/receipts.jsonl"
finish
