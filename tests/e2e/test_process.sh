#!/bin/bash
# test_process.sh - the process end to end (issue 13, docs/process.md):
# the operator's rosterd body, meeting, stakeholder apply and process; the
# States' roster propose, object, support, withdraw, decisions, decision
# show, meeting add and process.
#
# Four States: XA (the Chair), XB and XC (members), XD (not a member).  XA
# proposes P1 (nobody objects), P2 (XB objects without a reason, XC with
# one) and P3 (withdrawn); with a silence of 60 s.  What it tries to break:
# a proposal by a member who is not the Chair, an objection by a
# non-member, a second objection, a position after a withdrawal, one after
# the deadline (refused by the hub's log time, not the signer's clock),
# bad words; each a clear error and nothing logged.  Then the outcomes:
# P1 adopted, P2 not adopted with its objectors, P3 withdrawn, the same on
# every node and on the hub byte for byte (roster process and rosterd
# process at one log time), and on a fresh node that replays the log.
. "$(dirname "$0")/lib.sh"

new_hub || exit 1
for s in XA XB XC XD; do make_state "$s" || { bad "make_state $s"; finish; exit 1; }; done
logsize() { hubdb "$T/hub" sql "SELECT count(*) FROM log"; }
id_of() { sed -n 's/^id: \([0-9a-f]*\)$/\1/p; s/^proposal \([0-9a-f]*\) logged.*/\1/p' "$1" | head -1; }

# ---- the operator's commands -------------------------------------------------
check_out "rosterd body records oewg" 'body oewg recorded at log index' \
	"$ROSTERD" body "$T/hub" --name oewg --chair XA --members XA,XB,XC \
	--title "en=Open-ended working group" --title "fr=Groupe de travail" --silence 60s
N=$(logsize)
check_out "a second body oewg is refused (409)" 'exists already' \
	"$ROSTERD" body "$T/hub" --name oewg --chair XB --members all
"$ROSTERD" body "$T/hub" --name oewg2 --chair XA --members all --silence 72 >"$T/last.out" 2>&1
[ $? -eq 2 ] && grep -q "not a duration" "$T/last.out" && ok "a malformed duration: exit 2, named" || { bad "malformed duration"; show_last; }
"$ROSTERD" body "$T/hub" --name oewg2 --chair XA --members all --languages en,English >"$T/last.out" 2>&1
[ $? -eq 2 ] && grep -q "not a language code" "$T/last.out" && ok "a language that is no code: exit 2" || { bad "bad language"; show_last; }
"$ROSTERD" body "$T/hub" --name Big --chair XA --members all >/dev/null 2>&1
[ $? -eq 2 ] && ok "a body name with capitals: exit 2" || bad "body name"
check_out "rosterd meeting for an unknown body is refused" 'no body "nobody"' \
	"$ROSTERD" meeting "$T/hub" --body nobody --start 2040-01-10 --end 2040-01-12 --title en=S
"$ROSTERD" meeting "$T/hub" --body oewg --start 2040-02-30 --end 2040-03-02 --title en=S >/dev/null 2>&1
[ $? -eq 2 ] && ok "30 February is not a date: exit 2" || bad "30 February"
check_out "rosterd stakeholder apply to an unknown body is refused" 'no body' \
	"$ROSTERD" stakeholder apply "$T/hub" --body nobody --name Org --ecosoc no
[ "$(logsize)" = "$N" ] && ok "nothing of the refused or malformed was logged" || bad "log grew: $N -> $(logsize)"
check_out "rosterd meeting records a meeting" 'meeting of oewg recorded' \
	"$ROSTERD" meeting "$T/hub" --body oewg --start 2040-01-10T10:00Z --end 2040-01-12 --title "en=Second session"
M1=$(id_of "$T/last.out")
check_out "rosterd stakeholder apply records an application" 'application of Cyber Org to oewg recorded' \
	"$ROSTERD" stakeholder apply "$T/hub" --body oewg --name "Cyber Org" --ecosoc no --website https://example.org
APP=$(id_of "$T/last.out")

# ---- proposals -------------------------------------------------------------
printf 'The working group adopts its programme of work.' >"$T/p1.txt"
printf 'Le groupe adopte son programme.' >"$T/p1.fr"
printf 'The working group meets in Geneva.' >"$T/p2.txt"
printf 'A third text.' >"$T/p3.txt"
N=$(logsize)
check_out "a member that is not the Chair may not propose" 'may not propose' \
	node XB propose --body oewg --text-file "$T/p1.txt" --lang en
