# lib.sh - sourced by every tests/e2e/test_*.sh.
#
# Each test builds its own little world under a fresh temporary folder: one
# hub on a free loopback port, States with root keys and POC nodes, all with
# the real binaries (the sanitizer build by default).  It counts checks and
# ends with the line "N passed, N failed"; the exit status is 1 if any failed.
# Every server it starts is stopped on exit.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ROSTER_BIN:-$TOP/build-san}
ROSTERD=$BIN/rosterd
ROSTER=$BIN/roster
T=$(mktemp -d /tmp/roster-e2e.XXXXXX)
export ROSTER_PASSPHRASE="correct horse battery staple"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
unset ROSTER_NODE_DIR ROSTER_HUB_DIR ROSTER_HUB_DB
# The hub's store: sqlite (HUBDIR/hub.db, the default) or pg (a PostgreSQL
# server of the test's own, tests/e2e/pg.sh, one database per hub).
BACKEND=${BACKEND:-sqlite}
. "$TOP/tests/e2e/pg.sh"
PIDS=""
PASS=0
FAIL=0

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pg_stop
	if [ "$FAIL" -gt 0 ] && [ -n "${KEEP_FAILED:-}" ]; then
		echo "kept $T for inspection"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

# The tests read and edit stores behind running servers: wait for a lock
# held by a server (a brief write of its own) instead of failing at once.
sqlite3() { command sqlite3 -cmd ".timeout 10000" "$@"; }

# E2E_FAIL_FAST=1 (scripts/mutants sets it) ends the test at its first
# failure: the verdict is known, the rest would only cost time.
ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL $*"
	if [ -n "${E2E_FAIL_FAST:-}" ]; then
		[ -s "$T/last.out" ] && show_last
		echo "$PASS passed, $FAIL failed (stopped at the first failure)"
		exit 1
	fi
}

show_last() { awk '{ print "     | " $0 }' "$T/last.out" | tail -${1:-25}; }

# check DESC CMD...: CMD must succeed.
check() {
	local desc=$1; shift
	if "$@" >"$T/last.out" 2>&1; then ok "$desc"; else bad "$desc (exit $?)"; show_last; fi
}

# check_fails DESC CMD...: CMD must fail (non-zero exit).
check_fails() {
	local desc=$1; shift
	if "$@" >"$T/last.out" 2>&1; then bad "$desc (it succeeded)"; show_last; else ok "$desc"; fi
}

# check_out DESC PATTERN CMD...: CMD's output (stdout+stderr) must match the
# extended regular expression PATTERN; the exit status is not looked at.
check_out() {
	local desc=$1 pat=$2; shift 2
	"$@" >"$T/last.out" 2>&1
	if grep -Eq -- "$pat" "$T/last.out"; then ok "$desc"; else bad "$desc (no /$pat/)"; show_last; fi
}

