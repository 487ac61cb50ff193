#!/usr/bin/env bash
# The web sign-in's lock against guessing (issue 8 item 5): the node counts
# failed sign-ins per account name and locks a name after 5 (429).  The
# counters lived in a 64-slot table that evicted the oldest entry, unknown
# names included, so failing once on 64 throw-away names evicted the
# victim's counter and the victim was never locked.  Here: 20 wrong guesses
# for the victim, with one failure on each of 64 fresh names after every 4,
# must meet a 429 by the 5th guess, and while locked even the right password
# does not sign in.  And a global limiter: failures spread over hundreds of names
# meet a 429 as well.
#
# Waits for: failure counting that other names cannot evict, a global
# limiter (node web sign-in).
. "$(dirname "$0")/lib.sh"

check "operator: a hub" new_hub "Sign-in hub"
check "State XA" make_state XA
export ROSTER_PASSWORD="xa password one"
check "user add alice" "$ROSTER" user add alice --dir "$T/node-XA"
rm -f "$T/node-XA/serve.url"
"$ROSTER" serve --dir "$T/node-XA" --listen 127.0.0.1:0 --interval 5 >>"$T/serve-XA.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 200); do [ -s "$T/node-XA/serve.url" ] && break; sleep 0.05; done
A=$(tr -d '\n' <"$T/node-XA/serve.url")

login() {	# USER PASSWORD: prints the HTTP status
	curl -s -o "$T/login.json" -w '%{http_code}' -H 'Content-Type: application/json' \
		-d "{\"user\":\"$1\",\"password\":\"$2\"}" "$A/api/session/login"
}
check_out "alice's first wrong password: 401" "^401$" login alice "wrong 0"
# The trick: a few guesses for alice, then one failure on each of 64 fresh
# throw-away names, again and again.  Within 20 guesses alice must be locked.
locked=0
n=0
for round in 1 2 3 4 5; do
	for i in 1 2 3 4; do
		n=$((n + 1))
		st=$(login alice "wrong $n")
		[ "$st" = 429 ] && { locked=$n; break 2; }
	done
	for i in $(seq 1 64); do login "throwaway$round-$i" "whatever $i" >/dev/null; done
done
check "64 throw-away names between every 4 guesses do not save alice from the lock (429 at guess $locked)" \
	test "$locked" -ge 1 -a "$locked" -le 5
check_out "... saying why" "too many failed sign-ins" cat "$T/login.json"
check_out "while locked, alice's right password does not sign in either (429)" "^429$" \
	login alice "xa password one"

# Failures spread over many names: a global limiter answers 429 too.
global=0
for i in $(seq 1 200); do
	st=$(login "spread$i" "whatever")
	[ "$st" = 429 ] && { global=$i; break; }
done
check "failed sign-ins over 200 names meet a global limit (429 at attempt $global)" test "$global" -ge 1
finish
