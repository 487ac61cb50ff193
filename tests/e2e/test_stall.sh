#!/usr/bin/env bash
# No network I/O under a lock or inside a transaction (issue 9): a hub that
# stalls every request for 60 s must not stall the node.  XB runs `roster
# serve` behind tests/e2e/stall_proxy.py; once its sync loop and its mail
# watcher are both stuck in a request the proxy holds, the web inbox, a
# message page, an acknowledgement through the web and `roster ack` beside
# the serve must each answer at once (the acknowledgements queued for the
# next pass), and an attachment download must not hold the store while it
# streams.  When the hub answers again, the queued acknowledgements go out.
#
# The bound for the web's answers is 200 ms (loopback, the sanitizer
# build); `roster ack` starts a process and unlocks the device key with
# Argon2id, which under the sanitizers alone takes about a second, so its
# bound is 5 s: either is far from the 60 s a request to the hub would take.
. "$(dirname "$0")/lib.sh"

new_hub "Stall hub" && make_state XA && make_state XB || { bad "setup"; finish; exit 1; }
for s in XA XB; do node "$s" sync >/dev/null 2>&1; done
PPORT=$(free_port)
python3 "$TOP/tests/e2e/stall_proxy.py" "$PPORT" "$HUB" "$T/stall" 60 2>"$T/proxy.log" &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$PPORT/v1/info" >/dev/null && break; sleep 0.05; done
python3 - "$T/node-XB/config.json" "http://127.0.0.1:$PPORT" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["hub"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY

"$ROSTER" serve --dir "$T/node-XB" --listen 127.0.0.1:0 --interval 1 >>"$T/serve-XB.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 200); do [ -s "$T/node-XB/serve.url" ] && break; sleep 0.05; done
B=$(tr -d '\n' <"$T/node-XB/serve.url")
check "XB serves its web interface" curl -sf "$B/api/session"

# wait_for DESC SECONDS CMD...: CMD succeeds within SECONDS.
wait_for() {
	local desc=$1 n=$(($2 * 10)); shift 2
	for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && { ok "$desc"; return 0; }; sleep 0.1; done
	bad "$desc"
	return 1
}
inbox_has() { curl -s "$B/api/inbox" | grep -q "$1"; }

echo "the attached file" >"$T/file.txt"
check "XA sends XB a message with an attachment" node XA send --to XB --subject "before the stall" \
	--body "one" --attach "$T/file.txt"
ID1=$(last_sent XA)
check "XA sends XB a second message" node XA send --to XB --subject "the second" --body "two"
ID2=$(last_sent XA)
wait_for "XB's serve takes both" 30 bash -c "curl -s '$B/api/inbox' | grep -q 'before the stall' &&
	curl -s '$B/api/inbox' | grep -q 'the second'"
ID=$ID1

touch "$T/stall"
# The loop syncs every second and the watcher holds a long poll: wait until
# the proxy holds both a listing request and the watcher's mail request.
stuck() {
	grep -q "stalling GET /v1/mail?after=[-0-9]*&wait=" "$T/proxy.log" &&
	grep -Eq "stalling (GET /v1/(public|mail|info)|POST /v1/envelopes)" "$T/proxy.log"
}
wait_for "the serve loop and the watcher are both stuck in a request to the hub" 30 stuck
sleep 0.5

# ms CMD...: runs CMD, prints its wall time in ms (its output to $T/ms.out).
ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >"$T/ms.out" 2>&1
	local rc=$?
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
	return $rc
}
within() {	# DESC LIMIT_MS CMD...
	local desc=$1 lim=$2 t; shift 2
	t=$(ms "$@")
	local rc=$?
	if [ $rc -eq 0 ] && [ "$t" -le "$lim" ]; then ok "$desc ($t ms)"; else
		bad "$desc ($t ms, exit $rc, limit $lim ms)"; cp "$T/ms.out" "$T/last.out"; show_last; fi
}
within "the web inbox answers while the hub stalls" 200 curl -sf "$B/api/inbox"
check_out "... and lists the message" "before the stall" cat "$T/ms.out"
within "a message page answers while the hub stalls" 200 curl -sf "$B/api/messages/$ID"
check_out "... with its text" '"one"' cat "$T/ms.out"
BCSRF=$(curl -s "$B/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
within "an acknowledgement through the web answers while the hub stalls" 200 \
	curl -sf -H 'Content-Type: application/json' -H "X-CSRF-Token: $BCSRF" -d '{"note":"seen"}' \
	"$B/api/messages/$ID/ack"
check_out "... queued for the next pass" '"queued": ?true' cat "$T/ms.out"
check_out "the message page shows it acknowledged" '"acknowledged": ?true' curl -s "$B/api/messages/$ID"

# roster ack beside the serve, on the second message.
within "roster ack beside the serve answers while the hub stalls" 5000 node XB ack "${ID2:0:16}"
check_out "... and says it is queued for roster serve" "queued" cat "$T/ms.out"
check_fails "... without 'database is locked'" grep -q "database is locked" "$T/ms.out"

# The attachment: the download streams on a client of its own, without the
# store lock.  The proxy stalls it too: meanwhile the web still answers.
( curl -s -o "$T/dl.out" "$B/api/messages/$ID/attachments/1" ) &
DL=$!
wait_for "the download is stuck at the hub" 10 grep -q "stalling GET /v1/blobs/" "$T/proxy.log"
within "the web inbox answers while an attachment download waits on the hub" 200 curl -sf "$B/api/inbox"
within "a message page answers meanwhile" 200 curl -sf "$B/api/messages/$ID"

# The hub answers again: what was queued goes out.
rm -f "$T/stall"
kill "$DL" 2>/dev/null
acked_on_hub() {	# the hub logged an acknowledged ack from XB
	sqlite3 "$T/node-XB/node.db" "SELECT count(*) FROM outbox WHERE kind = 'ack' AND receipt IS NOT NULL" |
		grep -qv '^0$' &&
	[ "$(sqlite3 "$T/node-XB/node.db" "SELECT count(*) FROM outbox WHERE receipt IS NULL")" = 0 ]
}
wait_for "when the hub answers again, the queued acknowledgements get receipts (within 90 s)" 90 acked_on_hub
node XA sync >/dev/null 2>&1
check_out "XA sees XB's acknowledgement through the web" "XB +acknowledged" node XA status "$ID1"
check_out "... and the one of roster ack" "XB +acknowledged" node XA status "$ID2"
finish
