#!/usr/bin/env bash
# Promise 5, key transparency: the operator admits a second root key for XA
# (one XA never made), then uses it to certify a device of its own choosing
# for XA.  XA's audit must fail with a clear alarm; other States' audits are
# unaffected; everyone's directory shows the intruder for what it is.
. "$(dirname "$0")/lib.sh"

new_hub "Key hub" && make_state XA && make_state XB || { bad "setup"; finish; exit 1; }
check "XA's audit passes before the attack" node XA audit
"$ROSTER" keygen --state XA --out "$T/XA-evil.root" >/dev/null
check "the operator can admit a second root key for XA (it is logged)" \
	"$ROSTERD" admit "$T/hub" --state XA --root-key "$T/XA-evil.root.pub"
check_out "XA's audit names the foreign admission" \
	"FAIL.*admitted a root key for XA that XA does not hold" node XA audit
check_fails "XA's audit exits non-zero" node XA audit
check "XB's audit is unaffected" node XB audit

# The intruder key certifies a device for XA.
"$ROSTER" init --dir "$T/node-evil" --hub "$HUB" --state XA --role diplomatic \
	--name "Not XA" --email evil@example.org >/dev/null
"$ROSTER" certify --root "$T/XA-evil.root" "$T/node-evil/request.json" >/dev/null
check "the foreign device gets into the log" "$ROSTER" enroll --dir "$T/node-evil" "$T/node-evil/request.cert"
check_out "XA's next sync raises the alarm at once" "ALARM.*certified by a key that is not XA's" node XA sync
check_out "XA's audit names the foreign certificate" \
	"FAIL.*certified by a key that is not XA's root key" node XA audit
check_out "roster alarms lists the foreign records" "foreign-key-record" node XA alarms
check_fails "roster alarms exits 1 while there is an alarm" node XA alarms
check_out "--evidence gives the signed record" "evidence: [A-Za-z0-9+/]{40,}" node XA alarms --evidence
check_out "XB has no alarm" "no alarms" node XB alarms
check_out "the directory shows two XA root keys with distinct fingerprints" \
	"XA  root key .*XA  root key" bash -c "'$ROSTER' directory --dir '$T/node-XB' | tr '\n' ' '"

