#!/bin/bash
# test_checks.sh - communication checks ("ping tests") and their figures.
#
# Three States: XA (a technical and a diplomatic POC), XB (the same), XC
# (one technical POC); a group "asean" of XA and XB.  The operator checks
# all POCs; XA checks XB and XC with a short deadline.  Some POCs answer,
# some do not, one answers after the deadline.  Then the report must show
# the right rates per State, role and group in JSON and CSV, a node's
# recomputation from verified records must equal the hub's report, and
# what tries to break it fails: an answer by a device outside the
# audience, an answer whose log time was altered on the hub, bad usage.
. "$(dirname "$0")/lib.sh"

new_hub || exit 1
for s in XA XB XC; do make_state "$s" || { bad "make_state $s"; finish; exit 1; }; done
make_node XA diplomatic 2 && make_node XB diplomatic 2 || { bad "second POCs"; finish; exit 1; }
check "rosterd group asean" "$ROSTERD" group "$T/hub" --name asean --states XA,XB
for d in XA XA2 XB XB2 XC; do node "$d" sync >/dev/null 2>&1; done

# ---- usage ---------------------------------------------------------------
"$ROSTER" checks --help >"$T/help.out" 2>&1
grep -q "roster checks start --to AUDIENCE" "$T/help.out" && ok "roster checks --help" || bad "roster checks --help"
"$ROSTERD" ping --help | grep -q "rosterd ping - start a communication check" && ok "rosterd ping --help" || bad "rosterd ping --help"
"$ROSTERD" checks --help | grep -q "nearest rank" && ok "rosterd checks --help" || bad "rosterd checks --help"
node XA checks start --to XB >/dev/null 2>&1; [ $? -eq 2 ] && ok "checks start without --deadline exits 2" || bad "checks start without --deadline"
check_out "a bad duration is named" 'not a duration' node XA checks start --to XB --deadline 5x
node XA checks start --to XB --deadline 5x >/dev/null 2>&1; [ $? -eq 2 ] && ok "bad duration exits 2" || bad "bad duration exit"
node XA checks start --to XB --deadline 400d >/dev/null 2>&1; [ $? -eq 2 ] && ok "a deadline beyond 366 days exits 2" || bad "400d"
node XA checks start --to XB --deadline 1h --role chef >/dev/null 2>&1; [ $? -eq 2 ] && ok "unknown role exits 2" || bad "unknown role"
node XA checks frobnicate >/dev/null 2>&1; [ $? -eq 2 ] && ok "unknown subcommand exits 2" || bad "unknown subcommand"
"$ROSTERD" ping "$T/hub" --deadline 1h >/dev/null 2>&1; [ $? -eq 2 ] && ok "rosterd ping without --to exits 2" || bad "ping without --to"
check_out "ping to an unknown group is refused" 'no group "nope"' "$ROSTERD" ping "$T/hub" --to group:nope --deadline 1h
check_out "a text that is not UTF-8 is refused" 'not valid UTF-8' "$ROSTERD" ping "$T/hub" --to all --deadline 1h --text $'caf\xe9'
check_out "check to a State without POC is refused" 'XZ has no current device' node XA checks start --to XZ --deadline 1h

# ---- the operator's check to all, XA's check to XB and XC ----------------
"$ROSTERD" ping "$T/hub" --to all --deadline 1h >"$T/ping.out" 2>&1
OP=$(sed -n 's/^rosterd: check \([0-9a-f]*\) logged.*/\1/p' "$T/ping.out")
[ -n "$OP" ] && grep -q "5 devices of 3 States" "$T/ping.out" && ok "operator's check logged: 5 devices of 3 States" || { bad "rosterd ping"; cat "$T/ping.out"; }
# XA's check has a short deadline: XB answers at once (in time), XC only
# once the deadline has passed (late).  The deadline is long enough for a
# loaded machine to get XB's answer in; the wait for it is on the clock.
XA_START=$(date +%s)
node XA checks start --to XB,XC --deadline 20s >"$T/xa.out" 2>&1
XAC=$(sed -n 's/^check \([0-9a-f]*\) logged.*/\1/p' "$T/xa.out")
[ -n "$XAC" ] && grep -q "asking 3 devices of 2 States" "$T/xa.out" && ok "XA's check logged: 3 devices of 2 States" || { bad "roster checks start"; cat "$T/xa.out"; }
check "XB answers XA's check in time" node XB checks answer "$XAC"

