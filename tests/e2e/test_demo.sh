#!/usr/bin/env bash
# The README's run command works from a clean tree: scripts/demo sets up a
# hub and two States, exchanges a first message and shows it delivered.
. "$(dirname "$0")/lib.sh"

ROSTER_DEMO_DIR="$T/demo" timeout 300 "$TOP/scripts/demo" --once >"$T/demo.out" 2>&1
check "scripts/demo --once exits 0" test $? -eq 0
check_out "the message was sent with a verified receipt" "receipt verified" cat "$T/demo.out"
check_out "XB's node signed delivered" "XB +technical .*[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}Z" cat "$T/demo.out"
check_out "it says where to look next" "roster inbox" cat "$T/demo.out"
check "no demo server is left running" bash -c "! pgrep -f '$T/dem[o]/' >/dev/null"
finish
