#!/usr/bin/env bash
# Two rosterd processes over one PostgreSQL log (issue 11), each with a
# folder of its own (the operator key and hub.json copied) and one shared
# folder for attachments.  Nodes talk to either: every one accepts
# submissions and serves listings, proofs, checkpoints and blobs, and they
# are one log.  What must hold, each tried:
#   - a record appended through one is seen through the other at once (the
#     directory follows: a State admitted through hub 1 enrols through
#     hub 2; mail sent through one is fetched through the other);
#   - a node waiting for mail on one (long poll) hears of mail appended
#     through the other within seconds (LISTEN/NOTIFY);
#   - an attachment uploaded to one is downloaded from the other;
#   - a node switches between them freely and its audit passes;
#   - under concurrent load from four nodes, two per hub: every receipted
#     envelope is in the log exactly once, indexes dense (rosterd check
#     --receipts, which on PostgreSQL runs beside the serving hubs), and no
#     checkpoint either hub signed during the burst contradicts another
#     (same size, same roots; each a witness every node's audit accepts);
#   - roster audit passes on every node;
#   - a device's quota is one across the processes;
#   - the process (a body, a proposal) follows across processes as the
#     directory does.
BACKEND=pg
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rt_lib.sh"

PER_NODE=${CLUSTER_PER_NODE:-15}
check "rosterd init on PostgreSQL" hub_init "$T/hub" "Cluster hub"
check "a second hub folder over the same database" hub_peer "$T/hub" "$T/hub2" "$T/blobs"
check "hub 1 serves" start_hub "$T/hub"
H1=$HUB P1=$HUBPID
check "hub 2 serves" start_hub "$T/hub2"
H2=$HUB P2=$HUBPID
check_out "both are the same hub (operator key)" "^1$" bash -c \
	"for h in $H1 $H2; do curl -s \$h/v1/info | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"operator_key\"])'; done | sort -u | wc -l"

for s in XA XB XC XD; do check "State $s admitted (through hub 1)" make_root "$s"; done
HUB=$H1; check "XA enrols through hub 1" make_node XA
HUB=$H2; check "XB enrols through hub 2, which follows hub 1's admissions" make_node XB
HUB=$H1; check "XC enrols through hub 1" make_node XC
HUB=$H2; check "XD enrols through hub 2" make_node XD
check_out "hub 2 lists the device XA certified through hub 1" "POC XA" node XB directory
check_out "hub 1 lists the device XB certified through hub 2" "POC XB" node XA directory

check "XA sends to XB through hub 1" node XA send --to XB --subject "one log" --body "via hub 1"
ID=$(last_sent XA)
check "XB fetches it through hub 2" node XB sync
check_out "... and reads it" "via hub 1" node XB show "$ID"
check "XB acknowledges through hub 2" node XB ack "$ID" --note "seen on hub 2"
check_out "XA sees the acknowledgement through hub 1" "note: seen on hub 2" \
	bash -c "'$ROSTER' sync --dir '$T/node-XA' >/dev/null; '$ROSTER' status --dir '$T/node-XA' $ID"

head -c 300000 /dev/urandom >"$T/file.bin"
check "XC attaches a file through hub 1" node XC send --to XD --subject "with a file" --body "see" --attach "$T/file.bin"
AID=$(last_sent XC)
check "XD syncs through hub 2" node XD sync
check "XD downloads the attachment from hub 2" node XD attachment "$AID" --out "$T/got.bin"
check "... the same bytes" cmp -s "$T/file.bin" "$T/got.bin"

# Long polling across processes: XD waits on hub 2; mail comes in on hub 1.
check "XD runs roster serve (long polling hub 2)" start_serve XD
sleep 1
for i in 1 2 3; do
	check "XA sends message $i to XD through hub 1" send_timed XA XD routine "cross $i" "body $i"
	check_out "... XD's node, waiting on hub 2, has it within 5 s" "^[0-9]+$" \
		wait_stored XD "$SENT_ID" "$SENT_NS" 5
	echo "     | latency: $(cat "$T/last.out") ms"
done

# A node switches hubs.
point() {	# NODE URL
	python3 - "$T/node-$1/config.json" "$2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["hub"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
}
check "XC's audit on hub 1" node XC audit
point XC "$H2"
check "XC switches to hub 2: its sync verifies (consistency from what hub 1 showed)" node XC sync
check "... and its audit passes" node XC audit
point XC "$H1"

# The process (bodies, proposals) follows across processes too: a body
# recorded through hub 1, a proposal to it through hub 2 (whose sequencer
# must know the body from catching up), the body again through hub 2
# refused as a duplicate, and one view of it from either folder.
check_out "a body recorded through hub 1" 'body wg recorded at log index' \
	"$ROSTERD" body "$T/hub" --name wg --chair XB --members XA,XB --title "en=Working group"
printf 'The group adopts its programme.' >"$T/prop.txt"
check_out "XB proposes to it through hub 2, which knows the body" 'logged' \
	node XB propose --body wg --text-file "$T/prop.txt" --lang en
check_out "the same body again through hub 2 is refused" 'exists already' \
	"$ROSTERD" body "$T/hub2" --name wg --chair XA --members all