check_out "roster sync tells XB one check waits for its answer" '1 communication check waits' node XB sync
check_out "XB sees the operator's check open" 'OPEN: answer it' node XB checks
check_out "XB's list shows the operator's check" "${OP:0:16} +operator" node XB checks
check_out "XA2 is not asked by XA's own check" "${OP:0:16}" node XA2 checks

# answers to the operator's check: XA, XB (through roster ack), XC
check "XA answers the operator's check" node XA checks answer "${OP:0:12}"
check "XB answers with roster ack" node XB ack "${OP:0:12}"
check "XC answers the operator's check" node XC checks answer "$OP"
check_out "a second answer is not sent" 'already answered' node XC checks answer "$OP"
# answers to XA's check: XB in time; XA2 is not in its audience
check_out "a device outside the audience cannot answer" 'not in the audience' node XA2 checks answer "$XAC"
while [ $(($(date +%s) - XA_START)) -le 21 ]; do sleep 1; done
check_out "XC's answer after the deadline is flagged late" 'count as late' node XC checks answer "$XAC"
check_out "XB2 missed XA's check" 'MISSED' node XB2 checks

# ---- the figures ------------------------------------------------------------
for d in XA XB XC; do node "$d" sync >/dev/null 2>&1; done
"$ROSTERD" checks "$T/hub" --json >"$T/hub.json" 2>"$T/hub.err" && ok "rosterd checks --json" || { bad "rosterd checks --json"; cat "$T/hub.err"; }
row() { # row CHECK-ID-or-history SCOPE KEY FIELD
	if [ "$1" = history ]; then
		jq -r --arg s "$2" --arg k "$3" ".history[] | select(.scope==\$s and .key==\$k) | .$4" "$T/hub.json"
	else
		jq -r --arg id "$1" --arg s "$2" --arg k "$3" ".checks[] | select(.id==\$id) | .rows[] | select(.scope==\$s and .key==\$k) | .$4" "$T/hub.json"
	fi
}
expect() { # expect DESC WANT GOT
	if [ "$2" = "$3" ]; then ok "$1 = $2"; else bad "$1: want $2, got $3"; fi
}
expect "operator check: POCs asked" 5 "$(row "$OP" all all pocs)"
expect "operator check: answered" 3 "$(row "$OP" all all answered)"
expect "operator check: rate" 60 "$(row "$OP" all all rate)"
expect "operator check: States answered" 3 "$(row "$OP" all all states_answered)"
expect "operator check: XA rate (1 of 2 POCs)" 50 "$(row "$OP" state XA rate)"
expect "operator check: XA answered as a State" 1 "$(row "$OP" state XA states_answered)"
expect "operator check: XC rate" 100 "$(row "$OP" state XC rate)"
expect "operator check: technical rate" 100 "$(row "$OP" role technical rate)"
expect "operator check: diplomatic rate" 0 "$(row "$OP" role diplomatic rate)"
expect "operator check: diplomatic median (nobody)" null "$(row "$OP" role diplomatic median_ms)"
expect "operator check: group asean POCs" 4 "$(row "$OP" group asean pocs)"
expect "operator check: group asean rate" 50 "$(row "$OP" group asean rate)"
expect "XA's check: signer" XA "$(jq -r --arg id "$XAC" '.checks[] | select(.id==$id) | .signer' "$T/hub.json")"
expect "XA's check: POCs asked" 3 "$(row "$XAC" all all pocs)"
expect "XA's check: answered in time" 1 "$(row "$XAC" all all answered)"
expect "XA's check: late" 1 "$(row "$XAC" all all late)"
expect "XA's check: rate" 33.3 "$(row "$XAC" all all rate)"
expect "XA's check: XC late as a State" 1 "$(row "$XAC" state XC states_late)"
expect "XA's check: XC rate" 0 "$(row "$XAC" state XC rate)"
expect "XA's check: XC's POC status" late "$(jq -r --arg id "$XAC" '.checks[] | select(.id==$id) | .pocs[] | select(.state=="XC") | .status' "$T/hub.json")"
expect "history: POCs asked over both checks" 8 "$(row history all all pocs)"
expect "history: answered" 4 "$(row history all all answered)"
expect "history: XB rate (2 of 4)" 50 "$(row history state XB rate)"
med=$(row "$OP" all all median_ms); p95=$(row "$OP" all all p95_ms)
[ "$med" != null ] && [ "$p95" -ge "$med" ] && ok "median $med ms <= p95 $p95 ms" || bad "median/p95: $med $p95"

