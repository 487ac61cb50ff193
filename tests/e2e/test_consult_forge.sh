#!/usr/bin/env bash
# A consultation step is accepted only from a party to the request (issue 8
# item 6): XC, which learnt the id of XA's request to XB, signs an "outcome"
# naming it (tests/tools/forge: a well-formed message sealed to XA's device,
# with the consultation claim no honest `roster consult` would make).  XA's
# node keeps the message and shows why it was refused, but it is no step
# of the consultation and cannot be agreed to; XB's own steps still count.
. "$(dirname "$0")/lib.sh"

new_hub "Consult hub" && make_state XA && make_state XB && make_state XC ||
	{ bad "setup"; finish; exit 1; }
for s in XA XB XC; do node "$s" sync >/dev/null 2>&1; done
FORGE=$BIN/tests/tools/forge

check_out "XA requests consultations with XB" "sent [0-9a-f]{16} to XB" \
	node XA consult request --to XB --subject "Activity of concern" --body "We request consultations."
CQ=$(last_sent XA)
node XB sync >/dev/null 2>&1
check "XB proposes" node XB consult propose "$CQ" --body "A call on Tuesday"

# XC forges an outcome of that request, sealed to XA's device.
payload=$(printf '{"subject":"Re: Activity of concern","body":"Agreed: XA withdraws its complaint.","tlp":"AMBER","lang":"en","sent":1,"re":"%s","consultation":{"step":"outcome","request":"%s"}}' "$CQ" "$CQ")
check "XC signs a forged outcome naming XA's request" \
	"$FORGE" sign --node "$T/node-XC" --kind msg --seal-node "$T/node-XA" \
	--hdr '{"urgency":"routine"}' --advance --out "$T/forged.bin" --payload "$payload"
check "XC's node submits it" node XC sync
FORGED=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$T/forged.bin")
node XA sync >"$T/sync.out" 2>&1
check_out "XA's node keeps the message" "^1$" \
	sqlite3 "$T/node-XA/node.db" "SELECT count(*) FROM messages WHERE lower(hex(id)) = '$FORGED'"
check_out "... and shows why it was refused as a step: XC is no party" \
	"refused as a consultation step.*XC, which is no party" node XA show "${FORGED:0:16}"
check_out "XA's consultation shows XB's proposal" "counter-proposal" node XA consult show "$CQ"
check_fails "... and no outcome" bash -c "'$ROSTER' consult show --dir '$T/node-XA' '$CQ' | grep -q outcome"
check_out "XA cannot agree to the forged outcome" "not an outcome" node XA consult agree "${FORGED:0:16}"
# The parties' own steps still count.
check "XB writes the outcome" node XB consult outcome "$CQ" --body "Call held."
node XA sync >/dev/null 2>&1
check_out "XA sees XB's outcome awaiting its agreement" "outcome awaiting agreement" node XA consult show "$CQ"
finish
