#!/usr/bin/env bash
# Promise 9 against anonymous clients (issue 8 items 4 and 6): one client,
# from an address of its own (127.0.0.2), opens 4,200 connections and keeps
# each request head unfinished, a byte every 3 s (tests/e2e/slowloris.py).
# Meanwhile every node (on 127.0.0.1) must still sync and receive a flash
# message; the hub must keep that client to max_connections_per_address
# (default 64) and close every half-open request after header_timeout_s
# (default 10 s).  A device may park at most max_waits_per_device (default
# 4) long polls: the rest are answered at once.  Errors are JSON whatever
# layer raises them: 413 for a 17 MiB body, 414 for a long URI, 431 for
# large headers.
#
# Waits for: the per-address connection limit, the header deadline, the
# per-device cap on parked long polls, JSON 413/414/431 (hub).
. "$(dirname "$0")/lib.sh"

N=${SLOW_CONNECTIONS:-4200}
WAIT=${CONN_WAIT:-20}	# the nodes' liveness bound while the client holds on
FORGE=$BIN/tests/tools/forge
new_hub "Connection hub" && make_state XA && make_state XB || { bad "setup"; finish; exit 1; }
for s in XA XB; do node "$s" sync >/dev/null 2>&1; done
PORT=$(cat "$T/hub.port")

# The client holds on far longer than the node is given to sync.
python3 "$TOP/tests/e2e/slowloris.py" 127.0.0.1 "$PORT" "$N" 127.0.0.2 $((WAIT * 5)) "$T/slow.report" &
SLOW=$!
PIDS="$PIDS $SLOW"
for _ in $(seq 1 600); do [ -e "$T/slow.report.ready" ] && break; sleep 0.1; done
check "the anonymous client has tried its $N connections" test -e "$T/slow.report.ready"
# Until the hub has taken (or closed) all it will: the client's count of
# open connections unchanged for two seconds.
for _ in $(seq 1 300); do
	[ "$(tail -3 "$T/slow.report" | cut -d' ' -f3 | sort -u | wc -l)" -eq 1 ] &&
		[ "$(wc -l <"$T/slow.report")" -ge 3 ] && break
	sleep 0.1
done
START=$(date +%s)
check "while it holds them, XB sends XA a flash message" \
	timeout "$WAIT" "$ROSTER" send --dir "$T/node-XB" --to XA --urgency flash --subject "through the crowd" --body b
check "... XA's sync passes" timeout "$WAIT" "$ROSTER" sync --dir "$T/node-XA"
check "... and XA has it" bash -c "'$ROSTER' inbox --dir '$T/node-XA' | grep -q 'through the crowd'"
sleep 1
open_now=$(tail -1 "$T/slow.report" | cut -d' ' -f3)
check "the hub keeps the client to 64 connections (${open_now:-?} of $N open)" test "${open_now:-99999}" -le 64
# Every unfinished request head is closed once header_timeout_s has passed.
while [ $(($(date +%s) - START)) -lt 15 ]; do sleep 1; done
kill -0 "$SLOW" 2>/dev/null || bad "the client gave up before the deadline was tested"
open_late=$(tail -1 "$T/slow.report" | cut -d' ' -f3)
check "after the 10 s header deadline none of its requests is open (${open_late:-?} open)" \
	test "${open_late:-99999}" -eq 0
kill "$SLOW" 2>/dev/null
wait "$SLOW" 2>/dev/null

# Parked long polls per device: XA parks 10 at once, nothing is coming.
AFTER=$(( $(curl -s "$HUB/v1/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])') - 1 ))
for i in $(seq 1 10); do
	(
		"$FORGE" httpsig --node "$T/node-XA" --method GET --target "/v1/mail?after=$AFTER&wait=20" \
			>"$T/poll-$i.h"
		s=$(date +%s%N)
		curl -s -o /dev/null -H @"$T/poll-$i.h" "$HUB/v1/mail?after=$AFTER&wait=20"
		echo $(( ($(date +%s%N) - s) / 1000000 )) >"$T/poll-$i.ms"
	) &
	polls="${polls:-} $!"
done
for p in $polls; do wait "$p"; done
quick=0
for i in $(seq 1 10); do [ "$(cat "$T/poll-$i.ms")" -lt 5000 ] && quick=$((quick + 1)); done
check "of 10 long polls by one device at most 4 are parked: $quick answered at once" test "$quick" -ge 6

# JSON errors from every layer.
head -c $((17 * 1024 * 1024)) /dev/zero >"$T/17m.bin"
code=$(curl -s -o "$T/resp.json" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
	--data-binary @"$T/17m.bin" "$HUB/v1/envelopes")
check "a 17 MiB body gets 413 (not a reset): $code" test "$code" = 413
check_out "... with a JSON error" '^\{"error": *"' cat "$T/resp.json"
long=$(head -c 100000 /dev/zero | tr '\0' a)
code=$(curl -s -o "$T/resp.json" -w '%{http_code}' "$HUB/v1/info?$long")
check "a 100 KB request target gets 414: $code" test "$code" = 414
check_out "... with a JSON error" '^\{"error": *"' cat "$T/resp.json"
code=$(curl -s -o "$T/resp.json" -w '%{http_code}' -H "X-Big: $long" "$HUB/v1/info")
check "a 100 KB header gets 431: $code" test "$code" = 431
check_out "... with a JSON error" '^\{"error": *"' cat "$T/resp.json"
check "after all of it XA still syncs" node XA sync
finish
