#!/usr/bin/env bash
# Real-time delivery: `roster serve` long-polls the hub (GET /v1/mail with
# wait=S), so a new message reaches a running recipient node at once, not
# at the next periodic sync (set to 60 s here, so only the long poll can
# explain a fast delivery).  The node reconnects by itself after the hub
# restarts.  The 5 s bound is a sanity check only: the figures (median, max)
# come from bench/realtime_latency.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rt_lib.sh"

check "hub serving" new_hub "Realtime hub"
for s in XA XB XC; do
	check "State $s enrolled" make_state "$s"
done
check "XB runs roster serve" start_serve XB
XBPID=$SERVEPID
check "XC runs roster serve" start_serve XC
sleep 1	# let the first sync passes run

# ---- the endpoint --------------------------------------------------------
check_out "wait without a signature is refused at once (401), not held" "^401 0\." \
	curl -s -o /dev/null -w '%{http_code} %{time_total}' "$HUB/v1/mail?after=-1&wait=5"
check_out "wait out of range is refused with a JSON error" '"error".*wait.*out of range' \
	curl -s "$HUB/v1/mail?after=-1&wait=31"
check_out "wait that is not a number is refused" '"error".*wait.*decimal' \
	curl -s "$HUB/v1/mail?after=-1&wait=1x"

# ---- delivery within a second ---------------------------------------------
for i in 1 2 3; do
	check "XA sends message $i to XB" send_timed XA XB routine "Realtime $i" "body $i"
	check_out "message $i is in XB's store within 5 s of send returning" "^[0-9]+$" \
		wait_stored XB "$SENT_ID" "$SENT_NS" 5
	echo "     | latency: $(cat "$T/last.out") ms"
done
check_out "XC, not a recipient, did not get it" "^0$" \
	sqlite3 "$T/node-XC/node.db" "SELECT count(*) FROM messages WHERE direction='in'"
check "XA sends to XC" send_timed XA XC routine "For XC" "body"
check_out "XC's node has it within 5 s" "^[0-9]+$" wait_stored XC "$SENT_ID" "$SENT_NS" 5

# ---- hub restart ------------------------------------------------------------
stop_hub
sleep 1
check "XB's node is still running while the hub is down" kill -0 "$XBPID"
check "the hub restarts on the same port" start_hub "$T/hub"
check "XA sends after the restart" send_timed XA XB urgent "After restart" "body"
check_out "the message reaches XB within 5 s (the node reconnected by itself)" "^[0-9]+$" \
	wait_stored XB "$SENT_ID" "$SENT_NS" 5
echo "     | latency after restart: $(cat "$T/last.out") ms"
check_out "XB's node said it lost and regained the hub" "reconnected to the hub" \
	cat "$T/node-XB/serve.log"
check "and the next one too" send_timed XA XB routine "After restart 2" "body"
check_out "... within 5 s" "^[0-9]+$" wait_stored XB "$SENT_ID" "$SENT_NS" 5

# ---- the hub killed hard (no goodbye on the open request) ------------------
kill -9 "$HUBPID"; wait "$HUBPID" 2>/dev/null
sleep 0.5
check "the hub restarts after kill -9" start_hub "$T/hub"
check "XA sends after the hard restart" send_timed XA XB flash "After kill" "body"
check_out "the message reaches XB within 5 s" "^[0-9]+$" wait_stored XB "$SENT_ID" "$SENT_NS" 5

check_out "the sync loop and the watcher recorded no refusal" "^0$" \
	sqlite3 "$T/node-XB/node.db" "SELECT count(*) FROM refusals"
check_out "XB stops cleanly and at once on SIGTERM" "^stopped [0-9]$" bash -c "
	kill $XBPID; for i in \$(seq 1 30); do kill -0 $XBPID 2>/dev/null || { echo stopped \$((i/10)); exit; }; sleep 0.1; done; echo still running"
finish
