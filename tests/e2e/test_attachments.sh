#!/usr/bin/env bash
# Attachments: XA sends a 20 MiB file to XB and XC; both download it and get
# the same bytes.  Memory stays far below the file's size on the sender and
# the hub (streamed, never held whole); the hub's folder never holds the
# plaintext; a file over the hub's limit is refused with a clear message; a
# blob altered or truncated on the hub's disk is refused by the recipient
# and leaves no file; the blob routes refuse what they must.
. "$(dirname "$0")/lib.sh"
# AddressSanitizer keeps freed memory in quarantine (256 MiB by default),
# which would count every request's garbage as resident; a small quarantine
# lets the peak RSS below reflect what the code holds.
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=1"

check "operator: rosterd init and serve" new_hub "Attachment hub"
for s in XA XB XC; do
	check "State $s: keygen, admission, POC init, certify, enroll" make_state "$s"
done

MARK="plaintext-marker-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# 20 MiB of random bytes with the marker every MiB.
python3 - "$T/report.bin" "$MARK" <<'EOF'
import os, sys
with open(sys.argv[1], "wb") as f:
    for _ in range(20):
        f.write(sys.argv[2].encode())
        f.write(os.urandom(1024 * 1024 - len(sys.argv[2])))
EOF
check "the 20 MiB test file is 20 MiB" test "$(stat -c %s "$T/report.bin")" -eq $((20 * 1024 * 1024))

# peak RSS (KiB) of a command, from the kernel's accounting of the child.
peak() {
	local out=$1; shift
	python3 -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[2:])
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(r.returncode)' "$out" "$@"
}

# Memory: the same command without the file is the baseline (under the
# sanitizers a process starts large); the file may add only a little.
check "XA sends a message without attachment (memory baseline)" \
	peak "$T/plain.rss" "$ROSTER" send --dir "$T/node-XA" --to XB,XC --subject "baseline" --body "b"
hwm() { awk '/VmHWM/ {print $2}' /proc/$HUBPID/status; }
HUB_UP0=$(hwm)
check_out "XA sends the file to XB and XC, with a progress bar" \
	"sent [0-9a-f]{16} to XB,XC \(2 devices\): log index [0-9]+, receipt verified" \
	peak "$T/send.rss" "$ROSTER" send --dir "$T/node-XA" --to XB,XC --subject "Incident report" \
	--body "Report attached." --attach "$T/report.bin" --progress
cp "$T/last.out" "$T/send.out"
HUB_UP1=$(hwm)
check_out "the progress bar shows 100%, bytes and rate" "report.bin +100%  20.0 MiB / 20.0 MiB  [0-9.]+ [KMG]?i?B/s" \
	cat "$T/send.out"
ID=$(last_sent XA)
SEND_RSS=$(cat "$T/send.rss")
PLAIN_RSS=$(cat "$T/plain.rss")
echo "     sender peak RSS: $SEND_RSS KiB with the 20480 KiB file, $PLAIN_RSS KiB without"
check "the file adds less than 5 MiB (a quarter of the file) to the sender's peak memory" test $((SEND_RSS - PLAIN_RSS)) -lt 5120

BLOB=$(ls "$T/hub/blobs" | grep -E '^[0-9a-f]{64}$')
check "the hub holds one blob, named by its SHA-256" test "$(echo "$BLOB" | wc -l)" -eq 1
check "the blob's name is its SHA-256" test "$(sha256sum "$T/hub/blobs/$BLOB" | cut -c1-64)" = "$BLOB"
check "the blob is the file plus 17 bytes per 64 KiB chunk (and a final one)" \
	test "$(stat -c %s "$T/hub/blobs/$BLOB")" -eq $((20 * 1024 * 1024 + 321 * 17))
