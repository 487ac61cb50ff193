#!/usr/bin/env bash
# The whole journey of issue 2 with three States, and the promises that can
# be seen from it: confidentiality at the hub, a non-recipient learns
# nothing, delivery and acknowledgement, a clean audit with cosignatures,
# revocation.
. "$(dirname "$0")/lib.sh"

check "operator: rosterd init and serve" new_hub "Journey hub"
check_out "rosterd init printed the operator fingerprint" "[0-9a-f]{4} [0-9a-f]{4}" cat "$T/hub-init.out"
for s in XA XB XC; do
	check "State $s: keygen, admission, POC init, certify, enroll" make_state "$s"
done
check "XB gets an alternate POC too" make_node XB alternate -alt

check_out "directory lists XB's technical and alternate POCs" "alternate.*POC XB-alt" \
	"$ROSTER" directory --dir "$T/node-XA"
check_out "directory shows each certificate's expiry" "certificate valid until 20[0-9]{2}-" \
	"$ROSTER" directory --dir "$T/node-XA" --state XB
check_out "certify refuses a zero validity" "valid-days" \
	"$ROSTER" certify --root "$T/XA.root" "$T/node-XA/request.json" --valid-days 0
check_out "directory shows fingerprints" "device [0-9a-f]{4} [0-9a-f]{4}" \
	"$ROSTER" directory --dir "$T/node-XA" --state XB

MARK="secret-marker-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf 'Our CERT sees scanning from 192.0.2.7. %s\nPlease check your side.\n' "$MARK" >"$T/body.txt"
check_out "XA sends an urgent message to XB" "sent [0-9a-f]{16} to XB \(2 devices\): log index [0-9]+, receipt verified" \
	node XA send --to XB --subject "Scanning from 192.0.2.7" --body-file "$T/body.txt" --urgency urgent --tlp AMBER
ID=$(last_sent XA)

check "XB syncs" node XB sync
check_out "XB's inbox shows the message" "urgent.*Scanning from 192.0.2.7" node XB inbox
check_out "XB's show gives the body" "$MARK" node XB show "${ID:0:12}"
check_out "XB's show states the verification" "signature valid; certificate chain valid; inclusion proof checked" \
	node XB show "$ID"
check_out "XB's alternate node also receives it" "Scanning" bash -c \
	"'$ROSTER' sync --dir '$T/node-XB-alt' >/dev/null && '$ROSTER' inbox --dir '$T/node-XB-alt'"

check "XC syncs" node XC sync
check_out "XC, not a recipient, has nothing" "no messages" node XC inbox
check_fails "XC cannot find the message id either" node XC show "$ID"
check_out "/v1/mail without a signature is refused with a JSON error" '"error"' \
	curl -s "$HUB/v1/mail?after=-1"
check_out "... and with HTTP 401" "^401$" curl -s -o /dev/null -w '%{http_code}' "$HUB/v1/mail?after=-1"

check_out "XA sees XB's automatic 'delivered'" "XB +technical +POC XB +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}Z +- " \
	bash -c "'$ROSTER' sync --dir '$T/node-XA' >/dev/null; '$ROSTER' status --dir '$T/node-XA' $ID"
check "XB acknowledges with a note" node XB ack "$ID" --note "Looking into it"
check "XA syncs" node XA sync
check_out "XA's status shows XB acknowledged, with the note" "note: Looking into it" node XA status "$ID"
STATUS=$(node XA status "$ID" --json)
check "status JSON: the technical POC delivered and acknowledged" \
	python3 -c "import json,sys; r=json.loads(sys.argv[1])['recipients']; t=[x for x in r if x['name']=='POC XB'][0]; assert t['delivered']>0 and t['acknowledged']>=t['delivered']" "$STATUS"
check "status JSON: the alternate delivered, not acknowledged" \
	python3 -c "import json,sys; r=json.loads(sys.argv[1])['recipients']; t=[x for x in r if x['name']=='POC XB-alt'][0]; assert t['delivered']>0 and 'acknowledged' not in t" "$STATUS"

# Promise 1: the hub holds no plaintext.
check "the hub's store can be dumped" hubdb "$T/hub" dump "$T/hub.dump"
check_fails "the marker is nowhere in the hub's store" grep -a -q "$MARK" "$T/hub.dump"
check_fails "the marker is nowhere under the hub's folder" grep -r -a -q "$MARK" "$T/hub" "$T/hub.log"
check "the marker is in XB's store (sanity of the search)" grep -r -a -q "$MARK" "$T/node-XB"

