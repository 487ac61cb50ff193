#!/bin/bash
# test_registries.sh - the registries end to end (issue 14,
# docs/registries.md): roster norms, norm show, norm propose, norm
# cosponsor, terms, term show, on a real hub and nodes.
#
# Three States: XA, XB, XC.  What it reads: the eleven agreed norms of
# A/70/174 para 13 shipped as data, first, with their sources and titles in
# six languages marked unofficial; the proposals; the terms found by their
# Russian and Chinese forms.  What it tries to break, each refused by the
# node before signing (in the rule's words) or by the hub when a forged
# record skips the node: a source that is not "SYMBOL para N", a title
# without the original's language, a co-sponsorship of one's own norm or a
# second one, a norm signed by XC's device in XB's name, one signed by the
# operator, a report on a norm that does not exist, a norm-version of XB's
# norm by XC, a version out of sequence; nothing of it logged.  Then every
# node, and a fresh one that replays the log, prints the same views byte
# for byte, and rosterd check finds the hub's log sound.  Last, the norm is
# agreed only by a body's decision: a proposal adopting a missing norm, an
# agreed one or a missing version is refused; an adopted one makes the norm
# agreed from its deadline on, on every node, and it then takes no version.
. "$(dirname "$0")/lib.sh"

new_hub || exit 1
for s in XA XB XC; do make_state "$s" || { bad "make_state $s"; finish; exit 1; }; done
logsize() { hubdb "$T/hub" sql "SELECT count(*) FROM log"; }
FORGE=$BIN/tests/tools/forge
post() {	# FILE -> prints the HTTP status; body in $T/resp.json
	curl -s -o "$T/resp.json" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
		--data-binary @"$1" "$HUB/v1/envelopes"
}

# ---- reading the shipped registries ------------------------------------------
check_out "roster norms lists the agreed norms of A/70/174" 'a70-174-13a  *AGREED' node XA norms
check_out "... with their sources" 'A/70/174 para 13\(a\)' node XA norms
n=$(node XA norms --status agreed --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 11 ] && ok "--status agreed: the eleven norms" || bad "--status agreed gave $n"
node XA norms --json >"$T/norms.json"
python3 - "$T/norms.json" <<'PY' && ok "agreed first, proposals after, never above" || bad "order of norms"
import json, sys
v = json.load(open(sys.argv[1]))
st = [n["status"] for n in v]
assert st[:11] == ["agreed"] * 11, st
assert all(s != "agreed" for s in st[11:]), st
assert all(len(n["title"]) == 6 for n in v[:11])
PY
check_out "--lang fr prints the French short title, marked unofficial" 'unofficial' \
	node XA norms --status agreed --lang fr
"$ROSTER" norms --dir "$T/node-XA" --status approved >"$T/last.out" 2>&1
[ $? -eq 2 ] && grep -q 'not agreed, proposed or under-discussion' "$T/last.out" && \
	ok "--status that is no standing: exit 2, named" || { bad "--status approved"; show_last; }
"$ROSTER" norms --dir "$T/node-XA" --lang de >"$T/last.out" 2>&1
[ $? -eq 2 ] && ok "--lang de: exit 2" || bad "--lang de"
check_out "roster norm show gives a norm's sources" 'sources: A/70/174 para 13\(f\)' \
	node XA norm show a70-174-13f
check_out "... where it is agreed" 'agreed in A/70/174' node XA norm show a70-174-13f
node XA norm show a70-174-13z >"$T/last.out" 2>&1
[ $? -eq 1 ] && grep -q 'no norm "a70-174-13z"' "$T/last.out" && ok "an unknown norm: exit 1, named" || { bad "unknown norm"; show_last; }
check_out "roster terms lists the terms of consensus documents" 'critical' node XA terms
check_out "a Russian reader finds ICTs by its Russian abbreviation" '^icts ' node XA terms --search "ИКТ"
check_out "a Chinese reader finds critical information infrastructure by 关键信息" \
	'critical-information-infrastructure' node XA terms --search "关键信息" --lang zh