node XB propose --body oewg --text-file "$T/p1.txt" --lang en >/dev/null 2>&1
[ $? -eq 1 ] && ok "... exit 1" || bad "XB propose exit"
check_out "a proposal to an unknown body is refused" 'no body' \
	node XA propose --body nobody --text-file "$T/p1.txt" --lang en
node XA propose --body oewg --text-file "$T/p1.txt" --lang en --silence 1s >"$T/last.out" 2>&1
[ $? -eq 2 ] && grep -q "at least 60s" "$T/last.out" && ok "a silence under 60s: exit 2" || { bad "--silence 1s"; show_last; }
node XA propose --body oewg --text-file "$T/p1.txt" --lang english >/dev/null 2>&1
[ $? -eq 2 ] && ok "--lang that is no code: exit 2" || bad "--lang english"
node XA propose --body oewg --text-file "$T/nothing.txt" --lang en >/dev/null 2>&1
[ $? -eq 2 ] && ok "a text file that is not there: exit 2" || bad "missing text file"
[ "$(logsize)" = "$N" ] && ok "no refused proposal was logged" || bad "log grew: $N -> $(logsize)"

node XA propose --body oewg --text-file "$T/p1.txt" --lang en --translation "fr=$T/p1.fr" >"$T/p1.out" 2>&1
P1=$(id_of "$T/p1.out")
[ -n "$P1" ] && grep -q "receipt verified" "$T/p1.out" && ok "XA proposes P1 (en, fr)" || { bad "P1"; cat "$T/p1.out"; }
node XA propose --body oewg --text-file "$T/p2.txt" --lang en >"$T/p2.out" 2>&1
P2=$(id_of "$T/p2.out")
[ -n "$P2" ] && ok "XA proposes P2" || { bad "P2"; cat "$T/p2.out"; }
node XA propose --body oewg --text-file "$T/p3.txt" --lang en >"$T/p3.out" 2>&1
P3=$(id_of "$T/p3.out")
[ -n "$P3" ] && ok "XA proposes P3" || { bad "P3"; cat "$T/p3.out"; }

# ---- positions ----------------------------------------------------------------
printf 'We need more time.' >"$T/reason.txt"
check_out "XB objects to P2 without a reason" 'objection [0-9a-f]+ logged at index' node XB object "${P2:0:12}"
check_out "XC objects to P2 with a sealed reason" 'objection [0-9a-f]+ logged at index' \
	node XC object "$P2" --reason-file "$T/reason.txt"
