#!/usr/bin/env bash
# The command lines of roster and rosterd, as a user meets them: one option
# parser and one help source (lib/opts.h), one vocabulary (lib/vocab.h).
#
#   - every command's --help and its manual page say the same words in the
#     same order (both are made from one table), for both programs, and the
#     pages make built are those the binaries write now;
#   - a mistyped command, option or subcommand is named with what was
#     meant; an option of another form of a family is refused by name; one
#     prefix ("roster send: ...") and exit status 2 on every usage error;
#     --version for both;
#   - what people type is normalised (--tlp amber, TLP:AMBER, --to xb,
#     --state fr, --lang EN) and what no node would accept is refused before
#     anything is signed (a 301-byte subject, a line break in it, a body
#     over 512 KiB or not UTF-8, a bad e-mail address);
#   - the small things of issue 10 item 17 and items 9 and 10: init for a
#     State never admitted warns, directory --state ZZ fails, languages as a
#     list, a second ack signs nothing, status right after the recipient's
#     ack shows it, show ends with the real command, consult show prints
#     step ids, the status table lines up.
. "$(dirname "$0")/lib.sh"
MAN=$BIN/man

# words PROG CMD: the --help text of "PROG CMD" (CMD may be empty), its
# whitespace collapsed.
help_words() { "$1" ${2:+"$2"} --help | tr -s ' \n\t' ' ' | sed 's/^ //;s/ $//'; }
# man_words PROG CMD: the manual page as man renders it, without its header
# and footer lines and its SEE ALSO, the NAME line's "PROG-CMD" as "PROG CMD".
man_words() {
	local page=$1${2:+-$2}
	MANWIDTH=100 man -E ascii -l "$MAN/$page.1" 2>/dev/null | col -bx | sed '1d;$d' |
		awk '/^SEE ALSO/ {skip = 1} !skip' |
		sed "s/^\( *\)$page - /\1$1${2:+ $2} - /" |
		tr -s ' \n\t' ' ' | sed 's/^ //;s/ $//'
}
commands() { "$1" --help | awk '/^COMMANDS/ {f = 1; next} /^$/ {f = 0} f {print $1}'; }

[ -s "$MAN/roster.1" ] && [ -s "$MAN/rosterd.1" ] || bad "make built no manual pages in $MAN"
for prog in roster rosterd; do
	P=$BIN/$prog
	n=0
	for c in "" $(commands "$P"); do
		n=$((n + 1))
		if [ ! -s "$MAN/$prog${c:+-$c}.1" ]; then
			bad "$prog${c:+ $c}: no manual page"
			continue
		fi
		a=$(help_words "$P" "$c")
		b=$(man_words "$prog" "$c")
		if [ -n "$a" ] && [ "$a" = "$b" ]; then :; else
			bad "$prog${c:+ $c}: --help and $prog${c:+-$c}(1) differ"
			diff <(echo "$a" | tr ' ' '\n') <(echo "$b" | tr ' ' '\n') | head -8
		fi
	done
	ok "$prog: --help and the manual page agree for the program and its $((n - 1)) commands"
done
rm -rf "$T/man"
"$ROSTER" help --man "$T/man" && "$ROSTERD" help --man "$T/man"
if diff -r "$T/man" "$MAN" >"$T/man.diff"; then
	ok "the pages make built are those the programs write now ($(ls "$T/man" | wc -l) pages)"
else
	bad "stale manual pages in $MAN (run make)"; head "$T/man.diff"
fi
# The comparison above can fail: a page edited by hand is caught.
cp "$MAN/roster-send.1" "$T/edited.1"
sed -i 's/^Encrypts the message/Encrypts the letter/' "$T/edited.1"
a=$(help_words "$ROSTER" send)
b=$(MANWIDTH=100 man -E ascii -l "$T/edited.1" 2>/dev/null | col -bx | sed '1d;$d' |
	awk '/^SEE ALSO/ {skip = 1} !skip' | sed 's/^\( *\)roster-send - /\1roster send - /' |
	tr -s ' \n\t' ' ' | sed 's/^ //;s/ $//')