check_out "roster term show gives the six forms" 'ru: ' node XA term show icts
check_out "... and says no definition is agreed" 'no agreed definition' node XA term show icts
node XA term show nothing-such >"$T/last.out" 2>&1
[ $? -eq 1 ] && grep -q 'no term' "$T/last.out" && ok "an unknown term: exit 1" || { bad "unknown term"; show_last; }

# ---- proposing and co-sponsoring: what the rules refuse, the node says ---------
printf 'States should notify each other of large-scale ICT exercises.' >"$T/norm.txt"
printf 'Les États devraient se notifier les grands exercices TIC.' >"$T/norm.fr"
N=$(logsize)
node XB norm propose --lang en --title "en=Notify large exercises" --text-file "$T/norm.txt" \
	--source "A/75/816 paragraph 20" >"$T/last.out" 2>&1
[ $? -eq 1 ] && grep -q '"sources" entry 0' "$T/last.out" && \
	ok "a source that is not SYMBOL para N is refused, naming it" || { bad "bad source"; show_last; }
node XB norm propose --lang en --title "fr=Notifier" --text-file "$T/norm.txt" \
	--source "A/75/816 para 20" >"$T/last.out" 2>&1
[ $? -eq 1 ] && grep -q 'has no en' "$T/last.out" && \
	ok "a title without the original's language is refused" || { bad "title lang"; show_last; }
node XB norm propose --lang en --title "en=" --text-file "$T/norm.txt" \
	--source "A/75/816 para 20" >"$T/last.out" 2>&1
[ $? -eq 2 ] && ok "an empty title: exit 2" || { bad "empty title"; show_last; }
node XB norm propose --lang en --text-file "$T/norm.txt" --source "A/75/816 para 20" >"$T/last.out" 2>&1
[ $? -eq 2 ] && grep -q -- '--title' "$T/last.out" && ok "no title: exit 2, named" || { bad "no title"; show_last; }
[ "$(logsize)" = "$N" ] && ok "nothing refused was logged" || bad "log grew: $N -> $(logsize)"

check_out "XB proposes a norm" 'norm [0-9a-f]* logged at index' \
	node XB norm propose --lang en --title "en=Notify large exercises" \
	--title "fr=Notifier les grands exercices" --text-file "$T/norm.txt" \
	--translation "fr=$T/norm.fr" --source "A/75/816 para 20" --source "A/76/135 para 70"
NORM=$(sed -n 's/^norm \([0-9a-f]*\) logged.*/\1/p' "$T/last.out")
check_out "XA's node lists it as PROPOSED, by XB" "${NORM:0:16} *PROPOSED" node XA norms
check_out "--source A/75/816 finds it" "${NORM:0:16}" node XA norms --source A/75/816
check_out "norm show by a prefix of its id" 'proposed by XB' node XA norm show "${NORM:0:12}"
check_out "XC co-sponsors it" 'co-sponsorship [0-9a-f]* logged at index' node XC norm cosponsor "${NORM:0:12}"
check_out "norm show lists the co-sponsor" 'co-sponsors: XC' node XA norm show "$NORM"
N=$(logsize)
node XC norm cosponsor "$NORM" >"$T/last.out" 2>&1
[ $? -eq 1 ] && grep -qi 'already\|twice' "$T/last.out" && ok "a second co-sponsorship is refused" || { bad "cosponsor twice"; show_last; }
node XB norm cosponsor "$NORM" >"$T/last.out" 2>&1
[ $? -eq 1 ] && grep -q 'XB proposed this norm' "$T/last.out" && ok "a State does not co-sponsor its own norm" || { bad "cosponsor own"; show_last; }
[ "$(logsize)" = "$N" ] && ok "nothing refused was logged" || bad "log grew: $N -> $(logsize)"

