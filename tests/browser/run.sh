#!/usr/bin/env bash
# run.sh - the browser tests of the web interface (issue 4).
#
# Builds nothing: it uses the sanitizer build (make SAN=1) like the e2e
# tests, and playwright-core from tests/browser/node_modules (npm ci).  It
# starts a hub and three States' nodes with `roster serve` on loopback
# (tests/e2e/lib.sh), creates accounts on them, then drives Debian's
# chromium, headless, through the journeys of journeys.mjs in English,
# Arabic and Chinese, then the duty officer's journeys of duty.mjs (issue
# 10: forwards, templates, time, right to left, keyboard only, axe-core) in
# English and Arabic, then the crisis paths the node's API serves
# (crisis.mjs: overdue notices, answers that acknowledge, forward offers,
# the hub unreachable, the order of redraws), process.mjs (issue 13: the
# process pages, in English and Arabic), and hubdown.mjs with the hub
# stopped and started again.  Screenshots of every main
# page in each language go to build-san/screenshots/.  i18n_check.mjs checks the catalogues and the
# page sources first.  Ends with "N passed, N failed".
. "$(dirname "$0")/../e2e/lib.sh"
HERE="$TOP/tests/browser"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
SHOTS="$TOP/build-san/screenshots"
mkdir -p "$SHOTS"

count_node() {	# runs a node script whose lines are ok/FAIL and adds them up
	local out=$1; shift
	command node "$@" >"$out" 2>&1	# (lib.sh has a function named node)
	local rc=$?
	cat "$out"
	PASS=$((PASS + $(grep -c '^ok ' "$out")))
	FAIL=$((FAIL + $(grep -c '^FAIL ' "$out")))
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then bad "$* exited $rc"; fi
}

count_node "$T/i18n.out" "$HERE/i18n_check.mjs" "$TOP/share/web"
# ... and the check itself catches what it should: a key missing from one
# catalogue, a word written into a module.
cp -r "$TOP/share/web" "$T/web-broken"
python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); del d["message.ack"]; json.dump(d, open(p, "w"))' \
	"$T/web-broken/i18n/ar.json"
check_out "the catalogue check fails on a key missing from ar.json" "^FAIL ar.json lacks 1 key.*message.ack" \
	command node "$HERE/i18n_check.mjs" "$T/web-broken"
sed -i "s/t('inbox.empty')/'No messages yet'/" "$T/web-broken/js/pages/inbox.js"
check_out "the source check fails on a word written into a module" "inbox.js:[0-9]+: No messages yet" \
	command node "$HERE/i18n_check.mjs" "$T/web-broken"
python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["trust.alarms"]=d["trust.alarms"].replace(" few {# тревоги}", ""); json.dump(d, open(p, "w"), ensure_ascii=False)' \
	"$T/web-broken/i18n/ru.json"
check_out "the plural check fails on a Russian plural without its \"few\" form" "trust.alarms: plural of n lacks few" \
	command node "$HERE/i18n_check.mjs" "$T/web-broken"
python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["trust.alarms"]="{n} alarm(s)"; json.dump(d, open(p, "w"))' \
	"$T/web-broken/i18n/en.json"
check_out "the plural check fails on an \"alarm(s)\"" "trust.alarms: hedged plural" \
	command node "$HERE/i18n_check.mjs" "$T/web-broken"

if [ ! -x "$CHROMIUM" ] || [ ! -d "$HERE/node_modules/playwright-core" ] || [ ! -d "$HERE/node_modules/axe-core" ]; then
	bad "chromium ($CHROMIUM), playwright-core or axe-core (npm ci --prefix tests/browser) is missing"
	finish
	exit 1
fi

check "operator: a hub" new_hub "Browser hub"
for s in XA XB XC FR; do	# FR: a real country code, so names show translated
	check "State $s with a POC node" make_state "$s"
done
check "operator: group forum (XB, FR)" "$ROSTERD" group "$T/hub" --name forum --states XB,FR \
	--title en=Forum --title ar=المنتدى --title zh=论坛
export ROSTER_PASSWORD="a long enough password"
for l in en ar zh; do
	check "accounts on XA and XB in $l" bash -c "
		'$ROSTER' user add alice-$l --admin --lang $l --dir '$T/node-XA' &&
		'$ROSTER' user add bob-$l --lang $l --dir '$T/node-XB'"
done
check "an account on XC" "$ROSTER" user add carol --dir "$T/node-XC"
for l in en ar; do
	check "an account on XC in $l" "$ROSTER" user add "carol-$l" --lang $l --dir "$T/node-XC"
done

for s in XA XB XC; do
	"$ROSTER" serve --dir "$T/node-$s" --listen 127.0.0.1:0 --interval 1 >"$T/serve-$s.log" 2>&1 &
	PIDS="$PIDS $!"
