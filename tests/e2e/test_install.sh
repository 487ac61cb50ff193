#!/usr/bin/env bash
# Packaging (issue 10 item 18): make install with PREFIX and DESTDIR puts
# the programs, the manual pages and the share folder in place; an
# installed roster finds its share folder beside itself, not in the build
# tree; make uninstall takes it all away again.  And node.db, which holds
# messages in clear, is its owner's alone whatever the umask.
. "$(dirname "$0")/lib.sh"
cd "$TOP"
SAN_FLAG=$([ "$(basename "$BIN")" = build-san ] && echo SAN=1)
P=/opt/roster
S=$T/stage$P

make -s $SAN_FLAG install PREFIX=$P DESTDIR="$T/stage" >"$T/install.out" 2>&1 ||
	{ bad "make install"; cat "$T/install.out"; }
for f in bin/roster bin/rosterd share/roster/web/index.html share/roster/catalogue/templates/free-text.json \
	share/man/man1/roster.1 share/man/man1/roster-send.1 share/man/man1/rosterd-admit.1; do
	[ -s "$S/$f" ] || bad "make install did not put $P/$f"
done
ok "make install PREFIX=$P DESTDIR=... puts the programs, pages and share folder there"
[ -x "$S/bin/roster" ] && [ "$(stat -c %a "$S/share/man/man1/roster.1")" = 644 ] &&
	ok "... programs executable, pages 0644" || bad "installed modes"
check_out "the installed page reads with man" 'roster-send - send a message' \
	env MANPATH="$S/share/man" MANWIDTH=80 man -E ascii roster-send
check_out "... its --help is the installed program's" '^    roster send - send a message' "$S/bin/roster" send --help

# The installed program reads the installed share folder: a template added
# there is listed by it, and not by the program in the build tree.
python3 - "$S/share/roster/catalogue/templates" <<'EOF'
import json, sys
d = sys.argv[1]
t = json.load(open(d + "/free-text.json"))
t["id"] = "staged-only"
json.dump(t, open(d + "/staged-only.json", "w"), ensure_ascii=False)
EOF
unset ROSTER_SHARE
check_out "the installed roster finds the share folder beside it" '^staged-only ' \
	bash -c "cd / && '$S/bin/roster' templates"
if "$ROSTER" templates | grep -q '^staged-only '; then
	bad "the build tree's roster read the installed share folder"
else
	ok "... and the build tree's roster its own (the test can tell them apart)"
fi
check_out "ROSTER_SHARE still overrides it" 'free-text' \
	env ROSTER_SHARE="$TOP/share" bash -c "'$S/bin/roster' templates | grep -v staged-only"
mkdir -p "$T/moved"
cp -a "$T/stage/opt/roster" "$T/moved/"
check_out "a copy under another prefix finds its own" '^staged-only ' "$T/moved/roster/bin/roster" templates

make -s $SAN_FLAG uninstall PREFIX=$P DESTDIR="$T/stage" >"$T/uninstall.out" 2>&1
left=$(find "$T/stage" -type f | head -5)
[ -z "$left" ] && ok "make uninstall removes every file" || { bad "left after uninstall:"; echo "$left"; }

# ---- node.db is private -------------------------------------------------
new_hub
make_root XA
(umask 000 && "$ROSTER" init --dir "$T/node-XA" --hub "$HUB" --state XA --role technical \
	--name "POC XA" --email poc@xa.example >/dev/null 2>&1) || bad "init under umask 000"
check_out "node.db is created 0600 even under umask 000" '^600$' stat -c %a "$T/node-XA/node.db"
(umask 000 && "$ROSTER" certify --root "$T/XA.root" "$T/node-XA/request.json" >/dev/null &&
	"$ROSTER" enroll --dir "$T/node-XA" "$T/node-XA/request.cert" >/dev/null) || bad "enroll"
(umask 000 && "$ROSTER" sync --dir "$T/node-XA" >/dev/null 2>&1)
wide=""
for f in node.db node.db-wal node.db-shm; do
	[ -e "$T/node-XA/$f" ] || continue
	m=$(stat -c %a "$T/node-XA/$f")
	[ "$m" = 600 ] || wide="$wide $f:$m"
done
[ -z "$wide" ] && ok "... and its -wal and -shm files too, after writes" ||
	bad "after a sync under umask 000:$wide"
chmod 0644 "$T/node-XA/node.db"
"$ROSTER" inbox --dir "$T/node-XA" >/dev/null 2>&1
check_out "a node.db an older version left 0644 is made 0600 at the next open" '^600$' \
	stat -c %a "$T/node-XA/node.db"
finish
