#!/usr/bin/env bash
# Promise 8, nothing skipped silently (issue 8 item 2): one byte flipped in a
# stored envelope on the hub.  The recipient must not refuse it once and move
# on for good: the refusal is an unresolved alarm naming the index, retried
# on every later pass, and `roster audit` fails on every pass (not only the
# one that saw it) until the hub serves the record intact again; then the
# record is taken (the message is in the inbox) and the audit passes.  The
# same for a public record, before which the node stops reading public
# records.  And the hub itself notices: it refuses to start on the flipped
# byte, or `rosterd check` names it.  On both backends (BACKEND=pg: the
# hub's log in PostgreSQL).
#
# Waits for: the node's unresolved alarms with retry (docs/protocol.md
# section 8, "A record that fails ..." and "Mail"), audit reading every
# unresolved refusal, the hub's start-up check of stored envelopes.
. "$(dirname "$0")/lib.sh"

new_hub "Loss hub" && make_state XA && make_state XB && make_state XC || { bad "setup"; finish; exit 1; }
for s in XA XB XC; do node "$s" sync >/dev/null 2>&1; done

# flip IDX: flips (again) one payload byte of the envelope at log index IDX,
# in the hub's store on either backend.
flip() { hubdb "$T/hub" flip "$1" -3; }
inbox_has() { "$ROSTER" inbox --dir "$T/node-$1" 2>/dev/null | grep -q -- "$2"; }

# Mail.
check "XA sends XB a message" node XA send --to XB --subject "the lost one" --body "one"
IDX=$(sqlite3 "$T/node-XA/node.db" "SELECT idx FROM messages WHERE subject = 'the lost one'")
flip "$IDX"
check "XA sends XB a later message" node XA send --to XB --subject "the later one" --body "two"
node XB sync >"$T/sync.out" 2>&1
check "a flipped byte in a stored envelope: XB's sync exits non-zero" test $? -ne 0
check_out "... naming log index $IDX" "[^0-9]$IDX([^0-9]|$)" cat "$T/sync.out"
check "... the later message is taken all the same" inbox_has XB "the later one"
check_fails "... the damaged one is not" inbox_has XB "the lost one"
check_out "roster alarms keeps it, unresolved, with the index" "[^0-9]$IDX([^0-9]|$)" node XB alarms
node XB sync >"$T/sync2.out" 2>&1
check "a later sync still exits non-zero (the record is retried)" test $? -ne 0
check_out "... naming log index $IDX again" "[^0-9]$IDX([^0-9]|$)" cat "$T/sync2.out"
check_fails "XB's audit fails" node XB audit
check_fails "... and fails again on a later pass (it reads every unresolved refusal)" node XB audit
check_out "... saying which record" "FAIL.*[^0-9]$IDX([^0-9]|$)" node XB audit
flip "$IDX"
check "with the byte restored, XB's sync passes" node XB sync
check "... and takes the message" inbox_has XB "the lost one"
check "... and XB's audit passes" node XB audit
check "the alarm stays as evidence, marked resolved" bash -c \
	"'$ROSTER' alarms --dir '$T/node-XB' | grep -Ei 'resolved'"

# A public record: a group the operator records; then another.  Every node
# stops before the damaged one and takes neither until it is intact.
"$ROSTERD" group "$T/hub" --name first --states XA,XB >/dev/null || bad "group first"
G=$(hubdb "$T/hub" sql "SELECT max(idx) FROM log WHERE kind = 'group'")
flip "$G"
"$ROSTERD" group "$T/hub" --name second --states XB,XC >/dev/null || bad "group second"
for s in XA XC; do
	node "$s" sync >"$T/sync-$s.out" 2>&1
	check "a flipped public record: $s's sync exits non-zero" test $? -ne 0
	check_out "... naming log index $G" "[^0-9]$G([^0-9]|$)" cat "$T/sync-$s.out"
	check_fails "... $s does not read past it (group second unknown)" \
		bash -c "'$ROSTER' directory --dir '$T/node-$s' | grep -q second"
	check_fails "... $s's audit fails" node "$s" audit
done
flip "$G"
for s in XA XC; do
	check "restored: $s's sync passes" node "$s" sync
	check_out "... $s knows both groups" "first.*second|second.*first" \
		bash -c "'$ROSTER' directory --dir '$T/node-$s' | tr '\n' ' '"
	check "... $s's audit passes" node "$s" audit
done

# The hub's own check: a flipped byte found at start-up, or by rosterd check.
stop_hub
flip "$IDX"
check_out "rosterd check names the damaged envelope's index" "[^0-9]$IDX([^0-9]|$)" \
	"$ROSTERD" check "$T/hub"
check_fails "rosterd check exits non-zero" "$ROSTERD" check "$T/hub"
if start_hub "$T/hub" >/dev/null 2>&1; then
	bad "the hub started on a damaged envelope"
else
	ok "the hub refuses to start on a damaged envelope"
	check_out "... naming its index" "[^0-9]$IDX([^0-9]|$)" tail -5 "$T/hub.log"
fi
stop_hub
flip "$IDX"
check "restored, the hub starts" start_hub "$T/hub"
finish
