#!/usr/bin/env bash
# A hostile hub that covers its tracks (issue 8 item 7): the checks a hub
# would mask must be the nodes' own.  The operator edits its stopped hub's
# log with tests/e2e/hub_forge.py, fixes the envelope ids, lets the hub
# rebuild its trees and sign new checkpoints (with its start-up check off,
# which an honest hub would not), so that every inclusion proof it serves
# is valid:
#   - an envelope it logged with one signature byte flipped: the recipient
#     must refuse it because its signature does not verify (the hub's own
#     check at submission cannot help);
#   - one whose payload no longer matches the digest its signed header
#     carries: refused for the digest;
#   - a rewritten history: a node that saw the old one must catch it at its
#     next plain `roster sync`, not only at `roster audit`.
# These kill the mutants sigcheck, digest and consistency (scripts/mutants).
. "$(dirname "$0")/lib.sh"

new_hub "Hostile hub" || { bad "hub"; finish; exit 1; }
for s in XA XB XC XD; do make_state "$s" || bad "setup $s"; done
for s in XA XB XC XD; do node "$s" sync >/dev/null 2>&1; done
# The victims, XB and XA, must not see a checkpoint covering what the hub
# will edit (a node that did would catch the edit as a rewritten history).
check "XA sends XB the message the hub will re-sign" node XA send --to XB --subject "resigned" --body "x"
SIGIDX=$(sqlite3 "$T/node-XA/node.db" "SELECT idx FROM messages WHERE subject = 'resigned'")
check "XC sends XA the message the hub will alter" node XC send --to XA --subject "altered" --body "y"
PAYIDX=$(sqlite3 "$T/node-XC/node.db" "SELECT idx FROM messages WHERE subject = 'altered'")

stop_hub
check "the operator flips a signature byte of log index $SIGIDX and fixes its id" \
	python3 "$TOP/tests/e2e/hub_forge.py" "$T/hub" resign "$SIGIDX"
check "... and a payload byte of log index $PAYIDX" \
	python3 "$TOP/tests/e2e/hub_forge.py" "$T/hub" payload "$PAYIDX"
check_out "an honest hub refuses to start on it (its start-up check), naming index $PAYIDX" \
	"stored envelope $PAYIDX [^;]*digest" timeout 60 "$ROSTERD" serve "$T/hub" --listen 127.0.0.1:0
# The hostile operator switches that check off (hub.json startup_check).
python3 - "$T/hub/hub.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["startup_check"] = False
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
check "the hostile hub restarts on the edited log (a rebuilt tree)" start_hub "$T/hub"

node XB sync >"$T/sync-XB.out" 2>&1
check "a logged envelope with a bad signature: XB's sync exits non-zero" test $? -ne 0
check_out "... refusing log index $SIGIDX because its signature does not verify" \
	"[^0-9]$SIGIDX[^0-9].*signature does not verify" cat "$T/sync-XB.out"
check_fails "... the message is not in XB's inbox" bash -c "'$ROSTER' inbox --dir '$T/node-XB' | grep -q resigned"
node XA sync >"$T/sync-XA.out" 2>&1
check "a logged envelope whose payload fails its digest: XA's sync exits non-zero" test $? -ne 0
check_out "... refusing log index $PAYIDX because the payload does not match its digest" \
	"[^0-9]$PAYIDX[^0-9].*payload does not match its digest" cat "$T/sync-XA.out"
check_fails "... the message is not in XA's inbox" bash -c "'$ROSTER' inbox --dir '$T/node-XA' | grep -q altered"

# A rewritten history: XD has seen the log as it now is; then the first
# message's log time moves, the hub forgets its checkpoints and carries on.
# XD's plain sync must refuse the new checkpoint.
check "XD syncs on the edited log" node XD sync
check "XD has no alarm yet" node XD alarms
FIRST=$(hubdb "$T/hub" sql "SELECT min(idx) FROM log WHERE kind = 'msg'")
stop_hub
check "the operator rewrites log index $FIRST" python3 "$TOP/tests/e2e/hub_forge.py" "$T/hub" retime "$FIRST"
check "the hub restarts on the rewritten log" start_hub "$T/hub"
check "the operator appends a record (a larger checkpoint)" \
	"$ROSTERD" group "$T/hub" --name later --states XA,XB
node XD sync >"$T/sync-rw.out" 2>&1
check "a rewritten history: XD's plain sync (not an audit) exits non-zero" test $? -ne 0
check_out "... and says the checkpoint cannot be accepted" \
	"(not a prefix|consistency|rewritten|cannot accept|different)" cat "$T/sync-rw.out"
check_out "... keeping the alarm with its evidence" "history-rewritten|split-view" \
	sqlite3 "$T/node-XD/node.db" "SELECT kind FROM alarms"
finish
