#!/usr/bin/env bash
# Administering a hub on PostgreSQL: the schema is rosterd's and versioned
# (db status, db migrate; a hub refuses a schema that is not its own),
# init refuses a database that holds a hub and a URL that is not
# one, ROSTER_HUB_DB overrides hub.json, a password in a URL never shows
# in a message, and the operator's records are appended directly to the
# database (rosterd admit on a folder that is not serving) while another
# process serves it, which sees them at once.
BACKEND=pg
. "$(dirname "$0")/lib.sh"

pg_start || { bad "PostgreSQL"; finish; exit 1; }
URL=$(pg_newdb admin)
check_out "db status on an empty database: version 0, one migration pending" \
	"schema version 0, this rosterd's is [0-9]+" "$ROSTERD" db status --db "$URL"
check_fails "... and it exits non-zero" "$ROSTERD" db status --db "$URL"
check_out "db migrate creates the schema" "schema migrated from version 0 to [0-9]+" \
	"$ROSTERD" db migrate --db "$URL"
check_out "db migrate again has nothing to do" "nothing to migrate" "$ROSTERD" db migrate --db "$URL"
check "db status now exits 0" "$ROSTERD" db status --db "$URL"
check_out "init takes a migrated, empty database" "initialised hub" \
	"$ROSTERD" init "$T/hub" --name "Admin hub" --db "$URL"
check_out "hub.json names it" "\"db\": \"$URL\"" cat "$T/hub/hub.json"
check_fails "no hub.db in the folder" test -e "$T/hub/hub.db"
check_out "init refuses a database that holds a hub" "already holds a hub" \
	"$ROSTERD" init "$T/other" --name "Other" --db "$URL"
check_out "init refuses a URL that is not PostgreSQL's" "postgresql://" \
	"$ROSTERD" init "$T/third" --name "Third" --db "sqlite:///tmp/x"
check_out "a password in the URL never shows in a message" "roster:\*\*\*@" \
	"$ROSTERD" db status --db "postgresql://roster:hunter2secret@127.0.0.1:1/none"
check_fails "... not even in part" bash -c "'$ROSTERD' db status --db 'postgresql://roster:hunter2secret@127.0.0.1:1/none' 2>&1 | grep -q hunter2"

check "the hub serves" start_hub "$T/hub"
check "a second folder for the operator's tools" hub_peer "$T/hub" "$T/tools"
"$ROSTER" keygen --state XA --out "$T/XA.root" >/dev/null
"$ROSTERD" admit "$T/tools" --state XA --root-key "$T/XA.root.pub" >"$T/admit.out" 2>&1
check_out "rosterd admit on a folder that is not serving appends to the database directly" \
	"admitted|log index" cat "$T/admit.out"
FPR=$(sed -n 's/^root key fingerprint: //p' "$T/admit.out")
check "... printing the key's fingerprint" test -n "$FPR"
check_out "... and the serving hub lists it within a second" '"kind":"admit"|"size": ?1' bash -c \
	"for i in \$(seq 1 30); do o=\$(curl -s '$HUB/v1/info'); case \"\$o\" in *'\"size\": 1'*|*'\"size\":1'*) echo \"\$o\"; exit;; esac; sleep 0.1; done; curl -s '$HUB/v1/info'"
check "a node enrols through the serving hub" make_node XA
"$ROSTER" keygen --state XA --out "$T/XA-new.root" >/dev/null
check_out "a second root key for XA: admit warns, naming the first key's fingerprint" \
	"WARNING: XA already has a root key \(fingerprint $FPR" \
	"$ROSTERD" admit "$T/tools" --state XA --root-key "$T/XA-new.root.pub"
check_fails "... and leaves no hub.db in either folder" \
	bash -c "test -e '$T/hub/hub.db' || test -e '$T/tools/hub.db'"
stop_hub

check_out "ROSTER_HUB_DB overrides hub.json" "cannot connect to postgresql://roster@127.0.0.1:1/elsewhere" \
	env ROSTER_HUB_DB=postgresql://roster@127.0.0.1:1/elsewhere "$ROSTERD" check "$T/hub"
pg_sql admin "UPDATE roster_schema SET version = version + 100" >/dev/null
check_out "a hub refuses a schema newer than its own" "newer than this rosterd knows" \
	"$ROSTERD" serve "$T/hub" --listen 127.0.0.1:0
pg_sql admin "UPDATE roster_schema SET version = version - 100" >/dev/null
pg_sql admin "DELETE FROM roster_schema" >/dev/null
check_out "... and one it cannot place (its versions gone), naming what to do" \
	"no schema\): run \"rosterd init --db\"" "$ROSTERD" serve "$T/hub" --listen 127.0.0.1:0
finish
