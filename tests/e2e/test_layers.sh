#!/usr/bin/env bash
# The node's layers (docs/internals.md) hold in the code as built:
#
#   - no SQL outside node/core/store*.c (nothing else names sqlite3 or
#     holds a SELECT, INSERT, UPDATE or DELETE);
#   - no HTTP request to the hub outside node/core/hubclient.c;
#   - the direction: core includes nothing of cli/, web/ or taxii/; web and
#     taxii nothing of cli/ nor of each other; cli reaches web/ and taxii/
#     only from serve.c, which starts them;
#   - no circle among the files of node/core, read from the objects' symbol
#     tables (file A uses a symbol file B defines), and no core object uses
#     a symbol of cli/, web/ or taxii/;
#   - libnodecore.a has no main.
# The circle detector is first shown a planted circle, so a check that
# cannot fail does not pass for one.
. "$(dirname "$0")/lib.sh"
cd "$TOP"

for f in libnodecore.a roster; do
	[ -e "$BIN/$f" ] || { bad "$BIN/$f is not built (make SAN=1 all)"; finish; exit 1; }
done

# (an HTTP method named as a string, "DELETE", is not SQL)
sql=$(grep -rn '' node --include=*.c --include=*.h | grep -v '^node/core/store' |
	sed 's/"DELETE"//g' | grep -E 'sqlite3|\b(SELECT|INSERT|UPDATE|DELETE)\b|"db\.h"')
if [ -z "$sql" ]; then ok "no SQL outside node/core/store*.c"; else bad "SQL outside the store:"; echo "$sql" | head; fi

http=$(grep -rnE '\bhttp_(call|get_json|post_json|upload|download)\(' node \
	--include=*.c | grep -v '^node/core/hubclient\.c')
if [ -z "$http" ]; then ok "every request to the hub is in node/core/hubclient.c"; else bad "HTTP outside hubclient.c:"; echo "$http" | head; fi

up=$(grep -nE '#include "(\.\./)?(cli|web|taxii)/|#include "(cli|web|web_impl|taxii_impl|taxii_server)\.h"' node/core/*.[ch])
if [ -z "$up" ]; then ok "node/core includes nothing of cli/, web/ or taxii/"; else bad "core reaches up:"; echo "$up"; fi
up=$(grep -nE '#include "(\.\./)?(cli|taxii)/|#include "(cli|taxii_impl|taxii_server)\.h"' node/web/*.[ch])
if [ -z "$up" ]; then ok "node/web includes nothing of cli/ or taxii/"; else bad "web reaches into cli or taxii:"; echo "$up"; fi
up=$(grep -nE '#include "(\.\./)?(cli|web)/|#include "(cli|web|web_impl)\.h"' node/taxii/*.[ch])
if [ -z "$up" ]; then ok "node/taxii includes nothing of cli/ or web/"; else bad "taxii reaches into cli or web:"; echo "$up"; fi
up=$(grep -lE '#include "(\.\./)?(web|taxii)/' node/cli/*.c | grep -v '^node/cli/serve\.c$')
if [ -z "$up" ]; then ok "node/cli reaches node/web and node/taxii only from serve.c"; else bad "cli reaches into web or taxii from: $up"; fi

# edges FILE.o...: "a b" for each symbol object a uses that object b defines.
edges() {
	local o
	for o in "$@"; do nm --defined-only "$o" | awk -v f="$(basename "$o" .o)" \
		'$2 ~ /^[TDBR]$/ {print "D", f, $3}'; done
	for o in "$@"; do nm -u "$o" | awk -v f="$(basename "$o" .o)" '{print "U", f, $2}'; done
}
graph() {	# the edges of the stream from edges, as "a b" lines
	awk '$1 == "D" {def[$3] = $2; next} $1 == "U" && ($3 in def) && def[$3] != $2 {print $2, def[$3]}' | sort -u
}
if printf 'a b\nb c\nc a\n' | tsort >/dev/null 2>&1; then
	bad "the circle detector misses a planted circle"
else
	ok "the circle detector finds a planted circle"
fi
core=$(edges "$BIN"/node/core/*.o | graph)
if echo "$core" | tsort >/dev/null 2>"$T/tsort.err"; then
	ok "no circle among the $(ls "$BIN"/node/core/*.o | wc -l) files of node/core ($(echo "$core" | wc -l) uses)"
else
	bad "a circle in node/core:"; cat "$T/tsort.err"
fi
faces=$( (for o in "$BIN"/node/cli/*.o "$BIN"/node/web/*.o "$BIN"/node/taxii/*.o; do
	nm --defined-only "$o" | awk '$2 ~ /^[TDBR]$/ {print $3}'; done) | sort -u)
used=$( (for o in "$BIN"/node/core/*.o; do nm -u "$o" | awk '{print $2}'; done) | sort -u)
back=$(comm -12 <(echo "$faces") <(echo "$used"))
if [ -z "$back" ]; then ok "no core object uses a symbol of cli/, web/ or taxii/"; else bad "core uses: $back"; fi

if nm --defined-only "$BIN/libnodecore.a" 2>/dev/null | grep -qE ' T main$'; then
	bad "libnodecore.a defines main"
else
	ok "libnodecore.a has no main"
fi
finish
