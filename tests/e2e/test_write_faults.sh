#!/usr/bin/env bash
# Fail the Nth write: a journey of two nodes and a hub, run again and again
# with one write to storage failing each time (lib/fault.h), then carried on
# without faults.  Whatever write fails, nothing a node holds a receipt for
# is missing from the log, nothing is skipped or refused, what a command
# reported done stays done, and every audit passes.
#
# The journey: XA sends XB a message with an attachment and starts a
# communication check; XB syncs, acknowledges the message, answers the
# check, syncs again; XA syncs.  A first run with ROSTER_FAULT_COUNT counts
# the writes of each process: the hub's (one process for the whole journey)
# and those of each command of XA and of XB (a node's Nth write is counted
# across its commands, in journey order), by class (SQLite, tree, file,
# blob).  Then, for each party and class, for N spread evenly over its
# writes (every N when there are few), the journey runs from the same
# starting point with that Nth write failing with EIO, in turn
# ROSTER_FAULT_MODE=once (the process carries on, as after a transient disk
# error) and sticky (every later write of the process fails too, as a disk
# gone bad would, until the hub restarts or the command ends, and a hub so
# struck is then killed with SIGKILL; FAULT_MODE picks one).  The commands of that run may fail, as they should.  Then the
# recovery, with no fault: the hub restarted, XA, XB and XA sync (each must
# succeed), and:
#
#   - every receipt either node holds verifies and names an envelope in the
#     log at its index, and the hub's log and trees verify (rosterd check);
#   - neither outbox keeps anything unsent: all the node signed is logged;
#   - XB holds every message XA holds as sent (nothing skipped), and
#     neither node recorded a refusal or raised an alarm;
#   - what a command reported done is done: XA's send succeeded, XB has the
#     message and its attachment decrypts to the file sent; XB's ack
#     succeeded, XA's status shows it acknowledged; XB's answer succeeded,
#     the hub's check report counts it;
#   - both audits pass; no sanitizer report from any process.
#
# FAULT_RUNS (default 20, about 3 minutes on a loaded machine) bounds the
# fault runs, shared among the parties and classes; FAULT_ONLY=REGEX keeps
# the runs of the plan it matches ("hub tree 1 24": party, class, N, of how
# many), with KEEP_FAILED=1 to look at the last one afterwards.
. "$(dirname "$0")/lib.sh"

RUNS=${FAULT_RUNS:-20}
# FAULT_MODE: once or sticky for every run; by default they alternate.
MODES=${FAULT_MODE:-once sticky}

# ---- the starting point, kept aside --------------------------------------
new_hub || { bad "hub"; finish; exit 1; }
for s in XA XB; do make_state "$s" || { bad "setup $s"; finish; exit 1; }; done
for s in XA XB; do node "$s" sync >/dev/null || bad "first sync $s"; done
# Device keys without a passphrase: each command would otherwise spend a
# second of Argon2id under the sanitizers unsealing its key.
KEYPLAIN=$BIN/tests/tools/keyplain
case "$BIN" in
"$TOP/build-san") make -s -C "$TOP" SAN=1 build-san/tests/tools/keyplain ;;
"$TOP/build") make -s -C "$TOP" build/tests/tools/keyplain ;;
esac
for s in XA XB; do
	"$KEYPLAIN" "$T/node-$s/device.key" || bad "$s's key without its passphrase"
done
head -c 5000 /dev/urandom >"$T/report.bin"
stop_hub
mkdir "$T/base"
cp -a "$T/hub" "$T/node-XA" "$T/node-XB" "$T/base/"

restore() {
	rm -rf "$T/hub" "$T/node-XA" "$T/node-XB"
	cp -a "$T/base/hub" "$T/base/node-XA" "$T/base/node-XB" "$T/"
}

# ---- one journey ----------------------------------------------------------
# TARGET (hub, XA, XB or none) and LEFT (its N) say which write fails;
# counting runs set COUNTING=1.  OUT_i is the exit status of step i.
# step I WHO ARGS...: the journey's Ith command, on WHO's node.
step() {
	local i=$1 who=$2 envs=()
	shift 2
	if [ -n "${COUNTING:-}" ]; then
		envs=(ROSTER_FAULT_COUNT="$T/count.$i")
	elif [ "$who" = "$TARGET" ] && [ "$LEFT" -gt 0 ]; then
		if [ "$LEFT" -le "${SC[$i.$SITE]}" ]; then
			envs=(ROSTER_FAULT_WRITE="$LEFT" ROSTER_FAULT_MODE="$MODE"
				ROSTER_FAULT_SITE="$SITE" ROSTER_FAULT_COUNT="$T/fired.$i")
			FIRED_STEP=$i
		fi
		LEFT=$((LEFT - SC[$i.$SITE]))
	fi
	echo "== step $i ($who): $*" >>"$T/nodes.log"
	env "${envs[@]}" "$ROSTER" "$@" --dir "$T/node-$who" >"$T/step.$i" 2>&1
	OUT[$i]=$?
	cat "$T/step.$i" >>"$T/nodes.log"
}