done
for s in XA XB XC; do
	for _ in $(seq 1 200); do [ -s "$T/node-$s/serve.url" ] && break; sleep 0.05; done
done
check "the three nodes serve" test -s "$T/node-XA/serve.url" -a -s "$T/node-XB/serve.url" -a -s "$T/node-XC/serve.url"
# Audits beside the running nodes: XB and XC cosign, XA fetches their
# cosignatures, so XA's trust page has some to show.
for s in XB XC XA; do
	check "$s audits and cosigns beside its running node" node "$s" audit
done

# The process (process.mjs): a body whose Chair is XA, with a silence of
# 60 s, so that a deadline passes while the browser watches.
check "operator: body oewg (Chair XA; XA, XB, XC; silence 60 s)" "$ROSTERD" body "$T/hub" --name oewg \
	--chair XA --members XA,XB,XC --title "en=Open-ended working group" \
	--title "ar=الفريق العامل المفتوح العضوية" --silence 60s

# BROWSER_ONLY=crisis (a space-separated list of scripts) runs only those:
# each script stands on its own, so one can be run while it is worked on.
for script in ${BROWSER_ONLY:-journeys duty crisis audit process hubdown}; do
	[ "$script" = hubdown ] && continue	# below: it needs the hub stopped
	XA_URL=$(cat "$T/node-XA/serve.url") XB_URL=$(cat "$T/node-XB/serve.url") \
	XC_URL=$(cat "$T/node-XC/serve.url") CHROMIUM="$CHROMIUM" SHOTS="$SHOTS" XA_DIR="$T/node-XA" ROSTER="$ROSTER" \
		count_node "$T/$script.out" "$HERE/$script.mjs"
done

# The hub unreachable (hubdown.mjs): the hub stopped, then started again;
# then overdue notices, with urgent mail due within seconds.
case " ${BROWSER_ONLY:-hubdown} " in *" hubdown "*)
	hubenv() { XA_URL=$(cat "$T/node-XA/serve.url") XB_URL=$(cat "$T/node-XB/serve.url") \
		XC_URL=$(cat "$T/node-XC/serve.url") CHROMIUM="$CHROMIUM" SHOTS="$SHOTS" \
		HUBDOWN_STATE="$T/hubdown.json" PHASE=$1 count_node "$T/hubdown-$1.out" "$HERE/hubdown.mjs"; }
	stop_hub
	hubenv down
	check_out "roster status says the hub cannot be reached (item 8, the CLI)" "Hub: UNREACHABLE since" \
		node XA status
	# (restarted with an 8 s deadline for urgent mail, for the notices; flash
	# mail's too, since a deadline must not grow with urgency)
	python3 -c 'import json,sys; p=sys.argv[1]; c=json.load(open(p)); c["deadlines"]={"flash":"8s","urgent":"8s"}; json.dump(c,open(p,"w"))' \
		"$T/hub/hub.json"
	check "the hub starts again, urgent mail due in 8 s" start_hub "$T/hub"
	# (XA's node reads the hub's deadlines at most hourly, never from a web
	# send: its copy of the policy is set as its next read would set it)
	check "XA's copy of the hub's deadlines says 8 s for urgent mail" \
		sqlite3 "$T/node-XA/node.db" "INSERT OR REPLACE INTO meta(k, v) VALUES('deadline_urgent', 8000), ('deadline_flash', 8000)"
	hubenv up
	hubenv notice
	# a second root key for FR, admitted by the operator, not endorsed
	"$ROSTER" keygen --state FR --out "$T/FR-new.root" >/dev/null 2>&1
	check "the operator admits a second root key for FR" \
		"$ROSTERD" admit "$T/hub" --state FR --root-key "$T/FR-new.root.pub"
	# ... and a device certified by it: unconfirmed, left out of mail to FR
	# unless the sender includes it (compose, hubdown.mjs roots)
	"$ROSTER" init --dir "$T/node-FR-new" --hub "$HUB" --state FR --role technical \
		--name "FR new key" --email new@fr.example >/dev/null 2>&1
	"$ROSTER" certify --root "$T/FR-new.root" "$T/node-FR-new/request.json" >/dev/null 2>&1
	check "a device under FR's second root key enrolls" \
		"$ROSTER" enroll --dir "$T/node-FR-new" "$T/node-FR-new/request.cert"
	# ... and one for XA, which XA's node holds no key of: an alarm at XA
	"$ROSTER" keygen --state XA --out "$T/XA-evil.root" >/dev/null 2>&1
	check "the operator admits a root key for XA that XA does not hold" \
		"$ROSTERD" admit "$T/hub" --state XA --root-key "$T/XA-evil.root.pub"
	hubenv roots
	;;
esac

finish
