#!/usr/bin/env bash
# A storage error on the receiving node is never taken for a duplicate.
#
# The node's store fails every INSERT into its messages table (a trigger
# that raises an SQL error, as a full disk or an I/O error would) while a
# message arrives.  The sync pass must fail and leave the mail cursor
# before the message, with no refusal recorded: a failed write is not a
# verdict on the record.  Once the store works again the next sync takes
# the message, acknowledges it, and nothing is lost.  (Before the store
# told the two apart, any failed INSERT was reported as "duplicate of a
# message already received" and the message was skipped for good.)
. "$(dirname "$0")/lib.sh"

new_hub || { bad "hub"; finish; exit 1; }
for s in XA XB; do make_state "$s" || bad "setup $s"; done
for s in XA XB; do node "$s" sync >/dev/null || bad "first sync $s"; done

sqlite3 "$T/node-XB/node.db" "CREATE TRIGGER inject_fault BEFORE INSERT ON messages
	BEGIN SELECT json('{ not json'); END;" || bad "installing the fault"
check "XA sends to XB" node XA send --to XB --subject "Kept through a fault" --body "b"
id=$(last_sent XA)

check_fails "XB's sync fails while its store fails" node XB sync
cp "$T/last.out" "$T/sync.out"
if grep -q "duplicate" "$T/sync.out"; then
	bad "the storage error was reported as a duplicate"; show_last
else
	ok "the storage error is not reported as a duplicate"
fi
check_out "... but as the store's failure" "database error" cat "$T/sync.out"
check "no refusal is recorded for the message" \
	test "$(sqlite3 "$T/node-XB/node.db" "SELECT count(*) FROM refusals")" -eq 0
check_fails "the message is not in XB's store yet" node XB show "${id:0:16}"

sqlite3 "$T/node-XB/node.db" "DROP TRIGGER inject_fault" || bad "removing the fault"
check "XB's next sync succeeds" node XB sync
check_out "XB now holds the message" "Kept through a fault" node XB show "${id:0:16}"
check "XA syncs" node XA sync
check_out "XA sees it delivered" "\"delivered\": [0-9]+" node XA status --json "${id:0:16}"
check "XB's audit passes" node XB audit
finish
