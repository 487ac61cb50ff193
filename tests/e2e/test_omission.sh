#!/usr/bin/env bash
# Promise 8, completeness (issue 8 item 1): a hub, or a front end before one
# State's node, leaves public records out of that node's listings without
# changing a byte of what it does show.  Inclusion proofs cannot see that;
# the public tree the checkpoints commit to (docs/protocol.md section 8)
# must.  Each omission below must make the victim's next `roster sync` exit
# non-zero with an alarm naming the missing log index, and `roster audit`
# fail, until the record is served; a hub whose database has a revocation's
# kind changed (or its row taken out of the public index) must be caught the
# same way by every node.  And a second root key for a State is everyone's
# business: every node warns about that State until the State endorses it,
# and no node encrypts mail to a device certified only by it.
#
# Waits for (this branch is written before the fixes): the public tree, the
# checkpoint v2 and /v1/public and /v1/proof/public (hub); the node's
# completeness check with its public-omitted and public-root alarms (node
# side of section 8); the endorse kind with a `roster endorse` command (its
# shape is guessed below: `roster endorse --root OLD.root --key NEW.root.pub
# [--reject]`) and the warning in `roster directory`; `--unconfirmed` in
# roster send.
. "$(dirname "$0")/lib.sh"

new_hub "Omission hub" || { bad "hub"; finish; exit 1; }
for s in XA XB XC; do make_state "$s" || bad "setup $s"; done
make_node XA technical 2 || bad "XA's second device"
start_proxy || { bad "proxy"; finish; exit 1; }
via_proxy XA
for s in XA XB XC; do node "$s" sync >/dev/null 2>&1 || bad "first sync $s"; done
check "XA (behind the front end) audits clean before the attacks" node XA audit

# omitted DESC IDX: XA's sync must fail naming IDX as left out, its alarm
# must say so, and its audit must fail (twice: not only in the pass that saw
# it).
omitted() {
	local desc=$1 idx=$2
	node XA sync >"$T/sync.out" 2>&1
	check "$desc: XA's sync exits non-zero" test $? -ne 0
	check_out "$desc: ... naming log index $idx as left out" \
		"(omitted|left out|missing).*[^0-9]$idx([^0-9]|$)|[^0-9]$idx[^0-9].*(omitted|left out|missing)" \
		cat "$T/sync.out"
	check_out "$desc: roster alarms has public-omitted for index $idx" \
		"public-omitted.*[^0-9]$idx([^0-9]|$)" node XA alarms
	check_fails "$desc: XA's audit fails" node XA audit
	check_out "$desc: ... and again on a later pass, naming index $idx" \
		"FAIL.*[^0-9]$idx([^0-9]|$)" node XA audit
}
# served DESC: once the front end is honest, XA takes the record, the alarm
# is resolved and the audit passes.
served() {
	local desc=$1
	proxy_mode none
	check "$desc: with the record served, XA's sync passes" node XA sync
	check "$desc: ... and so does its audit" node XA audit
}

# 1. A revocation left out: XA's second device is withdrawn by XA's root
# key; the front end hides the revocation from XA, which would go on
# treating the device as current.
"$ROSTER" revoke --root "$T/XA.root" --device "$(device_of XA2)" --hub "$HUB" \
	--reason "lost" >/dev/null 2>&1 || bad "revoke XA2"
REV=$(hub_last revoke)
proxy_mode "omit:$REV"
desc="a revocation left out"
omitted "$desc" "$REV"
check_fails "$desc: the revoked device is not shown as current meanwhile" \
	bash -c "'$ROSTER' directory --dir '$T/node-XA' | grep -E 'POC XA2.*current'"
served "$desc"

# 2. The last record of a page dropped and "more": false.
make_node XB technical 2 || bad "XB's second device"
CERT=$(hub_last cert)
proxy_mode omit-last
desc="the last record of a page dropped"
omitted "$desc" "$CERT"
served "$desc"

# 3. A record dropped and the later public indexes renumbered, so that
# there is no gap: the public root no longer matches.
"$ROSTERD" group "$T/hub" --name pair --states XB,XC >/dev/null || bad "group pair"
G1=$(hub_last group)
"$ROSTERD" group "$T/hub" --name trio --states XA,XB,XC >/dev/null || bad "group trio"
proxy_mode "renumber:$G1"
node XA sync >"$T/sync.out" 2>&1
check "renumbered public indexes: XA's sync exits non-zero" test $? -ne 0
check_out "renumbered public indexes: an alarm of the public tree" "public-(root|omitted)" node XA alarms
check_fails "renumbered public indexes: XA's audit fails" node XA audit
proxy_mode none
node XA sync >/dev/null 2>&1
check_out "renumbered public indexes: once served honestly, XA knows group pair" "pair" \
	node XA directory

# 4. The attack of the issue: the operator admits a second root key for XA
# and certifies a device of its own under it, both hidden from XA.
"$ROSTER" keygen --state XA --out "$T/XA-evil.root" >/dev/null
"$ROSTERD" admit "$T/hub" --state XA --root-key "$T/XA-evil.root.pub" >/dev/null || bad "admit"
ADMIT=$(hub_last admit)
"$ROSTER" init --dir "$T/node-evil" --hub "$HUB" --state XA --role diplomatic \
	--name "Not XA" --email evil@example.org >/dev/null
