#!/usr/bin/env bash
# Promise 6, sovereign disclosure, on its own and fast (test_operations.sh
# tries the same rules among much else, and waits on escalation clocks): a
# TLP:RED message is never forwarded, not even within the recipient's
# State; AMBER+STRICT stays within it; GREEN goes to another State, and the
# receiving node verifies the original.  Kills the tlpred mutant
# (scripts/mutants).
. "$(dirname "$0")/lib.sh"

new_hub "TLP hub" && make_state XA && make_state XB && make_state XC &&
	make_node XB technical 2 || { bad "setup"; finish; exit 1; }
for s in XA XB XB2 XC; do node "$s" sync >/dev/null 2>&1; done
case_of() {	# LABEL: XA sends XB a message with this label; prints XB's id of it
	node XA send --to XB --subject "TLP:$1" --body "body $1" --tlp "$1" >/dev/null 2>&1 &&
		node XB sync >/dev/null 2>&1 && last_received XB
}
ID=$(case_of RED)
check "XB has the TLP:RED message" test ${#ID} -eq 64
check_out "a TLP:RED forward to XC is refused, with the reason" \
	"TLP:RED is for its named recipients only" node XB forward "$ID" --to XC
check_fails "... and the command fails" node XB forward "$ID" --to XC
check_out "a TLP:RED forward within XB is refused too" "TLP:RED" node XB forward "$ID" --to XB
node XC sync >/dev/null 2>&1
check_fails "XC received nothing" bash -c "'$ROSTER' inbox --dir '$T/node-XC' | grep -q TLP"
ID=$(case_of AMBER+STRICT)
check_out "TLP:AMBER+STRICT does not leave XB" "AMBER\+STRICT may be shared only within XB" \
	node XB forward "$ID" --to XC
check "TLP:AMBER+STRICT may go to XB's other POC" node XB forward "$ID" --to XB
ID=$(case_of GREEN)
check "TLP:GREEN may go to XC" node XB forward "$ID" --to XC --note "FYI"
node XC sync >/dev/null 2>&1
check_out "XC holds the forward with its original verified" "Forwarded original \(verified" \
	node XC show "$(last_received XC)"
finish