"$ROSTERD" checks "$T/hub" --csv >"$T/hub.csv"
head -1 "$T/hub.csv" | grep -q '^check,scope,key,pocs,answered,late,rate,median_ms,p95_ms,states' && ok "CSV header" || bad "CSV header"
grep -q "^$OP,state,XA,2,1,0,50.0," "$T/hub.csv" && ok "CSV row: XA in the operator's check" || { bad "CSV row XA"; grep "$OP,state" "$T/hub.csv"; }
grep -q "^history,group,asean,6,3," "$T/hub.csv" && ok "CSV history row for group asean" || { bad "CSV history asean"; grep history "$T/hub.csv"; }
check_out "text report" 'history: 2 checks' "$ROSTERD" checks "$T/hub"
# The operator's check is due in an hour: whoever has not answered is not
# late yet; XA's six-second check is past its deadline: XB2 missed it.
check_out "text report: who has not answered a check still open" \
	'not answered yet \(the deadline has not passed\): XA diplomatic [0-9a-f]{16} \(open\)' "$ROSTERD" checks "$T/hub"
check_out "... and who did not answer a check in time" 'not answered in time: (.*; )?XB ' "$ROSTERD" checks "$T/hub"
check_out "response times in s, min or h, not ms" '^  all .* [0-9.]+ (ms|s|min|h)  ' "$ROSTERD" checks "$T/hub"
"$ROSTERD" checks "$T/hub" | grep -Eq '[0-9]ms\b' && bad "a time still in bare milliseconds" || ok "... never \"5614ms\""
check_out "--since in the future leaves no check" '"checks": \[\]' "$ROSTERD" checks "$T/hub" --json --since 2100-01-01
mkdir -p "$T/empty"
check_out "rosterd checks on a folder that is not a hub says so" 'not an initialised hub' "$ROSTERD" checks "$T/empty"
[ ! -e "$T/empty/hub.db" ] && ok "... and creates nothing there" || bad "rosterd checks created a hub.db"
"$ROSTERD" checks "$T/hub" --json --csv >/dev/null 2>&1; [ $? -eq 2 ] && ok "--json with --csv exits 2" || bad "--json --csv"

# ---- a node recomputes the same figures from verified records ---------------
node XB checks report --json --verify >"$T/xb.json" 2>"$T/xb.err"
[ $? -eq 0 ] && grep -q "verified: the hub's figures" "$T/xb.err" && ok "roster checks report --verify agrees with the hub" || { bad "--verify"; cat "$T/xb.err"; }
cmp -s "$T/xb.json" "$T/hub.json" && ok "the node's JSON report is byte for byte the hub's" || { bad "node report differs"; diff "$T/xb.json" "$T/hub.json" | head; }
node XC checks report --csv --offline >"$T/xc.csv" 2>&1
cmp -s "$T/xc.csv" "$T/hub.csv" && ok "the node's CSV is the hub's" || { bad "node CSV differs"; diff "$T/xc.csv" "$T/hub.csv" | head; }
check_out "a node's --since in the future leaves no check" '"checks": \[\]' node XB checks report --json --offline --since 2100-01-01
node XB checks report --since yesterday >/dev/null 2>&1; [ $? -eq 2 ] && ok "a bad --since exits 2" || bad "bad --since"
check_out "report of one check" "check ${XAC:0:16}" node XA checks report "${XAC:0:10}"
check_out "XA's list shows its own check" "${XAC:0:16} +me" node XA checks

# a group changed after the checks: the report follows the group records
# below its log size, on the hub and on the node alike
check "rosterd group asean now XA,XC" "$ROSTERD" group "$T/hub" --name asean --states XA,XC
node XB checks report --json --verify >"$T/xb2.json" 2>"$T/xb2.err"
[ $? -eq 0 ] && ok "--verify still agrees after the group changed" || { bad "--verify after group change"; cat "$T/xb2.err"; }
expect "operator check: group asean (XA,XC) POCs" 3 "$(jq -r --arg id "$OP" '.checks[] | select(.id==$id) | .rows[] | select(.scope=="group" and .key=="asean") | .pocs' "$T/xb2.json")"

