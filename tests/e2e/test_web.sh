#!/usr/bin/env bash
# The web interface's local API from outside a browser, trying to break
# what it promises: sign-in required beyond loopback and once an account
# exists; no action without the session's CSRF token; no DNS-rebinding Host;
# no file outside share/web; sign-in rate limited; the device key signing
# what a user sends is the one unsealed from the account; TLP:RED never
# forwarded, AMBER+STRICT only within the State; clear errors for bad input.
. "$(dirname "$0")/lib.sh"

check "operator: a hub" new_hub "Web hub"
for s in XA XB XC; do check "State $s" make_state "$s"; done

export ROSTER_PASSWORD="xa password one"
check_out "user add without the device passphrase fails clearly" "passphrase|decrypt|wrong" \
	env -u ROSTER_PASSPHRASE ROSTER_PASSPHRASE="wrong passphrase" "$ROSTER" user add alice --dir "$T/node-XA"
check "user add alice (admin, French)" "$ROSTER" user add alice --admin --lang fr --email alice@xa.example --dir "$T/node-XA"
check_out "user add refuses a second alice" "already an account" "$ROSTER" user add alice --dir "$T/node-XA"
"$ROSTER" user add BAD --dir "$T/node-XA" >/dev/null 2>&1
check "user add with a bad name exits 2" test $? -eq 2
"$ROSTER" user add bob --lang xx --dir "$T/node-XA" >/dev/null 2>&1
check "user add with an unknown language exits 2" test $? -eq 2
"$ROSTER" user frobnicate --dir "$T/node-XA" >/dev/null 2>&1
check "user with an unknown subcommand exits 2" test $? -eq 2
check_out "a short password is refused" "at least 8" env ROSTER_PASSWORD=short "$ROSTER" user add bob --dir "$T/node-XA"
check_out "user list shows alice" "alice +yes +fr" "$ROSTER" user list --dir "$T/node-XA"
check_out "user --help explains the sealed key" "sealed under a key derived from the password" "$ROSTER" user --help
check_fails "Argon2id hash in node.db, no plaintext password" grep -a -q "xa password one" "$T/node-XA/node.db"

# Beyond loopback without an account: refused.
check_out "serve beyond loopback without accounts is refused" "needs sign-in: create an account" \
	"$ROSTER" serve --dir "$T/node-XB" --listen 0.0.0.0:0

start_serve() {	# NODE: serves on a free loopback port; sets URL
	rm -f "$T/node-$1/serve.url"
	"$ROSTER" serve --dir "$T/node-$1" --listen 127.0.0.1:0 --interval 1 >>"$T/serve-$1.log" 2>&1 &
	PIDS="$PIDS $!"
	for _ in $(seq 1 200); do [ -s "$T/node-$1/serve.url" ] && break; sleep 0.05; done
	URL=$(tr -d '\n' <"$T/node-$1/serve.url")
}
start_serve XA; A=$URL
start_serve XB; B=$URL

check_out "XA (with an account) wants sign-in" '"auth_required":true,"signed_in":false' curl -s "$A/api/session"
check_out "XA's inbox without a session: 401" "^401$" curl -s -o /dev/null -w '%{http_code}' "$A/api/inbox"
check_out "country names are public (the sign-in page shows them)" '"ES":"España"' curl -s "$A/api/countries?lang=es"
check_out "but the directory is not" "^401$" curl -s -o /dev/null -w '%{http_code}' "$A/api/directory"
check_out "XB (no account, loopback) is the open desk" '"auth_required":false,"signed_in":true' curl -s "$B/api/session"
check "the operator records group pair (XA, XC)" "$ROSTERD" group "$T/hub" --name pair --states XA,XC
sleep 1.5	# XB's serve syncs the directory
check_out "the directory lists the group for the compose page" '"name":"pair"' curl -s "$B/api/directory"
check_out "the recipients preview resolves group:pair to XA and XC" '"state":"XA".*"state":"XC"' \
	curl -s "$B/api/recipients?to=group:pair"
