#!/usr/bin/env bash
# TAXII 2.1 on a real node, with real data (docs/taxii.md).
#
# A hub and three States: XA sends XB incident notifications (one of them
# TLP:RED), XC sends the group forum (XB and XC); XB's `roster serve`
# answers TAXII.  Then:
#   - tests/e2e/taxii_suite.py, a conformance suite written from the
#     specification: every endpoint, every filter, pagination to the last
#     page with and without next, added_after to the microsecond, bad
#     Accept and Content-Type, oversized and malformed POSTs, bad next
#     tokens, every kind of wrong credential, an outbox's bundle reaching XC
#     as a message, DELETE, the round trip's STIX and TLP;
#   - a next token from before a restart of serve continues its walk;
#   - roster send --stix refuses every bad bundle naming the object and
#     property, and sends nothing; roster stix prints a message's bundle;
#   - beyond loopback, TAXII answers only over TLS; over TLS it serves.
. "$(dirname "$0")/lib.sh"

new_hub
make_state XA && make_state XB && make_state XC || { bad "set-up"; finish; exit 1; }
"$ROSTERD" group "$T/hub" --name forum --states XB,XC >/dev/null
for s in XA XB XC; do node $s sync >/dev/null; done

incident() {	# STATE TO TLP SUBJECT [FIELD...]
	local s=$1 to=$2 tlp=$3 subj=$4; shift 4
	node "$s" send --to "$to" --template incident-notification --subject "$subj" --tlp "$tlp" \
		--field incident_class=malicious-code --field sector=energy \
		--field first_seen=2026-12-01T10:00:00Z --field impact=high "$@"
}
check "XA sends XB an AMBER incident notification" incident XA XB AMBER "Wipers in the grid" \
	--field indicators=ip:192.0.2.1,domain:evil.example
MSG_AMBER=$(last_sent XA)
check "XA sends XB a TLP:RED one" incident XA XB RED "Only for you" \
	--field indicators=ip:192.0.2.66
MSG_RED=$(last_sent XA)
for i in 1 2 3; do
	check "XA sends XB incident $i" incident XA XB GREEN "Scan $i" \
		--field "indicators=ip:198.51.100.$i,url:https://x$i.example/a"
done
check "XC sends the group forum a message" node XC send --to group:forum --subject "Forum note" \
	--body "For the forum" --tlp GREEN
check "XB syncs before serve starts (filed at receipt)" node XB sync

TOK_ALL=$(node XB token add misp --collections all --write 2>"$T/tok.err")
check "a write token is printed once, rtk_ and 43 characters" \
	grep -Eq '^rtk_[A-Za-z0-9_-]{43}$' <<<"$TOK_ALL"
TOK_RO=$(node XB token add reader --collections received,sent,to-xc 2>/dev/null)
TOK_XA=$(node XB token add xa-only --collections from-XA 2>/dev/null)
TOK_REVOKED=$(node XB token add old --collections all 2>/dev/null)
check "a token is revoked" node XB token revoke old
check_out "token list shows names, scopes and the revocation" \
	'^old .*20[0-9-]+ [0-9:]+Z.*all$' node XB token list
check_fails "a second token of a current name is refused" node XB token add misp --collections all
check_fails "a token for a collection alias of no form is refused" \
	node XB token add bad --collections 'received,from-xa'
check "the token's secret is not in the store" \
	test "$(sqlite3 "$T/node-XB/node.db" "SELECT count(*) FROM taxii_tokens WHERE instr(hex(hash), hex('$TOK_ALL')) OR colls LIKE '%$TOK_ALL%'")" = 0
printf 'alice password 1\n' >"$T/alice.pw"
printf 'bob password 12\n' >"$T/bob.pw"
check "an account alice" node XB user add alice --password-file "$T/alice.pw"
check "an account bob" node XB user add bob --password-file "$T/bob.pw"
check_fails "an outbox under TLP:RED is refused" node XB taxii collection add --name red-out \
	--to XC --tlp RED --write
check_fails "an outbox named like a built-in collection is refused" \
	node XB taxii collection add --name received --to XC --tlp AMBER --write
check_fails "an outbox whose audience does not resolve is refused" \
	node XB taxii collection add --name nowhere --to XQ --tlp AMBER --write
