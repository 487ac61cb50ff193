#!/usr/bin/env bash
# rosterd migrate-store: a hub moves from SQLite to PostgreSQL and nothing a
# node can see changes.  The nodes that audited the SQLite hub (and cosigned
# its checkpoints) go on with the PostgreSQL one: their syncs check
# consistency with every checkpoint they verified before.  And the move
# refuses what would change the log: a source whose history was rewritten
# (its stored checkpoints forgotten, its tree rebuilt: the cosigned
# checkpoints in the log no longer hold), a database that already holds a
# hub, a hub that is serving.  A refused move leaves hub.json as it was and
# the database empty again.
. "$(dirname "$0")/lib.sh"

check "a SQLite hub" new_hub "Moving hub"
for s in XA XB XC; do check "State $s" make_state "$s"; done
check "XA sends to XB" node XA send --to XB --subject "before the move" --body "b"
check "XB acknowledges" bash -c "'$ROSTER' sync --dir '$T/node-XB' >/dev/null && '$ROSTER' ack --dir '$T/node-XB' \$('$ROSTER' inbox --dir '$T/node-XB' --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"id\"])')"
check "the operator records a group" "$ROSTERD" group "$T/hub" --name forum --states XA,XB
for s in XA XB XC; do check "$s audits and cosigns" node "$s" audit; done
check "XA sends again (checkpoints of several sizes cosigned)" node XA send --to XC --subject "second" --body "c"
for s in XA XC; do check "$s audits again" node "$s" audit; done
cosigns=$(hubdb "$T/hub" sql "SELECT count(*) FROM log WHERE kind = 'cosign'")
rows=$(hubdb "$T/hub" sql "SELECT count(*) FROM log")
pg_start || { bad "PostgreSQL"; finish; exit 1; }
URL=$(pg_newdb moved)

check_out "migrate-store refuses a serving hub" "stop the hub first" \
	"$ROSTERD" migrate-store --from "$T/hub" --to "$URL"
stop_hub
cp "$T/hub/hub.json" "$T/hub.json.before"

# A rewritten copy of the hub: the move must notice.
check "a fork of the hub" hub_fork "$T/hub" "$T/forged"
hubdb "$T/forged" sql "UPDATE log SET time = time + 1 WHERE idx = (SELECT min(idx) FROM log WHERE kind = 'msg')"
hubdb "$T/forged" forget-checkpoints
hubdb "$T/forged" forget-tree
check_out "migrate-store refuses a source whose cosigned checkpoints no longer hold" \
	"checkpoint cosigned at [0-9]+.*root is not its root" \
	"$ROSTERD" migrate-store --from "$T/forged" --to "$URL"
check "... and leaves its hub.json without a database" bash -c "! grep -q '\"db\"' '$T/forged/hub.json'"
check_out "... and the database empty again" "^0$" pg_sql moved "SELECT count(*) FROM log"

check_out "migrate-store moves the log and checks every checkpoint" \
	"moved $rows envelopes .* each of [0-9]+ checkpoints the operator signed is unchanged" \
	"$ROSTERD" migrate-store --from "$T/hub" --to "$URL"
n=$(sed -n 's/.* each of \([0-9]*\) checkpoints.*/\1/p' "$T/last.out")
check "... the stored one and all $cosigns cosigned ($n)" test "${n:-0}" -ge $((cosigns + 1))
check_out "hub.json now names the database" "\"db\": \"$URL\"" cat "$T/hub/hub.json"
check "the SQLite files stay, as a backup" test -s "$T/hub/hub.db"
check_out "the database holds every row" "^$rows$" pg_sql moved "SELECT count(*) FROM log"
check_out "rosterd check passes on the new store" "^$rows envelopes, root [0-9a-f]{64}$" "$ROSTERD" check "$T/hub"
root_pg=$(sed -n 's/.*root \([0-9a-f]*\)$/\1/p' "$T/last.out")
cp "$T/hub/hub.json" "$T/hub.json.after"
cp "$T/hub.json.before" "$T/hub/hub.json"
check_out "... with the root the SQLite store has" "root $root_pg" "$ROSTERD" check "$T/hub"
cp "$T/hub.json.after" "$T/hub/hub.json"
check_out "migrate-store refuses a hub already on PostgreSQL" "already keeps its log" \
	"$ROSTERD" migrate-store --from "$T/hub" --to "$URL"
check "a second hub for the next refusal" hub_init "$T/other" "Other hub"
check_out "migrate-store refuses a database that holds a hub" "already holds a hub" \
	"$ROSTERD" migrate-store --from "$T/other" --to "$URL"

check "the hub serves from PostgreSQL" start_hub "$T/hub"
for s in XA XB XC; do
	check "$s syncs: consistent with every checkpoint it verified before the move" node "$s" sync
	check "$s's audit passes" node "$s" audit
done
check "XB sends after the move" node XB send --to XA --subject "after the move" --body "a"
check_out "XA reads both" "after the move" bash -c "'$ROSTER' sync --dir '$T/node-XA' >/dev/null; '$ROSTER' inbox --dir '$T/node-XA'"
check_out "the group recorded before the move still resolves" "sent [0-9a-f]+ to XB" node XA send --to group:forum --subject "to the forum" --body "g"
finish