# ---- the node's local API --------------------------------------------------------
rm -f "$T/node-XB/serve.url"
"$ROSTER" serve --dir "$T/node-XB" --listen 127.0.0.1:0 --interval 60 >"$T/serve-XB.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 200); do [ -s "$T/node-XB/serve.url" ] && break; sleep 0.05; done
API=$(cat "$T/node-XB/serve.url" 2>/dev/null)
curl -s "$API/api/checks" >"$T/api.json"
[ "$(jq length "$T/api.json")" = 2 ] && [ "$(jq -r '[.[].status] | sort | join(",")' "$T/api.json")" = "answered,answered" ] && ok "GET /api/checks: XB answered both checks" || { bad "GET /api/checks"; cat "$T/api.json"; }
curl -s "$API/api/checks/report" | jq -S . >"$T/api-report.json"
jq -S . "$T/xb2.json" | cmp -s - "$T/api-report.json" && ok "GET /api/checks/report is the verified report" || bad "GET /api/checks/report"

# XB2 works in the browser: it answers the operator's check and starts one
rm -f "$T/node-XB2/serve.url"
"$ROSTER" serve --dir "$T/node-XB2" --listen 127.0.0.1:0 --interval 60 >"$T/serve-XB2.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 200); do [ -s "$T/node-XB2/serve.url" ] && break; sleep 0.05; done
API2=$(cat "$T/node-XB2/serve.url" 2>/dev/null)
CSRF=$(curl -s "$API2/api/session" | jq -r .csrf)
apipost() { curl -s -o "$T/post.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" -d "$2" "$API2$1"; }
[ "$(curl -s "$API2/api/checks" | jq -r --arg id "$OP" '.[] | select(.id==$id) | .status')" = "OPEN: answer it" ] && ok "GET /api/checks: the operator's check is open for XB2" || bad "XB2 open check"
[ "$(apipost "/api/checks/$OP/answer" '{}')" = 200 ] && [ "$(jq -r .id "$T/post.out" | wc -c)" = 65 ] && ok "POST /api/checks/ID/answer signs XB2's answer" || { bad "POST answer"; cat "$T/post.out"; }
[ "$(apipost "/api/checks/$OP/answer" '{}')" = 409 ] && ok "a second answer through the API is 409" || { bad "second API answer"; cat "$T/post.out"; }
[ "$(apipost "/api/checks/${OP:0:4}/answer" '{}')" = 404 ] && ok "a malformed check id is 404" || { bad "bad id"; cat "$T/post.out"; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "$API2/api/checks")" = 403 ] && ok "POST /api/checks without the CSRF token is 403" || bad "csrf"
[ "$(apipost /api/checks '{"to":"XA","deadline":"2h"}')" = 200 ] && ok "POST /api/checks starts XB2's check to XA" || { bad "POST /api/checks"; cat "$T/post.out"; }
[ "$(apipost /api/checks '{"to":"XA","deadline":"2x"}')" = 400 ] && grep -q "not a duration" "$T/post.out" && ok "a bad deadline through the API is 400, named" || { bad "bad deadline"; cat "$T/post.out"; }
node XB2 sync >/dev/null 2>&1
[ "$(curl -s "$API2/api/directory" | jq '[.states[].pocs[] | select(.last_check != null)] | length')" = 4 ] && ok "GET /api/directory: last_check of the 4 POCs that answered" || bad "/api/directory last_check"

# ---- freshness ----------------------------------------------------------------
check_out "directory shows when a POC last answered" 'last answered a check: 20' node XA directory --state XA
check_out "directory shows a POC that never answered" 'last answered a check: never' node XA directory --state XA
check_out "nobody is stale within a year" 'All POCs of XA confirmed' node XA status
jq '.stale_after_days = 0.00001' "$T/node-XA/config.json" >"$T/cfg" && cp "$T/cfg" "$T/node-XA/config.json"
sleep 1
check_out "stale POCs are flagged in the directory" 'STALE' node XA directory --state XA
check_out "roster status reminds XA of its stale POC" 'POC XA2 <poc2@xa.example>  last answered a check: never' node XA status
check_out "roster sync reminds XA too" 'reminder: 2 POCs of XA not confirmed' node XA sync
node XA status >"$T/st.out" 2>&1
grep -q "POC XB" "$T/st.out" && bad "the reminder names another State's POCs" || ok "the reminder names only XA's own POCs"
[ "$(node XA directory --json --state XA | jq '[.states[].pocs[] | select(.stale)] | length')" = 2 ] && ok "directory --json: stale flag" || bad "directory --json stale"
jq '.stale_after_days = "soon"' "$T/node-XA/config.json" >"$T/cfg" && cp "$T/cfg" "$T/node-XA/config.json"
check_out "a bad stale_after_days is named" 'stale_after_days' node XA status