# ---- forged records that skip the node: the hub refuses them -----------------------
GOOD='{"lang":"en","title":{"en":"T"},"text":{"en":"X."},"sources":["A/75/816 para 20"]}'
"$FORGE" sign --node "$T/node-XC" --kind norm --hdr '{"state":"XB"}' --payload "$GOOD" --out "$T/f.bin" >/dev/null
check_out "a norm signed by XC's device in XB's name is refused with 403" '^403$' post "$T/f.bin"
"$FORGE" sign --operator "$T/hub" --kind norm --payload "$GOOD" --out "$T/f.bin" >/dev/null
check_out "a norm signed by the operator is refused with 403" '^403$' post "$T/f.bin"
check_out "... because the operator signs none" 'operator does not sign a norm' cat "$T/resp.json"
"$FORGE" sign --node "$T/node-XC" --kind norm \
	--payload '{"lang":"en","title":{"en":"T"},"text":{"en":"X."},"sources":["A/75/816 paragraph 20"]}' \
	--out "$T/f.bin" >/dev/null
check_out "a forged source that skipped the node's check is refused by the hub" '^40[03]$' post "$T/f.bin"
check_out "... naming it" 'sources' cat "$T/resp.json"
"$FORGE" sign --node "$T/node-XC" --kind norm \
	--payload '{"lang":"en","title":{"en":"T"},"text":{"en":"X."},"sources":["A/75/816 para 20"],"status":"agreed"}' \
	--out "$T/f.bin" >/dev/null
check_out "a norm claiming agreement is refused" '^40[03]$' post "$T/f.bin"
check_out "... since only a decision agrees a norm" 'no record declares agreement' cat "$T/resp.json"
"$FORGE" sign --node "$T/node-XC" --kind report --hdr '{"version":1,"audience":"public"}' \
	--payload '{"lang":"en","entries":[{"norm":"a70-174-13z","status":"implemented"}]}' \
	--out "$T/f.bin" >/dev/null
check_out "a report on a norm that does not exist is refused with 400" '^400$' post "$T/f.bin"
check_out "... naming the norm" 'a70-174-13z' cat "$T/resp.json"
"$FORGE" sign --node "$T/node-XC" --kind norm-version --hdr "{\"norm\":\"$NORM\",\"version\":2}" \
	--payload '{"title":{"en":"Changed by XC"}}' --out "$T/f.bin" >/dev/null
check_out "XC revising XB's norm is refused with 403" '^403$' post "$T/f.bin"
"$FORGE" sign --node "$T/node-XB" --kind norm-version --hdr "{\"norm\":\"$NORM\",\"version\":3}" \
	--payload '{"title":{"en":"Skips version 2"}}' --out "$T/f.bin" >/dev/null
check_out "a version out of sequence (3 after 1) is refused" '^4[0-9][0-9]$' post "$T/f.bin"
check_out "... naming the version" 'version' cat "$T/resp.json"
[ "$(logsize)" = "$N" ] && ok "no forged record was logged" || bad "log grew: $N -> $(logsize)"

# ---- the same views everywhere --------------------------------------------------------
make_node XA technical 2 || bad "a second XA node"
for s in XA XB XC XA2; do
	"$ROSTER" norms --dir "$T/node-$s" --json >"$T/norms-$s.json" 2>/dev/null
	"$ROSTER" terms --dir "$T/node-$s" --json >"$T/terms-$s.json" 2>/dev/null
	"$ROSTER" norm show "$NORM" --dir "$T/node-$s" --json >"$T/norm-$s.json" 2>/dev/null
done
same=1
for s in XB XC XA2; do
	for v in norms terms norm; do
		cmp -s "$T/$v-XA.json" "$T/$v-$s.json" || { same=0; echo "     | $v differs on $s"; }
	done
done
[ -s "$T/norm-XA.json" ] && [ $same = 1 ] && \
	ok "every node, and a fresh one that replayed the log, prints the same views byte for byte" || \
	bad "views differ"
stop_hub
"$ROSTERD" check "$T/hub" >"$T/last.out" 2>&1
[ $? -eq 0 ] && ! grep -q problems "$T/last.out" && \
	ok "rosterd check finds the log sound, registry records included" || { bad "rosterd check"; show_last; }
start_hub "$T/hub"
check_out "the hub restarts and rebuilds its registries from the log: XA co-sponsors the norm" \
	'co-sponsorship [0-9a-f]* logged at index' node XA norm cosponsor "$NORM"
