#!/usr/bin/env bash
# Promise 3: the operator rewrites history.  It changes one logged leaf,
# rebuilds its tree so that everything it serves is self-consistent, forgets
# the checkpoints it signed, and carries on.  Every node that saw the old
# history must catch it.
. "$(dirname "$0")/lib.sh"

new_hub "History hub" && make_state XA && make_state XB || { bad "setup"; finish; exit 1; }
check "XA sends to XB" node XA send --to XB --subject before --body "b"
check "XB syncs" node XB sync
check "XA's audit passes and remembers the checkpoint" node XA audit
check "XB's audit passes" node XB audit

stop_hub
# Move the first message's log time by one millisecond: a new leaf.  Forget
# every checkpoint signed so far, and the tree, which the hub rebuilds.
hubdb "$T/hub" sql "UPDATE log SET time = time + 1 WHERE idx = (SELECT min(idx) FROM log WHERE kind = 'msg')"
hubdb "$T/hub" forget-checkpoints
hubdb "$T/hub" forget-tree
check "the hub restarts on the rewritten store" start_hub "$T/hub"
check "XB sends on the rewritten hub (a new checkpoint)" node XB send --to XA --subject after --body "a"
check_out "XA's audit catches the rewritten history" \
	"FAIL.*(not a prefix|inclusion proof fails|different checkpoints|not in the log)" node XA audit
check_fails "XA's audit exits non-zero" node XA audit
check_out "the alarm is kept with its evidence" "history-rewritten|split-view" \
	sqlite3 "$T/node-XA/node.db" "SELECT kind FROM alarms"
finish