# Every other node: XA is contested, the intruder's device unconfirmed, and
# mail to XA is not encrypted to it unless the sender asks (section 2).
EVIL=$(device_of evil)
EVILFPR=$("$ROSTER" directory --dir "$T/node-XB" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([r["fingerprint"] for s in d["states"] if s["state"] == "XA" for r in s["roots"]][1])')
check_out "XB's directory marks XA's second root key NOT ENDORSED" \
	"XA  root key $EVILFPR .*NOT ENDORSED" node XB directory
check_out "... and the intruder's device UNCONFIRMED" "UNCONFIRMED" node XB directory
check_out "... --json says so for the device" '"unconfirmed": true' node XB directory --json --state XA
check_out "... and for the key" '"status": "unendorsed"' node XB directory --json --state XA
check_out "XB's sync warns about XA" "WARNING: XA has a root key XA has not endorsed.*1 unconfirmed device" \
	node XB sync
check_out "XB's status warns about XA" "WARNING: XA has a root key XA has not endorsed" node XB status
check_out "XA's own node words it as its own State's" "WARNING: a root key for XA, your State" \
	node XA status
rcpt_last() { sqlite3 "$T/node-XB/node.db" "SELECT rcpt FROM messages WHERE direction = 'out' ORDER BY rowid DESC LIMIT 1"; }
check_out "XB sends to XA: the unconfirmed device is left out, and XB is told" \
	"1 unconfirmed device left out.*--unconfirmed" node XB send --to XA --subject "to XA" --body "for XA only"
check_fails "... it is not a recipient in the signed header" bash -c "$(declare -f rcpt_last); T='$T'; rcpt_last | grep -q '$EVIL'"
check_out "... XA's own device is" "$(device_of XA)" rcpt_last
check_out "with --unconfirmed XB encrypts to it, and says so" \
	"encrypted, as asked \(--unconfirmed\), to 1 unconfirmed device" \
	node XB send --to XA --unconfirmed --subject "asked" --body "to every XA device"
check_out "... it is a recipient then" "$EVIL" rcpt_last
"$ROSTER" sync --dir "$T/node-evil" >/dev/null 2>&1
check_out "the intruder's node reads only the message sent with --unconfirmed" "^1$" \
	sqlite3 "$T/node-evil/node.db" "SELECT count(*) FROM messages WHERE direction = 'in'"
check_out "a State whose only device is unconfirmed is refused without --unconfirmed" \
	"only current device.*unconfirmed.*--unconfirmed" node XB send --to XA --role diplomatic --subject x --body y

# The web says the same (XB's roster serve, loopback).
"$ROSTER" serve --dir "$T/node-XB" --listen 127.0.0.1:0 --interval 60 >>"$T/serve-XB.log" 2>&1 &
SERVE=$!
PIDS="$PIDS $SERVE"
for _ in $(seq 1 200); do [ -s "$T/node-XB/serve.url" ] && break; sleep 0.05; done
B=$(tr -d '\n' <"$T/node-XB/serve.url")
check_out "the web's directory: XA's second key unendorsed, XA contested" \
	'"status": ?"unendorsed"' curl -s "$B/api/directory"
check_out "... the intruder's device unconfirmed" '"unconfirmed": ?true' curl -s "$B/api/directory"
check_out "... and the warning to show" '"warning": ?"second-root-key"' curl -s "$B/api/directory"
check_out "the web's recipient preview leaves it out, and counts it" \
	'"unconfirmed_left_out": ?1' curl -s "$B/api/recipients?to=XA"
check_out "... it is listed flagged: unconfirmed, not included" \
	"\"device\": ?\"$EVIL\"[^}]*\"unconfirmed\": ?true, ?\"included\": ?false" curl -s "$B/api/recipients?to=XA"
check_out "... with unconfirmed=1 it is included, and none left out" \
	"\"device\": ?\"$EVIL\"[^}]*\"included\": ?true.*\"unconfirmed_left_out\": ?0" \
	curl -s "$B/api/recipients?to=XA&unconfirmed=1"
check_out "a State whose only device is unconfirmed: listed, with send's refusal beside it" \
	"\"included\": ?false.*\"refused\": ?\"XA's only current device" curl -s "$B/api/recipients?to=XA&roles=diplomatic"
BCSRF=$(curl -s "$B/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
bpost() { curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -H "X-CSRF-Token: $BCSRF" -d "$2" "$B$1"; }
check_out "the web's send without \"unconfirmed\" leaves it out" ' 200$' \
	bpost /api/send '{"template":"free-text","to":["XA"],"subject":"web","body":"confirmed only"}'
check_fails "... it is not a recipient" bash -c "$(declare -f rcpt_last); T='$T'; rcpt_last | grep -q '$EVIL'"
check_out "the web's send with \"unconfirmed\": true encrypts to it" ' 200$' \
	bpost /api/send '{"template":"free-text","to":["XA"],"subject":"web asked","body":"every device","unconfirmed":true}'
check_out "... it is a recipient then" "$EVIL" rcpt_last
kill "$SERVE"
wait "$SERVE" 2>/dev/null

# The intruder's key cannot endorse itself; XA disowns it.
check_fails "the intruder's root key cannot endorse itself" \
	"$ROSTER" endorse --dir "$T/node-XB" --root "$T/XA-evil.root" --key "$T/XA-evil.root.pub" --accept
check_out "roster endorse needs --accept or --reject" "--accept or --reject" \
	"$ROSTER" endorse --dir "$T/node-XA" --root "$T/XA.root" "$EVILFPR"
check_out "XA disowns the intruder's key by its fingerprint" "disowned, for good" \
	"$ROSTER" endorse --dir "$T/node-XA" --root "$T/XA.root" "$EVILFPR" --reject
node XB sync >/dev/null 2>&1
check_out "XB's directory shows the key DISOWNED and its device DISOWNED" \
	"DISOWNED by the State.*DISOWNED" bash -c "'$ROSTER' directory --dir '$T/node-XB' | tr '\n' ' '"
check_fails "... and no longer warns about XA" bash -c "'$ROSTER' sync --dir '$T/node-XB' | grep -q WARNING"
check_out "--unconfirmed does not reach a disowned device" "sent [0-9a-f]{16} to XA \(1 device\)" \
	node XB send --to XA --unconfirmed --subject "after" --body "disowned"
check_fails "... it is not a recipient" bash -c "$(declare -f rcpt_last); T='$T'; rcpt_last | grep -q '$EVIL'"
check_fails "the disowned device can no longer send" \
	"$ROSTER" send --dir "$T/node-evil" --to XB --subject "still here" --body "x"
check_fails "XA's audit still fails: the operator did admit a foreign key" node XA audit

# A second root key the State did make: an alarm on its own node until it
# endorses it, then none; a device under it is a recipient like any other.
"$ROSTER" keygen --state XB --out "$T/XB-new.root" >/dev/null
"$ROSTERD" admit "$T/hub" --state XB --root-key "$T/XB-new.root.pub" >/dev/null
check_out "XB's node alarms on the new key before XB endorses it" \
	"admitted a root key for XB that XB does not hold" node XB sync
check_out "XA warns about XB" "WARNING: XB has a root key" node XA sync
"$ROSTER" init --dir "$T/node-XB2" --hub "$HUB" --state XB --role technical \
	--name "XB two" --email two@xb.example >/dev/null
"$ROSTER" certify --root "$T/XB-new.root" "$T/node-XB2/request.json" >/dev/null
check "a device certified under the new key gets into the log" \
	"$ROSTER" enroll --dir "$T/node-XB2" "$T/node-XB2/request.cert"
check_out "XB endorses its new key with its first (--key)" "endorsed: its devices are confirmed" \
	"$ROSTER" endorse --dir "$T/node-XB" --root "$T/XB.root" --key "$T/XB-new.root.pub" --accept
check_fails "endorsing it twice is refused" \
	"$ROSTER" endorse --dir "$T/node-XB" --root "$T/XB.root" --key "$T/XB-new.root.pub" --accept
node XB sync >/dev/null 2>&1
check "XB's alarms are resolved: the new key and its device are XB's" node XB alarms
check "XB's audit passes" node XB audit
check_fails "XA no longer warns about XB" bash -c "'$ROSTER' sync --dir '$T/node-XA' | grep -q 'WARNING: XB'"
check_out "XA's mail to XB reaches the device under the endorsed key" "to XB \(2 devices\)" \
	node XA send --to XB --subject "both" --body "to both XB devices"
finish