if [ "$a" != "$b" ]; then ok "... and a page edited by hand is told apart"; else bad "an edited page compares equal"; fi

for c in send inbox status consult checks directory; do
	grep -q "^EXAMPLES" <("$ROSTER" "$c" --help) && grep -q "^EXIT STATUS" <("$ROSTER" "$c" --help) ||
		bad "roster $c --help has no EXAMPLES or EXIT STATUS"
done
ok "roster's pages have EXAMPLES and EXIT STATUS, as rosterd's"
check_out "roster send --help names --template and --field" \
	"--template ID.*--field NAME=VALUE" bash -c "'$ROSTER' send --help | tr '\n' ' '"
check_out "roster inbox --help says the order it sorts in" "overdue and not acknowledged first, then.*by urgency" \
	bash -c "'$ROSTER' inbox --help | tr '\n' ' ' | tr -s ' '"

# usage: DESC WANT CMD...: exit status 2 and WANT on stderr.
usage() {
	local desc=$1 want=$2 rc; shift 2
	"$@" >"$T/last.out" 2>&1; rc=$?
	if [ "$rc" -eq 2 ] && grep -Eq -- "$want" "$T/last.out"; then ok "$desc"
	else bad "$desc (exit $rc, want /$want/)"; show_last; fi
}
usage "a mistyped command: did you mean" '^roster: unknown command "sned" \(did you mean send\?\)' "$ROSTER" sned
usage "... for rosterd too" '^rosterd: unknown command "admti" \(did you mean admit\?\)' "$ROSTERD" admti
usage "an unknown command far from any: no guess" '^roster: unknown command "frobnicate"$' "$ROSTER" frobnicate
usage "--dri is an unknown option, with the one meant" \
	'^roster inbox: unknown option --dri \(did you mean --dir\?\)' "$ROSTER" inbox --dri /tmp
usage "... for rosterd's commands too" \
	'^rosterd admit: unknown option --stat \(did you mean --state\?\)' "$ROSTERD" admit "$T/hub" --stat XA
usage "--dir=X with a typo too" 'unknown option --dri \(did you mean --dir\?\)' "$ROSTER" sync --dri=/tmp
usage "a value missing" '^roster send: --to needs a value' "$ROSTER" send --subject s --to
usage "a flag given a value" '^roster inbox: --json takes no value' "$ROSTER" inbox --json=yes
usage "an option given twice" '^roster send: --to is given twice' "$ROSTER" send --to XB --to XC
usage "an option of another form of the family is refused by name" \
	'^roster consult agree: --subject does not go with roster consult agree' \
	"$ROSTER" consult agree 0123456789abcdef --subject x
usage "a mistyped subcommand: did you mean" '^roster checks: unknown subcommand "strat" \(did you mean start\?\)' \
	"$ROSTER" checks strat
usage "... in consult" 'unknown step "agre" \(did you mean agree\?\)' "$ROSTER" consult agre
usage "... in templates" 'unknown subcommand "shwo" \(did you mean show\?\)' "$ROSTER" templates shwo
usage "... in alerts" 'unknown subcommand "tets" \(did you mean test\?\)' "$ROSTER" alerts tets --dir "$T/none"
usage "... in user" 'did you mean passwd' "$ROSTER" user paswd alice --dir "$T/none"
usage "a stray argument" '^roster sync: unexpected argument "extra"' "$ROSTER" sync extra
usage "every usage error points to the page" '\(see `roster send --help`\)' "$ROSTER" send --bogus
usage "rosterd's too" '\(see `rosterd init --help`\)' "$ROSTERD" init --bogus
# rosterd's process commands and db/migrate-store parse from their tables too
usage "rosterd body: a mistyped option, with the one meant" \
	'^rosterd body: unknown option --chiar \(did you mean --chair\?\)' \
	"$ROSTERD" body "$T/hub" --name wg --chiar XA --members all