check_out "... narrowed to a role nobody has: 400 naming it" 'nobody in that audience has a current device with role alternate' \
	curl -s "$B/api/recipients?to=group:pair&roles=alternate"
check_out "... an unknown role: 400" 'unknown role' curl -s "$B/api/recipients?to=XA&roles=boss"
check_out "... an unknown group: 400 naming it" 'no group' curl -s "$B/api/recipients?to=group:none"
check_out "the page itself is served with a strict CSP" "default-src 'self'" curl -s -D - -o /dev/null "$A/"
check_out "index.html is HTML" "text/html" curl -s -D - -o /dev/null "$A/index.html"
check_out "a module is JavaScript" "text/javascript" curl -s -D - -o /dev/null "$A/js/app.js"
check_out "traversal out of share/web: 404" "^404$" curl -s -o /dev/null -w '%{http_code}' --path-as-is "$A/../../../etc/passwd"
check_out "encoded traversal: 404" "^404$" curl -s -o /dev/null -w '%{http_code}' --path-as-is "$A/%2e%2e/%2e%2e/etc/passwd"
check_out "hidden files: 404" "^404$" curl -s -o /dev/null -w '%{http_code}' "$A/.git/config"
ln -s /etc/passwd "$TOP/share/web/link-test.txt" 2>/dev/null
check_out "a symbolic link inside share/web is not followed" "^404$" curl -s -o /dev/null -w '%{http_code}' "$A/link-test.txt"
rm -f "$TOP/share/web/link-test.txt"
check_out "a DNS-rebinding Host is refused" "^421$" curl -s -o /dev/null -w '%{http_code}' -H "Host: evil.example:80" "$B/api/inbox"

login() {	# URL USER PASSWORD: signs in, keeping the cookie in $T/jar
	curl -s -c "$T/jar" -H 'Content-Type: application/json' \
		-d "{\"user\":\"$2\",\"password\":\"$3\"}" "$1/api/session/login"
}
check_out "wrong password: 401 with a plain error and its code" \
	'"error":"wrong account name or password","code":"wrong-password"' login "$A" alice "not the password"
check_out "a sign-in without a password: 400, coded" '"code":"sign-in-incomplete"' \
	curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -d '{"user":"alice"}' "$A/api/session/login"
check_out "... its status" ' 400$' \
	curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -d '{"user":"alice"}' "$A/api/session/login"
check_out "a sign-in whose body is not JSON: 400, coded" '"code":"not-json".* 400$' \
	curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -d 'user=alice' "$A/api/session/login"
check_out "unknown account: the same answer" "wrong account name or password" login "$A" mallory "whatever123"
check_out "a form-encoded sign-in is refused (415)" "application/json" \
	curl -s -d 'user=alice&password=xa+password+one' "$A/api/session/login"
check_out "right password: signed in, in French" '"signed_in":true,"user":"alice","admin":true,"lang":"fr"' login "$A" alice "xa password one"
check_out "the cookie is HttpOnly and SameSite=Strict" "HttpOnly; SameSite=Strict" \
	curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d '{"user":"alice","password":"xa password one"}' "$A/api/session/login"
