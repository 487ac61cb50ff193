#!/usr/bin/env bash
# A hub whose store no longer matches what its operator signed refuses to
# start, on either backend (BACKEND=sqlite or pg, the same script): a log
# row rewritten (the tree rebuilt to match it, so only the stored
# checkpoint can tell), public records renumbered, a log time edited back;
# while a damaged tree alone (the rows intact) is rebuilt from the rows and
# the hub serves the same history.  rosterd check names each problem.
. "$(dirname "$0")/lib.sh"

check "hub serving" new_hub "Tamper hub"
for s in XA XB; do check "State $s" make_state "$s"; done
for i in 1 2 3; do check "XA sends message $i" node XA send --to XB --subject "m$i" --body "b$i"; done
check "XB syncs and audits (a checkpoint is signed)" bash -c "'$ROSTER' sync --dir '$T/node-XB' >/dev/null && '$ROSTER' audit --dir '$T/node-XB'"
ROOT=$(curl -s "$HUB/v1/checkpoint" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checkpoint"].split("\n")[3])')
stop_hub
check "the store verifies (rosterd check)" "$ROSTERD" check "$T/hub"
hub_fork "$T/hub" "$T/pristine" >/dev/null

# 1. The tree damaged, the rows intact: rebuilt, same root.
case "$(hubdb "$T/hub" backend)" in
sqlite) python3 - "$T/hub/tree/level-01" <<'PY' ;;
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[-1] ^= 1; open(p, "wb").write(b)
PY
pg) # level 1's last entry (keys are level * 2^56 + index)
    hubdb "$T/hub" sql "UPDATE tree SET h = decode(md5('x') || md5('y'), 'hex') WHERE k = (SELECT max(k) FROM tree WHERE k >= 72057594037927936 AND k < 144115188075855872)" ;;
esac
check "a hub whose tree was damaged starts (it rebuilds the tree from the rows)" start_hub "$T/hub"
check_out "... saying so" "rebuil" cat "$T/hub.log"
check_out "... and serves the same root" "$ROOT" curl -s "$HUB/v1/checkpoint"
stop_hub

# 2. A row rewritten and the tree made to match it: only the checkpoint the
#    operator signed can tell.
rm -rf "$T/hub" && hub_fork "$T/pristine" "$T/hub" >/dev/null
hubdb "$T/hub" sql "UPDATE log SET time = time + 1 WHERE idx = (SELECT min(idx) FROM log WHERE kind = 'msg')"
hubdb "$T/hub" forget-tree
"$ROSTERD" serve "$T/hub" --listen 127.0.0.1:0 >"$T/refused.out" 2>&1 &
p=$!; for _ in $(seq 1 100); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
kill $p 2>/dev/null && bad "the hub started on a rewritten log" || ok "a hub whose rewritten log does not produce its signed checkpoint refuses to start"
wait $p 2>/dev/null
check_out "... naming the signed checkpoint" "latest signed checkpoint .* root the log does not produce" cat "$T/refused.out"
check_fails "rosterd check fails on it" "$ROSTERD" check "$T/hub"
check_out "... naming the checkpoint" "checkpoint's root \(size [0-9]+\) is not the log's root" "$ROSTERD" check "$T/hub"

# 3. Public records renumbered: refused before anything is served.
rm -rf "$T/hub" && hub_fork "$T/pristine" "$T/hub" >/dev/null
hubdb "$T/hub" sql "DELETE FROM pub WHERE pindex = 1"
"$ROSTERD" serve "$T/hub" --listen 127.0.0.1:0 >"$T/refused.out" 2>&1 &
p=$!; for _ in $(seq 1 100); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
kill $p 2>/dev/null && bad "the hub started without a public record" || ok "a hub missing a public record's numbering refuses to start"
wait $p 2>/dev/null
check_out "... saying the public records are not numbered 0, 1, 2" "public records .* not numbered 0, 1, 2" cat "$T/refused.out"

# 4. A log time edited back (the unit test test_log_time_back, here on
#    either backend): refused at start, naming the row, and by rosterd check.
rm -rf "$T/hub" && hub_fork "$T/pristine" "$T/hub" >/dev/null
BACK=$(hubdb "$T/hub" sql "SELECT min(idx) FROM log WHERE kind = 'msg'")
hubdb "$T/hub" sql "UPDATE log SET time = 1 WHERE idx = $BACK"
"$ROSTERD" serve "$T/hub" --listen 127.0.0.1:0 >"$T/refused.out" 2>&1 &
p=$!; for _ in $(seq 1 100); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
kill $p 2>/dev/null && bad "the hub started on a log time edited back" || ok "a hub whose log time was edited back refuses to start"
wait $p 2>/dev/null
check_out "... naming the row" "stored envelope $BACK has a log time before its predecessor's" cat "$T/refused.out"
check_out "rosterd check names it too" "envelope $BACK: log time 1 goes back" "$ROSTERD" check "$T/hub"
check_fails "... and fails" "$ROSTERD" check "$T/hub"

# 5. The pristine copy still serves, for the nodes, the history they know.
rm -rf "$T/hub" && hub_fork "$T/pristine" "$T/hub" >/dev/null
check "the untouched store serves" start_hub "$T/hub"
check "XB's audit passes on it" node XB audit
finish
