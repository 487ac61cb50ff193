#!/usr/bin/env bash
# Answers are acknowledgements, and an overdue notice is acknowledged for
# the message it names (issue 10 items 1 and 3; docs/protocol.md section 3).
# A State has acknowledged a message when one of its devices signed an
# "acknowledged" acknowledgement of it, or sent a message whose "re" names
# it (a reply, a consultation step): the sender's status says so, its node
# pages nobody for that State, the figures count it, and the answering
# node marks the message acknowledged itself.  A notice's reader (an
# alternate who never had the message) acknowledges the message the notice
# names; the sender's node takes that acknowledgement from a device its
# notice reached, and no second stage follows.  Tried the other way too: an
# answer from a State the message did not go to acknowledges nothing, and a
# device no notice reached still cannot acknowledge.
. "$(dirname "$0")/lib.sh"

check "hub" new_hub "Answers hub"
stop_hub
python3 - "$T/hub/hub.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["deadlines"] = {"urgent": "8s"}
json.dump(c, open(p, "w"))
PY
check "hub restarts with an 8 s urgent deadline" start_hub "$T/hub"
for s in XA XB XC XD; do check "State $s" make_state "$s"; done
check "XB's alternate" make_node XB alternate -alt

# XA's node computes the second stage from the message's log time and
# deadline: waits until the wall clock passes deadline + FRACTION of the
# allowance.
wait_past() {	# FRACTION ID
	python3 - "$T/node-XA/node.db" "$2" "$1" <<'PY'
import sqlite3, sys, time
db, mid, frac = sys.argv[1], sys.argv[2], float(sys.argv[3])
t, d = sqlite3.connect(db).execute("SELECT time, deadline FROM messages WHERE lower(hex(id)) = ?", (mid,)).fetchone()
time.sleep(max(0, (d + (d - t) * frac) / 1000 - time.time() + 0.3))
PY
}
state_json() {	# ID STATE: XA's status of ID for STATE, as JSON
	"$ROSTER" status --dir "$T/node-XA" --json "$1" |
		python3 -c 'import json,sys; print(json.dumps([s for s in json.load(sys.stdin)["states"] if s["state"] == sys.argv[1]][0]))' "$2"
}

# 1. A reply acknowledges; silence does not.
check "XA sends an urgent message to XB and XC" node XA send --to XB,XC --urgency urgent \
	--subject "Urgent: scanning" --body "Is it you?"
U=$(last_sent XA)
for s in XB XC; do node "$s" sync >/dev/null 2>&1; done
check_out "XB replies without acknowledging" "sent [0-9a-f]{16} to XA" node XB reply "$U" --body "Not us; looking."
check_out "XB's own inbox counts its reply as its acknowledgement" "^${U:0:16} .* urgent +yes " node XB inbox
node XA sync >/dev/null 2>&1
check "XA's status: XB acknowledged by its reply" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["acknowledged"] > 0 and s["how"] == "reply" and s["answer"], s' "$(state_json "$U" XB)"
check_out "... in words too" "XB +acknowledged .* by POC XB \(reply" node XA status "$U"
wait_past 0 "$U"
node XA sync >"$T/esc.out" 2>&1; cat "$T/esc.out" >&2
check_out "past the deadline one notice goes: to XC, not to XB's alternate" "1 overdue notice sent" cat "$T/esc.out"
check "... XC escalated, XB not" python3 -c '
import json, sys
b, c = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert b["escalations"] == [] and c["escalations"] and c["overdue"], (b, c)' \
	"$(state_json "$U" XB)" "$(state_json "$U" XC)"
check_fails "XB's alternate got no notice" \
	bash -c "'$ROSTER' sync --dir '$T/node-XB-alt' >/dev/null 2>&1; '$ROSTER' inbox --dir '$T/node-XB-alt' | grep 'OVERDUE NOTICE'"
check_out "a second acknowledgement by XB is refused: its reply was one" "already acknowledged" node XB ack "$U"

# 2. A consultation step acknowledges the request.
check "XA requests consultations with XB" node XA consult request --to XB --subject "Consult" --body "Please."
Q=$(last_sent XA)
node XB sync >/dev/null 2>&1
check "XB accepts" node XB consult accept "$Q"
node XA sync >/dev/null 2>&1
check "XA's status of the request: XB acknowledged by its acceptance" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["acknowledged"] > 0 and s["how"] == "accept", s' "$(state_json "$Q" XB)"

