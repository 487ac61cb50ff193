#!/usr/bin/env bash
# Promise 9, no participant degrades the others (issue 8 item 3): one
# State's devices (XM's) sign what the hub would take if it only checked
# signatures and max_body: 15 MB check answers, 15 MB messages to one
# device, a message whose header names ~900 recipients, a 15 MB cosignature.
# The hub must refuse what is over its per-kind limits with a JSON 413, what
# a public kind's payload cannot be with a 400, and more than a device's
# quota with a 429 and Retry-After (docs/protocol.md section 9).  What it
# does take, at the largest sizes it allows, must not stop anyone else:
# after each flood every other node syncs and receives a new flash message
# (a sync that stores nothing new for FLOOD_WAIT seconds fails: a bound on
# progress, not a deadline for however much the flood left to take, which
# under a sanitizer and a loaded machine is well over a second for each
# 512 KiB message), and the
# hub's resident memory stays under FLOOD_RSS_MB, also while anonymous
# clients fetch the public listings.
#
# Waits for: size by kind, public payloads validated by kind, per-device
# quotas (hub), listing pages bounded in bytes (hub), a node that handles a
# page of large records without failing the pass.
. "$(dirname "$0")/lib.sh"

FORGE=$BIN/tests/tools/forge
WAIT=${FLOOD_WAIT:-60}
RSS_MB=${FLOOD_RSS_MB:-256}
MIB=1048576
# A small quarantine, so that the sanitizer's own memory does not hide the
# hub's (the default keeps 256 MiB of freed blocks).
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=16"

new_hub "Flood hub" || { bad "hub"; finish; exit 1; }
for s in XA XB XC XM; do make_state "$s" || bad "setup $s"; done
for i in 2 3 4; do make_node XM technical "$i" || bad "XM's device $i"; done
make_root XD || bad "XD's root key"
for s in XA XB XC XM; do node "$s" sync >/dev/null 2>&1; done

# XM's devices sign outside their nodes, so the chain the hub holds for each
# is kept here: $T/chain-NODE is "seq id" of the last envelope the hub took.
# fsign NODE OUT [forge sign options]: the next envelopes in that chain (their
# "seq id" lines in $T/signed-NODE); ftook NODE N: the hub took the first N.
fsign() {
	local nd=$1 out=$2; shift 2
	[ -s "$T/chain-$nd" ] || echo "$(sqlite3 "$T/node-$nd/node.db" \
		"SELECT coalesce((SELECT v FROM meta WHERE k = 'seq'), 0), coalesce((SELECT v FROM meta WHERE k = 'prev'), '')")" |
		tr '|' ' ' >"$T/chain-$nd"
	local seq prev
	read -r seq prev <"$T/chain-$nd"
	"$FORGE" sign --node "$T/node-$nd" --seq $((seq + 1)) --prev "${prev:-none}" --out "$out" "$@" \
		>"$T/signed-$nd"
}
ftook() { [ "$2" -gt 0 ] && sed -n "${2}p" "$T/signed-$1" >"$T/chain-$1"; return 0; }
# fpost NODE FILE [COUNT]: posts a batch one envelope a request (post_burst.py),
# prints its verdict, and moves the chain past what was taken.
fpost() {
	python3 "$TOP/tests/e2e/post_burst.py" "$HUB" "$2" "$T/receipts-$1.jsonl" >"$T/fpost.out"
	ftook "$1" "$(cut -d' ' -f1 "$T/fpost.out")"
	cat "$T/fpost.out"
}

post() {	# FILE: POSTs it; prints the status; body in $T/resp.json, headers in $T/resp.h
	curl -s -o "$T/resp.json" -D "$T/resp.h" -w '%{http_code}' \
		-H 'Content-Type: application/octet-stream' --data-binary @"$1" "$HUB/v1/envelopes"
}
rss_mb() { echo $(( $(awk '/^VmRSS/ {print $2}' "/proc/$HUBPID/status") / 1024 )); }
# plain FILE SIZE NSLOTS: a roster message whose sealed payload for NSLOTS
# recipients is exactly SIZE bytes (docs/protocol.md section 3), or as near
# as a body of at most 512 KiB (section 3's limit, which every receiver
# applies) allows: the flood is of messages a node must take and store, not
# of ones it refuses.
plain() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
out, size, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
want = size - (4 + 2 + 112 * n + 24 + 16)
m = {"subject": "flood", "body": "", "tlp": "GREEN", "lang": "en", "sent": 1}
m["body"] = "x" * min(512 * 1024, want - len(json.dumps(m, separators=(",", ":"))))
open(out, "w").write(json.dumps(m, separators=(",", ":")))
PY
}
# live_sync NODE: the node's plain `roster sync`, waited for while it makes
# progress (records stored, polled each second); it fails when $WAIT seconds
# pass with nothing new stored, saying how far it got.
live_sync() {
	local db="$T/node-$1/node.db" pid last=-1 now idle=0
	"$ROSTER" sync --dir "$T/node-$1" >"$T/live-$1.out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		now=$(sqlite3 "$db" "SELECT count(*) FROM records" 2>/dev/null || echo "$last")
		if [ "$now" != "$last" ]; then
			last=$now
			idle=0
		elif [ $((idle += 1)) -ge "$WAIT" ]; then
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			echo "$1's sync stored nothing new for $WAIT s (at $last records)"
			return 1
		fi
	done
	wait "$pid"
}