check_out "the signed header lists the blob (the hub sees digest and size only)" "\"attachments\": ?\[\{\"sha256\": ?\"$BLOB\", ?\"size\": ?[0-9]+\}\]" \
	python3 -c 'import sqlite3, sys; e = sqlite3.connect(sys.argv[1]).execute("SELECT envelope FROM outbox ORDER BY seq DESC LIMIT 1").fetchone()[0]; n = int.from_bytes(e[4:8], "big"); print(e[8:8 + n].decode())' "$T/node-XA/node.db"

check "XB syncs" node XB sync
check "XC syncs" node XC sync
HUB_DL0=$(hwm)
check_out "XB's show mentions the attachment" "Attachments  1, 20.0 MiB encrypted; list and save them with .roster attachment ${ID:0:16} --list." \
	node XB show "$ID"
check "show --json lists the signed blob" python3 -c 'import json, sys; a = json.loads(sys.argv[1])["attachments"]; assert [(x["sha256"], x["encrypted_size"]) for x in a] == [(sys.argv[2], 20976977)] and a[0]["name"], a' "$(node XB show "$ID" --json)" "$BLOB"
check_out "XA's show of its sent message mentions it too" "Attachments  1, 20.0 MiB encrypted" node XA show "$ID"
check_out "XB lists the attachment" "^1  report.bin  20.0 MiB  application/octet-stream" \
	node XB attachment --list "$ID"
check_out "XB downloads and decrypts it, with a progress bar" "saved report.bin \(20971520 bytes\)" \
	bash -c "cd '$T' && mkdir -p xb && cd xb && '$ROSTER' attachment --dir '$T/node-XB' --progress '$ID'"
cp "$T/last.out" "$T/download.out"
check_out "... the bar ends at 100%" "report.bin +100%  20.0 MiB / 20.0 MiB" cat "$T/download.out"
check "XB's copy is identical" cmp "$T/report.bin" "$T/xb/report.bin"
check "XC downloads it with --out" node XC attachment "${ID:0:12}" 1 --out "$T/xc.bin"
check "XC's copy is identical" cmp "$T/report.bin" "$T/xc.bin"
HUB_DL1=$(hwm)
echo "     hub peak RSS: $HUB_UP0 -> $HUB_UP1 KiB over the upload (with the message), $HUB_DL0 -> $HUB_DL1 KiB over two downloads; file 20480 KiB"
check "the upload adds less than 5 MiB (a quarter of the file) to the hub's peak memory" test $((HUB_UP1 - HUB_UP0)) -lt 5120
check "the two downloads add less than 5 MiB to the hub's peak memory" test $((HUB_DL1 - HUB_DL0)) -lt 5120

head -c 300000 /dev/urandom >"$T/answer.bin"
check_out "XB replies with an attachment of its own" "sent [0-9a-f]{16} to XA" \
	node XB reply "$ID" --body "Our logs." --attach "$T/answer.bin"
REPLY=$(last_sent XB)
check "XA syncs" node XA sync
check "XA saves XB's attachment" node XA attachment "$REPLY" --out "$T/answer.got"
check "... identical" cmp "$T/answer.bin" "$T/answer.got"

EVIL="$T/$(printf 'x\033[2Jy\342\200\256z.txt')"
echo hello >"$EVIL"
check "a file whose name holds terminal escapes and a bidi override is sent" \
	node XA send --to XB --subject evil --body b --attach "$EVIL"
EVID=$(last_sent XA)
node XB sync >/dev/null
node XB attachment --list "$EVID" >"$T/evil.out" 2>&1
check_fails "its listing shows no control character" grep -q "$(printf '\033')" "$T/evil.out"
check_fails "... nor the bidi override" grep -q "$(printf '\342\200\256')" "$T/evil.out"
check_out "... but the name, made printable" "x\?\[2Jy\?\?\?z\.txt" cat "$T/evil.out"
check "the default file name is made printable too" bash -c \
	"cd '$T' && mkdir -p evil && cd evil && '$ROSTER' attachment --dir '$T/node-XB' '$EVID' >/dev/null && test -f 'x_[2Jy???z.txt'"