# Stops the servers, then fails the test if any of them (or any command
# whose output went to a log under $T) reported a sanitizer error or leak.
finish() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	PIDS=""
	local reports
	reports=$(grep -l -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" \
		"$T"/*.log "$T"/*/*.log 2>/dev/null)
	if [ -n "$reports" ]; then
		bad "sanitizer reports in: $reports"
		grep -h -A12 -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" $reports | head -40
	else
		ok "no sanitizer report from the servers"
	fi
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_hub DIR [ARGS...]: serves DIR on loopback (with rosterd serve's
# ARGS); sets HUB (URL) and HUBPID.  The port is picked free the first time
# and kept in DIR.port, so a restarted hub is where the nodes expect it.
# HUB_WRAP, when set, is a command prefix the hub runs under (e.g. "env
# LD_PRELOAD=..." for the power-cut shim); it must exec the hub, so that
# HUBPID is the hub's.
start_hub() {
	local dir=$1
	shift
	[ -s "$dir.port" ] || free_port >"$dir.port"
	rm -f "$dir/serve.url"
	${HUB_WRAP:-} "$ROSTERD" serve "$dir" --listen "127.0.0.1:$(cat "$dir.port")" "$@" >>"$dir.log" 2>&1 &
	HUBPID=$!
	PIDS="$PIDS $HUBPID"
	for _ in $(seq 1 200); do
		[ -s "$dir/serve.url" ] && break
		kill -0 "$HUBPID" 2>/dev/null || { echo "hub died:"; tail "$dir.log"; return 1; }
		sleep 0.05
	done
	HUB=$(cat "$dir/serve.url")
}

stop_hub() {
	kill "${1:-$HUBPID}" 2>/dev/null
	wait "${1:-$HUBPID}" 2>/dev/null
}

# hub_init DIR NAME [ARGS...]: rosterd init DIR on the test's backend: with
# BACKEND=pg, in a fresh database of the test's PostgreSQL server.
HUB_DBS=0
hub_init() {
	local dir=$1 name=$2 url
	shift 2
	if [ "$BACKEND" = pg ]; then
		pg_start || return 1
		HUB_DBS=$((HUB_DBS + 1))
		url=$(pg_newdb "hub$HUB_DBS") || return 1
		"$ROSTERD" init "$dir" --name "$name" --db "$url" "$@"
	else
		"$ROSTERD" init "$dir" --name "$name" "$@"
	fi
}

# hubdb HUBDIR CMD...: reads or changes a hub's store on either backend
# (tests/e2e/hubdb.py: sql, flip, forget-checkpoints, forget-tree, dump).
hubdb() { python3 "$TOP/tests/e2e/hubdb.py" "$@"; }

# hub_fork SRC DST: DST becomes a copy of the stopped hub SRC, folder and
# store (with BACKEND=pg a database of its own, copied from SRC's), from
# which the two can diverge: a hostile operator's fork of its log.
hub_fork() {
	local src=$1 dst=$2 url
	cp -a "$src" "$dst" && rm -f "$dst/serve.url" "$dst/lock" || return 1
	[ "$(hubdb "$src" backend)" = pg ] || return 0
	HUB_DBS=$((HUB_DBS + 1))
	url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["db"])' "$src/hub.json")
	pg_sql postgres "CREATE DATABASE hub$HUB_DBS TEMPLATE \"${url##*/}\"" >/dev/null || return 1
	python3 - "$dst/hub.json" "$(pg_url "hub$HUB_DBS")" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["db"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
}

# hub_peer SRC DST [BLOBS]: DST, a second hub folder serving the same
# PostgreSQL log as SRC: the operator key and hub.json copied, no store of
# its own; with BLOBS, both use that folder for attachments.
hub_peer() {
	mkdir -p -m 0700 "$2" &&
	cp -p "$1/hub.json" "$1/operator.key" "$1/operator.pub" "$2/" || return 1
	[ -n "${3:-}" ] || return 0
	mkdir -p -m 0700 "$3"
	for d in "$1" "$2"; do
		python3 - "$d/hub.json" "$3" <<'PY' || return 1
import json, sys
c = json.load(open(sys.argv[1])); c["blobs"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
	done
}

# new_hub: a fresh hub in $T/hub, serving.
new_hub() {
	hub_init "$T/hub" "${1:-Test hub}" >"$T/hub-init.out" 2>&1 || {
		cat "$T/hub-init.out"; return 1; }
	start_hub "$T/hub"
}

# make_root CODE: the State's root key in $T/CODE.root(.pub), admitted.
make_root() {
	"$ROSTER" keygen --state "$1" --out "$T/$1.root" >/dev/null &&
	"$ROSTERD" admit "$T/hub" --state "$1" --root-key "$T/$1.root.pub" >/dev/null
}

# make_node CODE [ROLE [SUFFIX]]: a POC node $T/node-CODE[SUFFIX], enrolled.
make_node() {
	local s=$1 role=${2:-technical} dir="$T/node-$1${3:-}"
	"$ROSTER" init --dir "$dir" --hub "$HUB" --state "$s" --role "$role" \
		--name "POC $s${3:-}" --email "poc${3:-}@$(echo "$s" | tr A-Z a-z).example" \
		--lang en,fr >/dev/null &&
	"$ROSTER" certify --root "$T/$s.root" "$dir/request.json" >/dev/null &&
	"$ROSTER" enroll --dir "$dir" "$dir/request.cert" >/dev/null
}

# make_state CODE: root key plus one technical POC node.
make_state() { make_root "$1" && make_node "$1"; }

node() { local s=$1; shift; "$ROSTER" "$@" --dir "$T/node-$s"; }

# msg_id NODE: id of the newest message the node sent.
last_sent() { sqlite3 "$T/node-$1/node.db" "SELECT lower(hex(id)) FROM messages WHERE direction='out' ORDER BY rowid DESC LIMIT 1"; }
last_received() { sqlite3 "$T/node-$1/node.db" "SELECT lower(hex(id)) FROM messages WHERE direction='in' ORDER BY rowid DESC LIMIT 1"; }

# same_views NODE: the node's `roster show --json ID` and its local API's GET
# /api/messages/ID are the same view of every message it holds (issue 9);
# a `roster serve` of its own answers the API meanwhile.
same_views() {
	local dir="$T/node-$1" pid url
	rm -f "$dir/serve.url"
	"$ROSTER" serve --dir "$dir" --listen 127.0.0.1:0 --interval 3600 >>"$T/serve-views-$1.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 200); do [ -s "$dir/serve.url" ] && break; sleep 0.05; done
	url=$(tr -d '\n' <"$dir/serve.url")
	python3 "$TOP/tests/e2e/same_views.py" "$ROSTER" "$dir" "$url"
	local rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return $rc
}

# start_proxy: tests/e2e/tamper_proxy.py in front of the hub, its mode in
# $T/mode ("none" to begin with); sets PROXY (URL).  via_proxy NODE points
# that node's config at it (the other nodes keep talking to the hub).
start_proxy() {
	local port
	port=$(free_port)
	echo none >"$T/mode"
	python3 "$TOP/tests/e2e/tamper_proxy.py" "$port" "$HUB" "$T/mode" 2>>"$T/proxy.log" &
	PIDS="$PIDS $!"
	PROXY="http://127.0.0.1:$port"
	for _ in $(seq 1 100); do curl -s "$PROXY/v1/info" >/dev/null && return 0; sleep 0.05; done
	return 1
}
via_proxy() {
	python3 - "$T/node-$1/config.json" "$PROXY" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["hub"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
}
proxy_mode() { echo "$1" >"$T/mode"; }

# hub_last KIND: the log index of the newest record of a kind, read
# from the hub's store on either backend (before any test edits it).
hub_last() { hubdb "$T/hub" sql "SELECT max(idx) FROM log WHERE kind = '$1'"; }

# device_of NODE: the hex device key of a node.
device_of() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["device"])' "$T/node-$1/config.json"
}