for s in XA XB XC; do
	check "audit passes on $s and cosigns" node "$s" audit
done
check_out "XA's audit sees the others' cosignatures" "ok +[1-9][0-9]* cosignatures? by other nodes agree" node XA audit
public_kinds() {	# the kinds of the public feed's first page, one a line
	curl -s "$HUB/v1/public?after=-1" | python3 -c '
import base64, json, struct, sys
for r in json.load(sys.stdin)["records"]:
    e = base64.b64decode(r["envelope"]); hl = struct.unpack(">I", e[4:8])[0]
    print(json.loads(e[8:8 + hl])["kind"])'
}
check_out "cosignatures are public (in GET /v1/public)" "^cosign$" public_kinds

check_out "proof check: a good inclusion proof holds (exit 0)" "proof holds" \
	"$ROSTER" proof check "$TOP/../shared/testdata/merkle/inclusion/1/happy-path.json"
"$ROSTER" proof check "$TOP/../shared/testdata/merkle/consistency/1/swapped-roots.json" >/dev/null 2>&1
check "proof check: a bad proof exits 1" test $? -eq 1
"$ROSTER" proof check "$T/nonexistent.json" >/dev/null 2>&1
check "proof check: an unreadable file exits 2" test $? -eq 2

# Revocation: XB's alternate withdraws its device.
check_out "XB's alternate revokes its own device" "revoked at log index" \
	"$ROSTER" revoke --dir "$T/node-XB-alt" --reason "laptop lost"
check_out "directory shows it revoked" "REVOKED" "$ROSTER" directory --dir "$T/node-XA" --state XB
check_out "the revoked device can no longer send" "revoked" \
	"$ROSTER" send --dir "$T/node-XB-alt" --to XA --subject s --body b
check_out "a new message to XB goes to its one current device" "to XB \(1 device\)" \
	node XA send --to XB --subject "after revocation" --body "hello"
check "XB's root key revokes XB's technical device" bash -c \
	"'$ROSTER' revoke --root '$T/XB.root' --device \$('$ROSTER' directory --dir '$T/node-XA' --state XB --json | python3 -c 'import json,sys; print([p[\"device\"] for s in json.load(sys.stdin)[\"states\"] for p in s[\"pocs\"] if p[\"role\"]==\"technical\"][0])') --hub '$HUB'"
check_out "XB has no current device: sending to XB is refused" "no current device" \
	node XA send --to XB --subject s --body b

for s in XA XB XB-alt; do
	check_out "$s: roster show --json and /api/messages/ID are one view of every message" \
		"messages: the same view" same_views "$s"
done

for c in keygen certify init enroll revoke send sync inbox show ack status directory audit alarms checkpoint proof serve; do
	"$ROSTER" "$c" --help >"$T/help.out" 2>&1 && grep -q "^    roster $c " "$T/help.out" ||
		bad "roster $c --help"
done
ok "every roster command has --help"
check_out "an unknown option is a usage error" "roster inbox: unknown option --bogus" node XA inbox --bogus
"$ROSTER" inbox --dir "$T/node-XA" --bogus >/dev/null 2>&1
check "... with exit status 2" test $? -eq 2
check_out "rosterd --help explains the commands" "serve" "$ROSTERD" --help
for c in init serve admit check; do
	"$ROSTERD" "$c" --help >"$T/help.out" 2>&1 && grep -q "rosterd $c" "$T/help.out" ||
		bad "rosterd $c --help"
done
ok "every rosterd command has --help"
check_out "ROSTER_NODE_DIR names the node folder" "Scanning" env ROSTER_NODE_DIR="$T/node-XB" "$ROSTER" inbox
"$ROSTER" keygen --state XD --out "$T/XD.root" >/dev/null
check "ROSTER_HUB_DIR names the hub folder" env ROSTER_HUB_DIR="$T/hub" "$ROSTERD" admit --state XD --root-key "$T/XD.root.pub"
echo "$ROSTER_PASSPHRASE" >"$T/pass"
check "--passphrase-file works without the environment variable" \
	env -u ROSTER_PASSPHRASE "$ROSTER" sync --dir "$T/node-XA" --passphrase-file "$T/pass"
check_out "without any passphrase source and no terminal, a clear error" "passphrase" \
	env -u ROSTER_PASSPHRASE setsid "$ROSTER" sync --dir "$T/node-XA" </dev/null

finish