"$ROSTERD" process "$T/hub" --json --at 2099-01-01 >"$T/proc1.json" 2>&1 || bad "rosterd process on hub 1's folder"
"$ROSTERD" process "$T/hub2" --json --at 2099-01-01 >"$T/proc2.json" 2>&1 || bad "rosterd process on hub 2's folder"
check_out "rosterd process shows the proposal" 'programme' cat "$T/proc1.json"
check "... the same view from either folder" cmp -s "$T/proc1.json" "$T/proc2.json"

# ---- concurrent load --------------------------------------------------------
burst() {	# NODE TO
	for i in $(seq 1 "$PER_NODE"); do
		"$ROSTER" send --dir "$T/node-$1" --to "$2" --subject "burst $1 $i" --body "n$i" \
			>>"$T/burst-$1.log" 2>&1
	done
}
mkdir -p "$T/cps"
collect() {	# checkpoints both hubs sign while the burst runs
	local n=0
	while [ ! -e "$T/burst.done" ]; do
		for h in "$H1" "$H2"; do
			n=$((n + 1))
			curl -s "$h/v1/checkpoint" >"$T/cps/$n.json"
		done
		sleep 0.2
	done
}
before=$(hubdb "$T/hub" sql "SELECT count(*) FROM log WHERE kind = 'msg'")
collect & CP=$!
burst XA XB & b1=$!
burst XB XC & b2=$!
burst XC XD & b3=$!
burst XD XA & b4=$!
wait $b1 $b2 $b3 $b4
touch "$T/burst.done"
wait $CP
curl -s "$H1/v1/checkpoint" >"$T/cps/last-1.json"	# one size, both hubs
curl -s "$H2/v1/checkpoint" >"$T/cps/last-2.json"
ok "burst of $((4 * PER_NODE)) sends from four nodes, two per hub"
for s in XA XB XC XD; do check "$s flushes its outbox and syncs" node "$s" sync; done
sent=$(hubdb "$T/hub" sql "SELECT count(*) FROM log WHERE kind = 'msg'")
check "every message of the burst is in the log exactly once ($((sent - before)) of $((4 * PER_NODE)))" \
	test $((sent - before)) -eq $((4 * PER_NODE))
check "no envelope id twice" test "$(hubdb "$T/hub" sql "SELECT count(*) - count(DISTINCT id) FROM log")" -eq 0
check "indexes are dense from 0" test "$(hubdb "$T/hub" sql "SELECT (max(idx) + 1 = count(*))::int FROM log")" -eq 1
for s in XA XB XC XD; do
	sqlite3 "$T/node-$s/node.db" "SELECT receipt FROM outbox WHERE receipt IS NOT NULL"
done >"$T/receipts.jsonl"
check "all $(wc -l <"$T/receipts.jsonl") receipts present at their index (rosterd check, hubs serving)" \
	"$ROSTERD" check "$T/hub" --receipts "$T/receipts.jsonl"
check "checkpoints of one size agree across the two hubs (size, root, public size, public root)" \
	python3 - "$T/cps" <<'PY'
import glob, json, sys
seen, texts = {}, {}
for f in glob.glob(sys.argv[1] + "/*.json"):
    try:
        cp = json.load(open(f))["checkpoint"]
    except Exception:
        continue
    t = cp.split("\n")
    key, val = t[2], (t[3], t[5], t[6])
    if seen.setdefault(key, val) != val:
        sys.exit("two checkpoints of size %s differ: %s / %s" % (key, seen[key], val))
    texts.setdefault(key, set()).add(cp)
assert len(seen) >= 3, "too few checkpoints collected: %d" % len(seen)
twice = sum(1 for k in texts if len(texts[k]) > 1)
assert twice >= 1, "no size was signed twice: nothing compared"
print(len(seen), "sizes,", twice, "signed more than once (both hubs, or at two times)")
PY
ls "$T"/cps/*.json | awk 'NR % 7 == 1' | head -8 >"$T/witnesses"
for f in $(cat "$T/witnesses"); do
	check "a checkpoint signed during the burst ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checkpoint"].split("\n")[2])' "$f" 2>/dev/null)) is a witness XA's and XB's audits accept" \
		bash -c "'$ROSTER' audit --dir '$T/node-XA' --no-cosign --witness '$f' >/dev/null && '$ROSTER' audit --dir '$T/node-XB' --no-cosign --witness '$f' >/dev/null"
done
for s in XA XB XC XD; do check "$s's audit passes" node "$s" audit; done
check_out "XA's audit sees cosignatures made through the other hub" "ok +[1-9][0-9]* cosignatures? by other nodes agree" node XA audit

# One quota across the processes: what a device appended through one
# counts on the other.
stop_hub "$P1"; stop_hub "$P2"
for d in "$T/hub" "$T/hub2"; do
	python3 - "$d/hub.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["quota_envelopes"] = 1
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
done
check "hub 1 restarts with a quota of one envelope an hour" start_hub "$T/hub"
check "hub 2 too" start_hub "$T/hub2"
check "XC sends once through hub 1" node XC send --to XA --subject "quota 1" --body q
point XC "$H2"
check_out "... and its next, through hub 2, is refused for the quota" "quota" \
	node XC send --to XA --subject "quota 2" --body q
finish