N=$(logsize)
"$FORGE" sign --node "$T/node-XC" --kind cosponsor --hdr "{\"norm\":\"$NORM\"}" --payload '{}' \
	--out "$T/f.bin" >/dev/null
check_out "... and refuses XC's second co-sponsorship, known only from the replay" '^409$' post "$T/f.bin"
[ "$(logsize)" = "$N" ] && ok "... not logged" || bad "log grew: $N -> $(logsize)"
check_out "norm show lists both co-sponsors" 'co-sponsors: XC, XA' node XB norm show "$NORM"
# ---- agreed only by a decision of a body ----------------------------------------------
check_out "rosterd body records oewg (silence 60 s)" 'body oewg recorded' \
	"$ROSTERD" body "$T/hub" --name oewg --chair XA --members XA,XB,XC --title "en=OEWG" --silence 60s
printf 'The working group agrees the norm.' >"$T/p.txt"
N=$(logsize)
check_out "a proposal adopting a norm that does not exist is refused" 'no norm "a70-174-13z"' \
	node XA propose --body oewg --text-file "$T/p.txt" --lang en --adopts norm:a70-174-13z
check_out "... one adopting a norm agreed already" 'agreed already' \
	node XA propose --body oewg --text-file "$T/p.txt" --lang en --adopts norm:a70-174-13f
check_out "... one adopting a version the norm does not have" 'has no version 5' \
	node XA propose --body oewg --text-file "$T/p.txt" --lang en --adopts "norm:$NORM:5"
"$ROSTER" propose --dir "$T/node-XA" --body oewg --text-file "$T/p.txt" --lang en --adopts "nrm:$NORM" >"$T/last.out" 2>&1
[ $? -eq 1 ] && grep -q 'adopts must be' "$T/last.out" && ok "... and a malformed --adopts, named" || { bad "--adopts nrm"; show_last; }
[ "$(logsize)" = "$N" ] && ok "nothing refused was logged" || bad "log grew: $N -> $(logsize)"
check_out "the Chair proposes to adopt XB's norm, by a prefix of its id" 'proposal [0-9a-f]* logged at index' \
	node XA propose --body oewg --text-file "$T/p.txt" --lang en --adopts "norm:${NORM:0:12}"
P=$(sed -n 's/^proposal \([0-9a-f]*\) logged.*/\1/p' "$T/last.out")
check_out "under silence, the norm is UNDER DISCUSSION" "^${NORM:0:16} *UNDER DISCUSSION" node XB norms
DL=$(node XA decision show "$P" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["deadline"])')
for _ in $(seq 1 240); do
	[ "$(date +%s%3N)" -gt "$((DL + 1000))" ] && break
	sleep 0.5
done
node XC send --to XA --subject "after the deadline" --body "a record, so a checkpoint past it is signed" >/dev/null 2>&1
check_out "no member objected: the norm is AGREED from the deadline on" "^${NORM:0:16} *AGREED" node XB norms
check_out "... and norm show names the decision" "decision ${P:0:16} of oewg on version 1: adopted" \
	node XC norm show "$NORM"
N=$(logsize)
"$FORGE" sign --node "$T/node-XB" --kind norm-version --hdr "{\"norm\":\"$NORM\",\"version\":2}" \
	--payload '{"title":{"en":"Changed after agreement"}}' --out "$T/f.bin" >/dev/null
check_out "an agreed norm takes no new version (409)" '^409$' post "$T/f.bin"
[ "$(logsize)" = "$N" ] && ok "... not logged" || bad "log grew: $N -> $(logsize)"
for s in XA XB XC XA2; do "$ROSTER" norms --dir "$T/node-$s" --json >"$T/agreed-$s.json" 2>/dev/null; done
cmp -s "$T/agreed-XA.json" "$T/agreed-XB.json" && cmp -s "$T/agreed-XA.json" "$T/agreed-XC.json" && \
	cmp -s "$T/agreed-XA.json" "$T/agreed-XA2.json" && ok "every node shows the same agreement, byte for byte" || \
	bad "agreement views differ"
finish
