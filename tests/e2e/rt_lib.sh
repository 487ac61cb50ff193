# rt_lib.sh - helpers for the real-time tests (test_realtime.sh,
# test_alerts.sh) and bench/realtime_latency.sh, sourced after lib.sh.

# start_serve CODE [ARGS...]: runs `roster serve` for node CODE on a free
# loopback port, with a long --interval so that only the long poll can
# explain a fast delivery.  Sets SERVEPID; output in $T/node-CODE/serve.log.
start_serve() {
	local s=$1 dir="$T/node-$1"; shift
	rm -f "$dir/serve.url"
	"$ROSTER" serve --dir "$dir" --listen 127.0.0.1:0 --interval 60 "$@" \
		>>"$dir/serve.log" 2>&1 &
	SERVEPID=$!
	PIDS="$PIDS $SERVEPID"
	for _ in $(seq 1 200); do
		[ -s "$dir/serve.url" ] && return 0
		kill -0 "$SERVEPID" 2>/dev/null || { tail "$dir/serve.log"; return 1; }
		sleep 0.05
	done
	return 1
}

now_ns() { date +%s%N; }

# wait_stored CODE ID SINCE_NS TIMEOUT_S: waits until node CODE has stored
# message ID (hex); prints the milliseconds since SINCE_NS.  Exit 1 on
# timeout.
wait_stored() {
	python3 - "$T/node-$1/node.db" "$2" "$3" "$4" <<'PY'
import sqlite3, sys, time
db, mid, since, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
end = time.time() + timeout
while True:
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
        r = c.execute("SELECT 1 FROM messages WHERE direction='in' AND lower(hex(id))=?",
                      (mid,)).fetchone()
        c.close()
    except sqlite3.Error:
        r = None
    if r:
        print("%.0f" % ((time.time_ns() - since) / 1e6))
        sys.exit(0)
    if time.time() > end:
        print("timeout")
        sys.exit(1)
    time.sleep(0.005)
PY
}

# send_timed FROM TO URGENCY SUBJECT BODY: sends; sets SENT_ID and SENT_NS
# (the time `roster send` returned).
send_timed() {
	"$ROSTER" send --dir "$T/node-$1" --to "$2" --urgency "$3" --subject "$4" \
		--body "$5" >"$T/send.out" 2>&1 || { cat "$T/send.out"; return 1; }
	SENT_NS=$(now_ns)
	SENT_ID=$(last_sent "$1")
}
