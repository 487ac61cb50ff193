#!/usr/bin/env bash
# A forward tells the hub nothing about its original (issue 8 item 6): the
# forwarder puts the original's inclusion proof and the checkpoint it
# verified it at inside the sealed payload (protocol.md section 3,
# Forwarding), so the receiving node asks the hub for no proof naming the
# original's index.  XC's requests pass through tests/e2e/stall_proxy.py
# (never stalling here), which logs them.  Then the forwarder's node is
# tampered with (the proof it kept altered): XC shows the forward as not
# verified, with the reason; and with no proof kept at all (a message from
# before), the forwarder proves it itself.  A forward in a format older
# than the one that carries the proof (a node.db from before), and a
# forwarder's own claim of an "original" in its payload, are shown as
# UNVERIFIED, never as verified.
. "$(dirname "$0")/lib.sh"

new_hub "Forward hub" && make_state XA && make_state XB && make_state XC ||
	{ bad "setup"; finish; exit 1; }
for s in XA XB XC; do node "$s" sync >/dev/null 2>&1; done
PPORT=$(free_port)
python3 "$TOP/tests/e2e/stall_proxy.py" "$PPORT" "$HUB" "$T/never" 60 2>"$T/proxy.log" &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$PPORT/v1/info" >/dev/null && break; sleep 0.05; done
python3 - "$T/node-XC/config.json" "http://127.0.0.1:$PPORT" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["hub"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
check "XC syncs through the proxy" node XC sync

check "XA sends XB a TLP:GREEN report" node XA send --to XB --tlp GREEN --subject "green report" --body "shareable"
ORIG=$(last_sent XA)
IDX=$(sqlite3 "$T/node-XA/node.db" "SELECT idx FROM messages WHERE lower(hex(id)) = '$ORIG'")
node XB sync >/dev/null 2>&1
check_out "XB's node kept the original's inclusion proof when it came" "^1$" \
	sqlite3 "$T/node-XB/node.db" "SELECT count(*) FROM messages WHERE lower(hex(id)) = '$ORIG' AND proof IS NOT NULL"
check_out "XB forwards it to XC" "sent [0-9a-f]{16} to XC" node XB forward "$ORIG" --to XC
: >"$T/proxy.log"
node XC sync >/dev/null 2>&1
F=$(last_received XC)
check_out "XC sees the original verified, with XA as its author" "Forwarded original \(verified" node XC show "$F"
check_out "... signed by XA's device" '"from": "XA"' node XC show --json "$F"
check_out "XC's node asked the hub for its mail" "request GET /v1/mail" cat "$T/proxy.log"
check_fails "... and for no inclusion proof naming the original (log index $IDX)" \
	grep -Eq "proof/inclusion\?.*index=([0-9]+,)*$IDX(,|$)" "$T/proxy.log"
check_fails "... nor for any record or public proof by index" \
	grep -Eq "GET /v1/(record\?index=$IDX|proof/inclusion)" "$T/proxy.log"

# The forwarder's node altered: the proof it kept no longer holds.
sqlite3 "$T/node-XB/node.db" "UPDATE messages SET proof = json_array(json_extract(proof, '\$[0]')) || '' WHERE lower(hex(id)) = '$ORIG'"
sqlite3 "$T/node-XB/node.db" "UPDATE messages SET proof = replace(proof, substr(proof, 3, 4), 'AAAA') WHERE lower(hex(id)) = '$ORIG'"
check "a tampered XB forwards it again" node XB forward "$ORIG" --to XC
node XC sync >/dev/null 2>&1
F2=$(last_received XC)
check_out "XC refuses the link: the carried proof does not hold" \
	"does not verify.*(inclusion proof|not in the log)" node XC show "$F2"
check_fails "... and shows no verified original" bash -c "'$ROSTER' show --dir '$T/node-XC' '$F2' | grep -q 'Forwarded original (verified'"

# A message received before proofs were kept (none in the store): the
# forwarder's node asks the hub for one itself; the forward still verifies.
sqlite3 "$T/node-XB/node.db" "UPDATE messages SET proof = NULL WHERE lower(hex(id)) = '$ORIG'"
check_out "XB forwards a message it holds no proof of" "sent [0-9a-f]{16} to XC" \
	node XB forward "$ORIG" --to XC
node XC sync >/dev/null 2>&1
check_out "... and XC sees the original verified" "Forwarded original \(verified" \
	node XC show "$(last_received XC)"

# A forward stored in the format from before forwards carried the
# original's proof and checkpoint (a node.db of an older version): its
# "original" was never checked here, so it is UNVERIFIED.
OLD=$(last_received XC)
sqlite3 "$T/node-XC/node.db" "UPDATE messages SET content = json_remove(content, '\$.forward.proof', '\$.forward.checkpoint') WHERE lower(hex(id)) = '$OLD'"
check_out "an older-format forward is shown UNVERIFIED" "Forwarded original: UNVERIFIED" node XC show "$OLD"
check_fails "... never as verified" bash -c "'$ROSTER' show --dir '$T/node-XC' '$OLD' | grep -q 'Forwarded original (verified'"
check_out "... its view says why, with no verified original" '"why": "older-format"' node XC show --json "$OLD"
check_fails "... and has no \"original\"" bash -c "'$ROSTER' show --json --dir '$T/node-XC' '$OLD' | grep -q '\"original\": {'"
check_out "... and the same on the web" '"original_unverified":\{.*"verified":false' bash -c "
	'$ROSTER' serve --dir '$T/node-XC' --listen 127.0.0.1:0 --interval 3600 >>'$T/serve-XC.log' 2>&1 & p=\$!
	for _ in \$(seq 1 200); do [ -s '$T/node-XC/serve.url' ] && break; sleep 0.05; done
	curl -s \"\$(cat '$T/node-XC/serve.url')/api/messages/$OLD\"; kill \$p"

# A forwarder's own "original" in its payload (what an old-format forward
# carried, or a forger writes): XB claims XA said something XA never
# signed.  XC shows the claim UNVERIFIED, never as XA's verified words.
FORGE=$BIN/tests/tools/forge
XADEV=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["device"])' "$T/node-XA/config.json" 2>/dev/null || echo "00")
payload=$(printf '{"subject":"Fwd: green report","body":"see below","tlp":"GREEN","lang":"en","sent":1,"original":{"content":{"subject":"XA orders","body":"XA never wrote this","tlp":"GREEN","lang":"en"},"from":"XA","signer":"%s","index":1,"time":1}}' "$XADEV")
check "XB signs a forward claiming an original without carrying it" \
	"$FORGE" sign --node "$T/node-XB" --kind msg --seal-node "$T/node-XC" \
	--hdr '{"urgency":"routine"}' --advance --out "$T/claim.bin" --payload "$payload"
node XB sync >/dev/null 2>&1
CLAIM=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$T/claim.bin")
node XC sync >/dev/null 2>&1
check_out "XC keeps it" "^1$" sqlite3 "$T/node-XC/node.db" "SELECT count(*) FROM messages WHERE lower(hex(id)) = '$CLAIM'"
check_out "... and shows the claimed original UNVERIFIED" "Forwarded original: UNVERIFIED" node XC show "${CLAIM:0:16}"
check_fails "... never as verified" bash -c "'$ROSTER' show --dir '$T/node-XC' '${CLAIM:0:16}' | grep -q 'Forwarded original (verified'"
check_out "... its view says it is the forwarder's claim" '"why": "claimed"' node XC show --json "${CLAIM:0:16}"
finish