check "an outbox to XC under AMBER with default fields" node XB taxii collection add \
	--name to-xc --to XC --tlp AMBER --write --field incident_class=malicious-code \
	--field sector=energy --field impact=low --subject "Indicators from XB's CERT"

start_serve() {	# ARGS...: XB's serve; sets URL
	rm -f "$T/node-XB/serve.url"
	# roster itself in the background (not the node function, whose
	# subshell a kill would end and leave roster running)
	"$ROSTER" serve "$@" --dir "$T/node-XB" >>"$T/xb-serve.log" 2>&1 &
	SERVE=$!
	PIDS="$PIDS $SERVE"
	for _ in $(seq 1 300); do
		[ -s "$T/node-XB/serve.url" ] && break
		kill -0 "$SERVE" 2>/dev/null || break
		sleep 0.1
	done
	URL=$(cat "$T/node-XB/serve.url" 2>/dev/null)
}
stop_serve() { kill "$SERVE" 2>/dev/null; wait "$SERVE" 2>/dev/null; }

# The last filing's date_added is moved up to a whole millisecond (its
# last three digits 000, as one filing in a thousand is by chance): it
# must still be written with six fraction digits.
check "the last filing at XB is on a whole millisecond" sqlite3 "$T/node-XB/node.db" "
	UPDATE taxii_entries SET added = added + 1000 - added % 1000
	    WHERE added = (SELECT max(added) FROM taxii_entries);
	INSERT OR REPLACE INTO meta(k, v) VALUES('taxii_added', (SELECT max(added) FROM taxii_entries));"
start_serve --listen 127.0.0.1:0
[ -n "$URL" ] || { bad "XB's serve did not start"; tail "$T/xb-serve.log"; finish; exit 1; }
export TAXII_URL=$URL TOK_ALL TOK_RO TOK_XA TOK_REVOKED MSG_AMBER MSG_RED T ROSTER
export ALICE_PW="alice password 1" BOB_PW="bob password 12" ROSTER_PASSPHRASE
python3 "$TOP/tests/e2e/taxii_suite.py" all >"$T/suite.out" 2>&1
cat "$T/suite.out"
PASS=$((PASS + $(grep -c '^ok ' "$T/suite.out")))
FAIL=$((FAIL + $(grep -c '^FAIL ' "$T/suite.out")))
grep -q '^[0-9]* passed, [0-9]* failed$' "$T/suite.out" || bad "the suite did not run to its end"

# a walk survives a restart: the token holds no state
stop_serve
check "XB's serve has stopped" test ! -e "/proc/$SERVE"
start_serve --listen 127.0.0.1:0
check "XB's serve starts again (one serve at a time: serve.lock)" test -n "$URL"
if [ -s "$T/walk.txt" ]; then
	mapfile -t W <"$T/walk.txt"
	TAXII_URL=$URL python3 "$TOP/tests/e2e/taxii_suite.py" resume "${W[0]}" "${W[1]}" \
		"${W[2]}" >"$T/resume.out" 2>&1
	cat "$T/resume.out" | grep -E '^(ok|FAIL) '
	PASS=$((PASS + $(grep -c '^ok ' "$T/resume.out")))
	FAIL=$((FAIL + $(grep -c '^FAIL ' "$T/resume.out")))
	grep -qE '^(ok|FAIL) ' "$T/resume.out" || { bad "the walk across the restart did not run"; \
		tail -3 "$T/resume.out"; }
else
	bad "no walk position from the suite"
fi
stop_serve

# roster stix and roster send --stix
check_out "roster stix prints XA's message as a bundle with its report" \
	'"type": "report"' node XB stix "${MSG_AMBER:0:16}"
check_out "roster stix of an unknown id says so" 'no message' node XB stix 0123456789abcdef
good='{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000009", "objects": [
 {"type": "incident", "spec_version": "2.1", "id": "incident--00000000-0000-4000-8000-000000000001",
  "created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z",
  "name": "From the CLI", "labels": ["incident-class:malicious-code", "sector:energy", "impact:low"]},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-000000000002",
  "created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z",
  "pattern": "[url:value = '"'"'https://cli.example/x'"'"']", "pattern_type": "stix",
  "valid_from": "2026-11-30T00:00:00Z", "description": "seen twice"}]}'
