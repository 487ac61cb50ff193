#!/usr/bin/env bash
# Promise 7 with two rosterd processes over one PostgreSQL log: kill -9
# either process, again and again, and restart PostgreSQL itself (an
# immediate stop: the server crashes), while four nodes, two per hub, send
# as fast as they can.  What must hold:
#   - while one hub is dead the other keeps serving (a probe of its
#     checkpoint every 100 ms never fails, and it appends: the nodes on it
#     get receipts);
#   - after PostgreSQL comes back both hubs serve again by themselves;
#   - nothing receipted is lost (every receipt any node holds is at its
#     index with its time: rosterd check --receipts), nothing is duplicated
#     (once the nodes flushed their outboxes every message sent is in the
#     log exactly once), the log verifies, every node's audit passes;
#   - nothing vanishes silently: a send whose batch could not be written
#     while PostgreSQL was down was answered 503 "nothing was appended",
#     and said so to its sender; every other message is in the log.
#     (roster today gives such a message up rather than keep it queued,
#     although protocol.md section 5 says it may be sent again; the count
#     below takes that into account and says how many.)
BACKEND=pg
. "$(dirname "$0")/lib.sh"

PER_NODE=${PGCRASH_PER_NODE:-12}
KILLS=${PGCRASH_KILLS:-6}
hub_init "$T/hub" "Crash cluster" >/dev/null && hub_peer "$T/hub" "$T/hub2" ||
	{ bad "init"; finish; exit 1; }
check "hub 1 serves" start_hub "$T/hub"
H1=$HUB P1=$HUBPID
check "hub 2 serves" start_hub "$T/hub2"
H2=$HUB P2=$HUBPID
for s in XA XB XC XD; do make_root "$s" || bad "admit $s"; done
HUB=$H1; make_node XA && make_node XC || bad "nodes on hub 1"
HUB=$H2; make_node XB && make_node XD || bad "nodes on hub 2"
for s in XA XB XC XD; do node "$s" sync >/dev/null || bad "first sync $s"; done

burst() {	# NODE TO
	for i in $(seq 1 "$PER_NODE"); do
		"$ROSTER" send --dir "$T/node-$1" --to "$2" --subject "burst $1 $i" --body "n$i" \
			>>"$T/burst-$1.log" 2>&1
	done
}
# probe URL FLAGFILE: while FLAGFILE exists, the hub at URL must answer.
probe() {
	while [ -e "$2" ]; do
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1/v1/checkpoint")
		[ "$code" = 200 ] || echo "$(date +%s.%N) $code" >>"$T/probe-fail.log"
		sleep 0.1
	done
}
restart() {	# N: kill -9 hub N and start it again
	local dir pid
	if [ "$1" = 1 ]; then dir="$T/hub" pid=$P1; else dir="$T/hub2" pid=$P2; fi
	touch "$T/probing"
	probe "$([ "$1" = 1 ] && echo "$H2" || echo "$H1")" "$T/probing" & local pp=$!
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sleep 0.$((RANDOM % 5 + 2))
	start_hub "$dir" || bad "restart of hub $1"
	rm -f "$T/probing"
	wait $pp
	if [ "$1" = 1 ]; then P1=$HUBPID; else P2=$HUBPID; fi
}

burst XA XB & b1=$!
burst XB XC & b2=$!
burst XC XD & b3=$!
burst XD XA & b4=$!
kills=0 pgdone=0
while kill -0 $b1 2>/dev/null || kill -0 $b2 2>/dev/null || kill -0 $b3 2>/dev/null ||
	kill -0 $b4 2>/dev/null; do
	sleep "0.$((RANDOM % 5 + 3))"
	if [ "$kills" -lt "$KILLS" ]; then
		restart $((kills % 2 + 1))
		kills=$((kills + 1))
	elif [ "$pgdone" = 0 ]; then
		pg_restart || bad "PostgreSQL restart"
		pgdone=1
	fi
done
wait $b1 $b2 $b3 $b4
[ "$pgdone" = 1 ] || { pg_restart || bad "PostgreSQL restart"; pgdone=1; }
ok "burst of $((4 * PER_NODE)) sends with $kills kill -9 of a hub and a PostgreSQL crash"
check "while either hub was dead the other answered every probe" test ! -s "$T/probe-fail.log"
[ -s "$T/probe-fail.log" ] && head -5 "$T/probe-fail.log"

for h in "$H1" "$H2"; do
	check_out "after PostgreSQL's restart $h serves again by itself" "^200$" bash -c \
		"for i in \$(seq 1 100); do c=\$(curl -s -o /dev/null -w '%{http_code}' $h/v1/checkpoint); [ \$c = 200 ] && break; sleep 0.1; done; echo \$c"
done
for s in XA XB XC XD; do
	sqlite3 "$T/node-$s/node.db" "SELECT receipt FROM outbox WHERE receipt IS NOT NULL"
done >"$T/receipts.jsonl"
check "every receipt given during the crashes is in the log at its index ($(wc -l <"$T/receipts.jsonl"))" \
	"$ROSTERD" check "$T/hub" --receipts "$T/receipts.jsonl"
for s in XA XB XC XD; do
	n=0
	until node "$s" sync >"$T/sync-$s.out" 2>&1; do
		n=$((n + 1)); [ $n -lt 5 ] || break; sleep 1
	done
	check "$s flushes its outbox" test "$n" -lt 5
done
sent=$(hubdb "$T/hub" sql "SELECT count(*) FROM log WHERE kind = 'msg'")
# A message the node gave up on carries the hub's refusal (messages.error).
gone=0 other=0
for s in XA XB XC XD; do
	gone=$((gone + $(sqlite3 "$T/node-$s/node.db" "SELECT count(*) FROM messages WHERE direction = 'out' AND error LIKE '%nothing was appended%'")))
	other=$((other + $(sqlite3 "$T/node-$s/node.db" "SELECT count(*) FROM messages WHERE direction = 'out' AND error IS NOT NULL AND error NOT LIKE '%nothing was appended%'")))
done
check "no message was refused for any other reason ($other)" test "$other" -eq 0
check "every message is in the log exactly once, or was refused with a 503 to its sender ($sent + $gone of $((4 * PER_NODE)))" \
	test $((sent + gone)) -eq $((4 * PER_NODE))
[ "$gone" -gt 0 ] && echo "     | ($gone sends answered 503 while PostgreSQL restarted; roster did not queue them)"
check "no envelope id twice" test "$(hubdb "$T/hub" sql "SELECT count(*) - count(DISTINCT id) FROM log")" -eq 0
for s in XA XB XC XD; do
	sqlite3 "$T/node-$s/node.db" "SELECT receipt FROM outbox WHERE receipt IS NOT NULL"
done >"$T/receipts.jsonl"
check "all $(wc -l <"$T/receipts.jsonl") receipts verify and are present (rosterd check)" \
	"$ROSTERD" check "$T/hub" --receipts "$T/receipts.jsonl"
for s in XA XB XC XD; do check "$s's audit passes after the crashes" node "$s" audit; done
finish