# others_fine WHAT: XC sends a flash message to XA and XB; both take it with a
# plain sync that keeps making progress, and the hub's memory is bounded.
n_flash=0
others_fine() {
	n_flash=$((n_flash + 1))
	local subj="flash after $1 ($n_flash)"
	check "after $1: XC still sends a flash message" node XC send --to XA,XB --urgency flash \
		--subject "$subj" --body "b"
	for s in XA XB; do
		check "after $1: $s's sync passes (never $WAIT s without progress)" live_sync "$s"
		check "after $1: ... and $s has the flash message" \
			bash -c "'$ROSTER' inbox --dir '$T/node-$s' | grep -q '$subj'"
	done
	check "after $1: XC's own sync passes (never $WAIT s without progress)" live_sync XC
	local r
	r=$(rss_mb)
	check "after $1: the hub's memory stays bounded (${r} MiB < $RSS_MB MiB)" test "$r" -lt "$RSS_MB"
}

# 1. Check answers.  A check from XA to XM; XM's device answers 18 times,
# 15 MB each, then with a payload that is not an answer's, then as large as
# the hub allows.
check "XA starts a check to XM" node XA checks start --to XM --deadline 24h
case "$(hubdb "$T/hub" backend)" in
pg) hexid="encode(id, 'hex')" ;;
*) hexid="lower(hex(id))" ;;
esac
CHECK=$(hubdb "$T/hub" sql "SELECT $hexid FROM log WHERE kind = 'check' ORDER BY idx DESC LIMIT 1")
ANS="{\"ref\":\"$CHECK\",\"status\":\"acknowledged\",\"check\":true,\"rcpt\":[]}"
big=0
for i in $(seq 1 18); do
	fsign XM "$T/a.bin" --kind ack --hdr "$ANS" --payload-random 15000000
	st=$(post "$T/a.bin")
	[ "$st" = 200 ] && ftook XM 1
	[ "$st" = 413 ] || big=$((big + 1))
done
check "18 answers of 15 MB: every one refused with 413 ($big were not)" test "$big" -eq 0
check_out "... with a JSON error" '"error": *"[^"]{8,}' cat "$T/resp.json"
fsign XM "$T/a.bin" --kind ack --hdr "$ANS" \
	--payload '{"x":"'"$(head -c 3000 /dev/zero | tr '\0' y)"'"}'
check_out "an answer whose payload is not {} is refused with 400" "^400$" post "$T/a.bin"
check_out "... saying why" '"error": *"[^"]{8,}' cat "$T/resp.json"
grep -q receipt "$T/resp.json" && ftook XM 1
PAD=$(head -c 60000 /dev/zero | tr '\0' p)
fsign XM "$T/a18.bin" --kind ack --hdr "${ANS%\}},\"pad\":\"$PAD\"}" --payload '{}' --count 18
check_out "18 answers as large as the hub allows (a 60 KB header): taken, or refused with a reason" \
	"^18 posted|refused 4[0-9][0-9]: .{8,}" fpost XM "$T/a18.bin"
echo "     (they were: $(cat "$T/fpost.out"))"
fsign XM "$T/a18.bin" --kind ack --hdr "$ANS" --payload '{}' --count 18
check_out "18 plain answers are taken" "^18 posted" fpost XM "$T/a18.bin"
# A few anonymous clients fetch the public listings meanwhile.
getters=""
for _ in 1 2 3 4 5; do
	for l in public checks directory cosignatures; do
		curl -s -o /dev/null "$HUB/v1/$l?after=-1" &
		getters="$getters $!"
	done
