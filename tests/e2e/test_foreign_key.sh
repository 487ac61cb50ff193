#!/usr/bin/env bash
# Promise 5, key transparency: the operator admits a second root key for XA
# (one XA never made), then uses it to certify a device of its own choosing
# for XA.  XA's audit must fail with a clear alarm; other States' audits are
# unaffected; everyone's directory shows the intruder for what it is.
. "$(dirname "$0")/lib.sh"

new_hub "Key hub" && make_state XA && make_state XB || { bad "setup"; finish; exit 1; }
check "XA's audit passes before the attack" node XA audit
"$ROSTER" keygen --state XA --out "$T/XA-evil.root" >/dev/null
check "the operator can admit a second root key for XA (it is logged)" \
	"$ROSTERD" admit "$T/hub" --state XA --root-key "$T/XA-evil.root.pub"
check_out "XA's audit names the foreign admission" \
	"FAIL.*admitted a root key for XA that XA does not hold" node XA audit
check_fails "XA's audit exits non-zero" node XA audit
check "XB's audit is unaffected" node XB audit

# The intruder key certifies a device for XA.
"$ROSTER" init --dir "$T/node-evil" --hub "$HUB" --state XA --role diplomatic \
	--name "Not XA" --email evil@example.org >/dev/null
"$ROSTER" certify --root "$T/XA-evil.root" "$T/node-evil/request.json" >/dev/null
check "the foreign device gets into the log" "$ROSTER" enroll --dir "$T/node-evil" "$T/node-evil/request.cert"
check_out "XA's next sync raises the alarm at once" "ALARM.*certified by a key that is not XA's" node XA sync
check_out "XA's audit names the foreign certificate" \
	"FAIL.*certified by a key that is not XA's root key" node XA audit
check_out "roster alarms lists the foreign records" "foreign-key-record" node XA alarms
check_fails "roster alarms exits 1 while there is an alarm" node XA alarms
check_out "--evidence gives the signed record" "evidence: [A-Za-z0-9+/]{40,}" node XA alarms --evidence
check_out "XB has no alarm" "no alarms" node XB alarms
check_out "the directory shows two XA root keys with distinct fingerprints" \
	"XA  root key .*XA  root key" bash -c "'$ROSTER' directory --dir '$T/node-XB' | tr '\n' ' '"
finish