usage "rosterd body: a rule given twice is refused" '^rosterd body: --silence is given twice' \
	"$ROSTERD" body "$T/hub" --name wg --chair XA --members all --silence 1h --silence 2h
usage "rosterd meeting: a value missing" '^rosterd meeting: --start needs a value' \
	"$ROSTERD" meeting "$T/hub" --body wg --start
usage "rosterd stakeholder certify: an option of apply is refused by name" \
	'^rosterd stakeholder certify: --ecosoc does not go with rosterd stakeholder certify' \
	"$ROSTERD" stakeholder certify "$T/hub" req.json --application x --ecosoc yes
usage "rosterd process: a flag given a value" '^rosterd process: --json takes no value' \
	"$ROSTERD" process "$T/hub" --json=yes
usage "rosterd db: a mistyped option" '^rosterd db: unknown option --bd \(did you mean --db\?\)' \
	"$ROSTERD" db status --bd postgresql://x@y/z
usage "rosterd migrate-store: a stray argument" '^rosterd migrate-store: unexpected argument' \
	"$ROSTERD" migrate-store --from "$T/hub" --to postgresql://x@y/z extra
check_out "roster --version" '^roster [0-9.]+ \(protocol [0-9]+\)$' "$ROSTER" --version
check_out "rosterd --version" '^rosterd [0-9.]+ \(protocol [0-9]+\)$' "$ROSTERD" --version
check_out "roster help CMD is CMD --help" '^    roster status - delivery' "$ROSTER" help status

# Every command and subcommand of both programs takes the options it reads
# from its own table (a command asking for one its table lacks aborts:
# roster reply once did, on --no-forward): none dies of a signal.
forms() {	# PROG: "CMD" and "CMD SUB" for every form its pages list
	local c
	for c in $(commands "$1"); do
		[ "$c" = serve ] && continue
		echo "$c"
		"$1" "$c" --help | sed -n '/^SYNOPSIS/,/^$/p' | awk -v p="${1##*/}" -v c="$c" \
			'$1 == p && $2 == c {print $3}' | tr -d '[]' | tr '|' '\n' |
			grep -E '^[a-z]+$' | sed "s/^/$c /"
	done | sort -u
}
n=0; died=0
for prog in "$ROSTER" "$ROSTERD"; do
	while read -r form; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		if [ "$prog" = "$ROSTERD" ]; then set -- "$T/no-hub"
		else set -- 0123456789abcdef --dir "$T/no-node"; fi
		timeout 20 "$prog" $form "$@" >"$T/form.out" 2>&1 </dev/null
		rc=$?
		if [ "$rc" -ge 124 ] || grep -q 'Assertion' "$T/form.out"; then
			died=$((died + 1)); bad "${prog##*/} $form died (exit $rc)"; cat "$T/form.out"
		fi
	done < <(forms "$prog")
done
[ "$died" -eq 0 ] && ok "all $n forms of roster and rosterd run to a message (none aborts)"

# One prefix, "roster CMD: ", on a failure that is not a usage error.
check_out "a failure says which command failed" '^roster inbox: .*not a node folder' \
	"$ROSTER" inbox --dir "$T/none"
check_out "... a warning as well" '^roster checks answer: |^roster checks answer: warning' \
	"$ROSTER" checks answer 0123456789abcdef --dir "$T/none"

# ---- a world: a hub, XA and XB ------------------------------------------
new_hub
make_state XA && make_state XB || { bad "cannot set up XA and XB"; finish; exit 1; }
check_out "rosterd admit takes a lower-case State code" 'admitted the root key of XC' \
	bash -c "'$ROSTER' keygen --state xc --out '$T/XC.root' >/dev/null && '$ROSTERD' admit '$T/hub' --state xc --root-key '$T/XC.root.pub'"
check_out "keygen --state xd writes XD's key" 'root key of XD' "$ROSTER" keygen --state xd --out "$T/XD.root"
usage "keygen --state of three letters" 'is not a State code' "$ROSTER" keygen --state fra --out "$T/FRA.root"