sent_count() { sqlite3 "$T/node-XA/node.db" "SELECT count(*) FROM outbox"; }
n0=$(sent_count)
bundle() { printf '%s' "$2" >"$T/$1.json"; echo "$T/$1.json"; }
check_out "send --stix: malformed JSON refused with where" 'not JSON.*at byte' \
	node XA send --to XB --stix "$(bundle broken '{"type": "bundle", "objects": [')"
check_out "send --stix: a wrong type refused naming the property" \
	'objects\[0\] \(incident--.*\): "name"' node XA send --to XB --stix "$(bundle wrongtype \
	"${good/\"name\": \"From the CLI\"/\"name\": 7}")"
check_out "send --stix: an unknown object type refused naming the object" \
	'objects\[0\] \(malware--[0-9a-f-]+\): a roster message cannot carry a malware' \
	node XA send --to XB --stix "$(bundle malware '{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000009", "objects": [{"type": "malware", "spec_version": "2.1", "id": "malware--00000000-0000-4000-8000-000000000001", "created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z", "name": "x", "is_family": false}]}')"
python3 -c 'import sys; sys.stdout.write("{\"type\": \"bundle\", \"id\": \"bundle--00000000-0000-4000-8000-000000000009\", \"objects\": [" + "[" * 40 + "]" * 40 + "]}")' >"$T/deep.json"
check_out "send --stix: deep nesting refused" 'nested deeper than 24' \
	node XA send --to XB --stix "$T/deep.json"
head -c $((9 << 20)) /dev/zero | tr '\0' ' ' >"$T/huge.json"
check_out "send --stix: a 9 MiB file refused" 'larger|more than|too large|bytes' \
	node XA send --to XB --stix "$T/huge.json"
check_out "send --stix: a bad taxonomy code from the bundle refused naming the field" \
	'sector' node XA send --to XB --stix "$(bundle badcode "${good/sector:energy/sector:enrgy}")"
check_out "send --stix: a looser --tlp than the bundle's refused" 'carries TLP:AMBER' \
	node XA send --to XB --tlp GREEN --stix "$(bundle amber \
	"${good/\"impact:low\"]\}/\"impact:low\"], \"object_marking_refs\": [\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]\}}")"
check_fails "send --stix with --body is a usage error" \
	node XA send --to XB --body x --stix "$(bundle good "$good")"
check "nothing refused was signed" test "$(sent_count)" = "$n0"
check_out "send --stix: a good bundle is sent, and what it drops is said" \
	'not carried: description' node XA send --to XB --stix "$(bundle good "$good")"
check "...and it reaches XB" node XB sync
check_out "...as an incident notification with the URL" 'https://cli.example/x' \
	node XB show "$(last_received XB)"
check_out "roster stix check says what a bundle would be" 'would be incident-notification' \
	"$ROSTER" stix check "$T/good.json"
check_fails "roster stix check of a bad bundle fails" "$ROSTER" stix check "$T/malware.json"

# beyond loopback: TAXII only over TLS
PORT=$(free_port)
start_serve --listen "0.0.0.0:$PORT"
a=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' -H "Authorization: Bearer $TOK_ALL" \
	"http://127.0.0.1:$PORT/taxii2/")
check "beyond loopback without TLS: TAXII says 403, in its media type" \
	test "$a" = "403 application/taxii+json;version=2.1"
stop_serve
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout "$T/tls.key" \
	-out "$T/tls.crt" >/dev/null 2>&1
check_fails "serve with --tls-cert alone is a usage error" node XB serve --tls-cert "$T/tls.crt"
PORT=$(free_port)
start_serve --listen "0.0.0.0:$PORT" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key"
check "serve over TLS says https" grep -q '^https://' "$T/node-XB/serve.url"
a=$(curl -s --cacert "$T/tls.crt" -H "Authorization: Bearer $TOK_ALL" \
	"https://127.0.0.1:$PORT/taxii2/")
check "over TLS, discovery answers with an https API root" \
	grep -q "\"api_roots\":\[\"https://127.0.0.1:$PORT/taxii2/roster/\"\]" <<<"$a"
check_fails "plain HTTP to the TLS port is no answer" \
	curl -sf -H "Authorization: Bearer $TOK_ALL" "http://127.0.0.1:$PORT/taxii2/"
stop_serve
finish