journey() {
	local mid cid
	OUT=()
	step 1 XA send --to XB --subject "Fault journey" --body "What a failed write must not lose." \
		--attach "$T/report.bin"
	mid=$(sed -n 's/^sent \([0-9a-f]\{16\}\) to XB.*/\1/p' "$T/step.1")
	[ -n "$mid" ] || mid=$(last_sent XA)
	step 2 XA checks start --to XB --deadline 1h
	cid=$(sed -n 's/^check \([0-9a-f]*\) logged.*/\1/p' "$T/step.2")
	step 3 XB sync
	if [ -n "$mid" ]; then step 4 XB ack "${mid:0:16}"; else OUT[4]=skipped; fi
	if [ -n "$cid" ]; then step 5 XB checks answer "$cid"; else OUT[5]=skipped; fi
	step 6 XB sync
	step 7 XA sync
	MID=$mid CID=$cid
}
WHO_OF=(none XA XA XB XB XB XB XA)

hub_env() {
	if [ -n "${COUNTING:-}" ]; then
		HUB_WRAP="env ROSTER_FAULT_COUNT=$T/count.hub"
	elif [ "$TARGET" = hub ]; then
		HUB_WRAP="env ROSTER_FAULT_WRITE=$LEFT ROSTER_FAULT_MODE=$MODE ROSTER_FAULT_SITE=$SITE ROSTER_FAULT_COUNT=$T/fired.hub"
	else
		HUB_WRAP=
	fi
}

# ---- the counting run -----------------------------------------------------
restore
COUNTING=1 TARGET=none LEFT=0
hub_env
start_hub "$T/hub" || { bad "the hub starts counting its writes"; finish; exit 1; }
journey
cp "$T/count.hub" "$T/count.hub.journey"
check "the counting run's audits pass" bash -c "'$ROSTER' audit --dir '$T/node-XA' && '$ROSTER' audit --dir '$T/node-XB'"
stop_hub
unset HUB_WRAP COUNTING
for i in 1 2 3 4 5 6 7; do
	[ "${OUT[$i]}" = 0 ] || { bad "the journey without faults: step $i"; cat "$T/step.$i"; }
done
# SC[STEP.SITE]: the writes of each class in each step; the hub's as step
# "hub"; TOTAL[WHO.SITE] their sums for each party.
declare -A SC TOTAL
sites="sqlite tree file blob"
classes() { # classes FILE KEY: SC[KEY.site] from a report's second line
	local kv
	for kv in $(sed -n 2p "$1" 2>/dev/null); do SC[$2.${kv%%=*}]=${kv#*=}; done
	for site in $sites; do SC[$2.$site]=${SC[$2.$site]:-0}; done
}
classes "$T/count.hub.journey" hub
for site in $sites; do TOTAL[hub.$site]=${SC[hub.$site]}; TOTAL[XA.$site]=0 TOTAL[XB.$site]=0; done
for i in 1 2 3 4 5 6 7; do
	classes "$T/count.$i" "$i"
	for site in $sites; do
		TOTAL[${WHO_OF[$i]}.$site]=$((TOTAL[${WHO_OF[$i]}.$site] + SC[$i.$site]))
	done
done
summary() { # summary WHO: "N (sqlite=A tree=B file=C blob=D)"
	local site all=0 parts=
	for site in $sites; do
		all=$((all + TOTAL[$1.$site])) parts="$parts $site=${TOTAL[$1.$site]}"
	done
	echo "$all (${parts# })"
}
echo "writes in the journey: hub $(summary hub); XA $(summary XA); XB $(summary XB)"
for i in 1 2 3 4 5 6 7; do
	echo "  step $i (${WHO_OF[$i]}): $(sed -n 2p "$T/count.$i")"
done
for w in hub XA XB; do
	check "$w's writes are counted" test "$(summary $w | cut -d' ' -f1)" -gt 0
done

# ---- recovery and what must hold ------------------------------------------
receipts() {
	for s in XA XB; do
		sqlite3 "$T/node-$s/node.db" "SELECT receipt FROM outbox WHERE receipt IS NOT NULL"
	done
}

# verdict LABEL DESC CMD...: one check of a fault run; quiet when it holds.
verdict() {
	local label=$1 desc=$2
	shift 2
	if "$@" >"$T/last.out" 2>&1; then
		RUN_OK=$((RUN_OK + 1))
	else
		bad "$label: $desc"
		show_last 15
		RUN_BAD=1
	fi
}

recover_and_check() {
	local label=$1 ids id
	RUN_OK=0 RUN_BAD=0
	stop_hub
	unset HUB_WRAP
	if ! start_hub "$T/hub"; then
		bad "$label: the hub starts again after the fault"
		tail -5 "$T/hub.log"
		return
	fi
	for s in XA XB XA; do
		verdict "$label" "$s syncs after the fault" "$ROSTER" sync --dir "$T/node-$s"
	done
	for s in XA XB; do
		verdict "$label" "$s's outbox is all logged" \
			test "$(sqlite3 "$T/node-$s/node.db" "SELECT count(*) FROM outbox WHERE receipt IS NULL")" -eq 0
		verdict "$label" "$s recorded no refusal and no alarm" \
			test "$(sqlite3 "$T/node-$s/node.db" "SELECT (SELECT count(*) FROM refusals) + (SELECT count(*) FROM alarms)")" -eq 0
	done
	ids=$(sqlite3 "$T/node-XA/node.db" "SELECT lower(hex(id)) FROM messages WHERE direction = 'out'")
	for id in $ids; do
		verdict "$label" "XB holds XA's message ${id:0:16}" "$ROSTER" show "${id:0:16}" --dir "$T/node-XB"
	done
	if [ "${OUT[1]:-}" = 0 ]; then
		rm -f "$T/got.bin"
		verdict "$label" "XA's send succeeded: XB has the message and its attachment" \
			"$ROSTER" attachment "${MID:0:16}" 1 --out "$T/got.bin" --dir "$T/node-XB"
		verdict "$label" "... which decrypts to the file sent" cmp -s "$T/got.bin" "$T/report.bin"
	fi
	if [ "${OUT[4]:-}" = 0 ]; then
		verdict "$label" "XB's ack succeeded: XA sees it acknowledged" python3 -c '
import json, sys
r = json.loads(sys.argv[1])["recipients"]
assert any(x.get("acknowledged", 0) > 0 for x in r), r' "$("$ROSTER" status "${MID:0:16}" --json --dir "$T/node-XA")"
	fi
	for s in XA XB; do
		verdict "$label" "$s's audit passes" "$ROSTER" audit --dir "$T/node-$s"
	done
	# rosterd check and checks read the hub's folder stopped.
	stop_hub
	receipts >"$T/receipts.jsonl"
	verdict "$label" "every receipt is in the log, the log and trees verify" \
		"$ROSTERD" check "$T/hub" --receipts "$T/receipts.jsonl"
	if [ "${OUT[5]:-}" = 0 ]; then
		verdict "$label" "XB's answer succeeded: the hub's report counts it" python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == sys.argv[2]]
assert c and any(r["answered"] >= 1 for r in c[0]["rows"]), c' \
			<("$ROSTERD" checks "$T/hub" --json) "$CID"
	fi
	if [ "$RUN_BAD" = 0 ]; then
		ok "$label: recovered, $RUN_OK checks hold"
	fi
}