outbox() { sqlite3 "$T/node-$1/node.db" "SELECT count(*) FROM outbox"; }
out=$(node XA send --to xb --subject "Lower case" --body "b" --tlp amber --urgency URGENT --lang EN 2>&1)
if echo "$out" | grep -q "^sent [0-9a-f]* to XB (1 device)"; then ok "send --to xb --tlp amber --urgency URGENT --lang EN is sent to XB"
else bad "send with lower-case values: $out"; fi
check "... XB syncs" node XB sync
ID=$(last_received XB)
check_out "... and XB reads TLP:AMBER, urgent, en" 'Urgency   urgent    TLP:AMBER    language en' node XB show "${ID:0:16}"
check_out "--tlp TLP:AMBER+STRICT is AMBER+STRICT" 'sent ' node XA send --to XB --subject s --body b --tlp TLP:amber+strict
node XB sync >/dev/null 2>&1
check_out "... as XB reads it" 'TLP:AMBER\+STRICT' node XB show "$(last_received XB | cut -c1-16)"
before=$(outbox XA)
usage "--tlp WHITE is not TLP 2.0" '^roster send: --tlp must be CLEAR, GREEN, AMBER' node XA send --to XB --subject s --body b --tlp WHITE
usage "a 301-byte subject is refused before signing" \
	'^roster send: the subject must be one line of at most 300 bytes' \
	node XA send --to XB --subject "$(printf 's%.0s' $(seq 301))" --body b
usage "a subject with a line break is refused" 'one line' node XA send --to XB --subject $'two\nlines' --body b
head -c $((512 * 1024 + 1)) /dev/zero | tr '\0' 'x' >"$T/big.txt"
usage "a body over 512 KiB is refused" 'more than the 512 KiB' node XA send --to XB --subject s --body-file "$T/big.txt"
printf 'caf\xe9\n' >"$T/latin1.txt"
usage "a body that is not UTF-8 is refused (it was sent without its body)" \
	'^roster send: the body must be UTF-8 text' node XA send --to XB --subject s --body-file "$T/latin1.txt"
[ "$(outbox XA)" = "$before" ] && ok "nothing refused was signed into the outbox" || bad "a refused message is in the outbox"
check "... a 300-byte subject is sent" node XA send --to XB --subject "$(printf 's%.0s' $(seq 300))" --body b
usage "consult request refuses a label that is not TLP" 'must be CLEAR' \
	node XA consult request --to XB --subject s --body b --tlp purple
usage "init refuses an address that would add a recipient" '^roster init: --email has a character not allowed' \
	"$ROSTER" init --dir "$T/node-bad" --hub "$HUB" --state XA --role technical --name n --email 'a@b.example,c@d.example'
usage "init refuses a name that would break a line of the directory" \
	'^roster init: --name must be one line' \
	"$ROSTER" init --dir "$T/node-bad" --hub "$HUB" --state XA --role technical --name $'A. Person\e[2J' --email n@xa.example
check_out "init --state xz (never admitted) warns" \
	'^roster init: warning: the hub has not admitted a root key for XZ yet' \
	"$ROSTER" init --dir "$T/node-XZ" --hub "$HUB" --state xz --role Technical --name n --email n@xz.example --lang EN,Fr
check_out "... and writes the State and languages in canonical form" '"state": "XZ".*"role": "technical".*"languages": "en,fr"' \
	bash -c "tr -d '\n' < '$T/node-XZ/config.json'"
check_out "init for an admitted State does not warn" '^node for XC' bash -c \
	"'$ROSTER' init --dir '$T/node-XC' --hub '$HUB' --state XC --role technical --name n --email n@xc.example 2>&1 | grep -v 'compare it' | sed -n '/warning/p;1p'"
# A request edited after init (its proof of possession still holds: it
# covers the keys, not the person) to add a recipient to every reader's mail.
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["email"]="n@xc.example,all@xa.example"; json.dump(r, open(sys.argv[2], "w"))' \
	"$T/node-XC/request.json" "$T/edited-request.json"
