#!/usr/bin/env bash
# Operating the hub and a node: the Prometheus endpoints on listeners of
# their own and the JSON logs.  Counters must move as they should (an envelope accepted, one
# refused as a replay, garbage refused, a quota hit), the endpoint must not be on the
# API's listener, and the JSON log must be one object per line, with one
# "request" event per request and never a message's content.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rt_lib.sh"

metric() {	# NAME_WITH_LABELS: its value on the metrics listener (0 when absent)
	curl -s "$METRICS" | awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'
}

check "rosterd init" hub_init "$T/hub" "Metrics hub"
check "the hub serves with metrics and JSON logs" start_hub "$T/hub" \
	--metrics-listen 127.0.0.1:0 --log-format json
check "metrics.url names the metrics listener" test -s "$T/hub/metrics.url"
METRICS=$(cat "$T/hub/metrics.url")
check_out "GET /metrics answers Prometheus text" "^# TYPE roster_log_size gauge" curl -s "$METRICS"
check_out "... with its content type" "text/plain; version=0.0.4" \
	curl -s -o /dev/null -w '%{content_type}' "$METRICS"
check_out "the API's listener does not serve /metrics" "^404$" \
	curl -s -o /dev/null -w '%{http_code}' "$HUB/metrics"
check_out "the metrics listener serves nothing else" "^404$" \
	curl -s -o /dev/null -w '%{http_code}' "${METRICS%/metrics}/v1/info"

for s in XA XB; do check "State $s" make_state "$s"; done
acc0=$(metric roster_envelopes_accepted_total)
size0=$(metric roster_log_size)
MARK="metrics-marker-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
check "XA sends to XB" node XA send --to XB --subject "$MARK" --body "$MARK body"
acc1=$(metric roster_envelopes_accepted_total)
check "an accepted envelope moves the counter ($acc0 -> $acc1)" test "$acc1" -eq $((acc0 + 1))
check "the log size gauge follows ($size0 -> $(metric roster_log_size))" \
	test "$(metric roster_log_size)" -eq $((size0 + 1))

python3 - "$T/node-XA/node.db" "$T/env.bin" <<'PY'
import sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute("SELECT envelope FROM outbox WHERE kind='msg' ORDER BY seq LIMIT 1").fetchone()
open(sys.argv[2], "wb").write(row[0])
PY
post() { curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
	--data-binary @"$1" "$HUB/v1/envelopes"; }
r0=$(metric 'roster_envelopes_refused_total{reason="conflict",code="409"}')
check_out "a replay is refused (409)" "^409$" post "$T/env.bin"
r1=$(metric 'roster_envelopes_refused_total{reason="conflict",code="409"}')
check "... and counted as refused, conflict ($r0 -> $r1)" test "$r1" -eq $((r0 + 1))
check "... and not as accepted" test "$(metric roster_envelopes_accepted_total)" -eq "$acc1"
head -c 64 /dev/urandom >"$T/garbage.bin"
g0=$(metric 'roster_http_requests_total{route="/v1/envelopes",code="400"}')
check_out "garbage is refused (400)" "^400$" post "$T/garbage.bin"
check "... and counted per route and code" \
	test "$(metric 'roster_http_requests_total{route="/v1/envelopes",code="400"}')" -eq $((g0 + 1))
check_out "an unknown path is counted under route=\"other\"" "^404$" \
	curl -s -o /dev/null -w '%{http_code}' "$HUB/v1/nonsense/$MARK"
check "... there" test "$(metric 'roster_http_requests_total{route="other",code="404"}')" -ge 1
check "commit latency is observed" test "$(metric roster_db_commit_duration_seconds_count)" -ge 1
check "request latency is observed" \
	test "$(metric 'roster_http_request_duration_seconds_count{route="/v1/envelopes"}')" -ge 3
check "a checkpoint age is reported once one is signed" \
	test -n "$(curl -s "$METRICS" | grep '^roster_checkpoint_age_seconds ')"
check "XB syncs" node XB sync
check_out "the quota counter is exported" "^roster_quota_refusals_total [0-9]+" curl -s "$METRICS"

