#!/usr/bin/env bash
# Promise 3: a split view.  The operator forks its log and shows one branch
# to XA and another to XB, both signed with its one key.  As soon as XB is
# shown the other branch (or sees XA's cosignature of it, or is handed XA's
# checkpoint out of band) its audit fails.
. "$(dirname "$0")/lib.sh"

new_hub "Fork hub" && make_state XA && make_state XB && make_state XC || { bad "setup"; finish; exit 1; }
for s in XA XB XC; do node "$s" audit >/dev/null; done
stop_hub
check "the operator forks its store" hub_fork "$T/hub" "$T/hub2"
start_hub "$T/hub" && HUB1=$HUB
start_hub "$T/hub2" && HUB2=$HUB
point() {	# NODE URL: the hostile operator's DNS sends NODE to URL
	python3 - "$T/node-$1/config.json" "$2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["hub"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
}
point XB "$HUB2"
point XC "$HUB2"
check "on branch one, XA sends to XB" node XA send --to XB --subject "branch one" --body 1
check "on branch two, XC sends to XB" node XC send --to XB --subject "branch two" --body 2
check "XB syncs on branch two" node XB sync
check "XB's audit on branch two passes (nothing to compare yet)" node XB audit
check "XA's audit on branch one passes and cosigns" node XA audit
node XA checkpoint >"$T/xa.cp"
node XC checkpoint >"$T/xc.cp"
check_out "roster checkpoint prints the operator-signed checkpoint" '"sig"' cat "$T/xa.cp"
check_out "a witness from XB's own branch agrees" "ok +witness checkpoint .* agrees" \
	node XB audit --no-cosign --witness "$T/xc.cp"
check_out "XA's checkpoint, passed out of band, shows XB the split view at once" \
	"FAIL split view: witness checkpoint" node XB audit --no-cosign --witness "$T/xa.cp"
point XB "$HUB1"
check_out "shown branch one, XB's audit catches the split view" \
	"FAIL.*(not a prefix|split view|different checkpoints)" node XB audit
check_fails "XB's audit exits non-zero" node XB audit
check_out "XB recorded the evidence" "split-view|history-rewritten" \
	sqlite3 "$T/node-XB/node.db" "SELECT kind FROM alarms"
finish
