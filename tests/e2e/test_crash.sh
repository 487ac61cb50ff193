#!/usr/bin/env bash
# Promise 7, durability: kill -9 the hub again and again while three nodes
# send as fast as they can.  Afterwards every envelope that got a receipt is
# in the log at the receipt's index, the log verifies, nothing is there
# twice, and once the nodes have flushed their outboxes every message sent is
# in the log exactly once.
. "$(dirname "$0")/lib.sh"

PER_NODE=${CRASH_PER_NODE:-12}
KILLS=${CRASH_KILLS:-8}
hub_init "$T/hub" "Crash hub" >/dev/null || { bad "init"; finish; exit 1; }
check "hub serving" start_hub "$T/hub"
for s in XA XB XC; do make_state "$s" || bad "setup $s"; done
for s in XA XB XC; do node "$s" sync >/dev/null || bad "first sync $s"; done

burst() {	# NODE TO
	for i in $(seq 1 "$PER_NODE"); do
		"$ROSTER" send --dir "$T/node-$1" --to "$2" --subject "burst $1 $i" --body "n$i" \
			>>"$T/burst-$1.log" 2>&1
	done
}
burst XA XB & b1=$!
burst XB XC & b2=$!
burst XC XA & b3=$!
kills=0
while kill -0 $b1 2>/dev/null || kill -0 $b2 2>/dev/null || kill -0 $b3 2>/dev/null; do
	sleep "0.$((RANDOM % 6 + 3))"
	if [ "$kills" -lt "$KILLS" ]; then
		kill -9 "$HUBPID" 2>/dev/null
		wait "$HUBPID" 2>/dev/null
		kills=$((kills + 1))
		start_hub "$T/hub" || { bad "hub restart $kills"; break; }
	fi
done
wait $b1 $b2 $b3
ok "burst of $((3 * PER_NODE)) sends with $kills kill -9 of the hub"

receipts_before=0
for s in XA XB XC; do
	n=$(sqlite3 "$T/node-$s/node.db" "SELECT count(*) FROM outbox WHERE receipt IS NOT NULL")
	receipts_before=$((receipts_before + n))
done
for s in XA XB XC; do
	sqlite3 "$T/node-$s/node.db" "SELECT receipt FROM outbox WHERE receipt IS NOT NULL"
done >"$T/receipts.jsonl"
stop_hub
check "every receipt given during the crashes is in the log at its index" \
	"$ROSTERD" check "$T/hub" --receipts "$T/receipts.jsonl"
start_hub "$T/hub"
for s in XA XB XC; do
	check "$s flushes its outbox" node "$s" sync
done
sent=$(hubdb "$T/hub" sql "SELECT count(*) FROM log WHERE kind = 'msg'")
check "every message is in the log exactly once ($sent of $((3 * PER_NODE)))" test "$sent" -eq $((3 * PER_NODE))
check "no envelope id twice" test "$(hubdb "$T/hub" sql "SELECT count(*) - count(DISTINCT id) FROM log")" -eq 0
for s in XA XB XC; do
	sqlite3 "$T/node-$s/node.db" "SELECT receipt FROM outbox WHERE receipt IS NOT NULL"
done >"$T/receipts.jsonl"
stop_hub
check "all $(wc -l <"$T/receipts.jsonl") receipts verify and are present (rosterd check)" \
	"$ROSTERD" check "$T/hub" --receipts "$T/receipts.jsonl"
start_hub "$T/hub"
for s in XA XB XC; do
	check "$s's audit passes after the crashes" node "$s" audit
done
echo "($receipts_before receipts were held before the final flush)"
finish
