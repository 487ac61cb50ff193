#!/usr/bin/env bash
# The README's run command works from a clean tree: scripts/demo sets up a
# hub and two States, exchanges a first message and shows it delivered,
# installing only what building and running need.
. "$(dirname "$0")/lib.sh"

# npm and node that only note they were called: the demo installs no
# browser test tooling (issue 10 item 18).
mkdir -p "$T/fakebin"
for c in npm npx; do printf '#!/bin/sh\necho "$0 $*" >>"%s/npm-called"\nexit 1\n' "$T" >"$T/fakebin/$c"; done
chmod +x "$T/fakebin/"*
PATH="$T/fakebin:$PATH" ROSTER_DEMO_DIR="$T/demo" timeout 300 "$TOP/scripts/demo" --once >"$T/demo.out" 2>&1
check "scripts/demo --once exits 0" test $? -eq 0
check "... without calling npm" test ! -e "$T/npm-called"
# In a tree without the browser tests' packages: install-deps alone leaves
# them be, --tests fetches them (so the check above can fail).
mkdir -p "$T/tree/scripts" "$T/tree/tests/browser"
cp "$TOP/scripts/install-deps" "$T/tree/scripts/"
PATH="$T/fakebin:$PATH" sh "$T/tree/scripts/install-deps" >/dev/null 2>&1
check "scripts/install-deps (to build and run) calls no npm" test ! -e "$T/npm-called"
PATH="$T/fakebin:$PATH" sh "$T/tree/scripts/install-deps" --tests >/dev/null 2>&1
check_out "scripts/install-deps --tests (scripts/check) runs npm ci" "npm ci --prefix tests/browser" cat "$T/npm-called"
check_out "the message was sent with a verified receipt" "receipt verified" cat "$T/demo.out"
check_out "XB's node signed delivered" "XB +technical .*[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}Z" cat "$T/demo.out"
check_out "it says where to look next" "roster inbox" cat "$T/demo.out"
check "no demo server is left running" bash -c "! pgrep -f '$T/dem[o]/' >/dev/null"
finish