# ---- the public endpoints ------------------------------------------------------
code() { curl -s -o "$T/curl.out" -w '%{http_code}' "$HUB$1"; }
# Checks and their answers are public records: the public feed (section 8)
# carries them, and the listing it replaced is gone.
checks_in_feed() {	# the kinds of the public feed's records, counted
	code '/v1/public?after=-1' >/dev/null
	python3 -c '
import base64, collections, json, struct, sys
c = collections.Counter()
for r in json.load(open(sys.argv[1]))["records"]:
    e = base64.b64decode(r["envelope"]); hl = struct.unpack(">I", e[4:8])[0]
    h = json.loads(e[8:8 + hl]); c[h["kind"] + ("-answer" if h.get("check") else "")] += 1
print("checks %d answers %d" % (c["check"], c["ack-answer"]))' "$T/curl.out"
}
check_out "GET /v1/public carries the 3 checks and 6 answers" "^checks 3 answers 6$" checks_in_feed
[ "$(code /v1/checks)" = 404 ] && ok "GET /v1/checks, the old listing, is gone (404)" || bad "GET /v1/checks is still served"
[ "$(code '/v1/checks/report?size=999999')" = 400 ] && grep -q 'out of range' "$T/curl.out" && ok "a report beyond the log is 400" || bad "report size"
[ "$(code /v1/checks/report)" = 200 ] && [ "$(jq '.report.checks | length' "$T/curl.out")" = 3 ] && ok "GET /v1/checks/report" || bad "GET /v1/checks/report"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$HUB/v1/checks/report")" = 405 ] && ok "POST /v1/checks/report is 405" || bad "POST /v1/checks/report"

# ---- tampering ------------------------------------------------------------------
# The log time of XB's answer to XA's check is moved on the hub's disk: the
# hub's own report believes it, a node refuses the record (its inclusion
# proof no longer holds) and --verify says the figures differ.
stop_hub
check "rosterd check: a log with checks and answers is consistent" "$ROSTERD" check "$T/hub"
IDX=$(sqlite3 "$T/hub/hub.db" "SELECT idx FROM log WHERE kind='ack' ORDER BY idx LIMIT 1 OFFSET 3")
sqlite3 "$T/hub/hub.db" "UPDATE log SET time = time + 3600000 WHERE idx = $IDX"
check_out "rosterd serve refuses to start on the altered time, naming the index" "stored envelope $IDX is not the Merkle tree's leaf" \
	"$ROSTERD" serve "$T/hub" --listen 127.0.0.1:0
# A hostile operator turns the start-up check off and serves it anyway.
jq '.startup_check = false' "$T/hub/hub.json" >"$T/hub.json" && cp "$T/hub.json" "$T/hub/hub.json"
start_hub "$T/hub"
make_node XC technical 2 || bad "a new XC node"
node XC2 checks report --json --verify >"$T/xc2.json" 2>"$T/xc2.err"
rc=$?
[ $rc -eq 1 ] && grep -q "differ" "$T/xc2.err" && ok "--verify catches an answer whose log time the hub altered" || { bad "tampered time not caught (exit $rc)"; cat "$T/xc2.err"; }
# The node refuses the record, or (since the completeness checks of
# protocol.md section 8) raises the log-time alarm naming its index.
grep -Eq "refused the record at log index $IDX|ALARM \(log-time\): the record at log index $IDX " "$T/xc2.err" && ok "the node refused the altered answer, naming its index" || { bad "altered answer not refused"; cat "$T/xc2.err"; }

# the operator starts a check while the hub is stopped: appended directly
stop_hub
sqlite3 "$T/hub/hub.db" "UPDATE log SET time = time - 3600000 WHERE idx = $IDX"
jq '.startup_check = true' "$T/hub/hub.json" >"$T/hub.json" && cp "$T/hub.json" "$T/hub/hub.json"
check_out "rosterd ping on a stopped hub appends directly" 'logged at index [0-9]+: 2 devices of 1 State' "$ROSTERD" ping "$T/hub" --to XA --deadline 1h --text "Still there?" --lang en
[ "$("$ROSTERD" checks "$T/hub" --json | jq '.checks | length')" = 4 ] && ok "rosterd checks on a stopped hub sees the fourth check" || bad "fourth check"

finish