check_out "an existing --out is not overwritten" "already exists" node XC attachment "$ID" --out "$T/xc.bin"
check_out "N out of range is a usage error" "N must be a number from 1 to 1" node XC attachment "$ID" 2
node XC attachment "$ID" 2 >/dev/null 2>&1
check "... with exit status 2" test $? -eq 2
node XC attachment >/dev/null 2>&1
check "no message ID: exit status 2" test $? -eq 2
check_out "a message without attachments says so" "has no attachments" bash -c \
	"'$ROSTER' send --dir '$T/node-XA' --to XB --subject plain --body b >/dev/null &&
	 '$ROSTER' sync --dir '$T/node-XB' >/dev/null &&
	 '$ROSTER' attachment --dir '$T/node-XB' \$(sqlite3 '$T/node-XB/node.db' \"SELECT lower(hex(id)) FROM messages WHERE subject='plain'\")"
check_out "the sender cannot fetch from its own sent message" "no received message" node XA attachment "$ID"

# Promise 1: the hub never holds the plaintext.
sqlite3 "$T/hub/hub.db" "PRAGMA wal_checkpoint(FULL)" >/dev/null 2>&1
check_fails "the marker is nowhere under the hub's folder" grep -r -a -q "$MARK" "$T/hub" "$T/hub.log"
check "the marker is in XB's copy (sanity of the search)" grep -a -q "$MARK" "$T/xb/report.bin"

# Over the limit: 51 MiB against the default 50 MiB.
truncate -s 51M "$T/big.bin"
BEFORE=$(last_sent XA)
NBLOBS=$(ls "$T/hub/blobs" | wc -l)
check_out "a 51 MiB file is refused, naming the limit" "big.bin is 53477376 bytes; the hub takes attachments of at most 52428800 bytes \(50.0 MiB, its max_attachment\)" \
	node XA send --to XB --subject big --body b --attach "$T/big.bin"
check "... and no message was sent" test "$(last_sent XA)" = "$BEFORE"
check "... and no blob was stored" test "$(ls "$T/hub/blobs" | wc -l)" -eq "$NBLOBS"
check_out "--attach of a missing file names it" "cannot open .*/nothere.bin" \
	node XA send --to XB --subject s --body b --attach "$T/nothere.bin"

# Tampering on the hub's disk.
cp "$T/hub/blobs/$BLOB" "$T/blob.orig"
python3 - "$T/hub/blobs/$BLOB" <<'EOF'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(5 * 65553 + 100)
    b = f.read(1)
    f.seek(5 * 65553 + 100)
    f.write(bytes([b[0] ^ 1]))
EOF
check_out "a blob altered on the hub is refused, naming the chunk" "fails authentication at chunk 6" \
	node XB attachment "$ID" --out "$T/tampered.bin"
check_fails "... and leaves no file" test -e "$T/tampered.bin"
check_fails "... not even a partial one" bash -c "ls '$T'/tampered.bin.part-* 2>/dev/null | grep -q ."
cp "$T/blob.orig" "$T/hub/blobs/$BLOB"
truncate -s $((10 * 65553)) "$T/hub/blobs/$BLOB"
check_out "a blob truncated on the hub is refused" "truncated|not marked final" \
	node XB attachment "$ID" --out "$T/truncated.bin"
check_fails "... and leaves no file" test -e "$T/truncated.bin"
cp "$T/blob.orig" "$T/hub/blobs/$BLOB"
check "restored, the blob downloads again" node XB attachment "$ID" --out "$T/again.bin"

# The hub logs a message only if it holds every blob its header lists: the
# message's signed envelope, sent again while the blob is gone, is refused.
python3 -c 'import sqlite3, sys; open(sys.argv[2], "wb").write(sqlite3.connect(sys.argv[1]).execute("SELECT envelope FROM outbox WHERE lower(hex(id)) = ?", (sys.argv[3],)).fetchone()[0])' \
	"$T/node-XA/node.db" "$T/msg.env" "$ID"
mv "$T/hub/blobs/$BLOB" "$T/blob.away"
check_out "a message whose blob the hub does not hold is refused, saying so" "attachment 1 \(${BLOB:0:16}\.\.\.\) is not on this hub" \
	curl -s --data-binary @"$T/msg.env" -H 'Content-Type: application/octet-stream' "$HUB/v1/envelopes"
mv "$T/blob.away" "$T/hub/blobs/$BLOB"
check_out "with the blob back, the same envelope is a known duplicate again" '"status":409' \
	curl -s --data-binary @"$T/msg.env" -H 'Content-Type: application/octet-stream' "$HUB/v1/envelopes"

# The blob routes.
check_out "GET of a blob without a signature: 401" "^401$" \
	curl -s -o /dev/null -w '%{http_code}' "$HUB/v1/blobs/$BLOB"
check_out "PUT of a blob without a signature: 401" "^401$" \
	curl -s -o /dev/null -w '%{http_code}' -T "$T/report.bin" "$HUB/v1/blobs/$BLOB"
check_out "PUT without Content-Length (chunked): 411" "^411$" \
	curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' -T - "$HUB/v1/blobs/$BLOB" </dev/null
check_out "a PUT announcing more than the limit: 413 before any body" "attachment too large" \
	curl -s -H 'Content-Length: 60000000' -H 'Expect:' -X PUT --data-binary @/dev/null "$HUB/v1/blobs/$BLOB"
check_out "a malformed blob name: 400" "64 lower-case hex digits" curl -s "$HUB/v1/blobs/XYZ"
check_out "DELETE on a blob: 405" "^405$" curl -s -o /dev/null -w '%{http_code}' -X DELETE "$HUB/v1/blobs/$BLOB"
check_out "/v1/info tells the limit" '"max_attachment": *52428800' curl -s "$HUB/v1/info"
check "no temporary file is left in the hub's blob folder" test -z "$(ls "$T/hub/blobs" | grep '^tmp\.')"

# The limit is the operator's: max_attachment in hub.json.
stop_hub
python3 - "$T/hub/hub.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])); c["max_attachment"] = 1048576
json.dump(c, open(sys.argv[1], "w"))
EOF
check "the hub restarts with max_attachment = 1 MiB" start_hub "$T/hub"
head -c 1048577 /dev/urandom >"$T/onemeg.bin"
check_out "one byte over 1 MiB is refused" "at most 1048576 bytes" \
	node XA send --to XB --subject s --body b --attach "$T/onemeg.bin"
head -c 1048576 "$T/onemeg.bin" >"$T/exact.bin"
check_out "exactly 1 MiB goes" "sent [0-9a-f]{16} to XB" \
	node XA send --to XB --subject exact --body b --attach "$T/exact.bin" --attach "$T/exact.bin"
ID2=$(last_sent XA)
check "XB syncs" node XB sync
check_out "both attachments are listed" "^2  exact.bin" node XB attachment --list "$ID2"
check_out "several attachments: N is required" "give which \(1 to 2\)" node XB attachment "$ID2"
check "the second one downloads" node XB attachment "$ID2" 2 --out "$T/exact2.bin"
check "... identical" cmp "$T/exact.bin" "$T/exact2.bin"
python3 - "$T/hub/hub.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])); c["max_attachment"] = "big"
json.dump(c, open(sys.argv[1], "w"))
EOF
check_out "a malformed max_attachment is refused by rosterd" "max_attachment.*must be an integer" \
	"$ROSTERD" check "$T/hub"

for c in send attachment; do
	"$ROSTER" "$c" --help >"$T/help.out" 2>&1 && grep -q -- "--attach\|roster attachment" "$T/help.out" ||
		bad "roster $c --help"
done
ok "send and attachment document attachments in --help"

finish
