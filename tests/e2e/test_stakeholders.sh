#!/bin/bash
# test_stakeholders.sh - stakeholders through the Chair (issue 13 item 4,
# docs/process.md): an organisation applies through the secretariat
# (rosterd stakeholder apply), is accredited, gets a device certified by
# the operator (rosterd stakeholder certify), sends a written contribution
# to the Chair (roster contribute), and the Chair distributes it to the
# members as a paper (roster paper distribute) whose files are provably the
# ones the organisation signed.
#
# What it tries to break: a certificate for an application still under
# silence, for a State's request; an organisation's device that proposes,
# objects, circulates a paper, or sends mail; a member that is not the Chair
# distributing; a member reading the contribution before it is distributed.
. "$(dirname "$0")/lib.sh"

new_hub || exit 1
for s in XA XB; do make_state "$s" || { bad "make_state $s"; finish; exit 1; }; done
logsize() { sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM log"; }
id_of() { sed -n 's/^id: \([0-9a-f]*\)$/\1/p' "$1" | head -1; }

check "rosterd body: ECOSOC organisations admitted at once, others under silence" \
	"$ROSTERD" body "$T/hub" --name oewg --chair XA --members XA,XB --ecosoc admit --silence 1h
"$ROSTERD" stakeholder apply "$T/hub" --body oewg --name "Cyber Peace Org" --ecosoc yes \
	--website https://example.org >"$T/app.out" 2>&1
APP=$(id_of "$T/app.out")
[ -n "$APP" ] && ok "an ECOSOC organisation applies" || { bad "apply"; cat "$T/app.out"; }
"$ROSTERD" stakeholder apply "$T/hub" --body oewg --name "Other Org" --ecosoc no >"$T/app2.out" 2>&1
APP2=$(id_of "$T/app2.out")
"$ROSTERD" stakeholder apply "$T/hub" --body oewg --name "X" --ecosoc perhaps >/dev/null 2>&1
[ $? -eq 2 ] && ok "--ecosoc perhaps: exit 2" || bad "--ecosoc perhaps"

# the organisation's node
check_out "roster init --state ZZ --role stakeholder says the operator certifies it" 'rosterd stakeholder certify' \
	"$ROSTER" init --dir "$T/node-ZZ" --hub "$HUB" --state ZZ --role stakeholder \
	--name "Cyber Peace Org" --email info@example.org
"$ROSTER" init --dir "$T/node-bad" --hub "$HUB" --state XA --role stakeholder \
	--name X --email x@example.org >/dev/null 2>&1
[ $? -eq 2 ] && ok "the role stakeholder only with State code ZZ" || bad "XA stakeholder"
check_out "no certificate while the application is under silence" 'still under silence' \
	"$ROSTERD" stakeholder certify "$T/hub" --application "$APP2" "$T/node-ZZ/request.json"
check_out "no certificate from the operator for a State's request" "a State's device" \
	"$ROSTERD" stakeholder certify "$T/hub" --application "$APP" "$T/node-XA/request.json"
check "the accredited organisation's device is certified" \
	"$ROSTERD" stakeholder certify "$T/hub" --application "$APP" "$T/node-ZZ/request.json"
check "and enrolled" "$ROSTER" enroll --dir "$T/node-ZZ" "$T/node-ZZ/request.cert"
zz() { "$ROSTER" "$@" --dir "$T/node-ZZ"; }
check_out "the organisation sees itself accredited" "${APP:0:16}.*ACCREDITED" zz decisions

# what its device may not do
printf 'A text.' >"$T/t.txt"
printf 'Our contribution, in English.' >"$T/c-en.txt"
printf 'Notre contribution.' >"$T/c-fr.txt"
N=$(logsize)
check_out "it may not propose" 'does not sign a proposal' zz propose --body oewg --text-file "$T/t.txt" --lang en
check_out "it may not circulate a paper" 'does not sign a paper' \
	zz paper circulate --body oewg --title en=X --file "en=$T/t.txt"
check_out "it may not object" 'does not sign a position' zz object "$APP2"
check_out "it sends no mail" 'ZZ|stakeholder|no current device' zz send --to XA --subject hi --body hi
[ "$(logsize)" = "$N" ] && ok "nothing it may not do was logged" || bad "log grew: $N -> $(logsize)"
check_out "a State's node may not contribute" 'not an accredited organisation' \
	node XB contribute --title en=X --file "en=$T/t.txt"

# the contribution, to the Chair only
zz contribute --title "en=Contribution on norms" --file "en=$T/c-en.txt" --file "fr=$T/c-fr.txt" >"$T/c.out" 2>&1
CID=$(sed -n 's/^contribution \([0-9a-f]*\) logged.*/\1/p' "$T/c.out")
[ -n "$CID" ] && ok "the organisation sends a contribution in en and fr" || { bad "contribute"; cat "$T/c.out"; }
check_out "to another body than its own: refused" 'accredited to oewg' \
	zz contribute --body other --title en=X --file "en=$T/t.txt"
node XB sync >/dev/null 2>&1
check_out "XB, not the Chair, may not distribute it (it cannot open it)" 'cannot open|Chair' \
	node XB paper distribute "${CID:0:12}"

# the Chair distributes it, in one step
node XA paper distribute "${CID:0:12}" >"$T/d.out" 2>&1
PID=$(sed -n 's/^paper \([0-9a-f]*\) logged.*/\1/p' "$T/d.out")
[ -n "$PID" ] && ok "the Chair distributes it to the members" || { bad "distribute"; cat "$T/d.out"; }
"$ROSTERD" process "$T/hub" --json >"$T/view.json"
python3 - "$T/view.json" "$CID" "$PID" "$T/hub/hub.db" >"$T/last.out" 2>&1 <<'PY' && ok "the paper links to the contribution, with exactly its files" || { bad "distribution link"; show_last; }
import json, sqlite3, struct, sys
v = json.load(open(sys.argv[1]))
c = [x for x in v["contributions"] if x["id"] == sys.argv[2]][0]
p = [x for x in v["papers"] if x["id"] == sys.argv[3]][0]
assert p["contribution"] == sys.argv[2] and sys.argv[3] in c["distributed_as"], (c, p)
assert p["audience"] == "members" and p["by"] == "XA", p
# the files the organisation signed, from its record's header ("RSE1", u32be, header)
env = sqlite3.connect(sys.argv[4]).execute("SELECT envelope FROM log WHERE kind = 'contribution'").fetchone()[0]
n = struct.unpack(">I", env[4:8])[0]
signed = {(f["lang"], f["sha256"], f["size"]) for f in json.loads(env[8:8 + n])["files"]}
# the files the paper names, from its view (size there is the file's, so compare lang and digest)
pl = {(l["lang"], l["sha256"]) for l in p["languages"] if "sha256" in l}
assert pl == {(l, h) for l, h, _ in signed} and {l for l, _ in pl} == {"en", "fr"}, (pl, signed)
PY
check_out "XB sees the distributed paper" "${PID:0:16}  paper of oewg by XA, members" node XB paper list
finish