# A quota hit: one envelope per device and hour, after a restart (which
# forgets the counts): XB's first message goes, its second is refused 429.
stop_hub
python3 - "$T/hub/hub.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["quota_envelopes"] = 1
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
check "the hub restarts with a quota of one envelope an hour" start_hub "$T/hub" \
	--metrics-listen 127.0.0.1:0 --log-format json
METRICS=$(cat "$T/hub/metrics.url")
check "XB's first message goes" node XB send --to XA --subject q1 --body q1
check_out "XB's second is refused for its quota" "quota" node XB send --to XA --subject q2 --body q2
check "... counted as a quota refusal" test "$(metric roster_quota_refusals_total)" -eq 1
check "... and as an envelope refused for quota" \
	test "$(metric 'roster_envelopes_refused_total{reason="quota",code="429"}')" -eq 1
check "... and the first as accepted" test "$(metric roster_envelopes_accepted_total)" -eq 1

stop_hub
check "every line of the hub's log is one JSON object with time, level, event, msg" python3 - "$T/hub.log" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    if not line.strip() or line.startswith(("==", "    #")):
        continue
    o = json.loads(line)
    assert {"time", "level", "event", "msg", "program"} <= set(o), o
    n += 1
assert n > 0
PY
check_out "requests are logged as events with route and status" '"event":"request".*"route":"/v1/envelopes".*"status":409' cat "$T/hub.log"
check_out "the start is an event with the URL" '"event":"start".*"url":"http' cat "$T/hub.log"
check_fails "the log never holds the message's subject or body" grep -q "$MARK" "$T/hub.log"

# ---- a node: roster serve --metrics-listen, --log-format json -------------
nmetric() {	# NAME: its value on XB's metrics listener
	curl -s "$NMETRICS" | awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'
}
check "the hub serves again" start_hub "$T/hub"
check "XB runs roster serve with metrics and JSON logs" start_serve XB \
	--metrics-listen 127.0.0.1:0 --log-format json
NMETRICS=$(cat "$T/node-XB/metrics.url")
check_out "the node's /metrics answers" "^# TYPE roster_node_records gauge" curl -s "$NMETRICS"
check_out "... not on the web interface's listener" "^404$" \
	curl -s -o /dev/null -w '%{http_code}' "$(cat "$T/node-XB/serve.url")/metrics"
check_out "it names the node's State and role" 'roster_node_info\{state="XB",role="technical"\} 1' curl -s "$NMETRICS"
for _ in $(seq 1 50); do [ "$(nmetric roster_node_last_sync_success_timestamp_seconds)" != 0 ] && break; sleep 0.1; done
check "the last successful sync is reported" test "$(nmetric roster_node_last_sync_success_timestamp_seconds)" != 0
check "no alarm" test "$(nmetric roster_node_alarms)" -eq 0
u0=$(nmetric roster_node_messages_unacknowledged)
check "XA sends to XB" node XA send --to XB --subject "$MARK again" --body "$MARK body"
for _ in $(seq 1 50); do [ "$(nmetric roster_node_messages_unacknowledged)" -gt "$u0" ] && break; sleep 0.1; done
check "a message waiting for the POC's acknowledgement moves the count ($u0 -> $(nmetric roster_node_messages_unacknowledged))" \
	test "$(nmetric roster_node_messages_unacknowledged)" -eq $((u0 + 1))
stop_hub
check "with the hub down, XB's acknowledgement is queued" node XB ack "$(last_received XB)"
check "... the outbox count says one envelope waits for a receipt" test "$(nmetric roster_node_outbox_pending)" -ge 1
sleep 1
check "... and the last sync's age grows" python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 0.5 else 1)" "$(nmetric roster_node_last_sync_age_seconds)"
kill "$SERVEPID"; wait "$SERVEPID" 2>/dev/null
check "every line of the node's log is one JSON object" python3 - "$T/node-XB/serve.log" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    if line.strip():
        o = json.loads(line)
        assert {"time", "level", "program", "event", "msg"} <= set(o), o
        n += 1
assert n > 0
PY
check_out "... the start among them" '"event":"start"' cat "$T/node-XB/serve.log"
check_out "... and what the loop said about the hub being down, as an event" '"event":"(sync|stderr)"' cat "$T/node-XB/serve.log"
check_fails "... never the message's content" grep -q "$MARK" "$T/node-XB/serve.log"
finish