CSRF=$(curl -s -b "$T/jar" "$A/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
check "the session gives a CSRF token" test ${#CSRF} -eq 64

apost() {	# PATH JSON [CSRF]: POST as alice
	curl -s -b "$T/jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: ${3-$CSRF}" -d "$2" "$A$1"
}
apostc() {	# PATH JSON: POST as alice, the status after the answer
	curl -s -w ' %{http_code}' -b "$T/jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" -d "$2" "$A$1"
}
check_out "a POST without the CSRF token is refused" 'X-CSRF-Token.*"code":"csrf"' apost /api/send '{}' ""
check_out "a POST with a wrong CSRF token is refused" "X-CSRF-Token" apost /api/send '{}' "$(printf '0%.0s' $(seq 64))"
check_out "send: missing subject is named" '"subject\\" is required' apost /api/send '{"to":["XB"],"body":"b"}'
check_out "send: a bad State code is named" 'not a State code' apost /api/send '{"to":["x1"],"subject":"s","body":"b"}'
check_out "send: a lower-case State code is the State (lib/vocab.h)" '"id":"[0-9a-f]{64}"' \
	apost /api/send '{"to":["xb"],"subject":"s","body":"b","tlp":"tlp:green"}'
check_out "send: a bad urgency is named" 'urgency' apost /api/send '{"to":["XB"],"subject":"s","body":"b","urgency":"now"}'
check_out "send: a bad TLP is named" 'tlp' apost /api/send '{"to":["XB"],"subject":"s","body":"b","tlp":"PINK"}'
check_out "send: garbage body" 'not a JSON object' apost /api/send 'not json'
check_out "send: the refusal names the field and the reason by code" '"code":"field-required".*"field":"subject"' \
	apost /api/send '{"to":["XB"],"body":"b"}'
check_out "send: a bad audience by code" '"code":"bad-audience".*"field":"to"' \
	apost /api/send '{"to":["x1"],"subject":"s","body":"b"}'
IN='"template":"incident-notification","to":["XB"],"subject":"s","lang":"en"'
check_out "send: a template's date without a zone by code, naming the field" \
	'"code":"no-time-zone".*"field":"first_seen"' apost /api/send \
	"{$IN,\"fields\":{\"incident_class\":\"malicious-code\",\"sector\":\"energy\",\"impact\":\"low\",\"first_seen\":\"2026-11-22T08:30\"}}"
check_out "send: a template's missing required field by code" \
	'"code":"field-required".*"field":"first_seen"' apost /api/send \
	"{$IN,\"fields\":{\"incident_class\":\"malicious-code\",\"sector\":\"energy\",\"impact\":\"low\"}}"
check_out "send: a template's unknown code by code" '"code":"not-a-code".*"field":"sector"' apost /api/send \
	"{$IN,\"fields\":{\"incident_class\":\"malicious-code\",\"sector\":\"nope\",\"impact\":\"low\",\"first_seen\":\"2026-11-22T08:30Z\"}}"
check_out "send: a State without devices" 'no current device' apost /api/send '{"to":["QQ"],"subject":"s","body":"b"}'
check_out "recipients preview lists XB's device" '"state":"XB","devices":\[\{"device"' \
	curl -s -b "$T/jar" "$A/api/recipients?to=XB"

R=$(apost /api/send '{"template":"free-text","to":["XB"],"urgency":"flash","tlp":"RED","subject":"Red one","body":"eyes only","lang":"en"}')
RID=$(echo "$R" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
check "alice sends a TLP:RED flash message through the API" test ${#RID} -eq 64
check "it is signed by XA's device (the key unsealed from alice's account)" \
	"$ROSTER" show --dir "$T/node-XA" "$RID"
R=$(apost /api/send '{"to":["XB"],"tlp":"AMBER+STRICT","subject":"Strict one","body":"b"}')
SID=$(echo "$R" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
R=$(apost /api/send '{"to":["XB"],"tlp":"GREEN","subject":"Green one","body":"b"}')
GID=$(echo "$R" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
check "AMBER+STRICT and GREEN messages sent" test ${#SID} -eq 64 -a ${#GID} -eq 64

for _ in $(seq 1 60); do
	[ "$(curl -s "$B/api/inbox" | grep -o '"id"' | wc -l)" -ge 3 ] && break; sleep 0.5
done
check_out "XB's inbox lists the flash message first, unread and unacknowledged" \
	"^\[\{\"id\":\"$RID\".*\"urgency\":\"flash\".*\"acknowledged\":false.*\"read\":false" curl -s "$B/api/inbox"
BCSRF=$(curl -s "$B/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
bpost() { curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -H "X-CSRF-Token: $BCSRF" -d "$2" "$B$1"; }
check_out "XB's message view gives the verification facts" \
	'"signature_valid":true,"signer":\{.*"state":"XA".*"certified_by":\{"state":"XA","root_fingerprint".*"log_index":[0-9]+.*"inclusion_checked_size":[0-9]+,"inclusion_checked_at":[0-9]+' \
	curl -s "$B/api/messages/$RID"
check_out "after reading, the message is marked read" "\"id\":\"$RID\"[^}]*\"read\":true" curl -s "$B/api/inbox"
check_out "TLP:RED forward to XC: 403 with the reason" 'TLP:RED is for its named recipients only.* 403$' \
	bpost "/api/messages/$RID/forward" '{"to":["XC"]}'
check_out "TLP:RED forward within XB: still refused" 'never forwarded.* 403$' \
	bpost "/api/messages/$RID/forward" '{"to":["XB"]}'
check_out "AMBER+STRICT forward to XC: refused, own State only" 'only within XB.* 403$' \
	bpost "/api/messages/$SID/forward" '{"to":["XC"]}'
check_out "GREEN forward to XC: sent" '"id":"[0-9a-f]{64}".* 200$' \
	bpost "/api/messages/$GID/forward" '{"to":["XC"],"note":"FYI"}'
# A consultation from the pages: XB requests, XA proposes and writes the
# outcome, XB agrees; the outcome then carries XB's logged agreement.
wait_msg() {	# NODE ID: until the node holds message ID
	for _ in $(seq 1 100); do
		sqlite3 "$T/node-$1/node.db" "SELECT 1 FROM messages WHERE lower(hex(id)) = '$2'" 2>/dev/null | grep -q 1 && return 0
		sleep 0.1
	done
	return 1
}
msg_id() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read().rsplit(" ",1)[0])["id"])' 2>/dev/null; }
CR=$(bpost /api/send '{"to":["XA"],"subject":"Activity of concern","body":"We request consultations.","consultation":true}' | msg_id)
check "XB requests consultations from its page" test ${#CR} -eq 64
check_out "XB cannot answer its own request: 409, coded" 'only the requested side.*"code":"own-request".* 409$' \
	bpost "/api/messages/$CR/consult" '{"step":"accept"}'
check "XA has the request" wait_msg XA "$CR"
check_out "XA's page sees a consultation request" '"consultation":\{"step":"request"' \
	curl -s -b "$T/jar" "$A/api/messages/$CR"
check_out "a proposal without its text is refused: 400, coded" \
	'proposal itself is required.*"code":"text-required".* 400$' \
	apostc "/api/messages/$CR/consult" '{"step":"propose"}'
check_out "an unknown step is refused: 400, coded" 'unknown step.*"code":"bad-step".* 400$' \
	apostc "/api/messages/$CR/consult" '{"step":"maybe"}'
check_out "a request without a step: 400, coded" '"code":"bad-step".* 400$' \
	apostc "/api/messages/$CR/consult" '{}'
check_out "agreeing to a request (not an outcome): 409, coded" '"code":"not-an-outcome".* 409$' \
	apostc "/api/messages/$CR/agree" '{}'
check_out "a consultation step on no message: 404, coded" '"code":"no-such-message".* 404$' \
	apostc "/api/messages/$(printf 'cd%.0s' $(seq 32))/consult" '{"step":"accept"}'
check_out "XA proposes something else" '"id":"[0-9a-f]{64}"' \
	apost "/api/messages/$CR/consult" '{"step":"propose","body":"A call on Tuesday"}'
CO=$(apost "/api/messages/$CR/consult" '{"step":"outcome","body":"Call held; XA filters the range."}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
check "XA records the outcome" test ${#CO} -eq 64
check "XB has the outcome" wait_msg XB "$CO"
check_out "XB agrees to it" '"agreed":true.* 200$' bpost "/api/messages/$CO/agree" '{}'
check_out "agreeing twice: refused, 409, coded" 'already agreed.*"code":"already-agreed".* 409$' \
	bpost "/api/messages/$CO/agree" '{}'
check_out "a step on a message that is no request: 409, coded" '"code":"not-a-request".* 409$' \
	bpost "/api/messages/$CO/consult" '{"step":"accept"}'
for _ in $(seq 1 60); do
	curl -s -b "$T/jar" "$A/api/messages/$CR" | grep -q '"agreed":{' && break; sleep 0.5
done
check_out "XA's page shows the outcome agreed by XB, with its log index" \
	'"step":"outcome".*"agreed":\{"state":"XB".*"index":[0-9]+' curl -s -b "$T/jar" "$A/api/messages/$CR"
check_out "an unknown message: 404" ' 404$' bpost "/api/messages/$(printf 'ab%.0s' $(seq 32))/ack" '{}'
check_out "XB acknowledges the flash message" '"acknowledged":true.* 200$' bpost "/api/messages/$RID/ack" '{"note":"on it"}'
check_out "a second acknowledgement: 409" 'already acknowledged.* 409$' bpost "/api/messages/$RID/ack" '{}'
for _ in $(seq 1 60); do
	curl -s -b "$T/jar" "$A/api/messages/$RID" | grep -q '"acknowledged":1' && break; sleep 0.5
done
check_out "XA's view of its message shows XB's acknowledgement and note" \
	'"recipients":\[\{.*"state":"XB".*"acknowledged":[0-9]+,"note":"on it"' \
	curl -s -b "$T/jar" "$A/api/messages/$RID"
check_out "... and XB's delivery" '"recipients":\[\{.*"state":"XB".*"delivered":[0-9]+' \
	curl -s -b "$T/jar" "$A/api/messages/$RID"
check_out "stats: XB's acknowledgement is counted" '"state":"XB","time":[0-9]+,"delivered":[0-9]+,"acknowledged":[0-9]+' \
	curl -s -b "$T/jar" "$A/api/stats/responses"
check_out "events give a version" '"version":"[0-9.]+"' curl -s -b "$T/jar" "$A/api/events"
check_out "events: the hub reachable, its last answer and the last complete sync" \
	'"hub":\{"reachable":true,"last_contact":[0-9]{13},"synced_at":[0-9]{13}' curl -s -b "$T/jar" "$A/api/events"
check_out "events: the open checks and the outbox" '"open_checks":0,"outbox":\{"count":[0-9]+,"urgent":[0-9]+' \
	curl -s -b "$T/jar" "$A/api/events"
check_out "sent: each row as of the last complete sync" '^\[\{"id":"[0-9a-f]{64}".*"synced_at":[0-9]{13}' \
	curl -s -b "$T/jar" "$A/api/sent"
check_out "roster status says when the last sync completed" "^Last complete sync: 20" node XA status
check_out "trust: no alarm, a checkpoint" '"status":"ok","alarms":\[\],"checkpoint":\{"size":[0-9]+' curl -s -b "$T/jar" "$A/api/trust"
check_out "countries in Russian from iso-codes" '"FR":"Франция"' curl -s -b "$T/jar" "$A/api/countries?lang=ru"
check_out "countries: an unknown language is a 400" '^\{"error":"unknown language' curl -s -b "$T/jar" "$A/api/countries?lang=xx"
check_out "settings: a bad language is named, coded" '"lang\\" must be one of.*"code":"bad-lang"' apost /api/settings '{"lang":"de"}'
check_out "settings: Arabic saved" '"lang":"ar"' apost /api/settings '{"lang":"ar","email":"a@xa.example"}'
check_out "admin settings list XA's devices" '"devices":\[\{"device"' curl -s -b "$T/jar" "$A/api/settings"
check_out "the alert address is the node's: config.json has it" '"alert_email": "a@xa.example"' cat "$T/node-XA/config.json"
check_out "settings say no mail server is set yet" '"mail_server":false' curl -s -b "$T/jar" "$A/api/settings"
check_out "a header injection in the alert address is refused, coded" '(not an e-mail address|not allowed in an address).*"code":"bad-email"' \
	apost /api/settings '{"email":"a@xa.example\\r\\nBcc: x@y.example"}' 
check_out "sign-out" '"signed_in":false' apost /api/session/logout '{}'
check_out "the old cookie no longer works" "^401$" curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' "$A/api/inbox"

check "user passwd alice (a running node sees it at the next sign-in)" \
	env ROSTER_PASSWORD="xa password two" "$ROSTER" user passwd alice --dir "$T/node-XA"
check_out "the old password no longer signs in" "wrong account name or password" login "$A" alice "xa password one"
check_out "the new one does, and unseals the key copy" '"signed_in":true,"user":"alice"' login "$A" alice "xa password two"
CSRF=$(curl -s -b "$T/jar" "$A/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
check_out "... which signs a message" '"id":"[0-9a-f]{64}"' apost /api/send '{"to":["XB"],"subject":"after passwd","body":"b"}'
"$ROSTER" user passwd --admin alice --dir "$T/node-XA" >/dev/null 2>&1
check "user passwd with --admin exits 2" test $? -eq 2

# A tampered key copy: the right password no longer signs in (no session
# without a key), and the answer says why.
check "user add carol" env ROSTER_PASSWORD="carol password" "$ROSTER" user add carol --dir "$T/node-XA"
sqlite3 "$T/node-XA/node.db" "UPDATE web_users SET key_box = zeroblob(112) WHERE name = 'carol'"
check_out "a tampered key copy: refused, and named" "cannot unlock this node's device key" \
	login "$A" carol "carol password"

for i in 1 2 3 4 5; do login "$A" alice "wrong password $i" >/dev/null; done
check_out "after 5 failures the account name is locked (429)" "too many failed sign-ins" login "$A" alice "xa password one"


# Attachments: listed on the message, downloaded checked and decrypted.
head -c 300000 /dev/urandom >"$T/attach.bin"
check "XA sends XB a file from the command line" node XA send --to XB --subject "With a file" \
	--body "See the file" --attach "$T/attach.bin"
AID=$(last_sent XA)
for _ in $(seq 1 100); do
	sqlite3 "$T/node-XB/node.db" "SELECT 1 FROM messages WHERE lower(hex(id)) = '$AID'" 2>/dev/null | grep -q 1 && break
	sleep 0.1
done
check_out "XB's message page lists the attachment by name and size" '"attachments":\[\{"n":1,"name":"attach.bin","size":300000' \
	curl -s "$B/api/messages/$AID"
check "XB downloads it from the page: the same bytes" bash -c \
	"curl -sf -o '$T/attach.out' '$B/api/messages/$AID/attachments/1' && cmp '$T/attach.bin' '$T/attach.out'"
check_out "... with a safe file name" 'filename="attach.bin"' curl -s -D - -o /dev/null "$B/api/messages/$AID/attachments/1"
check_out "every answer of the local API keeps the security headers: each route, good and bad input, the server's own refusals" \
	" 0 without every security header" python3 "$TOP/tests/e2e/web_headers.py" "$B" "$A" "$AID"
check_out "attachment 2 does not exist: 404" "^404$" curl -s -o /dev/null -w '%{http_code}' "$B/api/messages/$AID/attachments/2"
check_out "a bad attachment number: 404" "^404$" curl -s -o /dev/null -w '%{http_code}' "$B/api/messages/$AID/attachments/x"
BLOB=$(ls "$T/hub/blobs" | grep -E '^[0-9a-f]{64}$' | head -1)
printf 'X' | dd of="$T/hub/blobs/$BLOB" bs=1 seek=100000 conv=notrunc 2>/dev/null
check_out "a blob altered on the hub is refused: 502 naming the failure" '"error":"the attachment was refused: .*(authentication|digest).* 502$' \
	bash -c "curl -s -w ' %{http_code}' '$B/api/messages/$AID/attachments/1'"
check_fails "... and no partial file is left in XB's folder" bash -c "ls -a '$T/node-XB' | grep -q web-download"

finish