# 3. An answer from a State the message did not go to is no acknowledgement:
# XD answers with a "re" naming XA's message, which XD never had (its node
# is made to believe it had: a received copy planted in its store).
check "XA sends an urgent message to XB only" node XA send --to XB --urgency urgent --subject "To XB only" --body "."
O=$(last_sent XA)
python3 - "$T/node-XA/node.db" "$T/node-XD/node.db" "$O" <<'PY'
import sqlite3, sys
a, d, mid = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2]), sys.argv[3]
row = a.execute("SELECT id, sender_state, sender_device, to_states, rcpt, urgency, subject, body, tlp, lang, sent FROM messages WHERE lower(hex(id)) = ?", (mid,)).fetchone()
d.execute("INSERT INTO messages(id, direction, sender_state, sender_device, to_states, rcpt, urgency, subject, body, tlp, lang, sent) VALUES(?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
d.commit()
PY
check "XD replies to it" node XD reply "$O" --body "We answer what was not ours."
node XA sync >/dev/null 2>&1
check_out "XA's status of it: XB not acknowledged, and XD's answer counts for nobody" "XB +not acknowledged yet" node XA status "$O"

# 4. The overdue notice, read by an alternate who never had the message:
# acknowledging it acknowledges the message for XB.
check "XA sends an urgent message to XB's technical POC only" node XA send --to XB --role technical \
	--urgency urgent --subject "Technical only" --body "Please confirm."
N=$(last_sent XA)
node XB sync >/dev/null 2>&1
wait_past 0 "$N"
check_out "past the deadline XA's node sends stage 1 to XB's alternate" "overdue notice" node XA sync
check_out "... the alternate holds the notice, not the message" "OVERDUE NOTICE: message ${N:0:16}" \
	bash -c "'$ROSTER' sync --dir '$T/node-XB-alt' >/dev/null 2>&1; '$ROSTER' inbox --dir '$T/node-XB-alt'"
NOTICE=$(last_received XB-alt)
check_fails "... (the message itself is not on the alternate's node)" \
	bash -c "'$ROSTER' show --dir '$T/node-XB-alt' '$N' >/dev/null 2>&1"
check_out "the alternate acknowledges the notice: the message it names is acknowledged" "acknowledged" \
	node XB-alt ack "$NOTICE"
check_out "... once" "already acknowledged" node XB-alt ack "$NOTICE"
node XA sync >/dev/null 2>&1
check "XA's status: XB acknowledged, by the alternate's device" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["acknowledged"] > 0 and s["how"] == "acknowledged" and s["by"] == "POC XB-alt", s' "$(state_json "$N" XB)"
wait_past 0.5 "$N"
node XA sync >/dev/null 2>&1
check "half an allowance later no second stage went" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert [e["stage"] for e in s["escalations"]] == [1], s' "$(state_json "$N" XB)"
check_out "... and the message is settled" "^1$" \
	sqlite3 "$T/node-XA/node.db" "SELECT settled IS NOT NULL FROM messages WHERE lower(hex(id)) = '$N'"

# 5. A device no notice reached cannot acknowledge a message not sent to it:
# XC's device signs an acknowledgement of N (XC's node is made to hold a
# copy of the notice, as if one had reached it).
python3 - "$T/node-XB-alt/node.db" "$T/node-XC/node.db" "$NOTICE" <<'PY'
import sqlite3, sys
a, c, nid = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2]), sys.argv[3]
row = a.execute("SELECT id, direction, sender_state, sender_device, to_states, rcpt, urgency, subject, body, tlp, lang, sent, content, notice FROM messages WHERE lower(hex(id)) = ?", (nid,)).fetchone()
c.execute("INSERT INTO messages(id, direction, sender_state, sender_device, to_states, rcpt, urgency, subject, body, tlp, lang, sent, content, notice) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
c.commit()
PY
check "XC's node signs an acknowledgement of N" node XC ack "$NOTICE"
check_out "XA refuses it: XC's device was neither a recipient nor reached by a notice" \
	"acknowledgement from a device the message was not sent to" node XA sync

# 6. The figures of the web API count answers as acknowledgements.
start_serve() {
	rm -f "$T/node-$1/serve.url"
	"$ROSTER" serve --dir "$T/node-$1" --listen 127.0.0.1:0 --interval 1 >>"$T/serve-$1.log" 2>&1 &
	PIDS="$PIDS $!"
	for _ in $(seq 1 200); do [ -s "$T/node-$1/serve.url" ] && break; sleep 0.05; done
	URL=$(tr -d '\n' <"$T/node-$1/serve.url")
}
start_serve XA
check "XA's sent list counts XB's reply as an acknowledgement" python3 -c '
import json, sys, urllib.request
s = [m for m in json.load(urllib.request.urlopen(sys.argv[1] + "/api/sent")) if m["id"] == sys.argv[2]][0]
assert s["acknowledged"] == 1 and s["recipients"] == 3, s  # XB, its alternate, XC' "$URL" "$U"
check "XA's response figures give XB's device an acknowledgement time for it" python3 -c '
import json, sys, urllib.request
r = json.load(urllib.request.urlopen(sys.argv[1] + "/api/stats/responses"))["responses"]
assert any(x["state"] == "XB" and x.get("acknowledged") for x in r), r' "$URL"

finish