"$ROSTER" certify --root "$T/XC.root" "$T/edited-request.json" --out "$T/edited.cert" >"$T/last.out" 2>&1; rc=$?
if [ "$rc" -ne 0 ] && grep -q 'email' "$T/last.out" && [ ! -e "$T/edited.cert" ]; then
	ok "certify refuses a request whose e-mail the hub would refuse, and signs nothing"
else bad "certify of an edited request (exit $rc)"; show_last; fi
"$ROSTER" directory --dir "$T/node-XA" --state zz >"$T/dir.out" 2>&1; rc=$?
if [ "$rc" -eq 1 ] && grep -q "^roster directory: no State ZZ in the directory" "$T/dir.out"; then
	ok "directory --state zz says nothing matched, exit 1"; else bad "directory --state zz (exit $rc)"; cat "$T/dir.out"; fi
check_out "directory --state xb lists XB, languages as a list" 'languages en, fr$' node XA directory --state xb
node XA directory --state xb | grep -q '\["en"' && bad "languages printed as JSON" || ok "... not as JSON"

# status right after the recipient's acknowledgement, without a sync of XA's
S=$(node XA send --to XB --subject "Please ack" --body b | sed -n 's/^sent \([0-9a-f]*\).*/\1/p')
node XB sync >/dev/null 2>&1
check_out "show ends with the command to run, not a placeholder" "^Not acknowledged yet: roster ack $S\$" node XB show "$S"
node XB show "$S" | tail -1 | grep -q . && ok "... and no blank line after it" || bad "show ends with a blank line"
check "XB acknowledges" node XB ack "$S" --note "seen"
signed=$(outbox XB)
check_out "a second ack signs nothing and says so" "already acknowledged; no second acknowledgement signed" node XB ack "$S"
[ "$(outbox XB)" = "$signed" ] && ok "... nothing more in XB's outbox ($signed envelopes)" || bad "a second acknowledgement was signed"
check_out "... exit status 0" '^0$' bash -c "'$ROSTER' ack --dir '$T/node-XB' '$S' >/dev/null 2>&1; echo \$?"
n=$(node XA status "$S" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for r in d["recipients"] if "acknowledged" in r), d["synced"])')
[ "$n" = "1 True" ] && ok "status right after XB's ack shows it acknowledged: it synced first" || bad "status after ack: $n"
check_out "... the acknowledgement is seen once" '  XB  acknowledged .* by POC XB' node XA status "$S"
stop_hub
check_out "with the hub down, status says it shows the last sync" \
	'^roster status: warning: cannot sync.*|^As of the last sync at [0-9-]+ [0-9:]+Z' node XA status "$S"
check_out "... naming its time" '^As of the last sync at [0-9-]+ [0-9:]+Z \(roster sync for fresh data\)' node XA status "$S"
check_out "--offline does not try" '^As of the last sync at' node XA status --offline "$S"
node XA status --offline "$S" >"$T/st.out" 2>&1
awk '/^STATE /{h=$0; getline r; if (index(h, "ROLE") == index(r, "technical")) print "aligned"}' "$T/st.out" | grep -q aligned &&
	ok "the status table's header lines up with its rows" || { bad "status table misaligned"; cat "$T/st.out"; }
start_hub "$T/hub"

# consult show prints each step's id, which consult agree takes
R=$(node XA consult request --to XB --subject "Activity" --body "Talk?" | sed -n 's/^sent \([0-9a-f]*\).*/\1/p')
node XB sync >/dev/null 2>&1
check "XB accepts" node XB consult accept "$R" --body "Yes"
O=$(node XB consult outcome "$R" --body "Agreed: stop it" | sed -n 's/^sent \([0-9a-f]*\).*/\1/p')
node XA sync >/dev/null 2>&1
check_out "consult show prints the outcome's id" "^  $O  .* outcome " node XA consult show "$R"
check "... which consult agree takes" node XA consult agree "$O"
finish
