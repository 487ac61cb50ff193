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
#     --version for both.
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
check_out "roster --version" '^roster [0-9.]+ \(protocol [0-9]+\)$' "$ROSTER" --version
check_out "rosterd --version" '^rosterd [0-9.]+ \(protocol [0-9]+\)$' "$ROSTERD" --version
check_out "roster help CMD is CMD --help" '^    roster status - delivery' "$ROSTER" help status

# One prefix, "roster CMD: ", on a failure that is not a usage error.
check_out "a failure says which command failed" '^roster inbox: .*not a node folder' \
	"$ROSTER" inbox --dir "$T/none"
check_out "... a warning as well" '^roster checks answer: |^roster checks answer: warning' \
	"$ROSTER" checks answer 0123456789abcdef --dir "$T/none"
finish