done
peak=0
for p in $getters; do
	r=$(rss_mb); [ "$r" -gt "$peak" ] && peak=$r
	wait "$p"
done
check "while 20 anonymous GETs of the listings run, the hub stays under $RSS_MB MiB (peak seen ${peak} MiB)" \
	test "$peak" -lt "$RSS_MB"
others_fine "the answers"

# 2. Messages to one device: one of 15 MB, then 18 of the largest a node takes
# (a body of 512 KiB), then more until the device's quota says no.
XADEV=$(device_of XA)
fsign XM2 "$T/m.bin" --kind msg --hdr "{\"to\":[\"XA\"],\"rcpt\":[\"$XADEV\"],\"urgency\":\"routine\"}" \
	--payload-random 15000000
check_out "a 15 MB message is refused with 413" "^413$" post "$T/m.bin"
[ "$(cat "$T/resp.json" | grep -c receipt)" -gt 0 ] && ftook XM2 1
check_out "... with a JSON error" '"error": *"[^"]{8,}' cat "$T/resp.json"
plain "$T/p1.json" "$MIB" 1
fsign XM2 "$T/m18.bin" --kind msg --hdr '{"urgency":"routine"}' --seal-node "$T/node-XA" \
	--payload-file "$T/p1.json" --count 18
check_out "18 messages of 512 KiB to XA's device are taken (under the quota)" "^18 posted" \
	fpost XM2 "$T/m18.bin"
others_fine "18 messages of 512 KiB to XA"
fsign XM2 "$T/m70.bin" --kind msg --hdr '{"urgency":"routine"}' --seal-node "$T/node-XA" \
	--payload-file "$T/p1.json" --count 140
fpost XM2 "$T/m70.bin" >"$T/m70.out"
check_out "past 64 MiB in an hour the device is refused with 429 ($(cat "$T/m70.out"))" \
	"refused 429: .*quota" cat "$T/m70.out"
check_out "... with Retry-After" "Retry-After: [0-9]+" cat "$T/m70.out"
others_fine "a device at its quota"

# 3. A header naming ~900 recipients: 897 devices certified by XD's root key
# at once, and XA, XB, XC's; 18 messages of 512 KiB to all of them.
"$FORGE" certs --root "$T/XD.root" --n 897 --out "$T/certs.bin" >"$T/xd.devices"
check_out "897 XD devices are certified" "^200$" post "$T/certs.bin"
RCPT=$(python3 - "$T/xd.devices" "$(device_of XA)" "$(device_of XB)" "$(device_of XC)" <<'PY'
import json, sys
print(json.dumps(sys.argv[2:] + [l.strip() for l in open(sys.argv[1]) if l.strip()]))
PY
)
plain "$T/p3.json" "$MIB" 3
fsign XM3 "$T/r18.bin" --kind msg \
	--hdr "{\"to\":[\"XA\",\"XB\",\"XC\",\"XD\"],\"rcpt\":$RCPT,\"urgency\":\"routine\"}" \
	--seal-node "$T/node-XA" --seal-node "$T/node-XB" --seal-node "$T/node-XC" \
	--payload-file "$T/p3.json" --count 18
check_out "18 messages of 512 KiB with 900 recipients: taken, or refused with a reason" \
	"^18 posted|refused 4[0-9][0-9]: .{8,}" fpost XM3 "$T/r18.bin"
echo "     (they were: $(cat "$T/fpost.out"))"
others_fine "900-recipient messages"

# 4. Cosignatures: 15 MB of random bytes, 4 KiB of them, then a real one.
fsign XM4 "$T/c.bin" --kind cosign --payload-random 15000000
check_out "a 15 MB cosignature is refused with 413" "^413$" post "$T/c.bin"
grep -q receipt "$T/resp.json" && ftook XM4 1
fsign XM4 "$T/c.bin" --kind cosign --payload-random 4000
check_out "a cosignature that is not a checkpoint is refused with 400" "^400$" post "$T/c.bin"
check_out "... saying why" '"error": *"[^"]{8,}' cat "$T/resp.json"
grep -q receipt "$T/resp.json" && ftook XM4 1
curl -s "$HUB/v1/checkpoint" >"$T/cp.json"
fsign XM4 "$T/c.bin" --kind cosign --payload-file "$T/cp.json"
check_out "a real cosignature is taken" "^200$" post "$T/c.bin"
others_fine "the cosignatures"
finish
