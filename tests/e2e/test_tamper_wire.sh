#!/usr/bin/env bash
# Promises 2-4 against a hostile hub or network: a proxy between the nodes
# and the hub alters, one kind at a time, the checkpoints, receipts,
# envelopes, proofs and log times it relays.  Each alteration must be caught
# by the node, which refuses the item and says why.
. "$(dirname "$0")/lib.sh"

new_hub "Wire hub" && make_state XA && make_state XB || { bad "setup"; finish; exit 1; }
PPORT=$(free_port)
echo none >"$T/mode"
python3 "$TOP/tests/e2e/tamper_proxy.py" "$PPORT" "$HUB" "$T/mode" 2>"$T/proxy.log" &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$PPORT/v1/info" >/dev/null && break; sleep 0.05; done
for s in XA XB; do
	python3 - "$T/node-$s/config.json" "http://127.0.0.1:$PPORT" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["hub"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
done
mode() { echo "$1" >"$T/mode"; }

check "through an honest proxy XA sends to XB" node XA send --to XB --subject m1 --body 1
check "... and XB receives it" node XB sync

for m in envelope proof time; do
	mode none
	node XA send --to XB --subject "with $m altered" --body x >/dev/null 2>&1
	mode "$m"
	node XB sync >"$T/sync.out" 2>&1
	check "altered $m: XB's sync exits non-zero" test $? -ne 0
	check_out "altered $m: the record is refused with a reason" "refused the record at log index [0-9]+: .{10,}" cat "$T/sync.out"
	check_fails "altered $m: the message is not in XB's inbox" \
		bash -c "'$ROSTER' inbox --dir '$T/node-XB' | grep -q 'with $m altered'"
done

for m in checkpoint checkpoint-sig; do
	mode none
	node XA send --to XB --subject "behind a bad $m" --body x >/dev/null 2>&1
	mode "$m"
	check_out "altered $m: XB refuses the checkpoint" "checkpoint this node cannot accept" node XB sync
	check_fails "altered $m: nothing behind it was taken" \
		bash -c "'$ROSTER' inbox --dir '$T/node-XB' | grep -q 'behind a bad $m'"
done
mode none
check "once the proxy is honest again, XB takes what was held back" \
	bash -c "'$ROSTER' sync --dir '$T/node-XB' >/dev/null && '$ROSTER' inbox --dir '$T/node-XB' | grep -q 'behind a bad checkpoint-sig'"

for m in receipt receipt-index; do
	mode "$m"
	node XA send --to XB --subject "receipt $m" --body x >"$T/send.out" 2>&1
	check "altered $m: XA's send exits non-zero" test $? -ne 0
	check_out "altered $m: XA says the receipt is not valid" "receipt .*not valid|does not verify" cat "$T/send.out"
done
mode none
check "with an honest proxy, XA's next sync recovers the true receipts" node XA sync
check "no message of XA's is left without a receipt" \
	test "$(sqlite3 "$T/node-XA/node.db" "SELECT count(*) FROM outbox WHERE receipt IS NULL")" -eq 0
check_out "XA's audit keeps the bad receipts as evidence" "FAIL alarm .*bad-receipt" node XA audit
finish