# ---- the fault runs -------------------------------------------------------
# The plan: for each party and class of write with C writes, N from 1 to C
# evenly spread; RUNS shared out so that a class with few writes (a blob, a
# tree file, a config file) has every one failed, and the rest split evenly.
plan() {
	for w in hub XA XB; do
		for site in $sites; do echo "$w $site ${TOTAL[$w.$site]}"; done
	done | python3 -c '
import sys
runs = int(sys.argv[1])
c = [l.split() for l in sys.stdin if int(l.split()[2]) > 0]
c.sort(key=lambda x: int(x[2]))
for i, (w, site, t) in enumerate(c):
	t = int(t)
	k = min(t, max(1, runs // (len(c) - i)))
	runs -= k
	for j in range(k):
		print(w, site, 1 + (j * (t - 1)) // max(k - 1, 1), t)' "$RUNS"
}
FAILED=0 RUN=0
read -r -a MODE_LIST <<<"$MODES"
mapfile -t PLAN < <(plan | grep -E -- "${FAULT_ONLY:-.}")
for line in "${PLAN[@]}"; do
	read -r TARGET SITE n total <<<"$line"
	MODE=${MODE_LIST[$((RUN % ${#MODE_LIST[@]}))]}
	RUN=$((RUN + 1))
	restore
	rm -f "$T"/fired.*
	LEFT=$n FIRED_STEP=
	hub_env
	if ! start_hub "$T/hub"; then
		# A hub that cannot open its store refuses to start: right,
		# as long as it starts once the disk works.
		FAILED=$((FAILED + 1)) OUT=()
		recover_and_check "$TARGET $SITE write $n of $total ($MODE, at the hub's start)"
		continue
	fi
	journey
	case $TARGET in
	hub) f="$T/fired.hub" ;;
	*) f="$T/fired.${FIRED_STEP:-none}" ;;
	esac
	# A hub whose disk went bad is killed, as a crash would end it (what
	# SQLite wrote before the failed sync may come back at the restart);
	# after a single failed write it stops as usual.
	if [ "$TARGET" = hub ] && [ "$MODE" = sticky ]; then
		kill -9 "$HUBPID" 2>/dev/null
		wait "$HUBPID" 2>/dev/null
	else
		stop_hub
	fi
	fired=$(sed -n 3p "$f" 2>/dev/null)
	case $fired in
	fired=0 | "") label="$TARGET $SITE write $n of $total (not reached this time)" ;;
	*) FAILED=$((FAILED + 1))
		label="$TARGET $SITE write $n of $total ($MODE${FIRED_STEP:+, step $FIRED_STEP}; exits ${OUT[*]})" ;;
	esac
	recover_and_check "$label"
done
check "faults were injected ($FAILED runs)" test "$FAILED" -gt 0
echo "write sites: hub $(summary hub); XA $(summary XA); XB $(summary XB); $FAILED failed on purpose in ${SECONDS}s"
finish