# XC works in the browser: the local API of its `roster serve` (the loopback desk)
rm -f "$T/node-XC/serve.url"
"$ROSTER" serve --dir "$T/node-XC" --listen 127.0.0.1:0 --interval 1 >>"$T/serve-XC.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 200); do [ -s "$T/node-XC/serve.url" ] && break; sleep 0.05; done
C=$(tr -d '\n' <"$T/node-XC/serve.url")
CSRF=$(curl -s "$C/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
cpost() { curl -s -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" -d "$2" "$C$1"; }
check_out "the web: XC supports P1 in one click" '"id":"[0-9a-f]{64}","queued":true' \
	cpost "/api/process/${P1:0:12}/position" '{"stance":"support"}'
# XC's serve sends it and takes it back from the log: wait for that
for _ in $(seq 1 200); do
	curl -s "$C/api/process" | python3 -c 'import json,sys; v=json.load(sys.stdin); sys.exit(0 if [d for d in v["decisions"] if d["id"]==sys.argv[1] and d["supports"]==1] else 1)' "$P1" && break
	sleep 0.1
done
check_out "the web: a second support is refused (409)" 'supported already' cpost "/api/process/$P1/position" '{"stance":"support"}'
check_out "the web: a stance that is none: 400" 'must be .*object.* or .*support' cpost "/api/process/$P1/position" '{"stance":"veto"}'
check_out "the web: a reason without an objection: 400" 'goes with an objection' \
	cpost "/api/process/$P1/position" '{"stance":"support","reason":"x"}'
check_out "the web: no such proposal: 404" '^404$' curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	-H "X-CSRF-Token: $CSRF" -d '{"stance":"object"}' "$C/api/process/$(printf 'ab%.0s' $(seq 32))/position"
check_out "the web: no position without the CSRF token" 'X-CSRF-Token' \
	curl -s -H 'Content-Type: application/json' -d '{"stance":"object"}' "$C/api/process/$P2/position"
N=$(logsize)
check_out "a second objection by XB is refused" 'objected already' node XB object "$P2"
check_out "XD, not a member, may not object" 'not a member' node XD object "$P1"
check_out "an id that names nothing is refused" 'no proposal or application' node XB object 0123456789abcdef
node XB object 12 >/dev/null 2>&1; [ $? -eq 1 ] && ok "a short id: exit 1" || bad "short id"
check_out "XB may not withdraw XA's proposal" 'withdraw' node XB withdraw "$P3"
[ "$(logsize)" = "$N" ] && ok "no refused position was logged" || bad "log grew: $N -> $(logsize)"
check_out "XA withdraws P3" 'withdrawal [0-9a-f]+ logged' node XA withdraw "$P3"
check_out "no position after a withdrawal" 'withdrawn' node XB object "$P3"

check_out "the web: GET /api/process gives the view, P2 with its 2 objections" \
	'"objections": ?2' sh -c "curl -s '$C/api/process' | python3 -c 'import json,sys; v=json.load(sys.stdin); print(json.dumps([d for d in v[\"decisions\"] if d[\"id\"]==\"$P2\"][0]))'"
# one read model: the web's decision is `roster decision show --json`'s, and
# what it offers is what lib's rules allow this State
# (at one log time, so that a checkpoint verified between the two calls
# does not move "remaining_ms")
# (and XC's node synced first, so that both read the withdrawal of P3)
node XC sync >/dev/null 2>&1
AT1=$(( $(date +%s%3N) + 1000 ))
curl -s "$C/api/process?at=$AT1" >"$T/web-XC.json"
node XC decision show "$P2" --json --at "$AT1" >"$T/cli-P2.json" 2>/dev/null
python3 - "$T/web-XC.json" "$T/cli-P2.json" "$P1" "$P2" "$P3" "$AT1" >"$T/last.out" 2>&1 <<'PY' && ok "the web's decision is the CLI's; it offers what the rules allow XC" || { bad "process_view"; show_last; }
import json, sys
v = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
d = {x["id"]: x for x in v["decisions"]}
assert d[sys.argv[4]] == c, (d[sys.argv[4]], c)
p1, p2, p3 = d[sys.argv[3]], d[sys.argv[4]], d[sys.argv[5]]
assert v["state"] == "XC" and v["act_time"] > 0 and v["as_of"] == int(sys.argv[6]), v
assert p1["own"] == "support" and p1["may"] == {"object": True, "support": False, "withdraw": False}, p1
assert p2["own"] == "object" and p2["may"] == {"object": False, "support": False, "withdraw": False}, p2
assert p3["own"] is None and p3["may"] == {"object": False, "support": False, "withdraw": False}, p3
PY
check_out "roster decision show says what XC may still do" 'this State may: roster object$' node XC decision show "$P1"
check_out "the web: XC, not the proposer nor the Chair, may not withdraw P1 (409)" '^409 .*only XA or the Chair' \
	sh -c "curl -s -w '%{http_code} ' -o '$T/wd.out' -H 'Content-Type: application/json' -H 'X-CSRF-Token: $CSRF' -d '{}' '$C/api/process/$P1/withdraw'; cat '$T/wd.out'"
# the objecting State is named to every member (the body's default rule)
check_out "XB sees P2 open with 2 objections" "${P2:0:16}.*OPEN" node XB decisions
check_out "roster decision show names the objectors" 'objecting: XB, XC' node XA decision show "$P2"
check_out "the text is shown in both languages" 'text \(fr\): Le groupe' node XB decision show "$P1"
check_out "the application is under silence too" "${APP:0:16}.*application of oewg by operator: OPEN" node XC decisions

# ---- the deadline: log time, not the signer's clock ------------------------------
DL=$(node XA decision show "$P1" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["deadline"])')
[ -n "$DL" ] && ok "P1's deadline is $DL" || bad "no deadline"
# wait (on the clock, at most 120 s) for the deadline to pass
for _ in $(seq 1 240); do
	[ "$(date +%s%3N)" -gt "$((DL + 500))" ] && break
	sleep 0.5
done
N=$(logsize)
check_out "an objection after the deadline is refused by the node, on its clock" 'silence procedure ended' \
	node XB object "$P1"
[ "$(logsize)" = "$N" ] && ok "the late objection was not logged" || bad "late objection logged"
# XB's clock set back an hour: its node believes the silence still runs and
# signs (its header says an hour ago); the hub's log time decides.
ROSTER_CLOCK_SKEW_MS=-3600000 node XB object "$P1" >"$T/last.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "hub refused.*the silence procedure ended" "$T/last.out" &&
	ok "a node with its clock set back: its late objection refused by log time" || { bad "clock set back (exit $rc)"; show_last; }
[ "$(logsize)" = "$N" ] && ok "... and not logged" || bad "the set-back objection was logged"
check_out "past the deadline, with no checkpoint after it, P1 is not yet called adopted" \
	"${P1:0:16}.*OPEN, under silence until this node verifies a checkpoint past its deadline" node XC decisions
# A record after the deadline, so a checkpoint past it is signed.
node XA propose --body oewg --text-file "$T/p3.txt" --lang en >"$T/p4.out" 2>&1
P4=$(id_of "$T/p4.out")
check_out "XB's chain goes on after the refusal" 'support [0-9a-f]+ logged' node XB support "$P4"
# XA withdraws P4 in the browser (the local API of its own serve)
rm -f "$T/node-XA/serve.url"
"$ROSTER" serve --dir "$T/node-XA" --listen 127.0.0.1:0 --interval 1 >>"$T/serve-XA.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 200); do [ -s "$T/node-XA/serve.url" ] && break; sleep 0.05; done
A=$(tr -d '\n' <"$T/node-XA/serve.url")
ACSRF=$(curl -s "$A/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
apost() { curl -s -H 'Content-Type: application/json' -H "X-CSRF-Token: $ACSRF" -d "$2" "$A$1"; }
wstatus() { curl -s "$A/api/process" | python3 -c 'import json,sys; v=json.load(sys.stdin); print([d for d in v["decisions"] if d["id"]==sys.argv[1]][0][sys.argv[2]])' "$1" "$2"; }
check_out "the web offers XA, the Chair, to withdraw P4" "'withdraw': True" wstatus "$P4" may
check_out "the web: XA withdraws P4 in one click" '"id":"[0-9a-f]{64}","queued":true' apost "/api/process/${P4:0:12}/withdraw" '{}'
for _ in $(seq 1 200); do [ "$(wstatus "$P4" status 2>/dev/null)" = withdrawn ] && break; sleep 0.1; done
check_out "... and the log takes it: P4 withdrawn" '^withdrawn$' wstatus "$P4" status
check_out "the web: a second withdrawal is refused (409)" 'withdrawn already' apost "/api/process/$P4/withdraw" '{}'
check_out "the web: withdrawing nothing known: 404" '^404$' curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	-H "X-CSRF-Token: $ACSRF" -d '{}' "$A/api/process/$(printf 'ab%.0s' $(seq 32))/withdraw"
check_out "the web: no withdrawal without the CSRF token" 'X-CSRF-Token' \
	curl -s -H 'Content-Type: application/json' -d '{}' "$A/api/process/$P4/withdraw"
for s in XA XB XC XD; do node "$s" sync >/dev/null 2>&1; done
check_out "P1 is adopted (no objection before the deadline)" "${P1:0:16}.*ADOPTED" node XB decisions
check_out "P2 is not adopted (silence broken)" "${P2:0:16}.*NOT ADOPTED" node XB decisions
check_out "P3 is withdrawn" "${P3:0:16}.*WITHDRAWN" node XC decisions
check_out "the application is accredited (nobody objected)" "${APP:0:16}.*ACCREDITED" node XD decisions

# ---- papers and their lead time ---------------------------------------------------
printf 'Programme of work' >"$T/en.txt"; printf 'Programme de travail' >"$T/fr.txt"
printf 'Programa' >"$T/es.txt"; printf 'Programma' >"$T/ru.txt"
node XA paper circulate --body oewg --meeting "$M1" --title "en=Programme of work" \
	--file "en=$T/en.txt" --file "fr=$T/fr.txt" >"$T/paper.out" 2>&1
PA=$(sed -n 's/^paper \([0-9a-f]*\) logged.*/\1/p' "$T/paper.out")
[ -n "$PA" ] && ok "the Chair circulates a paper in en and fr" || { bad "paper circulate"; cat "$T/paper.out"; }
check_out "a member sees en on time" 'en: circulated [0-9.]+ days before the meeting \(rule: 42 days\): on time' node XB paper show "$PA"
check_out "... and the missing four flagged" 'ar: missing.*zh: missing.*ru: missing.*es: missing' \
	sh -c "\"$ROSTER\" paper show $PA --dir $T/node-XB | tr '\n' ' '"
N=$(logsize)
check_out "a member who did not circulate it adds no language" 'paper-lang|circulated|Chair' \
	node XB paper add-language "$PA" --file "ru=$T/ru.txt"
node XA paper circulate --body oewg --title en=X --file "english=$T/en.txt" >/dev/null 2>&1
[ $? -eq 2 ] && ok "a file whose language is no code: exit 2" || bad "--file english="
node XA paper circulate --body oewg --title en=X --file "en=$T/en.txt" --file "en=$T/fr.txt" >/dev/null 2>&1
[ $? -eq 2 ] && ok "two versions in one language: exit 2" || bad "duplicate --file"
node XA paper circulate --body oewg --title en=X >/dev/null 2>&1
[ $? -eq 2 ] && ok "a paper with no file: exit 2" || bad "no --file"
check_out "a paper for an unknown meeting is refused" 'meeting' \
	node XA paper circulate --body oewg --title en=X --meeting "$(printf '0%.0s' $(seq 64))" --file "en=$T/en.txt"
truncate -s 70M "$T/big.pdf"
check_out "a 70 MiB language version is refused before upload" 'at most 64 MiB' \
	node XA paper circulate --body oewg --title en=Big --file "en=$T/big.pdf"
rm -f "$T/big.pdf"
[ "$(logsize)" = "$N" ] && ok "no refused paper was logged" || bad "log grew: $N -> $(logsize)"
check_out "the Chair adds ru and es later" 'language versions [0-9a-f]+ logged' \
	node XA paper add-language "${PA:0:12}" --file "ru=$T/ru.txt" --file "es=$T/es.txt"
check_out "a language is never added twice" 'already|twice' node XA paper add-language "$PA" --file "ru=$T/ru.txt"
# a meeting tomorrow: a paper for it is late whatever the signer's clock says
S=$(( $(date +%s%3N) + 86400000 ))
"$ROSTERD" meeting "$T/hub" --body oewg --start "$S" --end "$((S + 86400000))" --title en=Tomorrow >"$T/m2.out" 2>&1
M2=$(id_of "$T/m2.out")
ROSTER_CLOCK_SKEW_MS=-2592000000 node XB paper circulate --body oewg --meeting "$M2" --title en=Late \
	--file "en=$T/en.txt" >"$T/late.out" 2>&1
PL=$(sed -n 's/^paper \([0-9a-f]*\) logged.*/\1/p' "$T/late.out")
[ -n "$PL" ] && ok "XB (clock 30 days back) circulates a paper for tomorrow's meeting" || { bad "late paper"; cat "$T/late.out"; }
check_out "its lead time is the log's: about a day, LATE" \
	'en: circulated (0\.9|1\.0) days before the meeting \(rule: 42 days\): LATE' node XC paper show "$PL"
node XA paper report --json >"$T/report.json" 2>/dev/null
python3 - "$T/report.json" >"$T/last.out" 2>&1 <<'PY' && ok "the paper report: 1 due (late), 1 pending" || { bad "paper report"; show_last; }
import json, sys
r = json.load(open(sys.argv[1]))
b = r["bodies"][0]
assert b["body"] == "oewg" and b["papers"] == 1 and b["pending"] == 1, b
assert b["on_time"] == 0 and b["on_time_pct"] == 0, b
PY
check_out "the report as CSV" '^scope,body,by,papers' node XA paper report --csv

# ---- the same everywhere, byte for byte ------------------------------------------
AT=$(( $(date +%s%3N) + 3600000 ))
"$ROSTERD" process "$T/hub" --json --at "$AT" --viewer XA >"$T/hub-XA.json" 2>"$T/hub.err"
"$ROSTERD" process "$T/hub" --json --at "$AT" --viewer XB >"$T/hub-XB.json" 2>>"$T/hub.err"
[ -s "$T/hub-XA.json" ] && ok "rosterd process --json" || { bad "rosterd process"; cat "$T/hub.err"; }
for s in XA XB; do
	node "$s" process --at "$AT" >"$T/node-$s.json" 2>"$T/node-$s.err"
	cmp -s "$T/hub-$s.json" "$T/node-$s.json" && ok "$s's view is the hub's, byte for byte" ||
		{ bad "$s's view differs from the hub's"; diff "$T/hub-$s.json" "$T/node-$s.json" | head -20; }
done
make_node XB technical 2 || bad "a fresh XB node"
node XB2 process --at "$AT" >"$T/node-XB2.json" 2>/dev/null
cmp -s "$T/hub-XB.json" "$T/node-XB2.json" && ok "a fresh node replays the log to the same bytes" ||
	{ bad "the fresh node's view differs"; diff "$T/hub-XB.json" "$T/node-XB2.json" | head -20; }
python3 - "$T/hub-XA.json" "$P1" "$P2" "$P3" >"$T/last.out" 2>&1 <<'PY' && ok "the view's outcomes and proofs" || { bad "the view's outcomes"; show_last; }
import json, sys
v = json.load(open(sys.argv[1]))
d = {x["id"]: x for x in v["decisions"]}
p1, p2, p3 = d[sys.argv[2]], d[sys.argv[3]], d[sys.argv[4]]
assert p1["status"] == "adopted" and p1["objections"] == 0 and p1["supporting"] == ["XC"], p1
assert p2["status"] == "not-adopted" and p2["objecting"] == ["XB", "XC"], p2
assert len(p2["proof"]["positions"]) == 2, p2["proof"]
assert p3["status"] == "withdrawn" and p3["proof"]["withdrawal"] is not None, p3
PY

# ---- a dropped objection is caught by the node that holds its receipt -------------
# XB's store made to lack its own objection to P2 (as a feed without it
# would leave it): the receipt it holds says the objection was logged
# before the deadline, so the node raises an alarm instead of trusting the
# outcome.  (The hub's side of serving a feed without a record is the
# completeness check's, section 8: test_omission.sh.)
check_out "no alarm while XB's objection is counted" '^as of' node XB decisions
OBJ=$(sqlite3 "$T/node-XB/node.db" "SELECT idx FROM outbox WHERE kind = 'position' ORDER BY seq LIMIT 1")
sqlite3 "$T/node-XB/node.db" "DELETE FROM records WHERE idx = $OBJ"
check_out "its objection missing, XB's node raises the alarm" 'ALARM: 1 position of this State receipted before the deadline is not counted' \
	node XB decisions
check_out "roster alarms keeps it, with the receipt" 'position-dropped' node XB alarms

# ---- a refused process record is a stored alarm -----------------------------------
# XD's store made to lack P3 (as a feed without it would leave it): the
# withdrawal that names it is refused by the rules on replay, left out, and
# kept as the alarm process-refused, once however often the node replays.
P3IDX=$(sqlite3 "$T/node-XD/node.db" "SELECT idx FROM records WHERE lower(hex(id)) = '$P3'")
WIDX=$(sqlite3 "$T/node-XD/node.db" "SELECT idx FROM records WHERE kind = 'withdraw' ORDER BY idx LIMIT 1")
sqlite3 "$T/node-XD/node.db" "DELETE FROM records WHERE idx = $P3IDX"
check_out "XD's node says the refused record" 'the hub logged [0-9]+ process record.* the rules refuse' node XD decisions
node XD decisions >/dev/null 2>&1
check_out "roster alarms keeps it as process-refused, with its index" "process-refused.*withdraw at log index $WIDX" node XD alarms
N_ALARMS=$(sqlite3 "$T/node-XD/node.db" "SELECT count(*) FROM alarms WHERE kind = 'process-refused'")
[ "$N_ALARMS" = 1 ] && ok "one alarm for the one record, however often the node replays" || bad "process-refused alarms: $N_ALARMS"

# ---- the Chair's meeting, bad words ------------------------------------------------
check_out "the Chair records a meeting" 'meeting [0-9a-f]+ logged' \
	node XA meeting add --body oewg --start 2040-03-01 --end 2040-03-05 --title "en=Third session"
check_out "a member that is not the Chair may not" 'Chair|operator' \
	node XB meeting add --body oewg --start 2040-03-01 --end 2040-03-05 --title "en=Mine"
node XA meeting add --body oewg --start 2040-03-05 --end 2040-03-01 --title en=X >"$T/last.out" 2>&1
[ $? -ne 0 ] && ok "a meeting ending before it starts is refused" || { bad "end before start"; show_last; }
node XA decisions --at yesterday >/dev/null 2>&1; [ $? -eq 2 ] && ok "--at that is no date: exit 2" || bad "--at"
node XA decision frob "$P1" >/dev/null 2>&1; [ $? -eq 2 ] && ok "decision without show: exit 2" || bad "decision frob"

finish