"$ROSTER" certify --root "$T/XA-evil.root" "$T/node-evil/request.json" >/dev/null
"$ROSTER" enroll --dir "$T/node-evil" "$T/node-evil/request.cert" >/dev/null 2>&1 || bad "enroll evil"
EVILCERT=$(hub_last cert)
proxy_mode "omit:$ADMIT,$EVILCERT"
desc="a second root key for XA and a device under it, left out"
omitted "$desc" "$ADMIT"
for s in XB XC; do
	node "$s" sync >/dev/null 2>&1
	check_out "$desc: $s's directory warns that XA has a root key XA has not endorsed" \
		"XA.*(unendorsed|not endorsed|NOT ENDORSED|UNENDORSED)" node "$s" directory
done
EVIL=$(device_of evil)
check "XB sends XA a TLP:RED message" node XB send --to XA --tlp RED --subject "eyes only" --body "b"
python3 - "$T/node-XB/node.db" "$EVIL" >"$T/rcpt.out" <<'PY'
import json, sqlite3, struct, sys
env = sqlite3.connect(sys.argv[1]).execute(
    "SELECT envelope FROM outbox WHERE kind = 'msg' ORDER BY seq DESC LIMIT 1").fetchone()[0]
hl = struct.unpack(">I", env[4:8])[0]
hdr = json.loads(env[8:8 + hl])
pay = env[8 + hl + 64 + 4:]
n = struct.unpack(">H", pay[4:6])[0]
slots = [pay[6 + i * 112:6 + i * 112 + 32].hex() for i in range(n)]
print("rcpt", " ".join(hdr.get("rcpt", [])))
print("slots", " ".join(slots))
PY
check_fails "$desc: the unconfirmed device is not a recipient in the header" \
	grep -q "^rcpt .*$EVIL" "$T/rcpt.out"
check_fails "$desc: ... nor has a key slot in the sealed payload" \
	grep -q "^slots .*$EVIL" "$T/rcpt.out"
check_out "$desc: ... XA's own device has one" "^slots .*$(device_of XA)" cat "$T/rcpt.out"
proxy_mode none
node XA sync >/dev/null 2>&1
check_out "$desc: served, XA raises the foreign-key alarm" "foreign-key-record" node XA alarms
check_fails "$desc: ... and its audit keeps failing" node XA audit

# 5. A second root key the State did make: XC's administrator makes a new
# root key, the operator admits it; every node warns until XC endorses it
# with its old key, then none does.
"$ROSTER" keygen --state XC --out "$T/XC-new.root" >/dev/null
"$ROSTERD" admit "$T/hub" --state XC --root-key "$T/XC-new.root.pub" >/dev/null || bad "admit XC's new key"
node XB sync >/dev/null 2>&1
check_out "XB warns about XC's new root key before XC endorses it" \
	"XC.*(unendorsed|not endorsed|NOT ENDORSED|UNENDORSED)" node XB directory
check "XC endorses its new root key with its old one" \
	"$ROSTER" endorse --dir "$T/node-XC" --root "$T/XC.root" --key "$T/XC-new.root.pub" --accept
node XB sync >/dev/null 2>&1
check_fails "... then XB no longer warns about XC" \
	bash -c "'$ROSTER' directory --dir '$T/node-XB' | grep -E 'XC.*(unendorsed|not endorsed)'"
check "XC's audit passes: the new key is its own" node XC audit

# 6. No front end: the operator changes a revocation's kind column in
# the hub's store (and takes its row out of the public index, if the hub keeps one)
# and restarts.  Either the hub refuses to start naming the index, or it
# serves the revocation all the same (it classifies records by their signed
# header), or every node's next sync raises the alarm naming it.
make_node XC technical 2 || bad "XC's second device"
for s in XA XB XC; do node "$s" sync >/dev/null 2>&1; done
"$ROSTER" revoke --root "$T/XC.root" --device "$(device_of XC2)" --hub "$HUB" >/dev/null 2>&1 ||
	bad "revoke XC2"
REV2=$(hub_last revoke)
stop_hub
# (through hubdb, on either backend; both keep the public index in "pub")
hubdb "$T/hub" sql "UPDATE log SET kind = 'msg' WHERE idx = $REV2" >/dev/null || bad "edit the kind"
hubdb "$T/hub" sql "DELETE FROM pub WHERE idx = $REV2" >/dev/null || bad "edit the public index"
# revoked_for NODE DEVICE-NAME: the node's directory shows that POC's device
# as revoked.
revoked_for() {
	"$ROSTER" directory --dir "$T/node-$1" 2>/dev/null | grep -A1 "POC $2 " | grep -q revoked
}
if start_hub "$T/hub" 2>/dev/null; then
	# A hub that heals its index from the signed headers serves the
	# revocation after all; one that does not must be caught.  Either way no
	# node may go on treating XC2 as current without an alarm.
	for s in XA XB XC; do
		node "$s" sync >"$T/sync-$s.out" 2>&1
		rc=$?
		if revoked_for "$s" XC2; then
			ok "kind column edited: $s takes the revocation all the same (the hub classifies by header)"
		else
			check "kind column edited: $s's sync exits non-zero" test "$rc" -ne 0
			check_out "kind column edited: $s's alarm names log index $REV2" \
				"public-omitted.*[^0-9]$REV2([^0-9]|$)" node "$s" alarms
			check_out "kind column edited: $s's audit fails naming index $REV2" \
				"FAIL.*[^0-9]$REV2([^0-9]|$)" node "$s" audit
		fi
	done
else
	check_out "kind column edited: the hub refuses to start, naming log index $REV2" \
		"[^0-9]$REV2([^0-9]|$)" tail -5 "$T/hub.log"
fi
finish
