#!/usr/bin/env bash
# Trying to break promises 2 and 4 and the input rules: replay, forgery,
# tampering with fresh and stored envelopes, receipts and checkpoints, a root
# key certifying another State's device, and garbage of every kind at the
# API; every refusal is asserted by its reason, not by any 4xx.  After all of it the hub's store must still verify
# and hold exactly what it held.
. "$(dirname "$0")/lib.sh"

new_hub "Attack hub" || { bad "hub"; finish; exit 1; }
make_state XA && make_state XB && make_state XC || { bad "setup"; finish; exit 1; }
check "XA sends to XB" node XA send --to XB --subject first --body "one"

# env FILE SQL: writes the blob the query returns to FILE.
blob() {
	python3 - "$1" "$2" "$3" <<'PY'
import sqlite3, sys
db, sql, out = sys.argv[1], sys.argv[2], sys.argv[3]
row = sqlite3.connect(db).execute(sql).fetchone()
open(out, "wb").write(row[0])
PY
}
# mutate IN OUT WHAT: flips one byte of the envelope in IN.
mutate() {
	python3 - "$1" "$2" "$3" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
hl = struct.unpack(">I", data[4:8])[0]
what = sys.argv[3]
if what == "signature":
    data[8 + hl + 10] ^= 0x01
elif what == "payload":
    data[8 + hl + 64 + 4 + 5] ^= 0x01
elif what == "header":
    i = data.index(b'"urgency"', 8, 8 + hl)
    data[i + 12] ^= 0x01
elif what == "truncate":
    data = data[: len(data) // 2]
elif what == "trailing":
    data += b"x"
open(sys.argv[2], "wb").write(bytes(data))
PY
}
post() {	# FILE -> prints the HTTP status; body in $T/resp.json
	curl -s -o "$T/resp.json" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
		--data-binary @"$1" "$HUB/v1/envelopes"
}

size_before=$(curl -s "$HUB/v1/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')
blob "$T/node-XA/node.db" "SELECT envelope FROM outbox WHERE kind='msg' ORDER BY seq LIMIT 1" "$T/env.bin"

check_out "a replayed envelope is refused with 409" "^409$" post "$T/env.bin"
check_out "... saying it is already in the log, with its original receipt" '"receipt"' cat "$T/resp.json"

# A tampered copy of a logged envelope is refused as a replay whatever else
# is wrong with it, so the tampering is done on fresh envelopes: signed by
# XA's device with the next sequence number and the right "prev", then
# altered (tests/tools/forge).  Each refusal must give its own reason.
FORGE=$BIN/tests/tools/forge
XBDEV=$(device_of XB)
fresh() {	# OUT [forge sign options]: XA's next msg to XB, not submitted
	local out=$1; shift
	"$FORGE" sign --node "$T/node-XA" --kind msg --seal-node "$T/node-XB" \
		--hdr '{"urgency":"routine"}' --out "$out" "$@" \
		--payload '{"subject":"s","body":"b","tlp":"GREEN","lang":"en","sent":1}' >/dev/null
}
refused() {	# DESC STATUS REASON FILE
	check_out "$1 is refused with $2" "^$2$" post "$4"
	check_out "... because $3" "\"error\": *\"envelope 1 of 1: [^\"]*$3" cat "$T/resp.json"
}
fresh "$T/f.bin" --tamper signature
refused "a fresh envelope with a flipped signature byte" 403 "signature does not verify" "$T/f.bin"
fresh "$T/f.bin" --tamper header
refused "a fresh envelope with an altered header" 403 "signature does not verify" "$T/f.bin"
fresh "$T/f.bin" --tamper payload
refused "a fresh envelope whose payload no longer matches its digest" 400 \
	"payload does not match its digest" "$T/f.bin"
next=$(( $(sqlite3 "$T/node-XA/node.db" "SELECT v FROM meta WHERE k = 'seq'") + 1 ))
fresh "$T/f.bin" --seq $((next + 1))
refused "a fresh envelope that skips a sequence number" 409 "out of order" "$T/f.bin"
fresh "$T/f.bin" --seq $((next - 1))
refused "a fresh envelope reusing the last sequence number" 409 "out of order" "$T/f.bin"
fresh "$T/f.bin" --prev "$(printf 'ab%.0s' $(seq 32))"
refused "a fresh envelope whose prev is not the device's previous envelope" 409 \
	"hash chain broken" "$T/f.bin"
fresh "$T/f.bin" --prev none
refused "a fresh envelope without prev" 409 "hash chain broken|prev" "$T/f.bin"
fresh "$T/f.bin"
mutate "$T/f.bin" "$T/bad.bin" truncate
check_out "a truncated envelope is refused with 400" "^400$" post "$T/bad.bin"
check_out "... because it is not a whole envelope" '"error": *"[^"]*not an envelope' cat "$T/resp.json"
mutate "$T/f.bin" "$T/bad.bin" trailing
check_out "an envelope with trailing bytes is refused with 400" "^400$" post "$T/bad.bin"
check_out "... as a batch whose second envelope is not one" '"error": *"envelope 2 [^"]*not an envelope' cat "$T/resp.json"

# A root key certifying a device of another State: XB's root key signs a
# certificate naming XA (in the header, or only in the payload).
"$FORGE" certs --root "$T/XB.root" --n 1 --state XA --out "$T/c.bin" >/dev/null
refused "a certificate for an XA device signed by XB's root key" 403 \
	"not signed by an admitted root key of XA" "$T/c.bin"
"$FORGE" certs --root "$T/XB.root" --n 1 --state XA --header-state XB --out "$T/c.bin" >/dev/null
refused "a certificate under XB's header whose payload names XA" 403 \
	"payload names XA but the header names XB" "$T/c.bin"
check "after all of it XA's chain is intact: its next message is taken" \
	node XA send --to XB --subject "after the forgeries" --body "b"
size_before=$((size_before + 1))	# that one message
head -c 3000 /dev/urandom >"$T/garbage.bin"
check_out "garbage bytes are refused with 400" "^400$" post "$T/garbage.bin"
: >"$T/empty.bin"
check_out "an empty submission is refused with 400" "^400$" post "$T/empty.bin"
head -c $((20 * 1024 * 1024)) /dev/zero >"$T/huge.bin"
check_out "an oversized body is refused with 413" "^413$" post "$T/huge.bin"
check_out "an unknown path gets a 404 JSON error" '^\{"error"' curl -s "$HUB/v1/nonsense"
check_out "a wrong method gets 405" "^405$" curl -s -o /dev/null -w '%{http_code}' -X DELETE "$HUB/v1/checkpoint"
check_out "a malformed proof query gets 400" "^400$" curl -s -o /dev/null -w '%{http_code}' "$HUB/v1/proof/inclusion?size=abc&index=1"
check_out "an out-of-range proof query gets 400" "^400$" curl -s -o /dev/null -w '%{http_code}' "$HUB/v1/proof/consistency?from=5&to=2"
check_out "a malformed listing cursor gets 400" "^400$" curl -s -o /dev/null -w '%{http_code}' "$HUB/v1/public?after=x1"
check_out "a forged request signature on /v1/mail gets 401" "^401$" curl -s -o /dev/null -w '%{http_code}' \
	-H 'Signature-Input: sig1=("@method" "@target-uri" "content-digest");created=1;keyid="00";nonce="00";alg="ed25519"' \
	-H 'Signature: sig1=:AAAA:' -H 'Content-Digest: sha-256=:AAAA:' "$HUB/v1/mail?after=-1"

# A State the operator never admitted cannot enrol a device.
"$ROSTER" keygen --state XZ --out "$T/XZ.root" >/dev/null
"$ROSTER" init --dir "$T/node-XZ" --hub "$HUB" --state XZ --role technical --name Z --email z@z.example >/dev/null
"$ROSTER" certify --root "$T/XZ.root" "$T/node-XZ/request.json" >/dev/null
check_out "a certificate from an unadmitted State's key is refused" "not signed by an admitted root key of XZ" \
	"$ROSTER" enroll --dir "$T/node-XZ" "$T/node-XZ/request.cert"
check_out "rosterd admit refuses a malformed State code" "State" \
	"$ROSTERD" admit "$T/hub" --state X1 --root-key "$T/XZ.root.pub"
check_fails "rosterd admit refuses a root key admitted before" \
	"$ROSTERD" admit "$T/hub" --state XA --root-key "$T/XA.root.pub"
check_fails "roster send refuses an unknown State" node XA send --to QQ --subject s --body b
check_fails "roster send refuses a bad urgency" node XA send --to XB --subject s --body b --urgency soon
check_fails "roster show refuses a malformed id" node XA show "zz"
check_fails "a wrong passphrase does not unlock the device key" env ROSTER_PASSPHRASE=wrong "$ROSTER" sync --dir "$T/node-XA"
check_out "... and says so" "wrong passphrase" env ROSTER_PASSPHRASE=wrong "$ROSTER" sync --dir "$T/node-XA"

size_after=$(curl -s "$HUB/v1/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')
check "none of that added anything to the log ($size_before = $size_after)" test "$size_before" = "$size_after"
stop_hub
check "the hub's store still verifies (rosterd check)" "$ROSTERD" check "$T/hub"
start_hub "$T/hub"

# The hub tampers with a stored envelope before the recipient fetches it.
check "XA sends a second message" node XA send --to XB --subject second --body "two"
idx=$(sqlite3 "$T/node-XA/node.db" "SELECT idx FROM messages WHERE subject='second'")
hubdb "$T/hub" flip "$idx" -3
node XB sync >"$T/sync.out" 2>&1
check "XB's sync fails when a stored envelope was tampered with" test $? -ne 0
check_out "... naming the record and the reason" "refused the record at log index $idx: .+" cat "$T/sync.out"
check_out "XB did not take the tampered message" "first" node XB inbox
check_fails "... and the tampered one is not in the inbox" bash -c "'$ROSTER' inbox --dir '$T/node-XB' | grep -q second"
stop_hub
check_fails "rosterd check reports the tampered envelope" "$ROSTERD" check "$T/hub"
check_out "rosterd serve refuses to start on it, naming the index" "stored envelope $idx does not hash to its id" \
	timeout 60 "$ROSTERD" serve "$T/hub" --listen 127.0.0.1:0
# Restore the byte: the hub serves again, and the rest of the tests go on.
hubdb "$T/hub" flip "$idx" -3
check "with the byte restored rosterd check passes" "$ROSTERD" check "$T/hub"
start_hub "$T/hub"

# A stored receipt on the sender's node is altered.
python3 - "$T/node-XA/node.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seq, r = db.execute("SELECT seq, receipt FROM outbox WHERE receipt IS NOT NULL ORDER BY seq LIMIT 1").fetchone()
r = r.replace('"index":', '"index":1', 1) if '"index":1' not in r else r.replace('"index":1', '"index":2', 1)
db.execute("UPDATE outbox SET receipt=? WHERE seq=?", (r, seq))
db.commit()
PY
check_out "XA's audit catches a tampered stored receipt" "FAIL.*receipt" node XA audit --no-cosign

# A stored checkpoint on a node is altered.
python3 - "$T/node-XC/node.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
size, root = db.execute("SELECT size, root FROM checkpoints ORDER BY size DESC LIMIT 1").fetchone()
bad = bytes([root[0] ^ 1]) + root[1:]
db.execute("UPDATE checkpoints SET root=? WHERE size=? AND root=?", (bad, size, root))
db.commit()
PY
check_out "XC's audit catches a tampered stored checkpoint" "FAIL" node XC audit --no-cosign

finish
