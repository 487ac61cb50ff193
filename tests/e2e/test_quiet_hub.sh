#!/bin/bash
# test_quiet_hub.sh - a silence deadline passes on a quiet hub (issue 13,
# hub.json "checkpoint_interval"): after the proposals and one objection,
# nothing at all is posted, and the nodes still come to the decision, since
# the hub signs a fresh checkpoint of the unchanged log (same size and
# roots, a later time) once the one it has is checkpoint_interval old.
#
# What it tries to break: a hub.json interval that is no duration, or under
# a second; the checkpoint's time going backwards; a node that keeps the
# first checkpoint of a size and never learns a later time (it would wait
# for ever); a decision reached by anything logged after the proposal
# (the log's size is checked not to move).  On both backends (BACKEND=pg).
. "$(dirname "$0")/lib.sh"

new_hub || exit 1
for s in XA XB; do make_state "$s" || { bad "make_state $s"; finish; exit 1; }; done
logsize() { hubdb "$T/hub" sql "SELECT count(*) FROM log"; }
id_of() { sed -n 's/^proposal \([0-9a-f]*\) logged.*/\1/p' "$1" | head -1; }
setcfg() {
	python3 - "$T/hub/hub.json" "$1" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
if sys.argv[2] == "-": c.pop("checkpoint_interval", None)
else: c["checkpoint_interval"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
}

# ---- hub.json ------------------------------------------------------------------
stop_hub
for bad_value in 500ms 2 never 25h; do
	setcfg "$bad_value"
	check_out "checkpoint_interval \"$bad_value\" is refused, named" 'checkpoint_interval.*must be a duration' \
		"$ROSTERD" serve "$T/hub" --listen 127.0.0.1:0
done
setcfg 3s
check "the hub serves with checkpoint_interval 3s" start_hub "$T/hub"

# ---- a fresh checkpoint of an unchanged log -------------------------------------
# the checkpoint's text: version, origin, size, root, time, ...
cp_field() { curl -s "$HUB/v1/checkpoint" | python3 -c 'import json,sys; l=json.load(sys.stdin)["checkpoint"].split("\n"); print(l[{"size": 2, "time": 4}[sys.argv[1]]])' "$1"; }
S0=$(cp_field size); T0=$(cp_field time)
sleep 3.5
S1=$(cp_field size); T1=$(cp_field time)
[ "$S0" = "$S1" ] && [ "$T1" -gt "$T0" ] && ok "an unchanged log of size $S0: a later checkpoint, $((T1 - T0)) ms on" ||
	bad "checkpoint of an unchanged log: size $S0 -> $S1, time $T0 -> $T1"
T2=$(cp_field time)
[ "$T2" = "$T1" ] && ok "within the interval the same checkpoint is served (no signature per request)" || bad "re-signed within the interval: $T1 -> $T2"

# ---- the process, then silence ---------------------------------------------------
check_out "rosterd body records oewg (silence 60 s)" 'body oewg recorded' \
	"$ROSTERD" body "$T/hub" --name oewg --chair XA --members XA,XB --title "en=Working group" --silence 60s
printf 'The working group adopts its report.' >"$T/p1.txt"
printf 'The working group meets in Geneva.' >"$T/p2.txt"
node XA propose --body oewg --text-file "$T/p1.txt" --lang en >"$T/p1.out" 2>&1
P1=$(id_of "$T/p1.out")
node XA propose --body oewg --text-file "$T/p2.txt" --lang en >"$T/p2.out" 2>&1
P2=$(id_of "$T/p2.out")
[ -n "$P1" ] && [ -n "$P2" ] && ok "XA proposes P1 and P2" || { bad "proposals"; cat "$T/p1.out" "$T/p2.out"; }
check_out "XB objects to P2" 'objection [0-9a-f]+ logged' node XB object "$P2"
for s in XA XB; do node "$s" sync >/dev/null 2>&1; done
N=$(logsize)
DL=$(node XA decision show "$P1" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["deadline"])')
[ -n "$DL" ] && ok "P1's deadline is $DL; from now on nothing is posted" || bad "no deadline"
check_out "before the deadline P1 is open" "${P1:0:16}.*OPEN" node XB decisions

# past the deadline and one interval: the nodes sync (they read, they post nothing)
for _ in $(seq 1 300); do
	[ "$(date +%s%3N)" -gt "$((DL + 3500))" ] && break
	sleep 0.5
done
check_out "on the quiet hub, P1 is adopted at its deadline" "${P1:0:16}.*ADOPTED" node XB decisions
check_out "... and P2 is not adopted (XB objected)" "${P2:0:16}.*NOT ADOPTED" node XA decisions
[ "$(logsize)" = "$N" ] && ok "nothing was logged after the objection (log size $N)" || bad "the log grew: $N -> $(logsize)"
AS=$(node XA decision show "$P1" --json 2>/dev/null >/dev/null; node XA decisions --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$AS" = 2 ] && ok "roster decisions --json lists both" || bad "decisions --json: $AS"
# the node keeps one row per tree, with the latest time
R=$(sqlite3 "$T/node-XB/node.db" "SELECT count(*), max(time) > min(seen) FROM checkpoints WHERE size = $N")
[ "$R" = "1|1" ] && ok "XB's node keeps one checkpoint of size $N, at its latest time" || bad "checkpoints of size $N at XB: $R"

# ---- the default: 60 s, written nowhere -------------------------------------------
stop_hub
setcfg -
check "the hub serves with the default interval" start_hub "$T/hub"
T3=$(cp_field time)
[ "$T3" -ge "$T1" ] && ok "the checkpoint's time never goes back across a restart" || bad "time went back: $T1 -> $T3"
check_out "hub.json without the key is taken (60 s by default)" '"name"' cat "$T/hub/hub.json"

finish
